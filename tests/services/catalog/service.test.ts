/**
 * The catalog service's bundle as a real process, reading dynalite and calling the inventory
 * service's bundle (through a fault proxy): pages with stock levels, opaque cursors, 400s, and
 * what it does when inventory is down, stalled, failing or answering garbage.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { getJson, seed, startFaultProxy, startService, type FaultProxy, type Product, type ServiceProcess } from "../../helpers/container-services";
import { startAll } from "../../helpers/running-servers";
import { freePort, startDynalite, type DynamoServer } from "../web/servers";

const PRODUCTS: Product[] = Array.from({ length: 7 }, (_, i) => ({ sku: `sku-0${i + 1}`, name: `Product ${i + 1}`, priceCents: 100 * (i + 1) }));
/** sku-07 has no stock item: inventory answers null for it, catalog shows 0. */
const STOCK: Record<string, number> = Object.fromEntries(PRODUCTS.slice(0, 6).map((p, i) => [p.sku, i * 3]));
const EXPECTED = PRODUCTS.map((p) => ({ ...p, stock: STOCK[p.sku] ?? 0 }));
const UNKNOWN = PRODUCTS.map((p) => ({ ...p, stock: "unknown" }));

const DEADLINE_MS = 600;
const RELAXED = { INVENTORY_ATTEMPT_TIMEOUT_MS: "1500", INVENTORY_DEADLINE_MS: "1500", REQUEST_TIMEOUT_MS: "3000" };
/** Short timeouts, so faults show within a test's time. */
const catalogEnv = (table: DynamoServer, inventoryUrl: string, overrides: Record<string, string> = {}) => ({
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    INVENTORY_URL: inventoryUrl,
    INVENTORY_DEADLINE_MS: String(DEADLINE_MS),
    INVENTORY_ATTEMPT_TIMEOUT_MS: "150",
    INVENTORY_ATTEMPTS: "3",
    INVENTORY_BACKOFF_MS: "10",
    INVENTORY_BATCH_SIZE: "3",
    BREAKER_FAILURE_THRESHOLD: "2",
    BREAKER_OPEN_MS: "700",
    REQUEST_TIMEOUT_MS: "2000",
    SHUTDOWN_GRACE_MS: "3000",
    ...overrides,
});

