/**
 * A small Amazon States Language interpreter (JSONPath query language) for testing the state
 * machine definitions the program emits. It covers exactly what the platform's definitions use
 * and refuses anything else, so a definition cannot silently rely on an unmodelled feature:
 *
 * - states: Task (Parameters, ResultSelector, ResultPath, OutputPath, Retry, Catch), Map (inline:
 *   ItemsPath, ItemSelector, ItemProcessor, MaxConcurrency), Pass, Succeed, Fail;
 * - paths: `$`, `$.a.b`, `$.a[0]`, the context object `$$.Execution.{Id,StartTime,Input}`,
 *   `$$.State.{EnteredTime,Name}`, `$$.Map.Item.{Index,Value}`; the intrinsic `States.Format`;
 * - error matching: exact names, `States.ALL`, and `States.TaskFailed` (any task error but a timeout).
 *
 * Retries happen at once (no sleeping); each attempt is recorded. Tasks are run by handlers the
 * test supplies per resource ARN; a handler throws an Error whose `name` is the error name Step
 * Functions would see. A Task's TimeoutSeconds is accepted but not enforced: a test that wants a
 * timeout throws `States.Timeout` from its handler.
 *
 * As Step Functions does, it refuses a definition that names two states alike anywhere (nested
 * Map states included), and fails a Map as soon as one iteration fails: the Map moves to its Catch
 * while the iterations already started keep running. The run awaits those before it returns, so
 * a test sees what they did after the execution had moved on.
 */

export type Json = any;
export type TaskHandler = (parameters: Json, state: string) => Promise<Json>;

export interface TraceEntry {
    /** State name, with enclosing Map states and iteration index as a prefix (e.g. "ReserveInventory[1]/Inventory"). */
    state: string;
    type: string;
    /** For tasks: the resource and the parameters it was called with. */
    resource?: string;
    parameters?: Json;
    /** For tasks: the attempt number (1 = first try), and the error if it failed. */
    attempt?: number;
    error?: string;
}

export interface RunResult {
    status: "SUCCEEDED" | "FAILED";
    output?: Json;
    error?: { Error: string; Cause: string };
    /** The last top-level state entered. */
    endState: string;
    trace: TraceEntry[];
}

export interface RunOptions {
    input: Json;
    /** Handlers by Task resource ARN. */
    tasks: Record<string, TaskHandler>;
    executionId?: string;
    now?: () => Date;
}

class StatesError extends Error {
    constructor(
        readonly error: string,
        readonly cause: string,
    ) {
        super(`${error}: ${cause}`);
    }
}

const ALLOWED_FIELDS: Record<string, string[]> = {
    Task: ["Type", "Comment", "Resource", "TimeoutSeconds", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "InputPath", "Retry", "Catch", "Next", "End"],
    Map: ["Type", "Comment", "ItemsPath", "ItemSelector", "ItemProcessor", "MaxConcurrency", "ResultPath", "OutputPath", "InputPath", "Retry", "Catch", "Next", "End"],
    Pass: ["Type", "Comment", "Parameters", "Result", "ResultPath", "OutputPath", "InputPath", "Next", "End"],
    Succeed: ["Type", "Comment", "OutputPath", "InputPath"],
    Fail: ["Type", "Comment", "Error", "Cause"],
};
const MACHINE_FIELDS = ["Comment", "StartAt", "States", "TimeoutSeconds"];
const RETRIER_FIELDS = ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy"];
const CATCHER_FIELDS = ["ErrorEquals", "ResultPath", "Next"];

/** Names used by more than one state, anywhere in the machine: AWS refuses them (DUPLICATE_STATE_NAME). */
function duplicateNames(definition: Json): string[] {
    const names: string[] = [];
    const collect = (d: Json) => {
        for (const [name, s] of Object.entries<Json>(d?.States ?? {})) {
            names.push(name);
            if (s?.ItemProcessor) collect(s.ItemProcessor);
        }
    };
    collect(definition);
    return names.filter((n, i) => names.indexOf(n) !== i);
}

