import { strict as assert } from "assert";
import { sectionProblems } from "../helpers/config";
import { defaults as accountDefaults } from "../../config/sections/account";
import { defaults, reservedConcurrencyByFunction, reservedConcurrencyTotal } from "../../config/sections/events";

/** The problems naming platform:account, given section overrides. */
const problems = (profile: "dev" | "prod", sections: Record<string, unknown>): string[] => sectionProblems(profile, sections, "platform:account.");

describe("config: account (Lambda concurrency quota)", () => {
    it("defaults to Lambda's usual quota of 1000, which both profiles fit", () => {
        assert.deepEqual([accountDefaults.dev.lambdaConcurrencyLimit, accountDefaults.prod.lambdaConcurrencyLimit], [1000, 1000]);
        assert.deepEqual(problems("dev", {}), []);
        assert.deepEqual(problems("prod", {}), []);
    });

    it("counts every function that reserves concurrency, the relay and each saga step included", () => {
        assert.deepEqual(reservedConcurrencyByFunction(defaults.dev), {
            "events.projector": 2,
            "events.analyticsBridge": 2,
            "events.streamProcessor": 4,
            "events.orders (place order)": 5,
            "outbox relay": 1,
            "events.saga (inventory)": 2,
            "events.saga (payments)": 2,
            "events.saga (shipping)": 2,
        });
        assert.equal(reservedConcurrencyTotal(defaults.prod), 157);
    });

    it("refuses reservations that leave fewer than 100 unreserved, naming the key and the numbers", () => {
        // A new account's quota of 10 leaves nothing to reserve.
        assert.deepEqual(problems("dev", { account: { lambdaConcurrencyLimit: 10 } }), [
            'platform:account.lambdaConcurrencyLimit: 10 leaves 0 of Lambda concurrency to reserve (AWS keeps 100 unreserved), but the functions reserve 20 (events.projector 2, events.analyticsBridge 2, events.streamProcessor 4, events.orders (place order) 5, outbox relay 1, events.saga (inventory) 2, events.saga (payments) 2, events.saga (shipping) 2); request a higher quota (Service Quotas, "Concurrent executions") and set this key to it, or reserve less',
        ]);
        // prod reserves 157: 256 leaves 156, 257 leaves exactly enough.
        assert.match(
            problems("prod", { account: { lambdaConcurrencyLimit: 256 } })[0] ?? "",
            /^platform:account\.lambdaConcurrencyLimit: 256 leaves 156 of Lambda concurrency to reserve \(AWS keeps 100 unreserved\), but the functions reserve 157 \(/,
        );
        assert.deepEqual(problems("prod", { account: { lambdaConcurrencyLimit: 257 } }), []);
        // Raising one reservation past the default quota fails the same way.
        assert.match(
            problems("prod", { events: { orders: { reservedConcurrency: 800 } } })[0] ?? "",
            /^platform:account\.lambdaConcurrencyLimit: 1000 leaves 900 .* reserve 907 \(.*events\.orders \(place order\) 800/,
        );
    });

    it("takes a positive whole number", () => {
        assert.deepEqual(problems("dev", { account: { lambdaConcurrencyLimit: 0 } }), ["platform:account.lambdaConcurrencyLimit: 0 is below the minimum 1"]);
        assert.match(problems("dev", { account: { lambdaConcurrencyLimt: 10 } })[0] ?? "", /lambdaConcurrencyLimt.*did you mean "lambdaConcurrencyLimit"/);
    });
});
