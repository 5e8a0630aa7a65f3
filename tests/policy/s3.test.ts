import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { expectViolations, policyDoc, resource } from "../helpers/policy";

const bucket = (name: string, inputs: Record<string, unknown> = {}, protect = false) =>
    resource("aws:s3/bucket:Bucket", name, inputs, {
        id: name,
        outputs: { bucket: name, arn: `arn:aws:s3:::${name}`, bucketDomainName: `${name}.s3.amazonaws.com` },
        options: { protect } as any,
    });
const on = (b: PlannedResource, type: string, suffix: string, inputs: Record<string, unknown>) =>
    resource(type, `${b.name}-${suffix}`, { bucket: b.id, ...inputs });
const TLS_ONLY = (b: PlannedResource) =>
    policyDoc({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${b.name}`, `arn:aws:s3:::${b.name}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });

describe("S3 policies", () => {
    describe("s3-bucket-encrypted", () => {
        it("passes a bucket with a KMS encryption configuration and flags one without", async () => {
            const ok = bucket("ok");
            const enc = on(ok, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", {
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }],
            });
            const bad = bucket("bad");
            await expectViolations("s3-bucket-encrypted", [ok, enc, bad], [bad]);
        });
        it("relates a companion through its dependency when the bucket name is unknown at preview", async () => {
            const b = bucket("b");
            const enc = resource(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "sse",
                { bucket: "[unknown]", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                { propertyDependencies: { bucket: [b.urn] } },
            );
            await expectViolations("s3-bucket-encrypted", [b, enc], []);
        });
    });

    describe("s3-bucket-public-access-blocked", () => {
        it("passes a full block and flags a partial or missing one", async () => {
            const ok = bucket("ok");
            const full = on(ok, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            const partial = bucket("partial");
            const half = on(partial, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
                blockPublicAcls: true,
                blockPublicPolicy: false,
                ignorePublicAcls: true,
            });
            const none = bucket("none");
            const v = await expectViolations("s3-bucket-public-access-blocked", [ok, full, partial, half, none], [partial, none]);
            assert.match(v.find((x) => x.urn === partial.urn)!.message, /blockPublicPolicy, restrictPublicBuckets off/);
        });
    });

    describe("s3-no-public-acl", () => {
        it("passes private ACLs and flags public canned ACLs and AllUsers grants", async () => {
            const ok = resource("aws:s3/bucketAcl:BucketAcl", "ok", { bucket: "b", acl: "private" });
            const bad = resource("aws:s3/bucketAclV2:BucketAclV2", "bad", { bucket: "b", acl: "public-read" });
            const grant = resource("aws:s3/bucketAcl:BucketAcl", "grant", {
                bucket: "b",
                accessControlPolicy: {
                    owner: { id: "o" },
                    grants: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }],
                },
            });
            const object = resource("aws:s3/bucketObjectv2:BucketObjectv2", "obj", { bucket: "b", key: "k", acl: "public-read-write" });
            await expectViolations("s3-no-public-acl", [ok, bad, grant, object], [bad, grant, object]);
        });
    });

    describe("s3-bucket-owner-enforced", () => {
        it("passes BucketOwnerEnforced and notes ACLs left on", async () => {
            const ok = resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ok", {
                bucket: "b",
                rule: { objectOwnership: "BucketOwnerEnforced" },
            });
            const bad = resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bad", { bucket: "b", rule: { objectOwnership: "ObjectWriter" } });
            await expectViolations("s3-bucket-owner-enforced", [ok, bad], [bad]);
        });
    });

    describe("s3-bucket-denies-insecure-transport", () => {
        it("passes a bucket whose policy denies non-TLS requests and flags one whose policy doesn't", async () => {
            const ok = bucket("ok");
            const okPolicy = on(ok, "aws:s3/bucketPolicy:BucketPolicy", "policy", { policy: TLS_ONLY(ok) });
            const bad = bucket("bad");
            const badPolicy = on(bad, "aws:s3/bucketPolicy:BucketPolicy", "policy", {
                policy: policyDoc({
                    Effect: "Allow",
                    Principal: { Service: "delivery.logs.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: "arn:aws:s3:::bad/*",
                }),
            });
            await expectViolations("s3-bucket-denies-insecure-transport", [ok, okPolicy, bad, badPolicy], [bad]);
        });
    });

    describe("s3-bucket-versioning-prod", () => {
        it("flags an unversioned bucket in prod only", async () => {
            const ok = bucket("ok");
            const versioning = on(ok, "aws:s3/bucketVersioning:BucketVersioning", "versioning", { versioningConfiguration: { status: "Enabled" } });
            const bad = bucket("bad");
            const suspended = on(bad, "aws:s3/bucketVersioning:BucketVersioning", "versioning", { versioningConfiguration: { status: "Suspended" } });
            await expectViolations("s3-bucket-versioning-prod", [ok, versioning, bad, suspended], [bad], { environment: "prod" });
            await expectViolations("s3-bucket-versioning-prod", [ok, versioning, bad, suspended], [], { environment: "dev" });
        });
    });

    describe("s3-bucket-lifecycle", () => {
        it("passes a bucket with an enabled rule and flags one without", async () => {
            const ok = bucket("ok");
            const rules = on(ok, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle", {
                rules: [{ id: "expire", status: "Enabled", expiration: { days: 30 } }],
            });
            const bad = bucket("bad");
            const disabled = on(bad, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle", {
                rules: [{ id: "expire", status: "Disabled" }],
            });
            await expectViolations("s3-bucket-lifecycle", [ok, rules, bad, disabled], [bad]);
        });
    });

    describe("s3-bucket-access-logging-prod", () => {
        it("in prod, passes a logged bucket and the log buckets themselves, and flags an unlogged one", async () => {
            const logs = bucket("logs");
            const data = bucket("data");
            const logging = on(data, "aws:s3/bucketLogging:BucketLogging", "logging", { targetBucket: logs.id, targetPrefix: "data/" });
            const albLogs = bucket("alb-logs");
            const alb = resource("aws:lb/loadBalancer:LoadBalancer", "alb", { accessLogs: { bucket: albLogs.id, enabled: true } });
            const cdnLogs = bucket("cdn-logs");
            const destination = resource("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "cdn-dest", {
                outputFormat: "parquet",
                deliveryDestinationConfiguration: { destinationResourceArn: cdnLogs.outputs.arn },
            });
            const unlogged = bucket("unlogged");
            await expectViolations("s3-bucket-access-logging-prod", [logs, data, logging, albLogs, alb, cdnLogs, destination, unlogged], [unlogged], {
                environment: "prod",
            });
            await expectViolations("s3-bucket-access-logging-prod", [logs, data, logging, albLogs, alb, unlogged], [], { environment: "dev" });
        });
    });

    describe("log-bucket-policy-admits-delivery-path", () => {
        const ACCOUNT = "123456789012";
        const logWriterPolicy = (b: PlannedResource, principal: Record<string, unknown>, path: string) =>
            on(b, "aws:s3/bucketPolicy:BucketPolicy", "policy", {
                policy: policyDoc({ Sid: "Writes", Effect: "Allow", Principal: principal, Action: "s3:PutObject", Resource: `arn:aws:s3:::${b.name}/${path}` }),
            });
        const cloudFrontLogs = (b: PlannedResource, hive: boolean) => {
            const source = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "source", {
                name: "cdn-logs",
                logType: "ACCESS_LOGS",
                resourceArn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E1`,
            });
            const destination = resource(
                "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
                "destination",
                { deliveryDestinationConfiguration: { destinationResourceArn: b.outputs.arn } },
                { outputs: { arn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-destination:d` } },
            );
            const delivery = resource("aws:cloudwatch/logDelivery:LogDelivery", "delivery", {
                deliverySourceName: "cdn-logs",
                deliveryDestinationArn: destination.outputs.arn,
                s3DeliveryConfigurations: [{ enableHiveCompatiblePath: hive, suffixPath: "{DistributionId}" }],
            });
            return [source, destination, delivery];
        };
        const deliveryLogs = { Service: "delivery.logs.amazonaws.com" };
        it("passes a policy admitting the path CloudFront's delivery writes to, Hive-compatible or not", async () => {
            const b = bucket("cdn-logs");
            await expectViolations(
                "log-bucket-policy-admits-delivery-path",
                [b, logWriterPolicy(b, deliveryLogs, `AWSLogs/aws-account-id=${ACCOUNT}/*`), ...cloudFrontLogs(b, true)],
                [],
            );
            const c = bucket("cdn-logs");
            await expectViolations(
                "log-bucket-policy-admits-delivery-path",
                [c, logWriterPolicy(c, deliveryLogs, `AWSLogs/${ACCOUNT}/*`), ...cloudFrontLogs(c, false)],
                [],
            );
        });
        it("flags a Hive-path delivery whose bucket admits only AWSLogs/<account>/, and a writer that isn't the log service", async () => {
            const b = bucket("cdn-logs");
            const parts = cloudFrontLogs(b, true);
            const v = await expectViolations(
                "log-bucket-policy-admits-delivery-path",
                [b, logWriterPolicy(b, deliveryLogs, `AWSLogs/${ACCOUNT}/*`), ...parts],
                [parts[2]],
            );
            assert.match(v[0].message, /AWSLogs\/aws-account-id=123456789012\/CloudFront\//);
            const c = bucket("cdn-logs");
            const other = cloudFrontLogs(c, true);
            await expectViolations(
                "log-bucket-policy-admits-delivery-path",
                [c, logWriterPolicy(c, { Service: "logging.s3.amazonaws.com" }, `AWSLogs/aws-account-id=${ACCOUNT}/*`), ...other],
                [other[2]],
            );
        });
        it("checks a load balancer's access logs against its prefix", async () => {
            const b = bucket("alb-logs");
            const alb = (prefix: string) =>
                resource(
                    "aws:lb/loadBalancer:LoadBalancer",
                    "alb",
                    { accessLogs: { bucket: "alb-logs", prefix, enabled: true } },
                    { outputs: { arn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/alb/1` } },
                );
            const elb = { Service: "logdelivery.elasticloadbalancing.amazonaws.com" };
            await expectViolations("log-bucket-policy-admits-delivery-path", [b, logWriterPolicy(b, elb, `alb/AWSLogs/${ACCOUNT}/*`), alb("alb")], []);
            const wrong = alb("access");
            await expectViolations("log-bucket-policy-admits-delivery-path", [b, logWriterPolicy(b, elb, `alb/AWSLogs/${ACCOUNT}/*`), wrong], [wrong]);
        });
    });
});
