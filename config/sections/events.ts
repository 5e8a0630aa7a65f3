import { z } from "zod";
import { EVENT_LIMITS } from "../../lib/event-limits";
import { RELAY_RESERVED_CONCURRENCY, SAGA_STEP_FUNCTIONS } from "../../lib/event-concurrency";
import { lineConcurrencyFor, MAX_ORDER_LINES, sagaWorstCase } from "../../lib/saga-definition";
import { logRetentionDays, type ProfileDefaults } from "../common";

const lambdaTimeout = z.int().min(1).max(900);
const lambdaMemory = z.int().min(128).max(10240);
// What the account can reserve in all is checked against platform:account.lambdaConcurrencyLimit (config/rules.ts).
const reserved = z.int().min(1);

const queueConsumer = (what: string) =>
    z
        .strictObject({
            batchSize: z
                .int()
                .min(1)
                .max(10_000)
                .describe(`Messages per invocation of the ${what} (1 to 10,000; above 10 needs maxBatchingWindowSeconds of at least 1).`),
            maxBatchingWindowSeconds: z.int().min(0).max(300).describe("Seconds Lambda gathers messages before invoking with a partial batch (0 to 300)."),
            maximumConcurrency: z
                .int()
                .min(EVENT_LIMITS.sqsMaximumConcurrency.min)
                .max(EVENT_LIMITS.sqsMaximumConcurrency.max)
                .describe("Most concurrent invocations the queue drives (2 to 1000, AWS's bounds); a burst beyond it waits in the queue (load levelling)."),
            reservedConcurrency: reserved.describe(
                "Concurrency reserved for the function alone (a bulkhead); at least maximumConcurrency, so the mapping is never throttled.",
            ),
            timeoutSeconds: lambdaTimeout.describe("Function timeout; the queue's visibility timeout is 6x this plus the batching window."),
            memoryMb: lambdaMemory.describe("Function memory in MB (128 to 10240)."),
        })
        .describe(`The ${what}: its SQS event source mapping and its function.`);

