import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { Analytics, type AnalyticsArgs } from "../../components/analytics";
import { glueDatabaseName } from "../../components/names";
import { Delivery, FIREHOSE_ERROR_PREFIX, FIREHOSE_PREFIX } from "../../components/analytics/delivery";
import { parentDirectories } from "../../components/analytics/lake";
import { roleGrantee } from "../../components/grants";
import { serviceTrust } from "../../components/iam";
import { defaults, type AnalyticsConfig } from "../../config/sections/analytics";
import { EVENT_COLUMNS } from "../../services/analytics/event";
import type { Plan } from "../../tools/engine";
import { allOf, allows, grantsOf, named, trustOf } from "../helpers/analytics";
import { render, testContext, UNPROTECTED } from "../helpers/component";

const ACCOUNT = "123456789012";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alarms";
const SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"];
const CERTS = "s3://pki-bucket/emr/certs.zip";

type Overrides = { [K in keyof AnalyticsConfig]?: Partial<AnalyticsConfig[K]> };

function args(profile: "dev" | "prod", overrides: Overrides = {}, protect = profile === "prod"): AnalyticsArgs {
    const base = structuredClone(defaults[profile]);
    const config = { ...base } as AnalyticsConfig;
    for (const [k, v] of Object.entries(overrides)) (config as any)[k] = { ...(base as any)[k], ...v };
    config.emr.cluster = { ...config.emr.cluster, tlsCertificatesS3Uri: CERTS };
    return {
        ...config,
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: SUBNETS,
        context: testContext({ kmsKeyArn: KEY_ARN, alarmTopicArn: TOPIC_ARN, accountId: ACCOUNT, region: "us-east-1", stateful: { ...UNPROTECTED, protect } }),
    };
}

const renderAnalytics = (a: AnalyticsArgs, name = "analytics"): Promise<Plan> => render(() => new Analytics(name, a));

