import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { sectionProblems } from "../helpers/config";
import { cli, planOf, stackFile, scratchDir } from "../helpers/plan";
import { budgetExcess, budgetRecord } from "../../tools/insights/budget";
import { formatMonthlyCost } from "../../tools/format";

const item = (name: string, monthly: number) => ({ urn: `urn:pulumi:dev::platform::aws:x/y:Z::${name}`, monthly, basis: `${monthly} x $1` });

describe("budget guardrail", () => {
    it("takes an optional positive amount, naming the key and the value otherwise", () => {
        assert.deepEqual(sectionProblems("dev", {}, "platform:budget"), []);
        assert.deepEqual(sectionProblems("dev", { budget: { monthlyUsd: 250 } }, "platform:budget"), []);
        assert.deepEqual(sectionProblems("dev", { budget: { monthlyUsd: 0 } }, "platform:budget"), ["platform:budget.monthlyUsd: 0 must be greater than 0"]);
        assert.match(
            sectionProblems("prod", { budget: { monthlyUsd: "lots" } }, "platform:budget")[0] ?? "",
            /^platform:budget\.monthlyUsd: "lots" must be a number/,
        );
        assert.match(
            sectionProblems("dev", { budget: { monthly: 300 } }, "platform:budget")[0] ?? "",
            /^platform:budget\.monthly: unknown key; allowed keys: monthlyUsd$/,
        );
    });

    it("records the five largest items, largest first", () => {
        const record = budgetRecord(100, [item("a", 5), item("b", 50), item("c", 1), item("d", 20), item("e", 30), item("f", 40)]);
        assert.equal(record.monthlyUsd, 100);
        assert.deepEqual(
            record.largest.map((i) => i.urn.split("::").pop()),
            ["b", "f", "e", "d", "a"],
        );
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

    it("the committed stacks set no budget, and their plans record the estimate the guardrail would hold", () => {
        for (const stack of ["dev", "prod"]) {
            const { estimates } = planOf(stack) as ReturnType<typeof planOf> & { estimates: { monthlyUsd: number; budget?: unknown } };
            assert.ok(estimates.monthlyUsd > 50, `${stack}: ${estimates.monthlyUsd}`);
            assert.equal(estimates.budget, undefined);
        }
    });

    it("a budget below the estimate fails the plan and, from the saved plan, the policy step; both name the budget", () => {
        const file = stackFile(
            [
                "config:",
                "  aws:region: us-east-1",
                "  platform:profile: dev",
                "  platform:tags:",
                "    owner: team-a",
                "  platform:budget:",
                "    monthlyUsd: 25",
                "",
            ].join("\n"),
        );
        const planned = cli(["plan", "--stack", "dev", "--stack-file", file, "--json"]);
        assert.equal(planned.status, 1, planned.stderr);
        assert.match(
            planned.stderr,
            /^error: platform:budget\.monthlyUsd: the estimate \$[\d,]+\.\d\d\/month exceeds the budget \$25\.00\/month by .*; the 5 largest items: [^;]+ \$[\d,.]+ \(.+\)/m,
        );
        const plan = JSON.parse(planned.stdout);
        assert.equal(plan.estimates.budget.monthlyUsd, 25);
        assert.equal(plan.estimates.budget.largest.length, 5);
        assert.deepEqual(
            plan.policy.violations.filter((v: { enforcement: string }) => v.enforcement === "mandatory"),
            [],
            "the budget is the only reason it fails",
        );

        const saved = path.join(fs.mkdtempSync(path.join(scratchDir(), "platform-budget-")), "plan.json");
        fs.writeFileSync(saved, planned.stdout);
        const checked = cli(["policy", saved]);
        assert.equal(checked.status, 1, checked.stdout);
        assert.match(
            checked.stdout,
            /^mandatory monthly-budget urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev: platform:budget\.monthlyUsd: the estimate .* exceeds the budget \$25\.00\/month/m,
        );

        // Within budget the same saved plan passes: the verdict follows the recorded figures.
        plan.estimates.budget.monthlyUsd = plan.estimates.monthlyUsd;
        fs.writeFileSync(saved, JSON.stringify(plan));
        assert.equal(cli(["policy", saved]).status, 0);
    });

    it("the plan's text names the command that lists the items, for either project, and the budget's verdict", () => {
        assert.deepEqual(formatMonthlyCost({ stack: "dev", project: "platform" }, { monthlyUsd: 186.75 }), [
            "Estimated monthly cost: $186.75 at on-demand list prices (`npm run cost -- --stack dev` lists the items; docs/cost.md)",
        ]);
        assert.match(
            formatMonthlyCost({ stack: "delivery", project: "platform-delivery" }, { monthlyUsd: 45.88 })[0],
            /`npm run cost -- --stack delivery --project delivery`/,
        );
        const budget = (monthlyUsd: number) => budgetRecord(monthlyUsd, [item("nat", 32.85)]);
        assert.equal(
            formatMonthlyCost({ stack: "dev", project: "platform" }, { monthlyUsd: 186.75, budget: budget(300) })[1],
            "  Budget $300.00/month (platform:budget.monthlyUsd): within, 62% of it",
        );
        assert.equal(
            formatMonthlyCost({ stack: "dev", project: "platform" }, { monthlyUsd: 186.75, budget: budget(100) })[1],
            "  Budget $100.00/month (platform:budget.monthlyUsd): EXCEEDED, 187% of it",
        );
    });
});
