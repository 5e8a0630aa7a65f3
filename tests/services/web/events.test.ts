import { strict as assert } from "assert";
import type { PutRecordsRequestEntry, PutRecordsResultEntry } from "@aws-sdk/client-kinesis";
import type { KinesisStreamRecord } from "aws-lambda";
import type { AddressInfo } from "net";
import { createActivityProcessor } from "../../../services/activity/handler";
import { createEventPublisher, kinesisClient } from "../../../services/analytics/publisher";
import { startApp, type App } from "../../../services/web/app";
import { createServer, EVENTS_LIMITS } from "../../../services/web/server";
import { startLocalKinesis, type LocalKinesis } from "../../../tools/local-kinesis";
import { documentClient } from "../../helpers/events";
import { startAll, track } from "../../helpers/running-servers";
import { eventsOnlyEnv, LOCAL_CREDENTIALS, startDynalite, type DynamoServer } from "./servers";

const kinesisRecord = (data: string, sequenceNumber: string): KinesisStreamRecord => ({
    kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "p", sequenceNumber, data: Buffer.from(data).toString("base64"), approximateArrivalTimestamp: 0 },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:role",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:stream",
});

/** POST /events publishes through the batched producer into a real local Kinesis (kinesalite). */
describe("web service: POST /events", function () {
    let kinesis: LocalKinesis;
    let dynamo: DynamoServer;
    let app: App;
    let missing: App;

    const env = (stream: string) => eventsOnlyEnv(stream, kinesis.endpoint);
    const post = async (target: App, body: string, method = "POST") => {
        const res = await fetch(`http://127.0.0.1:${target.port}/events`, {
            method,
            body: method === "GET" ? undefined : body,
            headers: { "content-type": "application/json" },
        });
        return { status: res.status, body: (await res.json()) as any };
    };

    before(async () => {
        [kinesis, dynamo] = await startAll(async () => {
            const k = await startLocalKinesis();
            return track(Object.assign(k, { stop: () => k.close() }));
        }, startDynalite);
        await kinesis.createStream("events", 2);
        app = await startApp(env("events"), { credentials: LOCAL_CREDENTIALS });
        missing = await startApp(env("no-such-stream"), { credentials: LOCAL_CREDENTIALS });
    });
    after(async () => {
        await Promise.all([app?.close(), missing?.close()]);
        await Promise.all([kinesis?.close(), dynamo?.stop()]);
    });

    it("stores one event and a batch, answering 202 with their ids", async () => {
        const one = await post(app, JSON.stringify({ type: "page.viewed", subjectId: "user-1", attributes: { path: "/" } }));
        assert.equal(one.status, 202, JSON.stringify(one.body));
        assert.equal(one.body.accepted, 1);
        const batch = await post(
            app,
            JSON.stringify(Array.from({ length: 120 }, (_, i) => ({ type: "item.clicked", subjectId: `user-${i % 9}`, id: `evt-${i}` }))),
        );
        assert.equal(batch.status, 202, JSON.stringify(batch.body));
        assert.deepEqual(
            batch.body.eventIds,
            Array.from({ length: 120 }, (_, i) => `evt-${i}`),
        );

        const stored = (await kinesis.readAll("events")).map((r) => JSON.parse(r.data));
        assert.equal(stored.length, 121);
        const first = stored.find((r) => r.event_id === one.body.eventIds[0]);
        assert.deepEqual([first.event_type, first.source, first.subject_id, first.attributes], ["page.viewed", "web", "user-1", { path: "/" }]);
        assert.equal(new Set(stored.map((r) => r.event_id)).size, 121, "each event exactly once");
    });

    it("rejects what is not a valid event batch, storing nothing", async () => {
        const before = (await kinesis.readAll("events")).length;
        assert.deepEqual(await post(app, "not json"), { status: 400, body: { error: "body is not JSON" } });
        const noType = await post(app, JSON.stringify([{ type: "ok" }, { kind: "no type" }]));
        assert.equal(noType.status, 400);
        assert.deepEqual(noType.body.problems, [
            { index: 1, field: "type", message: "is required" },
            { index: 1, field: "kind", message: "is not a field of an analytics event" },
        ]);
        assert.equal((await post(app, JSON.stringify([]))).status, 400);
        assert.equal((await post(app, JSON.stringify(Array.from({ length: EVENTS_LIMITS.events + 1 }, () => ({ type: "x" }))))).status, 400);
        assert.equal((await post(app, "x".repeat(EVENTS_LIMITS.bodyBytes + 1))).status, 413);
        assert.equal((await post(app, "", "GET")).status, 405);
        assert.equal((await kinesis.readAll("events")).length, before);
    });

    it("answers 503 when the stream cannot take the events, naming each one to send again", async () => {
        const r = await post(missing, JSON.stringify({ type: "page.viewed" }));
        assert.equal(r.status, 503);
        assert.match(r.body.error, /send those again/);
        assert.equal(r.body.eventIds.length, 1);
        assert.deepEqual(
            r.body.unstored.map((u: any) => [u.index, u.id, u.errorCode]),
            [[0, r.body.eventIds[0], "ResourceNotFoundException"]],
        );
    });

    it("answers 400 for client mistakes, naming each bad event's position and field, and stores none of the batch", async () => {
        const before = (await kinesis.readAll("events")).length;
        // Quotes double when the payload becomes JSON text inside the record: under 1 MiB of body, over 1 MiB of record.
        const quotes = '"'.repeat(400_000);
        const batch = [
            { type: "ok.event", subjectId: "user-1" },
            { type: "Page Viewed" },
            { type: "page.viewed", occurredAt: "yesterday" },
            { type: "page.viewed", subjectId: "" },
            { type: "page.viewed", subjectId: 42 },
            { type: "page.viewed", subjectId: "\u{1F600}".repeat(129) },
            { type: "page.viewed", payload: quotes },
            { type: "page.viewed", subjectId: "tenant#1" },
            { type: "page.viewed", id: "evt#1" },
            { type: "page.viewed", id: 7 },
            { type: "page.viewed", attributes: { count: 3 } },
            { type: "page.viewed", attributes: { nested: { a: "b" } } },
            { type: "page.viewed", attributes: ["a"] },
        ];
        const body = JSON.stringify(batch);
        assert.ok(Buffer.byteLength(body) < EVENTS_LIMITS.bodyBytes);
        const r = await post(app, body);
        assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 500));
        assert.deepEqual(
            r.body.problems.map((p: any) => [p.index, p.field]),
            [
                [1, "type"],
                [2, "occurredAt"],
                [3, "subjectId"],
                [4, "subjectId"],
                [5, "subjectId"],
                [6, ""],
                [7, "subjectId"],
                [8, "id"],
                [9, "id"],
                [10, "attributes.count"],
                [11, "attributes.nested"],
                [12, "attributes"],
            ],
        );
        assert.match(r.body.problems[5].message, /Kinesis record is \d+ bytes with its partition key, above the Kinesis limit of 1048576 bytes/);
        assert.match(r.body.error, /^event 1 type: must be 1-128 lowercase/);
        assert.equal((await kinesis.readAll("events")).length, before);
    });

    it("stores exactly what its consumers accept: the stream processor files every accepted event", async () => {
        const wide = {
            type: "page.viewed",
            subjectId: "\u{1F600}".repeat(128), // 256 UTF-16 code units: the most a partition key takes
            id: "\u{1F600}".repeat(64),
            occurredAt: "2026-03-01T12:00:00+02:00",
            attributes: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(128, "k"), "\u{1F600}".repeat(1024)])),
            payload: { any: ["json", 1, null] },
        };
        const r = await post(app, JSON.stringify(wide));
        assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 500));
        const stored = (await kinesis.readAll("events")).filter((x) => JSON.parse(x.data).event_id === wide.id);
        assert.equal(stored.length, 1);
        const processor = createActivityProcessor(documentClient(dynamo), { tableName: dynamo.tableName, ttlAttribute: "expiresAt", retentionDays: 1 });
        const result = await processor({ Records: stored.map((x, i) => kinesisRecord(x.data, String(i))) });
        assert.deepEqual(result.batchItemFailures, []);
    });

    it("on a partial failure returns every id and the unstored events, so a resend stores each event exactly once", async () => {
        await kinesis.createStream("partial", 1);
        const client = kinesisClient({ region: "us-east-1", endpoint: kinesis.endpoint });
        let throttleHot = true;
        // Kinesis throttles the "hot" subject's records (kinesalite cannot, so a middleware holds them back and answers as Kinesis does).
        client.middlewareStack.add(
            (next, context) => async (args: any) => {
                if (context.commandName !== "PutRecordsCommand" || !throttleHot) return next(args);
                const entries: PutRecordsRequestEntry[] = args.input.Records;
                const hot = entries.map((e) => e.PartitionKey === "hot");
                const kept = entries.filter((_, i) => !hot[i]);
                const real: PutRecordsResultEntry[] =
                    kept.length > 0 ? ((await next({ ...args, input: { ...args.input, Records: kept } })).output as any).Records : [];
                const Records = hot.map((h) => (h ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded" } : real.shift()!));
                return { output: { $metadata: { httpStatusCode: 200 }, Records, FailedRecordCount: hot.filter(Boolean).length }, response: {} };
            },
            { step: "initialize", name: "throttleHot" },
        );
        const server = createServer({
            livenessPath: "/live",
            healthPath: "/health",
            health: async () => ({ status: "ok", dependencies: {} }),
            publish: createEventPublisher({ client, streamName: "partial", source: "web", maxAttempts: 2, sleep: async () => undefined }),
            eventsTimeoutMs: 5_000,
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
        const send = async (events: unknown[]) => {
            const res = await fetch(url, { method: "POST", body: JSON.stringify(events), headers: { "content-type": "application/json" } });
            return { status: res.status, body: (await res.json()) as any };
        };
        try {
            const events = [
                { type: "page.viewed", subjectId: "calm" },
                { type: "page.viewed", subjectId: "hot" },
                { type: "page.viewed", subjectId: "calm", id: "client-id-1" },
                { type: "page.viewed", subjectId: "hot", id: "client-id-2", occurredAt: "2026-03-01T12:00:00Z" },
            ];
            const first = await send(events);
            assert.equal(first.status, 503, JSON.stringify(first.body));
            assert.equal(first.body.eventIds.length, 4);
            assert.deepEqual(first.body.eventIds.slice(2), ["client-id-1", "client-id-2"]);
            assert.deepEqual(
                first.body.unstored.map((u: any) => [u.index, u.id, u.errorCode]),
                [
                    [1, first.body.eventIds[1], "ProvisionedThroughputExceededException"],
                    [3, "client-id-2", "ProvisionedThroughputExceededException"],
                ],
            );
            assert.equal(first.body.unstored[1].occurredAt, "2026-03-01T12:00:00.000Z");

            throttleHot = false;
            const resend = first.body.unstored.map((u: any) => ({ ...events[u.index], id: u.id, occurredAt: u.occurredAt }));
            const second = await send(resend);
            assert.equal(second.status, 202, JSON.stringify(second.body));
            assert.deepEqual(
                second.body.eventIds,
                first.body.unstored.map((u: any) => u.id),
            );

            const stored = (await kinesis.readAll("partial")).map((x) => JSON.parse(x.data));
            assert.deepEqual(stored.map((x) => x.event_id).sort(), [...first.body.eventIds].sort(), "every event once, under the ids the first answer gave");
        } finally {
            client.destroy();
            await new Promise((resolve) => server.close(resolve));
        }
    });
});
