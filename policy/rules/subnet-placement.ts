/** Rules for where resources of several services are placed: compute in private subnets, data stores in isolated ones across zones. */
import { type Node, StackGraph, TYPES } from "../graph";
import { asList, at, get, isUnknown, UNKNOWN, type Unknown } from "../lib";
import type { PlatformPolicy } from "../types";

/** Where each subnet id sits: its tier (public, private, isolated) and AZ, as far as the stack says. */
export interface SubnetFacts {
    tier?: "public" | "private" | "isolated";
    az?: string;
}

export function subnetFacts(g: StackGraph): Map<string, SubnetFacts> {
    const facts = new Map<string, SubnetFacts>();
    const merge = (id: unknown, f: SubnetFacts) => {
        if (typeof id !== "string") return;
        facts.set(id, { ...facts.get(id), ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) });
    };
    // awsx.ec2.Vpc: subnets per tier as outputs. Offline its children never register, so the
    // layout (one entry per subnet, with its AZ, in the same order) is what places them.
    for (const vpc of g.ofType(TYPES.awsxVpc)) {
        const layout = asList(vpc.props.subnetLayout).filter((e) => e && !isUnknown(e));
        const azNames = asList(vpc.props.availabilityZoneNames).filter((x) => typeof x === "string");
        for (const [tier, key, type] of [
            ["public", "publicSubnetIds", "Public"],
            ["private", "privateSubnetIds", "Private"],
            ["isolated", "isolatedSubnetIds", "Isolated"],
        ] as const) {
            const ids = vpc.props[key];
            if (isUnknown(ids)) continue;
            const entries = layout.filter((e) => at(e, "type") === type);
            asList(ids).forEach((id, i) => {
                let az: string | undefined;
                const entryAz = entries.length === asList(ids).length ? at(entries[i], "availabilityZone") : undefined;
                if (typeof entryAz === "string") az = entryAz;
                // One spec per tier: awsx makes one subnet per AZ, in AZ order.
                else if (entries.length === 1) az = azNames[i] ?? `${vpc.name}#az${i}`;
                merge(id, { tier, az });
            });
        }
    }
    for (const s of g.ofType(TYPES.subnet)) {
        const tag = String(at(s.props.tags, "SubnetType") ?? at(s.props.tags, "aws-cdk:subnet-type") ?? "").toLowerCase();
        const tier =
            tag === "public" || s.props.mapPublicIpOnLaunch === true ? "public" : tag === "private" ? "private" : tag === "isolated" ? "isolated" : undefined;
        merge(s.props.id, { tier, az: typeof s.props.availabilityZone === "string" ? s.props.availabilityZone : undefined });
    }
    return facts;
}

/** Subnet ids a resource names at `path`; UNKNOWN if preview can't tell. */
function subnetIds(n: Node, path: string): string[] | Unknown {
    const v = get(n.props, path);
    if (isUnknown(v) || asList(v).some(isUnknown)) return UNKNOWN;
    return asList(v).filter((x): x is string => typeof x === "string");
}

const DB_SUBNET_GROUPS = ["aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"];

/** Compute that must not sit in public subnets, and where it names its subnets. */
const COMPUTE_PLACEMENT: { type: string; path: string }[] = [
    { type: "aws:autoscaling/group:Group", path: "vpcZoneIdentifiers" },
    { type: "aws:ec2/instance:Instance", path: "subnetId" },
    { type: "aws:lambda/function:Function", path: "vpcConfig.subnetIds" },
    { type: "aws:emr/cluster:Cluster", path: "ec2Attributes.subnetId" },
    { type: "aws:emr/cluster:Cluster", path: "ec2Attributes.subnetIds" },
    { type: "aws:emrserverless/application:Application", path: "networkConfiguration.subnetIds" },
    { type: "aws:codebuild/project:Project", path: "vpcConfig.subnets" },
    { type: "aws:ecs/service:Service", path: "networkConfiguration.subnets" },
];

/** Data stores and the input naming their subnet group (absent: the default VPC). */
const DATA_STORES: { type: string; path: string }[] = [
    { type: "aws:rds/instance:Instance", path: "dbSubnetGroupName" },
    { type: "aws:rds/cluster:Cluster", path: "dbSubnetGroupName" },
    { type: "aws:elasticache/replicationGroup:ReplicationGroup", path: "subnetGroupName" },
    { type: "aws:elasticache/cluster:Cluster", path: "subnetGroupName" },
];

export const subnetPlacementPolicies: PlatformPolicy[] = [
    {
        name: "datastore-subnet-group-multi-az",
        description: "Each DB or cache subnet group spans at least 2 availability zones (RDS rejects fewer; a single AZ is a single point of failure).",
        enforcementLevel: "mandatory",
        covers: [...DB_SUBNET_GROUPS, TYPES.subnet, TYPES.awsxVpc],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const facts = subnetFacts(g);
            for (const group of g.ofType(...DB_SUBNET_GROUPS)) {
                const ids = subnetIds(group, "subnetIds");
                if (isUnknown(ids)) continue;
                const azs = ids.map((id) => facts.get(id)?.az);
                if (azs.some((az) => az === undefined)) continue;
                const distinct = new Set(azs);
                if (distinct.size < 2)
                    report(
                        `spans ${distinct.size} availability zone(s) (${[...distinct].join(", ") || "no subnets"}); it needs subnets in at least 2`,
                        group.urn,
                    );
            }
        },
    },
    {
        name: "datastore-isolated-subnets",
        description: "Databases and caches sit in a subnet group whose subnets are all isolated (no route to or from the internet), never in the default VPC.",
        enforcementLevel: "mandatory",
        covers: [...DB_SUBNET_GROUPS, ...DATA_STORES.map((d) => d.type)],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const facts = subnetFacts(g);
            for (const store of DATA_STORES) {
                for (const n of g.ofType(store.type)) {
                    if (n.props.replicationSourceIdentifier || n.props.replicateSourceDb) continue;
                    if (n.props[store.path] === undefined)
                        report(`names no subnet group, so it lands in the default VPC; give it one of isolated subnets`, n.urn);
                }
            }
            for (const group of g.ofType(...DB_SUBNET_GROUPS)) {
                const ids = subnetIds(group, "subnetIds");
                if (isUnknown(ids)) continue;
                const exposed = ids.filter((id) => {
                    const tier = facts.get(id)?.tier;
                    return tier === "public" || tier === "private";
                });
                if (exposed.length > 0)
                    report(`includes ${exposed.map((id) => `${id} (${facts.get(id)?.tier})`).join(", ")}; data stores belong in isolated subnets`, group.urn);
            }
        },
    },
    {
        name: "compute-private-subnets",
        description: "Instances, the auto-scaling fleet, VPC Lambdas, EMR, CodeBuild and ECS services run in private subnets, never public ones.",
        enforcementLevel: "mandatory",
        covers: [...new Set(COMPUTE_PLACEMENT.map((c) => c.type))],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const facts = subnetFacts(g);
            for (const c of COMPUTE_PLACEMENT) {
                for (const n of g.ofType(c.type)) {
                    const ids = subnetIds(n, c.path);
                    if (isUnknown(ids)) continue;
                    const exposed = ids.filter((id) => facts.get(id)?.tier === "public");
                    if (exposed.length > 0)
                        report(`runs in public subnet(s) ${exposed.join(", ")}; put it in private subnets behind the load balancer or NAT`, n.urn);
                }
            }
        },
    },
];
