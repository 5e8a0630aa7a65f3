/**
 * The write path: an order and its OrderPlaced event are committed in one PostgreSQL
 * transaction (the transactional outbox), so the database can never hold an order whose event
 * is lost, nor an event for an order that was rolled back. Publishing happens after the commit
 * (see outbox.ts).
 */
import { randomUUID } from "crypto";
import type { Pool, PoolClient } from "pg";
import { withClient } from "./db";
import { ORDER_EVENTS, totalCents, type Order, type OrderEventDetail, type PlaceOrderCommand } from "./model";

export interface PlaceOrderResult {
    order: Order;
    /** False when the order id was placed before with the same content (an idempotent retry). */
    created: boolean;
    /** The OrderPlaced event's id (the outbox row). */
    eventId: string;
}

/** The order id was already used for a different order. */
export class OrderConflictError extends Error {
    constructor(orderId: string) {
        super(`order ${orderId} already exists with different content; a retry must resend the same order`);
        this.name = "OrderConflictError";
    }
}

/** Records the order and its OrderPlaced event atomically; idempotent on orderId. */
export async function placeOrder(pool: Pool, command: PlaceOrderCommand, now: Date = new Date()): Promise<PlaceOrderResult> {
    const order: Order = { ...command, totalCents: totalCents(command.lines), placedAt: now.toISOString() };
    return withClient(pool, async (client) => {
        try {
            await client.query("BEGIN");
            // Concurrent requests with one id serialize on the primary key: the second waits for the
            // first to commit, inserts nothing, and takes the replay path below.
            const inserted = await client.query(
                `INSERT INTO orders (order_id, customer_id, currency, total_cents, ship_to, placed_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
                [order.orderId, order.customerId, order.currency, order.totalCents, JSON.stringify(order.shipTo), order.placedAt],
            );
            if (inserted.rowCount === 0) {
                await client.query("ROLLBACK");
                return await replay(client, command);
            }
            await client.query(
                `INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_cents)
                 SELECT $1, n, sku, quantity, price FROM unnest($2::text[], $3::int[], $4::bigint[]) WITH ORDINALITY AS l(sku, quantity, price, n)`,
                [order.orderId, order.lines.map((l) => l.sku), order.lines.map((l) => l.quantity), order.lines.map((l) => l.unitPriceCents)],
            );
            const eventId = randomUUID();
            const { status, version } = ORDER_EVENTS.OrderPlaced;
            const detail: OrderEventDetail = { eventId, orderId: order.orderId, version, status, occurredAt: order.placedAt, order };
            await client.query("INSERT INTO outbox (event_id, aggregate_id, event_type, detail) VALUES ($1, $2, $3, $4)", [
                eventId,
                order.orderId,
                "OrderPlaced",
                JSON.stringify(detail),
            ]);
            await client.query("COMMIT");
            return { order, created: true, eventId };
        } catch (err) {
            await client.query("ROLLBACK").catch(() => undefined);
            throw err;
        }
    });
}

/** The stored order for a repeated id: returned as it was if the command matches, a conflict otherwise. */
async function replay(client: PoolClient, command: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const stored = await loadOrder(client, command.orderId);
    if (!stored) throw new Error(`order ${command.orderId} vanished between insert and read`);
    const { orderId, customerId, currency, lines, shipTo } = stored.order;
    if (canonical({ orderId, customerId, currency, lines, shipTo }) !== canonical(command)) throw new OrderConflictError(command.orderId);
    return { order: stored.order, created: false, eventId: stored.eventId };
}

/** An order as the write model holds it, with its OrderPlaced event id. */
export async function loadOrder(client: Pick<PoolClient, "query">, orderId: string): Promise<{ order: Order; eventId: string } | undefined> {
    const head = await client.query<{
        customer_id: string;
        currency: string;
        total_cents: string;
        ship_to: Order["shipTo"];
        placed_at: Date;
        event_id: string;
    }>(
        `SELECT o.customer_id, o.currency, o.total_cents, o.ship_to, o.placed_at, e.event_id
         FROM orders o JOIN outbox e ON e.aggregate_id = o.order_id AND e.event_type = 'OrderPlaced'
         WHERE o.order_id = $1`,
        [orderId],
    );
    const row = head.rows[0];
    if (!row) return undefined;
    const lines = await client.query<{ sku: string; quantity: number; unit_price_cents: string }>(
        "SELECT sku, quantity, unit_price_cents FROM order_lines WHERE order_id = $1 ORDER BY line_no",
        [orderId],
    );
    return {
        eventId: row.event_id,
        order: {
            orderId,
            customerId: row.customer_id,
            currency: row.currency,
            lines: lines.rows.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceCents: Number(l.unit_price_cents) })),
            shipTo: row.ship_to,
            totalCents: Number(row.total_cents),
            placedAt: row.placed_at.toISOString(),
        },
    };
}

/** JSON with sorted keys and no undefined members, so equal orders compare equal. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(
                  Object.entries(v)
                      .filter(([, x]) => x !== undefined)
                      .sort(([a], [b]) => a.localeCompare(b)),
              )
            : v,
    );
}
