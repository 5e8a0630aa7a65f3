import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ORDER_EVENT_TYPES, ORDER_SOURCE } from "../../services/orders/model";
import type { Grantee, Permission } from "../grants";
import type { GlobalTable } from "../global-table";
import { busArns, EventBus } from "./bus";
import { QueueConsumer } from "./consumer";
import { OrderService, type OrderDatabase } from "./orders";
import { Saga } from "./saga";
import { StreamConsumer } from "./stream-consumer";
import { FanOutTopic } from "./topic";
import type { PlatformContext } from "../context";
import { platformName } from "../names";

export { EventBus } from "./bus";
export { QueueConsumer, visibilityTimeoutFor } from "./consumer";
export { FailureQueue, MessageQueue } from "./queue";
export { Saga } from "./saga";
export { StreamConsumer } from "./stream-consumer";
export { FanOutTopic } from "./topic";

/** What the stream processor and the bridge need of the analytics stream (see components/analytics/stream.ts). */
export interface AnalyticsStreamRef {
    name: pulumi.Input<string>;
    arn: pulumi.Input<string>;
    readPermission(): Permission;
    grantWrite(grantee: Grantee): aws.iam.RolePolicy;
}

export interface EventsArgs {
    /** Days the EventBridge archive keeps events for replay (0 keeps them forever). */
    archiveRetentionDays: number;
    /** Deliveries before a message moves to its dead-letter queue. */
    maxReceiveCount: number;
    /** Days a source queue keeps a message (1 to 14); dead-letter queues keep theirs the SQS maximum of 14 days. */
    messageRetentionDays: number;
    /** Alarm when a source queue's oldest message is older than this (consumers falling behind). */
    queueAgeAlarmMinutes: number;
    /** Days the functions' and the state machine's logs are kept. */
    logRetentionDays: number;
    /** Times EventBridge retries delivering an event to a target before its dead-letter queue (0 to 185). */
    targetRetryAttempts: number;
    /** Seconds EventBridge keeps retrying an event before its dead-letter queue (60 to 86400). */
    targetMaxEventAgeSeconds: number;
    /** The projector (CQRS read model): its SQS event source mapping and its function. */
    projector: {
        /** Messages per invocation of the projector (CQRS read model) (1 to 10,000; above 10 needs maxBatchingWindowSeconds of at least 1). */
        batchSize: number;
        /** Seconds Lambda gathers messages before invoking with a partial batch (0 to 300). */
        maxBatchingWindowSeconds: number;
        /** Most concurrent invocations the queue drives (2 to 1000, AWS's bounds); a burst beyond it waits in the queue (load levelling). */
        maximumConcurrency: number;
        /** Concurrency reserved for the function alone (a bulkhead); at least maximumConcurrency, so the mapping is never throttled. */
        reservedConcurrency: number;
        /** Function timeout; the queue's visibility timeout is 6x this plus the batching window. */
        timeoutSeconds: number;
        /** Function memory in MB (128 to 10240). */
        memoryMb: number;
    };
    /** The analytics bridge (order events into the Kinesis stream): its SQS event source mapping and its function. */
    analyticsBridge: {
        /** Messages per invocation of the analytics bridge (order events into the Kinesis stream) (1 to 10,000; above 10 needs maxBatchingWindowSeconds of at least 1). */
        batchSize: number;
        /** Seconds Lambda gathers messages before invoking with a partial batch (0 to 300). */
        maxBatchingWindowSeconds: number;
        /** Most concurrent invocations the queue drives (2 to 1000, AWS's bounds); a burst beyond it waits in the queue (load levelling). */
        maximumConcurrency: number;
        /** Concurrency reserved for the function alone (a bulkhead); at least maximumConcurrency, so the mapping is never throttled. */
        reservedConcurrency: number;
        /** Function timeout; the queue's visibility timeout is 6x this plus the batching window. */
        timeoutSeconds: number;
        /** Function memory in MB (128 to 10240). */
        memoryMb: number;
    };
    /** The Lambda consuming the analytics Kinesis stream into per-subject activity feeds. */
    streamProcessor: {
        /** Records per invocation (1 to 10,000). */
        batchSize: number;
        /** Seconds Lambda gathers records before invoking (0 to 300). */
        maxBatchingWindowSeconds: number;
        /** Concurrent batches per shard (1 to 10); records of one partition key stay in order. */
        parallelizationFactor: number;
        /** Retries of a failing batch before it goes to the failure queue (0 to 10000; never -1, which retries until the records expire). */
        maximumRetryAttempts: number;
        /** Records older than this go to the failure queue unprocessed (60 to 604800); must be below the stream's retention, so they can still be re-read. */
        maximumRecordAgeSeconds: number;
        /** Concurrency reserved for the function: at least shards x parallelizationFactor, or shards wait for a free slot. */
        reservedConcurrency: number;
        /** Function timeout. */
        timeoutSeconds: number;
        /** Function memory in MB (128 to 10240). */
        memoryMb: number;
        /** Alarm when the newest batch's records waited longer than this (the function's IteratorAge). */
        iteratorAgeAlarmSeconds: number;
        /** Days an activity feed item lives before the table's TTL removes it. */
        activityRetentionDays: number;
    };
    /** The order saga (Step Functions): reserve, charge, ship, with compensations. */
    saga: {
        /** Which execution events the state machine logs (ALL, ERROR or FATAL). */
        logLevel: "ALL" | "ERROR" | "FATAL";
        /** Log states' input and output; they hold customers' addresses, so prod must not. */
        includeExecutionData: boolean;
        /** An execution taking longer fails (and alarms); at least the saga's worst case (every retry used up, compensations included), which validation computes. */
        timeoutMinutes: number;
        /** Timeout of each step's function. */
        taskTimeoutSeconds: number;
        /** Retries of a forward step on transient errors (throttling, Lambda service errors); business errors are never retried. */
        taskRetryAttempts: number;
        /** Retries of a compensation on any error before the saga gives up and alarms. */
        compensationRetryAttempts: number;
        /** Concurrency reserved for each of the three step functions (inventory, payments, shipping); the saga's Map states run at most this many of an order's lines at once (and at most 10). */
        taskReservedConcurrency: number;
        /** The payments step declines an order whose total is above this many cents (a per-order charge limit); the saga then compensates. */
        maxChargeCents: number;
        /** Countries the shipping step accepts (ISO 3166 alpha-2); orders to others are cancelled and compensated. */
        shipToCountries: string[];
    };
    /** The CQRS write path: PostgreSQL with a transactional outbox, published to the bus. */
    orders: {
        /** Timeout of the place-order and outbox-relay functions. */
        timeoutSeconds: number;
        /** Concurrency reserved for placing orders: bounds the database connections the function can open through RDS Proxy. */
        reservedConcurrency: number;
        /** The outbox relay publishes events a failed or crashed write left unpublished, every this many minutes. */
        relayIntervalMinutes: number;
        /** Outbox rows the relay publishes per run (PutEvents takes 10 per call). */
        relayBatchSize: number;
    };
    /** The global table: the read model, the saga's items, the activity feeds. */
    table: Pick<GlobalTable, "tableName" | "ttlAttribute" | "keyedItemsPermission">;
    /** The analytics Kinesis stream. */
    stream: AnalyticsStreamRef;
    /** The write model. */
    database: OrderDatabase;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

const SERVICES = path.join(__dirname, "..", "..", "services");

/** What every function of the events side shares: the platform key, the alarm topic, log retention. */
function functionCommon(args: EventsArgs) {
    return { kmsKeyArn: args.context.kmsKeyArn, alarmTopicArn: args.context.alarmTopicArn, logRetentionDays: args.logRetentionDays };
}
type FunctionCommon = ReturnType<typeof functionCommon>;

/**
 * The event-driven side of the platform, wired end to end:
 *
 * - the write path (OrderService) commits an order and its OrderPlaced event to PostgreSQL and
 *   publishes the event to the bus;
 * - the bus (EventBus) archives every domain event and routes OrderPlaced to the saga (Saga),
 *   and every order event to an SNS topic (FanOutTopic);
 * - the topic fans out to two queues, each with its own consumer (QueueConsumer): the projector,
 *   which keeps the read model in the global table, and the analytics bridge, which feeds order
 *   events into the analytics stream;
 * - the stream processor (StreamConsumer) reads the analytics stream into per-subject activity
 *   feeds in the table.
 */
export class Events extends pulumi.ComponentResource {
    public readonly bus: EventBus;
    public readonly topic: FanOutTopic;
    public readonly saga: Saga;
    public readonly projector: QueueConsumer;
    public readonly analyticsBridge: QueueConsumer;
    public readonly streamProcessor: StreamConsumer;
    public readonly orders: OrderService;
    /** Every queue URL by role: consumers' queues, their dead-letter queues, and the failure queues. */
    public readonly queueUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: EventsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:Events", name, {}, opts);
        const common = functionCommon(args);
        const busName = platformName();
        const { busArn, ruleArnPattern } = busArns(args.context.region, args.context.accountId, busName);

