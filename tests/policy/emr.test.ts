import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const stream = (name: string, inputs: Record<string, unknown> = {}) => resource("aws:kinesis/stream:Stream", name, { encryptionType: "KMS", kmsKeyId: "k", streamModeDetails: { streamMode: "ON_DEMAND" }, ...inputs });
const s3Dest = (extra: Record<string, unknown> = {}) => ({ roleArn: "r", bucketArn: "arn:aws:s3:::lake", bufferingSize: 64, cloudwatchLoggingOptions: { enabled: true, logGroupName: "g", logStreamName: "s" }, ...extra });
const firehose = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", name, { destination: "extended_s3", kinesisSourceConfiguration: { kinesisStreamArn: "arn:s", roleArn: "r" }, extendedS3Configuration: s3Dest(), ...inputs });
const conversion = (databaseName: string, tableName: string) => ({
    enabled: true,
    inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
    outputFormatConfiguration: { serializer: { parquetSerDe: {} } },
    schemaConfiguration: { databaseName, tableName, roleArn: "r" },
});
const emrConfig = (encryption: Record<string, unknown>) => JSON.stringify({ EncryptionConfiguration: encryption });

describe("analytics policies", () => {
    describe("kinesis-stream-encrypted", () => {
        it("passes KMS and flags no encryption", async () => {
            const bad = stream("bad", { encryptionType: "NONE", kmsKeyId: undefined });
            await expectViolations("kinesis-stream-encrypted", [stream("ok"), bad], [bad]);
        });
    });

    describe("kinesis-stream-capacity-consistent", () => {
        it("passes on-demand without shards and provisioned with shards; flags the mixes AWS rejects", async () => {
            const provisioned = stream("provisioned", { streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 4 });
            const onDemandShards = stream("on-demand-shards", { shardCount: 2 });
            const provisionedNone = stream("provisioned-none", { streamModeDetails: undefined });
            await expectViolations("kinesis-stream-capacity-consistent", [stream("ok"), provisioned, onDemandShards, provisionedNone], [onDemandShards, provisionedNone]);
        });
    });

    describe("firehose-encrypted", () => {
        it("passes a Kinesis-sourced stream and a direct-put one with SSE; flags direct put without", async () => {
            const directOk = firehose("direct-ok", { kinesisSourceConfiguration: undefined, serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "k" } });
            const direct = firehose("direct", { kinesisSourceConfiguration: undefined });
            await expectViolations("firehose-encrypted", [firehose("ok"), directOk, direct], [direct]);
        });
    });

    describe("firehose-s3-delivery-valid", () => {
        it("passes partitioned delivery with an error prefix and a 64 MiB buffer", async () => {
            const ok = firehose("ok", {
                extendedS3Configuration: s3Dest({ prefix: "raw/dt=!{timestamp:yyyy-MM-dd}/", errorOutputPrefix: "errors/!{firehose:error-output-type}/", dataFormatConversionConfiguration: conversion("db", "events") }),
            });
            await expectViolations("firehose-s3-delivery-valid", [ok], []);
        });
        it("flags expressions without an error prefix, partition keys without partitioning, and a small buffer with conversion", async () => {
            const noError = firehose("no-error", { extendedS3Configuration: s3Dest({ prefix: "raw/!{timestamp:yyyy}/" }) });
            const keys = firehose("keys", { extendedS3Configuration: s3Dest({ prefix: "raw/!{partitionKeyFromQuery:type}/", errorOutputPrefix: "errors/" }) });
            const small = firehose("small", { extendedS3Configuration: s3Dest({ bufferingSize: 5, dataFormatConversionConfiguration: conversion("db", "events") }) });
            const v = await expectViolations("firehose-s3-delivery-valid", [noError, keys, small], [noError, keys, small]);
            assert.match(v.find((x) => x.urn === small.urn)!.message, /record format conversion needs at least 64/);
        });
    });

    describe("firehose-logging", () => {
        it("passes CloudWatch error logging and notes none", async () => {
            const bad = firehose("bad", { extendedS3Configuration: s3Dest({ cloudwatchLoggingOptions: undefined }) });
            await expectViolations("firehose-logging", [firehose("ok"), bad], [bad]);
        });
    });

    describe("firehose-format-conversion-table", () => {
        it("passes a conversion pointing at the stack's table and flags a table the stack doesn't declare", async () => {
            const database = resource("aws:glue/catalogDatabase:CatalogDatabase", "db", { name: "analytics" });
            const events = resource("aws:glue/catalogTable:CatalogTable", "events", { name: "events", databaseName: "analytics" });
            const ok = firehose("ok", { extendedS3Configuration: s3Dest({ dataFormatConversionConfiguration: conversion("analytics", "events") }) });
            const typo = firehose("typo", { extendedS3Configuration: s3Dest({ dataFormatConversionConfiguration: conversion("analytics", "event") }) });
            const external = firehose("external", { extendedS3Configuration: s3Dest({ dataFormatConversionConfiguration: conversion("shared", "events") }) });
            await expectViolations("firehose-format-conversion-table", [database, events, ok, typo, external], [typo]);
        });
    });

    describe("glue-security-configuration-encrypted", () => {
        it("passes full encryption and flags a disabled part", async () => {
            const full = { s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: "k" }, cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: "k" }, jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: "k" } };
            const ok = resource("aws:glue/securityConfiguration:SecurityConfiguration", "ok", { encryptionConfiguration: full });
            const bad = resource("aws:glue/securityConfiguration:SecurityConfiguration", "bad", { encryptionConfiguration: { ...full, jobBookmarksEncryption: { jobBookmarksEncryptionMode: "DISABLED" } } });
            const v = await expectViolations("glue-security-configuration-encrypted", [ok, bad], [bad]);
            assert.match(v[0].message, /job bookmarks/);
        });
    });

    describe("glue-uses-security-configuration", () => {
        it("passes a job and crawler with one and flags those without", async () => {
            const job = resource("aws:glue/job:Job", "job", { roleArn: "r", command: { scriptLocation: "s3://b/j.py" }, securityConfiguration: "sc" });
            const badJob = resource("aws:glue/job:Job", "bad-job", { roleArn: "r", command: { scriptLocation: "s3://b/j.py" } });
            const crawler = resource("aws:glue/crawler:Crawler", "crawler", { role: "r", databaseName: "d" });
            await expectViolations("glue-uses-security-configuration", [job, badJob, crawler], [badJob, crawler]);
        });
    });

    describe("glue-job-current-version", () => {
        it("passes Glue 4.0+ and notes older", async () => {
            const ok = resource("aws:glue/job:Job", "ok", { roleArn: "r", command: { name: "glueetl", scriptLocation: "s3://b/j.py" }, glueVersion: "5.0" });
            const old = resource("aws:glue/job:Job", "old", { roleArn: "r", command: { name: "glueetl", scriptLocation: "s3://b/j.py" }, glueVersion: "2.0" });
            await expectViolations("glue-job-current-version", [ok, old], [old]);
        });
    });

    describe("glue-trigger-enabled", () => {
        it("passes a scheduled trigger with an action and notes a disabled or empty one", async () => {
            const ok = resource("aws:glue/trigger:Trigger", "ok", { type: "SCHEDULED", schedule: "cron(0 2 * * ? *)", actions: [{ jobName: "etl" }] });
            const off = resource("aws:glue/trigger:Trigger", "off", { type: "SCHEDULED", schedule: "cron(0 2 * * ? *)", actions: [{ jobName: "etl" }], enabled: false });
            const empty = resource("aws:glue/trigger:Trigger", "empty", { type: "SCHEDULED", actions: [] });
            await expectViolations("glue-trigger-enabled", [ok, off, empty], [off, empty]);
        });
    });

    describe("emr-security-configuration-encrypted", () => {
        it("passes at-rest (S3 and local disk) and in-transit encryption and flags gaps", async () => {
            const full = {
                EnableAtRestEncryption: true,
                EnableInTransitEncryption: true,
                AtRestEncryptionConfiguration: { S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: "k" }, LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: "k" } },
                InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: "s3://b/certs.zip" } },
            };
            const ok = resource("aws:emr/securityConfiguration:SecurityConfiguration", "ok", { configuration: emrConfig(full) });
            const noTransit = resource("aws:emr/securityConfiguration:SecurityConfiguration", "no-transit", { configuration: emrConfig({ ...full, EnableInTransitEncryption: false }) });
            const noDisk = resource("aws:emr/securityConfiguration:SecurityConfiguration", "no-disk", { configuration: emrConfig({ ...full, AtRestEncryptionConfiguration: { S3EncryptionConfiguration: { EncryptionMode: "SSE-S3" } } }) });
            await expectViolations("emr-security-configuration-encrypted", [ok, noTransit, noDisk], [noTransit, noDisk]);
        });
    });

    describe("emr-cluster-security-configuration", () => {
        it("passes a cluster with a security configuration and flags one without", async () => {
            const ok = resource("aws:emr/cluster:Cluster", "ok", { releaseLabel: "emr-7.5.0", serviceRole: "r", securityConfiguration: "sc" });
            const bad = resource("aws:emr/cluster:Cluster", "bad", { releaseLabel: "emr-7.5.0", serviceRole: "r" });
            await expectViolations("emr-cluster-security-configuration", [ok, bad], [bad]);
        });
    });

    describe("emr-instance-profile-named-as-role", () => {
        it("passes an instance profile named as its role and flags a cluster whose profile is named otherwise", async () => {
            const role = resource("aws:iam/role:Role", "nodes", { name: "spark-nodes-1a2b3c4" }, { outputs: { arn: "arn:aws:iam::123456789012:role/spark-nodes-1a2b3c4" } });
            const profile = (name: string) => resource("aws:iam/instanceProfile:InstanceProfile", name, { name, role: "spark-nodes-1a2b3c4" }, { outputs: { arn: `arn:aws:iam::123456789012:instance-profile/${name}` } });
            const same = profile("spark-nodes-1a2b3c4");
            const other = profile("spark-profile-9f8e7d6");
            const cluster = (name: string, p: ReturnType<typeof profile>) =>
                resource("aws:emr/cluster:Cluster", name, { releaseLabel: "emr-7.5.0", serviceRole: "r", securityConfiguration: "sc", ec2Attributes: { instanceProfile: p.outputs.arn, subnetIds: ["subnet-1"] } });
            const ok = cluster("ok", same);
            const bad = cluster("bad", other);
            const v = await expectViolations("emr-instance-profile-named-as-role", [role, same, other, ok, bad], [bad]);
            assert.match(v[0].message, /instance profile spark-profile-9f8e7d6 for role spark-nodes-1a2b3c4/);
        });
    });

    describe("emr-cluster-logging-termination", () => {
        it("passes logs and idle termination and notes a cluster with neither", async () => {
            const ok = resource("aws:emr/cluster:Cluster", "ok", { releaseLabel: "emr-7.5.0", serviceRole: "r", logUri: "s3://logs/emr/", autoTerminationPolicy: { idleTimeout: 3600 } });
            const bad = resource("aws:emr/cluster:Cluster", "bad", { releaseLabel: "emr-7.5.0", serviceRole: "r" });
            await expectViolations("emr-cluster-logging-termination", [ok, bad], [bad]);
        });
    });

    describe("emr-managed-scaling-limits-valid", () => {
        it("passes consistent limits and flags an on-demand maximum above the overall maximum", async () => {
            const limits = (extra: Record<string, unknown>) => ({ unitType: "InstanceFleetUnits", minimumCapacityUnits: 2, maximumCapacityUnits: 20, maximumCoreCapacityUnits: 2, maximumOndemandCapacityUnits: 2, ...extra });
            const ok = resource("aws:emr/managedScalingPolicy:ManagedScalingPolicy", "ok", { clusterId: "j-1", computeLimits: [limits({})] });
            const bad = resource("aws:emr/managedScalingPolicy:ManagedScalingPolicy", "bad", { clusterId: "j-1", computeLimits: [limits({ maximumOndemandCapacityUnits: 40 })] });
            await expectViolations("emr-managed-scaling-limits-valid", [ok, bad], [bad]);
        });
    });

    describe("emr-spot-fleet-keeps-cluster", () => {
        it("passes a switch to on-demand and notes a fleet that would terminate the cluster", async () => {
            const spot = (timeoutAction: string) => ({ spotSpecifications: [{ allocationStrategy: "price-capacity-optimized", timeoutAction, timeoutDurationMinutes: 10 }] });
            const ok = resource("aws:emr/instanceFleet:InstanceFleet", "ok", { clusterId: "j-1", launchSpecifications: spot("SWITCH_TO_ON_DEMAND") });
            const bad = resource("aws:emr/instanceFleet:InstanceFleet", "bad", { clusterId: "j-1", launchSpecifications: spot("TERMINATE_CLUSTER") });
            await expectViolations("emr-spot-fleet-keeps-cluster", [ok, bad], [bad]);
        });
    });

    describe("emr-serverless-bounded", () => {
        it("passes a capped application and notes an uncapped one", async () => {
            const ok = resource("aws:emrserverless/application:Application", "ok", { type: "spark", releaseLabel: "emr-7.5.0", maximumCapacity: { cpu: "16 vCPU", memory: "64 GB" }, autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 } });
            const bad = resource("aws:emrserverless/application:Application", "bad", { type: "spark", releaseLabel: "emr-7.5.0" });
            await expectViolations("emr-serverless-bounded", [ok, bad], [bad]);
        });
    });
});