describe("Analytics component", () => {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await renderAnalytics(args("dev"));
        prod = await renderAnalytics(args("prod"));
    });

    describe("stream capacity mode", () => {
        it("dev: an on-demand stream names no shard count", () => {
            const stream = allOf(dev, "aws:kinesis/stream:Stream")[0];
            assert.deepEqual(stream.inputs.streamModeDetails, { streamMode: "ON_DEMAND" });
            assert.equal(stream.inputs.shardCount, undefined);
        });

        it("prod: a provisioned stream sized from the peak (5,000 rec/s, 4 MiB/s, 25% headroom -> 7 shards)", () => {
            const stream = allOf(prod, "aws:kinesis/stream:Stream")[0];
            assert.deepEqual(stream.inputs.streamModeDetails, { streamMode: "PROVISIONED" });
            assert.equal(stream.inputs.shardCount, 7);
            assert.equal(stream.inputs.retentionPeriod, 168);
            assert.ok((stream.inputs.shardLevelMetrics as string[]).includes("IteratorAgeMilliseconds"));
        });

        it("re-sizes when the configured peak changes", async () => {
            const plan = await renderAnalytics(
                args("dev", { stream: { mode: "PROVISIONED", peakRecordsPerSecond: 200, peakKiBPerSecond: 12 * 1024, headroomPercent: 0 } }),
            );
            assert.equal(allOf(plan, "aws:kinesis/stream:Stream")[0].inputs.shardCount, 12);
        });

        it("encrypts the stream with the platform key and alarms on iterator age and write throttling", () => {
            for (const plan of [dev, prod]) {
                const stream = allOf(plan, "aws:kinesis/stream:Stream")[0];
                assert.equal(stream.inputs.encryptionType, "KMS");
                assert.equal(stream.inputs.kmsKeyId, KEY_ARN);
                const alarms = allOf(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
                assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), ["GetRecords.IteratorAgeMilliseconds", "WriteProvisionedThroughputExceeded"]);
                for (const a of alarms) {
                    assert.deepEqual(a.inputs.alarmActions, [TOPIC_ARN]);
                    assert.deepEqual(a.inputs.dimensions, { StreamName: stream.outputs.name });
                }
            }
            const age = allOf(prod, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "GetRecords.IteratorAgeMilliseconds")!;
            assert.equal(age.inputs.threshold, 15 * 60_000);
        });

        it("grantWrite lets a role put records and encrypt them, through Kinesis only", async () => {
            let streamArn = "";
            const plan = await render(() => {
                const analytics = new Analytics("analytics", args("dev"));
                const role = new aws.iam.Role("web-role", { assumeRolePolicy: serviceTrust("ec2.amazonaws.com") });
                analytics.stream.grantWrite(roleGrantee("web", role));
                analytics.stream.arn.apply((a) => (streamArn = a));
            });
            const statements = grantsOf(plan, named(plan, "aws:iam/role:Role", "web-role"));
            assert.ok(allows(statements, "kinesis:PutRecords", streamArn));
            const kms = statements.find((s) => s.Action === "kms:GenerateDataKey");
            assert.equal(kms.Resource, KEY_ARN);
            assert.deepEqual(kms.Condition, { StringEquals: { "kms:ViaService": "kinesis.us-east-1.amazonaws.com" } });
            assert.ok(!allows(statements, "kinesis:GetRecords", streamArn), "a writer cannot read");
        });
    });

    describe("EMR mode", () => {
        it("serverless: a Spark application that starts and stops itself within a capacity ceiling", () => {
            assert.equal(allOf(dev, "aws:emr/cluster:Cluster").length, 0);
            const [app] = allOf(dev, "aws:emrserverless/application:Application");
            assert.equal(app.inputs.type, "spark");
            assert.match(app.inputs.releaseLabel as string, /^emr-7\./);
            assert.deepEqual(app.inputs.autoStartConfiguration, { enabled: true });
            assert.deepEqual(app.inputs.autoStopConfiguration, { enabled: true, idleTimeoutMinutes: 15 });
            assert.deepEqual(app.inputs.maximumCapacity, { cpu: "16 vCPU", memory: "64 GB" });
            assert.deepEqual((app.inputs.networkConfiguration as any).subnetIds, SUBNETS);
            const schedule = allOf(dev, "aws:scheduler/schedule:Schedule")[0];
            assert.equal((schedule.inputs.target as any).arn, "arn:aws:scheduler:::aws-sdk:emrserverless:startJobRun");
            const input = JSON.parse((schedule.inputs.target as any).input);
            assert.equal(input.ApplicationId, app.id);
            assert.equal(input.ClientToken, "<aws.scheduler.execution-id>");
            assert.match(input.JobDriver.SparkSubmit.EntryPoint, /^s3:\/\/analytics-lake-assets-\w+\/pipelines\/analytics\/daily_aggregates\.py$/);
        });

        it("cluster: private subnets, on-demand core, Spot task fleet, managed scaling, idle termination, logs", () => {
            assert.equal(allOf(prod, "aws:emrserverless/application:Application").length, 0);
            const [cluster] = allOf(prod, "aws:emr/cluster:Cluster");
            assert.match(cluster.inputs.releaseLabel as string, /^emr-7\.\d+\.\d+$/);
            const ec2 = cluster.inputs.ec2Attributes as any;
            assert.deepEqual(ec2.subnetIds, SUBNETS);
            assert.ok(ec2.serviceAccessSecurityGroup, "private subnets need a service access security group");
            assert.deepEqual(cluster.inputs.autoTerminationPolicy, { idleTimeout: 420 * 60 });
            assert.match(cluster.inputs.logUri as string, /^s3:\/\/analytics-lake-work-\w+\/spark-logs\/cluster\/$/);
            assert.equal(cluster.inputs.logEncryptionKmsKeyId, KEY_ARN);
            assert.equal((cluster.inputs.coreInstanceFleet as any).targetOnDemandCapacity, 2);
            const [task] = allOf(prod, "aws:emr/instanceFleet:InstanceFleet");
            assert.equal(task.inputs.clusterId, cluster.id);
            assert.ok((task.inputs.targetSpotCapacity as number) >= 1);
            assert.equal(task.inputs.targetOnDemandCapacity, 0);
            assert.deepEqual(task.options.ignoreChanges.sort(), ["targetOnDemandCapacity", "targetSpotCapacity"], "managed scaling owns the task fleet's size");
            assert.deepEqual(
                (task.inputs.instanceTypeConfigs as any[]).map((c) => c.instanceType),
                defaults.prod.emr.cluster.taskInstanceTypes,
            );
            const [scaling] = allOf(prod, "aws:emr/managedScalingPolicy:ManagedScalingPolicy");
            assert.deepEqual(scaling.inputs.computeLimits, [
                {
                    unitType: "InstanceFleetUnits",
                    minimumCapacityUnits: 2,
                    maximumCapacityUnits: 20,
                    maximumCoreCapacityUnits: 2,
                    maximumOndemandCapacityUnits: 2,
                },
            ]);
            const schedule = allOf(prod, "aws:scheduler/schedule:Schedule")[0];
            assert.equal((schedule.inputs.target as any).arn, "arn:aws:scheduler:::aws-sdk:emr:addJobFlowSteps");
            assert.equal(schedule.inputs.scheduleExpression, "rate(6 hours)");
            const step = JSON.parse((schedule.inputs.target as any).input).Steps[0];
            assert.equal(step.ActionOnFailure, "CONTINUE");
            assert.deepEqual(step.HadoopJarStep.Args.slice(0, 3), ["spark-submit", "--deploy-mode", "cluster"]);
        });

        it("cluster: encrypts at rest with the key and in transit with the PEM zip, and requires IMDSv2", () => {
            const security = JSON.parse(allOf(prod, "aws:emr/securityConfiguration:SecurityConfiguration")[0].inputs.configuration as string);
            const e = security.EncryptionConfiguration;
            assert.equal(e.EnableAtRestEncryption, true);
            assert.equal(e.EnableInTransitEncryption, true);
            assert.deepEqual(e.InTransitEncryptionConfiguration, { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: CERTS } });
            assert.deepEqual(e.AtRestEncryptionConfiguration.S3EncryptionConfiguration, { EncryptionMode: "SSE-KMS", AwsKmsKey: KEY_ARN });
            assert.deepEqual(e.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration, {
                EncryptionKeyProviderType: "AwsKms",
                AwsKmsKey: KEY_ARN,
                EnableEbsEncryption: true,
            });
            assert.equal(security.InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion, 2);
            const instanceRole = named(prod, "aws:iam/role:Role", "spark-instance-role");
            assert.ok(allows(grantsOf(prod, instanceRole), "s3:GetObject", "arn:aws:s3:::pki-bucket/emr/certs.zip"), "the nodes can fetch the certificates");
        });

        it("cluster: EMR-managed security groups carry the v2 policy tag and revoke their rules on delete", () => {
            const groups = allOf(prod, "aws:ec2/securityGroup:SecurityGroup");
            assert.equal(groups.length, 3);
            for (const g of groups) {
                assert.equal(g.inputs.revokeRulesOnDelete, true);
                assert.equal((g.inputs.tags as any)["for-use-with-amazon-emr-managed-policies"], "true");
                assert.equal(g.inputs.ingress, undefined, "no inline rules: EMR adds its own");
            }
            const serviceSg = named(prod, "aws:ec2/securityGroup:SecurityGroup", "service-access-sg");
            const primarySg = named(prod, "aws:ec2/securityGroup:SecurityGroup", "primary-sg");
            const ingress = allOf(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === serviceSg.id);
            assert.deepEqual(
                ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
                [[primarySg.id, 9443]],
            );
            // Out to the world only HTTPS; any port only between the cluster's own groups.
            for (const rule of allOf(prod, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")) {
                if (rule.inputs.cidrIpv4)
                    assert.deepEqual(
                        [rule.inputs.cidrIpv4, rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort],
                        ["0.0.0.0/0", "tcp", 443, 443],
                        rule.name,
                    );
                else
                    assert.ok(
                        groups.some((g) => g.id === rule.inputs.referencedSecurityGroupId),
                        rule.name,
                    );
            }
        });

        it("cluster mode without the TLS certificates fails with a clear error", async () => {
            const a = args("prod");
            a.emr.cluster.tlsCertificatesS3Uri = undefined;
            await assert.rejects(renderAnalytics(a), /in-transit encryption needs tlsCertificatesS3Uri/);
        });
    });

    describe("Firehose", () => {
        it("reads the stream and converts records to Parquet with the raw events table's schema", () => {
            for (const plan of [dev, prod]) {
                const [firehose] = allOf(plan, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
                const [table] = allOf(plan, "aws:glue/catalogTable:CatalogTable");
                const [database] = allOf(plan, "aws:glue/catalogDatabase:CatalogDatabase");
                const [stream] = allOf(plan, "aws:kinesis/stream:Stream");
                const role = named(plan, "aws:iam/role:Role", "delivery-role");
                assert.equal(firehose.inputs.destination, "extended_s3");
                assert.deepEqual(firehose.inputs.kinesisSourceConfiguration, { kinesisStreamArn: stream.outputs.arn, roleArn: role.outputs.arn });
                const s3 = firehose.inputs.extendedS3Configuration as any;
                const conversion = s3.dataFormatConversionConfiguration;
                assert.equal(conversion.enabled, true);
                assert.equal(conversion.schemaConfiguration.databaseName, database.inputs.name);
                assert.equal(conversion.schemaConfiguration.tableName, table.inputs.name);
                assert.equal(table.inputs.databaseName, database.inputs.name);
                assert.equal(conversion.schemaConfiguration.roleArn, role.outputs.arn);
                assert.deepEqual(conversion.outputFormatConfiguration, { serializer: { parquetSerDe: { compression: "SNAPPY" } } });
                assert.deepEqual(conversion.inputFormatConfiguration, { deserializer: { hiveJsonSerDe: { timestampFormats: ["millis"] } } });
                assert.ok(s3.bufferingSize >= 64, "format conversion needs a 64 MiB buffer");
                assert.equal(s3.compressionFormat, "UNCOMPRESSED");
                assert.equal(s3.kmsKeyArn, KEY_ARN);
                assert.equal(s3.cloudwatchLoggingOptions.enabled, true);
                assert.equal(s3.prefix, FIREHOSE_PREFIX);
                assert.equal(s3.errorOutputPrefix, FIREHOSE_ERROR_PREFIX);
                // The table's columns are the events the producer writes.
                assert.deepEqual(
                    (table.inputs.storageDescriptor as any).columns.map((c: any) => c.name),
                    EVENT_COLUMNS.map((c) => c.name),
                );
            }
        });

        it("writes under hour partitions the table projects, and failures under an error prefix naming the error type", () => {
            assert.equal(FIREHOSE_PREFIX, "events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/");
            assert.match(FIREHOSE_ERROR_PREFIX, /^errors\/!\{firehose:error-output-type\}\//);
            const [table] = allOf(dev, "aws:glue/catalogTable:CatalogTable");
            const params = table.inputs.parameters as Record<string, string>;
            assert.match(
                params["storage.location.template"],
                /^s3:\/\/analytics-lake-raw-\w+\/events\/year=\$\{year\}\/month=\$\{month\}\/day=\$\{day\}\/hour=\$\{hour\}\/$/,
            );
            assert.equal(params["projection.enabled"], "true");
        });

        it("its role reads the stream, writes only the raw zone's prefixes, reads the table schema and writes its log stream", () => {
            const role = named(dev, "aws:iam/role:Role", "delivery-role");
            const s = grantsOf(dev, role);
            const [stream] = allOf(dev, "aws:kinesis/stream:Stream");
            const raw = named(dev, "aws:s3/bucket:Bucket", "lake-raw");
            assert.ok(allows(s, "kinesis:GetRecords", stream.outputs.arn as string));
            assert.ok(allows(s, "s3:PutObject", `${raw.outputs.arn}/events*`));
            assert.ok(allows(s, "s3:PutObject", `${raw.outputs.arn}/errors*`));
            assert.ok(!allows(s, "s3:PutObject", `${raw.outputs.arn}/*`), "not the whole bucket");
            const curated = named(dev, "aws:s3/bucket:Bucket", "lake-curated");
            assert.ok(!s.some((x) => JSON.stringify(x.Resource ?? "").includes(curated.outputs.arn as string)), "nothing in the curated zone");
            assert.ok(allows(s, "glue:GetTableVersions", /^arn:aws:glue:us-east-1:123456789012:table\/analytics_test\/raw_events$/));
            assert.ok(allows(s, "logs:PutLogEvents", /log-stream:DestinationDelivery$/));
        });

        it("refuses a buffer smaller than format conversion accepts", async () => {
            await assert.rejects(
                render(() => {
                    const analytics = new Analytics("a", args("dev"));
                    new Delivery("d", {
                        stream: analytics.stream,
                        lake: analytics.lake,
                        catalog: analytics.catalog,
                        bufferSizeMiB: 32,
                        bufferIntervalSeconds: 60,
                        logRetentionDays: 14,
                        kmsKeyArn: KEY_ARN,
                        accountId: ACCOUNT,
                        region: "us-east-1",
                    });
                }),
                /bufferSizeMiB 32 must be 64 to 128: Firehose record format conversion needs a buffer of at least 64 MiB/,
            );
        });
    });

    describe("roles", () => {
        const expected: Record<string, { service: string; condition?: Record<string, unknown> }> = {
            "delivery-role": { service: "firehose.amazonaws.com", condition: { StringEquals: { "sts:ExternalId": ACCOUNT } } },
            "catalog-etl-role": { service: "glue.amazonaws.com" },
            "catalog-crawler-role": { service: "glue.amazonaws.com" },
            "spark-job-role": { service: "emr-serverless.amazonaws.com", condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
            "spark-schedule-role": { service: "scheduler.amazonaws.com", condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
            "spark-service-role": { service: "elasticmapreduce.amazonaws.com", condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
            "spark-instance-role": { service: "ec2.amazonaws.com" },
        };

        it("each role is trusted by exactly its service", () => {
            const roles = [...allOf(dev, "aws:iam/role:Role"), ...allOf(prod, "aws:iam/role:Role")];
            const seen = new Set<string>();
            for (const role of roles) {
                const key = Object.keys(expected).find((k) => role.name.endsWith(k));
                assert.ok(key, `unexpected role ${role.name}`);
                seen.add(key);
                const trust = trustOf(role);
                assert.equal(trust.length, 1, role.name);
                assert.deepEqual(trust[0].Principal, { Service: expected[key].service }, role.name);
                assert.equal(trust[0].Action, "sts:AssumeRole");
                assert.deepEqual(trust[0].Condition, expected[key].condition, role.name);
            }
            assert.deepEqual([...seen].sort(), Object.keys(expected).sort());
        });

        it("grant no action on every resource, and every policy's statement ids are unique", () => {
            for (const plan of [dev, prod]) {
                for (const p of allOf(plan, "aws:iam/rolePolicy:RolePolicy")) {
                    const statements = JSON.parse(p.inputs.policy as string).Statement as any[];
                    const sids = statements.map((s) => s.Sid).filter(Boolean);
                    assert.equal(new Set(sids).size, sids.length, `${p.name} repeats a Sid: ${sids.join(", ")}`);
                    for (const s of statements) {
                        const actions = [s.Action].flat();
                        const resources = [s.Resource].flat();
                        assert.ok(!(actions.some((a: string) => a === "*" || a.endsWith(":*")) && resources.includes("*")), `${p.name}: ${JSON.stringify(s)}`);
                        if (resources.includes("*")) assert.ok(s.Condition, `${p.name} grants ${actions} on * without a condition`);
                    }
                }
            }
        });

        it("the EMR service role uses AmazonEMRServicePolicy_v2 and may pass only the instance role, only to EC2", () => {
            const service = named(prod, "aws:iam/role:Role", "spark-service-role");
            const instance = named(prod, "aws:iam/role:Role", "spark-instance-role");
            const attachments = allOf(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === service.outputs.name);
            assert.deepEqual(
                attachments.map((a) => a.inputs.policyArn),
                ["arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"],
            );
            const pass = grantsOf(prod, service).find((s) => s.Action === "iam:PassRole");
            assert.equal(pass.Resource, instance.outputs.arn);
            assert.deepEqual(pass.Condition, { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } });
            const [profile] = allOf(prod, "aws:iam/instanceProfile:InstanceProfile");
            assert.equal(profile.inputs.role, instance.outputs.name);
            assert.equal(profile.inputs.name, instance.outputs.name, "EMR requires the instance profile to carry its role's name");
            assert.equal((allOf(prod, "aws:emr/cluster:Cluster")[0].inputs.ec2Attributes as any).instanceProfile, profile.outputs.arn);
        });

        it("lake writers may check the bucket and the directories above their prefix, as Firehose and Hadoop's S3 clients do", () => {
            assert.deepEqual(parentDirectories("aggregates/daily_event_counts"), ["aggregates", "aggregates/"]);
            assert.deepEqual(parentDirectories("events"), []);
            const curated = allOf(dev, "aws:s3/bucket:Bucket").find((b) => b.name.endsWith("lake-curated"))!;
            const spark = grantsOf(dev, named(dev, "aws:iam/role:Role", "spark-job-role"));
            const list = spark.find(
                (s) => s.Action === "s3:ListBucket" && s.Resource === curated.outputs.arn && JSON.stringify(s.Condition).includes("aggregates"),
            );
            // IfExists: HeadBucket carries no s3:prefix; a listing with a prefix is still limited to these.
            assert.deepEqual(list.Condition, { StringLikeIfExists: { "s3:prefix": ["aggregates/daily_event_counts*", "aggregates", "aggregates/"] } });
            for (const marker of ["aggregates", "aggregates/"]) assert.ok(allows(spark, "s3:GetObject", `${curated.outputs.arn}/${marker}`), marker);
            const firehose = grantsOf(dev, named(dev, "aws:iam/role:Role", "delivery-role"));
            for (const s of firehose.filter((x) => x.Action === "s3:ListBucket")) assert.ok(s.Condition.StringLikeIfExists, JSON.stringify(s));
        });

        it("the serverless scheduler may start runs of its application and pass only the job role", () => {
            const scheduler = named(dev, "aws:iam/role:Role", "spark-schedule-role");
            const jobRole = named(dev, "aws:iam/role:Role", "spark-job-role");
            const [app] = allOf(dev, "aws:emrserverless/application:Application");
            const s = grantsOf(dev, scheduler);
            assert.ok(allows(s, "emr-serverless:StartJobRun", app.outputs.arn as string));
            const pass = s.find((x) => x.Action === "iam:PassRole");
            assert.equal(pass.Resource, jobRole.outputs.arn);
            assert.deepEqual(pass.Condition, { StringEquals: { "iam:PassedToService": "emr-serverless.amazonaws.com" } });
            // The application's logs are encrypted with the key: EMR Serverless rejects a submitter that can't use it.
            assert.equal((app.inputs as any).monitoringConfiguration.s3MonitoringConfiguration.encryptionKeyArn, KEY_ARN);
            for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) assert.ok(allows(s, action, KEY_ARN), action);
        });
    });

    it("names the Glue database after itself and the stack, in the characters Glue and Athena accept", () => {
        assert.equal(glueDatabaseName("analytics", "prod"), "analytics_prod");
        assert.equal(glueDatabaseName("Analytics", "prod-eu.1"), "analytics_prod_eu_1");
    });

    it("derives child names from its own name, so two instances never collide", async () => {
        const plan = await render(() => {
            new Analytics("blue", args("prod"));
            new Analytics("green", args("prod"));
        });
        const names = plan.resources.filter((r) => r.custom).map((r) => `${r.type}::${r.name}`);
        assert.equal(new Set(names).size, names.length, `duplicate names: ${names.filter((n, i) => names.indexOf(n) !== i).join(", ")}`);
        const physical = (type: string, key: string) => allOf(plan, type).map((r) => r.inputs[key]);
        for (const [type, key] of [
            ["aws:glue/catalogDatabase:CatalogDatabase", "name"],
            ["aws:cloudwatch/logGroup:LogGroup", "name"],
            ["aws:glue/securityConfiguration:SecurityConfiguration", "name"],
            ["aws:emr/cluster:Cluster", "name"],
        ]) {
            const values = physical(type, key);
            assert.equal(new Set(values).size, values.length, `${type} ${key}s collide: ${values.join(", ")}`);
        }
    });
});
