/**
 * The offline engine: runs the real program (index.ts) for one stack under Pulumi's mocks,
 * fed that stack's real settings, and records every resource registration exactly as the
 * Pulumi engine would receive it: type, name, parent, inputs and resource options.
 *
 * Pulumi's runtime state is process-global, so one process evaluates one stack.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { createMocks } from "./mocks";
import type { Plan, PlannedResource, ResourceOptions } from "../lib/plan";
import { readStackSettings } from "../lib/stack-settings";
import { SECRET_TEXT, toPlainJson } from "./wire";

// The plan's shape lives in lib/, where the policy evaluator reads it too.
export type { Plan, PlannedResource, ResourceOptions };

export interface EvaluateOptions {
    projectDir: string;
    stack: string;
    /** Evaluate these settings instead of `Pulumi.<stack>.yaml` (to check a proposed edit). */
    stackFile?: string;
}

/** A program failure (bad config, a thrown error, a failed registration), with every message. */
export class ProgramError extends Error {
    constructor(readonly errors: unknown[]) {
        super(errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n"));
        this.name = "ProgramError";
    }
}

/**
 * A module's CommonJS exports object itself, not an import namespace (a copy under esModuleInterop),
 * so that functions the engine swaps on it are the ones the SDK calls.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- patching needs the module object, which only require gives
const moduleObject = <T>(id: string): T => require(id);

/** The SDK internals the engine swaps or reads; none are in its public typings. */
interface ResourceModule {
    Resource: { callsites: () => unknown[] };
}
interface DebuggableModule {
    debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T>;
}
interface StateModule {
    getStore(): { leakCandidates: Set<Promise<unknown> & { _debugCtx?: string }> };
}
interface LogModule {
    warn: (msg: string) => Promise<void>;
    error: (msg: string) => Promise<void>;
}

/**
 * Pulumi's SDK captures a full stack trace for every resource (its source position, which only a
 * real deployment engine reads) and for every internal promise (context for its promise-leak
 * report). Offline those captures are most of the evaluation time (~2 ms per resource), so the
 * engine skips them: no source positions, and leak tracking without per-promise stacks.
 */
function skipStackCaptures(): void {
    const { Resource } = moduleObject<ResourceModule>("@pulumi/pulumi/resource");
    Resource.callsites = () => [];
    const debuggable = moduleObject<DebuggableModule>("@pulumi/pulumi/runtime/debuggable");
    const state = moduleObject<StateModule>("@pulumi/pulumi/runtime/state");
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: string): Promise<T> => {
        const candidates: Set<Promise<unknown>> = state.getStore().leakCandidates;
        Object.defineProperty(p, "_debugCtx", { writable: true, value: ctx });
        candidates.add(p);
        return p.then(
            (value) => {
                candidates.delete(p);
                return value;
            },
            (err) => {
                candidates.delete(p);
                err.promise = p;
                throw err;
            },
        );
    };
}

/** Promises the program left pending, as Pulumi's exit-time leak check would report them. */
function leakedPromises(): string[] {
    const candidates = moduleObject<StateModule>("@pulumi/pulumi/runtime/state").getStore().leakCandidates;
    return [...candidates].map((p) => p._debugCtx ?? "promise");
}

/** What file assets' paths are shown relative to: the project being evaluated (one per process). */
let plainRoot: string | undefined;

