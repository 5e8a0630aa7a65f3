/**
 * The CQRS write path against a real PostgreSQL (TLS, SCRAM) on loopback: the order and its
 * outbox row in one transaction, idempotency on the order id, publishing after the commit, the
 * relay, and what happens when the bus fails.
 */
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import { Pool } from "pg";
import { createOrderHandlers, InvalidOrderError, poolFromEnv, type PlaceOrderResponse } from "../../../services/orders/handler";
import { parseOrderEvent } from "../../../services/orders/model";
import { PUT_EVENTS_MAX_ENTRIES, type BusEntry, type EntryResult, type OrderBus } from "../../../services/orders/outbox";
import { migrate } from "../../../services/orders/schema";
import { OrderConflictError, placeOrder } from "../../../services/orders/store";
import { command, envelope } from "../../helpers/events";
import { poolOn, startPostgres, type PostgresServer } from "../web/servers";

/** A bus that records what it is given, and fails entries or whole calls on command. */
class RecordingBus implements OrderBus {
    readonly calls: BusEntry[][] = [];
    failCalls = 0;
    failEntry?: (e: BusEntry) => string | undefined;
    delayMs = 0;
    async publish(entries: BusEntry[]): Promise<EntryResult[]> {
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        if (this.failCalls > 0) {
            this.failCalls--;
            throw Object.assign(new Error("EventBridge unavailable"), { name: "InternalException" });
        }
        this.calls.push(entries);
        return entries.map((e) => {
            const code = this.failEntry?.(e);
            return code ? { ok: false, errorCode: code } : { ok: true };
        });
    }
    get published(): BusEntry[] {
        return this.calls.flat();
    }
}

