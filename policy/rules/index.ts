import { environmentConfigSchema, type PlatformPolicy } from "../types";
import { analyticsPolicies } from "./emr";
import { apiPolicies } from "./apigateway";
import { computePolicies } from "./ec2";
import { databasePolicies } from "./rds";
import { datastorePolicies } from "./elasticache";
import { deliveryPolicies } from "./codepipeline";
import { edgePolicies } from "./cloudfront";
import { edgeWiringPolicies } from "./edge-wiring";
import { eventsPolicies } from "./sfn";
import { hygienePolicies } from "./stack-wide";
import { iamPolicies } from "./iam";
import { loadBalancingPolicies } from "./lb";
import { messagingPolicies } from "./sqs";
import { networkPolicies } from "./security-group";
import { serverlessPolicies } from "./lambda";
import { storagePolicies } from "./s3";

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
