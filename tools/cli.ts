/**
 * The command line (the handbook's contract):
 *   plan --stack <name> [--json] [--stack-file <path>] [--project delivery]
 *                                                        offline plan (of the platform, or the delivery project); exit 1 on bad config or a mandatory violation
 *   diff --stack <name> [--stack-file <proposed.yaml>] [--base <git-ref> | --base-plan <plan.json>] [--json] [--allow-replace <urn-or-name>]...
 *                                                        what a config edit or a commit does to the stack; exit 2 on a refused stateful replacement
 *   policy <plan.json> [--config <file>]                  the policy pack on a saved plan (with a pack config); exit 1 on a mandatory violation
 *   policy --coverage [--stack <name>...]                 the share of the stacks' resource types the pack's rules cover (dev and prod by default)
 *   cost --stack <name> [--json] [--stack-file <path>] [--project delivery]
 *                                                        the stack's monthly cost estimate (on-demand list prices, platform:usage)
 *   bench [--runs N] [--stack <name>]                     stack evaluation time against loading the Pulumi SDKs
 *   docs                                                  regenerate the config references (docs/config-reference.md, delivery/README.md)
 *   diagram --stack <name> [--project delivery] [--format mermaid|dot] | --plan <plan.json> | --stack prod --write-readme
 *                                                        the architecture diagram derived from the plan (tools/insights/diagram.ts)
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import { evaluateStack, ProgramError, type Plan } from "./engine";
import { formatPlan, formatViolation } from "./format";
import { parsePlan, PlanShapeError, withoutNpmBanner } from "./plan-schema";
import type { Project } from "./insights/estimates";

const PROJECT_DIR = path.resolve(__dirname, "..");
/** The Pulumi projects in this repository, by the name `--project` takes: the platform (the default) and its delivery pipelines. */
const PROJECTS: Record<string, string> = { platform: PROJECT_DIR, delivery: path.join(PROJECT_DIR, "delivery") };

export async function main(argv: string[]): Promise<number> {
    try {
        return await run(argv);
    } catch (err) {
        // A missing option value or an unknown option: one line, not a stack trace.
        const code = (err as { code?: unknown } | undefined)?.code;
        if (err instanceof TypeError && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
            console.error(`error: ${err.message}`);
            return 1;
        }
        throw err;
    }
}

async function run(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    switch (command) {
        case "plan":
            return plan(rest);
        case "policy":
            return policy(rest);
        case "diff":
            return (await import("./diff/command")).diff(rest, PROJECT_DIR);
        case "cost":
            return (await import("./insights/cost-command")).cost(rest, PROJECT_DIR, evaluationErrorLines);
        case "bench":
            return (await import("./bench")).bench(rest, PROJECT_DIR);
        case "diagram":
            return (await import("./insights/diagram-command")).diagram(rest, { projectDir: PROJECT_DIR, projects: PROJECTS, evaluate });
        case "evaluate": // one stack evaluation and nothing else: what `bench` times, and each side of `diff`
            return evaluateOnly(rest);
        case "docs": {
            const { writeReference } = await import("./config-docs");
            let written: string[];
            try {
                written = writeReference(PROJECT_DIR);
            } catch (err) {
                console.error(`error: ${(err as Error).message}`);
                return 1;
            }
            for (const file of written) console.log(`regenerated the config reference in ${file}`);
            return 0;
        }
        default:
            console.error(
                "usage: plan --stack <name> [--json] [--stack-file <path>] [--project delivery] | diff --stack <name> [--stack-file <path>] [--base <git-ref>] | policy <plan.json> | cost --stack <name> [--json] | diagram --stack <name> [--format mermaid|dot] | bench [--runs N] [--stack <name>] | docs",
            );
            return 2;
    }
}

async function evaluate(stack: string, stackFile?: string, projectDir = PROJECT_DIR): Promise<Plan | undefined> {
    try {
        return await evaluateStack({ projectDir, stack, stackFile });
    } catch (err) {
        for (const line of evaluationErrorLines(stack, err)) console.error(line);
        return undefined;
    }
}

/** What a failed evaluation of `stack` prints: a first line, then each problem indented. */
export function evaluationErrorLines(stack: string, err: unknown): string[] {
    if (err instanceof ConfigError) return [`error: stack "${stack}" has invalid config; nothing was planned.`, ...err.problems.map((p) => `  ${p}`)];
    if (err instanceof ProgramError)
        return [
            `error: the program failed for stack "${stack}"; nothing was planned.`,
            ...err.errors.map((e) => `  ${e instanceof Error ? e.message : String(e)}`),
        ];
    return [`error: ${err instanceof Error ? err.message : String(err)}`];
}