        this.topic = this.fanOutTopic(name, args, ruleArnPattern);
        this.bus = this.eventBus(name, args, busName);
        this.saga = new Saga(
            `${name}-order-saga`,
            { ...args.saga, ...common, table: args.table, busName, busArn, accountId: args.context.accountId },
            { parent: this },
        );
        const consumers = this.topicConsumers(name, args, common, this.topic);
        this.projector = consumers.projector;
        this.analyticsBridge = consumers.analyticsBridge;
        this.routeOrderEvents();
        this.streamProcessor = this.activityProcessor(name, args, common);
        this.orders = new OrderService(
            `${name}-orders`,
            {
                ...args.orders,
                ...common,
                database: args.database,
                vpcId: args.vpcId,
                subnetIds: args.privateSubnetIds,
                busName,
                busArn,
                accountId: args.context.accountId,
            },
            { parent: this },
        );

        const urls: Record<string, pulumi.Output<string>> = {
            projector: this.projector.queue.url,
            projectorDeadLetters: this.projector.queue.deadLetterQueueUrl,
            analyticsBridge: this.analyticsBridge.queue.url,
            analyticsBridgeDeadLetters: this.analyticsBridge.queue.deadLetterQueueUrl,
            busDeliveryFailures: this.bus.failures.url,
            topicDeliveryFailures: this.topic.deliveryFailures.url,
            streamFailures: this.streamProcessor.failures.url,
        };
        this.queueUrls = pulumi.all(urls);
        this.registerOutputs({ busName: this.bus.name, sagaArn: this.saga.arn, queueUrls: this.queueUrls });
    }

