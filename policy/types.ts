import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type PlatformPolicy = ResourceValidationPolicy | StackValidationPolicy;

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
