import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Plan, PlannedResource } from "../../tools/engine";
import type { Violation } from "../../policy/evaluate";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const RUN = path.join(PROJECT_DIR, "tools", "run.js");

export interface CliResult {
    status: number;
    stdout: string;
    stderr: string;
}

/** Runs the project's command line (`npm run plan|policy` without npm's noise). */
export function cli(args: string[], env: NodeJS.ProcessEnv = process.env): CliResult {
    const r = spawnSync(process.execPath, [RUN, ...args], { cwd: PROJECT_DIR, encoding: "utf8", env });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export type PlanWithPolicy = Plan & { policy: { violations: Violation[] } };

const cache = new Map<string, PlanWithPolicy>();

/** A committed stack file with `platform:web.runtime: beanstalk`: the switch is one line of stack config. */
export function withBeanstalkRuntime(stack: "dev" | "prod"): string {
    const yaml = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
    if (yaml.includes("  platform:web:\n")) return yaml.replace("  platform:web:\n", "  platform:web:\n    runtime: beanstalk\n");
    return `${yaml.trimEnd()}\n  platform:web:\n    runtime: beanstalk\n`;
}

/** The file of withBeanstalkRuntime("prod"), named by its content so every test process of a run shares one. */
function beanstalkProdFile(): string {
    const yaml = withBeanstalkRuntime("prod");
    const file = path.join(os.tmpdir(), `platform-stack-beanstalk-${createHash("sha256").update(yaml).digest("hex").slice(0, 16)}`, "Pulumi.prod.yaml");
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, yaml);
    }
    return file;
}

/**
 * The plans the whole run makes once, before any test file (tests/helpers/root-hooks.ts): the
 * committed stacks, and prod with the other web runtime, so the tables that must cover every
 * planned type (replacements, cost, create time, diagram tiers) see its types too.
 */
export const COMMITTED_PLANS: Record<string, string[]> = {
    dev: ["plan", "--stack", "dev", "--json"],
    prod: ["plan", "--stack", "prod", "--json"],
    delivery: ["plan", "--project", "delivery", "--stack", "delivery", "--json"],
    "prod-beanstalk": ["plan", "--stack", "prod", "--json", "--stack-file", beanstalkProdFile()],
};
/** Where the run's global set-up left those plans, shared by every test process. */
export const PLAN_DIR_VARIABLE = "PLATFORM_TEST_PLAN_DIR";

/**
 * A committed stack's JSON plan (one of COMMITTED_PLANS), evaluated once per test run: from the
 * run's global set-up when it made one, else here (one process per stack, as Pulumi's runtime is global).
 */
export function committedPlan(key: string): PlanWithPolicy {
    let plan = cache.get(key);
    if (!plan) {
        const saved = process.env[PLAN_DIR_VARIABLE] && path.join(process.env[PLAN_DIR_VARIABLE]!, `${key}.json`);
        if (saved && fs.existsSync(saved)) {
            plan = JSON.parse(fs.readFileSync(saved, "utf8")) as PlanWithPolicy;
        } else {
            const r = cli(COMMITTED_PLANS[key]);
            if (!r.stdout.trim().startsWith("{")) throw new Error(`plan of ${key} failed (exit ${r.status}):\n${r.stderr}`);
            plan = JSON.parse(r.stdout) as PlanWithPolicy;
        }
        cache.set(key, plan);
    }
    return plan;
}

/** The JSON plan of a committed platform stack (dev or prod). */
export function planOf(stack: string): PlanWithPolicy {
    if (!COMMITTED_PLANS[stack]) throw new Error(`no committed stack ${stack}`);
    return committedPlan(stack);
}

let scratch: string | undefined;
/** This test process's scratch directory, removed when the process exits: tests leave nothing in the system's temp directory. */
export function scratchDir(): string {
    if (!scratch) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-tests-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        scratch = dir;
    }
    return scratch;
}

/** A stack settings file with the given YAML, for checking a proposed edit. */
export function stackFile(yaml: string): string {
    const dir = fs.mkdtempSync(path.join(scratchDir(), "stack-"));
    const file = path.join(dir, "Pulumi.test.yaml");
    fs.writeFileSync(file, yaml);
    return file;
}

export function ofType(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

export function one(plan: Plan, type: string, nameIncludes = ""): PlannedResource {
    const found = ofType(plan, type).filter((r) => r.name.includes(nameIncludes));
    if (found.length !== 1) throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** Parses an IAM policy document input (JSON text). */
export function doc(value: unknown): { Statement: any[] } {
    return typeof value === "string" ? JSON.parse(value) : (value as { Statement: any[] });
}

/** Every resource a resource waits for, directly or through those it waits for (inputs and dependsOn). */
export function upstreamOf(plan: Plan, urn: string): Set<string> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const todo = [...(byUrn.get(urn)?.dependencies ?? [])];
    while (todo.length > 0) {
        const next = todo.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(...(byUrn.get(next)?.dependencies ?? []));
    }
    return seen;
}
