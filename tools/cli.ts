/**
 * The command line (the handbook's contract):
 *   plan --stack <name> [--json] [--stack-file <path>]   offline plan; exit 1 on bad config or a mandatory violation
 *   policy <plan.json>                                    the policy pack on a saved plan; exit 1 on a mandatory violation
 *   bench [--runs N] [--stack <name>]                     stack evaluation time against loading the Pulumi SDKs
 *   docs                                                  regenerate the README's stack config reference
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import { evaluateStack, ProgramError, type Plan } from "./engine";
import { formatPlan, formatViolation } from "./format";

const PROJECT_DIR = path.resolve(__dirname, "..");

export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    switch (command) {
        case "plan":
            return plan(rest);
        case "policy":
            return policy(rest);
        case "bench":
            return (await import("./bench")).bench(rest, PROJECT_DIR);
        case "evaluate": // one stack evaluation and nothing else: what `bench` times
            return evaluateOnly(rest);
        case "docs": {
            const { writeReference } = await import("./config-docs");
            if (!writeReference(PROJECT_DIR)) {
                console.error("README.md lacks the config-reference markers");
                return 1;
            }
            console.log("README.md config reference regenerated");
            return 0;
        }
        default:
            console.error("usage: plan --stack <name> [--json] [--stack-file <path>] | policy <plan.json> | bench [--runs N] [--stack <name>]");
            return 2;
    }
}

async function evaluate(stack: string, stackFile?: string): Promise<Plan | undefined> {
    try {
        return await evaluateStack({ projectDir: PROJECT_DIR, stack, stackFile });
    } catch (err) {
        if (err instanceof ConfigError) {
            console.error(`error: stack "${stack}" has invalid config; nothing was planned.`);
            for (const p of err.problems) console.error(`  ${p}`);
        } else if (err instanceof ProgramError) {
            console.error(`error: the program failed for stack "${stack}"; nothing was planned.`);
            for (const e of err.errors) console.error(`  ${e instanceof Error ? e.message : String(e)}`);
        } else {
            console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
        }
        return undefined;
    }
}

async function plan(argv: string[]): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { stack: { type: "string" }, json: { type: "boolean" }, "stack-file": { type: "string" } } });
    if (!values.stack) {
        console.error("usage: plan --stack <name> [--json] [--stack-file <path>]");
        return 2;
    }
    const result = await evaluate(values.stack, values["stack-file"]);
    if (!result) return 1;
    const { evaluatePolicies } = await import("../policy/evaluate");
    const { ALL_POLICIES } = await import("../policy/rules");
    const violations = await evaluatePolicies(result, ALL_POLICIES);
    if (values.json) process.stdout.write(`${JSON.stringify({ ...result, policy: { violations } }, null, 2)}\n`);
    else console.log(formatPlan(result, violations));
    return violations.some((v) => v.enforcement === "mandatory") ? 1 : 0;
}

async function policy(argv: string[]): Promise<number> {
    const file = argv[0];
    if (!file) {
        console.error("usage: policy <plan.json>   (make one with: npm run -s plan -- --stack dev --json > plan.json)");
        return 2;
    }
    let saved: Plan;
    try {
        saved = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        console.error(`error: cannot read plan ${file}: ${err instanceof Error ? err.message : String(err)}`);
        return 2;
    }
    if (!Array.isArray(saved.resources)) {
        console.error(`error: ${file} is not a plan (no "resources" array)`);
        return 2;
    }
    const { evaluatePolicies } = await import("../policy/evaluate");
    const { ALL_POLICIES } = await import("../policy/rules");
    const violations = await evaluatePolicies(saved, ALL_POLICIES);
    for (const v of violations) console.log(formatViolation(v));
    const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
    console.log(`${ALL_POLICIES.length} policies on ${saved.resources.length} resources of stack "${saved.stack}": ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`);
    return mandatory > 0 ? 1 : 0;
}

async function evaluateOnly(argv: string[]): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { stack: { type: "string" } } });
    const result = await evaluate(values.stack ?? "dev");
    if (!result) return 1;
    console.log(`${result.resources.length} resources`);
    return 0;
}
