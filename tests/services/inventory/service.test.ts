/**
 * The inventory service's bundle as a real process against dynalite: stock levels by SKU, input
 * validation, and UnprocessedKeys from BatchGetItem (injected by a proxy in front of dynalite).
 */
import { strict as assert } from "assert";
import { getJson, seed, startFaultProxy, startService, type FaultProxy, type ServiceProcess } from "../../helpers/container-services";
import { startAll } from "../../helpers/running-servers";
import { startDynalite, type DynamoServer } from "../web/servers";

/** For the next `left` BatchGetItem calls, answers the first `keep` keys asked and returns the rest as UnprocessedKeys. */
function withhold(calls: { left: number; keep: number }) {
    return (req: { headers: Record<string, unknown>; body: string }, body: string) => {
        if (!String(req.headers["x-amz-target"]).endsWith(".BatchGetItem") || calls.left <= 0) return body;
        calls.left -= 1;
        const asked = JSON.parse(req.body).RequestItems;
        const answer = JSON.parse(body);
        for (const [table, { Keys, ...rest }] of Object.entries<any>(asked)) {
            const kept = new Set(Keys.slice(0, calls.keep).map((k: any) => k.pk.S));
            const others = Keys.slice(calls.keep);
            answer.Responses[table] = answer.Responses[table].filter((item: any) => kept.has(item.pk.S));
            if (others.length > 0) answer.UnprocessedKeys[table] = { Keys: others, ...rest };
        }
        return JSON.stringify(answer);
    };
}

describe("inventory service (bundle, real process)", function () {
    this.timeout(20_000);
    let dynamo: DynamoServer;
    let proxy: FaultProxy;
    let inventory: ServiceProcess;
    const calls = { left: 0, keep: 1 };

    before(async () => {
        [dynamo] = await startAll(startDynalite);
        await seed(dynamo.endpoint, dynamo.tableName, [], { "sku-1": 7, "sku-2": 0, "sku-3": 12 });
        proxy = await startFaultProxy(dynamo.port);
        proxy.rewrite = withhold(calls);
        inventory = await startService("inventory", { TABLE_NAME: dynamo.tableName, DYNAMODB_ENDPOINT: proxy.url, BATCH_ATTEMPTS: "3", BATCH_BACKOFF_MS: "5" });
    });
    afterEach(() => {
        Object.assign(calls, { left: 0, keep: 1 });
    });
    after(async () => {
        await inventory?.stop();
        await proxy?.stop();
        await dynamo?.stop();
    });

    it("answers the stock of each SKU asked, null for one it has no stock item for", async () => {
        const res = await getJson(`${inventory.url}/inventory/stock?skus=sku-1,sku-2,sku-3,no-such`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { stock: { "sku-1": 7, "sku-2": 0, "sku-3": 12, "no-such": null } });
    });

    it("asks again for the keys DynamoDB left unprocessed, until it has them all", async () => {
        calls.left = 2; // the first two calls return one key each; the third returns the last
        const before = proxy.requests;
        const res = await getJson(`${inventory.url}/inventory/stock?skus=sku-1,sku-2,sku-3`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { stock: { "sku-1": 7, "sku-2": 0, "sku-3": 12 } });
        assert.equal(proxy.requests - before, 3);
    });

    it("answers 503, not a wrong null, when keys are still unprocessed after its bounded attempts", async () => {
        Object.assign(calls, { left: 100, keep: 0 });
        const before = proxy.requests;
        const res = await getJson(`${inventory.url}/inventory/stock?skus=sku-1,sku-2,sku-3`);
        assert.equal(res.status, 503);
        assert.equal(proxy.requests - before, 3, "BATCH_ATTEMPTS=3 calls in all");
        assert.ok(inventory.logs.some((l) => l.msg === "stock read failed" && /still unprocessed after 3/.test(String(l.error))));
    });

    it("answers 400 with the reason to malformed requests", async () => {
        const cases: [string, RegExp][] = [
            ["", /skus is required/],
            ["skus=", /skus is required/],
            ["skus=a&skus=b", /skus is required, once/],
            ["skus=a,,b", /SKU "" is not valid/],
            ["skus=stock%23x", /SKU "stock#x" is not valid/],
            [`skus=${"x".repeat(65)}`, /is not valid/],
            [`skus=${Array.from({ length: 101 }, (_, i) => `s${i}`).join(",")}`, /at most 100 SKUs a request, got 101/],
            ["skus=a&limit=3", /unknown query parameter "limit"/],
        ];
        for (const [query, message] of cases) {
            const res = await getJson(`${inventory.url}/inventory/stock?${query}`);
            assert.equal(res.status, 400, query);
            assert.match(res.body.error, message, query);
        }
        const hundred = await getJson(`${inventory.url}/inventory/stock?skus=${Array.from({ length: 100 }, (_, i) => `s${i}`).join(",")}`);
        assert.equal(hundred.status, 200, "100 SKUs, BatchGetItem's limit, are accepted");
        assert.equal(Object.keys(hundred.body.stock).length, 100);
    });

    it("answers /health without DynamoDB, 404 elsewhere and 405 to writes", async () => {
        proxy.mode = "hang";
        try {
            const health = await getJson(`${inventory.url}/health`);
            assert.deepEqual([health.status, health.body], [200, { status: "ok" }]);
        } finally {
            proxy.mode = "pass";
        }
        assert.equal((await getJson(`${inventory.url}/inventory`)).status, 404);
        const post = await fetch(`${inventory.url}/inventory/stock?skus=a`, { method: "POST" });
        assert.equal(post.status, 405);
        assert.ok(
            inventory.logs.some((l) => l.msg === "request" && l.path === "/inventory/stock" && l.status === 200 && typeof l.ms === "number"),
            "one structured line per request",
        );
    });
});
