import { shardsFor } from "../lib/shards";
import type { Profile } from "./common";
import { albPathProblem, matches, overlap } from "../lib/path-patterns";
import type { SectionValues } from "./sections";
import { LAMBDA_UNRESERVED_MINIMUM } from "./sections/account";
import { EVENT_LIMITS } from "../lib/event-limits";
import { reservedConcurrencyByFunction } from "./sections/events";

/** A problem that spans sections, reported against the key that must change. */
export interface CrossProblem {
    key: string;
    /** The value given; undefined when the key is missing. */
    value: unknown;
    message: string;
}

/**
 * Rules that relate sections to each other, the home region or the profile. Each runs only
 * when the sections it reads parsed, so one bad section never hides another's problems.
 */
export function crossSectionProblems(profile: Profile, region: string, s: Partial<SectionValues>): CrossProblem[] {
    const problems: CrossProblem[] = [];
    const add = (key: string, value: unknown, message: string) => problems.push({ key, value, message });

    if (s.network && s.network.azCount < 2) {
        // AWS rejects a DB subnet group (and a Multi-AZ cache) that does not cover two AZs.
        add("network.azCount", s.network.azCount, "is below 2: the database subnet group must span at least 2 availability zones");
    }
    if (s.globalTable) {
        const seen = new Set<string>();
        s.globalTable.replicaRegions.forEach((r, i) => {
            if (r === region) add(`globalTable.replicaRegions[${i}]`, r, `is the home region (aws:region); replicas must be in other regions`);
            else if (seen.has(r)) add(`globalTable.replicaRegions[${i}]`, r, "is listed twice; replica regions must be distinct");
            seen.add(r);
        });
    }
    if (s.alarms?.topicArn) {
        // CloudWatch alarms notify only topics in their own region.
        const topicRegion = s.alarms.topicArn.split(":")[3];
        if (region && topicRegion !== region)
            add(
                "alarms.topicArn",
                s.alarms.topicArn,
                `is in ${topicRegion}, but the alarms are in ${region} (aws:region); CloudWatch alarm actions must name a topic in the alarm's region`,
            );
    }
    if (s.web?.certificateArn) {
        // An ALB listener takes only ACM certificates from its own region.
        const certRegion = s.web.certificateArn.split(":")[3];
        if (region && certRegion !== region)
            add(
                "web.certificateArn",
                s.web.certificateArn,
                `is in ${certRegion}, but the load balancer is in ${region} (aws:region); ACM certificates for an ALB must be in its region`,
            );
    }
    if (s.events && s.analytics) {
        const processor = s.events.streamProcessor;
        const retentionSeconds = s.analytics.stream.retentionHours * 3600;
        if (processor.maximumRecordAgeSeconds >= retentionSeconds) {
            // The failure queue gets only shard and sequence numbers, not the records: they must still be in the stream to be re-read.
            add(
                "events.streamProcessor.maximumRecordAgeSeconds",
                processor.maximumRecordAgeSeconds,
                `must be below the stream's retention (analytics.stream.retentionHours ${s.analytics.stream.retentionHours} = ${retentionSeconds} s): a failed batch is recorded by sequence number and must still be in the stream to be re-read`,
            );
        }
        const stream = s.analytics.stream;
        const shards =
            stream.mode === "PROVISIONED"
                ? shardsFor({ recordsPerSecond: stream.peakRecordsPerSecond, kibPerSecond: stream.peakKiBPerSecond, headroomPercent: stream.headroomPercent })
                : EVENT_LIMITS.onDemandInitialShards;
        const needed = shards * processor.parallelizationFactor;
        if (processor.reservedConcurrency < needed) {
            add(
                "events.streamProcessor.reservedConcurrency",
                processor.reservedConcurrency,
                `is below ${needed} (${shards} ${stream.mode === "PROVISIONED" ? "provisioned" : "initial on-demand"} shards x parallelizationFactor ${processor.parallelizationFactor}): Lambda runs that many batches at once, and throttled shards fall behind`,
            );
        }
    }
    if (s.account && s.events) {
        // AWS refuses a reservation that would leave fewer than 100 unreserved (PutFunctionConcurrency), mid-deploy.
        const limit = s.account.lambdaConcurrencyLimit;
        const reservable = Math.max(0, limit - LAMBDA_UNRESERVED_MINIMUM);
        const byFunction = reservedConcurrencyByFunction(s.events);
        const total = Object.values(byFunction).reduce((a, b) => a + b, 0);
        if (total > reservable) {
            const parts = Object.entries(byFunction)
                .map(([what, n]) => `${what} ${n}`)
                .join(", ");
            add(
                "account.lambdaConcurrencyLimit",
                limit,
                `leaves ${reservable} of Lambda concurrency to reserve (AWS keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved), but the functions reserve ${total} (${parts}); request a higher quota (Service Quotas, "Concurrent executions") and set this key to it, or reserve less`,
            );
        }
    }
    if (s.web?.certificateArn && s.edge && s.edge.aliases.length === 0) {
        // CloudFront forwards the viewer's Host to the load balancer and checks the ALB's certificate against it; *.cloudfront.net can't match an ACM certificate.
        add(
            "edge.aliases",
            [],
            "is empty, but web.certificateArn makes CloudFront reach the load balancer over HTTPS, checking its certificate against the viewer's host name; set edge.certificateArn and edge.aliases to names web.certificateArn covers",
        );
    }
    if (s.web && s.edge) {
        const hidden = s.web.dependencyHealthPath;
        s.edge.strangler.migratedPaths.forEach((p, i) => {
            if (p === hidden || (albPathProblem(p) === undefined && matches(p, hidden))) {
                add(
                    `edge.strangler.migratedPaths[${i}]`,
                    p,
                    `matches web.dependencyHealthPath ${hidden}, which the load balancer answers 404 before any routing rule; migrate a narrower pattern`,
                );
            }
        });
    }
    if (s.containers && s.edge) {
        for (const [name, svc] of Object.entries(s.containers.services)) {
            if (!svc.public || !svc.path || albPathProblem(svc.path) !== undefined) continue;
            s.edge.strangler.migratedPaths.forEach((p, i) => {
                // Both would claim the same requests: the container rule sits ahead of the strangler's, so the migration would silently lose them.
                if (albPathProblem(p) === undefined && overlap(p, svc.path!))
                    add(
                        `edge.strangler.migratedPaths[${i}]`,
                        p,
                        `overlaps containers.services.${name}.path ${svc.path}, which the ${name} service serves; migrate a pattern outside it`,
                    );
            });
        }
    }
    const replicaRegionCount = new Set(s.globalTable?.replicaRegions ?? []).size;
    if (profile === "dev" && replicaRegionCount > 1) {
        add("globalTable.replicaRegions", s.globalTable!.replicaRegions, `lists ${replicaRegionCount} regions: dev keeps at most one table replica`);
    }
    if (profile === "prod") {
        if (s.web && !s.web.certificateArn)
            add(
                "web.certificateArn",
                undefined,
                "is required in prod: the load balancer serves HTTPS only (plain HTTP is allowed in dev, and only without a certificate)",
            );
        if (s.network && s.network.azCount < 3) add("network.azCount", s.network.azCount, "is below 3: prod spans at least 3 availability zones");
        if (s.database && !s.database.multiAz) add("database.multiAz", false, "must be true in prod (Multi-AZ data stores)");
        if (s.database && s.database.backupRetentionDays < 7)
            add("database.backupRetentionDays", s.database.backupRetentionDays, "is below 7: prod keeps backups at least 7 days");
        if (s.cache && !s.cache.multiAz) add("cache.multiAz", false, "must be true in prod (Multi-AZ data stores)");
        if (s.cache && s.cache.snapshotRetentionDays < 1)
            add("cache.snapshotRetentionDays", s.cache.snapshotRetentionDays, "is below 1: prod keeps daily cache snapshots");
        if (s.database && !s.database.performanceInsights) add("database.performanceInsights", false, "must be true in prod");
        if (s.database && s.database.monitoringIntervalSeconds === 0)
            add("database.monitoringIntervalSeconds", 0, "must be above 0 in prod: enhanced monitoring is on");
        if (s.globalTable && s.globalTable.replicaRegions.length === 0)
            add("globalTable.replicaRegions", [], "is empty: prod replicates the table to at least one other region");
        if (s.protection) {
            for (const [k, v] of Object.entries(s.protection)) {
                if (!v) add(`protection.${k}`, v, "must be true in prod: stateful resources are protected");
            }
        }
        if (s.api && s.api.mfa !== "ON") add("api.mfa", s.api.mfa, 'must be "ON" in prod');
        if (s.api && s.api.threatProtection === "OFF") add("api.threatProtection", "OFF", "must be AUDIT or ENFORCED in prod");
        if (s.edge && !s.edge.waf) add("edge.waf", false, "must be true in prod: CloudFront is protected by a WAF web ACL");
        if (s.edge && !s.edge.certificateArn)
            add(
                "edge.certificateArn",
                undefined,
                "is required in prod: viewers get TLS 1.2 or later only with a custom certificate (the *.cloudfront.net one allows TLSv1)",
            );
        if (s.analytics && !s.analytics.lake.accessLogging)
            add("analytics.lake.accessLogging", false, "must be true in prod: every data lake request is logged");
        if (s.containers) {
            if (s.containers.execEnabled) add("containers.execEnabled", true, "must be false in prod: no shell into running tasks");
            for (const [name, svc] of Object.entries(s.containers.services)) {
                if (svc.minTasks < 2)
                    add(`containers.services.${name}.minTasks`, svc.minTasks, "is below 2: prod runs every service in at least 2 tasks, spread across AZs");
            }
        }
        if (s.events?.saga.includeExecutionData)
            add("events.saga.includeExecutionData", true, "must be false in prod: the saga's states carry customers' addresses, which its logs must not keep");
    }
    return problems;
}
