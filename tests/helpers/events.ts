/** Fixtures for the event-driven services' tests: orders, their events, and a DynamoDB client for dynalite. */
import { randomUUID } from "crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
    ORDER_EVENTS,
    ORDER_SOURCE,
    totalCents,
    type Order,
    type OrderEventDetail,
    type OrderEventType,
    type PlaceOrderCommand,
} from "../../services/orders/model";
import { stockKey } from "../../services/saga/inventory";
import { LOCAL_CREDENTIALS, type DynamoServer } from "../services/web/servers";

export function documentClient(server: DynamoServer): DynamoDBDocumentClient {
    return DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1", endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS }), {
        marshallOptions: { removeUndefinedValues: true },
    });
}

export function command(overrides: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand {
    return {
        orderId: randomUUID(),
        customerId: "cust-42",
        currency: "EUR",
        lines: [
            { sku: "book-1", quantity: 2, unitPriceCents: 1500 },
            { sku: "pen-7", quantity: 3, unitPriceCents: 250 },
        ],
        shipTo: { name: "Ada Lovelace", line1: "12 St James's Square", city: "London", postalCode: "SW1Y 4JH", country: "GB" },
        ...overrides,
    };
}

export function orderOf(cmd: PlaceOrderCommand, placedAt = "2026-03-01T10:00:00.000Z"): Order {
    return { ...cmd, totalCents: totalCents(cmd.lines), placedAt };
}

/** An order event's detail as its publisher writes it. */
export function detailOf(type: OrderEventType, order: Order, extra: Partial<OrderEventDetail> = {}): OrderEventDetail {
    const { status, version } = ORDER_EVENTS[type];
    return { eventId: `${order.orderId}:${status.toLowerCase()}`, orderId: order.orderId, version, status, occurredAt: order.placedAt, order, ...extra };
}

/** The EventBridge event JSON (what an SQS message body holds after SNS raw delivery). */
export function envelope(type: OrderEventType, detail: OrderEventDetail): string {
    return JSON.stringify({
        version: "0",
        id: randomUUID(),
        "detail-type": type,
        source: ORDER_SOURCE,
        account: "123456789012",
        time: detail.occurredAt,
        region: "us-east-1",
        resources: [],
        detail,
    });
}

export async function stock(ddb: DynamoDBDocumentClient, tableName: string, sku: string, available: number): Promise<void> {
    await ddb.send(new PutCommand({ TableName: tableName, Item: { ...stockKey(sku), available } }));
}
