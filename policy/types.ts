import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** What the pack knows about a rule beyond CrossGuard's fields (the pack's server ignores them). */
export interface PolicyMeta {
    /** Pulumi type tokens a stack rule checks (resource rules declare theirs through validateResourceOfType). */
    covers?: string[];
    /** The rule behaves differently in prod: it reads the environment from its config. */
    environmentAware?: boolean;
}

export type PlatformPolicy = (ResourceValidationPolicy | StackValidationPolicy) & PolicyMeta;

/** Which environment a stack is; prod-only rules apply to "prod". */
export type Environment = "dev" | "prod";

/** Policy config every platform rule accepts (`--policy-pack-config`). */
export interface EnvironmentConfig {
    environment?: Environment;
}

/** JSON schema for EnvironmentConfig, declared on every rule so a pack config may set it. */
export const environmentConfigSchema = {
    properties: { environment: { type: "string" as const, enum: ["dev", "prod"] } },
};

/** Tags every resource carries, through the provider's defaultTags. */
export const REQUIRED_TAGS = ["environment", "project", "owner"] as const;
