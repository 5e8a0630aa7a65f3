import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import type { EventsConfig } from "../../config/sections/events";
import { ORDER_EVENT_TYPES, ORDER_SOURCE } from "../../services/orders/model";
import type { Statement } from "../iam";
import { busArns, EventBus } from "./bus";
import { QueueConsumer } from "./consumer";
import { OrderService, type OrderDatabase } from "./orders";
import { Saga } from "./saga";
import { StreamConsumer } from "./stream-consumer";
import { tableItems } from "./table-access";
import { FanOutTopic } from "./topic";

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
    readStatements(): Statement[];
    grantWrite(role: aws.iam.Role): aws.iam.RolePolicy;
}

export interface EventsArgs extends EventsConfig {
    region: string;
    accountId: pulumi.Input<string>;
    /** The platform key; its policy must let EventBridge (the bus, its archive, deliveries) and SNS use it. */
    kmsKeyArn: pulumi.Input<string>;
    /** SNS topic every alarm notifies. */
    alarmTopicArn: pulumi.Input<string>;
    /** The global table: the read model, the saga's items, the activity feeds. */
    table: { tableName: pulumi.Input<string>; tableArn: pulumi.Input<string>; ttlAttribute: string };
    /** The analytics Kinesis stream. */
    stream: AnalyticsStreamRef;
    /** The write model. */
    database: OrderDatabase;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Pulumi protect on the queues holding messages and the event archive. */
    protect: boolean;
}

const SERVICES = path.join(__dirname, "..", "..", "services");

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
        const parent = { parent: this };
        const common = { kmsKeyArn: args.kmsKeyArn, alarmTopicArn: args.alarmTopicArn, logRetentionDays: args.logRetentionDays };
        const busName = `platform-${pulumi.getStack()}`;
        const { busArn, ruleArnPattern } = busArns(args.region, args.accountId, busName);

        this.topic = new FanOutTopic(
            `${name}-order-events`,
            { kmsKeyArn: args.kmsKeyArn, publishers: [{ service: "events.amazonaws.com", sourceArn: ruleArnPattern, like: true }], alarmTopicArn: args.alarmTopicArn, protect: args.protect },
            parent,
        );
        this.bus = new EventBus(
            `${name}-bus`,
            {
                busName,
                region: args.region,
                accountId: args.accountId,
                kmsKeyArn: args.kmsKeyArn,
                archiveRetentionDays: args.archiveRetentionDays,
                archivedSources: [ORDER_SOURCE],
                targetRetryAttempts: args.targetRetryAttempts,
                targetMaxEventAgeSeconds: args.targetMaxEventAgeSeconds,
                alarmTopicArn: args.alarmTopicArn,
                protect: args.protect,
            },
            parent,
        );
        this.saga = new Saga(
            `${name}-order-saga`,
            { ...args.saga, ...common, tableName: args.table.tableName, tableArn: args.table.tableArn, ttlAttribute: args.table.ttlAttribute, busName, busArn, accountId: args.accountId },
            parent,
        );

        const consumerCommon = {
            ...common,
            region: args.region,
            senders: [{ service: "sns.amazonaws.com", sourceArn: this.topic.arn }],
            maxReceiveCount: args.maxReceiveCount,
            messageRetentionDays: args.messageRetentionDays,
            queueAgeAlarmMinutes: args.queueAgeAlarmMinutes,
            protect: args.protect,
        };
        this.projector = new QueueConsumer(
            `${name}-projector`,
            {
                ...args.projector,
                ...consumerCommon,
                entry: path.join(SERVICES, "projector", "handler.ts"),
                description: "CQRS projector: order events into the read model in the global table",
                environment: { TABLE_NAME: args.table.tableName },
                statements: [tableItems("ProjectReadModel", args.table.tableArn, ["PutItem"], ["order", "customer"])],
            },
            parent,
        );
        this.analyticsBridge = new QueueConsumer(
            `${name}-analytics-bridge`,
            {
                ...args.analyticsBridge,
                ...consumerCommon,
                entry: path.join(SERVICES, "analytics-bridge", "handler.ts"),
                description: "Order events into the analytics Kinesis stream",
                environment: { ANALYTICS_STREAM_NAME: args.stream.name },
                statements: [],
            },
            parent,
        );
        args.stream.grantWrite(this.analyticsBridge.fn.role);
        this.topic.subscribe("projector", this.projector.queue.arn);
        this.topic.subscribe("analytics-bridge", this.analyticsBridge.queue.arn);

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

        const processor = args.streamProcessor;
        this.streamProcessor = new StreamConsumer(
            `${name}-activity`,
            {
                ...common,
                entry: path.join(SERVICES, "activity", "handler.ts"),
                description: "Stream processor: analytics events into per-subject activity feeds",
                streamArn: args.stream.arn,
                streamReadStatements: args.stream.readStatements(),
                batchSize: processor.batchSize,
                maxBatchingWindowSeconds: processor.maxBatchingWindowSeconds,
                parallelizationFactor: processor.parallelizationFactor,
                maximumRetryAttempts: processor.maximumRetryAttempts,
                maximumRecordAgeSeconds: processor.maximumRecordAgeSeconds,
                reservedConcurrency: processor.reservedConcurrency,
                timeoutSeconds: processor.timeoutSeconds,
                memoryMb: processor.memoryMb,
                iteratorAgeAlarmSeconds: processor.iteratorAgeAlarmSeconds,
                environment: { TABLE_NAME: args.table.tableName, TTL_ATTRIBUTE: args.table.ttlAttribute, RETENTION_DAYS: String(processor.activityRetentionDays) },
                statements: [tableItems("WriteActivity", args.table.tableArn, ["BatchWriteItem", "PutItem"], ["activity"])],
                region: args.region,
                protect: args.protect,
            },
            parent,
        );

        this.orders = new OrderService(
            `${name}-orders`,
            { ...args.orders, ...common, database: args.database, vpcId: args.vpcId, subnetIds: args.privateSubnetIds, busName, busArn, accountId: args.accountId },
            parent,
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
}
