import { parse, stringify } from "yaml";
import * as fs from "fs";
import * as path from "path";
import type { PlannedResource } from "../../tools/engine";
import { cli, committedPlan, doc, PROJECT_DIR, stackFile, type PlanWithPolicy } from "../helpers/plan";

export const DELIVERY_DIR = path.join(PROJECT_DIR, "delivery");
export const COMMITTED = parse(fs.readFileSync(path.join(DELIVERY_DIR, "Pulumi.delivery.yaml"), "utf8")).config as Record<string, any>;

const cache = new Map<string, PlanWithPolicy>();

/**
 * The JSON plan of the delivery stack, from the committed settings with `overrides` replacing
 * whole keys (a key set to undefined is removed), evaluated once per distinct settings.
 */
export function deliveryPlan(overrides: Record<string, unknown> = {}): PlanWithPolicy {
    if (Object.keys(overrides).length === 0) return committedPlan("delivery");
    const config: Record<string, unknown> = { ...COMMITTED, ...overrides };
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete config[k];
    const key = JSON.stringify(config);
    let plan = cache.get(key);
    if (!plan) {
        const r = cli(["plan", "--project", "delivery", "--stack", "delivery", "--json", "--stack-file", stackFile(stringify({ config }))]);
        if (!r.stdout.trim().startsWith("{")) throw new Error(`delivery plan failed (exit ${r.status}):\n${r.stderr}`);
        plan = JSON.parse(r.stdout) as PlanWithPolicy;
        cache.set(key, plan);
    }
    return plan;
}

/** The CLI's result for the delivery stack with these settings (for config errors). */
export function deliveryCli(config: Record<string, unknown>) {
    return cli(["plan", "--project", "delivery", "--stack", "delivery", "--stack-file", stackFile(stringify({ config }))]);
}

/** Resources of a type inside the pipeline component of one platform stack. */
export function inPipeline(plan: PlanWithPolicy, stack: string, type: string, suffix = ""): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type && r.name.startsWith(`platform-delivery-${stack}-`) && r.name.endsWith(suffix));
}

export function onlyOne<T>(items: T[], what: string): T {
    if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
    return items[0];
}

/** The inline policy statements and trust of one role of a pipeline (pipeline, test, preview, deploy, events). */
export function roleOf(plan: PlanWithPolicy, stack: string, role: string): { trust: any[]; statements: any[]; arn: string } {
    const r = onlyOne(inPipeline(plan, stack, "aws:iam/role:Role", `-${role}-role`), `${stack} ${role} role`);
    const policy = onlyOne(inPipeline(plan, stack, "aws:iam/rolePolicy:RolePolicy", `-${role}-role-policy`), `${stack} ${role} role policy`);
    return { trust: doc(r.inputs.assumeRolePolicy).Statement, statements: doc(policy.inputs.policy).Statement, arn: String(r.outputs.arn) };
}

export const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as string]);

/** Every action an Allow statement grants, with the statement's resources. */
export function allows(statements: any[]): { action: string; resources: string[]; condition?: any }[] {
    return statements
        .filter((s) => (s.Effect ?? "Allow") === "Allow")
        .flatMap((s) => list(s.Action).map((action) => ({ action, resources: list(s.Resource), condition: s.Condition })));
}

/** A request to evaluate against identity-policy statements: its action, resource and context keys. */
export interface Request {
    action: string;
    resource: string;
    context?: Record<string, string>;
}

/**
 * Whether the statements allow the request, as IAM evaluates one identity policy: an explicit
 * deny wins, then any allow. Conditions: StringEquals, StringLike, ArnEquals, ArnLike and Null;
 * a missing key fails every operator but Null, and an operator this does not know never holds.
 */
export function allowsRequest(statements: any[], req: Request): boolean {
    const glob = (p: string, v: string, ci = false) =>
        new RegExp(
            `^${p
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*")
                .replace(/\?/g, ".")}$`,
            ci ? "i" : "",
        ).test(v);
    const context = req.context ?? {};
    const holds = (condition: Record<string, Record<string, unknown>> | undefined) =>
        Object.entries(condition ?? {}).every(([op, block]) =>
            Object.entries(block).every(([key, values]) => {
                const value = context[key];
                if (op === "Null") return (value === undefined) === (String(values) === "true");
                if (value === undefined) return false;
                if (op === "StringEquals" || op === "ArnEquals") return list(values).includes(value);
                if (op === "StringLike" || op === "ArnLike") return list(values).some((p) => glob(p, value));
                return false;
            }),
        );
    const applies = (s: any) =>
        (s.Action !== undefined ? list(s.Action).some((a) => glob(a, req.action, true)) : !list(s.NotAction).some((a) => glob(a, req.action, true))) &&
        (s.Resource !== undefined ? list(s.Resource).some((r) => glob(r, req.resource)) : !list(s.NotResource).some((r) => glob(r, req.resource))) &&
        holds(s.Condition);
    if (statements.some((s) => s.Effect === "Deny" && applies(s))) return false;
    return statements.some((s) => (s.Effect ?? "Allow") === "Allow" && applies(s));
}
