/**
 * The order saga as the program emits it: the state machine definition from the dev stack's
 * plan, run by aws-local-stepfunctions (tests/helpers/sfn.ts) with the real step handlers against
 * dynalite behind its task overrides (the claim item through a real PutItem of the definition's own
 * Item and ConditionExpression too), configured from the step functions' environment in the same
 * plan. Only PutEvents is recorded instead of sent, and faults are injected on command.
 */
import { strict as assert } from "assert";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { FORWARD_STEPS } from "../../../lib/saga-definition";
import { parseOrderEvent, type Order, type OrderEvent } from "../../../services/orders/model";
import { inventory, reservationAttribute, stockKey } from "../../../services/saga/inventory";
import { paymentKey, payments } from "../../../services/saga/payments";
import { shipmentKey, shipping } from "../../../services/saga/shipping";
import { chainFrom, definitionProblems, runStateMachine, type Json, type RunResult, type TaskHandler } from "../../helpers/sfn";
import { command, detailOf, documentClient, orderOf, stock } from "../../helpers/events";
import { one, ofType, planOf } from "../../helpers/plan";
import { startDynalite, type DynamoServer } from "../web/servers";

const INVOKE = "arn:aws:states:::lambda:invoke";
const COMPENSATIONS = ["cancel", "refund", "release"];

/** A fault to inject: given the step's action and attempt, an error name to throw, or nothing. */
type Fault = (action: string, attempt: number) => string | undefined;
/** A step call's key: its action and, for a line, the line's number ("release:0"). */
const callKey = (payload: Json) => `${payload.action}:${payload.lineNo ?? ""}`;

interface RunOptions {
    fault?: Fault;
    executionId?: string;
    /** Calls (by callKey) held back until another call (by callKey) has completed: a forward call still in flight. */
    holdUntil?: Record<string, string>;
    /** Calls (by callKey) whose state times out at once while the function goes on running (held as by holdUntil). */
    timesOut?: string[];
    /** Attempts of the claim's PutItem whose write is applied but whose reply is lost (an error instead). */
    claimReplyLost?: (attempt: number) => boolean;
}