export async function evaluateStack(opts: EvaluateOptions): Promise<Plan> {
    skipStackCaptures();
    const projectDir = path.resolve(opts.projectDir);
    plainRoot = projectDir;
    const { project, config, secretKeys } = readStackSettings(projectDir, opts.stack, opts.stackFile);
    const region = config["aws:region"] ?? "us-east-1";

    // The CLI hands config to the program through these; setAllConfig does the same in-process.
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(createMocks({ region, stack: opts.stack }), project, opts.stack, false);

    const resources: PlannedResource[] = [];
    const warnings: string[] = [];
    const errors: unknown[] = [];
    let outputs: Record<string, unknown> = {};
    recordRegistrations(resources, (o) => (outputs = o));

    // The module object itself (not an import namespace), so its functions can be swapped.
    const log = moduleObject<LogModule>("@pulumi/pulumi/log");
    const restore = { warn: log.warn, error: log.error };
    log.warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    log.error = (msg: string) => {
        errors.push(new Error(msg));
        return Promise.resolve();
    };
    const onRejection = (reason: unknown) => errors.push(reason);
    process.on("unhandledRejection", onRejection);

    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            try {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is the project's index.ts, loaded at run time inside the stack
                return require(path.join(projectDir, "index.ts"));
            } catch (err) {
                errors.push(err);
                return {};
            }
        });
        await drainRegistrations();
        const leaked = leakedPromises();
        if (leaked.length > 0)
            errors.push(
                new Error(
                    `the program left ${leaked.length} promise(s) pending, which fails a real deployment: ${[...new Set(leaked)].slice(0, 5).join("; ")}`,
                ),
            );
    } catch (err) {
        errors.push(err);
    } finally {
        process.off("unhandledRejection", onRejection);
        Object.assign(log, restore);
    }
    if (errors.length > 0) throw errors.length === 1 && errors[0] instanceof Error && errors[0].name === "ConfigError" ? errors[0] : new ProgramError(errors);
    return { stack: opts.stack, project, profile: config[`${project}:profile`], resources, outputs, warnings };
}

/**
 * Answers every registration on the (mock) resource monitor and appends it to `sink` as the
 * Pulumi engine would receive it; stack outputs go to `onStackOutputs`. Call after setMocks.
 *
 * The answer is MockMonitor's (the URN from parent, type and name; the state from the mocks),
 * but the request is decoded once and the inputs' wire form is echoed back as the state's,
 * where MockMonitor decodes, deserializes, re-serializes and re-encodes every property. The
 * response carries only what the SDK reads of one (as its own unattached mode does).
 */
export function recordRegistrations(sink: PlannedResource[], onStackOutputs: (outputs: Record<string, unknown>) => void = () => undefined): void {
    const monitor = settings.getMonitor() as unknown as Monitor;
    const mocks = monitor.mocks;
    monitor.registerResource = (req, callback) => {
        answerRegistration(monitor, mocks, req).then(
            ({ urn, id, wireInputs, wireState }) => {
                sink.push(describeRequest(req, urn, id, wireInputs, wireState));
                callback(null, {
                    getUrn: () => urn,
                    getId: () => id ?? "",
                    getObject: () => asStruct(wireState),
                    getPropertydependenciesMap: () => undefined,
                    getResult: () => resproto.Result.SUCCESS,
                });
            },
            (err) => callback(err, undefined),
        );
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        if (req.getUrn().split("::")[2] === "pulumi:pulumi:Stack")
            onStackOutputs(toPlainJson(req.getOutputs()?.toJavaScript() ?? {}, plainRoot) as Record<string, unknown>);
        return registerOutputs(req, callback);
    };
}

type WireObject = Record<string, unknown>;

type Callback = (err: unknown, resp: unknown) => void;

/** What the engine uses of the SDK's MockMonitor, the monitor setMocks installs (newUrn is private in its typings). */
interface Monitor {
    mocks: pulumi.runtime.Mocks;
    resources: Map<string, { urn: string; id: string | null; state: WireObject }>;
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: resproto.RegisterResourceRequest, callback: Callback): void;
    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback): void;
}

async function answerRegistration(monitor: Monitor, mocks: pulumi.runtime.Mocks, req: resproto.RegisterResourceRequest) {
    const wireInputs: WireObject = req.getObject()?.toJavaScript() ?? {};
    const inputs = rpc.deserializeProperties(asStruct(wireInputs));
    const result = await mocks.newResource({
        type: req.getType(),
        name: req.getName(),
        inputs,
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: req.getImportid(),
    });
    // Inputs the mocks passed through keep their wire form; plain values are their own wire
    // form; anything else (an asset, a resource) goes through the SDK's serializer.
    const wireState: WireObject = {};
    const other: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(result.state)) {
        if (v === undefined) continue;
        if (k in inputs && v === inputs[k]) wireState[k] = wireInputs[k];
        else if (isPlainData(v)) wireState[k] = v;
        else other[k] = v;
    }
    if (Object.keys(other).length > 0) Object.assign(wireState, await rpc.serializeProperties("", other));
    const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
    const id: string | undefined = result.id || undefined;
    monitor.resources.set(urn, { urn, id: id ?? null, state: wireState });
    return { urn, id, wireInputs, wireState };
}

