/**
 * AWS limits the event-driven settings must respect. Lambda rejects an event source mapping, or
 * quietly misbehaves, outside them; config/ checks each, so a bad value fails before any
 * resource is registered.
 */
export const EVENT_LIMITS = {
    /** An SQS event source's scalingConfig.maximumConcurrency is 2 to 1000. */
    sqsMaximumConcurrency: { min: 2, max: 1000 },
    /** An SQS batch above 10 messages needs MaximumBatchingWindowInSeconds of at least 1. */
    sqsBatchWithoutWindow: 10,
    /** AWS guidance: an SQS source queue's visibility timeout is at least 6x the function timeout (plus the batching window). */
    visibilityTimeoutFactor: 6,
    /** SQS keeps messages 60 s to 14 days. */
    maxMessageRetentionDays: 14,
    /** SQS visibility timeout is at most 12 hours. */
    maxVisibilityTimeoutSeconds: 43_200,
    /** An on-demand Kinesis stream starts with 4 shards (4 MiB/s of writes). */
    onDemandInitialShards: 4,
} as const;
