import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const fn = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:lambda/function:Function", name, { role: "arn:aws:iam::123456789012:role/r", runtime: "nodejs22.x", name, ...inputs }, { id: name, outputs: { arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` } });
const logGroup = (name: string) => resource("aws:cloudwatch/logGroup:LogGroup", name.replace(/\W+/g, "-"), { name, retentionInDays: 14 }, { id: name });

describe("serverless policies", () => {
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
                resource("aws:lambda/permission:Permission", "events", { action: "lambda:InvokeFunction", function: "with-dlq", principal: "events.amazonaws.com", sourceArn: "arn:rule" }),
                resource("aws:cloudwatch/eventTarget:EventTarget", "target", { rule: "r", arn: withDest.outputs.arn }),
                resource("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "dest", { functionName: "with-dest", destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:1:failed" } } }),
                resource("aws:lambda/permission:Permission", "apigw", { action: "lambda:InvokeFunction", function: "sync", principal: "apigateway.amazonaws.com" }),
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
            const bad = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "bad", { functionName: "f", eventSourceArn: "arn:aws:dynamodb:us-east-1:1:table/t/stream/2026", startingPosition: "LATEST" });
            const sqs = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "sqs", { functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:1:q" });
            const v = await expectViolations("lambda-stream-failure-handling", [ok, bad, sqs], [bad]);
            assert.equal(v.length, 2);
        });
    });

    describe("lambda-event-source-batch-failures", () => {
        it("passes partial-batch reporting with bisect or capped concurrency and notes what's missing", async () => {
            const stream = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "stream", { functionName: "f", eventSourceArn: "arn:aws:kinesis:us-east-1:1:stream/s", functionResponseTypes: ["ReportBatchItemFailures"], bisectBatchOnFunctionError: true });
            const queue = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "queue", { functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:1:q", functionResponseTypes: ["ReportBatchItemFailures"], scalingConfig: { maximumConcurrency: 5 } });
            const bare = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "bare", { functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:1:q" });
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
            await expectViolations("lambda-runtime-supported", [fn("ok", { runtime: "nodejs22.x" }), fn("py", { runtime: "python3.13" }), old, node20], [old, node20]);
        });
    });

    describe("codebuild-log-group-managed", () => {
        it("passes a project logging to a declared group and notes one logging to an auto-created group", async () => {
            const ok = resource("aws:codebuild/project:Project", "ok", { name: "ok", logsConfig: { cloudwatchLogs: { groupName: "/platform/build" } } });
            const bad = resource("aws:codebuild/project:Project", "bad", { name: "bad" });
            const off = resource("aws:codebuild/project:Project", "off", { name: "off", logsConfig: { cloudwatchLogs: { status: "DISABLED" } } });
            await expectViolations("codebuild-log-group-managed", [ok, logGroup("/platform/build"), bad, off], [bad]);
        });
    });

    describe("sfn-logging", () => {
        it("passes logging to a group and notes OFF", async () => {
            const ok = resource("aws:sfn/stateMachine:StateMachine", "ok", { definition: "{}", roleArn: "r", loggingConfiguration: { level: "ALL", includeExecutionData: true, logDestination: "arn:aws:logs:us-east-1:1:log-group:sfn:*" } });
            const bad = resource("aws:sfn/stateMachine:StateMachine", "bad", { definition: "{}", roleArn: "r", loggingConfiguration: { level: "OFF" } });
            await expectViolations("sfn-logging", [ok, bad], [bad]);
        });
    });

    describe("sfn-tracing", () => {
        it("passes X-Ray tracing and notes none", async () => {
            const ok = resource("aws:sfn/stateMachine:StateMachine", "ok", { definition: "{}", roleArn: "r", tracingConfiguration: { enabled: true } });
            const bad = resource("aws:sfn/stateMachine:StateMachine", "bad", { definition: "{}", roleArn: "r" });
            await expectViolations("sfn-tracing", [ok, bad], [bad]);
        });
    });
});