describe("order write path (against PostgreSQL)", () => {
    let server: PostgresServer;
    let pool: Pool;

    before(async function () {
        this.timeout(60_000);
        server = await startPostgres();
        pool = poolOn(server);
    });
    after(async () => {
        await pool?.end();
        await server?.stop();
    });

    const count = async (sql: string, params: unknown[]) => Number((await pool.query<{ n: string }>(sql, params)).rows[0].n);
    const clearOutbox = () => pool.query("UPDATE outbox SET published_at = now() WHERE published_at IS NULL");
    /** The relay's metric lines, kept out of the test output. */
    const metrics: string[] = [];
    const handlersWith = (bus: OrderBus, relayBatchSize = 100) => createOrderHandlers({ pool, bus, relayBatchSize, metrics: (l) => metrics.push(l) });

    it("creates its schema idempotently, even from concurrent cold starts", async () => {
        await Promise.all(
            [1, 2, 3].map(async () => {
                const c = await pool.connect();
                try {
                    await migrate(c);
                } finally {
                    c.release();
                }
            }),
        );
        const tables = await pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
        assert.deepEqual(
            tables.rows.map((r) => r.table_name),
            ["order_lines", "orders", "outbox"],
        );
        const columns = await pool.query<{ column_name: string }>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'outbox' ORDER BY ordinal_position",
        );
        assert.deepEqual(columns.rows.map((r) => r.column_name).slice(-6), [
            "attempts",
            "next_attempt_at",
            "claim_id",
            "claimed_until",
            "last_error",
            "parked_at",
        ]);
    });

    it("records the order, its lines and its OrderPlaced event in one transaction", async () => {
        const cmd = command();
        const r = await placeOrder(pool, cmd, new Date("2026-03-01T10:00:00Z"));
        assert.equal(r.created, true);
        assert.equal(r.order.totalCents, 2 * 1500 + 3 * 250);
        const row = (await pool.query("SELECT customer_id, total_cents, placed_at FROM orders WHERE order_id = $1", [cmd.orderId])).rows[0];
        assert.deepEqual([row.customer_id, Number(row.total_cents), row.placed_at.toISOString()], ["cust-42", 3750, "2026-03-01T10:00:00.000Z"]);
        assert.equal(await count("SELECT count(*) AS n FROM order_lines WHERE order_id = $1", [cmd.orderId]), 2);
        const event = (await pool.query("SELECT event_id, event_type, detail, published_at FROM outbox WHERE aggregate_id = $1", [cmd.orderId])).rows;
        assert.equal(event.length, 1);
        assert.deepEqual([event[0].event_id, event[0].event_type, event[0].published_at], [r.eventId, "OrderPlaced", null]);
        // The stored detail is exactly what consumers parse.
        const parsed = parseOrderEvent(envelope("OrderPlaced", event[0].detail));
        assert.deepEqual(parsed.detail.order, r.order);
        assert.deepEqual([parsed.detail.version, parsed.detail.status, parsed.detail.eventId], [1, "PLACED", r.eventId]);
    });

    it("is idempotent on the order id: a retry returns the stored order and event, and writes nothing", async () => {
        const cmd = command();
        const first = await placeOrder(pool, cmd, new Date("2026-03-01T10:00:00Z"));
        const again = await placeOrder(pool, structuredClone(cmd), new Date("2026-03-01T10:05:00Z"));
        assert.equal(again.created, false);
        assert.equal(again.eventId, first.eventId);
        assert.deepEqual(again.order, first.order, "the original placement time is kept");
        assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1", [cmd.orderId]), 1);
        assert.equal(await count("SELECT count(*) AS n FROM order_lines WHERE order_id = $1", [cmd.orderId]), 2);
    });

    it("serializes concurrent placements of one order: one creates, the others replay", async () => {
        const cmd = command();
        const results = await Promise.all([1, 2, 3].map(() => placeOrder(pool, cmd)));
        assert.equal(results.filter((r) => r.created).length, 1);
        assert.equal(new Set(results.map((r) => r.eventId)).size, 1);
        assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1", [cmd.orderId]), 1);
    });

    it("rejects reusing an order id for a different order, and keeps the first", async () => {
        const cmd = command();
        await placeOrder(pool, cmd);
        await assert.rejects(placeOrder(pool, { ...cmd, lines: [{ sku: "other", quantity: 1, unitPriceCents: 1 }] }), OrderConflictError);
        assert.equal(await count("SELECT count(*) AS n FROM order_lines WHERE order_id = $1 AND sku = 'other'", [cmd.orderId]), 0);
    });

    describe("publishing (transactional outbox)", () => {
        it("publishes OrderPlaced right after the commit and marks it published", async () => {
            await clearOutbox();
            const bus = new RecordingBus();
            const handlers = handlersWith(bus);
            const cmd = command();
            const r = (await handlers.placeOrder(cmd)) as PlaceOrderResponse;
            assert.equal(r.publishedNow, true);
            assert.equal(bus.published.length, 1);
            const entry = bus.published[0];
            assert.equal(entry.detailType, "OrderPlaced");
            assert.equal(parseOrderEvent(envelope("OrderPlaced", JSON.parse(entry.detail))).detail.eventId, r.eventId);
            assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE event_id = $1 AND published_at IS NOT NULL", [r.eventId]), 1);
            assert.deepEqual(await handlers.relay(), { published: 0, failed: 0, parked: 0 }, "nothing left for the relay");
        });

        it("keeps the order when the bus is down; the relay publishes the event later, once", async () => {
            await clearOutbox();
            const bus = new RecordingBus();
            const handlers = handlersWith(bus);
            bus.failCalls = 1;
            const r = (await handlers.placeOrder(command())) as PlaceOrderResponse;
            assert.equal(r.created, true);
            assert.equal(r.publishedNow, false);
            assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE event_id = $1 AND published_at IS NULL", [r.eventId]), 1);
            // A bus that is down is not the row's fault: no attempt counted, no backoff.
            assert.deepEqual(
                (await pool.query("SELECT attempts, last_error, next_attempt_at <= now() AS due FROM outbox WHERE event_id = $1", [r.eventId])).rows[0],
                { attempts: 0, last_error: "InternalException", due: true },
            );
            assert.deepEqual(await handlers.relay(), { published: 1, failed: 0, parked: 0 });
            assert.deepEqual(await handlers.relay(), { published: 0, failed: 0, parked: 0 });
            assert.deepEqual(
                bus.published.map((e) => JSON.parse(e.detail).eventId),
                [r.eventId],
            );
        });

        it("leaves entries EventBridge refuses unpublished, for the next run", async () => {
            await clearOutbox();
            const bus = new RecordingBus();
            const handlers = handlersWith(bus);
            const refused = command();
            bus.failEntry = (e) => (JSON.parse(e.detail).orderId === refused.orderId ? "ThrottlingException" : undefined);
            const ok = (await handlers.placeOrder(command())) as PlaceOrderResponse;
            const no = (await handlers.placeOrder(refused)) as PlaceOrderResponse;
            assert.deepEqual([ok.publishedNow, no.publishedNow], [true, false]);
            // The refusal counted an attempt and set a backoff: the next run leaves the row alone.
            assert.deepEqual(await handlers.relay(), { published: 0, failed: 0, parked: 0 });
            const row = (await pool.query("SELECT attempts, last_error, next_attempt_at > now() AS waiting FROM outbox WHERE event_id = $1", [no.eventId]))
                .rows[0];
            assert.deepEqual(row, { attempts: 1, last_error: "ThrottlingException", waiting: true });
            await pool.query("UPDATE outbox SET next_attempt_at = now() WHERE event_id = $1", [no.eventId]); // the backoff has passed
            assert.deepEqual(await handlers.relay(), { published: 0, failed: 1, parked: 0 });
            await pool.query("UPDATE outbox SET next_attempt_at = now() WHERE event_id = $1", [no.eventId]);
            bus.failEntry = undefined;
            assert.deepEqual(await handlers.relay(), { published: 1, failed: 0, parked: 0 });
        });

        it("the relay publishes oldest first in PutEvents calls of at most 10 entries", async () => {
            await clearOutbox();
            const bus = new RecordingBus();
            bus.failCalls = 23;
            const handlers = handlersWith(bus);
            const ids: string[] = [];
            for (let i = 0; i < 23; i++) ids.push(((await handlers.placeOrder(command())) as PlaceOrderResponse).eventId);
            bus.failCalls = 0;
            assert.deepEqual(await handlers.relay(), { published: 23, failed: 0, parked: 0 });
            assert.deepEqual(
                bus.calls.map((c) => c.length),
                [10, 10, 3],
            );
            assert.ok(bus.calls.every((c) => c.length <= PUT_EVENTS_MAX_ENTRIES));
            assert.deepEqual(
                bus.published.map((e) => JSON.parse(e.detail).eventId),
                ids,
            );
        });

        it("concurrent relay runs never publish the same row twice (claims: SKIP LOCKED and a lease)", async () => {
            await clearOutbox();
            const bus = new RecordingBus();
            bus.failCalls = 12;
            const handlers = handlersWith(bus);
            for (let i = 0; i < 12; i++) await handlers.placeOrder(command());
            bus.failCalls = 0;
            bus.delayMs = 50;
            const runs = await Promise.all([handlers.relay(), handlers.relay(), handlers.relay()]);
            assert.equal(
                runs.reduce((n, r) => n + r.published, 0),
                12,
            );
            const ids = bus.published.map((e) => JSON.parse(e.detail).eventId);
            assert.equal(new Set(ids).size, ids.length, "no event published twice");
        });
    });

    describe("the handler", () => {
        const http = (body: string) => ({ body, isBase64Encoded: false, requestContext: { http: { method: "POST" } } });

        it("rejects an invalid order before touching the database", async () => {
            const handlers = handlersWith(new RecordingBus(), 10);
            const orderId = randomUUID();
            await assert.rejects(
                handlers.placeOrder({ ...command(), orderId, lines: [] }),
                (err: unknown) => err instanceof InvalidOrderError && /lines/.test((err as Error).message),
            );
            await assert.rejects(handlers.placeOrder({ ...command(), customerId: "has#hash" }), InvalidOrderError);
            assert.equal(await count("SELECT count(*) AS n FROM orders WHERE order_id = $1", [orderId]), 0);
        });

        it("answers API Gateway requests: 201 created, 200 for a retry, 400 invalid, 409 conflict", async () => {
            const handlers = handlersWith(new RecordingBus(), 10);
            const cmd = command();
            const created = (await handlers.placeOrder(http(JSON.stringify(cmd)))) as { statusCode: number; body: string };
            assert.equal(created.statusCode, 201);
            assert.equal(JSON.parse(created.body).orderId, cmd.orderId);
            assert.equal(((await handlers.placeOrder(http(JSON.stringify(cmd)))) as { statusCode: number }).statusCode, 200);
            assert.equal(((await handlers.placeOrder(http("{not json"))) as { statusCode: number }).statusCode, 400);
            assert.equal(((await handlers.placeOrder(http(JSON.stringify({ orderId: "x" })))) as { statusCode: number }).statusCode, 400);
            const conflict = (await handlers.placeOrder(http(JSON.stringify({ ...cmd, currency: "USD" })))) as { statusCode: number };
            assert.equal(conflict.statusCode, 409);
        });

        it("connects from its environment settings over verified TLS", async () => {
            const envPool = poolFromEnv({
                DB_HOST: "127.0.0.1",
                DB_PORT: String(server.port),
                DB_NAME: server.database,
                DB_USER: server.user,
                DB_AUTH: "password",
                DB_PASSWORD: server.password,
                DB_CA_FILE: server.caFile,
                AWS_REGION: "us-east-1",
            });
            try {
                const r = await envPool.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
                assert.equal(r.rows[0].ssl, true);
            } finally {
                await envPool.end();
            }
        });
    });
});
