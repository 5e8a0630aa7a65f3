import { spawnSync } from "child_process";
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

/** The JSON plan of a committed stack, evaluated once per test run (one process per stack, as Pulumi's runtime is global). */
export function planOf(stack: string): PlanWithPolicy {
    let plan = cache.get(stack);
    if (!plan) {
        const r = cli(["plan", "--stack", stack, "--json"]);
        if (!r.stdout.trim().startsWith("{")) throw new Error(`plan of ${stack} failed (exit ${r.status}):\n${r.stderr}`);
        plan = JSON.parse(r.stdout) as PlanWithPolicy;
        cache.set(stack, plan);
    }
    return plan;
}

/** A stack settings file with the given YAML, for checking a proposed edit. */
export function stackFile(yaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-stack-"));
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
