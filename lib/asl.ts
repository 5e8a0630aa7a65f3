/**
 * Pure facts about Amazon States Language definitions (JSONPath), shared by the pack's rules, the
 * config validation and the tests: every state name (they must be unique across the whole
 * machine, nested ones included), the Lambda functions each Map state drives, and the worst-case
 * duration of an execution, so a definition can be checked against its own TimeoutSeconds.
 *
 * No dependencies: the pack is installed on its own for `pulumi preview --policy-pack policy`.
 */

/**
 * An ASL (sub-)machine: the definition itself, a Map's ItemProcessor (or Iterator) or a Parallel
 * branch. Only the fields these checks read; values come from JSON and are type-checked where read.
 */
export interface AslMachine {
    StartAt?: unknown;
    States?: Record<string, AslState>;
    TimeoutSeconds?: unknown;
}

/** A retrier; asl-validator checks these are numbers. */
export interface AslRetrier {
    MaxAttempts?: number;
    IntervalSeconds?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
}

export interface AslState {
    Type?: unknown;
    Next?: unknown;
    End?: unknown;
    Default?: unknown;
    Seconds?: unknown;
    TimeoutSeconds?: unknown;
    Resource?: unknown;
    Parameters?: { FunctionName?: unknown };
    MaxConcurrency?: unknown;
    ItemProcessor?: AslMachine;
    Iterator?: AslMachine;
    Branches?: AslMachine[];
    Retry?: AslRetrier[];
    Catch?: { Next?: unknown }[];
    Choices?: { Next?: unknown }[];
}

/** Inline Map states run at most 40 iterations at once (Step Functions developer guide, "Map state in Inline mode"). */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** ASL's retrier defaults. */
const RETRY_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 };

export const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";

/** Every state of a definition, nested Map and Parallel states' included, with where it sits. */
export function allStates(def: AslMachine | null | undefined, where = ""): { name: string; where: string; state: AslState }[] {
    const out: { name: string; where: string; state: AslState }[] = [];
    for (const [name, state] of Object.entries(def?.States ?? {})) {
        out.push({ name, where, state });
        const inner = state?.ItemProcessor ?? state?.Iterator;
        if (inner) out.push(...allStates(inner, `${where}${name}/`));
        for (const [i, branch] of (state?.Branches ?? []).entries()) out.push(...allStates(branch, `${where}${name}[${i}]/`));
    }
    return out;
}

/** State names used more than once anywhere in the machine (AWS refuses them: DUPLICATE_STATE_NAME). */
export function duplicateStateNames(def: AslMachine | null): string[] {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const { name } of allStates(def)) (seen.has(name) ? dup : seen).add(name);
    return [...dup];
}

/** Each Map state with its concurrency and the Lambda functions its iterations invoke (FunctionName, as written). */
export function mapInvocations(def: AslMachine | null): { map: string; maxConcurrency: number; functions: string[] }[] {
    return allStates(def)
        .filter(({ state }) => state?.Type === "Map")
        .map(({ name, where, state }) => ({
            map: `${where}${name}`,
            maxConcurrency: effectiveConcurrency(state),
            functions: allStates(state.ItemProcessor ?? state.Iterator)
                .filter(({ state: s }) => s?.Type === "Task" && typeof s.Resource === "string" && s.Resource.startsWith(LAMBDA_INVOKE))
                .map(({ state: s }) => s.Parameters?.FunctionName)
                .filter((f): f is string => typeof f === "string"),
        }));
}

/** A Map's iterations in flight at once: MaxConcurrency, where 0 (or none) means the inline limit. */
function effectiveConcurrency(map: AslState): number {
    const m = map.MaxConcurrency;
    return typeof m === "number" && m > 0 ? Math.min(m, INLINE_MAP_MAX_CONCURRENCY) : INLINE_MAP_MAX_CONCURRENCY;
}

/** The delays of one retrier before each of its retries: IntervalSeconds x BackoffRate^n, capped at MaxDelaySeconds (jitter only shortens them). */
export function retryDelays(r: AslRetrier): number[] {
    const attempts = r.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts;
    const interval = r.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds;
    const rate = r.BackoffRate ?? RETRY_DEFAULTS.BackoffRate;
    return Array.from({ length: attempts }, (_, n) => Math.min(interval * rate ** n, r.MaxDelaySeconds ?? Infinity));
}

