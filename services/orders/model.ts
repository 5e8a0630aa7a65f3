/**
 * The order domain's contract, shared by everything that writes or reads orders: the command the
 * write path accepts, and the events on the bus (OrderPlaced from the write path, OrderConfirmed
 * or OrderCancelled from the saga). Each event carries the whole order and a version, so a
 * consumer can build its view from any one event and ignore older or repeated ones.
 */
import { z } from "zod";

/** The bus source of every order event. */
export const ORDER_SOURCE = "platform.orders";

/** The metrics the outbox relay writes each run (dimension FunctionName: the relay), and the alarm watches. */
export const OUTBOX_METRICS = {
    namespace: "Platform/Orders",
    parked: "OutboxParked",
    pending: "OutboxPending",
    oldestPendingAge: "OutboxOldestPendingAge",
} as const;

/** Event types (EventBridge detail-type), the status each one sets, and its version in the order's life. */
export const ORDER_EVENTS = {
    OrderPlaced: { status: "PLACED", version: 1 },
    OrderConfirmed: { status: "CONFIRMED", version: 2 },
    OrderCancelled: { status: "CANCELLED", version: 2 },
} as const;
export type OrderEventType = keyof typeof ORDER_EVENTS;
export type OrderStatus = (typeof ORDER_EVENTS)[OrderEventType]["status"];
export const ORDER_EVENT_TYPES = Object.keys(ORDER_EVENTS) as OrderEventType[];

/** Ids become parts of table keys, so they may not contain "#" (see services/table-keys.ts). */
const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: "must be 1-64 letters, digits or _ . : -" });

export const orderLine = z.strictObject({
    sku: id,
    quantity: z.int().min(1).max(1000),
    unitPriceCents: z.int().min(0).max(100_000_000),
});
export type OrderLine = z.infer<typeof orderLine>;

export const address = z.strictObject({
    name: z.string().min(1).max(200),
    line1: z.string().min(1).max(200),
    line2: z.string().max(200).optional(),
    city: z.string().min(1).max(100),
    postalCode: z.string().min(1).max(20),
    country: z.string().regex(/^[A-Z]{2}$/, { message: "must be an ISO 3166 alpha-2 country code" }),
});
export type Address = z.infer<typeof address>;

/** What a client sends to place an order. The client picks orderId (a UUID): retrying with it is safe. */
export const placeOrderCommand = z.strictObject({
    orderId: z.uuid(),
    customerId: id,
    currency: z.string().regex(/^[A-Z]{3}$/, { message: "must be an ISO 4217 currency code such as EUR" }),
    // Bounded so an order event stays far below EventBridge's 256 KB entry limit.
    lines: z.array(orderLine).min(1).max(100),
    shipTo: address,
});
export type PlaceOrderCommand = z.infer<typeof placeOrderCommand>;

/** An order as the events carry it. */
export const order = placeOrderCommand.extend({
    totalCents: z.int().min(0),
    placedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof order>;

export const orderEventDetail = z.object({
    /** Unique per event; a redelivery or republish carries the same id. */
    eventId: z.string().min(1).max(128),
    orderId: z.uuid(),
    version: z.int().min(1),
    status: z.enum(["PLACED", "CONFIRMED", "CANCELLED"]),
    occurredAt: z.iso.datetime(),
    order,
    /** Why the saga cancelled the order (its error name). */
    reason: z.string().max(256).optional(),
});
export type OrderEventDetail = z.infer<typeof orderEventDetail>;

/** An order event as EventBridge delivers it (also the SQS message body behind SNS raw delivery). */
export interface OrderEvent {
    type: OrderEventType;
    detail: OrderEventDetail;
}

export class InvalidEventError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InvalidEventError";
    }
}

/** Parses and checks an EventBridge event: an order event from the orders source, with a consistent detail. */
export function parseOrderEvent(body: string): OrderEvent {
    let envelope: { source?: unknown; "detail-type"?: unknown; detail?: unknown };
    try {
        envelope = JSON.parse(body);
    } catch {
        throw new InvalidEventError("not JSON");
    }
    if (envelope?.source !== ORDER_SOURCE) throw new InvalidEventError(`source ${JSON.stringify(envelope?.source)} is not ${ORDER_SOURCE}`);
    const type = envelope["detail-type"];
    if (typeof type !== "string" || !(type in ORDER_EVENTS)) throw new InvalidEventError(`detail-type ${JSON.stringify(type)} is not an order event`);
    const parsed = orderEventDetail.safeParse(envelope.detail);
    if (!parsed.success)
        throw new InvalidEventError(`${type} detail is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const expected = ORDER_EVENTS[type as OrderEventType];
    const detail = parsed.data;
    if (detail.status !== expected.status || detail.version !== expected.version || detail.order.orderId !== detail.orderId) {
        throw new InvalidEventError(
            `${type} must carry status ${expected.status}, version ${expected.version} and its own order (got ${detail.status}, ${detail.version})`,
        );
    }
    return { type: type as OrderEventType, detail };
}

/** The total the customer pays, in the order's currency's minor unit. */
export function totalCents(lines: readonly OrderLine[]): number {
    return lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
}
