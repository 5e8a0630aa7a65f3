import { strict as assert } from "assert";
import { retryDelays, worstCase } from "../../policy/asl";
import { expectViolations, resource } from "../helpers/policy";

const ACCOUNT = "123456789012";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/events";

const queue = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:sqs/queue:Queue", name, { kmsMasterKeyId: "k", ...inputs }, { id: `https://sqs/${name}`, outputs: { arn: queueArn(name), name, url: `https://sqs/${name}` } });
const fn = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:lambda/function:Function", name, { role: "r", runtime: "nodejs22.x", ...inputs }, { id: name, outputs: { arn: fnArn(name), name } });
const mapping = (name: string, inputs: Record<string, unknown>) => resource("aws:lambda/eventSourceMapping:EventSourceMapping", name, inputs);
const alarm = (name: string, namespace: string, metricName: string, dimensions: Record<string, string>, actions = ["arn:aws:sns:us-east-1:123456789012:alarms"]) =>
    resource("aws:cloudwatch/metricAlarm:MetricAlarm", name, { namespace, metricName, dimensions, alarmActions: actions, comparisonOperator: "GreaterThanThreshold", threshold: 0, evaluationPeriods: 1 });

describe("events policies", () => {
    describe("lambda-event-source-settings-valid", () => {
        it("passes valid SQS and Kinesis mappings; flags settings AWS rejects for the source type", async () => {
            const sqsOk = mapping("sqs-ok", { functionName: "f", eventSourceArn: queueArn("q"), batchSize: 100, maximumBatchingWindowInSeconds: 5, functionResponseTypes: ["ReportBatchItemFailures"], scalingConfig: { maximumConcurrency: 2 } });
            const streamOk = mapping("stream-ok", { functionName: "f", eventSourceArn: streamArn, startingPosition: "TRIM_HORIZON", bisectBatchOnFunctionError: true, maximumRetryAttempts: 3, maximumRecordAgeInSeconds: 3600, destinationConfig: { onFailure: { destinationArn: queueArn("f") } } });
            const sqsStreamOnly = mapping("sqs-bisect", { functionName: "f", eventSourceArn: queueArn("q"), bisectBatchOnFunctionError: true, maximumRetryAttempts: 2 });
            const sqsConcurrency = mapping("sqs-one", { functionName: "f", eventSourceArn: queueArn("q"), scalingConfig: { maximumConcurrency: 1 } });
            const sqsBigBatch = mapping("sqs-batch", { functionName: "f", eventSourceArn: queueArn("q"), batchSize: 50 });
            const streamScaling = mapping("stream-scaling", { functionName: "f", eventSourceArn: streamArn, startingPosition: "LATEST", scalingConfig: { maximumConcurrency: 5 } });
            const streamBad = mapping("stream-bad", { functionName: "f", eventSourceArn: streamArn, maximumRecordAgeInSeconds: 30, maximumRetryAttempts: 20_000 });
            const v = await expectViolations("lambda-event-source-settings-valid", [sqsOk, streamOk, sqsStreamOnly, sqsConcurrency, sqsBigBatch, streamScaling, streamBad], [sqsStreamOnly, sqsConcurrency, sqsBigBatch, streamScaling, streamBad]);
            const of = (r: { urn: string }) => v.filter((x) => x.urn === r.urn).map((x) => x.message);
            assert.equal(of(sqsStreamOnly).length, 2);
            assert.match(of(sqsConcurrency)[0], /outside SQS's 2\.\.1000/);
            assert.match(of(sqsBigBatch)[0], /maximumBatchingWindowInSeconds of at least 1/);
            assert.match(of(streamScaling)[0], /only for SQS/);
            assert.deepEqual(of(streamBad).length, 3, of(streamBad).join("\n"));
        });
    });

    describe("lambda-sqs-visibility-covers-timeout and lambda-sqs-visibility-six-times-timeout", () => {
        const wired = (visibility: number, timeout: number, window = 0) => {
            const q = queue(`q-${visibility}-${timeout}`, { visibilityTimeoutSeconds: visibility });
            const f = fn(`f-${visibility}-${timeout}`, { timeout });
            const m = mapping(`m-${visibility}-${timeout}`, { functionName: f.outputs.arn, eventSourceArn: q.outputs.arn, maximumBatchingWindowInSeconds: window });
            return { q, f, m, all: [q, f, m] };
        };
        it("rejects (mandatory) a visibility timeout below the function timeout", async () => {
            const ok = wired(180, 30);
            const bad = wired(20, 30);
            await expectViolations("lambda-sqs-visibility-covers-timeout", [...ok.all, ...bad.all], [bad.m]);
        });
        it("notes (advisory) one below 6x the timeout plus the batching window", async () => {
            const ok = wired(185, 30, 5);
            const short = wired(184, 31, 0);
            const v = await expectViolations("lambda-sqs-visibility-six-times-timeout", [...ok.all, ...short.all], [short.m]);
            assert.match(v[0].message, /6 x 31s \+ 0s = 186s/);
        });
    });

    describe("lambda-sqs-reserved-covers-max-concurrency and lambda-consumer-bulkhead", () => {
        it("flags reserved concurrency below the mapping's maximum, and notes a consumer with none", async () => {
            const q = queue("q", { visibilityTimeoutSeconds: 180 });
            const ok = fn("ok", { reservedConcurrentExecutions: 5 });
            const low = fn("low", { reservedConcurrentExecutions: 2 });
            const none = fn("none");
            const m = (f: ReturnType<typeof fn>) => mapping(`m-${f.name}`, { functionName: f.outputs.arn, eventSourceArn: q.outputs.arn, scalingConfig: { maximumConcurrency: 5 } });
            const [mOk, mLow, mNone] = [m(ok), m(low), m(none)];
            const all = [q, ok, low, none, mOk, mLow, mNone];
            await expectViolations("lambda-sqs-reserved-covers-max-concurrency", all, [mLow]);
            await expectViolations("lambda-consumer-bulkhead", all, [none]);
        });
    });

    describe("sqs-redrive-allowed and sqs-dlq-redrive-restricted", () => {
        it("passes a dead-letter queue that lists its source; flags one that refuses it, and notes one open to all", async () => {
            const dlq = queue("dlq");
            const src = queue("src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount: 3 }) });
            const allow = resource("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "allow", { queueUrl: dlq.outputs.url, redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [src.outputs.arn] }) });

            const deniedDlq = queue("denied-dlq", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) });
            const deniedSrc = queue("denied-src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: deniedDlq.outputs.arn, maxReceiveCount: 3 }) });
            const otherDlq = queue("other-dlq", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [queueArn("someone-else")] }) });
            const otherSrc = queue("other-src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: otherDlq.outputs.arn, maxReceiveCount: 3 }) });
            const openDlq = queue("open-dlq");
            const openSrc = queue("open-src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: openDlq.outputs.arn, maxReceiveCount: 3 }) });

            const all = [dlq, src, allow, deniedDlq, deniedSrc, otherDlq, otherSrc, openDlq, openSrc];
            await expectViolations("sqs-redrive-allowed", all, [deniedDlq, otherDlq]);
            await expectViolations("sqs-dlq-redrive-restricted", all, [openDlq]);
        });
    });

    describe("sqs-dlq-depth-alarm", () => {
        it("notes dead-letter and failure queues no alarm watches", async () => {
            const dlq = queue("dlq");
            const src = queue("src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount: 3 }) });
            const failures = queue("stream-failures");
            const m = mapping("m", { functionName: "f", eventSourceArn: streamArn, startingPosition: "LATEST", destinationConfig: { onFailure: { destinationArn: failures.outputs.arn } } });
            const silent = alarm("silent", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "stream-failures" }, []);
            const watched = alarm("watched", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "dlq" });
            await expectViolations("sqs-dlq-depth-alarm", [dlq, src, failures, m, silent, watched], [failures]);
        });
    });

    describe("state machine definitions: sfn-definition-valid, sfn-worst-case-within-timeout, sfn-map-within-reserved-concurrency", () => {
        const invoke = (fnName: string, timeout: number, retry: object[] = []) => ({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: timeout, Parameters: { FunctionName: fnArn(fnName), "Payload.$": "$" }, Retry: retry });
        const eachLine = (inner: string, fnName: string, concurrency: number, retry: object[] = []) => ({
            Type: "Map",
            ItemsPath: "$.lines",
            MaxConcurrency: concurrency,
            ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: inner, States: { [inner]: { ...invoke(fnName, 40, retry), End: true } } },
        });
        const retry = (attempts: number) => [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: attempts, BackoffRate: 2, MaxDelaySeconds: 5 }];
        /** Reserve each line, then charge; a failed charge releases every line. */
        const saga = (o: { timeout: number; concurrency?: number; inner?: [string, string] }) => ({
            StartAt: "Reserve",
            TimeoutSeconds: o.timeout,
            States: {
                Reserve: { ...eachLine(o.inner?.[0] ?? "ReserveLine", "inventory", o.concurrency ?? 2), Next: "Charge" },
                Charge: { ...invoke("payments", 40), Catch: [{ ErrorEquals: ["States.ALL"], Next: "Release" }], Next: "Done" },
                Release: { ...eachLine(o.inner?.[1] ?? "ReleaseLine", "inventory", o.concurrency ?? 2, retry(3)), Next: "Cancelled" },
                Done: { Type: "Succeed" },
                Cancelled: { Type: "Succeed" },
            },
        });
        const sm = (name: string, definition: unknown) => resource("aws:sfn/stateMachine:StateMachine", name, { definition: typeof definition === "string" ? definition : JSON.stringify(definition), roleArn: "r" });
        // With 4 lines 2 at a time: Reserve 2 rounds x 40 s; Charge 40 s; Release 2 rounds x (4 attempts x 40 s + 2 + 4 + 5 (capped) s).
        const WORST = 2 * 40 + 40 + 2 * (4 * 40 + 2 + 4 + 5);

        it("computes the worst case along the slowest failure's compensations, with backoff capped by MaxDelaySeconds and Maps in rounds", () => {
            assert.deepEqual(retryDelays(retry(4)[0]), [2, 4, 5, 5]);
            const w = worstCase(saga({ timeout: 1 }), { mapItems: 4 });
            assert.equal(w.seconds, WORST);
            assert.deepEqual(w.path.map((p) => p.state), ["Reserve", "Charge", "Release", "Cancelled"]);
            assert.equal(worstCase({ StartAt: "T", States: { T: { Type: "Task", Resource: "x", End: true } } }, { mapItems: 1 }).seconds, Infinity, "a task without a timeout is unbounded");
        });

        it("flags a definition Step Functions rejects: a state name used twice (in two Maps), or not JSON; skips one preview can't know", async () => {
            const ok = sm("ok", saga({ timeout: 900 }));
            const twice = sm("twice", saga({ timeout: 900, inner: ["Inventory", "Inventory"] }));
            const garbled = sm("garbled", "{ not json");
            const unknown = sm("unknown", "[unknown]");
            const v = await expectViolations("sfn-definition-valid", [ok, twice, garbled, unknown], [twice, garbled]);
            assert.match(v.find((x) => x.urn === twice.urn)!.message, /DUPLICATE_STATE_NAMES.*Inventory/);
        });

        it("flags a state machine whose worst case exceeds its TimeoutSeconds (Maps over the configured mapItems)", async () => {
            const fits = sm("fits", saga({ timeout: 100 * (2 * 40 + 40 + 4 * 40 + 2 + 4 + 5) }));
            const tight = sm("tight", saga({ timeout: 900 }));
            const unknown = sm("unknown", "[unknown]");
            const v = await expectViolations("sfn-worst-case-within-timeout", [fits, tight, unknown], [tight]);
            assert.match(v[0].message, /worst case takes \d+ s \(Reserve \d+ s, Charge 40 s, Release \d+ s; Map states over up to 100 items\), above its TimeoutSeconds 900/);
            // Orders of at most 4 lines: exactly the worst case fits, a second less does not.
            const config = { "sfn-worst-case-within-timeout": { mapItems: 4 } };
            const [exact, short] = [sm("exact", saga({ timeout: WORST })), sm("short", saga({ timeout: WORST - 1 }))];
            await expectViolations("sfn-worst-case-within-timeout", [exact, short], [short], { config });
        });

        it("flags a Map running more iterations at once than its function's reserved concurrency", async () => {
            const inventory = fn("inventory", { reservedConcurrentExecutions: 2 });
            const payments = fn("payments", { reservedConcurrentExecutions: 1 });
            const within = sm("within", saga({ timeout: 900, concurrency: 2 }));
            const over = sm("over", saga({ timeout: 900, concurrency: 10 }));
            const unknown = sm("unknown", "[unknown]");
            const v = await expectViolations("sfn-map-within-reserved-concurrency", [inventory, payments, within, over, unknown], [over]);
            assert.equal(v.length, 2, "both Maps");
            assert.match(v[0].message, /Map state Reserve runs up to 10 iterations at once against inventory, which is reserved 2/);
        });
    });

    describe("sfn-failure-alarm and lambda-stream-iterator-age-alarm", () => {
        it("notes a state machine without an ExecutionsFailed alarm", async () => {
            const arn = (n: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${n}`;
            const sm = (n: string) => resource("aws:sfn/stateMachine:StateMachine", n, { definition: "{}", roleArn: "r" }, { outputs: { arn: arn(n) } });
            const [ok, bare] = [sm("ok"), sm("bare")];
            await expectViolations("sfn-failure-alarm", [ok, bare, alarm("a", "AWS/States", "ExecutionsFailed", { StateMachineArn: arn("ok") })], [bare]);
        });
        it("notes a stream consumer without an IteratorAge alarm", async () => {
            const [ok, bare] = [fn("ok"), fn("bare")];
            const m = (f: ReturnType<typeof fn>) => mapping(`m-${f.name}`, { functionName: f.outputs.arn, eventSourceArn: streamArn, startingPosition: "LATEST" });
            await expectViolations("lambda-stream-iterator-age-alarm", [ok, bare, m(ok), m(bare), alarm("a", "AWS/Lambda", "IteratorAge", { FunctionName: "ok" })], [bare]);
        });
    });

    describe("events-stateful-protected-prod", () => {
        it("in prod, flags an unprotected queue or archive; dev is exempt", async () => {
            const protectedQueue = resource("aws:sqs/queue:Queue", "kept", { kmsMasterKeyId: "k" }, { options: { protect: true } as never });
            const bareQueue = queue("bare");
            const archive = resource("aws:cloudwatch/eventArchive:EventArchive", "archive", { eventSourceArn: "arn:aws:events:us-east-1:123456789012:event-bus/b" });
            await expectViolations("events-stateful-protected-prod", [protectedQueue, bareQueue, archive], [bareQueue, archive], { environment: "prod" });
            await expectViolations("events-stateful-protected-prod", [protectedQueue, bareQueue, archive], [], { environment: "dev" });
        });
    });
});