/** What the SDK reads of a protobuf Struct: its JavaScript value. */
function asStruct(value: WireObject): Parameters<typeof rpc.deserializeProperties>[0] {
    return { toJavaScript: () => value } as unknown as Parameters<typeof rpc.deserializeProperties>[0];
}

/** JSON-like data, which Pulumi's wire format carries as is (undefined aside). */
function isPlainData(v: unknown): boolean {
    if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number") return true;
    if (Array.isArray(v)) return v.every((e) => e !== undefined && isPlainData(e));
    if (typeof v !== "object") return false;
    const proto = Object.getPrototypeOf(v);
    return (proto === Object.prototype || proto === null) && Object.values(v as object).every((e) => e !== undefined && isPlainData(e));
}

/** Waits until every outstanding registration has been answered. */
export function drainRegistrations(): Promise<void> {
    // waitForRPCs is @internal, so absent from the typings.
    return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

function describeRequest(
    req: resproto.RegisterResourceRequest,
    urn: string,
    id: string | undefined,
    wireInputs: WireObject,
    wireState: WireObject,
): PlannedResource {
    const propertyDependencies: Record<string, string[]> = {};
    const propertyDeps = new Set<string>();
    req.getPropertydependenciesMap().forEach((deps, key) => {
        propertyDependencies[key] = deps.getUrnsList();
        deps.getUrnsList().forEach((u: string) => propertyDeps.add(u));
    });
    const inputs = toPlainJson(wireInputs, plainRoot) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    // The provider marks these outputs secret (a generated password's result): never print them.
    const secretOutputs = new Set<string>(req.getAdditionalsecretoutputsList());
    for (const k of Object.keys(wireState).sort()) {
        const v = wireState[k];
        if (v === wireInputs[k]) continue; // an input passed through
        const plain = toPlainJson(v, plainRoot);
        if (JSON.stringify(plain) !== JSON.stringify(inputs[k])) outputs[k] = secretOutputs.has(k) ? SECRET_TEXT : plain;
    }
    const providerRef: string = req.getProvider();
    const options: ResourceOptions = {
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
        dependsOn: req.getDependenciesList().filter((u: string) => !propertyDeps.has(u)),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: aliasUrns(req),
    };
    // A provider reference is "<urn>::<id>"; the urn itself contains "::".
    if (providerRef) options.provider = providerRef.slice(0, providerRef.lastIndexOf("::"));
    if (req.getDeletedwith()) options.deletedWith = req.getDeletedwith();
    if (req.getImportid()) options.import = req.getImportid();
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        remote: req.getRemote(),
        inputs,
        options,
        id,
        outputs,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
    };
}

/**
 * The URNs a registration's aliases name. The SDK sends alias specs (name, type, parent, stack,
 * project, each defaulting to the resource's own) to a monitor that supports them, as the mock
 * monitor does, and plain URNs otherwise; a spec resolves the way the monitor forms URNs, so
 * `{ parent: pulumi.rootStackResource }` names the top-level URN the resource had.
 */
function aliasUrns(req: resproto.RegisterResourceRequest): string[] {
    const urns = new Set<string>(req.getAliasurnsList());
    for (const alias of req.getAliasesList()) {
        if (alias.hasUrn()) {
            urns.add(alias.getUrn());
            continue;
        }
        const spec = alias.getSpec()!; // an alias is a URN or a spec (a protobuf oneof)
        // No parent means top level, which under the mock monitor is a child of the stack resource.
        const parent: string = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
        const parentType = parent ? parent.split("::")[2].split("$").pop() : "pulumi:pulumi:Stack";
        const type = `${parentType}$${spec.getType() || req.getType()}`;
        urns.add(
            `urn:pulumi:${spec.getStack() || settings.getStack()}::${spec.getProject() || settings.getProject()}::${type}::${spec.getName() || req.getName()}`,
        );
    }
    return [...urns];
}
