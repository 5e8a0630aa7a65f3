/**
 * Runs a state machine definition in a test with aws-local-stepfunctions, the way Step Functions
 * would run it, with every Task state served by a handler the test supplies for its resource
 * (`arn:aws:states:::lambda:invoke`, `...:dynamodb:putItem`, ...). A handler throws an Error whose
 * `name` is the error name Step Functions would see.
 *
 * What the library does not do for us, and what this helper adds (the smallest shims):
 * - it needs Node 22 (`Promise.withResolvers`): polyfilled below, for the tests only;
 * - it runs no service integration: each Task state is overridden by name
 *   (`taskResourceLocalHandlers`) with the handler for its Resource;
 * - its Context object has no `Execution.Id` and no `State`: both are supplied (`State.EnteredTime`
 *   is read when a path asks for it; `State.Name` is not modelled, so a path to it fails loudly);
 * - retry waits are real time: every retrier's wait is overridden to 0 ms (`retryIntervalOverrides`),
 *   so the attempts happen, their backoff is not waited for;
 * - a Map fails as soon as one iteration fails (as Step Functions does), but the calls already
 *   started run on: the run waits for every handler call to settle before it returns, so a test
 *   sees what the calls did after the execution had moved on. Unlike Step Functions, which stops a
 *   failed Map's iterations, the library still starts iterations queued behind MaxConcurrency and
 *   lets a stopped iteration retry a failed call at once: not shimmed, as the saga's test orders have
 *   no more lines than the Map's concurrency, and the extra retries only repeat idempotent calls.
 * - a Task's TimeoutSeconds runs in real time and the library's States.Timeout error is not
 *   exported: a test that wants a timeout throws an Error named "States.Timeout" from its handler
 *   (which `States.TaskFailed` would wrongly match: no saga retrier or catcher relies on that).
 * The definition is validated first with asl-validator, and refused if two states share a name
 * anywhere (nested Map states included), as Step Functions refuses it.
 */
import { ExecutionError, ExecutionTimeoutError, StateMachine } from "aws-local-stepfunctions";
import { allStates, duplicateStateNames } from "../../lib/asl";

// aws-local-stepfunctions 3 declares Node >= 22 and calls Promise.withResolvers (Node 22+) for every
// Task; this machine runs Node 20. Test-only polyfill; the program never loads the library.
const promiseCtor = Promise as unknown as { withResolvers?: () => { promise: Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void } };
promiseCtor.withResolvers ??= () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require("asl-validator") as (definition: unknown) => {
    isValid: boolean;
    errors: { "Error code"?: string; Message?: string; message?: string }[];
};

export type Json = any;
/** Serves a Task state's call: its parameters (after Parameters), the state's name; returns the task's result. */
export type TaskHandler = (parameters: Json, state: string) => Promise<Json>;

/** One call of a Task state's handler, in the order they started. */
export interface TaskCall {
    state: string;
    resource: string;
    parameters: Json;
    /** The error name, if the call failed. */
    error?: string;
}

export interface RunResult {
    status: "SUCCEEDED" | "FAILED" | "TIMED_OUT";
    output?: Json;
    error?: { Error: string; Cause: string };
    /** The last top-level state entered. */
    endState: string;
    calls: TaskCall[];
}

export interface RunOptions {
    input: Json;
    /** Handlers by Task resource ARN. */
    tasks: Record<string, TaskHandler>;
    executionId?: string;
}

/** Why Step Functions would refuse the definition: asl-validator's errors, and state names used twice anywhere. */
export function definitionProblems(definition: Json): string[] {
    // asl-validator fills in defaults (QueryLanguage) in what it is given.
    const { isValid, errors } = validateAsl(structuredClone(definition));
    const problems = isValid ? [] : errors.map((e) => [e["Error code"], e.Message ?? e.message].filter(Boolean).join(": "));
    for (const name of duplicateStateNames(definition)) problems.push(`state name ${name} is used more than once (names are unique across the whole machine)`);
    return problems;
}

/** Validated machines by definition object: validating (ours, then the library's own) takes ~0.1 s. */
const machines = new WeakMap<object, StateMachine>();
function machineOf(def: Json): StateMachine {
    let machine = machines.get(def);
    if (!machine) {
        const problems = definitionProblems(def);
        if (problems.length > 0) throw new Error(`Step Functions would refuse the definition:\n${problems.join("\n")}`);
        machine = new StateMachine(def);
        machines.set(def, machine);
    }
    return machine;
}

/** Runs a state machine definition (an object, or its JSON) to completion, then waits for every call it started. */
export async function runStateMachine(definition: Json, options: RunOptions): Promise<RunResult> {
    const def = typeof definition === "string" ? JSON.parse(definition) : definition;
    const machine = machineOf(def);

    const calls: TaskCall[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const { name, state } of allStates(def)) {
        if (state.Retry) retryIntervalOverrides[name] = 0;
        if (state.Type !== "Task") continue;
        const resource = String(state.Resource);
        const handler = options.tasks[resource];
        if (!handler) throw new Error(`no handler for resource ${resource} (state ${name})`);
        taskResourceLocalHandlers[name] = (parameters: Json) => {
            const call: TaskCall = { state: name, resource, parameters };
            calls.push(call);
            const p = handler(parameters, name).catch((err: Error) => {
                call.error = err.name;
                throw err;
            });
            const tracked = p
                .then(
                    () => undefined,
                    () => undefined,
                )
                .finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
            return p;
        };
    }

    const execution = machine.run(options.input, {
        overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
        context: {
            Execution: { Id: options.executionId ?? "arn:aws:states:us-east-1:123456789012:execution:test:run-1" },
            State: {
                get EnteredTime() {
                    return new Date().toISOString();
                },
            },
        },
    });
    let result: Omit<RunResult, "endState" | "calls">;
    try {
        result = { status: "SUCCEEDED", output: await execution.result };
    } catch (err) {
        if (err instanceof ExecutionTimeoutError) result = { status: "TIMED_OUT" };
        else if (err instanceof ExecutionError) {
            const cause = err.cause as Error;
            result = { status: "FAILED", error: { Error: cause.name, Cause: cause.message } };
        } else throw err;
    }
    let endState = def.StartAt as string;
    for await (const e of execution.eventLogs) if (e.type === "StateEntered" && e.index === undefined) endState = e.state.name;
    // Calls the execution no longer waits for (a failed Map's other iterations) finish now; what they did counts.
    while (inFlight.size > 0) {
        await Promise.all(inFlight);
        await new Promise((resolve) => setImmediate(resolve));
    }
    return { ...result, endState, calls };
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
