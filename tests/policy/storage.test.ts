import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { expectViolations, policyDoc, resource } from "../helpers/policy";

const bucket = (name: string, inputs: Record<string, unknown> = {}, protect = false) =>
    resource("aws:s3/bucket:Bucket", name, inputs, { id: name, outputs: { bucket: name, arn: `arn:aws:s3:::${name}`, bucketDomainName: `${name}.s3.amazonaws.com` }, options: { protect } as any });
const on = (b: PlannedResource, type: string, suffix: string, inputs: Record<string, unknown>) => resource(type, `${b.name}-${suffix}`, { bucket: b.id, ...inputs });

const TLS_ONLY = (b: PlannedResource) =>
    policyDoc({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${b.name}`, `arn:aws:s3:::${b.name}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } });

describe("S3 policies", () => {
    describe("s3-bucket-encrypted", () => {
        it("passes a bucket with a KMS encryption configuration and flags one without", async () => {
            const ok = bucket("ok");
            const enc = on(ok, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }] });
            const bad = bucket("bad");
            await expectViolations("s3-bucket-encrypted", [ok, enc, bad], [bad]);
        });
        it("relates a companion through its dependency when the bucket name is unknown at preview", async () => {
            const b = bucket("b");
            const enc = resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { bucket: "[unknown]", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, { propertyDependencies: { bucket: [b.urn] } });
            await expectViolations("s3-bucket-encrypted", [b, enc], []);
        });
    });

    describe("s3-bucket-public-access-blocked", () => {
        it("passes a full block and flags a partial or missing one", async () => {
            const ok = bucket("ok");
            const full = on(ok, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            const partial = bucket("partial");
            const half = on(partial, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true });
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
                accessControlPolicy: { owner: { id: "o" }, grants: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }] },
            });
            const object = resource("aws:s3/bucketObjectv2:BucketObjectv2", "obj", { bucket: "b", key: "k", acl: "public-read-write" });
            await expectViolations("s3-no-public-acl", [ok, bad, grant, object], [bad, grant, object]);
        });
    });

    describe("s3-bucket-owner-enforced", () => {
        it("passes BucketOwnerEnforced and notes ACLs left on", async () => {
            const ok = resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ok", { bucket: "b", rule: { objectOwnership: "BucketOwnerEnforced" } });
            const bad = resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bad", { bucket: "b", rule: { objectOwnership: "ObjectWriter" } });
            await expectViolations("s3-bucket-owner-enforced", [ok, bad], [bad]);
        });
    });

    describe("s3-bucket-denies-insecure-transport", () => {
        it("passes a bucket whose policy denies non-TLS requests and flags one whose policy doesn't", async () => {
            const ok = bucket("ok");
            const okPolicy = on(ok, "aws:s3/bucketPolicy:BucketPolicy", "policy", { policy: TLS_ONLY(ok) });
            const bad = bucket("bad");
            const badPolicy = on(bad, "aws:s3/bucketPolicy:BucketPolicy", "policy", { policy: policyDoc({ Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::bad/*" }) });
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
            const rules = on(ok, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle", { rules: [{ id: "expire", status: "Enabled", expiration: { days: 30 } }] });
            const bad = bucket("bad");
            const disabled = on(bad, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle", { rules: [{ id: "expire", status: "Disabled" }] });
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
            const destination = resource("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "cdn-dest", { outputFormat: "parquet", deliveryDestinationConfiguration: { destinationResourceArn: cdnLogs.outputs.arn } });
            const unlogged = bucket("unlogged");
            await expectViolations("s3-bucket-access-logging-prod", [logs, data, logging, albLogs, alb, cdnLogs, destination, unlogged], [unlogged], { environment: "prod" });
            await expectViolations("s3-bucket-access-logging-prod", [logs, data, logging, albLogs, alb, unlogged], [], { environment: "dev" });
        });
    });
});