    /** The SNS topic every order event fans out through; only this account's EventBridge rules publish to it. */
    private fanOutTopic(name: string, args: EventsArgs, ruleArnPattern: pulumi.Output<string>): FanOutTopic {
        return new FanOutTopic(
            `${name}-order-events`,
            {
                kmsKeyArn: args.context.kmsKeyArn,
                publishers: [{ service: "events.amazonaws.com", sourceArn: ruleArnPattern, like: true }],
                alarmTopicArn: args.context.alarmTopicArn,
                protect: args.context.stateful.protect,
            },
            { parent: this },
        );
    }

    /** The custom bus, archiving the order events for replay. */
    private eventBus(name: string, args: EventsArgs, busName: string): EventBus {
        return new EventBus(
            `${name}-bus`,
            {
                busName,
                region: args.context.region,
                accountId: args.context.accountId,
                kmsKeyArn: args.context.kmsKeyArn,
                archiveRetentionDays: args.archiveRetentionDays,
                archivedSources: [ORDER_SOURCE],
                targetRetryAttempts: args.targetRetryAttempts,
                targetMaxEventAgeSeconds: args.targetMaxEventAgeSeconds,
                alarmTopicArn: args.context.alarmTopicArn,
                protect: args.context.stateful.protect,
            },
            { parent: this },
        );
    }