describe("order saga state machine (the emitted definition, run against dynalite)", () => {
    const plan = planOf("dev");
    const sm = one(plan, "aws:sfn/stateMachine:StateMachine", "order-saga");
    const definition = JSON.parse(sm.inputs.definition as string);
    const functions = new Map(ofType(plan, "aws:lambda/function:Function").map((f) => [f.outputs.arn as string, f]));
    const buses = new Set(ofType(plan, "aws:cloudwatch/eventBus:EventBus").flatMap((b) => [b.inputs.name as string, b.outputs.arn as string]));
    const env = (name: string) => ([...functions.values()].find((f) => f.name === `events-order-saga-${name}-fn`)!.inputs.environment as any).variables;

    let server: DynamoServer;
    let ddb: DynamoDBDocumentClient;
    before(async () => {
        server = await startDynalite();
        ddb = documentClient(server);
    });
    after(async () => {
        ddb.destroy();
        await server.stop();
    });

    const get = async (Key: Record<string, string>) => (await ddb.send(new GetCommand({ TableName: server.tableName, Key, ConsistentRead: true }))).Item;

    type StepRun = RunResult & { published: OrderEvent[]; actions: string[]; late: { key: string; status?: string; error?: string }[] };
    async function run(order: Order, opts: RunOptions = {}): Promise<StepRun> {
        const table = { ddb, tableName: server.tableName, ttlAttribute: env("inventory").TTL_ATTRIBUTE };
        const published: OrderEvent[] = [];
        const attempts = new Map<string, number>();
        const completed = new Map<string, { done: Promise<void>; resolve: () => void }>();
        const completion = (key: string) => {
            if (!completed.has(key)) {
                let resolve = () => {};
                const done = new Promise<void>((r) => (resolve = r));
                completed.set(key, { done, resolve });
            }
            return completed.get(key)!;
        };
        /** What calls the execution no longer waited for did when they finally ran. */
        const late: StepRun["late"] = [];
        const inFlight: Promise<unknown>[] = [];
        const runStep = async (fnName: string, payload: Json) => {
            const step = fnName.replace(/^events-order-saga-|-fn$/g, "");
            try {
                return step === "inventory"
                    ? await inventory(table, payload)
                    : step === "payments"
                      ? await payments(table, payload, { maxChargeCents: Number(env("payments").MAX_CHARGE_CENTS) })
                      : step === "shipping"
                        ? await shipping(table, payload, { countries: env("shipping").SHIP_TO_COUNTRIES.split(",") })
                        : assert.fail(`unexpected function ${fnName}`);
            } finally {
                completion(callKey(payload)).resolve();
            }
        };
        const invoke: TaskHandler = async (params) => {
            const fn = functions.get(params.FunctionName);
            assert.ok(fn, `the definition invokes ${params.FunctionName}, which the plan does not hold`);
            const payload = params.Payload;
            const key = callKey(payload);
            const attempt = (attempts.get(key) ?? 0) + 1;
            attempts.set(key, attempt);
            const injected = opts.fault?.(payload.action, attempt);
            if (injected) throw Object.assign(new Error(`injected ${injected}`), { name: injected });
            const after = opts.holdUntil?.[key];
            const held = after ? completion(after).done : Promise.resolve();
            if (opts.timesOut?.includes(key) && attempt === 1) {
                // The state gives up; the invocation it started runs on, and lands whenever it lands.
                inFlight.push(
                    held
                        .then(() => runStep(fn.name, payload))
                        .then(
                            (r: Json) => late.push({ key, status: r.status }),
                            (e: Error) => late.push({ key, error: e.name }),
                        ),
                );
                throw Object.assign(new Error("the task timed out"), { name: "States.Timeout" });
            }
            await held;
            try {
                const result = await runStep(fn.name, payload);
                if (after) late.push({ key, status: result.status });
                return { StatusCode: 200, ExecutedVersion: "$LATEST", Payload: result };
            } catch (err) {
                if (after) late.push({ key, error: (err as Error).name });
                throw err;
            }
        };
        let claims = 0;
        const tasks: Record<string, TaskHandler> = {
            [INVOKE]: invoke,
            "arn:aws:states:::dynamodb:putItem": async (p) => {
                // The definition's own Item and ConditionExpression, written to dynalite's copy of the table it names.
                assert.equal(p.TableName, env("inventory").TABLE_NAME);
                try {
                    await ddb.send(new PutItemCommand({ ...p, TableName: server.tableName }));
                } catch (err) {
                    throw Object.assign(new Error((err as Error).message), { name: `DynamoDB.${(err as Error).name}` });
                }
                if (opts.claimReplyLost?.(++claims))
                    throw Object.assign(new Error("the connection was reset after the write"), { name: "DynamoDB.AmazonDynamoDBException" });
                return {};
            },
            "arn:aws:states:::events:putEvents": async (p) => {
                // Each published event must be one the projector and the analytics bridge accept, on the plan's bus.
                for (const e of p.Entries) assert.ok(buses.has(e.EventBusName), `the definition publishes to ${e.EventBusName}, which the plan does not hold`);
                for (const e of p.Entries) published.push(parseOrderEvent(JSON.stringify({ source: e.Source, "detail-type": e.DetailType, detail: e.Detail })));
                return { Entries: p.Entries.map((_: Json, i: number) => ({ EventId: `evt-${i}` })), FailedEntryCount: 0 };
            },
        };
        const input = detailOf("OrderPlaced", order, { eventId: `placed-${order.orderId}` });
        const result = await runStateMachine(definition, { input, tasks, executionId: opts.executionId });
        await Promise.all(inFlight);
        const actions = result.calls.filter((c) => c.resource === INVOKE && !c.error).map((c) => c.parameters.Payload.action as string);
        return { ...result, published, actions, late };
    }

    /** The compensations that ran, in order, one entry per step (a Map's per-line calls count once). */
    const compensations = (actions: string[]) => actions.filter((a) => COMPENSATIONS.includes(a)).filter((a, i, all) => a !== all[i - 1]);

    async function stockedOrder(overrides: Parameters<typeof command>[0] = {}, quantities: Record<string, number> = {}): Promise<Order> {
        const cmd = command(overrides);
        for (const l of cmd.lines) await stock(ddb, server.tableName, l.sku, quantities[l.sku] ?? 100);
        return orderOf(cmd);
    }

    it("is a definition AWS accepts: asl-validator finds nothing, and no two states share a name, nested ones included", () => {
        assert.deepEqual(definitionProblems(definition), []);
    });

    it("the runner refuses a definition with a state name used twice, as AWS does", async () => {
        // Two Map states' inner states named alike: each machine on its own is valid.
        const twice = structuredClone(definition);
        const map = twice.States.ReserveInventory.ItemProcessor;
        map.States.ReleaseLine = map.States[map.StartAt];
        delete map.States[map.StartAt];
        map.StartAt = "ReleaseLine";
        assert.match(definitionProblems(twice).join("\n"), /state name ReleaseLine is used more than once/);
        await assert.rejects(runStateMachine(twice, { input: {}, tasks: {} }), /ReleaseLine is used more than once/);
    });

    it("every forward step's Catch starts the compensations of it and all before it, in reverse", () => {
        FORWARD_STEPS.forEach((step, i) => {
            const catches = definition.States[step.state].Catch;
            assert.equal(catches.length, 1);
            assert.deepEqual(catches[0].ErrorEquals, ["States.ALL"]);
            const chain = chainFrom(definition, catches[0].Next);
            const expected = FORWARD_STEPS.slice(0, i + 1)
                .map((s) => s.compensation)
                .reverse();
            assert.deepEqual(
                chain.filter((s) => FORWARD_STEPS.some((f) => f.compensation === s)),
                expected,
                step.state,
            );
            assert.deepEqual(chain.slice(-2), ["PublishCancelled", "OrderCancelled"]);
        });
    });

    it("happy path: reserves every line, charges, ships, settles, publishes OrderConfirmed, and compensates nothing", async () => {
        const order = await stockedOrder();
        const r = await run(order);
        assert.equal(r.status, "SUCCEEDED", JSON.stringify(r.error));
        assert.equal(r.endState, "OrderConfirmed");
        assert.deepEqual(r.actions, ["reserve", "reserve", "charge", "ship", "settle", "settle"]);
        assert.deepEqual(compensations(r.actions), []);
        assert.deepEqual(
            r.published.map((e) => [e.type, e.detail.status, e.detail.version]),
            [["OrderConfirmed", "CONFIRMED", 2]],
        );
        assert.deepEqual(r.published[0].detail.order, order);
        for (const l of order.lines) {
            const item = await get(stockKey(l.sku));
            assert.equal(item?.available, 100 - l.quantity);
            assert.equal(
                Object.keys(item!).some((k) => k.startsWith("r_")),
                false,
                "reservations settled",
            );
        }
        assert.equal((await get(paymentKey(order.orderId)))?.status, "CHARGED");
        assert.equal((await get(shipmentKey(order.orderId)))?.status, "REQUESTED");
    });

    it("a failure reserving (one line out of stock) releases the lines reserved so far, and only that", async () => {
        const order = await stockedOrder({}, { "pen-7": 1 });
        const r = await run(order);
        assert.equal(r.status, "SUCCEEDED");
        assert.equal(r.endState, "OrderCancelled");
        assert.deepEqual(compensations(r.actions), ["release"]);
        assert.equal(r.actions.filter((a) => a === "release").length, order.lines.length, "every line is released (idempotently)");
        assert.ok(!r.actions.includes("charge") && !r.actions.includes("ship"));
        assert.deepEqual(
            r.published.map((e) => [e.type, e.detail.reason]),
            [["OrderCancelled", "OutOfStock"]],
        );
        assert.equal((await get(stockKey("book-1")))?.available, 100, "book-1's reservation was returned");
        assert.equal((await get(stockKey("pen-7")))?.available, 1);
        assert.equal((await get(stockKey("book-1")))?.[reservationAttribute(order.orderId, 0)], undefined);
    });

    it("a failure charging (declined) refunds, then releases: in reverse order", async () => {
        const order = await stockedOrder({ lines: [{ sku: "tv-1", quantity: 1, unitPriceCents: 10_000_000 }] });
        const r = await run(order);
        assert.equal(r.endState, "OrderCancelled");
        assert.deepEqual(compensations(r.actions), ["refund", "release"]);
        assert.ok(!r.actions.includes("ship") && !r.actions.includes("cancel"));
        assert.deepEqual(
            r.published.map((e) => [e.type, e.detail.reason]),
            [["OrderCancelled", "PaymentDeclined"]],
        );
        assert.equal((await get(stockKey("tv-1")))?.available, 100);
        assert.equal((await get(paymentKey(order.orderId)))?.status, "VOIDED", "nothing was charged, so nothing is refunded; the payment is voided");
    });

    it("a failure shipping (country not served) cancels the shipment, refunds, then releases: in reverse order", async () => {
        const cmd = command();
        const order = await stockedOrder({ shipTo: { ...cmd.shipTo, country: "JP" } });
        const r = await run(order);
        assert.equal(r.endState, "OrderCancelled");
        assert.deepEqual(compensations(r.actions), ["cancel", "refund", "release"]);
        assert.deepEqual(
            r.published.map((e) => [e.type, e.detail.reason]),
            [["OrderCancelled", "ShipmentRejected"]],
        );
        assert.equal((await get(paymentKey(order.orderId)))?.status, "REFUNDED");
        for (const l of order.lines) assert.equal((await get(stockKey(l.sku)))?.available, 100);
    });

    for (const [failing, expected] of [
        ["reserve", ["release"]],
        ["charge", ["refund", "release"]],
        ["ship", ["cancel", "refund", "release"]],
    ] as const) {
        it(`a ${failing} that keeps failing with a Lambda service error is retried, then compensated: ${expected.join(" -> ")}`, async () => {
            const order = await stockedOrder();
            const r = await run(order, { fault: (action) => (action === failing ? "Lambda.ServiceException" : undefined) });
            assert.equal(r.endState, "OrderCancelled");
            assert.deepEqual(compensations(r.actions), expected);
            const tries = r.calls.filter((c) => c.resource === INVOKE && c.parameters.Payload.action === failing && (c.parameters.Payload.lineNo ?? 0) === 0);
            assert.equal(tries.length, 1 + definition.States.ChargePayment.Retry[0].MaxAttempts, "the first try plus the configured retries");
            for (const l of order.lines) assert.equal((await get(stockKey(l.sku)))?.available, 100, `${l.sku} restored`);
        });
    }

    it("a transient error that clears is retried and the order completes without compensation", async () => {
        const order = await stockedOrder();
        const r = await run(order, { fault: (action, attempt) => (action === "charge" && attempt <= 2 ? "Lambda.TooManyRequestsException" : undefined) });
        assert.equal(r.endState, "OrderConfirmed");
        assert.deepEqual(compensations(r.actions), []);
    });

    it("a business error is not retried", async () => {
        const order = await stockedOrder({ lines: [{ sku: "tv-2", quantity: 1, unitPriceCents: 10_000_000 }] });
        const r = await run(order);
        assert.equal(r.calls.filter((c) => c.resource === INVOKE && c.parameters.Payload.action === "charge").length, 1);
    });

    it("a compensation that keeps failing ends the execution in CompensationFailed (which alarms)", async () => {
        const order = await stockedOrder({}, { "pen-7": 0 });
        const r = await run(order, { fault: (action) => (action === "release" ? "Lambda.ServiceException" : undefined) });
        assert.equal(r.status, "FAILED");
        assert.equal(r.error?.Error, "CompensationFailed");
        assert.equal(r.endState, "CompensationFailed");
        assert.deepEqual(r.published, [], "no outcome is announced for an order left half undone");
    });

    it("a claim whose write landed but whose reply was lost is retried and succeeds: the order is not left to another execution that does not exist", async () => {
        const order = await stockedOrder();
        const r = await run(order, { claimReplyLost: (attempt) => attempt === 1 });
        assert.equal(r.calls.filter((c) => c.state === "ClaimOrder").length, 2, "the claim was retried");
        assert.equal(r.endState, "OrderConfirmed");
        assert.deepEqual(
            r.published.map((e) => e.type),
            ["OrderConfirmed"],
        );
    });

    it("a release that overtakes its reserve (the Map fails fast while a reserve is in flight) leaves the late reserve nothing to take", async () => {
        // pen-7 (line 1) is out of stock; book-1's reserve (line 0) is still in flight when the Map
        // fails, and lands only after its release has run and found nothing.
        const order = await stockedOrder({}, { "pen-7": 1 });
        const r = await run(order, { holdUntil: { "reserve:0": "release:0" } });
        assert.equal(r.endState, "OrderCancelled");
        const release0 = r.calls.find((c) => c.resource === INVOKE && c.parameters.Payload.action === "release" && c.parameters.Payload.lineNo === 0);
        assert.ok(release0, "line 0 was released");
        assert.deepEqual(r.late, [{ key: "reserve:0", error: "AlreadyCompensated" }], "the late reserve was refused");
        assert.equal((await get(stockKey("book-1")))?.available, 100, "no stock stays held for a cancelled order");
        assert.equal((await get(stockKey("book-1")))?.[reservationAttribute(order.orderId, 0)], undefined);
    });

    it("a refund that overtakes its charge (the charge's state timed out while it ran) leaves the late charge nothing to charge", async () => {
        const order = await stockedOrder();
        const r = await run(order, { timesOut: ["charge:"], holdUntil: { "charge:": "refund:" } });
        assert.equal(r.endState, "OrderCancelled");
        assert.deepEqual(compensations(r.actions), ["refund", "release"]);
        assert.deepEqual(r.late, [{ key: "charge:", error: "AlreadyCompensated" }]);
        assert.equal((await get(paymentKey(order.orderId)))?.status, "VOIDED", "the cancelled order is not charged");
        for (const l of order.lines) assert.equal((await get(stockKey(l.sku)))?.available, 100);
    });

    it("a cancel that overtakes its shipment request (the request's state timed out while it ran) leaves the late request nothing to ship", async () => {
        const order = await stockedOrder();
        const r = await run(order, { timesOut: ["ship:"], holdUntil: { "ship:": "cancel:" } });
        assert.equal(r.endState, "OrderCancelled");
        assert.deepEqual(compensations(r.actions), ["cancel", "refund", "release"]);
        assert.deepEqual(r.late, [{ key: "ship:", error: "AlreadyCompensated" }]);
        assert.equal((await get(shipmentKey(order.orderId)))?.status, "VOIDED", "nothing is shipped for the cancelled order");
        assert.equal((await get(paymentKey(order.orderId)))?.status, "REFUNDED");
    });

    it("runs once per order: a second OrderPlaced for the same order (redelivery, replay) finds the claim and stops", async () => {
        const order = await stockedOrder();
        const first = await run(order, { executionId: "exec-1" });
        assert.equal(first.endState, "OrderConfirmed");
        const second = await run(order, { executionId: "exec-2" });
        assert.equal(second.status, "SUCCEEDED");
        assert.equal(second.endState, "AlreadyClaimed");
        assert.deepEqual(second.actions, []);
        assert.deepEqual(second.published, []);
        for (const l of order.lines) assert.equal((await get(stockKey(l.sku)))?.available, 100 - l.quantity, "stock taken once");
    });
});
