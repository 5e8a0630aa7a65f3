/**
 * What a change does to a stack: two offline plans (before, after) compared resource by resource,
 * with Pulumi's own rules on top of the provider's replacement table:
 * - resources match by URN, or by an alias the new one declares; an unmatched URN is a delete
 *   plus a create;
 * - a matched resource's inputs are diffed deeply, minus its `ignoreChanges` paths;
 * - a change at a path the table lists for the type (or at a `replaceOnChanges` path) replaces it;
 *   a type the table lacks "may replace", never silently updates;
 * - a replaced or created resource's outputs are unknown until it exists, so every input computed
 *   from them changes too (and may replace its consumer), as in `pulumi preview`;
 * - replacing or deleting a resource that is `protect`ed is an error, as Pulumi refuses both.
 */
import type { Plan, PlannedResource } from "../engine";
import { SECRET_TEXT, UNKNOWN_TEXT } from "../wire";
import { STATEFUL_TYPES } from "./stateful";

export type Op = "create" | "update" | "replace" | "delete" | "same";

/** The provider's replacement rules for one Pulumi type (tools/diff/replacements.json). */
export interface TypeReplacements {
    /** Input paths whose change replaces (`"*"`: any change). */
    replaces: string[];
    /** Blocks whose addition or removal replaces (the provider's ForceNew on a block counts its elements only). */
    replacesOnCount?: string[];
    /** Paths the provider replaces on only under a condition it decides (a CustomizeDiff): may replace. */
    conditional?: string[];
    /** Inputs newer than the provider source the table was read from: may replace. */
    unverified?: string[];
}

export interface ReplacementTable {
    source?: unknown;
    types: Record<string, TypeReplacements>;
}

export interface PropertyDiff {
    /** The input path, as `dbName` or `replicas[1].regionName`. */
    path: string;
    old?: unknown;
    new?: unknown;
    /** For a value computed from a resource being replaced or created: that resource's URN. */
    computedFrom?: string;
}

export interface Change {
    urn: string;
    type: string;
    name: string;
    op: Op;
    /** The changed input paths. */
    diffs: string[];
    /** The changed paths that force the replacement (`[provider]` when the provider itself is replaced). */
    replaceReasons: string[];
    /** An update of a type missing from the replacement table: it may be a replacement. */
    mayReplace: boolean;
    protect: boolean;
    stateful: boolean;
    deleteBeforeReplace: boolean;
    /** The URN the resource had before, when an alias matched it. */
    oldUrn?: string;
    parent?: string;
    details: PropertyDiff[];
    /** Why Pulumi would refuse this step. */
    error?: string;
}

export interface Summary {
    create: number;
    update: number;
    replace: number;
    delete: number;
    same: number;
}

export interface DiffResult {
    stack: string;
    changes: Change[];
    summary: Summary;
    /** Some resource of the stack is protected (its profile protects stateful resources): the guard applies. */
    protects: boolean;
}