    /** The topic's two subscribers, each a queue with its consumer: the projector (read model) and the analytics bridge (Kinesis). */
    private topicConsumers(
        name: string,
        args: EventsArgs,
        common: FunctionCommon,
        topic: FanOutTopic,
    ): { projector: QueueConsumer; analyticsBridge: QueueConsumer } {
        const consumerCommon = {
            ...common,
            region: args.context.region,
            senders: [{ service: "sns.amazonaws.com", sourceArn: topic.arn }],
            maxReceiveCount: args.maxReceiveCount,
            messageRetentionDays: args.messageRetentionDays,
            queueAgeAlarmMinutes: args.queueAgeAlarmMinutes,
            protect: args.context.stateful.protect,
        };
        const projector = new QueueConsumer(
            `${name}-projector`,
            {
                ...args.projector,
                ...consumerCommon,
                entry: path.join(SERVICES, "projector", "handler.ts"),
                description: "CQRS projector: order events into the read model in the global table",
                environment: { TABLE_NAME: args.table.tableName },
                statements: [],
                grants: [
                    args.table.keyedItemsPermission({
                        name: "project-read-model",
                        sid: "ProjectReadModel",
                        actions: ["PutItem"],
                        prefixes: ["order", "customer"],
                    }),
                ],
            },
            { parent: this },
        );
        const analyticsBridge = new QueueConsumer(
            `${name}-analytics-bridge`,
            {
                ...args.analyticsBridge,
                ...consumerCommon,
                entry: path.join(SERVICES, "analytics-bridge", "handler.ts"),
                description: "Order events into the analytics Kinesis stream",
                environment: { ANALYTICS_STREAM_NAME: args.stream.name },
                statements: [],
            },
            { parent: this },
        );
        args.stream.grantWrite(analyticsBridge.fn);
        topic.subscribe("projector", projector.queue.arn);
        topic.subscribe("analytics-bridge", analyticsBridge.queue.arn);
        return { projector, analyticsBridge };
    }

    /** The bus's rules: every order event to the fan-out topic, OrderPlaced to the saga. */
    private routeOrderEvents(): void {
        this.bus.route("order-events", {
            description: "Every order event to the fan-out topic (projector, analytics bridge)",
            pattern: { source: [ORDER_SOURCE], "detail-type": ORDER_EVENT_TYPES },
            target: { arn: this.topic.arn },
        });
        this.bus.route("order-placed", {
            description: "OrderPlaced starts the order saga",
            pattern: { source: [ORDER_SOURCE], "detail-type": ["OrderPlaced"] },
            target: { arn: this.saga.arn, roleArn: this.saga.starterRoleArn, inputPath: "$.detail" },
        });
    }

    /** The stream processor: the analytics stream into per-subject activity feeds in the table. */
    private activityProcessor(name: string, args: EventsArgs, common: FunctionCommon): StreamConsumer {
        const processor = args.streamProcessor;
        return new StreamConsumer(
            `${name}-activity`,
            {
                ...common,
                entry: path.join(SERVICES, "activity", "handler.ts"),
                description: "Stream processor: analytics events into per-subject activity feeds",
                stream: args.stream,
                batchSize: processor.batchSize,
                maxBatchingWindowSeconds: processor.maxBatchingWindowSeconds,
                parallelizationFactor: processor.parallelizationFactor,
                maximumRetryAttempts: processor.maximumRetryAttempts,
                maximumRecordAgeSeconds: processor.maximumRecordAgeSeconds,
                reservedConcurrency: processor.reservedConcurrency,
                timeoutSeconds: processor.timeoutSeconds,
                memoryMb: processor.memoryMb,
                iteratorAgeAlarmSeconds: processor.iteratorAgeAlarmSeconds,
                environment: {
                    TABLE_NAME: args.table.tableName,
                    TTL_ATTRIBUTE: args.table.ttlAttribute,
                    RETENTION_DAYS: String(processor.activityRetentionDays),
                },
                statements: [],
                grants: [
                    args.table.keyedItemsPermission({
                        name: "write-activity",
                        sid: "WriteActivity",
                        actions: ["BatchWriteItem", "PutItem"],
                        prefixes: ["activity"],
                    }),
                ],
                region: args.context.region,
                protect: args.context.stateful.protect,
            },
            { parent: this },
        );
    }
}
