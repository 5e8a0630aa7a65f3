import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { coverage, formatCoverage, typesOf } from "../../policy/coverage";
import { ALL_POLICIES, POLICY_AREAS } from "../../policy/rules";
import { cli, PROJECT_DIR, planOf, scratchDir } from "../helpers/plan";
import { expectViolations, planWith, resource } from "../helpers/policy";
import { deliveryPlanOf } from "./plans";

const POLICY_DIR = path.join(PROJECT_DIR, "policy");
const TEST_DIR = __dirname;

/** Rules that apply to every resource type by design, so they declare none. */
const GENERIC_RULES = ["required-tags"];

describe("the policy pack", () => {
    it("every policy has a kebab-case unique name, a one-line description and an enforcement level", () => {
        const names = ALL_POLICIES.map((p) => p.name);
        assert.deepEqual(
            names.filter((n, i) => names.indexOf(n) !== i),
            [],
            "duplicate policy names",
        );
        for (const p of ALL_POLICIES) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `name ${p.name}`);
            assert.ok(p.description && p.description.length > 10 && !p.description.includes("\n"), `${p.name}: description`);
            assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", `${p.name}: enforcement ${p.enforcementLevel}`);
            assert.ok(p.configSchema?.properties?.environment, `${p.name}: its config must accept environment`);
        }
    });

    it("every rule sits in the module its name maps to (policy/rules/index.ts says how)", () => {
        // Names that start with a resource, or span services, and the module they belong to.
        const PREFIX_MODULE: [RegExp, string][] = [
            [/^security-group-/, "security-group"],
            [/^secret-/, "secretsmanager"],
            [/^log-stream-/, "cloudwatch"],
            [/^log-bucket-/, "s3"],
            [/^(compute|datastore)-/, "subnet-placement"],
            [/^(required-tags$|stateful-|events-stateful-|replaced-)/, "stack-wide"],
        ];
        const misplaced: string[] = [];
        for (const [module, rules] of Object.entries(POLICY_AREAS)) {
            for (const { name } of rules) {
                const expected = PREFIX_MODULE.find(([re]) => re.test(name))?.[1] ?? name.split("-")[0];
                if (expected !== module) misplaced.push(`${name} is in ${module}.ts, not ${expected}.ts`);
            }
        }
        assert.deepEqual(misplaced, []);
    });

    it("every policy is tested by name in tests/policy", () => {
        const text = fs
            .readdirSync(TEST_DIR)
            .filter((f) => f.endsWith(".test.ts") && f !== path.basename(__filename))
            .map((f) => fs.readFileSync(path.join(TEST_DIR, f), "utf8"))
            .join("\n");
        const untested = ALL_POLICIES.map((p) => p.name).filter((n) => !text.includes(`"${n}"`));
        assert.deepEqual(untested, [], "policies no test names");
    });

    it("every rule declares the resource types it checks, so coverage can be counted", () => {
        const undeclared = ALL_POLICIES.filter((p) => typesOf(p).length === 0 && !GENERIC_RULES.includes(p.name)).map((p) => p.name);
        assert.deepEqual(undeclared, []);
    });

    it("policy-config.prod.json sets environment prod on exactly the rules that read the environment", () => {
        const config = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "policy-config.prod.json"), "utf8"));
        const aware = ALL_POLICIES.filter((p) => p.environmentAware)
            .map((p) => p.name)
            .sort();
        assert.deepEqual(Object.keys(config).sort(), aware);
        for (const name of aware) assert.deepEqual(config[name], { environment: "prod" });
    });

    it("a pack config's environment and enforcement levels apply as under --policy-pack-config", async () => {
        const lb = resource("aws:lb/loadBalancer:LoadBalancer", "lb", { loadBalancerType: "application", dropInvalidHeaderFields: true });
        const config = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "policy-config.prod.json"), "utf8"));
        // A stack planned as dev, checked with the prod config: the prod-only rule applies.
        await expectViolations("lb-deletion-protection-prod", [lb], [lb], { environment: "dev", config });
        const { violationsOf } = await import("../helpers/policy");
        const v = await violationsOf("lb-deletion-protection-prod", [lb], "dev", {
            "lb-deletion-protection-prod": { environment: "prod", enforcementLevel: "advisory" },
        });
        assert.deepEqual(
            v.map((x) => x.enforcement),
            ["advisory"],
        );
        assert.deepEqual(await violationsOf("lb-deletion-protection-prod", [lb], "prod", { all: "disabled" }), []);
    });

    it("`npm run policy -- plan.json --config <file>` applies the pack config offline", () => {
        const dir = fs.mkdtempSync(path.join(scratchDir(), "policy-config-"));
        const planFile = path.join(dir, "plan.json");
        const lb = resource("aws:lb/loadBalancer:LoadBalancer", "lb", {
            loadBalancerType: "application",
            dropInvalidHeaderFields: true,
            accessLogs: { bucket: "logs", enabled: true },
        });
        try {
            fs.writeFileSync(planFile, JSON.stringify(planWith([lb], "dev")));
            const asDev = cli(["policy", planFile]);
            assert.equal(asDev.status, 0, asDev.stdout + asDev.stderr);
            const asProd = cli(["policy", planFile, "--config", path.join(POLICY_DIR, "policy-config.prod.json")]);
            assert.equal(asProd.status, 1, asProd.stdout + asProd.stderr);
            assert.match(
                asProd.stdout,
                /^mandatory lb-deletion-protection-prod urn:pulumi:test::platform::aws:lb\/loadBalancer:LoadBalancer::lb: has deletion protection off in prod$/m,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("serves as a real CrossGuard pack: index.ts starts the analyzer and prints its port", async function () {
        this.timeout(30000);
        const child = spawn(process.execPath, ["-r", path.join(PROJECT_DIR, "tools", "register.js"), "-e", 'require("./index.ts")'], {
            cwd: POLICY_DIR,
            stdio: ["ignore", "pipe", "pipe"],
        });
        try {
            const port = await new Promise<string>((resolve, reject) => {
                let out = "";
                let err = "";
                child.stdout.on("data", (d) => {
                    out += d;
                    if (/^\d+\s*$/m.test(out)) resolve(out.trim());
                });
                child.stderr.on("data", (d) => (err += d));
                child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${err}`)));
            });
            assert.match(port, /^\d+$/);
        } finally {
            child.kill();
        }
    });

    it("covers most of the platform's resource types (run `npm run policy -- --coverage` for the figure)", function () {
        this.timeout(120000);
        const delivery = deliveryPlanOf();
        const c = coverage([planOf("dev"), planOf("prod"), delivery], ALL_POLICIES);
        console.log(
            `      policy coverage: ${c.covered.length}/${c.types.length} resource types (${(c.share * 100).toFixed(1)}%); uncovered: ${c.uncovered.join(", ") || "none"}`,
        );
        const report = formatCoverage(c, ["dev", "prod"], ALL_POLICIES.length);
        assert.match(report, /Rules by service:/);
        assert.ok(c.share >= 0.8, `coverage ${(c.share * 100).toFixed(1)}% is below 80%; uncovered: ${c.uncovered.join(", ")}`);
    });
});
