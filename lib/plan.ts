/**
 * The shape of an offline plan: what the engine (tools/engine.ts) records of each resource
 * registration, and what the policy evaluator and `plan --json` read.
 */
export interface ResourceOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    /** Explicit dependsOn: dependencies not implied by any input. */
    dependsOn: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** URNs this resource was known by before (the `aliases` option): a diff matches them to it. */
    aliases: string[];
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
