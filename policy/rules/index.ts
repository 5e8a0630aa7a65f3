import { environmentConfigSchema, type PlatformPolicy } from "../types";
import { hygienePolicies } from "./hygiene";
import { iamPolicies } from "./iam";
import { networkPolicies } from "./network";

/** Every rule of the pack, importable without starting the pack's gRPC server. */
export const ALL_POLICIES: PlatformPolicy[] = [...iamPolicies, ...networkPolicies, ...hygienePolicies].map((p) => ({
    ...p,
    configSchema: p.configSchema ?? environmentConfigSchema,
}));
