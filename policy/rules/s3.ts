/** S3 rules: encryption, public access, TLS-only bucket policies, versioning, lifecycle, access logs and the log delivery paths a bucket admits. */
import * as aws from "@pulumi/aws";
import { type PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph, TYPES } from "../graph";
import {
    allowsAction,
    asList,
    at,
    coversResource,
    deniesInsecureTransport,
    isAllow,
    isProd,
    isUnknown,
    servicePrincipals,
    type Statement,
    statementsOf,
} from "../lib";
import { LOAD_BALANCERS, LOG_DELIVERY, LOG_DELIVERY_SOURCE } from "../shared";
import type { PlatformPolicy } from "../types";

/**
 * In @pulumi/aws 7 a bucket's encryption, versioning, public access block, policy, logging and
 * lifecycle are separate resources naming the bucket; the deprecated inline forms still count.
 */
const S3 = {
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
    logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
};

const ENCRYPTION_ALGORITHMS = ["aws:kms", "aws:kms:dsse", "AES256"];

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

const PUBLIC_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

/**
 * For each bucket, the companion resources of `types` that name it. Returns undefined for a
 * bucket when some companion's bucket is unknown at preview, so rules don't guess.
 */
function companions(g: StackGraph, types: string[]): Map<Node, Node[]> | undefined {
    const out = new Map<Node, Node[]>(g.ofType(...TYPES.buckets).map((b) => [b, []]));
    for (const c of g.ofType(...types)) {
        const target = g.resolve(c, "bucket", TYPES.buckets);
        if (isUnknown(target)) return undefined;
        for (const b of target) out.get(b)?.push(c);
    }
    return out;
}

type BucketCheck = (bucket: Node, companions: Node[], report: (m: string) => void) => void;

/** Runs a check on every bucket with the companions that name it. */
function eachBucket(g: StackGraph, types: string[], report: (m: string, urn?: string) => void, check: BucketCheck) {
    const found = companions(g, types);
    if (!found) return;
    for (const [bucket, cs] of found) check(bucket, cs, (m) => report(m, bucket.urn));
}

/** A stack rule over every bucket and the companions that name it. */
function perBucket(types: string[], check: BucketCheck) {
    return (args: { resources: PolicyResource[] }, report: (m: string, urn?: string) => void) =>
        eachBucket(new StackGraph(args.resources), types, report, check);
}

function sseAlgorithms(config: unknown): unknown[] {
    return asList(at(config, "rules") ?? at(config, "rule")).map((r) => at(r, "applyServerSideEncryptionByDefault.sseAlgorithm"));
}

const LOG_DELIVERY_DESTINATION = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination";

/** An ARN's service, region and account. */
const ARN_PARTS = /^arn:aws[a-z-]*:([^:]+):([^:]*):(\d{12}):/;

/** The folder a vended-log source's service writes under AWSLogs/<account>/ (CloudWatch Logs' V2 S3 object keys). */
const VENDED_LOG_FOLDER: Record<string, string> = { cloudfront: "CloudFront" };

/** A log writer's object key, and who writes it: the bucket policy must let that writer put it. */
interface LogWrite {
    at: Node;
    bucket: Node;
    key: string;
    writer: (s: Statement) => boolean;
}

/**
 * Where each log delivery in the stack writes. CloudWatch's V2 deliveries (CloudFront standard
 * logs) write AWSLogs/<account>/<Service>/..., or AWSLogs/aws-account-id=<account>/... with
 * Hive-compatible paths; load balancers write <prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/...
 */
function logWrites(g: StackGraph): LogWrite[] {
    const out: LogWrite[] = [];
    for (const d of g.ofType(LOG_DELIVERY)) {
        const [destination] = g.lookup(d.props.deliveryDestinationArn, [LOG_DELIVERY_DESTINATION]);
        if (!destination) continue;
        const bucket = g.resolve(destination, "deliveryDestinationConfiguration.destinationResourceArn", TYPES.buckets);
        const source = g.ofType(LOG_DELIVERY_SOURCE).find((s) => s.props.name !== undefined && s.props.name === d.props.deliverySourceName);
        const [, service, , account] = ARN_PARTS.exec(String(source?.props.resourceArn ?? "")) ?? [];
        if (isUnknown(bucket) || !account || !service) continue;
        const config = asList(d.props.s3DeliveryConfigurations)[0] ?? {};
        if (isUnknown(config) || isUnknown(at(config, "enableHiveCompatiblePath"))) continue;
        const accountPart = at(config, "enableHiveCompatiblePath") === true ? `aws-account-id=${account}` : account;
        const folder = VENDED_LOG_FOLDER[service] ?? service;
        for (const b of bucket) {
            if (typeof b.props.arn !== "string") continue;
            out.push({
                at: d,
                bucket: b,
                key: `${b.props.arn}/AWSLogs/${accountPart}/${folder}/sample.parquet`,
                writer: (s) => servicePrincipals(s).includes("delivery.logs.amazonaws.com"),
            });
        }
    }
    for (const lb of g.ofType(...LOAD_BALANCERS)) {
        const logs = lb.props.accessLogs;
        if (!logs || at(logs, "enabled") === false || isUnknown(at(logs, "prefix"))) continue;
        const bucket = g.resolve(lb, "accessLogs.bucket", TYPES.buckets);
        const [, , region, account] = ARN_PARTS.exec(String(lb.props.arn ?? "")) ?? [];
        if (isUnknown(bucket) || !account) continue;
        const prefix = at(logs, "prefix") ? `${at(logs, "prefix")}/` : "";
        for (const b of bucket) {
            if (typeof b.props.arn !== "string") continue;
            // ELB writes as its regional account (older regions) or as logdelivery.elasticloadbalancing.amazonaws.com.
            const writer = (s: Statement) =>
                servicePrincipals(s).includes("logdelivery.elasticloadbalancing.amazonaws.com") ||
                (typeof s.Principal === "object" && s.Principal !== null && "AWS" in s.Principal);
            out.push({ at: lb, bucket: b, key: `${b.props.arn}/${prefix}AWSLogs/${account}/elasticloadbalancing/${region}/sample.log.gz`, writer });
        }
    }
    return out;
}

