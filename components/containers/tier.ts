import * as pulumi from "@pulumi/pulumi";
import { RULE_PRIORITY } from "../../lib/path-patterns";
import { CONTAINER_PORT } from "../../lib/fargate";
import type { PlatformContext } from "../context";
import type { OriginHeader } from "../web-cluster";
import { ContainerCluster } from "./cluster";
import { ImageRepository } from "./repository";
import { ContainerService, type ContainerServiceArgs } from "./service";

/** One service of the tier: its size, scaling and capacity, image, exposure, callees, environment and grants. */
export interface TierService extends Pick<
    ContainerServiceArgs,
    "cpu" | "memory" | "architecture" | "minTasks" | "maxTasks" | "cpuTargetPercent" | "imageTag" | "environment" | "secrets" | "grants"
> {
    onDemandBase: number;
    onDemandWeight: number;
    spotWeight: number;
    /** Routed from the load balancer at `path`; otherwise internal. */
    public: boolean;
    path?: string;
    requestsPerTarget?: number;
    healthCheckGracePeriodSeconds?: number;
    /** The services this one calls by Service Connect name; each gets `<NAME>_URL` in its environment. */
    calls: string[];
}

export interface ContainerTierArgs {
    context: PlatformContext;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The services by name (the Service Connect name, the ECR repository's last part). */
    services: Record<string, TierService>;
    /** The existing load balancer public services are routed from. */
    loadBalancer: { listenerArn: pulumi.Input<string>; albArn: pulumi.Input<string>; albSecurityGroupId: pulumi.Input<string>; originHeader?: OriginHeader };
    /**
     * Images each repository keeps.
     * @default 30
     */
    keepImages?: number;
    logRetentionDays: number;
    /**
     * ECS Exec into the tasks.
     * @default false
     */
    execEnabled?: boolean;
}

/** The environment variable a caller finds a callee at: `INVENTORY_URL=http://inventory:8080`. */
export const calleeUrl = (callee: string): [string, string] => [`${callee.toUpperCase().replace(/-/g, "_")}_URL`, `http://${callee}:${CONTAINER_PORT}`];

/**
 * The container tier: one cluster, and per service an ECR repository and a Fargate service.
 * Services a caller names reach each other over Service Connect (and only those callers: each
 * callee's group admits exactly its callers' groups); public services get a listener rule each,
 * in service-name order from RULE_PRIORITY.containerServicesFrom, ahead of the strangler's rules.
 */
export class ContainerTier extends pulumi.ComponentResource {
    public readonly cluster: ContainerCluster;
    public readonly repositories: Record<string, ImageRepository> = {};
    public readonly services: Record<string, ContainerService> = {};
    /** The public services' path patterns, for CloudFront's behaviours. */
    public readonly publicPaths: string[];

    constructor(name: string, args: ContainerTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:containers:ContainerTier", name, {}, opts);
        const parent = { parent: this };
        this.cluster = new ContainerCluster(`${name}-cluster`, {}, parent);
        const names = Object.keys(args.services).sort();
        const callees = new Set(names.flatMap((n) => args.services[n].calls));
        const publicNames = names.filter((n) => args.services[n].public);
        for (const svc of names) {
            const s = args.services[svc];
            const repository = new ImageRepository(
                svc,
                { kmsKeyArn: args.context.kmsKeyArn, keepImages: args.keepImages, stateful: args.context.stateful },
                parent,
            );
            this.repositories[svc] = repository;
            const route =
                s.public && s.path && s.requestsPerTarget !== undefined
                    ? {
                          ...args.loadBalancer,
                          path: s.path,
                          requestsPerTarget: s.requestsPerTarget,
                          healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
                          priority: RULE_PRIORITY.containerServicesFrom + publicNames.indexOf(svc),
                      }
                    : undefined;
            this.services[svc] = new ContainerService(
                svc,
                {
                    context: args.context,
                    cluster: this.cluster,
                    repository,
                    vpcId: args.vpcId,
                    privateSubnetIds: args.privateSubnetIds,
                    ...s,
                    environment: { ...Object.fromEntries(s.calls.map(calleeUrl)), ...s.environment },
                    capacity: { onDemandBase: s.onDemandBase, onDemandWeight: s.onDemandWeight, spotWeight: s.spotWeight },
                    logRetentionDays: args.logRetentionDays,
                    execEnabled: args.execEnabled,
                    discoverable: callees.has(svc),
                    loadBalancer: route,
                },
                parent,
            );
        }
        for (const svc of names) for (const callee of args.services[svc].calls) this.services[callee].allowFrom(this.services[svc]);
        this.publicPaths = publicNames.map((n) => args.services[n].path!);
        this.registerOutputs({});
    }
}