export function comparePlans(before: Plan, after: Plan, table: ReplacementTable): DiffResult {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const matched = new Map<string, PlannedResource>(); // new URN -> old resource
    const taken = new Set<string>();
    const afterUrns = new Set(after.resources.map((r) => r.urn));
    for (const r of after.resources) {
        const previous = old.has(r.urn) ? r.urn : (r.options.aliases ?? []).find((a) => old.has(a) && !afterUrns.has(a));
        if (previous && !taken.has(previous)) {
            matched.set(r.urn, old.get(previous)!);
            taken.add(previous);
        }
    }

    const changes: Change[] = [];
    const byUrn = new Map<string, Change>();
    for (const r of after.resources) {
        const was = matched.get(r.urn);
        // A resource moved to another provider (not the same one renamed under an alias) is replaced, as Pulumi does.
        const providerMoved =
            was !== undefined &&
            was.options.provider !== undefined &&
            r.options.provider !== undefined &&
            matched.get(r.options.provider)?.urn !== was.options.provider;
        const change = was ? compareResource(was, r, table, providerMoved) : blank(r, "create");
        changes.push(change);
        byUrn.set(r.urn, change);
    }
    for (const r of before.resources)
        if (!taken.has(r.urn)) changes.push({ ...blank(r, "delete"), error: r.options.protect ? protectedError("delete", r.urn) : undefined });

    // Outputs of a resource being replaced or created are unknown in a preview: inputs computed
    // from them change, which can replace their consumers in turn (to a fixed point).
    let grew = true;
    while (grew) {
        grew = false;
        const pending = new Set(changes.filter((c) => c.op === "replace" || c.op === "create").map((c) => c.urn));
        for (const r of after.resources) {
            const c = byUrn.get(r.urn)!;
            const was = matched.get(r.urn);
            if (!was || c.op === "replace") continue;
            let added = false;
            for (const [property, deps] of Object.entries(r.propertyDependencies ?? {})) {
                const source = deps.find((d) => pending.has(d) && d !== r.urn);
                if (!source || c.details.some((d) => d.path === property || startsWithPath(d.path, property))) continue;
                if (covered(r.options.ignoreChanges, property)) continue;
                c.details.push({ path: property, old: was.inputs[property], new: UNKNOWN_TEXT, computedFrom: source });
                added = true;
            }
            const providerReplaced = r.options.provider !== undefined && pending.has(r.options.provider) && byUrn.get(r.options.provider)?.op === "replace";
            if (added || providerReplaced) {
                Object.assign(c, decide(was, r, c.details, table, providerReplaced));
                if ((c.op as Op) === "replace") grew = true; // c.op was narrowed before the assign
            }
        }
    }

    const summary: Summary = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    for (const c of changes) summary[c.op]++;
    const protects = [...before.resources, ...after.resources].some((r) => r.options.protect);
    return { stack: after.stack, changes, summary, protects };
}

function blank(r: PlannedResource, op: Op): Change {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        op,
        diffs: [],
        replaceReasons: [],
        mayReplace: false,
        protect: r.options.protect,
        stateful: STATEFUL_TYPES.has(r.type),
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        parent: r.parent,
        details: [],
    };
}

function compareResource(was: PlannedResource, now: PlannedResource, table: ReplacementTable, providerMoved: boolean): Change {
    const details: PropertyDiff[] = [];
    diffValues(was.inputs, now.inputs, "", details);
    const kept = details.filter((d) => !covered(now.options.ignoreChanges, d.path));
    const change = blank(now, "same");
    if (was.urn !== now.urn) change.oldUrn = was.urn;
    change.details = kept;
    return Object.assign(change, decide(was, now, kept, table, providerMoved));
}

/** The step for a matched resource with these property changes. */
function decide(
    was: PlannedResource,
    now: PlannedResource,
    details: PropertyDiff[],
    table: ReplacementTable,
    providerForces: boolean,
): Pick<Change, "op" | "diffs" | "replaceReasons" | "mayReplace" | "error"> {
    const diffs = details.map((d) => d.path);
    if (diffs.length === 0 && !providerForces) return { op: "same", diffs, replaceReasons: [], mayReplace: false, error: undefined };
    const reasons = new Set<string>();
    if (providerForces) reasons.add("[provider]");
    const entry = table.types[now.type];
    const decidesReplacement = now.custom || now.remote;
    let uncertain = false;
    for (const d of details) {
        // A computed value may change anything beneath it; a known one, exactly its own path.
        const hits = (paths: string[] | undefined) => (paths ?? []).some((p) => covers(p, d.path) || (d.computedFrom !== undefined && covers(d.path, p)));
        if ((decidesReplacement && entry && hits(entry.replaces)) || hits(now.options.replaceOnChanges)) reasons.add(d.path);
        else if (decidesReplacement && entry && (hits(entry.conditional) || hits(entry.unverified))) uncertain = true;
    }
    // A block whose element count changes (added, removed) replaces; a change inside one only by its own fields.
    if (decidesReplacement && entry)
        for (const block of entry.replacesOnCount ?? []) if (countAt(was.inputs, block) !== countAt(now.inputs, block)) reasons.add(block);
    const mayReplace = decidesReplacement && (!entry || uncertain) && reasons.size === 0;
    if (reasons.size === 0) return { op: "update", diffs, replaceReasons: [], mayReplace, error: undefined };
    // Pulumi refuses to replace a resource protected before and after (unprotecting in the same update is allowed).
    const error = was.options.protect && now.options.protect ? protectedError("replace", now.urn) : undefined;
    return { op: "replace", diffs, replaceReasons: [...reasons], mayReplace: false, error };
}