/** Checks a definition uses only what this interpreter models, with unique state names; returns the problems found. */
export function unsupported(definition: Json, where = "$"): string[] {
    const problems: string[] = where === "$" ? duplicateNames(definition).map((n) => `${where}: state name ${n} is used more than once (names are unique across the whole machine)`) : [];
    for (const k of Object.keys(definition)) if (!MACHINE_FIELDS.includes(k) && !(where !== "$" && k === "ProcessorConfig")) problems.push(`${where}.${k}: unsupported machine field`);
    if (where !== "$" && definition.ProcessorConfig && definition.ProcessorConfig.Mode !== "INLINE") problems.push(`${where}.ProcessorConfig: only INLINE maps are modelled`);
    if (!definition.States?.[definition.StartAt]) problems.push(`${where}.StartAt: ${definition.StartAt} is not a state`);
    for (const [name, s] of Object.entries<Json>(definition.States ?? {})) {
        const allowed = ALLOWED_FIELDS[s.Type];
        if (!allowed) {
            problems.push(`${where}.${name}: unsupported state type ${s.Type}`);
            continue;
        }
        for (const k of Object.keys(s)) if (!allowed.includes(k)) problems.push(`${where}.${name}.${k}: unsupported field`);
        for (const r of s.Retry ?? []) for (const k of Object.keys(r)) if (!RETRIER_FIELDS.includes(k)) problems.push(`${where}.${name}.Retry.${k}: unsupported`);
        for (const c of s.Catch ?? []) {
            for (const k of Object.keys(c)) if (!CATCHER_FIELDS.includes(k)) problems.push(`${where}.${name}.Catch.${k}: unsupported`);
            if (!definition.States[c.Next]) problems.push(`${where}.${name}.Catch: ${c.Next} is not a state`);
        }
        if (s.Next !== undefined && !definition.States[s.Next]) problems.push(`${where}.${name}.Next: ${s.Next} is not a state`);
        if (["Task", "Map", "Pass"].includes(s.Type) && (s.Next === undefined) === (s.End !== true)) problems.push(`${where}.${name}: needs exactly one of Next and End`);
        if (s.Type === "Map") problems.push(...unsupported(s.ItemProcessor, `${where}.${name}.ItemProcessor`));
    }
    return problems;
}

// ---- paths and payload templates ----

interface Context {
    Execution: { Id: string; StartTime: string; Input: Json };
    State?: { EnteredTime: string; Name: string };
    Map?: { Item: { Index: number; Value: Json } };
}

function segments(path: string): (string | number)[] {
    const out: (string | number)[] = [];
    const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]/g;
    const rest = path.startsWith("$$") ? path.slice(2) : path.slice(1);
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = re.exec(rest)) !== null) {
        if (m.index !== consumed) break;
        out.push(m[1] !== undefined ? m[1] : Number(m[2]));
        consumed = re.lastIndex;
    }
    if (consumed !== rest.length) throw new StatesError("States.Runtime", `unsupported path ${path}`);
    return out;
}

function read(path: string, input: Json, ctx: Context): Json {
    if (!path.startsWith("$")) throw new StatesError("States.Runtime", `not a path: ${path}`);
    let v: Json = path.startsWith("$$") ? ctx : input;
    for (const s of segments(path)) {
        if (v === null || typeof v !== "object" || !(s in v)) throw new StatesError("States.Runtime", `path ${path} does not exist in the input`);
        v = v[s];
    }
    return v;
}

function write(input: Json, path: string | null | undefined, value: Json): Json {
    if (path === null) return input;
    if (path === undefined || path === "$") return value;
    const segs = segments(path);
    const root = input !== null && typeof input === "object" ? structuredClone(input) : {};
    let node = root;
    segs.forEach((s, i) => {
        if (i === segs.length - 1) node[s] = value;
        else {
            if (node[s] === null || typeof node[s] !== "object") node[s] = {};
            node = node[s];
        }
    });
    return root;
}

/** Evaluates `States.Format('...', args)`; the only intrinsic the definitions use. */
function intrinsic(expr: string, input: Json, ctx: Context): Json {
    const m = /^States\.Format\((.*)\)$/s.exec(expr.trim());
    if (!m) throw new StatesError("States.Runtime", `unsupported intrinsic ${expr}`);
    const args: Json[] = [];
    const re = /\s*(?:'((?:[^'\\]|\\.)*)'|(\$\$?[^,\s)]*))\s*(?:,|$)/gy;
    let a: RegExpExecArray | null;
    while (re.lastIndex < m[1].length && (a = re.exec(m[1])) !== null) args.push(a[1] !== undefined ? a[1].replace(/\\(.)/g, "$1") : read(a[2], input, ctx));
    const [template, ...values] = args;
    if (typeof template !== "string") throw new StatesError("States.Runtime", `bad format ${expr}`);
    let i = 0;
    const out = template.replace(/\{\}/g, () => {
        const v = values[i++];
        if (v === undefined) throw new StatesError("States.Runtime", `too few arguments in ${expr}`);
        return typeof v === "string" ? v : JSON.stringify(v);
    });
    if (i !== values.length) throw new StatesError("States.Runtime", `too many arguments in ${expr}`);
    return out;
}

