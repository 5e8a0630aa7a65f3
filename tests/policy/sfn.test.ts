import { strict as assert } from "assert";
import { retryDelays, worstCase } from "../../lib/asl";
import { expectViolations, resource } from "../helpers/policy";
import { ACCOUNT, alarm, eventFn, fnArn } from "./event-resources";

describe("Step Functions policies", () => {
    describe("sfn-logging", () => {
        it("passes logging to a group and notes OFF", async () => {
            const ok = resource("aws:sfn/stateMachine:StateMachine", "ok", {
                definition: "{}",
                roleArn: "r",
                loggingConfiguration: { level: "ALL", includeExecutionData: true, logDestination: "arn:aws:logs:us-east-1:1:log-group:sfn:*" },
            });
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

    describe("state machine definitions: sfn-definition-valid, sfn-worst-case-within-timeout, sfn-map-within-reserved-concurrency", () => {
        const invoke = (fnName: string, timeout: number, retry: object[] = []) => ({
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            TimeoutSeconds: timeout,
            Parameters: { FunctionName: fnArn(fnName), "Payload.$": "$" },
            Retry: retry,
        });
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
        const sm = (name: string, definition: unknown) =>
            resource("aws:sfn/stateMachine:StateMachine", name, {
                definition: typeof definition === "string" ? definition : JSON.stringify(definition),
                roleArn: "r",
            });
        // With 4 lines 2 at a time: Reserve 2 rounds x 40 s; Charge 40 s; Release 2 rounds x (4 attempts x 40 s + 2 + 4 + 5 (capped) s).
        const WORST = 2 * 40 + 40 + 2 * (4 * 40 + 2 + 4 + 5);

        it("computes the worst case along the slowest failure's compensations, with backoff capped by MaxDelaySeconds and Maps in rounds", () => {
            assert.deepEqual(retryDelays(retry(4)[0]), [2, 4, 5, 5]);
            const w = worstCase(saga({ timeout: 1 }), { mapItems: 4 });
            assert.equal(w.seconds, WORST);
            assert.deepEqual(
                w.path.map((p) => p.state),
                ["Reserve", "Charge", "Release", "Cancelled"],
            );
            assert.equal(
                worstCase({ StartAt: "T", States: { T: { Type: "Task", Resource: "x", End: true } } }, { mapItems: 1 }).seconds,
                Infinity,
                "a task without a timeout is unbounded",
            );
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
            assert.match(
                v[0].message,
                /worst case takes \d+ s \(Reserve \d+ s, Charge 40 s, Release \d+ s; Map states over up to 100 items\), above its TimeoutSeconds 900/,
            );
            // Orders of at most 4 lines: exactly the worst case fits, a second less does not.
            const config = { "sfn-worst-case-within-timeout": { mapItems: 4 } };
            const [exact, short] = [sm("exact", saga({ timeout: WORST })), sm("short", saga({ timeout: WORST - 1 }))];
            await expectViolations("sfn-worst-case-within-timeout", [exact, short], [short], { config });
        });

        it("flags a Map running more iterations at once than its function's reserved concurrency", async () => {
            const inventory = eventFn("inventory", { reservedConcurrentExecutions: 2 });
            const payments = eventFn("payments", { reservedConcurrentExecutions: 1 });
            const within = sm("within", saga({ timeout: 900, concurrency: 2 }));
            const over = sm("over", saga({ timeout: 900, concurrency: 10 }));
            const unknown = sm("unknown", "[unknown]");
            const v = await expectViolations("sfn-map-within-reserved-concurrency", [inventory, payments, within, over, unknown], [over]);
            assert.equal(v.length, 2, "both Maps");
            assert.match(v[0].message, /Map state Reserve runs up to 10 iterations at once against inventory, which is reserved 2/);
        });
    });

    describe("sfn-failure-alarm", () => {
        it("notes a state machine without an ExecutionsFailed alarm", async () => {
            const arn = (n: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${n}`;
            const sm = (n: string) => resource("aws:sfn/stateMachine:StateMachine", n, { definition: "{}", roleArn: "r" }, { outputs: { arn: arn(n) } });
            const [ok, bare] = [sm("ok"), sm("bare")];
            await expectViolations("sfn-failure-alarm", [ok, bare, alarm("a", "AWS/States", "ExecutionsFailed", { StateMachineArn: arn("ok") })], [bare]);
        });
    });
});
