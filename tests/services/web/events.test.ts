import { strict as assert } from "assert";
import { startApp, type App } from "../../../services/web/app";
import { EVENTS_LIMITS } from "../../../services/web/server";
import { startLocalKinesis, type LocalKinesis } from "../../../tools/local-kinesis";
import { LOCAL_CREDENTIALS } from "./servers";

/** POST /events publishes through the batched producer into a real local Kinesis (kinesalite). */
describe("web service: POST /events", function () {
    let kinesis: LocalKinesis;
    let app: App;
    let missing: App;

    const env = (stream: string) => ({
        PORT: "0",
        AWS_REGION: "us-east-1",
        // The dependencies /events does not touch; /health would report them down.
        CACHE_HOST: "127.0.0.1",
        CACHE_AUTH_TOKEN: "unused",
        DB_HOST: "127.0.0.1",
        DB_NAME: "app",
        DB_USER: "web",
        DB_AUTH: "password",
        DB_PASSWORD: "unused",
        TABLE_NAME: "unused",
        ANALYTICS_STREAM_NAME: stream,
        KINESIS_ENDPOINT: kinesis.endpoint,
    });
    const post = async (target: App, body: string, method = "POST") => {
        const res = await fetch(`http://127.0.0.1:${target.port}/events`, { method, body: method === "GET" ? undefined : body, headers: { "content-type": "application/json" } });
        return { status: res.status, body: (await res.json()) as any };
    };

    before(async () => {
        kinesis = await startLocalKinesis();
        await kinesis.createStream("events", 2);
        app = await startApp(env("events"), { credentials: LOCAL_CREDENTIALS });
        missing = await startApp(env("no-such-stream"), { credentials: LOCAL_CREDENTIALS });
    });
    after(async () => {
        await Promise.all([app?.close(), missing?.close()]);
        await kinesis?.close();
    });

    it("stores one event and a batch, answering 202 with their ids", async () => {
        const one = await post(app, JSON.stringify({ type: "page.viewed", subjectId: "user-1", attributes: { path: "/" } }));
        assert.equal(one.status, 202, JSON.stringify(one.body));
        assert.equal(one.body.accepted, 1);
        const batch = await post(app, JSON.stringify(Array.from({ length: 120 }, (_, i) => ({ type: "item.clicked", subjectId: `user-${i % 9}`, id: `evt-${i}` }))));
        assert.equal(batch.status, 202, JSON.stringify(batch.body));
        assert.deepEqual(batch.body.eventIds, Array.from({ length: 120 }, (_, i) => `evt-${i}`));

        const stored = (await kinesis.readAll("events")).map((r) => JSON.parse(r.data));
        assert.equal(stored.length, 121);
        const first = stored.find((r) => r.event_id === one.body.eventIds[0]);
        assert.deepEqual([first.event_type, first.source, first.subject_id, first.attributes], ["page.viewed", "web", "user-1", { path: "/" }]);
        assert.equal(new Set(stored.map((r) => r.event_id)).size, 121, "each event exactly once");
    });

    it("rejects what is not a valid event batch, storing nothing", async () => {
        const before = (await kinesis.readAll("events")).length;
        assert.deepEqual(await post(app, "not json"), { status: 400, body: { error: "body is not JSON" } });
        assert.deepEqual(await post(app, JSON.stringify([{ type: "ok" }, { kind: "no type" }])), { status: 400, body: { error: 'event 1 needs a non-empty string "type"' } });
        assert.equal((await post(app, JSON.stringify([]))).status, 400);
        assert.equal((await post(app, JSON.stringify(Array.from({ length: EVENTS_LIMITS.events + 1 }, () => ({ type: "x" }))))).status, 400);
        assert.equal((await post(app, "x".repeat(EVENTS_LIMITS.bodyBytes + 1))).status, 413);
        assert.equal((await post(app, "", "GET")).status, 405);
        assert.equal((await kinesis.readAll("events")).length, before);
    });

    it("answers 503 when the stream cannot take the events, so the caller retries them", async () => {
        const r = await post(missing, JSON.stringify({ type: "page.viewed" }));
        assert.equal(r.status, 503);
        assert.match(r.body.error, /retry/);
    });
});
