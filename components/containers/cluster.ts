import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformName } from "../names";

export interface ContainerClusterArgs {
    /**
     * Capacity providers the cluster's services may draw from.
     * @default ["FARGATE", "FARGATE_SPOT"]
     */
    capacityProviders?: ("FARGATE" | "FARGATE_SPOT")[];
}

/**
 * An ECS cluster for Fargate services: Container Insights on, the FARGATE and FARGATE_SPOT
 * capacity providers (each service sets its own strategy), and the Cloud Map HTTP namespace
 * Service Connect names the services in: a client reaches `inventory:8080` through its Service
 * Connect proxy, and nothing outside the namespace resolves the name.
 */
export class ContainerCluster extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;
    /** The Cloud Map namespace Service Connect registers the services in. */
    public readonly namespaceArn: pulumi.Output<string>;
    /** Ready once the capacity providers are associated: services that name a strategy wait for it. */
    public readonly capacity: aws.ecs.ClusterCapacityProviders;

    constructor(name: string, args: ContainerClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("platform:containers:ContainerCluster", name, {}, opts);
        const parent = { parent: this };
        const namespace = new aws.servicediscovery.HttpNamespace(
            `${name}-services`,
            { name: platformName(name), description: `Service Connect names of ${name}'s services` },
            parent,
        );
        const cluster = new aws.ecs.Cluster(
            name,
            { name: platformName(name), settings: [{ name: "containerInsights", value: "enabled" }], serviceConnectDefaults: { namespace: namespace.arn } },
            parent,
        );
        this.capacity = new aws.ecs.ClusterCapacityProviders(
            `${name}-capacity`,
            {
                clusterName: cluster.name,
                capacityProviders: args.capacityProviders ?? ["FARGATE", "FARGATE_SPOT"],
                // Only for tasks that name no strategy; every platform service names its own.
                defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
            },
            parent,
        );
        this.arn = cluster.arn;
        this.clusterName = cluster.name;
        this.namespaceArn = namespace.arn;
        this.registerOutputs({ arn: this.arn, namespaceArn: this.namespaceArn });
    }
}
