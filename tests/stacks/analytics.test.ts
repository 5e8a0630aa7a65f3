import { createHash } from "crypto";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { allOf, allows, grantsOf, named } from "../helpers/analytics";
import { doc, planOf, PROJECT_DIR, type PlanWithPolicy } from "../helpers/plan";
import type { PlannedResource } from "../../tools/engine";

const expectations = {
    dev: { streamMode: "ON_DEMAND", shards: undefined, retention: 24, emr: "serverless", protect: false, accessLogging: false, logRetention: 14 },
    prod: { streamMode: "PROVISIONED", shards: 7, retention: 168, emr: "cluster", protect: true, accessLogging: true, logRetention: 365 },
};

/** The resources a SecureBucket bucket comes with, by its own inputs' bucket reference. */
function companions(plan: PlanWithPolicy, bucket: PlannedResource, type: string): PlannedResource[] {
    return allOf(plan, type).filter((r) => r.inputs.bucket === bucket.id);
}

const ANALYTICS = "platform:analytics:";
const inAnalytics = (plan: PlanWithPolicy, r: PlannedResource): boolean => {
    // Walk up the parents: a resource belongs to the pipeline when some ancestor is an analytics component.
    for (let urn = r.parent; urn; urn = plan.resources.find((x) => x.urn === urn)?.parent)
        if (urn.includes(`::${ANALYTICS}`) || urn.includes(`$${ANALYTICS}`)) return true;
    return false;
};

