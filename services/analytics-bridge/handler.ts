/**
 * The analytics bridge: the second subscriber of the order events' fan-out. It turns each order
 * event into an analytics event (order.placed, order.confirmed, order.cancelled) and writes the
 * batch to the analytics Kinesis stream with the batched producer, reporting only the messages
 * whose records Kinesis did not take. The event id travels as the analytics event id, so the
 * lake can drop the duplicates a redelivery makes.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { partitionKeyOf, toEventRecord, type AnalyticsEvent } from "../analytics/event";
import { KinesisProducer, PutRecordsFailedError, type ProducerOptions } from "../analytics/producer";
import { kinesisClient } from "../analytics/publisher";
import { parseOrderEvent, type OrderEvent } from "../orders/model";

/** The `source` analytics events from this bridge carry. */
export const BRIDGE_SOURCE = "orders";

const ANALYTICS_TYPE: Record<OrderEvent["type"], string> = {
    OrderPlaced: "order.placed",
    OrderConfirmed: "order.confirmed",
    OrderCancelled: "order.cancelled",
};

/** The analytics event for an order event: the customer is its subject, so a customer's events share a shard. */
export function toAnalyticsEvent(e: OrderEvent): AnalyticsEvent {
    const o = e.detail.order;
    return {
        id: e.detail.eventId,
        type: ANALYTICS_TYPE[e.type],
        subjectId: o.customerId,
        occurredAt: new Date(e.detail.occurredAt),
        attributes: { orderId: o.orderId, status: e.detail.status, currency: o.currency, ...(e.detail.reason ? { reason: e.detail.reason } : {}) },
        payload: { totalCents: o.totalCents, lines: o.lines.length, items: o.lines.reduce((n, l) => n + l.quantity, 0), country: o.shipTo.country },
    };
}

export function createBridge(options: Omit<ProducerOptions, "streamName" | "streamArn"> & { streamName: string }) {
    const producer = new KinesisProducer(options);
    return async (event: SQSEvent): Promise<SQSBatchResponse> => {
        const failures = new Set<string>();
        const sent: { messageId: string; data: string; partitionKey: string }[] = [];
        for (const r of event.Records) {
            try {
                const record = toEventRecord(toAnalyticsEvent(parseOrderEvent(r.body)), BRIDGE_SOURCE);
                sent.push({ messageId: r.messageId, data: JSON.stringify(record), partitionKey: partitionKeyOf(record) });
            } catch (err) {
                failures.add(r.messageId);
                console.error(
                    JSON.stringify({
                        message: "not an order event, or not a valid analytics event (services/analytics/event.ts); SQS redelivers it, then dead-letters it",
                        messageId: r.messageId,
                        error: String(err),
                    }),
                );
            }
        }
        if (sent.length > 0) {
            try {
                await producer.send(sent.map(({ data, partitionKey }) => ({ data, partitionKey })));
            } catch (err) {
                if (!(err instanceof PutRecordsFailedError)) throw err; // the whole call failed: SQS redelivers the batch
                for (const f of err.failed) failures.add(sent[f.index].messageId);
                console.error(JSON.stringify({ message: "records not written to Kinesis; SQS redelivers their messages", error: err.message }));
            }
        }
        return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
    };
}

let bridge: ReturnType<typeof createBridge> | undefined;
export const handler = (event: SQSEvent) => {
    const streamName = process.env.ANALYTICS_STREAM_NAME;
    if (!streamName) throw new Error("ANALYTICS_STREAM_NAME is not set");
    bridge ??= createBridge({ client: kinesisClient({ region: process.env.AWS_REGION ?? "", endpoint: process.env.KINESIS_ENDPOINT }), streamName });
    return bridge(event);
};
