import type { Plan, PlannedResource } from "../../tools/engine";
import { evaluatePolicies, type Violation } from "../../policy/evaluate";
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
        options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [], provider: PROVIDER_URN, ...extra.options },
    };
}

export const taggedProvider = resource("pulumi:providers:aws", "aws", { region: "us-east-1", defaultTags: JSON.stringify({ tags: { environment: "test", project: "platform", owner: "me" } }) }, { urn: PROVIDER_URN });

export function planWith(resources: PlannedResource[], profile: Environment = "dev"): Plan {
    return { stack: "test", project: "platform", profile, resources: [taggedProvider, ...resources], outputs: {}, warnings: [] };
}

/** The violations one named policy reports on a plan. */
export async function violationsOf(policyName: string, resources: PlannedResource[], environment: Environment = "dev"): Promise<Violation[]> {
    const policy = ALL_POLICIES.find((p) => p.name === policyName);
    if (!policy) throw new Error(`no policy named ${policyName}`);
    return evaluatePolicies(planWith(resources, environment), [policy], { environment });
}
