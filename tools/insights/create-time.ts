/**
 * The estimated time to create a stack from nothing, as Pulumi's engine schedules it, and the
 * chain of resources that decides it (the critical path).
 *
 * The model: a resource's create starts when everything it waits for is created, and takes the
 * minutes create-durations.ts gives its type. What it waits for:
 *  - its `dependencies`: every resource an input came from, plus `dependsOn`. The Node SDK already
 *    expands a component in these into the custom and remote resources it parents
 *    (`getAllTransitivelyReferencedResourceURNs` in @pulumi/pulumi/runtime/dependsOn), so a plan
 *    names components only when they are remote (awsx's Vpc), which stand for all their children.
 *    A plan that names a local component anyway (a hand-written one) gets the same expansion here;
 *  - its parent, when that is a custom resource (the SDK awaits the parent's URN, which resolves once it is created);
 *  - its provider, and a `deletedWith` resource (both awaited the same way).
 * Providers and local components take no time. Parallelism is unbounded (`pulumi up --parallel`'s
 * bound is simulated by `simulateBounded`; see docs/create-time.md for why it barely matters here).
 */
import type { Plan, PlannedResource } from "../engine";
import { durationOf } from "./create-durations";

export interface Step {
    urn: string;
    name: string;
    type: string;
    minutes: number;
    /** Minutes from the start of the update. */
    start: number;
    finish: number;
}

export interface CreateTimeEstimate {
    /** Minutes until the last resource is created. */
    minutes: number;
    /** URNs from a resource that waits for nothing to the last one created; each waits for the one before. */
    criticalPath: string[];
    /** The critical path with each resource's own minutes and its start and finish. */
    steps: Step[];
}

export interface EstimateOptions {
    /** Minutes to create a resource (defaults to the documented table). */
    duration?: (r: PlannedResource) => number;
}

/** For each resource, the custom or remote resources it waits for before its create can start. */
export function waitsFor(plan: Pick<Plan, "resources">): Map<string, string[]> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const children = new Map<string, PlannedResource[]>();
    for (const r of plan.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const isLocalComponent = (r: PlannedResource) => !r.custom && !r.remote;
    // A local component stands for its custom and remote descendants (not theirs: a custom resource's children are its own business).
    const expand = (urn: string, into: Set<string>, seen = new Set<string>()): void => {
        const r = byUrn.get(urn);
        if (!r || seen.has(urn)) return;
        seen.add(urn);
        if (!isLocalComponent(r)) {
            into.add(urn);
            return;
        }
        for (const c of children.get(urn) ?? []) expand(c.urn, into, seen);
    };
    const result = new Map<string, string[]>();
    for (const r of plan.resources) {
        const direct = [...r.dependencies];
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent && !isLocalComponent(parent)) direct.push(parent.urn);
        if (r.options.provider) direct.push(r.options.provider);
        if (r.options.deletedWith) direct.push(r.options.deletedWith);
        const deps = new Set<string>();
        for (const d of direct) expand(d, deps);
        deps.delete(r.urn);
        result.set(r.urn, [...deps]);
    }
    return result;
}

/** The create time of `plan` with unbounded parallelism, and its critical path. */
export function estimateCreateTime(plan: Pick<Plan, "resources">, opts: EstimateOptions = {}): CreateTimeEstimate {
    const duration = opts.duration ?? ((r: PlannedResource) => durationOf(r).minutes);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const deps = waitsFor(plan);
    const finish = new Map<string, number>();
    const start = new Map<string, number>();
    /** The dependency that finishes last: the one this resource really waited for. */
    const binding = new Map<string, string | undefined>();
    const visiting = new Set<string>();
    const finishOf = (urn: string): number => {
        const known = finish.get(urn);
        if (known !== undefined) return known;
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        let begin = 0;
        let last: string | undefined;
        for (const d of deps.get(urn) ?? []) {
            if (!byUrn.has(d)) continue;
            const f = finishOf(d);
            if (last === undefined || f > begin) {
                begin = f;
                last = d;
            }
        }
        visiting.delete(urn);
        const r = byUrn.get(urn)!;
        const end = begin + (isLocalComponent(r) ? 0 : duration(r));
        start.set(urn, begin);
        finish.set(urn, end);
        binding.set(urn, last);
        return end;
    };
    let lastUrn: string | undefined;
    let minutes = 0;
    for (const r of plan.resources) {
        const f = finishOf(r.urn);
        if (lastUrn === undefined || f > minutes) {
            minutes = f;
            lastUrn = r.urn;
        }
    }
    const criticalPath: string[] = [];
    for (let u = lastUrn; u !== undefined; u = binding.get(u)) criticalPath.unshift(u);
    const steps = criticalPath.map((urn) => {
        const r = byUrn.get(urn)!;
        return { urn, name: r.name, type: r.type, minutes: finish.get(urn)! - start.get(urn)!, start: start.get(urn)!, finish: finish.get(urn)! };
    });
    return { minutes, criticalPath, steps };
}

/**
 * The create time when at most `parallel` creates run at once (`pulumi up --parallel`): ready
 * resources start in the order they became ready (then in registration order), as the engine's
 * step executor takes them. A resource that takes no time holds no slot.
 */
export function simulateBounded(plan: Pick<Plan, "resources">, parallel: number, opts: EstimateOptions = {}): number {
    const duration = opts.duration ?? ((r: PlannedResource) => durationOf(r).minutes);
    const deps = waitsFor(plan);
    const order = new Map(plan.resources.map((r, i) => [r.urn, i]));
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const waiting = new Map<string, number>();
    const dependents = new Map<string, string[]>();
    for (const r of plan.resources) {
        const ds = (deps.get(r.urn) ?? []).filter((d) => byUrn.has(d));
        waiting.set(r.urn, ds.length);
        for (const d of ds) dependents.set(d, [...(dependents.get(d) ?? []), r.urn]);
    }
    const ready: string[] = plan.resources.filter((r) => waiting.get(r.urn) === 0).map((r) => r.urn);
    const running: { urn: string; end: number }[] = [];
    let now = 0;
    let done = 0;
    const complete = (urn: string) => {
        done++;
        const released = (dependents.get(urn) ?? []).filter((d) => {
            waiting.set(d, waiting.get(d)! - 1);
            return waiting.get(d) === 0;
        });
        ready.push(...released.sort((a, b) => order.get(a)! - order.get(b)!));
    };
    while (done < plan.resources.length) {
        while (ready.length > 0) {
            const next = ready[0];
            const r = byUrn.get(next)!;
            const d = isLocalComponent(r) ? 0 : duration(r);
            if (d === 0) {
                ready.shift();
                complete(next);
                continue;
            }
            if (running.length >= parallel) break;
            ready.shift();
            running.push({ urn: next, end: now + d });
        }
        if (running.length === 0) {
            if (done < plan.resources.length) throw new Error("dependency cycle: some resources never become ready");
            break;
        }
        running.sort((a, b) => a.end - b.end);
        now = running[0].end;
        while (running.length > 0 && running[0].end === now) complete(running.shift()!.urn);
    }
    return now;
}

function isLocalComponent(r: PlannedResource): boolean {
    return !r.custom && !r.remote;
}

/** What `plan --json` adds under `estimates` (an object that later models add to, e.g. a monthly cost). */
export interface PlanEstimates {
    createMinutes: number;
    criticalPath: string[];
}

export function planEstimates(plan: Pick<Plan, "resources">): PlanEstimates {
    const { minutes, criticalPath } = estimateCreateTime(plan);
    return { createMinutes: round(minutes), criticalPath };
}

export function round(minutes: number): number {
    return Math.round(minutes * 10) / 10;
}
