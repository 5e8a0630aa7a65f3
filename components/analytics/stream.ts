import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Grants, type Grantee, type Permission } from "../grants";
import type { Statement } from "../iam";
import { shardsFor } from "../../lib/shards";

export interface EventStreamArgs {
    /** ON_DEMAND scales by itself; PROVISIONED gets shards sized from the peak ingest. */
    mode: "ON_DEMAND" | "PROVISIONED";
    /** Peak records per second the provisioned shards are sized for. */
    peakRecordsPerSecond: number;
    /** Peak KiB per second the provisioned shards are sized for. */
    peakKiBPerSecond: number;
    /** Spare capacity above the peak, in percent. */
    headroomPercent: number;
    /** Hours records stay readable. */
    retentionHours: number;
    /** Per-shard CloudWatch metrics. */
    shardLevelMetrics: boolean;
    /** Alarm when the oldest unread record is older than this many minutes. */
    iteratorAgeAlarmMinutes: number;
    /** KMS key that encrypts the records at rest. */
    kmsKeyArn: pulumi.Input<string>;
    /** SNS topic the alarms notify. */
    alarmTopicArn: pulumi.Input<string>;
    /** The home region. */
    region: string;
    /** Pulumi protect on the stream (its records are data). */
    protect: boolean;
}

const SHARD_METRICS = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
];

/** The Kinesis data stream services publish analytics events to, KMS-encrypted, with its alarms. */
export class EventStream extends pulumi.ComponentResource {
    public readonly stream: aws.kinesis.Stream;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    /** Provisioned shards, or undefined on demand. */
    public readonly shardCount: number | undefined;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly region: string;
    private readonly grants: Grants;

    constructor(name: string, args: EventStreamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:EventStream", name, {}, opts);
        this.kmsKeyArn = args.kmsKeyArn;
        this.region = args.region;
        this.grants = new Grants(this, name);
        this.shardCount =
            args.mode === "PROVISIONED"
                ? shardsFor({ recordsPerSecond: args.peakRecordsPerSecond, kibPerSecond: args.peakKiBPerSecond, headroomPercent: args.headroomPercent })
                : undefined;

        this.stream = new aws.kinesis.Stream(
            name,
            {
                streamModeDetails: { streamMode: args.mode },
                ...(this.shardCount !== undefined ? { shardCount: this.shardCount } : {}),
                retentionPeriod: args.retentionHours,
                encryptionType: "KMS",
                kmsKeyId: args.kmsKeyArn,
                shardLevelMetrics: args.shardLevelMetrics ? SHARD_METRICS : [],
            },
            { parent: this, protect: args.protect },
        );
        this.name = this.stream.name;
        this.arn = this.stream.arn;

        const alarm = {
            namespace: "AWS/Kinesis",
            dimensions: { StreamName: this.stream.name },
            alarmActions: [args.alarmTopicArn],
            okActions: [args.alarmTopicArn],
        };
        // Consumers (Firehose) falling behind: past the retention period records expire unread.
        new aws.cloudwatch.MetricAlarm(
            `${name}-iterator-age`,
            {
                ...alarm,
                alarmDescription: `Records in the analytics stream wait more than ${args.iteratorAgeAlarmMinutes} minutes for their consumer; they expire after ${args.retentionHours} hours`,
                metricName: "GetRecords.IteratorAgeMilliseconds",
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 3,
                threshold: args.iteratorAgeAlarmMinutes * 60_000,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            { parent: this },
        );
        // Producers being throttled: in provisioned mode, add shards (raise the configured peak).
        new aws.cloudwatch.MetricAlarm(
            `${name}-write-throttled`,
            {
                ...alarm,
                alarmDescription: "Writes to the analytics stream are throttled in 3 of the last 5 minutes; producers retry, then fail",
                metricName: "WriteProvisionedThroughputExceeded",
                statistic: "Sum",
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            { parent: this },
        );
        this.registerOutputs({ name: this.name, arn: this.arn });
    }

    /** Putting records (PutRecord, PutRecords) and encrypting them with the stream's key. */
    writePermission(): Permission {
        return this.grants.permission("write", [
            {
                Sid: "PutRecords",
                Action: ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                Resource: this.arn,
            },
            this.keyUse("StreamKeyEncrypt", "kms:GenerateDataKey"),
        ]);
    }

    /** Grants `writePermission` as the policy `<stream>-write-<grantee>`. */
    grantWrite(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.writePermission(), grantee);
    }

    /** Reading records with GetRecords and decrypting them. */
    readPermission(): Permission {
        return this.grants.permission("read", [
            {
                Sid: "ReadStream",
                Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
                Resource: this.arn,
            },
            this.keyUse("StreamKeyDecrypt", "kms:Decrypt"),
        ]);
    }

    /** Grants `readPermission` as the policy `<stream>-read-<grantee>`. */
    grantRead(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.readPermission(), grantee);
    }

    /** Kinesis server-side encryption calls KMS on the caller's behalf; only through Kinesis. */
    private keyUse(sid: string, action: string): Statement {
        return {
            Sid: sid,
            Action: action,
            Resource: this.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `kinesis.${this.region}.amazonaws.com` } },
        };
    }
}
