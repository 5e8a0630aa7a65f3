import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { cli, committedPlan, stackFile } from "../helpers/plan";
import { sectionProblems } from "../helpers/config";
import { defaults } from "../../config/sections/usage";
import { DEFAULTS as DELIVERY_DEFAULTS } from "../../delivery/config";
import { estimateCost, isFree, PRICED_TYPES, runsPerMonth } from "../../tools/insights/cost";
import { formatCost } from "../../tools/insights/cost-command";
import { PRICES } from "../../tools/insights/prices";
import type { Plan, PlannedResource } from "../../tools/engine";

const usageOf = (key: string) => (key === "delivery" ? { delivery: DELIVERY_DEFAULTS.usage } : { platform: defaults[key === "dev" ? "dev" : "prod"] });

/** A copy of a committed plan with one resource's inputs changed. */
function withInputs(plan: Plan, type: string, inputs: Record<string, unknown>): Plan {
    return { ...plan, resources: plan.resources.map((r): PlannedResource => (r.type === type ? { ...r, inputs: { ...r.inputs, ...inputs } } : r)) };
}

describe("cost estimate", () => {
    it("prices every resource type of the dev, prod, delivery and prod-beanstalk plans, or lists it as free with a reason", () => {
        for (const key of ["dev", "prod", "delivery", "prod-beanstalk"]) {
            const plan = committedPlan(key);
            const missing = [...new Set(plan.resources.map((r) => r.type))].filter((t) => !PRICED_TYPES.includes(t) && !isFree(t));
            assert.deepEqual(missing, [], `${key}: neither priced nor free`);
            assert.deepEqual(estimateCost(plan, usageOf(key)).unpriced, [], `${key}: unpriced`);
        }
    });

    it("every price names its source and the day it was read", () => {
        assert.equal(PRICES.read, "2026-12-05");
        for (const [region, table] of Object.entries(PRICES.regions)) {
            for (const [key, p] of Object.entries(table)) {
                assert.ok(p.usd >= 0 && /^https:\/\//.test(p.source), `${region} ${key}`);
            }
        }
    });

    it("a confirmed price names the page it was read on, and docs/cost.md states the table's confidence counts", () => {
        const counts = { primary: 0, secondary: 0, unconfirmed: 0 };
        for (const [region, table] of Object.entries(PRICES.regions)) {
            for (const [key, p] of Object.entries(table)) {
                counts[p.confidence]++;
                // A secondary price is read on a third-party page: AWS's own page alone would be a primary (or unconfirmed) claim.
                if (p.confidence === "secondary")
                    assert.ok(!/^https:\/\/aws\.amazon\.com\//.test(p.source), `${region} ${key}: a secondary source names the third-party page first`);
            }
        }
        const doc = readFileSync(join(__dirname, "../../docs/cost.md"), "utf8");
        assert.ok(
            doc.includes(`${counts.primary} primary, ${counts.secondary} secondary and ${counts.unconfirmed} unconfirmed`),
            `docs/cost.md should state ${JSON.stringify(counts)}`,
        );
    });

    it("sums the items to the cent, largest first, each with a basis", () => {
        const e = estimateCost(committedPlan("prod"), usageOf("prod"));
        const cents = e.items.reduce((s, i) => s + Math.round(i.monthly * 100), 0);
        assert.equal(Math.round(e.monthly * 100), cents);
        for (let i = 1; i < e.items.length; i++) assert.ok(e.items[i - 1].monthly >= e.items[i].monthly);
        const nat = e.items.find((i) => i.type === "awsx:ec2:Vpc" && i.basis.includes("NAT gateway"));
        assert.equal(nat?.basis, "3 NAT gateway(s) (OnePerAz) x $0.045/h x 730 h");
        assert.equal(nat?.monthly, 98.55);
        const devNat = estimateCost(committedPlan("dev"), usageOf("dev")).items.find((i) => i.type === "awsx:ec2:Vpc" && i.basis.includes("NAT gateway"));
        assert.equal(devNat?.monthly, 32.85);
    });

    it("bills a Multi-AZ RDS instance and its storage twice", () => {
        const dev = committedPlan("dev");
        const single = estimateCost(dev, usageOf("dev")).items.filter((i) => i.type === "aws:rds/instance:Instance");
        const multi = estimateCost(withInputs(dev, "aws:rds/instance:Instance", { multiAz: true }), usageOf("dev")).items.filter(
            (i) => i.type === "aws:rds/instance:Instance",
        );
        assert.equal(single.find((i) => i.basis.includes("db.t4g.micro"))?.monthly, 11.68);
        assert.equal(multi.find((i) => i.basis.includes("db.t4g.micro"))?.monthly, 23.36);
        assert.match(multi.find((i) => i.basis.includes("gp3"))!.basis, /^2 x 20 GB gp3 .*Multi-AZ/);
        // prod's plan itself is Multi-AZ
        assert.match(
            estimateCost(committedPlan("prod"), usageOf("prod")).items.find((i) => i.basis.includes("db.r7g.large"))!.basis,
            /^2 x db\.r7g\.large .*Multi-AZ/,
        );
    });

    it("bills RDS Proxy for at least 2 vCPUs of its target", () => {
        const small = estimateCost(withInputs(committedPlan("dev"), "aws:rds/instance:Instance", { instanceClass: "db.t2.micro" }), usageOf("dev"), {
            ...PRICES,
            regions: {
                ...PRICES.regions,
                "us-east-1": { ...PRICES.regions["us-east-1"], "rds.postgres.db.t2.micro": { ...PRICES.regions["us-east-1"]["rds.postgres.db.t4g.micro"] } },
            },
        });
        const proxy = small.items.find((i) => i.type === "aws:rds/proxy:Proxy")!;
        assert.equal(proxy.basis, "2 vCPU (db.t2.micro has 1; AWS bills at least 2) x $0.015/vCPU-h x 730 h");
        assert.equal(proxy.monthly, 21.9);
    });

    it("follows the usage: more requests cost more", () => {
        const plan = committedPlan("dev");
        const base = estimateCost(plan, usageOf("dev"));
        const busy = estimateCost(plan, { platform: { ...defaults.dev, api: { ...defaults.dev.api, requestsPerMonthMillions: 100 } } });
        assert.equal(Math.round((busy.monthly - base.monthly) * 100), Math.round(99.5 * 100), "99.5 M more HTTP API requests at $1/M");
    });

    it("counts runs of rate and cron schedules", () => {
        assert.equal(runsPerMonth("rate(1 minute)"), 43800);
        assert.equal(runsPerMonth("cron(0 */6 * * ? *)"), (4 * 730) / 24);
        assert.equal(runsPerMonth("cron(15 * * * ? *)"), 730);
    });

    it("prices the delivery pipelines' action and build minutes from the delivery usage", () => {
        const e = estimateCost(committedPlan("delivery"), usageOf("delivery"));
        const pipelines = e.items.filter((i) => i.type === "aws:codepipeline/pipeline:Pipeline");
        assert.equal(pipelines.length, 2);
        assert.equal(pipelines[0].basis, "60 runs x 38 action min x $0.002/action-min (approvals not counted)");
        assert.ok(e.items.some((i) => i.basis === "60 runs x 15 min (deploy) x $0.01/min BUILD_GENERAL1_MEDIUM"));
        assert.ok(e.items.some((i) => i.basis === "60 runs x 6 min (images) x $0.01/min BUILD_GENERAL1_MEDIUM"));
    });

    it("rejects negative usage with a message naming the key", () => {
        const p = sectionProblems("dev", { usage: { web: { requestsPerMonthMillions: -1 } } }, "platform:usage.");
        assert.ok(
            p.some((l) => l.startsWith("platform:usage.web.requestsPerMonthMillions: -1 ")),
            p.join("\n"),
        );
        assert.deepEqual(sectionProblems("prod", {}, "platform:usage."), []);
    });

    it("npm run cost: JSON for a stack file with more traffic costs more; the text has component tables and the total", () => {
        const yaml = `config:\n  aws:region: us-east-1\n  platform:profile: dev\n  platform:tags:\n    owner: platform-team\n    costCenter: engineering\n  platform:usage:\n    web:\n      requestsPerMonthMillions: 500\n`;
        const r = cli(["cost", "--stack", "dev", "--json", "--stack-file", stackFile(yaml)]);
        assert.equal(r.status, 0, r.stderr);
        const json = JSON.parse(r.stdout);
        assert.deepEqual(Object.keys(json), ["stack", "region", "currency", "monthly", "items", "unpriced"]);
        assert.deepEqual(Object.keys(json.items[0]), ["urn", "type", "monthly", "basis"]);
        assert.equal(json.currency, "USD");
        const base = estimateCost(committedPlan("dev"), usageOf("dev")).monthly;
        assert.ok(json.monthly > base, `${json.monthly} > ${base}`);
        const text = formatCost(estimateCost(committedPlan("dev"), usageOf("dev")));
        assert.match(text, /^platform:web:WebCluster web {2}\$\d+\.\d\d$/m);
        assert.match(text, /^Total: \$\d+\.\d\d per month$/m);
    });

    it("prices a container service at its minTasks once it has an image, though the plan of an untagged stack runs none", () => {
        const plan = committedPlan("prod");
        const services = (usage: Parameters<typeof estimateCost>[1]) =>
            estimateCost(plan, usage)
                .items.filter((i) => i.name === "catalog-service" && i.monthly > 0)
                .map((i) => i.basis);
        assert.deepEqual(services({ platform: defaults.prod }), [], "the committed prod plan holds 0 tasks: no image tag yet");
        const [basis] = services({ platform: defaults.prod, containerTasks: { catalog: 2, inventory: 2 } });
        assert.match(
            basis,
            /^2 Fargate X86_64 task\(s\) x \(0\.25 vCPU x \$[\d.]+ \+ 0\.5 GB x \$[\d.]+\)\/h x 730 h \(minTasks, once the pipeline deploys an image; 0 until then\)$/,
        );
    });
});
