import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";
import { alarm, eventFn, eventQueue, mapping, queueArn } from "./event-resources";

const fn = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:lambda/function:Function",
        name,
        { role: "arn:aws:iam::123456789012:role/r", runtime: "nodejs22.x", name, ...inputs },
        { id: name, outputs: { arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` } },
    );
const logGroup = (name: string) => resource("aws:cloudwatch/logGroup:LogGroup", name.replace(/\W+/g, "-"), { name, retentionInDays: 14 }, { id: name });
const streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/events";

describe("Lambda policies", () => {
    describe("lambda-no-public-url", () => {
        it("passes an IAM-authorized URL and flags an open one", async () => {
            const ok = resource("aws:lambda/functionUrl:FunctionUrl", "ok", { functionName: "f", authorizationType: "AWS_IAM" });
            const bad = resource("aws:lambda/functionUrl:FunctionUrl", "bad", { functionName: "f", authorizationType: "NONE" });
            await expectViolations("lambda-no-public-url", [ok, bad], [bad]);
        });
    });

    describe("lambda-async-failure-destination", () => {
        it("passes async-invoked functions with a DLQ or an on-failure destination, and ignores sync ones", async () => {
            const withDlq = fn("with-dlq", { deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:1:dlq" } });
            const withDest = fn("with-dest");
            const sync = fn("sync");
            const resources = [
                withDlq,
                withDest,
                sync,
                resource("aws:lambda/permission:Permission", "events", {
                    action: "lambda:InvokeFunction",
                    function: "with-dlq",
                    principal: "events.amazonaws.com",
                    sourceArn: "arn:rule",
                }),
                resource("aws:cloudwatch/eventTarget:EventTarget", "target", { rule: "r", arn: withDest.outputs.arn }),
                resource("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "dest", {
                    functionName: "with-dest",
                    destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:1:failed" } },
                }),
                resource("aws:lambda/permission:Permission", "apigw", {
                    action: "lambda:InvokeFunction",
                    function: "sync",
                    principal: "apigateway.amazonaws.com",
                }),
            ];
            await expectViolations("lambda-async-failure-destination", resources, []);
        });
        it("flags a function an SNS subscription invokes with nowhere to send failures", async () => {
            const bare = fn("bare");
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: "arn:t", protocol: "lambda", endpoint: bare.outputs.arn });
            const v = await expectViolations("lambda-async-failure-destination", [bare, sub], [bare]);
            assert.match(v[0].message, /invoked asynchronously by an SNS subscription/);
        });
    });

    describe("lambda-stream-failure-handling", () => {
        it("passes a Kinesis consumer with an on-failure destination and bounded retries; flags one without", async () => {
            const ok = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "ok", {
                functionName: "f",
                eventSourceArn: "arn:aws:kinesis:us-east-1:1:stream/events",
                startingPosition: "LATEST",
                maximumRetryAttempts: 3,
                destinationConfig: { onFailure: { destinationArn: "arn:aws:sqs:us-east-1:1:failed" } },
            });
            const bad = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "bad", {
                functionName: "f",
                eventSourceArn: "arn:aws:dynamodb:us-east-1:1:table/t/stream/2026",
                startingPosition: "LATEST",
            });
            const sqs = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "sqs", { functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:1:q" });
            const v = await expectViolations("lambda-stream-failure-handling", [ok, bad, sqs], [bad]);
            assert.equal(v.length, 2);
        });
    });

    describe("lambda-event-source-batch-failures", () => {
        it("passes partial-batch reporting with bisect or capped concurrency and notes what's missing", async () => {
            const stream = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "stream", {
                functionName: "f",
                eventSourceArn: "arn:aws:kinesis:us-east-1:1:stream/s",
                functionResponseTypes: ["ReportBatchItemFailures"],
                bisectBatchOnFunctionError: true,
            });
            const queue = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "queue", {
                functionName: "f",
                eventSourceArn: "arn:aws:sqs:us-east-1:1:q",
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: 5 },
            });
            const bare = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "bare", {
                functionName: "f",
                eventSourceArn: "arn:aws:sqs:us-east-1:1:q",
            });
            await expectViolations("lambda-event-source-batch-failures", [stream, queue, bare], [bare]);
        });
    });

    describe("lambda-log-group-managed", () => {
        it("passes a function whose log group the stack declares and notes one left to auto-creation", async () => {
            const ok = fn("ok");
            const custom = fn("custom", { loggingConfig: { logFormat: "JSON", logGroup: "/platform/custom" } });
            const bad = fn("bad");
            await expectViolations("lambda-log-group-managed", [ok, logGroup("/aws/lambda/ok"), custom, logGroup("/platform/custom"), bad], [bad]);
        });
    });

    describe("lambda-runtime-supported", () => {
        it("passes a current runtime and notes a deprecated one", async () => {
            const old = fn("old", { runtime: "nodejs16.x" });
            const node20 = fn("node20", { runtime: "nodejs20.x" });
            await expectViolations(
                "lambda-runtime-supported",
                [fn("ok", { runtime: "nodejs22.x" }), fn("py", { runtime: "python3.13" }), old, node20],
                [old, node20],
            );
        });
    });

    describe("lambda-event-source-settings-valid", () => {
        it("passes valid SQS and Kinesis mappings; flags settings AWS rejects for the source type", async () => {
            const sqsOk = mapping("sqs-ok", {
                functionName: "f",
                eventSourceArn: queueArn("q"),
                batchSize: 100,
                maximumBatchingWindowInSeconds: 5,
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: 2 },
            });
            const streamOk = mapping("stream-ok", {
                functionName: "f",
                eventSourceArn: streamArn,
                startingPosition: "TRIM_HORIZON",
                bisectBatchOnFunctionError: true,
                maximumRetryAttempts: 3,
                maximumRecordAgeInSeconds: 3600,
                destinationConfig: { onFailure: { destinationArn: queueArn("f") } },
            });
            const sqsStreamOnly = mapping("sqs-bisect", {
                functionName: "f",
                eventSourceArn: queueArn("q"),
                bisectBatchOnFunctionError: true,
                maximumRetryAttempts: 2,
            });
            const sqsConcurrency = mapping("sqs-one", { functionName: "f", eventSourceArn: queueArn("q"), scalingConfig: { maximumConcurrency: 1 } });
            const sqsBigBatch = mapping("sqs-batch", { functionName: "f", eventSourceArn: queueArn("q"), batchSize: 50 });
            const streamScaling = mapping("stream-scaling", {
                functionName: "f",
                eventSourceArn: streamArn,
                startingPosition: "LATEST",
                scalingConfig: { maximumConcurrency: 5 },
            });
            const streamBad = mapping("stream-bad", {
                functionName: "f",
                eventSourceArn: streamArn,
                maximumRecordAgeInSeconds: 30,
                maximumRetryAttempts: 20_000,
            });
            const v = await expectViolations(
                "lambda-event-source-settings-valid",
                [sqsOk, streamOk, sqsStreamOnly, sqsConcurrency, sqsBigBatch, streamScaling, streamBad],
                [sqsStreamOnly, sqsConcurrency, sqsBigBatch, streamScaling, streamBad],
            );
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
            const q = eventQueue(`q-${visibility}-${timeout}`, { visibilityTimeoutSeconds: visibility });
            const f = eventFn(`f-${visibility}-${timeout}`, { timeout });
            const m = mapping(`m-${visibility}-${timeout}`, {
                functionName: f.outputs.arn,
                eventSourceArn: q.outputs.arn,
                maximumBatchingWindowInSeconds: window,
            });
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
            const q = eventQueue("q", { visibilityTimeoutSeconds: 180 });
            const ok = eventFn("ok", { reservedConcurrentExecutions: 5 });
            const low = eventFn("low", { reservedConcurrentExecutions: 2 });
            const none = eventFn("none");
            const m = (f: ReturnType<typeof eventFn>) =>
                mapping(`m-${f.name}`, { functionName: f.outputs.arn, eventSourceArn: q.outputs.arn, scalingConfig: { maximumConcurrency: 5 } });
            const [mOk, mLow, mNone] = [m(ok), m(low), m(none)];
            const all = [q, ok, low, none, mOk, mLow, mNone];
            await expectViolations("lambda-sqs-reserved-covers-max-concurrency", all, [mLow]);
            await expectViolations("lambda-consumer-bulkhead", all, [none]);
        });
    });

    describe("lambda-stream-iterator-age-alarm", () => {
        it("notes a stream consumer without an IteratorAge alarm", async () => {
            const [ok, bare] = [eventFn("ok"), eventFn("bare")];
            const m = (f: ReturnType<typeof eventFn>) =>
                mapping(`m-${f.name}`, { functionName: f.outputs.arn, eventSourceArn: streamArn, startingPosition: "LATEST" });
            await expectViolations(
                "lambda-stream-iterator-age-alarm",
                [ok, bare, m(ok), m(bare), alarm("a", "AWS/Lambda", "IteratorAge", { FunctionName: "ok" })],
                [bare],
            );
        });
    });
});
