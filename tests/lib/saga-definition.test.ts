/**
 * The saga's definition across the settings config accepts: always one Step Functions takes,
 * with unique state names, Map states within the inventory function's reserved concurrency, and
 * a worst case that config validation computes from the very definition the program emits.
 */
import { strict as assert } from "assert";
import { lineConcurrencyFor, MAX_ORDER_LINES, sagaDefinition, sagaWorstCase, TASK_TIMEOUT_ALLOWANCE_SECONDS } from "../../lib/saga-definition";
import { allStates, duplicateStateNames, mapInvocations, worstCase } from "../../lib/asl";
import { placeOrderCommand } from "../../services/orders/model";
import { command } from "../helpers/events";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require("asl-validator") as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const ARN = (fn: string) => `arn:aws:lambda:us-east-1:123456789012:function:${fn}`;

describe("order saga definition", () => {
    const grid = [
        { taskTimeoutSeconds: 3, taskRetryAttempts: 0, compensationRetryAttempts: 1, taskReservedConcurrency: 1 },
        { taskTimeoutSeconds: 30, taskRetryAttempts: 3, compensationRetryAttempts: 6, taskReservedConcurrency: 2 },
        { taskTimeoutSeconds: 30, taskRetryAttempts: 3, compensationRetryAttempts: 10, taskReservedConcurrency: 20 },
        { taskTimeoutSeconds: 900, taskRetryAttempts: 10, compensationRetryAttempts: 20, taskReservedConcurrency: 900 },
    ];
    for (const t of grid) {
        it(`is valid ASL with unique state names and Maps within the reserved concurrency: ${JSON.stringify(t)}`, () => {
            const d = sagaDefinition({
                inventoryFunctionArn: ARN("inv"),
                paymentsFunctionArn: ARN("pay"),
                shippingFunctionArn: ARN("ship"),
                tableName: "t",
                busName: "b",
                timeoutSeconds: 3600,
                ...t,
                lineConcurrency: lineConcurrencyFor(t.taskReservedConcurrency),
            });
            const { isValid, errors } = validateAsl(structuredClone(d));
            assert.deepEqual({ isValid, errors }, { isValid: true, errors: [] });
            assert.deepEqual(duplicateStateNames(d), []);
            for (const m of mapInvocations(d)) assert.ok(m.maxConcurrency <= t.taskReservedConcurrency, `${m.map} runs ${m.maxConcurrency}`);
            // Every task is bounded, so the worst case is finite, and it is what config validation uses.
            for (const { name, state } of allStates(d)) if (state.Type === "Task") assert.equal(typeof state.TimeoutSeconds, "number", name);
            const w = worstCase(d, { mapItems: MAX_ORDER_LINES });
            assert.ok(Number.isFinite(w.seconds));
            assert.deepEqual(sagaWorstCase(t), w);
        });
    }

    it("bounds an invocation's state a little beyond the function's timeout (a cold start's Init phase)", () => {
        const d = sagaDefinition({
            inventoryFunctionArn: "i",
            paymentsFunctionArn: "p",
            shippingFunctionArn: "s",
            tableName: "t",
            busName: "b",
            timeoutSeconds: 60,
            taskTimeoutSeconds: 30,
            taskRetryAttempts: 1,
            compensationRetryAttempts: 1,
            lineConcurrency: 1,
        });
        assert.equal((d.States as any).ChargePayment.TimeoutSeconds, 30 + TASK_TIMEOUT_ALLOWANCE_SECONDS);
    });

    it("takes its Map states' item bound from the order schema's line limit", () => {
        const line = command().lines[0];
        assert.ok(placeOrderCommand.safeParse(command({ lines: Array.from({ length: MAX_ORDER_LINES }, (_, i) => ({ ...line, sku: `s${i}` })) })).success);
        assert.ok(!placeOrderCommand.safeParse(command({ lines: Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => ({ ...line, sku: `s${i}` })) })).success);
    });
});
