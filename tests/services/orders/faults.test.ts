/**
 * The order service under faults, against a real PostgreSQL (TLS, SCRAM) and a PutEvents endpoint
 * on loopback: a database connection dropped between invocations, EventBridge refusing some
 * events for good, EventBridge hanging, and a live outbox table from before the relay kept
 * delivery bookkeeping.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcessWithoutNullStreams } from "child_process";
import { randomUUID } from "crypto";
import * as http from "http";
import * as path from "path";
import * as readline from "readline";
import { Pool } from "pg";
import { createOrderHandlers, EVENTBRIDGE_HTTP, EVENTBRIDGE_MAX_ATTEMPTS, type PlaceOrderResponse } from "../../../services/orders/handler";
import type { BusEntry, EntryResult, OrderBus } from "../../../services/orders/outbox";
import { OUTBOX_METRICS } from "../../../services/orders/model";
import { migrate, SCHEMA_SQL } from "../../../services/orders/schema";
import { command } from "../../helpers/events";
import { freePort, LOCAL_CREDENTIALS, poolOn, startHungServer, startPostgres, type PostgresServer, type Running } from "../web/servers";

const ROOT = path.join(__dirname, "..", "..", "..");
const FIXTURE = path.join(__dirname, "fixtures", "order-function.ts");

/** PutEvents on loopback: accepts every entry (the SDK's JSON protocol), counting the calls. */
async function startEventBridge(): Promise<Running & { endpoint: string; calls: number }> {
    const state = { calls: 0 };
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            state.calls++;
            const entries = (JSON.parse(body) as { Entries: unknown[] }).Entries;
            res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
            res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) }));
        });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    return {
        port,
        endpoint: `http://127.0.0.1:${port}`,
        get calls() {
            return state.calls;
        },
        stop: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

interface Answer {
    ok: boolean;
    result?: any;
    error?: string;
    ms?: number;
}

/** The real order function in its own process (see fixtures/order-function.ts). */
class OrderFunction {
    private readonly child: ChildProcessWithoutNullStreams;
    private readonly answers: Answer[] = [];
    private waiting?: () => void;
    stderr = "";
    readonly exited: Promise<number | null>;

    constructor(env: Record<string, string>) {
        this.child = spawn(process.execPath, ["-r", path.join(ROOT, "tools", "register.js"), FIXTURE], {
            cwd: ROOT,
            env: { PATH: process.env.PATH ?? "", ...env },
        });
        this.child.stderr.on("data", (d) => (this.stderr += d));
        readline.createInterface({ input: this.child.stdout }).on("line", (line) => {
            const parsed = JSON.parse(line);
            if (!("ok" in parsed)) return; // the relay's metric lines
            this.answers.push(parsed);
            this.waiting?.();
        });
        this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
        this.exited.then(() => this.waiting?.());
    }

    /** Invokes the function once; rejects if the process dies instead of answering. */
    async invoke(what: "place" | "relay"): Promise<Answer> {
        this.child.stdin.write(`${what}\n`);
        while (this.answers.length === 0) {
            if (this.child.exitCode !== null) throw new Error(`the function's process exited (${this.child.exitCode}) instead of answering:\n${this.stderr}`);
            await new Promise<void>((resolve) => (this.waiting = resolve));
        }
        return this.answers.shift()!;
    }

    async end(): Promise<number | null> {
        this.child.stdin.end();
        return this.exited;
    }

    kill(): void {
        if (this.child.exitCode === null) this.child.kill("SIGKILL");
    }
}

/** A bus that refuses some entries for good, can be down, and can hold a call open until released. */
class PickyBus implements OrderBus {
    readonly calls: BusEntry[][] = [];
    refuse: (e: BusEntry) => boolean = () => false;
    down = false;
    gate?: Promise<void>;
    entered?: () => void;
    async publish(entries: BusEntry[]): Promise<EntryResult[]> {
        if (this.down) throw Object.assign(new Error("EventBridge unavailable"), { name: "InternalException" });
        this.calls.push(entries);
        this.entered?.();
        if (this.gate) await this.gate;
        return entries.map((e) => (this.refuse(e) ? { ok: false, errorCode: "MalformedDetail" } : { ok: true }));
    }
    published(ids: string[]): string[] {
        return this.calls
            .flat()
            .map((e) => JSON.parse(e.detail).eventId)
            .filter((id: string) => ids.includes(id));
    }
}

describe("order service under faults (against PostgreSQL)", () => {
    let server: PostgresServer;
    let pool: Pool;

    before(async function () {
        this.timeout(60_000);
        server = await startPostgres();
        pool = poolOn(server);
        const c = await pool.connect();
        try {
            await migrate(c);
        } finally {
            c.release();
        }
    });
    after(async () => {
        await pool?.end();
        await server?.stop();
    });

    const clearOutbox = () => pool.query("UPDATE outbox SET published_at = now() WHERE published_at IS NULL");
    const place = async (handlers: ReturnType<typeof createOrderHandlers>) => ((await handlers.placeOrder(command())) as PlaceOrderResponse).eventId;

    describe("a database connection dropped between invocations", () => {
        let bus: Running & { endpoint: string; calls: number };
        let fn: OrderFunction | undefined;
        before(async () => {
            bus = await startEventBridge();
        });
        after(async () => {
            fn?.kill();
            await bus?.stop();
        });

        const functionEnv = (endpoint: string, appName: string) => ({
            DB_HOST: "127.0.0.1",
            DB_PORT: String(server.port),
            DB_NAME: server.database,
            DB_USER: server.user,
            DB_AUTH: "password",
            DB_PASSWORD: server.password,
            DB_CA_FILE: server.caFile,
            PGAPPNAME: appName, // names its connections, so the test can drop them
            EVENT_BUS_NAME: "orders-test",
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            AWS_ENDPOINT_URL: endpoint,
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        });
        /** Terminates the function's backends, as a proxy or database restart does; resolves once they are gone. */
        const dropConnections = async (appName: string) => {
            const r = await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [appName]);
            assert.ok(r.rowCount! >= 1, "the function held a connection to drop");
            for (let i = 0; i < 100 && (await pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [appName])).rowCount! > 0; i++)
                await new Promise((res) => setTimeout(res, 20));
        };

        it("the next invocation succeeds on a new connection, and the process lives on", async () => {
            const appName = `orders-${randomUUID().slice(0, 8)}`;
            fn = new OrderFunction(functionEnv(bus.endpoint, appName));
            const first = await fn.invoke("place");
            assert.equal(first.ok, true, first.error);
            assert.equal(first.result.publishedNow, true, "published through the loopback PutEvents");

            // Dropped while idle; the socket's error reaches the process before the next invocation.
            await dropConnections(appName);
            await new Promise((res) => setTimeout(res, 200));
            const second = await fn.invoke("place");
            assert.equal(second.ok, true, second.error);
            assert.equal(second.result.created, true);

            // Dropped just before an invocation that finds the dead connection still pooled.
            await dropConnections(appName);
            const third = await fn.invoke("place");
            assert.equal(third.ok, true, third.error);
            const relay = await fn.invoke("relay");
            assert.equal(relay.ok, true, relay.error);

            assert.equal(await fn.end(), 0, fn.stderr);
            assert.match(fn.stderr, /idle database connection lost/, "the pool's listener saw the drop");
            fn = undefined;
        });

        it("a PutEvents endpoint that never answers costs a bounded wait, not the function's whole timeout", async function () {
            this.timeout(30_000);
            const hung = await startHungServer();
            const appName = `orders-${randomUUID().slice(0, 8)}`;
            fn = new OrderFunction(functionEnv(`http://127.0.0.1:${hung.port}`, appName));
            try {
                const placed = await fn.invoke("place");
                assert.equal(placed.ok, true, placed.error);
                assert.equal(placed.result.publishedNow, false, "the order is kept; the relay publishes later");
                // Each attempt ends at the request timeout, and the client makes EVENTBRIDGE_MAX_ATTEMPTS.
                const bound = EVENTBRIDGE_MAX_ATTEMPTS * (EVENTBRIDGE_HTTP.connectMs + EVENTBRIDGE_HTTP.requestMs) + 1500;
                assert.ok(placed.ms! < bound, `placing took ${placed.ms} ms, over ${bound}`);
                const relay = await fn.invoke("relay");
                assert.equal(relay.ok, true, relay.error);
                assert.ok(relay.result.failed >= 1 && relay.result.published === 0);
                assert.ok(relay.ms! < bound, `the relay took ${relay.ms} ms, over ${bound}`);
                assert.equal(await fn.end(), 0, fn.stderr);
                fn = undefined;
            } finally {
                await hung.stop();
            }
        });
    });

    describe("the outbox relay", () => {
        it("is not starved by rows EventBridge always refuses: they back off, and the rows behind them go out", async () => {
            await clearOutbox();
            const bus = new PickyBus();
            const handlers = createOrderHandlers({ pool, bus, relayBatchSize: 10, metrics: () => undefined });
            bus.refuse = (e) => JSON.parse(e.detail).order.customerId === "poison";
            // Ten rows EventBridge refuses, older than everything else: a whole batch of them.
            const poison: string[] = [];
            for (let i = 0; i < 10; i++) poison.push(((await handlers.placeOrder(command({ customerId: "poison" }))) as PlaceOrderResponse).eventId);
            await pool.query("UPDATE outbox SET created_at = now() - interval '1 hour' WHERE event_id = ANY($1::uuid[])", [poison]);
            // Five good rows behind them, left for the relay by an outage at write time.
            bus.down = true;
            const good: string[] = [];
            for (let i = 0; i < 5; i++) good.push(await place(handlers));
            bus.down = false;

            await handlers.relay();
            await handlers.relay();
            assert.deepEqual(bus.published(good).sort(), [...good].sort(), "every good row is published");
            const waiting = (
                await pool.query(
                    "SELECT count(*)::int AS n FROM outbox WHERE event_id = ANY($1::uuid[]) AND attempts = 1 AND next_attempt_at > now() AND published_at IS NULL",
                    [poison],
                )
            ).rows[0].n;
            assert.equal(waiting, 10, "each refused row counted its attempt and waits out a backoff");
        });

        it("parks a row after its last attempt, reports it in its metric, and publishes it once cleared", async () => {
            await clearOutbox();
            const bus = new PickyBus();
            const lines: string[] = [];
            const handlers = createOrderHandlers({
                pool,
                bus,
                relayBatchSize: 50,
                retry: { maxAttempts: 3, backoffBaseSeconds: 0, backoffMaxSeconds: 0 },
                metrics: (l) => lines.push(l),
            });
            bus.refuse = () => true;
            const id = await place(handlers); // attempt 1
            const runs = [await handlers.relay(), await handlers.relay()]; // attempts 2 and 3
            assert.deepEqual(runs, [
                { published: 0, failed: 1, parked: 0 },
                { published: 0, failed: 1, parked: 1 },
            ]);
            const calls = bus.calls.length;
            assert.deepEqual(await handlers.relay(), { published: 0, failed: 0, parked: 0 }, "a parked row is not tried again");
            assert.equal(bus.calls.length, calls);
            const row = (await pool.query("SELECT attempts, last_error, parked_at IS NOT NULL AS parked FROM outbox WHERE event_id = $1", [id])).rows[0];
            assert.deepEqual(row, { attempts: 3, last_error: "MalformedDetail", parked: true });

            const metric = JSON.parse(lines.at(-1)!);
            assert.equal(metric._aws.CloudWatchMetrics[0].Namespace, OUTBOX_METRICS.namespace);
            assert.deepEqual(
                metric._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name),
                ["OutboxParked", "OutboxPending", "OutboxOldestPendingAge"],
            );
            assert.equal(metric.OutboxParked, 1);

            // The remedy docs/events.md gives, once the cause is fixed.
            bus.refuse = () => false;
            await pool.query("UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = now() WHERE parked_at IS NOT NULL");
            assert.deepEqual(await handlers.relay(), { published: 1, failed: 0, parked: 0 });
            assert.equal(JSON.parse(lines.at(-1)!).OutboxParked, 0);
        });

        it("holds no row lock and no transaction while PutEvents runs, and a concurrent run skips the claimed rows", async () => {
            await clearOutbox();
            const bus = new PickyBus();
            const handlers = createOrderHandlers({ pool, bus, relayBatchSize: 100, metrics: () => undefined });
            bus.down = true;
            const pending: string[] = [];
            for (let i = 0; i < 3; i++) pending.push(await place(handlers));
            bus.down = false;
            let entered!: () => void;
            const inCall = new Promise<void>((r) => (entered = r));
            let release!: () => void;
            bus.entered = entered;
            bus.gate = new Promise((r) => (release = r));
            const run = handlers.relay();
            await inCall;

            // Mid-call: the rows can be locked from elsewhere at once, and no session sits in a transaction.
            const other = await pool.connect();
            try {
                await other.query("BEGIN");
                const locked = await other.query("SELECT event_id FROM outbox WHERE event_id = ANY($1::uuid[]) FOR UPDATE NOWAIT", [pending]);
                assert.equal(locked.rowCount, pending.length);
                await other.query("ROLLBACK");
            } finally {
                other.release();
            }
            const inTx = await pool.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
            );
            assert.equal(inTx.rows[0].n, 0);
            // A second run meanwhile finds the rows taken.
            const other2 = new PickyBus();
            const concurrent = createOrderHandlers({ pool, bus: other2, relayBatchSize: 100, metrics: () => undefined });
            await concurrent.relay();
            assert.deepEqual(other2.published(pending), []);

            release();
            assert.deepEqual((await run).published, 3);
            assert.deepEqual(bus.published(pending).sort(), [...pending].sort());
        });

        it("brings a live outbox table from before the delivery bookkeeping up to date, idempotently, keeping its rows", async () => {
            const schema = `legacy_${randomUUID().slice(0, 8)}`;
            const c = await pool.connect();
            try {
                await c.query(`CREATE SCHEMA ${schema}`);
                await c.query(`SET search_path TO ${schema}`);
                // The outbox as the first release created it.
                await c.query(
                    `CREATE TABLE outbox (event_id uuid PRIMARY KEY, aggregate_id uuid NOT NULL, event_type text NOT NULL, detail jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz)`,
                );
                const id = randomUUID();
                await c.query("INSERT INTO outbox (event_id, aggregate_id, event_type, detail) VALUES ($1, $2, 'OrderPlaced', '{}')", [id, randomUUID()]);
                await migrate(c);
                await migrate(c);
                const row = (await c.query("SELECT attempts, next_attempt_at <= now() AS due, parked_at, published_at FROM outbox WHERE event_id = $1", [id]))
                    .rows[0];
                assert.deepEqual(row, { attempts: 0, due: true, parked_at: null, published_at: null });
                assert.match(SCHEMA_SQL, /IF NOT EXISTS \(SELECT 1 FROM information_schema\.columns/);
            } finally {
                await c.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
                await c.query("RESET search_path").catch(() => undefined);
                c.release();
            }
        });
    });
});