for (const [stack, want] of Object.entries(expectations)) {
    describe(`${stack} analytics pipeline`, () => {
        const plan = () => planOf(stack);

        it(`streams ${want.streamMode}${want.shards ? ` with ${want.shards} shards` : ""}, KMS-encrypted, kept ${want.retention} hours`, () => {
            const [stream] = allOf(plan(), "aws:kinesis/stream:Stream");
            assert.deepEqual(stream.inputs.streamModeDetails, { streamMode: want.streamMode });
            assert.equal(stream.inputs.shardCount, want.shards);
            assert.equal(stream.inputs.retentionPeriod, want.retention);
            assert.equal(stream.inputs.encryptionType, "KMS");
            assert.equal(stream.inputs.kmsKeyId, (plan().outputs as any).kmsKeyArn);
            assert.equal(stream.options.protect, want.protect);
            assert.equal((stream.inputs.shardLevelMetrics as string[]).length > 0, stack === "prod");
            assert.equal((plan().outputs as any).analyticsStreamName, stream.outputs.name);
        });

        it("alarms on iterator age and write throttling to the encrypted alarm topic, whose key admits CloudWatch", () => {
            const topicArn = (plan().outputs as any).alarmTopicArn;
            const alarms = allOf(plan(), "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.namespace === "AWS/Kinesis");
            assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), ["GetRecords.IteratorAgeMilliseconds", "WriteProvisionedThroughputExceeded"]);
            for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, [topicArn]);
            const topic = allOf(plan(), "aws:sns/topic:Topic").find((t) => t.outputs.arn === topicArn)!;
            assert.equal(topic.inputs.kmsMasterKeyId, (plan().outputs as any).kmsKeyArn);
            const topicPolicy = doc(allOf(plan(), "aws:sns/topicPolicy:TopicPolicy").find((p) => p.inputs.arn === topicArn)!.inputs.policy).Statement;
            assert.ok(topicPolicy.some((s) => s.Principal?.Service === "cloudwatch.amazonaws.com" && s.Action === "sns:Publish"));
            const keyPolicy = doc(allOf(plan(), "aws:kms/key:Key")[0].inputs.policy).Statement;
            const cloudwatch = keyPolicy.find((s) => [s.Principal?.Service].flat().includes("cloudwatch.amazonaws.com"));
            assert.ok(cloudwatch, "the key policy lets CloudWatch use the key");
            assert.ok(
                [cloudwatch.Action].flat().includes("kms:Decrypt") && [cloudwatch.Action].flat().some((a: string) => a.startsWith("kms:GenerateDataKey")),
            );
        });

        it(`runs Spark on EMR ${want.emr}`, () => {
            const apps = allOf(plan(), "aws:emrserverless/application:Application");
            const clusters = allOf(plan(), "aws:emr/cluster:Cluster");
            assert.equal(apps.length, want.emr === "serverless" ? 1 : 0);
            assert.equal(clusters.length, want.emr === "cluster" ? 1 : 0);
            const outputs = plan().outputs as any;
            assert.equal(outputs.emrMode, want.emr);
            assert.equal(outputs.emrId, (want.emr === "serverless" ? apps : clusters)[0].id);
            const subnets =
                want.emr === "serverless" ? (apps[0].inputs.networkConfiguration as any).subnetIds : (clusters[0].inputs.ec2Attributes as any).subnetIds;
            assert.deepEqual(subnets, outputs.privateSubnetIds, "in the private subnets");
            // EMR Serverless encrypts the application's S3 logs with the platform key: the service and the job's role both use it.
            const keyPolicy = doc(allOf(plan(), "aws:kms/key:Key")[0].inputs.policy).Statement;
            const admitsService = keyPolicy.some(
                (x) => [x.Principal?.Service].flat().includes("emr-serverless.amazonaws.com") && [x.Action].flat().includes("kms:Decrypt"),
            );
            assert.equal(admitsService, want.emr === "serverless");
            if (want.emr === "serverless") {
                const job = grantsOf(plan(), named(plan(), "aws:iam/role:Role", "spark-job-role"));
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"])
                    assert.ok(
                        job.some((x) => x.Sid === "EncryptJobLogs" && [x.Action].flat().includes(action) && !x.Condition),
                        action,
                    );
            }
        });

        it("keeps every bucket private and encrypted, and every lake bucket versioned", () => {
            const keyArn = (plan().outputs as any).kmsKeyArn;
            const buckets = allOf(plan(), "aws:s3/bucket:Bucket");
            assert.ok(buckets.length >= 4);
            for (const b of buckets) {
                const [pab] = companions(plan(), b, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
                assert.ok(pab, `${b.name} has no public access block`);
                for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
                    assert.equal(pab.inputs[k], true, `${b.name}.${k}`);
                const [ownership] = companions(plan(), b, "aws:s3/bucketOwnershipControls:BucketOwnershipControls");
                assert.equal((ownership?.inputs.rule as any)?.objectOwnership, "BucketOwnerEnforced", `${b.name} keeps ACLs`);
                const [sse] = companions(plan(), b, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
                const rule = (sse?.inputs.rules as any[])?.[0]?.applyServerSideEncryptionByDefault;
                assert.ok(rule && ["aws:kms", "AES256"].includes(rule.sseAlgorithm), `${b.name} is not encrypted`);
                const [policy] = companions(plan(), b, "aws:s3/bucketPolicy:BucketPolicy");
                const deny = doc(policy.inputs.policy).Statement.find((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === false);
                assert.ok(deny, `${b.name} admits plain HTTP`);
                if (!inAnalytics(plan(), b)) continue;
                const logBucket = b.name.endsWith("access-logs");
                // S3 server access logs can be delivered only to a bucket using SSE-S3.
                assert.deepEqual(rule, logBucket ? { sseAlgorithm: "AES256" } : { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, b.name);
                const [versioning] = companions(plan(), b, "aws:s3/bucketVersioning:BucketVersioning");
                assert.equal((versioning?.inputs.versioningConfiguration as any)?.status, "Enabled", `${b.name} is not versioned`);
                assert.equal(b.options.protect, want.protect, b.name);
                assert.equal(b.inputs.forceDestroy, !want.protect, b.name);
            }
        });

        it(`${want.accessLogging ? "logs" : "does not log"} lake access, into an SSE-S3 log bucket that only S3 log delivery writes`, () => {
            const logging = allOf(plan(), "aws:s3/bucketLogging:BucketLogging").filter((l) => inAnalytics(plan(), l));
            const buckets = (plan().outputs as any).lakeBuckets;
            if (!want.accessLogging) {
                assert.equal(logging.length, 0);
                assert.equal(buckets.accessLogs, undefined);
                return;
            }
            assert.deepEqual(logging.map((l) => l.inputs.bucket).sort(), [buckets.raw, buckets.curated, buckets.assets, buckets.work].sort());
            for (const l of logging) assert.equal(l.inputs.targetBucket, buckets.accessLogs);
            const logBucket = allOf(plan(), "aws:s3/bucket:Bucket").find((b) => b.id === buckets.accessLogs)!;
            const grant = doc(companions(plan(), logBucket, "aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy).Statement.find(
                (s) => s.Principal?.Service === "logging.s3.amazonaws.com",
            );
            assert.equal(grant.Action, "s3:PutObject");
            assert.deepEqual(
                [...grant.Condition.ArnLike["aws:SourceArn"]].sort(),
                [buckets.raw, buckets.curated, buckets.assets, buckets.work].map((n: string) => `arn:aws:s3:::${n}`).sort(),
            );
        });

        it("delivers with Firehose, converting to Parquet with the Glue table it names", () => {
            const [firehose] = allOf(plan(), "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
            const schema = (firehose.inputs.extendedS3Configuration as any).dataFormatConversionConfiguration.schemaConfiguration;
            const table = allOf(plan(), "aws:glue/catalogTable:CatalogTable").find((t) => t.inputs.name === schema.tableName);
            assert.ok(table, `no Glue table ${schema.tableName}`);
            assert.equal(table.inputs.databaseName, schema.databaseName);
            assert.equal(schema.databaseName, (plan().outputs as any).glueDatabase);
            assert.equal((table.inputs.storageDescriptor as any).location, `s3://${(plan().outputs as any).lakeBuckets.raw}/events/`);
            assert.ok((firehose.inputs.extendedS3Configuration as any).bufferingSize >= 64);
            for (const r of [table, allOf(plan(), "aws:glue/catalogDatabase:CatalogDatabase")[0]]) assert.equal(r.options.protect, want.protect);
        });

        it("runs the Glue ETL job (Glue 4.0+, bookmarks, encrypted) from the uploaded script on a schedule, then the crawler", () => {
            const [job] = allOf(plan(), "aws:glue/job:Job");
            assert.ok(Number(job.inputs.glueVersion) >= 4);
            const a = job.inputs.defaultArguments as Record<string, string>;
            assert.equal(a["--job-bookmark-option"], "job-bookmark-enable");
            const [security] = allOf(plan(), "aws:glue/securityConfiguration:SecurityConfiguration");
            assert.equal(job.inputs.securityConfiguration, security.inputs.name);
            const e = security.inputs.encryptionConfiguration as any;
            assert.deepEqual(
                [e.s3Encryption.s3EncryptionMode, e.cloudwatchEncryption.cloudwatchEncryptionMode, e.jobBookmarksEncryption.jobBookmarksEncryptionMode],
                ["SSE-KMS", "SSE-KMS", "CSE-KMS"],
            );
            const script = allOf(plan(), "aws:s3/bucketObjectv2:BucketObjectv2").find((o) => o.inputs.key === "pipelines/analytics/events_etl.py")!;
            assert.equal((script.inputs.source as any).asset, "pipelines/analytics/events_etl.py");
            // Content-addressed, as Pulumi diffs assets: an edit to the script is an update of the object.
            assert.equal(
                (script.inputs.source as any).hash,
                createHash("sha256")
                    .update(fs.readFileSync(path.join(PROJECT_DIR, "pipelines", "analytics", "events_etl.py")))
                    .digest("hex"),
            );
            assert.equal((job.inputs.command as any).scriptLocation, `s3://${script.inputs.bucket}/${script.inputs.key}`);
            const triggers = allOf(plan(), "aws:glue/trigger:Trigger");
            const scheduled = triggers.find((t) => t.inputs.type === "SCHEDULED")!;
            assert.match(scheduled.inputs.schedule as string, /^cron\(/);
            assert.deepEqual(scheduled.inputs.actions, [{ jobName: job.outputs.name }]);
            const [crawler] = allOf(plan(), "aws:glue/crawler:Crawler");
            const after = triggers.find((t) => t.inputs.type === "CONDITIONAL")!;
            assert.deepEqual((after.inputs.predicate as any).conditions, [{ jobName: job.outputs.name, state: "SUCCEEDED", logicalOperator: "EQUALS" }]);
            assert.deepEqual(after.inputs.actions, [{ crawlerName: crawler.outputs.name }]);
            assert.ok(triggers.every((t) => t.inputs.startOnCreation === true));
            assert.deepEqual(crawler.inputs.schemaChangePolicy, { updateBehavior: "LOG", deleteBehavior: "LOG" }, "CRAWL_NEW_FOLDERS_ONLY requires LOG");
            assert.equal(crawler.inputs.securityConfiguration, security.inputs.name);
        });

        it("pre-creates every log group the pipeline writes, with retention and the key", () => {
            const groups = allOf(plan(), "aws:cloudwatch/logGroup:LogGroup").filter((g) => inAnalytics(plan(), g));
            const secName = allOf(plan(), "aws:glue/securityConfiguration:SecurityConfiguration")[0].inputs.name;
            const etlRole = named(plan(), "aws:iam/role:Role", "catalog-etl-role").outputs.name;
            const names = groups.map((g) => g.inputs.name);
            for (const expected of [
                `/aws-glue/jobs/${secName}-role/${etlRole}/output`,
                `/aws-glue/jobs/${secName}-role/${etlRole}/error`,
                `/aws-glue/jobs/logs-v2-${secName}`,
            ]) {
                assert.ok(names.includes(expected), `missing ${expected} among ${names.join(", ")}`);
            }
            for (const g of groups) {
                assert.ok(g.inputs.retentionInDays, `${g.inputs.name} keeps logs forever`);
                assert.equal(g.inputs.kmsKeyId, (plan().outputs as any).kmsKeyArn);
            }
            const delivery = groups.find((g) => (g.inputs.name as string).startsWith("/aws/kinesisfirehose/"))!;
            assert.equal(delivery.inputs.retentionInDays, want.logRetention);
        });

        it("passes no policy violation from the pipeline's own resources", () => {
            const ours = new Set(
                plan()
                    .resources.filter((r) => r.type.startsWith("platform:analytics:") || inAnalytics(plan(), r))
                    .map((r) => r.urn),
            );
            // The log bucket is exempt from logging its own access (it would log into a loop).
            const violations = plan().policy.violations.filter(
                (v) => v.urn && ours.has(v.urn) && !(v.policy === "s3-bucket-access-logging-prod" && v.urn.endsWith("analytics-lake-access-logs")),
            );
            assert.deepEqual(violations, []);
        });

        it("lets the web fleet publish to the stream", () => {
            const [stream] = allOf(plan(), "aws:kinesis/stream:Stream");
            const webRole = allOf(plan(), "aws:iam/role:Role").find((r) => trustsEc2(r) && !inAnalytics(plan(), r));
            assert.ok(webRole, "no web instance role");
            assert.ok(allows(grantsOf(plan(), webRole), "kinesis:PutRecords", stream.outputs.arn as string));
        });
    });
}

const trustsEc2 = (r: PlannedResource) => doc(r.inputs.assumeRolePolicy).Statement.some((s) => s.Principal?.Service === "ec2.amazonaws.com");

describe("analytics job scripts", () => {
    const script = (name: string) => fs.readFileSync(path.join(PROJECT_DIR, "pipelines", "analytics", name), "utf8");

    it("the ETL script reads exactly the arguments the Glue job passes", () => {
        const job = allOf(planOf("dev"), "aws:glue/job:Job")[0];
        const resolved = /getResolvedOptions\(sys\.argv, \[([^\]]*)\]\)/.exec(script("events_etl.py"));
        assert.ok(resolved, "getResolvedOptions call not found");
        const wanted = resolved[1]
            .split(",")
            .map((s) => s.trim().replace(/"/g, ""))
            .filter((s) => s !== "JOB_NAME");
        const given = Object.keys(job.inputs.defaultArguments as object).map((k) => k.slice(2));
        for (const arg of wanted) assert.ok(given.includes(arg), `the job does not pass --${arg}`);
        assert.match(script("events_etl.py"), /transformation_ctx="raw_events"/, "bookmarks need a transformation_ctx on the source");
        assert.match(script("events_etl.py"), /job\.commit\(\)/, "bookmarks advance only on commit");
    });

    it("the Spark script accepts exactly the flags both schedules pass", () => {
        const flags = [...script("daily_aggregates.py").matchAll(/add_argument\("(--[\w-]+)"/g)].map((m) => m[1]).sort();
        for (const stack of ["dev", "prod"]) {
            const input = JSON.parse((allOf(planOf(stack), "aws:scheduler/schedule:Schedule")[0].inputs.target as any).input);
            const args: string[] =
                input.JobDriver?.SparkSubmit.EntryPointArguments ??
                input.Steps[0].HadoopJarStep.Args.slice(input.Steps[0].HadoopJarStep.Args.findIndex((a: string) => a.endsWith(".py")) + 1);
            assert.deepEqual(args.filter((a) => a.startsWith("--")).sort(), flags, stack);
        }
    });

    it("both scripts are valid Python", () => {
        const python = spawnSync("python3", ["--version"]);
        assert.equal(python.status, 0, "python3 is needed to check the Glue and Spark scripts parse (apt-get install python3)");
        for (const name of ["events_etl.py", "daily_aggregates.py"]) {
            const r = spawnSync(
                "python3",
                ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", path.join(PROJECT_DIR, "pipelines", "analytics", name)],
                { encoding: "utf8" },
            );
            assert.equal(r.status, 0, r.stderr);
        }
    });

    it("the prod stack names the EMR TLS certificate zip it needs", () => {
        const settings = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")).config["platform:analytics"];
        const uri = settings.emr.cluster.tlsCertificatesS3Uri;
        const security = JSON.parse(allOf(planOf("prod"), "aws:emr/securityConfiguration:SecurityConfiguration")[0].inputs.configuration as string);
        assert.equal(security.EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration.S3Object, uri);
    });
});
