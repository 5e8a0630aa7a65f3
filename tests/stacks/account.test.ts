/**
 * The Lambda concurrency the config validation counts against platform:account.lambdaConcurrencyLimit
 * is the concurrency the plan reserves: a function that reserves some without the count knowing
 * (or a count that misses one) fails here.
 */
import { strict as assert } from "assert";
import { validateConfig } from "../../config";
import { reservedConcurrencyByFunction, reservedConcurrencyTotal } from "../../config/sections/events";
import { readStackSettings } from "../../lib/stack-settings";
import { ofType, planOf, PROJECT_DIR } from "../helpers/plan";

for (const [stack, total] of [
    ["dev", 20],
    ["prod", 157],
] as const) {
    describe(`${stack} Lambda reserved concurrency`, () => {
        it(`the plan reserves exactly what config validation counts (${total})`, () => {
            const { config: raw } = readStackSettings(PROJECT_DIR, stack);
            const config = validateConfig(raw, stack);
            const reserving = ofType(planOf(stack), "aws:lambda/function:Function").filter((f) => f.inputs.reservedConcurrentExecutions !== undefined);
            const planned = reserving.reduce((sum, f) => sum + Number(f.inputs.reservedConcurrentExecutions), 0);
            assert.equal(
                planned,
                reservedConcurrencyTotal(config.events),
                reserving.map((f) => `${f.name} ${f.inputs.reservedConcurrentExecutions}`).join(", "),
            );
            assert.equal(reserving.length, Object.keys(reservedConcurrencyByFunction(config.events)).length, "one counted reservation per reserving function");
            assert.equal(planned, total);
            assert.ok(planned <= config.account.lambdaConcurrencyLimit - 100);
        });
    });
}