/** `platform:events`: EventBridge, SNS/SQS fan-out with DLQs, Lambda consumers, the stream processor, the order saga and the CQRS write path. */
export const schema = z
    .strictObject({
        archiveRetentionDays: z.int().min(0).max(3650).describe("Days the EventBridge archive keeps events for replay (0 keeps them forever)."),
        maxReceiveCount: z.int().min(1).max(1000).describe("Deliveries before a message moves to its dead-letter queue."),
        messageRetentionDays: z
            .int()
            .min(1)
            .max(EVENT_LIMITS.maxMessageRetentionDays)
            .describe("Days a source queue keeps a message (1 to 14); dead-letter queues keep theirs the SQS maximum of 14 days."),
        queueAgeAlarmMinutes: z.int().min(1).describe("Alarm when a source queue's oldest message is older than this (consumers falling behind)."),
        logRetentionDays: logRetentionDays.describe("Days the functions' and the state machine's logs are kept."),
        targetRetryAttempts: z
            .int()
            .min(0)
            .max(185)
            .describe("Times EventBridge retries delivering an event to a target before its dead-letter queue (0 to 185)."),
        targetMaxEventAgeSeconds: z
            .int()
            .min(60)
            .max(86_400)
            .describe("Seconds EventBridge keeps retrying an event before its dead-letter queue (60 to 86400)."),
        projector: queueConsumer("projector (CQRS read model)"),
        analyticsBridge: queueConsumer("analytics bridge (order events into the Kinesis stream)"),
        streamProcessor: z
            .strictObject({
                batchSize: z.int().min(1).max(10_000).describe("Records per invocation (1 to 10,000)."),
                maxBatchingWindowSeconds: z.int().min(0).max(300).describe("Seconds Lambda gathers records before invoking (0 to 300)."),
                parallelizationFactor: z.int().min(1).max(10).describe("Concurrent batches per shard (1 to 10); records of one partition key stay in order."),
                maximumRetryAttempts: z
                    .int()
                    .min(0)
                    .max(10_000)
                    .describe("Retries of a failing batch before it goes to the failure queue (0 to 10000; never -1, which retries until the records expire)."),
                maximumRecordAgeSeconds: z
                    .int()
                    .min(60)
                    .max(604_800)
                    .describe(
                        "Records older than this go to the failure queue unprocessed (60 to 604800); must be below the stream's retention, so they can still be re-read.",
                    ),
                reservedConcurrency: reserved.describe(
                    "Concurrency reserved for the function: at least shards x parallelizationFactor, or shards wait for a free slot.",
                ),
                timeoutSeconds: lambdaTimeout.describe("Function timeout."),
                memoryMb: lambdaMemory.describe("Function memory in MB (128 to 10240)."),
                iteratorAgeAlarmSeconds: z.int().min(1).describe("Alarm when the newest batch's records waited longer than this (the function's IteratorAge)."),
                activityRetentionDays: z.int().min(1).max(3650).describe("Days an activity feed item lives before the table's TTL removes it."),
            })
            .describe("The Lambda consuming the analytics Kinesis stream into per-subject activity feeds."),
        saga: z
            .strictObject({
                logLevel: z.enum(["ALL", "ERROR", "FATAL"]).describe("Which execution events the state machine logs (ALL, ERROR or FATAL)."),
                includeExecutionData: z.boolean().describe("Log states' input and output; they hold customers' addresses, so prod must not."),
                timeoutMinutes: z
                    .int()
                    .min(1)
                    .max(1440)
                    .describe(
                        "An execution taking longer fails (and alarms); at least the saga's worst case (every retry used up, compensations included), which validation computes.",
                    ),
                taskTimeoutSeconds: z.int().min(3).max(900).describe("Timeout of each step's function."),
                taskRetryAttempts: z
                    .int()
                    .min(0)
                    .max(10)
                    .describe("Retries of a forward step on transient errors (throttling, Lambda service errors); business errors are never retried."),
                compensationRetryAttempts: z.int().min(1).max(20).describe("Retries of a compensation on any error before the saga gives up and alarms."),
                taskReservedConcurrency: reserved.describe(
                    "Concurrency reserved for each of the three step functions (inventory, payments, shipping); the saga's Map states run at most this many of an order's lines at once (and at most 10).",
                ),
                maxChargeCents: z
                    .int()
                    .min(1)
                    .describe(
                        "The payments step declines an order whose total is above this many cents (a per-order charge limit); the saga then compensates.",
                    ),
                shipToCountries: z
                    .array(z.string().regex(/^[A-Z]{2}$/, { message: "must be an ISO 3166 alpha-2 country code such as US" }))
                    .min(1)
                    .describe("Countries the shipping step accepts (ISO 3166 alpha-2); orders to others are cancelled and compensated."),
            })
            .describe("The order saga (Step Functions): reserve, charge, ship, with compensations."),
        orders: z
            .strictObject({
                timeoutSeconds: lambdaTimeout.describe("Timeout of the place-order and outbox-relay functions."),
                reservedConcurrency: reserved.describe(
                    "Concurrency reserved for placing orders: bounds the database connections the function can open through RDS Proxy.",
                ),
                relayIntervalMinutes: z
                    .int()
                    .min(1)
                    .max(60)
                    .describe("The outbox relay publishes events a failed or crashed write left unpublished, every this many minutes."),
                relayBatchSize: z.int().min(1).max(1000).describe("Outbox rows the relay publishes per run (PutEvents takes 10 per call)."),
            })
            .describe("The CQRS write path: PostgreSQL with a transactional outbox, published to the bus."),
    })
    .superRefine((e, ctx) => {
        for (const name of ["projector", "analyticsBridge"] as const) {
            const c = e[name];
            if (c.batchSize > EVENT_LIMITS.sqsBatchWithoutWindow && c.maxBatchingWindowSeconds < 1) {
                ctx.addIssue({
                    code: "custom",
                    path: [name, "maxBatchingWindowSeconds"],
                    input: c.maxBatchingWindowSeconds,
                    message: `must be at least 1 with batchSize ${c.batchSize}: Lambda takes SQS batches above 10 messages only with a batching window`,
                });
            }
            if (c.reservedConcurrency < c.maximumConcurrency) {
                ctx.addIssue({
                    code: "custom",
                    path: [name, "reservedConcurrency"],
                    input: c.reservedConcurrency,
                    message: `is below maximumConcurrency ${c.maximumConcurrency}: the mapping would be throttled, and throttled messages count as receives toward the dead-letter queue`,
                });
            }
        }
        const worst = sagaWorstCase(e.saga);
        if (worst.seconds > e.saga.timeoutMinutes * 60) {
            const s = e.saga;
            const slowest = worst.path
                .filter((p) => p.seconds > 0)
                .map((p) => `${p.state} ${Math.ceil(p.seconds)} s`)
                .join(", ");
            ctx.addIssue({
                code: "custom",
                path: ["saga", "timeoutMinutes"],
                input: s.timeoutMinutes,
                message:
                    `is below the saga's worst case of ${Math.ceil(worst.seconds / 60)} minutes (${Math.ceil(worst.seconds)} s: ${slowest}) with taskTimeoutSeconds ${s.taskTimeoutSeconds}, ` +
                    `taskRetryAttempts ${s.taskRetryAttempts}, compensationRetryAttempts ${s.compensationRetryAttempts} and taskReservedConcurrency ${s.taskReservedConcurrency} ` +
                    `(${lineConcurrencyFor(s.taskReservedConcurrency)} of an order's up to ${MAX_ORDER_LINES} lines at once): an execution could time out half-way through undoing an order, and nothing catches a timeout. ` +
                    `Raise timeoutMinutes or lower those`,
            });
        }
    });