/** A payload template (Parameters, ItemSelector, ResultSelector): keys ending in ".$" take a path or an intrinsic. */
function template(t: Json, input: Json, ctx: Context): Json {
    if (Array.isArray(t)) return t.map((x) => template(x, input, ctx));
    if (t === null || typeof t !== "object") return t;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries<Json>(t)) {
        if (k.endsWith(".$")) out[k.slice(0, -2)] = typeof v === "string" && v.startsWith("States.") ? intrinsic(v, input, ctx) : read(v, input, ctx);
        else out[k] = template(v, input, ctx);
    }
    return out;
}

// ---- errors ----

function matches(errorEquals: string[], error: string): boolean {
    return errorEquals.some((e) => e === error || e === "States.ALL" || (e === "States.TaskFailed" && error !== "States.Timeout"));
}

// ---- execution ----

class Machine {
    readonly trace: TraceEntry[] = [];
    /** Map iterations still running after their Map failed (Step Functions does not stop them). */
    readonly stragglers: Promise<unknown>[] = [];
    constructor(
        private readonly tasks: Record<string, TaskHandler>,
        private readonly now: () => Date,
    ) {}

    /** Runs a (sub-)machine from StartAt; returns its output and the last state, or throws a StatesError. */
    async run(def: Json, input: Json, ctx: Context, prefix: string): Promise<{ output: Json; last: string }> {
        let name: string = def.StartAt;
        let data = input;
        for (;;) {
            const s = def.States[name];
            const here = `${prefix}${name}`;
            const stateCtx: Context = { ...ctx, State: { EnteredTime: this.now().toISOString(), Name: name } };
            this.trace.push({ state: here, type: s.Type });
            const effective = s.InputPath === null ? {} : read(s.InputPath ?? "$", data, stateCtx);
            let result: Json;
            let next: string | undefined = s.Next;
            try {
                switch (s.Type) {
                    case "Succeed":
                        return { output: s.OutputPath === undefined ? effective : read(s.OutputPath, effective, stateCtx), last: name };
                    case "Fail":
                        throw new StatesError(s.Error ?? "States.Fail", s.Cause ?? "");
                    case "Pass":
                        result = s.Parameters !== undefined ? template(s.Parameters, effective, stateCtx) : (s.Result ?? effective);
                        break;
                    case "Task":
                        result = await this.task(s, here, effective, stateCtx);
                        break;
                    case "Map":
                        result = await this.map(s, here, effective, stateCtx);
                        break;
                    default:
                        throw new Error(`unsupported state type ${s.Type}`);
                }
            } catch (err) {
                if (!(err instanceof StatesError) || s.Type === "Fail") throw err;
                const catcher = (s.Catch ?? []).find((c: Json) => matches(c.ErrorEquals, err.error));
                if (!catcher) throw err;
                data = write(data, catcher.ResultPath, { Error: err.error, Cause: err.cause });
                name = catcher.Next;
                continue;
            }
            let output = write(data, s.ResultPath, result);
            if (s.OutputPath !== undefined) output = read(s.OutputPath, output, stateCtx);
            if (s.End) return { output, last: name };
            data = output;
            name = next!;
        }
    }

    /** A Task with its retriers: each retrier counts its own attempts; the first one matching the error decides. */
    private async task(s: Json, here: string, input: Json, ctx: Context): Promise<Json> {
        const handler = this.tasks[s.Resource];
        if (!handler) throw new Error(`no handler for resource ${s.Resource} (state ${here})`);
        return this.withRetry(s, async (attempt) => {
            const parameters = s.Parameters === undefined ? input : template(s.Parameters, input, ctx);
            const entry: TraceEntry = { state: here, type: "Task", resource: s.Resource, parameters, attempt };
            this.trace.push(entry);
            try {
                const raw = await handler(parameters, here);
                return s.ResultSelector === undefined ? raw : template(s.ResultSelector, raw, ctx);
            } catch (err) {
                const e = err instanceof StatesError ? err : new StatesError((err as Error).name || "Error", (err as Error).message);
                entry.error = e.error;
                throw e;
            }
        });
    }