function protectedError(step: "replace" | "delete", urn: string): string {
    // The protection Pulumi checks is the state's, which `pulumi state unprotect` lifts; offline, the committed program's is all there is.
    return `Pulumi refuses to ${step} ${urn}: it is protected; it goes ahead only once unprotected (\`pulumi state unprotect '${urn}'\`, after a backup)`;
}

// ---- paths ----

/** `a.b`, `a[2]`, `tags["k.1"]`: a key that is not an identifier is quoted, as Pulumi writes property paths. */
function join(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
}

/** Canonical form for matching: indexes and wildcards as `[]`, quoted identifiers as `.key`. */
function canonical(path: string): string {
    return path
        .replace(/\["([A-Za-z_$][A-Za-z0-9_$]*)"\]/g, ".$1")
        .replace(/\[(\d+|\*)\]/g, "[]")
        .replace(/\.\*(?=\.|\[|$)/g, "[]")
        .replace(/^\./, "");
}

function startsWithPath(path: string, prefix: string): boolean {
    return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** Whether a change at `path` falls under `rule` (the rule's path itself or anything beneath it; `*`: everything). */
export function covers(rule: string, path: string): boolean {
    if (rule === "*") return true;
    return startsWithPath(canonical(path), canonical(rule));
}

function covered(rules: string[] | undefined, path: string): boolean {
    return (rules ?? []).some((rule) => covers(rule, path));
}

// ---- values ----

/** How many values a block path holds (`a.b`, `a[].b`): a list counts its elements, an object 1, nothing 0. */
function countAt(inputs: Record<string, unknown>, path: string): number {
    let values: unknown[] = [inputs];
    for (const part of canonical(path).split(".")) {
        const key = part.replace(/\[\]$/, "");
        values = values.flatMap((v) => (isObject(v) && v[key] !== undefined && v[key] !== null ? [v[key]] : []));
        if (part.endsWith("[]")) values = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
    }
    return values.reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Appends one entry per changed leaf; an added or removed container is reported at its leaves. */
function diffValues(a: unknown, b: unknown, path: string, out: PropertyDiff[]): void {
    if (a === b) return;
    if (isObject(a) && isObject(b)) {
        for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValues(a[k], b[k], join(path, k), out);
    } else if (Array.isArray(a) && Array.isArray(b)) {
        for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(a[i], b[i], join(path, i), out);
    } else if (a === undefined || b === undefined) {
        const present = a === undefined ? b : a;
        const entries = isObject(present) ? Object.entries(present) : Array.isArray(present) ? present.map((v, i) => [i, v] as const) : [];
        if (entries.length === 0) out.push({ path, old: a, new: b });
        else for (const [k, v] of entries) diffValues(a === undefined ? undefined : v, a === undefined ? v : undefined, join(path, k), out);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
        out.push({ path, old: a, new: b });
    }
}

/** The secret and unknown placeholders, for the text output. */
export const PLACEHOLDERS = new Set([SECRET_TEXT, UNKNOWN_TEXT]);

// ---- the guard ----

export interface Blocked {
    change: Change;
    /** Why the resource is held: the properties that force its replacement (none for a delete). */
    reasons: string[];
}

/**
 * In a stack that protects its resources, the stateful resources this change replaces or deletes
 * (or may replace, a type missing from the table), minus those `allowed` names exactly (URN or name).
 */
export function guard(result: DiffResult, allowed: string[]): { blocked: Blocked[]; unusedAllowances: string[] } {
    const held = result.protects ? result.changes.filter((c) => c.stateful && (c.op === "replace" || c.op === "delete" || c.mayReplace)) : [];
    const used = new Set<string>();
    const blocked: Blocked[] = [];
    for (const c of held) {
        const allowance = allowed.find((a) => a === c.urn || a === c.name || a === c.oldUrn);
        if (allowance) {
            used.add(allowance);
            continue;
        }
        blocked.push({
            change: c,
            reasons: c.op === "replace" ? c.replaceReasons : c.op === "delete" ? [] : ["may replace: its type is missing from the replacement table"],
        });
    }
    return { blocked, unusedAllowances: allowed.filter((a) => !used.has(a)) };
}
