import { environmentConfigSchema, type PlatformPolicy } from "../types";
import { analyticsPolicies } from "./analytics";
import { apiPolicies } from "./api";
import { computePolicies } from "./compute";
import { databasePolicies } from "./database";
import { datastorePolicies } from "./datastores";
import { deliveryPolicies } from "./delivery";
import { edgePolicies } from "./edge";
import { edgeWiringPolicies } from "./edge-wiring";
import { eventsPolicies } from "./events";
import { hygienePolicies } from "./hygiene";
import { iamPolicies } from "./iam";
import { loadBalancingPolicies } from "./loadbalancing";
import { messagingPolicies } from "./messaging";
import { networkPolicies } from "./network";
import { serverlessPolicies } from "./serverless";
import { storagePolicies } from "./storage";

/** The rules by module (area of the platform). */
export const POLICY_AREAS: Record<string, PlatformPolicy[]> = {
    iam: iamPolicies,
    network: networkPolicies,
    compute: computePolicies,
    loadbalancing: loadBalancingPolicies,
    storage: storagePolicies,
    database: databasePolicies,
    datastores: datastorePolicies,
    analytics: analyticsPolicies,
    messaging: messagingPolicies,
    serverless: serverlessPolicies,
    events: eventsPolicies,
    api: apiPolicies,
    edge: edgePolicies,
    edgeWiring: edgeWiringPolicies,
    delivery: deliveryPolicies,
    hygiene: hygienePolicies,
};

/** Every rule of the pack, importable without starting the pack's gRPC server. */
export const ALL_POLICIES: PlatformPolicy[] = Object.values(POLICY_AREAS)
    .flat()
    .map((p) => ({ ...p, configSchema: p.configSchema ?? environmentConfigSchema }));