    private async map(s: Json, here: string, input: Json, ctx: Context): Promise<Json> {
        return this.withRetry(s, async () => {
            const items = read(s.ItemsPath ?? "$", input, ctx);
            if (!Array.isArray(items)) throw new StatesError("States.Runtime", `ItemsPath of ${here} is not an array`);
            const results: Json[] = new Array(items.length);
            const limit = s.MaxConcurrency && s.MaxConcurrency > 0 ? s.MaxConcurrency : items.length;
            let nextIndex = 0;
            let failure: StatesError | undefined;
            let failMap: (err: StatesError) => void = () => undefined;
            const failed = new Promise<never>((_, reject) => (failMap = reject));
            failed.catch(() => undefined);
            const worker = async () => {
                while (!failure && nextIndex < items.length) {
                    const index = nextIndex++;
                    const itemCtx: Context = { ...ctx, Map: { Item: { Index: index, Value: items[index] } } };
                    const itemInput = s.ItemSelector === undefined ? items[index] : template(s.ItemSelector, input, itemCtx);
                    try {
                        results[index] = (await this.run(s.ItemProcessor, itemInput, { Execution: ctx.Execution }, `${here}[${index}]/`)).output;
                    } catch (err) {
                        if (!(err instanceof StatesError)) throw err;
                        // A failed iteration fails the Map at once: no new iterations start, and the
                        // running ones go on unobserved while the execution moves to the Catch.
                        if (!failure) {
                            failure = err;
                            failMap(err);
                        }
                    }
                }
            };
            const all = Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
            this.stragglers.push(all);
            await Promise.race([all, failed]);
            return results;
        });
    }

    private async withRetry(s: Json, attemptOnce: (attempt: number) => Promise<Json>): Promise<Json> {
        const used = new Map<Json, number>();
        for (let attempt = 1; ; attempt++) {
            try {
                return await attemptOnce(attempt);
            } catch (err) {
                if (!(err instanceof StatesError)) throw err;
                const retrier = (s.Retry ?? []).find((r: Json) => matches(r.ErrorEquals, err.error));
                const max = retrier ? (retrier.MaxAttempts ?? 3) : 0;
                const n = used.get(retrier) ?? 0;
                if (!retrier || n >= max) throw err;
                used.set(retrier, n + 1);
            }
        }
    }
}

/** Runs a state machine definition (an object, or its JSON) to completion. */
export async function runStateMachine(definition: Json, options: RunOptions): Promise<RunResult> {
    const def = typeof definition === "string" ? JSON.parse(definition) : definition;
    const problems = unsupported(def);
    if (problems.length > 0) throw new Error(`the definition uses what the interpreter does not model:\n${problems.join("\n")}`);
    const now = options.now ?? (() => new Date());
    const machine = new Machine(options.tasks, now);
    const ctx: Context = { Execution: { Id: options.executionId ?? "arn:aws:states:us-east-1:123456789012:execution:test:run-1", StartTime: now().toISOString(), Input: options.input } };
    const lastTopLevel = () => [...machine.trace].reverse().find((t) => !t.state.includes("/") && !t.resource)?.state ?? def.StartAt;
    let result: RunResult;
    try {
        const { output, last } = await machine.run(def, options.input, ctx, "");
        result = { status: "SUCCEEDED", output, endState: last, trace: machine.trace };
    } catch (err) {
        if (!(err instanceof StatesError)) throw err;
        result = { status: "FAILED", error: { Error: err.error, Cause: err.cause }, endState: lastTopLevel(), trace: machine.trace };
    }
    // Iterations a failed Map left running finish now; what they did counts, their results don't.
    await Promise.all(machine.stragglers);
    return result;
}

/** The states reachable from `from` by following Next (the path a Catch starts), up to a terminal state. */
export function chainFrom(definition: Json, from: string): string[] {
    const def = typeof definition === "string" ? JSON.parse(definition) : definition;
    const out: string[] = [];
    for (let name: string | undefined = from; name !== undefined; name = def.States[name].Next) {
        if (out.includes(name)) throw new Error(`loop at ${name}`);
        out.push(name);
    }
    return out;
}
