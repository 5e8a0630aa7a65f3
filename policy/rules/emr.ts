import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { isSet, isUnknown, json } from "../lib";
import type { PlatformPolicy } from "../types";

const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const GLUE_TABLE = "aws:glue/catalogTable:CatalogTable";
const GLUE_DATABASE = "aws:glue/catalogDatabase:CatalogDatabase";
const EMR_CLUSTER = "aws:emr/cluster:Cluster";

/** Firehose's minimum buffer (MiB) with dynamic partitioning or record format conversion. */
const MIN_CONVERSION_BUFFER_MIB = 64;

const isEncryptedMode = (mode: string | undefined) => mode !== undefined && mode !== "DISABLED";

export const analyticsPolicies: PlatformPolicy[] = [
    // Kinesis.
    {
        name: "kinesis-stream-encrypted",
        description: "Kinesis streams are encrypted with KMS.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (p, _a, report) => {
            if (p.encryptionType !== "KMS" || !isSet(p, "kmsKeyId")) report("is not encrypted; set encryptionType KMS and a kmsKeyId");
        }),
    },
    {
        name: "kinesis-stream-capacity-consistent",
        description: "A Kinesis stream's capacity mode and shard count agree: PROVISIONED names a shard count, ON_DEMAND names none (AWS rejects the rest).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (p, _a, report) => {
            const mode = p.streamModeDetails?.streamMode ?? "PROVISIONED";
            if (mode === "ON_DEMAND" && p.shardCount !== undefined && p.shardCount !== null) report("is ON_DEMAND but sets shardCount");
            if (mode === "PROVISIONED" && !((p.shardCount ?? 0) >= 1)) report("is PROVISIONED but sets no shard count");
        }),
    },
    // Firehose.
    {
        name: "firehose-encrypted",
        description: "Firehose streams that take direct puts encrypt at rest (streams reading Kinesis inherit the source stream's encryption).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (p, _a, report) => {
            const directPut = !p.kinesisSourceConfiguration && !p.mskSourceConfiguration;
            if (directPut && p.serverSideEncryption?.enabled !== true) report("takes direct puts without server-side encryption");
        }),
    },
    {
        name: "firehose-s3-delivery-valid",
        description: "Firehose S3 delivery is one AWS accepts: expressions in the prefix need an error output prefix, partition keys need dynamic partitioning, and partitioning or format conversion need a buffer of at least 64 MiB.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (p, _a, report) => {
            const s3 = p.extendedS3Configuration;
            if (!s3) return;
            const prefix = s3.prefix ?? "";
            const errorPrefix = s3.errorOutputPrefix;
            const partitioning = s3.dynamicPartitioningConfiguration?.enabled === true;
            const conversion = s3.dataFormatConversionConfiguration !== undefined && s3.dataFormatConversionConfiguration.enabled !== false;
            if (/!\{/.test(prefix) && !errorPrefix) report("uses expressions in its prefix without an errorOutputPrefix");
            if (/!\{partitionKeyFrom(Query|Lambda):/.test(prefix) && !partitioning) report("uses partition keys in its prefix without dynamic partitioning enabled");
            if (partitioning && !errorPrefix) report("enables dynamic partitioning without an errorOutputPrefix");
            if (errorPrefix && /!\{partitionKeyFrom/.test(errorPrefix)) report("uses partition keys in its errorOutputPrefix, which AWS rejects");
            if ((partitioning || conversion) && (s3.bufferingSize ?? 5) < MIN_CONVERSION_BUFFER_MIB) {
                report(`buffers ${s3.bufferingSize ?? 5} MiB; ${partitioning ? "dynamic partitioning" : "record format conversion"} needs at least ${MIN_CONVERSION_BUFFER_MIB}`);
            }
        }),
    },
    {
        name: "firehose-logging",
        description: "Firehose S3 delivery logs its errors to CloudWatch.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (p, _a, report) => {
            if (p.extendedS3Configuration && p.extendedS3Configuration.cloudwatchLoggingOptions?.enabled !== true) report("logs no delivery errors to CloudWatch");
        }),
    },
    {
        name: "firehose-format-conversion-table",
        description: "Firehose record format conversion points at a Glue table this stack declares, in the database it names.",
        enforcementLevel: "mandatory",
        covers: [FIREHOSE, GLUE_TABLE, GLUE_DATABASE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const tables = g.ofType(GLUE_TABLE);
            const databases = g.ofType(GLUE_DATABASE);
            for (const f of g.ofType(FIREHOSE)) {
                const schema = f.props.extendedS3Configuration?.dataFormatConversionConfiguration?.schemaConfiguration;
                if (!schema || isUnknown(schema)) continue;
                const { databaseName, tableName } = schema;
                if (typeof databaseName !== "string" || typeof tableName !== "string") continue;
                // A database declared elsewhere is out of this stack's sight.
                if (!databases.some((d) => d.props.name === databaseName) && !tables.some((t) => t.props.databaseName === databaseName)) continue;
                if (tables.some((t) => isUnknown(t.props.name) || isUnknown(t.props.databaseName))) continue;
                if (!tables.some((t) => t.props.name === tableName && t.props.databaseName === databaseName)) {
                    report(`converts records with table ${databaseName}.${tableName}, which this stack doesn't declare; every record would land in the error prefix`, f.urn);
                }
            }
        },
    },
    // Glue.
    {
        name: "glue-security-configuration-encrypted",
        description: "Glue security configurations encrypt S3 output, CloudWatch logs and job bookmarks.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.glue.SecurityConfiguration, (p, _a, report) => {
            const e = p.encryptionConfiguration;
            if (!isEncryptedMode(e?.s3Encryption?.s3EncryptionMode)) report("leaves S3 data unencrypted");
            if (!isEncryptedMode(e?.cloudwatchEncryption?.cloudwatchEncryptionMode)) report("leaves CloudWatch logs unencrypted");
            if (!isEncryptedMode(e?.jobBookmarksEncryption?.jobBookmarksEncryptionMode)) report("leaves job bookmarks unencrypted");
        }),
    },
    {
        name: "glue-uses-security-configuration",
        description: "Glue jobs and crawlers run with a security configuration, so what they write is encrypted.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.glue.Job, (p, _a, report) => {
                if (!isSet(p, "securityConfiguration")) report("runs without a security configuration");
            }),
            validateResourceOfType(aws.glue.Crawler, (p, _a, report) => {
                if (!isSet(p, "securityConfiguration")) report("runs without a security configuration");
            }),
        ],
    },
    {
        name: "glue-job-current-version",
        description: "Glue jobs run on Glue 4.0 or later (earlier versions are end of support).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.glue.Job, (p, _a, report) => {
            const v = Number(p.glueVersion ?? "0");
            if (p.command?.name !== "pythonshell" && !(v >= 4)) report(`runs on Glue ${p.glueVersion ?? "(unset: the oldest default)"}; use 4.0 or later`);
        }),
    },
    {
        name: "glue-trigger-enabled",
        description: "Glue triggers are enabled and start something: a schedule with a job or crawler action.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.glue.Trigger, (p, _a, report) => {
            if (p.enabled === false) report("is disabled, so it never fires");
            if (p.type === "SCHEDULED" && !p.schedule) report("is SCHEDULED but has no schedule");
            if ((p.actions ?? []).length === 0) report("starts nothing (no actions)");
        }),
    },
    // EMR.
    {
        name: "emr-security-configuration-encrypted",
        description: "EMR security configurations enable at-rest encryption (S3 and local disks) and in-transit encryption.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.emr.SecurityConfiguration, (p, _a, report) => {
            const config = json(p.configuration);
            const e = config?.EncryptionConfiguration;
            if (!e) return report("configures no encryption");
            if (e.EnableAtRestEncryption !== true) report("has at-rest encryption off");
            else {
                if (!e.AtRestEncryptionConfiguration?.S3EncryptionConfiguration) report("encrypts nothing in S3 (no S3EncryptionConfiguration)");
                if (!e.AtRestEncryptionConfiguration?.LocalDiskEncryptionConfiguration) report("leaves local disks unencrypted (no LocalDiskEncryptionConfiguration)");
            }
            if (e.EnableInTransitEncryption !== true) report("has in-transit encryption off");
        }),
    },
    {
        name: "emr-cluster-security-configuration",
        description: "EMR clusters run with a security configuration.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.emr.Cluster, (p, _a, report) => {
            if (!isSet(p, "securityConfiguration")) report("runs without a security configuration, so nothing is encrypted");
        }),
    },
    {
        name: "emr-instance-profile-named-as-role",
        description: "An EMR cluster's instance profile has the same name as its role: EC2 allows them to differ, EMR does not, and cluster creation fails with \"invalid instance profile\".",
        enforcementLevel: "mandatory",
        covers: [EMR_CLUSTER, TYPES.instanceProfile, TYPES.role],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const cluster of g.ofType(EMR_CLUSTER)) {
                const profiles = g.resolve(cluster, "ec2Attributes.instanceProfile", [TYPES.instanceProfile]);
                if (isUnknown(profiles)) continue;
                for (const profile of profiles) {
                    const roles = g.resolve(profile, "role", [TYPES.role]);
                    if (isUnknown(roles) || isUnknown(profile.props.name)) continue;
                    for (const role of roles) {
                        if (!isUnknown(role.props.name) && role.props.name !== profile.props.name) report(`uses instance profile ${profile.props.name} for role ${role.props.name}; EMR requires the instance profile to carry its role's name`, cluster.urn);
                    }
                }
            }
        },
    },
    {
        name: "emr-cluster-logging-termination",
        description: "EMR clusters write logs to S3 and terminate themselves when idle.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.emr.Cluster, (p, _a, report) => {
            if (!isSet(p, "logUri")) report("writes no logs to S3 (logUri)");
            if (!p.autoTerminationPolicy?.idleTimeout && p.keepJobFlowAliveWhenNoSteps !== false) report("runs until stopped; set an autoTerminationPolicy idle timeout");
        }),
    },
    {
        name: "emr-managed-scaling-limits-valid",
        description: "EMR managed scaling limits are consistent (minimum <= maximum; on-demand and core maxima within the maximum), as AWS requires.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.emr.ManagedScalingPolicy, (p, _a, report) => {
            for (const l of p.computeLimits ?? []) {
                if (l.minimumCapacityUnits > l.maximumCapacityUnits) report(`scales between ${l.minimumCapacityUnits} and ${l.maximumCapacityUnits} units: the minimum exceeds the maximum`);
                if ((l.maximumOndemandCapacityUnits ?? 0) > l.maximumCapacityUnits) report(`allows ${l.maximumOndemandCapacityUnits} on-demand units, above the maximum of ${l.maximumCapacityUnits}`);
                if ((l.maximumCoreCapacityUnits ?? 0) > l.maximumCapacityUnits) report(`allows ${l.maximumCoreCapacityUnits} core units, above the maximum of ${l.maximumCapacityUnits}`);
            }
        }),
    },
    {
        name: "emr-spot-fleet-keeps-cluster",
        description: "An EMR instance fleet's Spot provisioning timeout switches to on-demand rather than terminating the whole cluster.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.emr.InstanceFleet, (p, _a, report) => {
            for (const spot of p.launchSpecifications?.spotSpecifications ?? []) {
                if (spot.timeoutAction === "TERMINATE_CLUSTER") report("terminates the cluster when Spot capacity can't be found; use SWITCH_TO_ON_DEMAND");
            }
        }),
    },
    {
        name: "emr-serverless-bounded",
        description: "EMR Serverless applications cap their capacity and stop when idle.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.emrserverless.Application, (p, _a, report) => {
            if (!p.maximumCapacity) report("has no maximumCapacity; a runaway job scales without bound");
            if (p.autoStopConfiguration?.enabled === false) report("never stops when idle");
        }),
    },
];
