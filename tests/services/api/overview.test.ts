import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { withDeadline, DeadlineError } from "../../../services/resilience/aggregator";
import { CircuitBreaker } from "../../../services/resilience/circuit-breaker";
import { handler, overviewHandler, settingsFrom, webFailure } from "../../../services/api/overview";
import { dynamoReadModel } from "../../../services/read-model";
import { startAll, track } from "../../helpers/running-servers";
import { freePort, LOCAL_CREDENTIALS, startDynalite, type DynamoServer } from "../web/servers";

type Mode = "ok" | "error" | "not-found" | "hang" | "reset";

/** A stand-in for the web service behind CloudFront that fails on command and counts what reaches it. */
async function startFlakyWeb() {
    let mode: Mode = "ok";
    let requests = 0;
    const server = http.createServer((req, res) => {
        requests += 1;
        if (mode === "ok") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ service: "web", status: "serving" }));
        else if (mode === "error") res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "internal" }));
        else if (mode === "not-found") res.writeHead(404).end();
        else if (mode === "reset") req.socket.destroy();
        // hang: never answer
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    return track({
        url: `http://127.0.0.1:${port}/`,
        set: (m: Mode) => (mode = m),
        get requests() {
            return requests;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    });
}

const event = (sub?: string) =>
    ({
        requestContext: { authorizer: { jwt: { claims: sub === undefined ? {} : { sub }, scopes: [] } } },
    }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe("GET /overview: the aggregator against dynalite and a web server that fails on command", function () {
    this.timeout(60_000);
    let dynamo: DynamoServer;
    let web: Awaited<ReturnType<typeof startFlakyWeb>>;
    let clock: number;
    const now = () => clock;

    before(async () => {
        [dynamo, web] = await startAll(startDynalite, startFlakyWeb);
        const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1", endpoint: dynamo.endpoint, credentials: LOCAL_CREDENTIALS }));
        for (const item of [
            { pk: "user#alice", sk: "profile", name: "Alice" },
            { pk: "user#alice", sk: "order#2026-01-02#o-1", total: 42 },
            { pk: "user#bob", sk: "profile", name: "Bob" },
        ]) {
            await doc.send(new PutCommand({ TableName: dynamo.tableName, Item: item }));
        }
        doc.destroy();
    });
    after(async () => {
        await Promise.all([dynamo, web].filter(Boolean).map((s) => s.stop()));
    });
    beforeEach(() => {
        web.set("ok");
        clock = 0;
    });

    function overview(opts: { endpoint?: string; timeoutMs?: number; threshold?: number } = {}) {
        const breakers = {
            profile: new CircuitBreaker("profile", { failureThreshold: opts.threshold ?? 2, openMs: 30_000, now }),
            web: new CircuitBreaker("web", { failureThreshold: opts.threshold ?? 2, openMs: 30_000, now, isFailure: webFailure }),
        };
        const readModel = dynamoReadModel({
            tableName: dynamo.tableName,
            region: "us-east-1",
            endpoint: opts.endpoint ?? dynamo.endpoint,
            credentials: LOCAL_CREDENTIALS,
        });
        return { breakers, call: overviewHandler({ readModel, webUrl: web.url, timeoutMs: opts.timeoutMs ?? 1000, breakers }) };
    }
    const body = (res: { body?: string }) => JSON.parse(res.body ?? "{}");

    it("answers complete with the caller's read model (and no one else's) and the web service's answer", async () => {
        const res = await overview().call(event("alice"));
        assert.equal(res.statusCode, 200);
        const b = body(res);
        assert.equal(b.status, "complete");
        assert.equal(b.degraded, false);
        assert.deepEqual(b.parts.profile.data, [
            { sk: "order#2026-01-02#o-1", total: 42 },
            { sk: "profile", name: "Alice" },
        ]);
        assert.deepEqual(b.parts.web.data, { service: "web", status: "serving" });
    });

    it("degrades to a partial answer when the web service fails, keeping the read model's part", async () => {
        web.set("error");
        const res = await overview().call(event("alice"));
        assert.equal(res.statusCode, 200);
        const b = body(res);
        assert.deepEqual(
            [b.status, b.degraded, b.parts.profile.status, b.parts.web.status, b.parts.web.reason],
            ["partial", true, "ok", "unavailable", "error"],
        );
        assert.match(b.parts.web.error, /answered 500/);
    });

    it("gives up on a hung web service at the deadline instead of waiting for it", async () => {
        web.set("hang");
        const started = Date.now();
        const res = await overview({ timeoutMs: 300 }).call(event("alice"));
        const took = Date.now() - started;
        const b = body(res);
        assert.deepEqual([b.status, b.parts.web.reason, b.parts.profile.status], ["partial", "timeout", "ok"]);
        assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
    });

    it("opens the web circuit after the threshold: later requests skip the web service until a probe succeeds", async () => {
        const { call, breakers } = overview({ threshold: 2 });
        web.set("reset");
        for (let i = 0; i < 2; i++) assert.equal(body(await call(event("alice"))).parts.web.reason, "error");
        assert.equal(breakers.web.state, "open");

        const before = web.requests;
        web.set("ok"); // recovered, but the circuit doesn't know yet
        const fast = body(await call(event("alice")));
        assert.deepEqual([fast.status, fast.parts.web.reason], ["partial", "circuit-open"]);
        assert.equal(web.requests, before, "an open circuit sends nothing to the web service");
        assert.equal(fast.parts.profile.status, "ok", "the other source's breaker is independent");

        clock += 30_000; // the open timeout passes: the next request is the probe
        const probed = body(await call(event("alice")));
        assert.equal(probed.status, "complete");
        assert.equal(web.requests, before + 1);
        assert.equal(breakers.web.state, "closed");
    });

    it("a 404 from the web service is reported but does not count against it", async () => {
        const { call, breakers } = overview({ threshold: 2 });
        web.set("not-found");
        for (let i = 0; i < 4; i++) assert.match(body(await call(event("alice"))).parts.web.error, /answered 404/);
        assert.equal(breakers.web.state, "closed");
    });

    it("degrades the other way when the read model is down", async () => {
        const closed = await freePort(); // nothing listens there
        const res = await overview({ endpoint: `http://127.0.0.1:${closed}` }).call(event("alice"));
        const b = body(res);
        assert.equal(res.statusCode, 200);
        assert.deepEqual([b.status, b.parts.profile.status, b.parts.profile.reason, b.parts.web.status], ["partial", "unavailable", "error", "ok"]);
    });

    it("answers 503 only when every source fails", async () => {
        web.set("error");
        const closed = await freePort();
        const res = await overview({ endpoint: `http://127.0.0.1:${closed}` }).call(event("alice"));
        assert.equal(res.statusCode, 503);
        assert.equal(body(res).status, "unavailable");
    });

    it("refuses a request whose token names no subject, calling no source", async () => {
        const before = web.requests;
        const res = await overview().call(event());
        assert.equal(res.statusCode, 401);
        assert.equal(web.requests, before);
    });

    it("the Lambda entry point reads its settings from the environment", async () => {
        const saved = { ...process.env };
        Object.assign(process.env, {
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            TABLE_NAME: dynamo.tableName,
            DYNAMODB_ENDPOINT: dynamo.endpoint,
            WEB_URL: web.url,
            SOURCE_TIMEOUT_MS: "1000",
            BREAKER_FAILURE_THRESHOLD: "3",
            BREAKER_OPEN_SECONDS: "30",
        });
        try {
            const res = await handler(event("bob"));
            assert.equal(res.statusCode, 200);
            assert.deepEqual(body(res).parts.profile.data, [{ sk: "profile", name: "Bob" }]);
        } finally {
            process.env = saved;
        }
    });

    it("names every missing or malformed setting", () => {
        assert.throws(
            () => settingsFrom({ AWS_REGION: "us-east-1", SOURCE_TIMEOUT_MS: "soon" }),
            (err: Error) => {
                assert.match(err.message, /TABLE_NAME is not set/);
                assert.match(err.message, /WEB_URL is not set/);
                assert.match(err.message, /SOURCE_TIMEOUT_MS must be a positive whole number, got "soon"/);
                assert.match(err.message, /BREAKER_FAILURE_THRESHOLD is not set/);
                return true;
            },
        );
    });
});

describe("withDeadline", () => {
    it("aborts the task's signal and rejects with DeadlineError when time runs out", async () => {
        let aborted = false;
        const err = await withDeadline(
            50,
            (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => ((aborted = true), reject(signal.reason)))),
        ).catch((e) => e);
        assert.ok(err instanceof DeadlineError);
        assert.equal(aborted, true);
    });

    it("returns the task's result when it is in time", async () => {
        assert.equal(await withDeadline(1000, async () => "fast"), "fast");
    });
});
