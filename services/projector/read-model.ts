/**
 * The CQRS read model in the global table: per order, a summary item (`order#<id>` / `summary`)
 * and an entry in its customer's list (`customer#<id>` / `order#<placedAt>#<id>`), so "an order"
 * and "a customer's orders" are each one key lookup or query.
 *
 * Every event carries the whole order and a version, and each item is written only if it holds
 * an older version (or does not exist): a redelivered event, a duplicate published by the outbox
 * relay, or an OrderPlaced overtaken by the saga's OrderConfirmed changes nothing. The two items
 * are written independently; a crash between them is repaired by the redelivery, which skips the
 * first and writes the second.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { entityKey, sortKey } from "../table-keys";
import type { OrderEvent, OrderStatus } from "../orders/model";

export const SUMMARY_SK = "summary";

/** What a reader gets for an order. */
export interface OrderView {
    pk: string;
    sk: string;
    orderId: string;
    customerId: string;
    status: OrderStatus;
    version: number;
    currency: string;
    totalCents: number;
    lineCount: number;
    lines: { sku: string; quantity: number; unitPriceCents: number }[];
    placedAt: string;
    updatedAt: string;
    lastEventId: string;
    reason?: string;
}

export const orderKey = (orderId: string) => ({ pk: entityKey("order", orderId), sk: SUMMARY_SK });
export const customerOrderKey = (customerId: string, placedAt: string, orderId: string) => ({
    pk: entityKey("customer", customerId),
    sk: sortKey("order", placedAt, orderId),
});

export type Outcome = "applied" | "stale";

/** Applies one event to both items; "stale" when neither needed it. */
export async function project(ddb: DynamoDBDocumentClient, tableName: string, event: OrderEvent): Promise<Outcome> {
    const { detail } = event;
    const o = detail.order;
    const view: Omit<OrderView, "pk" | "sk"> = {
        orderId: o.orderId,
        customerId: o.customerId,
        status: detail.status,
        version: detail.version,
        currency: o.currency,
        totalCents: o.totalCents,
        lineCount: o.lines.length,
        lines: o.lines,
        placedAt: o.placedAt,
        updatedAt: detail.occurredAt,
        lastEventId: detail.eventId,
        ...(detail.reason ? { reason: detail.reason } : {}),
    };
    const results = await Promise.all([
        putIfNewer(ddb, tableName, { ...orderKey(o.orderId), ...view }),
        putIfNewer(ddb, tableName, { ...customerOrderKey(o.customerId, o.placedAt, o.orderId), ...view }),
    ]);
    return results.includes("applied") ? "applied" : "stale";
}

async function putIfNewer(ddb: DynamoDBDocumentClient, tableName: string, item: OrderView): Promise<Outcome> {
    try {
        await ddb.send(
            new PutCommand({
                TableName: tableName,
                Item: item,
                ConditionExpression: "attribute_not_exists(pk) OR #version < :version",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":version": item.version },
            }),
        );
        return "applied";
    } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as Error).name === "ConditionalCheckFailedException") return "stale";
        throw err;
    }
}

/** Reads an order's summary (the query side). */
export async function getOrder(ddb: DynamoDBDocumentClient, tableName: string, orderId: string): Promise<OrderView | undefined> {
    const r = await ddb.send(new GetCommand({ TableName: tableName, Key: orderKey(orderId), ConsistentRead: true }));
    return r.Item as OrderView | undefined;
}
