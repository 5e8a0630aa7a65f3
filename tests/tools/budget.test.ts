import { strict as assert } from "assert";
import { sectionProblems } from "../helpers/config";
import { budgetExcess, budgetRecord } from "../../tools/insights/budget";

const item = (name: string, monthly: number) => ({ urn: `urn:pulumi:dev::platform::aws:x/y:Z::${name}`, monthly, basis: `${monthly} x $1` });

describe("budget guardrail", () => {
    it("takes an optional positive amount, naming the key and the value otherwise", () => {
        assert.deepEqual(sectionProblems("dev", {}, "platform:budget"), []);
        assert.deepEqual(sectionProblems("dev", { budget: { monthlyUsd: 250 } }, "platform:budget"), []);
        assert.deepEqual(sectionProblems("dev", { budget: { monthlyUsd: 0 } }, "platform:budget"), ["platform:budget.monthlyUsd: 0 must be greater than 0"]);
        assert.match(sectionProblems("prod", { budget: { monthlyUsd: "lots" } }, "platform:budget")[0] ?? "", /^platform:budget\.monthlyUsd: "lots" must be a number/);
        assert.match(sectionProblems("dev", { budget: { monthly: 300 } }, "platform:budget")[0] ?? "", /^platform:budget\.monthly: unknown key; allowed keys: monthlyUsd$/);
    });

    it("records the five largest items, largest first", () => {
        const record = budgetRecord(100, [item("a", 5), item("b", 50), item("c", 1), item("d", 20), item("e", 30), item("f", 40)]);
        assert.equal(record.monthlyUsd, 100);
        assert.deepEqual(record.largest.map((i) => i.urn.split("::").pop()), ["b", "f", "e", "d", "a"]);
    });

    it("passes an estimate within the budget, and names budget, estimate, excess and largest items past it", () => {
        const record = budgetRecord(100, [item("nat", 64.8), item("db", 30)]);
        assert.equal(budgetExcess(100, record), undefined);
        assert.equal(budgetExcess(120, undefined), undefined);
        assert.equal(
            budgetExcess(1234.5, record),
            "platform:budget.monthlyUsd: the estimate $1,234.50/month exceeds the budget $100.00/month by $1,134.50; the 2 largest items: nat $64.80 (64.8 x $1); db $30.00 (30 x $1). Reduce the stack (see `npm run cost`) or raise the budget.",
        );
    });
});
