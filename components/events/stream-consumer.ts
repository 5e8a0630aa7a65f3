import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Permission } from "../grants";
import type { Statement } from "../iam";
import { functionSettings, PlatformFunction } from "../lambda-function";
import { FailureQueue } from "./queue";

export interface StreamConsumerArgs {
    entry: string;
    description: string;
    /** The Kinesis stream, and the permission to read it (its read actions and decrypting through Kinesis). */
    stream: { arn: pulumi.Input<string>; readPermission(): Permission };
    batchSize: number;
    maxBatchingWindowSeconds: number;
    /** Concurrent batches per shard (1 to 10). */
    parallelizationFactor: number;
    /** Retries of a failing batch before it goes to the failure queue (finite: -1 would block the shard until the records expire). */
    maximumRetryAttempts: number;
    /** Records older than this go to the failure queue unprocessed. */
    maximumRecordAgeSeconds: number;
    reservedConcurrency: number;
    timeoutSeconds: number;
    memoryMb: number;
    environment?: Record<string, pulumi.Input<string>>;
    /** What the handler itself may do besides reading the stream. */
    statements: Statement[];
    /** Other components' permissions for the handler (see components/grants.ts). */
    grants?: Permission[];
    /** Alarm when the function's IteratorAge exceeds this. */
    iteratorAgeAlarmSeconds: number;
    kmsKeyArn: pulumi.Input<string>;
    region: string;
    logRetentionDays: number;
    alarmTopicArn: pulumi.Input<string>;
    /** Pulumi protect on the failure queue. */
    protect: boolean;
}

/**
 * A Lambda consuming a Kinesis stream: it bisects a failing batch to isolate the bad record,
 * retries a bounded number of times and only while records are young enough, reports partial
 * batch failures, and then sends the failed batch's description (shard, sequence numbers) to its
 * failure queue rather than dropping it, so the records can be re-read from the stream and
 * replayed while the stream still holds them.
 *
 * It starts at TRIM_HORIZON, not LATEST: when the mapping is first created, or replaced, it
 * reads everything the stream still holds instead of silently skipping what arrived in the
 * meantime; the handler's writes are idempotent, so reading a record twice is harmless.
 */
export class StreamConsumer extends pulumi.ComponentResource {
    public readonly fn: PlatformFunction;
    public readonly failures: FailureQueue;
    public readonly mapping: aws.lambda.EventSourceMapping;

    constructor(name: string, args: StreamConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:StreamConsumer", name, {}, opts);
        if (args.maximumRetryAttempts < 0) throw new RangeError(`${name}: maximumRetryAttempts must be finite (0 or more)`);
        this.failures = new FailureQueue(
            `${name}-failures`,
            {
                kmsKeyArn: args.kmsKeyArn,
                senders: [],
                holds: "stream batches the consumer failed on after its retries (shard id and sequence numbers); re-read them from the stream before its retention ends",
                alarmTopicArn: args.alarmTopicArn,
                protect: args.protect,
            },
            { parent: this },
        );
        this.fn = new PlatformFunction(
            name,
            {
                ...functionSettings(args),
                // Lambda sends to the on-failure destination as the function's role.
                grants: [args.stream.readPermission(), this.failures.sendPermission(args.region), ...(args.grants ?? [])],
                statements: args.statements,
            },
            { parent: this },
        );
        this.mapping = new aws.lambda.EventSourceMapping(
            `${name}-mapping`,
            {
                functionName: this.fn.arn,
                eventSourceArn: args.stream.arn,
                startingPosition: "TRIM_HORIZON",
                batchSize: args.batchSize,
                maximumBatchingWindowInSeconds: args.maxBatchingWindowSeconds,
                parallelizationFactor: args.parallelizationFactor,
                bisectBatchOnFunctionError: true,
                maximumRetryAttempts: args.maximumRetryAttempts,
                maximumRecordAgeInSeconds: args.maximumRecordAgeSeconds,
                functionResponseTypes: ["ReportBatchItemFailures"],
                destinationConfig: { onFailure: { destinationArn: this.failures.arn } },
            },
            { parent: this, dependsOn: [this.fn] },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-iterator-age`,
            {
                alarmDescription: pulumi.interpolate`${this.fn.functionName} reads records more than ${args.iteratorAgeAlarmSeconds} s after they arrived: it is falling behind the stream`,
                namespace: "AWS/Lambda",
                metricName: "IteratorAge",
                dimensions: { FunctionName: this.fn.functionName },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 5,
                threshold: args.iteratorAgeAlarmSeconds * 1000,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
        this.registerOutputs({ functionName: this.fn.functionName, failureQueueUrl: this.failures.url });
    }
}