export type EventsConfig = z.infer<typeof schema>;

type Reserving = Pick<EventsConfig, "projector" | "analyticsBridge" | "streamProcessor" | "orders" | "saga">;

/**
 * Concurrency each function of the platform reserves, by where it comes from: the consumers, the
 * stream processor, the write path, the outbox relay and the saga's steps (the last two set by
 * their components). No other function reserves any; a stack test holds the plan to this.
 */
export function reservedConcurrencyByFunction(e: Reserving): Record<string, number> {
    return {
        "events.projector": e.projector.reservedConcurrency,
        "events.analyticsBridge": e.analyticsBridge.reservedConcurrency,
        "events.streamProcessor": e.streamProcessor.reservedConcurrency,
        "events.orders (place order)": e.orders.reservedConcurrency,
        "outbox relay": RELAY_RESERVED_CONCURRENCY,
        ...Object.fromEntries(SAGA_STEP_FUNCTIONS.map((step) => [`events.saga (${step})`, e.saga.taskReservedConcurrency])),
    };
}

/** Concurrency the platform's functions reserve together. */
export function reservedConcurrencyTotal(e: Reserving): number {
    return Object.values(reservedConcurrencyByFunction(e)).reduce((a, b) => a + b, 0);
}

const COUNTRIES = ["US", "CA", "GB", "IE", "DE", "FR", "NL"];

export const defaults: ProfileDefaults<EventsConfig> = {
    dev: {
        archiveRetentionDays: 7,
        maxReceiveCount: 3,
        messageRetentionDays: 4,
        queueAgeAlarmMinutes: 30,
        logRetentionDays: 14,
        targetRetryAttempts: 20,
        targetMaxEventAgeSeconds: 3600,
        projector: { batchSize: 10, maxBatchingWindowSeconds: 0, maximumConcurrency: 2, reservedConcurrency: 2, timeoutSeconds: 30, memoryMb: 256 },
        analyticsBridge: { batchSize: 10, maxBatchingWindowSeconds: 1, maximumConcurrency: 2, reservedConcurrency: 2, timeoutSeconds: 30, memoryMb: 256 },
        streamProcessor: {
            batchSize: 100,
            maxBatchingWindowSeconds: 1,
            parallelizationFactor: 1,
            maximumRetryAttempts: 3,
            maximumRecordAgeSeconds: 3600,
            reservedConcurrency: 4,
            timeoutSeconds: 60,
            memoryMb: 256,
            iteratorAgeAlarmSeconds: 300,
            activityRetentionDays: 30,
        },
        saga: {
            logLevel: "ALL",
            includeExecutionData: true,
            // The worst case (every retry of an order of 100 lines, 2 at a time) takes 498 minutes.
            timeoutMinutes: 500,
            taskTimeoutSeconds: 30,
            taskRetryAttempts: 3,
            compensationRetryAttempts: 6,
            taskReservedConcurrency: 2,
            maxChargeCents: 100_000,
            shipToCountries: COUNTRIES,
        },
        orders: { timeoutSeconds: 15, reservedConcurrency: 5, relayIntervalMinutes: 1, relayBatchSize: 100 },
    },
    prod: {
        archiveRetentionDays: 90,
        maxReceiveCount: 5,
        messageRetentionDays: 7,
        queueAgeAlarmMinutes: 10,
        logRetentionDays: 365,
        targetRetryAttempts: 185,
        targetMaxEventAgeSeconds: 86_400,
        projector: { batchSize: 10, maxBatchingWindowSeconds: 0, maximumConcurrency: 20, reservedConcurrency: 20, timeoutSeconds: 30, memoryMb: 512 },
        analyticsBridge: { batchSize: 100, maxBatchingWindowSeconds: 5, maximumConcurrency: 10, reservedConcurrency: 10, timeoutSeconds: 60, memoryMb: 512 },
        streamProcessor: {
            batchSize: 500,
            maxBatchingWindowSeconds: 1,
            parallelizationFactor: 2,
            maximumRetryAttempts: 5,
            maximumRecordAgeSeconds: 21_600,
            reservedConcurrency: 16,
            timeoutSeconds: 60,
            memoryMb: 512,
            iteratorAgeAlarmSeconds: 60,
            activityRetentionDays: 90,
        },
        saga: {
            logLevel: "ERROR",
            includeExecutionData: false,
            // The worst case (every retry of an order of 100 lines, 10 at a time) takes 203 minutes.
            timeoutMinutes: 210,
            taskTimeoutSeconds: 30,
            taskRetryAttempts: 3,
            compensationRetryAttempts: 10,
            taskReservedConcurrency: 20,
            maxChargeCents: 500_000,
            shipToCountries: COUNTRIES,
        },
        orders: { timeoutSeconds: 15, reservedConcurrency: 50, relayIntervalMinutes: 1, relayBatchSize: 200 },
    },
};
