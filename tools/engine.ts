/**
 * The offline engine: runs the real program (index.ts) for one stack under Pulumi's mocks,
 * fed that stack's real settings, and records every resource registration exactly as the
 * Pulumi engine would receive it: type, name, parent, inputs and resource options.
 *
 * Pulumi's runtime state is process-global, so one process evaluates one stack.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { createMocks } from "./mocks";
import { readStackSettings } from "./stack-config";
import { SECRET_TEXT, toPlainJson } from "./wire";

export interface ResourceOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    /** Explicit dependsOn: dependencies not implied by any input. */
    dependsOn: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** URN of the provider resource this resource uses, when one was given. */
    provider?: string;
    deletedWith?: string;
    import?: string;
}

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    /** True for components that the engine constructs remotely (awsx), whose children never register here. */
    remote: boolean;
    inputs: Record<string, unknown>;
    options: ResourceOptions;
    /** The id the (mocked) provider returned. */
    id?: string;
    /** Attributes the provider computes beyond the inputs (ARNs, endpoints), from the mocks. */
    outputs: Record<string, unknown>;
    /** Every resource this one depends on, through inputs or dependsOn. */
    dependencies: string[];
    /** For each input property, the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
}

export interface Plan {
    stack: string;
    project: string;
    /** The environment profile the stack starts from (`platform:profile`). */
    profile?: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
    warnings: string[];
}

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
 * Pulumi's SDK captures a full stack trace for every resource (its source position, which only a
 * real deployment engine reads) and for every internal promise (context for its promise-leak
 * report). Offline those captures are most of the evaluation time (~2 ms per resource), so the
 * engine skips them: no source positions, and leak tracking without per-promise stacks.
 */
function skipStackCaptures(): void {
    const { Resource } = require("@pulumi/pulumi/resource");
    Resource.callsites = () => [];
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const state = require("@pulumi/pulumi/runtime/state");
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
    const candidates: Set<Promise<unknown> & { _debugCtx?: string }> = require("@pulumi/pulumi/runtime/state").getStore().leakCandidates;
    return [...candidates].map((p) => p._debugCtx ?? "promise");
}

export async function evaluateStack(opts: EvaluateOptions): Promise<Plan> {
    skipStackCaptures();
    const projectDir = path.resolve(opts.projectDir);
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
    const log = require("@pulumi/pulumi/log");
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
                return require(path.join(projectDir, "index.ts"));
            } catch (err) {
                errors.push(err);
                return {};
            }
        });
        await drainRegistrations();
        const leaked = leakedPromises();
        if (leaked.length > 0) errors.push(new Error(`the program left ${leaked.length} promise(s) pending, which fails a real deployment: ${[...new Set(leaked)].slice(0, 5).join("; ")}`));
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
 * Wraps the (mock) resource monitor so every registration is appended to `sink` as the Pulumi
 * engine would receive it; stack outputs go to `onStackOutputs`. Call after setMocks.
 */
export function recordRegistrations(sink: PlannedResource[], onStackOutputs: (outputs: Record<string, unknown>) => void = () => undefined): void {
    const monitor = settings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err) sink.push(describeRequest(req, resp));
            callback(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, resp: any) => void) => {
        if (req.getUrn().split("::")[2] === "pulumi:pulumi:Stack") onStackOutputs(toPlainJson(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>);
        return registerOutputs(req, callback);
    };
}

/** Waits until every outstanding registration has been answered. */
export function drainRegistrations(): Promise<void> {
    // waitForRPCs is @internal, so absent from the typings.
    return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

function describeRequest(req: any, resp: any): PlannedResource {
    const propertyDependencies: Record<string, string[]> = {};
    const propertyDeps = new Set<string>();
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList();
        deps.getUrnsList().forEach((u: string) => propertyDeps.add(u));
    });
    const inputs = toPlainJson(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const state = toPlainJson(resp.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    // The provider marks these outputs secret (a generated password's result): never print them.
    const secretOutputs = new Set<string>(req.getAdditionalsecretoutputsList());
    for (const [k, v] of Object.entries(state)) {
        if (JSON.stringify(v) !== JSON.stringify(inputs[k])) outputs[k] = secretOutputs.has(k) ? SECRET_TEXT : v;
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
    };
    // A provider reference is "<urn>::<id>"; the urn itself contains "::".
    if (providerRef) options.provider = providerRef.slice(0, providerRef.lastIndexOf("::"));
    if (req.getDeletedwith()) options.deletedWith = req.getDeletedwith();
    if (req.getImportid()) options.import = req.getImportid();
    return {
        urn: resp.getUrn(),
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        remote: req.getRemote(),
        inputs,
        options,
        id: resp.getId() || undefined,
        outputs,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
    };
}
