import type { Plan, PlannedResource } from "../../tools/engine";
import { strict as assert } from "assert";
import { evaluatePolicies, type PackConfig, type Violation } from "../../policy/evaluate";
import { ALL_POLICIES } from "../../policy/rules";
import type { Environment } from "../../policy/types";

const PROVIDER_URN = "urn:pulumi:test::platform::pulumi:providers:aws::aws";

/** A planned resource for a policy test, tied to a tagged provider unless told otherwise. */
export function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlannedResource> = {}): PlannedResource {
    return {
        urn: `urn:pulumi:test::platform::${type}::${name}`,
        type,
        name,
        custom: true,
        remote: false,
        inputs,
        outputs: {},
        dependencies: [],
        propertyDependencies: {},
        ...extra,
        options: {
            protect: false,
            retainOnDelete: false,
            deleteBeforeReplace: false,
            dependsOn: [],
            ignoreChanges: [],
            replaceOnChanges: [],
            additionalSecretOutputs: [],
            aliases: [],
            provider: PROVIDER_URN,
            ...extra.options,
        },
    };
}

export const taggedProvider = resource(
    "pulumi:providers:aws",
    "aws",
    { region: "us-east-1", defaultTags: JSON.stringify({ tags: { environment: "test", project: "platform", owner: "me" } }) },
    { urn: PROVIDER_URN },
);

export function planWith(resources: PlannedResource[], profile: Environment = "dev"): Plan {
    return { stack: "test", project: "platform", profile, resources: [taggedProvider, ...resources], outputs: {}, warnings: [] };
}

/** The violations one named policy reports on a plan. */
export async function violationsOf(
    policyName: string,
    resources: PlannedResource[],
    environment: Environment = "dev",
    config?: PackConfig,
): Promise<Violation[]> {
    const policy = ALL_POLICIES.find((p) => p.name === policyName);
    if (!policy) throw new Error(`no policy named ${policyName}`);
    return evaluatePolicies(planWith(resources, environment), [policy], { environment, config });
}

/**
 * Runs one policy and asserts it flags exactly `violating` (each at least once), with the
 * policy's name and its declared enforcement level; returns the violations for further checks.
 */
export async function expectViolations(
    policyName: string,
    resources: PlannedResource[],
    violating: PlannedResource[],
    opts: { environment?: Environment; config?: PackConfig } = {},
): Promise<Violation[]> {
    const policy = ALL_POLICIES.find((p) => p.name === policyName);
    if (!policy) throw new Error(`no policy named ${policyName}`);
    const v = await violationsOf(policyName, resources, opts.environment ?? "dev", opts.config);
    const show = v.map((x) => `${x.enforcement} ${x.policy} ${x.urn}: ${x.message}`).join("\n");
    assert.deepEqual([...new Set(v.map((x) => x.urn))].sort(), violating.map((r) => r.urn).sort(), `violations of ${policyName}:\n${show}`);
    for (const x of v) {
        assert.equal(x.policy, policyName);
        assert.equal(x.enforcement, policy.enforcementLevel, `${x.urn}: ${x.message}`);
    }
    return v;
}

/** A JSON policy document, as providers receive it. */
export const policyDoc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
