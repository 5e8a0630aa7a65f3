import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EVENT_LIMITS } from "../../lib/event-limits";
import type { Statement } from "../iam";
import { functionSettings, PlatformFunction } from "../lambda-function";
import { MessageQueue, type QueueSender } from "./queue";
import type { Permission } from "../grants";

export interface QueueConsumerArgs {
    /** The handler's entry file in services/. */
    entry: string;
    description: string;
    /** Messages per invocation; above 10 needs maxBatchingWindowSeconds >= 1. */
    batchSize: number;
    /** Seconds Lambda gathers messages before invoking with a partial batch. */
    maxBatchingWindowSeconds: number;
    /** Most concurrent invocations the queue drives (2 to 1000). */
    maximumConcurrency: number;
    /** Concurrency reserved for this function: the bulkhead, at least maximumConcurrency. */
    reservedConcurrency: number;
    timeoutSeconds: number;
    memoryMb: number;
    environment?: Record<string, pulumi.Input<string>>;
    /** What the handler itself may do besides consuming its queue. */
    statements: Statement[];
    /** Other components' permissions for the handler (see components/grants.ts). */
    grants?: Permission[];
    /** Services allowed to send to the queue. */
    senders: QueueSender[];
    /** Receives before a message moves to the dead-letter queue. */
    maxReceiveCount: number;
    messageRetentionDays: number;
    queueAgeAlarmMinutes: number;
    kmsKeyArn: pulumi.Input<string>;
    region: string;
    logRetentionDays: number;
    alarmTopicArn: pulumi.Input<string>;
    /** Pulumi protect on the queues. */
    protect: boolean;
}

/** The visibility timeout a Lambda-consumed queue needs: 6x the function timeout plus the batching window (AWS guidance). */
export function visibilityTimeoutFor(timeoutSeconds: number, batchingWindowSeconds: number): number {
    return EVENT_LIMITS.visibilityTimeoutFactor * timeoutSeconds + batchingWindowSeconds;
}

/**
 * A Lambda consumer with its own queue (and dead-letter queue): queue-based load levelling and a
 * bulkhead. The event source mapping reports partial batch failures (only failed messages come
 * back) and drives at most maximumConcurrency invocations, so a burst waits in the queue; the
 * function's reserved concurrency keeps that capacity for it alone. Its role may consume only
 * its own queue.
 */
export class QueueConsumer extends pulumi.ComponentResource {
    public readonly queue: MessageQueue;
    public readonly fn: PlatformFunction;
    public readonly mapping: aws.lambda.EventSourceMapping;

    constructor(name: string, args: QueueConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:QueueConsumer", name, {}, opts);
        const { min, max } = EVENT_LIMITS.sqsMaximumConcurrency;
        if (args.maximumConcurrency < min || args.maximumConcurrency > max)
            throw new RangeError(`${name}: maximumConcurrency ${args.maximumConcurrency} is outside SQS's ${min}..${max}`);
        if (args.reservedConcurrency < args.maximumConcurrency)
            throw new RangeError(`${name}: reservedConcurrency ${args.reservedConcurrency} is below maximumConcurrency ${args.maximumConcurrency}`);
        if (args.batchSize > EVENT_LIMITS.sqsBatchWithoutWindow && args.maxBatchingWindowSeconds < 1)
            throw new RangeError(`${name}: batchSize ${args.batchSize} needs a batching window of at least 1 s`);

        this.queue = new MessageQueue(
            `${name}-queue`,
            {
                kmsKeyArn: args.kmsKeyArn,
                messageRetentionDays: args.messageRetentionDays,
                visibilityTimeoutSeconds: visibilityTimeoutFor(args.timeoutSeconds, args.maxBatchingWindowSeconds),
                maxReceiveCount: args.maxReceiveCount,
                senders: args.senders,
                ageAlarmMinutes: args.queueAgeAlarmMinutes,
                alarmTopicArn: args.alarmTopicArn,
                protect: args.protect,
            },
            { parent: this },
        );
        this.fn = new PlatformFunction(
            name,
            {
                ...functionSettings(args),
                grants: [this.queue.consumePermission(args.region), ...(args.grants ?? [])],
                statements: args.statements,
            },
            { parent: this },
        );
        this.mapping = new aws.lambda.EventSourceMapping(
            `${name}-mapping`,
            {
                functionName: this.fn.arn,
                eventSourceArn: this.queue.arn,
                batchSize: args.batchSize,
                maximumBatchingWindowInSeconds: args.maxBatchingWindowSeconds,
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: args.maximumConcurrency },
            },
            // Lambda checks the role can read the queue when the mapping is created.
            { parent: this, dependsOn: [this.fn] },
        );
        this.registerOutputs({ queueUrl: this.queue.url, functionName: this.fn.functionName });
    }
}
