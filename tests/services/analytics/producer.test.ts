import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry, type PutRecordsResultEntry } from "@aws-sdk/client-kinesis";
import { EVENT_COLUMNS, eventRecordSchema } from "../../../services/analytics/event";
import { InvalidRecordError, KinesisProducer, LIMITS, packBatches, PutRecordsFailedError, type ProducerRecord } from "../../../services/analytics/producer";
import { createEventPublisher, kinesisClient } from "../../../services/analytics/publisher";
import { startLocalKinesis, type LocalKinesis } from "../../../tools/local-kinesis";
import { startHungServer, type HungServer } from "../web/servers";

/**
 * What each PutRecords call carried, seen by a middleware in front of the real client. When
 * `fail` names an error code for an entry, the entry is held back from kinesalite (which cannot
 * inject per-record failures itself) and reported failed in the otherwise real response, exactly
 * as Kinesis reports a throttled record. When `failCall` returns an error, the whole call fails
 * before reaching kinesalite.
 */
interface Injection {
    fail?: (entry: PutRecordsRequestEntry, call: number) => string | undefined;
    failCall?: (call: number) => Error | undefined;
}

function observe(client: KinesisClient, injection: Injection = {}): { calls: string[][] } {
    const calls: string[][] = [];
    client.middlewareStack.add(
        (next, context) => async (args: any) => {
            if (context.commandName !== "PutRecordsCommand") return next(args);
            const entries: PutRecordsRequestEntry[] = args.input.Records;
            const call = calls.push(entries.map((e) => Buffer.from(e.Data!).toString("utf8").slice(0, 40))) - 1;
            const callError = injection.failCall?.(call);
            if (callError) throw callError;
            const verdicts = entries.map((e) => injection.fail?.(e, call));
            const kept = entries.filter((_, i) => !verdicts[i]);
            let real: PutRecordsResultEntry[] = [];
            let result: any = { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
            if (kept.length > 0) {
                result = await next({ ...args, input: { ...args.input, Records: kept } });
                real = result.output.Records;
            }
            const merged = verdicts.map((code) => (code ? { ErrorCode: code, ErrorMessage: `injected ${code}` } : real.shift()!));
            return { ...result, output: { ...result.output, Records: merged, FailedRecordCount: merged.filter((r) => r.ErrorCode).length } };
        },
        { step: "initialize", name: "observePutRecords" },
    );
    return { calls };
}

const throttled = (message = "Rate exceeded for shard") =>
    Object.assign(new Error(message), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
const noSleep = { sleep: async () => undefined };
const records = (n: number, key = (i: number) => `user-${i % 7}`): ProducerRecord[] =>
    Array.from({ length: n }, (_, i) => ({ data: `record-${i}`, partitionKey: key(i) }));

describe("packBatches", () => {
    it("fills calls up to 500 records, in order", () => {
        const batches = packBatches(
            Array.from({ length: 1234 }, (_, i) => i),
            () => 10,
        );
        assert.deepEqual(
            batches.map((b) => b.length),
            [500, 500, 234],
        );
        assert.deepEqual(
            batches.flat(),
            Array.from({ length: 1234 }, (_, i) => i),
        );
    });

    it("starts a new call before 5 MiB would be exceeded", () => {
        const KiB = 1024;
        const batches = packBatches(
            [900, 900, 900, 900, 900, 900, 100].map((k) => k * KiB),
            (n) => n,
        );
        assert.deepEqual(
            batches.map((b) => b.length),
            [5, 2],
        );
        for (const b of batches) assert.ok(b.reduce((s, n) => s + n, 0) <= LIMITS.bytesPerCall);
        // Exactly 5 MiB still fits one call.
        assert.deepEqual(
            packBatches([1024 * KiB, 1024 * KiB, 1024 * KiB, 1024 * KiB, 1024 * KiB], (n) => n).map((b) => b.length),
            [5],
        );
    });
});

describe("KinesisProducer against kinesalite", function () {
    let kinesis: LocalKinesis;
    let streams = 0;
    const newStream = async (shards = 2) => {
        const name = `events-${++streams}`;
        await kinesis.createStream(name, shards);
        return name;
    };
    const freshClient = () => kinesisClient({ region: "us-east-1", endpoint: kinesis.endpoint });

    before(async () => {
        kinesis = await startLocalKinesis();
    });
    after(async () => kinesis?.close());

    it("writes 1,234 records in 3 PutRecords calls of at most 500, each record exactly once", async () => {
        const stream = await newStream();
        const client = freshClient();
        const seen = observe(client);
        const result = await new KinesisProducer({ client, streamName: stream }).send(records(1234));
        assert.deepEqual(
            seen.calls.map((c) => c.length),
            [500, 500, 234],
        );
        assert.deepEqual(result, { succeeded: 1234, failed: [], calls: 3 });
        const stored = (await kinesis.readAll(stream)).map((r) => r.data).sort();
        assert.deepEqual(
            stored,
            records(1234)
                .map((r) => r.data as string)
                .sort(),
        );
    });

    it("keeps every call under 5 MiB: a call kinesalite would reject whole is split", async () => {
        const stream = await newStream();
        const big = Array.from({ length: 12 }, (_, i) => ({ data: `${i}:`.padEnd(900 * 1024, "x"), partitionKey: `big-${i}` }));
        // Six 900 KiB records in one request exceed the request size kinesalite accepts (as Kinesis
        // rejects a request over 5 MiB), so the limit is real.
        await assert.rejects(
            kinesis.client.send(
                new PutRecordsCommand({
                    StreamName: stream,
                    Records: big.slice(0, 6).map((r) => ({ Data: Buffer.from(r.data), PartitionKey: r.partitionKey })),
                }),
            ),
        );
        const client = freshClient();
        const seen = observe(client);
        const result = await new KinesisProducer({ client, streamName: stream }).send(big);
        assert.deepEqual(
            seen.calls.map((c) => c.length),
            [5, 5, 2],
        );
        assert.equal(result.succeeded, 12);
        assert.equal((await kinesis.readAll(stream)).length, 12);
    });

    it("rejects a record over 1 MiB with its partition key before sending anything", async () => {
        const stream = await newStream();
        const client = freshClient();
        const seen = observe(client);
        const producer = new KinesisProducer({ client, streamName: stream });
        const exactlyOneMiB = { data: new Uint8Array(LIMITS.bytesPerRecord - 4), partitionKey: "abcd" };
        const overByTheKey = { data: new Uint8Array(LIMITS.bytesPerRecord - 4), partitionKey: "abcde" };
        await assert.rejects(producer.send([...records(3), overByTheKey]), (err: unknown) => {
            assert.ok(err instanceof InvalidRecordError);
            assert.equal(err.index, 3);
            assert.match(err.message, /record 3: is 1048577 bytes with its partition key, above the Kinesis limit of 1048576 bytes/);
            return true;
        });
        await assert.rejects(producer.send([{ data: "x", partitionKey: "" }]), /partition key must be 1 to 256 characters/);
        assert.equal(seen.calls.length, 0);
        assert.equal((await producer.send([exactlyOneMiB])).succeeded, 1);
    });

    it("retries only the records a call reported failed, with backoff, and writes each once", async () => {
        const stream = await newStream();
        const client = freshClient();
        // The first call throttles every third record, the second call one more of those.
        const seen = observe(client, {
            fail: (e, call) => {
                const i = Number(Buffer.from(e.Data!).toString().split("-")[1]);
                if (call === 0 && i % 3 === 0) return "ProvisionedThroughputExceededException";
                if (call === 1 && i === 3) return "InternalFailure";
                return undefined;
            },
        });
        const sleeps: number[] = [];
        const producer = new KinesisProducer({ client, streamName: stream, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
        const result = await producer.send(records(30));
        assert.deepEqual(result, { succeeded: 30, failed: [], calls: 3 });
        assert.equal(seen.calls[0].length, 30);
        assert.deepEqual(
            seen.calls[1],
            Array.from({ length: 10 }, (_, k) => `record-${k * 3}`),
        );
        assert.deepEqual(seen.calls[2], ["record-3"]);
        assert.deepEqual(sleeps, [50, 100], "full jitter at 0.5 of 100 ms, then of 200 ms");
        const stored = (await kinesis.readAll(stream)).map((r) => r.data).sort();
        assert.deepEqual(
            stored,
            records(30)
                .map((r) => r.data as string)
                .sort(),
            "nothing lost, nothing duplicated",
        );
    });

    it("surfaces records still throttled after maxAttempts, with their error codes, and writes the rest", async () => {
        const stream = await newStream();
        const client = freshClient();
        const seen = observe(client, { fail: (e) => (e.PartitionKey === "hot" ? "ProvisionedThroughputExceededException" : undefined) });
        const batch = [...records(10), { data: "hot-1", partitionKey: "hot" }, { data: "hot-2", partitionKey: "hot" }];
        const producer = new KinesisProducer({ client, streamName: stream, maxAttempts: 3, ...noSleep });
        await assert.rejects(producer.send(batch), (err: unknown) => {
            assert.ok(err instanceof PutRecordsFailedError);
            assert.equal(err.message, "2 of 12 record(s) were not written to Kinesis (ProvisionedThroughputExceededException)");
            assert.deepEqual(
                err.failed.map((f) => [f.index, f.record.data, f.errorCode, f.attempts]),
                [
                    [10, "hot-1", "ProvisionedThroughputExceededException", 3],
                    [11, "hot-2", "ProvisionedThroughputExceededException", 3],
                ],
            );
            assert.equal(err.result.succeeded, 10);
            return true;
        });
        assert.deepEqual(
            seen.calls.map((c) => c.length),
            [12, 2, 2],
        );
        const stored = (await kinesis.readAll(stream)).map((r) => r.data);
        assert.equal(stored.length, 10);
        assert.ok(!stored.some((d) => d.startsWith("hot")));
    });

    it("does not retry a record error that retrying cannot fix", async () => {
        const stream = await newStream();
        const client = freshClient();
        const seen = observe(client, { fail: (e) => (e.PartitionKey === "user-0" ? "KMSAccessDeniedException" : undefined) });
        const result = await new KinesisProducer({ client, streamName: stream, ...noSleep }).sendSettled(records(14));
        assert.equal(seen.calls.length, 1);
        assert.equal(result.succeeded, 12);
        assert.deepEqual(
            result.failed.map((f) => [f.index, f.errorCode, f.attempts]),
            [
                [0, "KMSAccessDeniedException", 1],
                [7, "KMSAccessDeniedException", 1],
            ],
        );
    });

    it("retries a whole call that was throttled", async () => {
        const stream = await newStream();
        const client = freshClient();
        const seen = observe(client, { failCall: (call) => (call < 2 ? throttled() : undefined) });
        const result = await new KinesisProducer({ client, streamName: stream, ...noSleep }).send(records(40));
        assert.deepEqual(result, { succeeded: 40, failed: [], calls: 3 });
        assert.deepEqual(
            seen.calls.map((c) => c.length),
            [40, 40, 40],
        );
        assert.equal((await kinesis.readAll(stream)).length, 40);
    });

    it("fails every record at once when the stream does not exist (real kinesalite error)", async () => {
        const client = freshClient();
        const seen = observe(client);
        const result = await new KinesisProducer({ client, streamName: "no-such-stream", ...noSleep }).sendSettled(records(3));
        assert.equal(seen.calls.length, 1);
        assert.deepEqual(
            result.failed.map((f) => [f.errorCode, f.attempts]),
            Array(3).fill(["ResourceNotFoundException", 1]),
        );
    });

    it("caps full-jitter backoff at maxDelayMs", async () => {
        const stream = await newStream();
        const client = freshClient();
        observe(client, { failCall: (call) => (call < 6 ? throttled() : undefined) });
        const sleeps: number[] = [];
        const producer = new KinesisProducer({
            client,
            streamName: stream,
            maxAttempts: 7,
            baseDelayMs: 100,
            maxDelayMs: 1000,
            random: () => 0.99,
            sleep: async (ms) => void sleeps.push(ms),
        });
        await producer.send(records(1));
        assert.deepEqual(sleeps, [99, 198, 396, 792, 990, 990]);
    });

    it("publishes events as the records the Glue table describes", async () => {
        const stream = await newStream(1);
        const publish = createEventPublisher({ client: freshClient(), streamName: stream, source: "web" });
        const at = new Date("2026-03-01T12:00:00.000Z");
        const { eventIds } = await publish([
            { type: "order.placed", subjectId: "user-42", occurredAt: at, attributes: { plan: "pro" }, payload: { total: 12.5 } },
            { type: "page.viewed", occurredAt: at },
        ]);
        assert.equal(eventIds.length, 2);
        const stored = await kinesis.readAll(stream);
        const [order, view] = stored.map((r) => ({ key: r.partitionKey, body: JSON.parse(r.data) }));
        assert.deepEqual(Object.keys(order.body).sort(), EVENT_COLUMNS.map((c) => c.name).sort());
        assert.deepEqual(
            Object.keys(eventRecordSchema.shape).sort(),
            EVENT_COLUMNS.map((c) => c.name).sort(),
            "the consumers' schema and the Glue table have the same fields",
        );
        assert.deepEqual(order.body, {
            event_id: eventIds[0],
            event_type: "order.placed",
            occurred_at: at.getTime(),
            source: "web",
            subject_id: "user-42",
            attributes: { plan: "pro" },
            payload: '{"total":12.5}',
        });
        assert.equal(order.key, "user-42", "a subject's events share a partition key");
        assert.equal(view.key, eventIds[1], "events without a subject spread by event id");
        await assert.rejects(publish({ type: "Bad Type" }), /event 0 type: must be 1-128 lowercase/);
    });
});

describe("KinesisProducer against a Kinesis that throttles or hangs", function () {
    /** A local Kinesis endpoint that answers every request as a throttled one, counting them. */
    async function throttlingKinesis() {
        let requests = 0;
        const server = http.createServer((req, res) => {
            requests += 1;
            req.resume().on("end", () => {
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ProvisionedThroughputExceededException" });
                res.end(JSON.stringify({ __type: "ProvisionedThroughputExceededException", message: "Rate exceeded for stream" }));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        return {
            endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            requests: () => requests,
            close: () => new Promise((r) => server.close(r)),
        };
    }
    let hung: HungServer;
    before(async () => {
        hung = await startHungServer();
    });
    after(async () => hung?.stop());

    it("makes one request per attempt: the SDK's retries do not stack under the producer's", async () => {
        const kinesis = await throttlingKinesis();
        const client = kinesisClient({ region: "us-east-1", endpoint: kinesis.endpoint });
        try {
            const result = await new KinesisProducer({ client, streamName: "s", maxAttempts: 3, ...noSleep }).sendSettled(records(2));
            assert.deepEqual(
                result.failed.map((f) => [f.errorCode, f.attempts]),
                Array(2).fill(["ProvisionedThroughputExceededException", 3]),
            );
            assert.equal(kinesis.requests(), 3, "3 producer attempts, 1 request each");
        } finally {
            client.destroy();
            await kinesis.close();
        }
    });

    it("gives up an attempt on a silent Kinesis at the client's request timeout", async () => {
        const client = kinesisClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${hung.port}`, timeouts: { connectMs: 1000, requestMs: 300 } });
        try {
            const start = Date.now();
            const result = await new KinesisProducer({ client, streamName: "s", maxAttempts: 2, ...noSleep }).sendSettled(records(1));
            assert.deepEqual(
                result.failed.map((f) => [f.errorCode, f.attempts]),
                [["TimeoutError", 2]],
            );
            assert.ok(Date.now() - start < 2000, `took ${Date.now() - start} ms`);
        } finally {
            client.destroy();
        }
    });

    it("stops at the send's deadline, reporting every unconfirmed record, and leaves no request behind", async () => {
        const client = kinesisClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${hung.port}`, timeouts: { connectMs: 1000, requestMs: 60_000 } });
        try {
            const start = Date.now();
            const result = await new KinesisProducer({ client, streamName: "s" }).sendSettled(records(3), { signal: AbortSignal.timeout(300) });
            const ms = Date.now() - start;
            assert.ok(ms >= 290 && ms < 1500, `took ${ms} ms`);
            assert.deepEqual(
                result.failed.map((f) => [f.index, f.errorCode]),
                [
                    [0, "TimeoutError"],
                    [1, "TimeoutError"],
                    [2, "TimeoutError"],
                ],
            );
            await new Promise((r) => setTimeout(r, 100));
            assert.equal(hung.open(), 0, `the aborted request closed its connection (${hung.open()} of ${hung.accepted()} open)`);
        } finally {
            client.destroy();
        }
    });
});
