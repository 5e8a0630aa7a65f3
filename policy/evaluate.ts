/**
 * Runs the pack's rules in-process on an offline plan, the way the Pulumi analyzer runs them
 * during a preview: resource rules see each resource's inputs, stack rules see every resource
 * with its computed outputs, and props are wrapped in unknownCheckingProxy so that reading a
 * value unknown at preview time yields an advisory "can't run" result, never a crash.
 */
import {
    unknownCheckingProxy,
    UnknownValueError,
    type PolicyProviderResource,
    type PolicyResource,
    type PolicyResourceOptions,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import type { Plan, PlannedResource } from "../lib/plan";
import type { Environment, PlatformPolicy } from "./types";

export interface Violation {
    enforcement: "mandatory" | "advisory";
    policy: string;
    urn: string;
    message: string;
}

const UNKNOWN_TEXT = "[unknown]";
// The sentinel the analyzer substitutes for unknown values (exported at runtime, not in the typings).
const unknownStringValue = (policyProxy as unknown as { unknownStringValue: unknown }).unknownStringValue;

class NotApplicable extends Error {}

/** Plan values marked unknown become the sentinel the real analyzer hands to rules. */
function withUnknowns(value: unknown): unknown {
    if (value === UNKNOWN_TEXT) return unknownStringValue;
    if (Array.isArray(value)) return value.map(withUnknowns);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnknowns(v)]));
    return value;
}

const typeOf = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType;

type Enforcement = "mandatory" | "advisory" | "disabled";

/**
 * A policy pack config as `pulumi preview --policy-pack-config <file>` takes it: per policy name
 * either an enforcement level or an object of config properties (which may also carry
 * `enforcementLevel`); "all" sets every policy's enforcement level.
 */
export type PackConfig = Record<string, Enforcement | ({ enforcementLevel?: Enforcement } & Record<string, unknown>)>;

export interface EvaluateOptions {
    /** Environment the prod-only rules check for; defaults to the plan's profile. A pack config's `environment` wins. */
    environment?: Environment;
    /** The pack config, as the Pulumi CLI would pass it. */
    config?: PackConfig;
}

/** The enforcement level and config properties a pack config gives one policy. */
function configFor(config: PackConfig, policy: PlatformPolicy): { enforcement?: Enforcement; properties: Record<string, unknown> } {
    const all = config.all;
    const own = config[policy.name];
    const level = (v: unknown) => (typeof v === "string" ? (v as Enforcement) : (v as { enforcementLevel?: Enforcement } | undefined)?.enforcementLevel);
    const properties: Record<string, unknown> = { ...(own && typeof own === "object" ? own : {}) };
    delete properties.enforcementLevel;
    return { enforcement: level(own) ?? level(all), properties };
}

export async function evaluatePolicies(plan: Plan, policies: PlatformPolicy[], opts: EvaluateOptions = {}): Promise<Violation[]> {
    const environment = opts.environment ?? (plan.profile === "prod" ? "prod" : "dev");
    const packConfig = opts.config ?? {};
    policies = policies.map((p) => {
        const level = configFor(packConfig, p).enforcement;
        return level ? { ...p, enforcementLevel: level } : p;
    });
    const configOf =
        (policy: PlatformPolicy) =>
        <T extends object>() =>
            ({ environment, ...configFor(packConfig, policy).properties }) as unknown as T;
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const violations: Violation[] = [];

    const run = async (policy: PlatformPolicy, urn: string, body: (report: (message: string, urn?: string) => void) => unknown) => {
        const enforcement = policy.enforcementLevel === "mandatory" ? "mandatory" : "advisory";
        if (policy.enforcementLevel === "disabled") return;
        try {
            await body((message, at) => violations.push({ enforcement, policy: policy.name, urn: at ?? urn, message }));
        } catch (err) {
            if (err instanceof NotApplicable) return;
            if (err instanceof UnknownValueError) {
                violations.push({
                    enforcement: "advisory",
                    policy: policy.name,
                    urn,
                    message: `can't run policy '${policy.name}' during preview: ${(err as Error).message}`,
                });
                return;
            }
            throw new Error(`policy ${policy.name} failed on ${urn}: ${err instanceof Error ? err.stack : String(err)}`, { cause: err });
        }
    };

    const providerOf = (r: PlannedResource) => {
        const p = r.options.provider ? byUrn.get(r.options.provider) : undefined;
        return p ? { type: p.type, props: unknownCheckingProxy(withUnknowns(p.inputs) as Record<string, unknown>), urn: p.urn, name: p.name } : undefined;
    };
    const optionsOf = (r: PlannedResource) => ({
        protect: r.options.protect,
        ignoreChanges: r.options.ignoreChanges,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: r.options.additionalSecretOutputs,
        parent: r.parent,
    });

    for (const policy of policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p && p.validateResource !== undefined)) {
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
        for (const r of plan.resources) {
            const props = unknownCheckingProxy(withUnknowns(r.inputs) as Record<string, unknown>);
            const args: ResourceValidationArgs = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: optionsOf(r),
                provider: providerOf(r),
                stackTags: new Map(),
                isType: (cls) => typeOf(cls) === r.type,
                asType: ((cls: unknown) => (typeOf(cls) === r.type ? props : undefined)) as ResourceValidationArgs["asType"],
                getConfig: configOf(policy),
                notApplicable,
            };
            for (const validate of validations) await run(policy, r.urn, (report) => validate(args, report));
        }
    }

    const stackPolicies = policies.filter((p): p is StackValidationPolicy => "validateStack" in p);
    if (stackPolicies.length > 0) {
        const resources = toPolicyResources(plan, optionsOf, providerOf);
        const stackUrn = plan.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
        for (const policy of stackPolicies) {
            await run(policy, stackUrn, (report) =>
                policy.validateStack({ resources, stackTags: new Map(), getConfig: configOf(policy), notApplicable }, report),
            );
        }
    }
    return violations;
}

/** Stack rules see each resource's state after the update: inputs plus computed outputs. */
function toPolicyResources(
    plan: Plan,
    optionsOf: (r: PlannedResource) => PolicyResourceOptions,
    providerOf: (r: PlannedResource) => PolicyProviderResource | undefined,
): PolicyResource[] {
    const made = new Map<string, PolicyResource>();
    for (const r of plan.resources) {
        const props = unknownCheckingProxy(withUnknowns({ ...r.inputs, ...r.outputs, ...(r.id ? { id: r.id } : {}) }) as Record<string, unknown>);
        made.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            provider: providerOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => typeOf(cls) === r.type,
            asType: ((cls: unknown) => (typeOf(cls) === r.type ? props : undefined)) as PolicyResource["asType"],
        });
    }
    for (const r of plan.resources) {
        const pr = made.get(r.urn)!;
        pr.parent = r.parent ? made.get(r.parent) : undefined;
        pr.dependencies = r.dependencies.map((u) => made.get(u)).filter((x): x is PolicyResource => x !== undefined);
        pr.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map((u) => made.get(u)).filter((x): x is PolicyResource => x !== undefined)]),
        );
    }
    return [...made.values()];
}