export const s3Policies: PlatformPolicy[] = [
    {
        name: "s3-bucket-encrypted",
        description: "Every S3 bucket has default server-side encryption (SSE-KMS, DSSE-KMS or SSE-S3) configured explicitly.",
        enforcementLevel: "mandatory",
        covers: [...TYPES.buckets, ...S3.encryption],
        validateStack: perBucket(S3.encryption, (bucket, cs, report) => {
            const algorithms = [...sseAlgorithms(bucket.props.serverSideEncryptionConfiguration), ...cs.flatMap((c) => sseAlgorithms(c.props))];
            if (algorithms.some(isUnknown)) return;
            if (!algorithms.some((a) => ENCRYPTION_ALGORITHMS.includes(a as string)))
                report("has no server-side encryption configuration; add a BucketServerSideEncryptionConfiguration (aws:kms with the platform key)");
        }),
    },
    {
        name: "s3-bucket-public-access-blocked",
        description: "Every S3 bucket has a public access block with all four settings on.",
        enforcementLevel: "mandatory",
        covers: [...TYPES.buckets, ...S3.publicAccessBlock],
        validateStack: perBucket(S3.publicAccessBlock, (_bucket, cs, report) => {
            if (cs.length === 0) return report("has no public access block");
            const settings = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
            const off = settings.filter((s) => !cs.some((c) => c.props[s] === true || isUnknown(c.props[s])));
            if (off.length > 0) report(`has a public access block with ${off.join(", ")} off`);
        }),
    },
    {
        name: "s3-no-public-acl",
        description: "No bucket or object is granted to everyone through a canned ACL or an ACL grant.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.s3.Bucket, (p, _a, report) => {
                if (p.acl && PUBLIC_ACLS.includes(p.acl)) report(`has the public canned ACL ${p.acl}`);
                for (const grant of p.grants ?? [])
                    if (grant.uri && PUBLIC_GRANTEES.includes(grant.uri)) report(`grants ${grant.permissions.join(", ")} to ${grant.uri}`);
            }),
            ...[aws.s3.BucketAcl, aws.s3.BucketAclV2].map((cls) =>
                validateResourceOfType(cls as typeof aws.s3.BucketAcl, (p, _a, report) => {
                    if (p.acl && PUBLIC_ACLS.includes(p.acl)) report(`sets the public canned ACL ${p.acl}`);
                    for (const grant of p.accessControlPolicy?.grants ?? []) {
                        if (grant.grantee?.uri && PUBLIC_GRANTEES.includes(grant.grantee.uri)) report(`grants ${grant.permission} to ${grant.grantee.uri}`);
                    }
                }),
            ),
            validateResourceOfType(aws.s3.BucketObjectv2, (p, _a, report) => {
                if (p.acl && PUBLIC_ACLS.includes(p.acl)) report(`has the public canned ACL ${p.acl}`);
            }),
        ],
    },
    {
        name: "s3-bucket-owner-enforced",
        description: "Bucket ownership controls disable ACLs (BucketOwnerEnforced), so access is governed by policies alone.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.s3.BucketOwnershipControls, (p, _a, report) => {
            const ownership = p.rule?.objectOwnership;
            if (ownership !== "BucketOwnerEnforced")
                report(`keeps ACLs enabled (objectOwnership ${ownership}); use BucketOwnerEnforced unless a log delivery needs ACLs`);
        }),
    },
    {
        name: "s3-bucket-denies-insecure-transport",
        description: "Every S3 bucket's policy denies requests not made over TLS (aws:SecureTransport false).",
        enforcementLevel: "mandatory",
        covers: [...TYPES.buckets, ...S3.policy],
        validateStack: perBucket(S3.policy, (bucket, cs, report) => {
            const docs = [bucket.props.policy, ...cs.map((c) => c.props.policy)];
            if (docs.some(isUnknown)) return;
            if (!docs.some((d) => statementsOf(d).some(deniesInsecureTransport)))
                report("has no bucket policy statement denying aws:SecureTransport false; requests over plain HTTP are accepted");
        }),
    },
    {
        name: "s3-bucket-versioning-prod",
        description: "In prod, every S3 bucket has versioning enabled, so an overwrite or delete can be undone.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        covers: [...TYPES.buckets, ...S3.versioning],
        validateStack: (args, report) => {
            if (!isProd(args)) return;
            eachBucket(new StackGraph(args.resources), S3.versioning, report, (bucket, cs, r) => {
                const statuses = [
                    at(bucket.props.versioning, "enabled") === true ? "Enabled" : undefined,
                    ...cs.map((c) => at(c.props.versioningConfiguration, "status")),
                ];
                if (statuses.some(isUnknown)) return;
                if (!statuses.includes("Enabled")) r("has versioning off in prod");
            });
        },
    },
    {
        name: "s3-bucket-lifecycle",
        description: "Every S3 bucket has an enabled lifecycle rule, so old objects and versions expire or move to cheaper storage.",
        enforcementLevel: "advisory",
        covers: [...TYPES.buckets, ...S3.lifecycle],
        validateStack: perBucket(S3.lifecycle, (bucket, cs, report) => {
            const inline = asList(bucket.props.lifecycleRules).some((r) => at(r, "enabled") === true);
            const separate = cs.some((c) => asList(c.props.rules).some((r) => isUnknown(r) || at(r, "status") === "Enabled" || isUnknown(at(r, "status"))));
            if (!inline && !separate) report("has no enabled lifecycle rule; objects are kept forever");
        }),
    },
    {
        name: "log-bucket-policy-admits-delivery-path",
        description:
            "A bucket receiving CloudFront standard logs or load balancer access logs has a policy letting the log writer put objects under exactly the path it writes to, given the delivery's settings (Hive-compatible paths, prefix); otherwise every write is denied.",
        enforcementLevel: "mandatory",
        covers: [LOG_DELIVERY, LOG_DELIVERY_DESTINATION, ...LOAD_BALANCERS, ...S3.policy],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const policies = companions(g, S3.policy);
            if (!policies) return;
            for (const w of logWrites(g)) {
                const docs = (policies.get(w.bucket) ?? []).map((p) => p.props.policy);
                if (docs.some(isUnknown)) continue;
                const admitted = docs.some((d) =>
                    statementsOf(d).some((s) => isAllow(s) && w.writer(s) && allowsAction(s, "s3:PutObject") && coversResource(s, w.key)),
                );
                if (!admitted)
                    report(
                        `writes logs to ${w.bucket.name} at ${w.key.replace(/^arn:aws[a-z-]*:s3:::/, "")}, which the bucket policy doesn't let the log writer put; every delivery is denied`,
                        w.at.urn,
                    );
            }
        },
    },
    {
        name: "s3-bucket-access-logging-prod",
        description: "In prod, S3 buckets log server access to a log bucket (log buckets themselves are exempt).",
        enforcementLevel: "advisory",
        environmentAware: true,
        covers: [...TYPES.buckets, ...S3.logging, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"],
        validateStack: (args, report) => {
            if (!isProd(args)) return;
            const g = new StackGraph(args.resources);
            const logging = g.ofType(...S3.logging);
            // A bucket that receives logs (S3 server access, ALB, CloudFront) would log into a loop.
            const targets = new Set<Node>();
            for (const l of logging) {
                const t = g.resolve(l, "targetBucket", TYPES.buckets);
                if (isUnknown(t)) return;
                t.forEach((b) => targets.add(b));
            }
            for (const lb of g.ofType("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")) {
                const t = g.resolve(lb, "accessLogs.bucket", TYPES.buckets);
                if (!isUnknown(t)) t.forEach((b) => targets.add(b));
            }
            // CloudWatch log delivery (CloudFront standard logs v2) into a bucket.
            for (const dest of g.ofType("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")) {
                const t = g.resolve(dest, "deliveryDestinationConfiguration.destinationResourceArn", TYPES.buckets);
                if (!isUnknown(t)) t.forEach((b) => targets.add(b));
            }
            for (const cf of g.ofType("aws:cloudfront/distribution:Distribution")) {
                const bucket = at(cf.props.loggingConfig, "bucket");
                if (typeof bucket === "string")
                    g.ofType(...TYPES.buckets)
                        .filter((b) => b.props.bucketDomainName === bucket)
                        .forEach((b) => targets.add(b));
            }
            eachBucket(g, S3.logging, report, (bucket, cs, r) => {
                if (targets.has(bucket) || at(bucket.props.logging, "targetBucket")) return;
                if (cs.length === 0) r("logs no server access in prod");
            });
        },
    },
];