async function plan(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: { stack: { type: "string" }, json: { type: "boolean" }, "stack-file": { type: "string" }, project: { type: "string" } },
    });
    const projectDir = PROJECTS[values.project ?? "platform"];
    if (!values.stack || !projectDir) {
        console.error(`usage: plan --stack <name> [--json] [--stack-file <path>] [--project ${Object.keys(PROJECTS).join("|")}]`);
        return 2;
    }
    const result = await evaluate(values.stack, values["stack-file"], projectDir);
    if (!result) return 1;
    const { evaluatePolicies } = await import("../policy/evaluate");
    const { ALL_POLICIES } = await import("../policy/rules");
    const violations = await evaluatePolicies(result, ALL_POLICIES);
    const { estimateCost, estimatesExcess, stackEstimates, stackUsage } = await import("./insights/estimates");
    const { usage, budgetUsd } = await stackUsage(PROJECT_DIR, (values.project ?? "platform") as Project, values.stack, values["stack-file"]);
    const estimates = stackEstimates(result, estimateCost(result, usage), budgetUsd);
    if (values.json) process.stdout.write(`${JSON.stringify({ ...result, estimates, policy: { violations } }, null, 2)}\n`);
    else console.log(formatPlan(result, violations, estimates));
    // The budget guardrail: after the plan, so the reader sees what the estimate is made of.
    const excess = estimatesExcess(estimates);
    if (excess) console.error(`error: ${excess}`);
    return violations.some((v) => v.enforcement === "mandatory") || excess ? 1 : 0;
}

async function policy(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        options: { config: { type: "string" }, coverage: { type: "boolean" }, stack: { type: "string", multiple: true } },
        allowPositionals: true,
    });
    if (values.coverage) return policyCoverage(values.stack ?? ["dev", "prod"]);
    const file = positionals[0];
    if (!file) {
        console.error("usage: policy <plan.json> [--config <policy-config.json>]   (make a plan with: npm run -s plan -- --stack dev --json > plan.json)");
        return 2;
    }
    let packConfig: import("../policy/evaluate").PackConfig | undefined;
    if (values.config) {
        try {
            packConfig = JSON.parse(fs.readFileSync(values.config, "utf8"));
        } catch (err) {
            console.error(`error: cannot read policy config ${values.config}: ${err instanceof Error ? err.message : String(err)}`);
            return 1;
        }
    }
    let saved: Plan;
    try {
        saved = parsePlan(JSON.parse(withoutNpmBanner(fs.readFileSync(file, "utf8"))));
    } catch (err) {
        if (err instanceof PlanShapeError) {
            console.error(`error: ${file} is not a plan (make one with: npm run -s plan -- --stack dev --json > plan.json)`);
            for (const p of err.problems) console.error(`  ${p}`);
        } else {
            console.error(`error: cannot read plan ${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
        return 1;
    }
    const { evaluatePolicies } = await import("../policy/evaluate");
    const { ALL_POLICIES } = await import("../policy/rules");
    const violations = await evaluatePolicies(saved, ALL_POLICIES, { config: packConfig });
    // The budget guardrail on the estimate the plan recorded (the pack cannot see the usage it rests on).
    const { budgetViolation } = await import("./insights/estimates");
    const overBudget = budgetViolation(saved);
    if (overBudget) violations.push(overBudget);
    for (const v of violations) console.log(formatViolation(v));
    const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
    console.log(
        `${ALL_POLICIES.length} policies on ${saved.resources.length} resources of stack "${saved.stack}": ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`,
    );
    return mandatory > 0 ? 1 : 0;
}

/**
 * Plans each platform stack (and every stack of the other projects, e.g. delivery) in its own
 * process, as Pulumi's runtime is global, and reports the pack's coverage of their types.
 */
async function policyCoverage(stacks: string[]): Promise<number> {
    const { spawnSync } = await import("child_process");
    const targets: { project: string; stack: string }[] = stacks.map((stack) => ({ project: "platform", stack }));
    for (const [project, dir] of Object.entries(PROJECTS)) {
        if (project === "platform" || !fs.existsSync(dir)) continue;
        for (const f of fs.readdirSync(dir)) {
            const m = /^Pulumi\.(.+)\.yaml$/.exec(f);
            if (m) targets.push({ project, stack: m[1] });
        }
    }
    const plans: Plan[] = [];
    for (const { project, stack } of targets) {
        const r = spawnSync(process.execPath, [path.join(__dirname, "run.js"), "plan", "--project", project, "--stack", stack, "--json"], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        });
        if (!r.stdout.trim().startsWith("{")) {
            console.error(`error: plan of ${project} stack "${stack}" failed:\n${r.stderr}`);
            return 1;
        }
        plans.push(JSON.parse(r.stdout));
    }
    const { coverage, formatCoverage } = await import("../policy/coverage");
    const { ALL_POLICIES } = await import("../policy/rules");
    console.log(
        formatCoverage(
            coverage(plans, ALL_POLICIES),
            targets.map((t) => (t.project === "platform" ? t.stack : `${t.project}/${t.stack}`)),
            ALL_POLICIES.length,
        ),
    );
    return 0;
}

async function evaluateOnly(argv: string[]): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { stack: { type: "string" }, json: { type: "boolean" }, "stack-file": { type: "string" } } });
    const result = await evaluate(values.stack ?? "dev", values["stack-file"]);
    if (!result) return 1;
    // The plan without the policy pack's verdict (which `diff` does not need).
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else console.log(`${result.resources.length} resources`);
    return 0;
}