export interface WorstCaseOptions {
    /** The most items any Map state iterates over (the input's array bound, e.g. an order's line limit). */
    mapItems: number;
}

/**
 * The longest a state can take, retries included: each retrier counts its own attempts, so in the
 * worst case every retrier is used up, each attempt runs to the state's timeout and each retry
 * waits its full backoff. A Map runs its items in rounds of its concurrency. Infinity when
 * unbounded (a Task without TimeoutSeconds, a state type this does not know).
 */
export function stateWorstCaseSeconds(state: AslState | undefined, opts: WorstCaseOptions): number {
    let attempt: number;
    switch (state?.Type) {
        case "Pass":
        case "Succeed":
        case "Fail":
        case "Choice":
            return 0;
        case "Wait":
            return typeof state.Seconds === "number" ? state.Seconds : Infinity;
        case "Task":
            attempt = typeof state.TimeoutSeconds === "number" ? state.TimeoutSeconds : Infinity;
            break;
        case "Map":
            attempt = Math.ceil(opts.mapItems / effectiveConcurrency(state)) * worstCase((state.ItemProcessor ?? state.Iterator) as AslMachine, opts).seconds;
            break;
        default:
            return Infinity;
    }
    const retriers: AslRetrier[] = state.Retry ?? [];
    const attempts = 1 + retriers.reduce((n, r) => n + (r.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts), 0);
    const waits = retriers.flatMap(retryDelays).reduce((a, b) => a + b, 0);
    return attempts * attempt + waits;
}

/** The states a state can move to: Next, its catchers' targets, a Choice's branches. */
function successors(state: AslState): string[] {
    return [state.Next, state.Default, ...(state.Catch ?? []).map((c) => c.Next), ...(state.Choices ?? []).map((c) => c.Next)].filter(
        (n): n is string => typeof n === "string",
    );
}

/**
 * The worst-case duration of a (sub-)machine: the longest path from StartAt over Next and Catch
 * edges, each state weighted by its worst case. A Catch edge is the path of a failure and its
 * compensations, so this bounds the time an execution needs to finish undoing itself. A loop
 * makes it Infinity.
 */
export function worstCase(def: AslMachine, opts: WorstCaseOptions): { seconds: number; path: { state: string; seconds: number }[] } {
    const memo = new Map<string, { seconds: number; path: { state: string; seconds: number }[] }>();
    const visiting = new Set<string>();
    const from = (name: string): { seconds: number; path: { state: string; seconds: number }[] } => {
        const known = memo.get(name);
        if (known) return known;
        if (visiting.has(name)) return { seconds: Infinity, path: [{ state: `${name} (loop)`, seconds: Infinity }] };
        const state = def.States?.[name];
        if (!state) return { seconds: Infinity, path: [{ state: `${name} (missing)`, seconds: Infinity }] };
        visiting.add(name);
        const own = stateWorstCaseSeconds(state, opts);
        let best = { seconds: 0, path: [] as { state: string; seconds: number }[] };
        for (const next of successors(state)) {
            const r = from(next);
            if (r.seconds > best.seconds || best.path.length === 0) best = r;
        }
        visiting.delete(name);
        const result = { seconds: own + best.seconds, path: [{ state: name, seconds: own }, ...best.path] };
        memo.set(name, result);
        return result;
    };
    return from(def?.StartAt as string);
}

/** Why a definition's worst case does not fit its TimeoutSeconds, or undefined when it fits (or sets none). */
export function worstCaseProblem(def: AslMachine | null, opts: WorstCaseOptions): string | undefined {
    const timeout = def?.TimeoutSeconds;
    if (!def || typeof timeout !== "number") return undefined;
    const w = worstCase(def, opts);
    if (w.seconds <= timeout) return undefined;
    const steps = w.path.filter((p) => p.seconds > 0).map((p) => `${p.state} ${p.seconds === Infinity ? "unbounded" : `${Math.ceil(p.seconds)} s`}`);
    return `its worst case takes ${w.seconds === Infinity ? "unbounded time" : `${Math.ceil(w.seconds)} s`} (${steps.join(", ")}; Map states over up to ${opts.mapItems} items), above its TimeoutSeconds ${timeout}: an execution could time out half-way through its compensations`;
}