describe("catalog service (bundle, real processes)", function () {
    this.timeout(20_000);
    let dynamo: DynamoServer;
    let inventory: ServiceProcess;
    let proxy: FaultProxy;
    let catalog: ServiceProcess;
    const others: ServiceProcess[] = [];
    const start = async (overrides: Record<string, string> = {}, inventoryUrl = proxy.url) => {
        const s = await startService("catalog", catalogEnv(dynamo, inventoryUrl, overrides));
        others.push(s);
        return s;
    };

    before(async () => {
        [dynamo] = await startAll(startDynalite);
        await seed(dynamo.endpoint, dynamo.tableName, PRODUCTS, STOCK);
        inventory = await startService("inventory", { TABLE_NAME: dynamo.tableName, DYNAMODB_ENDPOINT: dynamo.endpoint });
        proxy = await startFaultProxy(inventory.port);
        // Generous timeouts where inventory is healthy: a loaded test machine must not turn a slow answer into a retry.
        catalog = await start(RELAXED);
    });
    afterEach(() => Object.assign(proxy, { mode: "pass", delayMs: 0, failNext: 0 }));
    after(async () => {
        await Promise.allSettled(others.map((s) => s.stop()));
        await inventory?.stop();
        await proxy?.stop();
        await dynamo?.stop();
    });

    it("pages through the catalog with each item's stock, asking inventory for a page's SKUs in parallel batches", async () => {
        const seen: unknown[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
            const res = await getJson(`${catalog.url}/catalog/items?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
            assert.equal(res.status, 200);
            assert.ok(res.body.items.length <= 3);
            seen.push(...res.body.items);
            cursor = res.body.cursor;
            pages += 1;
        } while (cursor && pages < 10);
        assert.deepEqual(seen, EXPECTED);

        const before = proxy.requests;
        const whole = await getJson(`${catalog.url}/catalog/items?limit=7`);
        assert.deepEqual(whole.body.items, EXPECTED);
        assert.equal(proxy.requests - before, 3, "7 SKUs in batches of 3: three inventory calls");
    });

    it("answers 400 with the reason to malformed query parameters and cursors", async () => {
        const foreign = Buffer.from(JSON.stringify({ pk: "user#1", sk: "product#x" })).toString("base64url");
        const extra = Buffer.from(JSON.stringify({ pk: "catalog", sk: "product#x", gsi: "1" })).toString("base64url");
        const cases: [string, RegExp][] = [
            ["limit=0", /limit must be a whole number from 1 to 100, got "0"/],
            ["limit=101", /from 1 to 100/],
            ["limit=abc", /from 1 to 100/],
            ["limit=2.5", /from 1 to 100/],
            ["limit=1&limit=2", /"limit" is given more than once/],
            ["cursor=", /cursor is not valid/],
            ["cursor=%21%21", /cursor is not valid/],
            [`cursor=${Buffer.from("not json").toString("base64url")}`, /cursor is not valid/],
            [`cursor=${foreign}`, /cursor is not valid/],
            [`cursor=${extra}`, /cursor is not valid/],
            [`cursor=${"A".repeat(3000)}`, /cursor is not valid/],
            ["page=2", /unknown query parameter "page"/],
        ];
        for (const [query, message] of cases) {
            const res = await getJson(`${catalog.url}/catalog/items?${query}`);
            assert.equal(res.status, 400, query);
            assert.match(res.body.error, message, query);
        }
    });

    it("inventory down (connection refused): answers the page at once with stock unknown", async () => {
        const down = await start({}, `http://127.0.0.1:${await freePort()}`);
        const res = await getJson(`${down.url}/catalog/items?limit=7`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.items, UNKNOWN);
        assert.ok(res.ms < DEADLINE_MS + 800, `answered in ${res.ms} ms`);
    });

    it("inventory stalled: answers within the inventory deadline with stock unknown", async () => {
        const fresh = await start();
        proxy.mode = "hang";
        const res = await getJson(`${fresh.url}/catalog/items?limit=7`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.items, UNKNOWN);
        // Three attempts of 150 ms each (with backoff) fit in the deadline; the page never waits past it.
        assert.ok(res.ms >= 3 * 150 && res.ms < DEADLINE_MS + 800, `answered in ${res.ms} ms with a ${DEADLINE_MS} ms deadline`);
        const degraded = fresh.logs.find((l) => l.msg === "stock unknown for part of the page");
        assert.ok(degraded, "the degradation is logged");
        assert.match(JSON.stringify(degraded.degraded), /timeout|circuit-open/);
    });

    it("inventory answering malformed JSON: stock unknown, and the garbage is not retried", async () => {
        const fresh = await start({ ...RELAXED, INVENTORY_BATCH_SIZE: "100" });
        proxy.mode = "garbage";
        const before = proxy.requests;
        const res = await getJson(`${fresh.url}/catalog/items?limit=7`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.items, UNKNOWN);
        assert.equal(proxy.requests - before, 1);
        assert.match(JSON.stringify(fresh.logs), /inventory's answer is malformed: not JSON/);
    });

    it("retries a failed inventory call with backoff: one 503 costs nothing but a retry", async () => {
        const fresh = await start({ ...RELAXED, INVENTORY_BATCH_SIZE: "100" });
        proxy.failNext = 2;
        const before = proxy.requests;
        const res = await getJson(`${fresh.url}/catalog/items?limit=7`);
        assert.deepEqual(res.body.items, EXPECTED);
        assert.equal(proxy.requests - before, 3, "two 503s, then the answer, within INVENTORY_ATTEMPTS=3");
    });

    it("opens the circuit after repeated failures (inventory no longer called), half-opens after BREAKER_OPEN_MS and closes on a good probe", async () => {
        const fresh = await start({ INVENTORY_BATCH_SIZE: "100", INVENTORY_ATTEMPTS: "1", INVENTORY_ATTEMPT_TIMEOUT_MS: "550" });
        proxy.mode = "hang";
        for (let i = 0; i < 2; i++) assert.deepEqual((await getJson(`${fresh.url}/catalog/items?limit=7`)).body.items, UNKNOWN);
        const transitions = () => fresh.logs.filter((l) => l.msg === "circuit breaker").map((l) => `${l.from}->${l.to}`);
        assert.deepEqual(transitions(), ["closed->open"]);

        const before = proxy.requests;
        const open = await getJson(`${fresh.url}/catalog/items?limit=7`);
        assert.deepEqual(open.body.items, UNKNOWN);
        assert.equal(proxy.requests, before, "an open circuit does not call inventory");
        await new Promise((r) => setTimeout(r, 50)); // its log lines reach us through a pipe
        assert.ok(fresh.logs.some((l) => l.msg === "stock unknown for part of the page" && /circuit-open/.test(JSON.stringify(l.degraded))));

        proxy.mode = "pass";
        await new Promise((r) => setTimeout(r, 750));
        const probe = await getJson(`${fresh.url}/catalog/items?limit=7`);
        assert.deepEqual(probe.body.items, EXPECTED);
        assert.equal(proxy.requests, before + 1, "one probe");
        assert.deepEqual(transitions(), ["closed->open", "open->half-open", "half-open->closed"]);
    });

    it("DynamoDB down: 503 for items, while /health stays 200 (it is shallow)", async () => {
        const fresh = await start({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}`, DYNAMODB_TIMEOUT_MS: "200" });
        proxy.mode = "hang";
        const items = await getJson(`${fresh.url}/catalog/items`);
        assert.equal(items.status, 503);
        assert.match(items.body.error, /catalog is unavailable/);
        const health = await getJson(`${fresh.url}/health`);
        assert.deepEqual([health.status, health.body], [200, { status: "ok" }]);
        assert.ok(health.ms < 500, `health took ${health.ms} ms`);
    });

    it("the image's health check script exits 0 against a serving process and 1 when nothing answers", async () => {
        const script = path.resolve(__dirname, "..", "..", "..", "services", "container", "healthcheck.js");
        const run = (port: number) => spawnSync(process.execPath, [script], { env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 10_000 }).status;
        assert.equal(run(catalog.port), 0);
        assert.equal(run(await freePort()), 1);
    });

    it("on SIGTERM stops taking connections, answers the request in flight and exits 0", async () => {
        const fresh = await start(RELAXED);
        proxy.delayMs = 800; // the inventory call is in flight when the signal arrives
        const inFlight = getJson(`${fresh.url}/catalog/items?limit=3`);
        await new Promise((r) => setTimeout(r, 250));
        const signalled = Date.now();
        fresh.child.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 100));
        await assert.rejects(fetch(`${fresh.url}/health`), "no new connections once stopping");

        const res = await inFlight;
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.items, EXPECTED.slice(0, 3), "answered in full, stock included");
        const exit = await fresh.exited;
        assert.deepEqual([exit.code, exit.signal], [0, null]);
        assert.ok(exit.at - signalled < 2500, `exited ${exit.at - signalled} ms after SIGTERM, once drained`);
        assert.equal(fresh.logs.find((l) => l.msg === "stopped")?.drained, true);
    });
});
