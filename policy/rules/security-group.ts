import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES, type Node } from "../graph";
import { asList, get, isUnknown, UNKNOWN, type Unknown } from "../lib";
import type { PlatformPolicy } from "../types";

const WORLD = ["0.0.0.0/0", "::/0"];
const WEB_PORTS = [80, 443];

const SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
/** What EC2 accepts in a security group's or a rule's description (CreateSecurityGroup, IpRange): at most 255 of these characters. */
const SG_DESCRIPTION_CHARS = /[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g;

/** One ingress permission, wherever it is declared (inline, SecurityGroupRule or SecurityGroupIngressRule). */
interface Ingress {
    /** The resource that declares it, to report on. */
    at: Node;
    /** The group it opens; UNKNOWN when preview can't tell. */
    group: Node | undefined | Unknown;
    cidrs: string[];
    prefixLists: string[];
    /** Source groups in this stack; UNKNOWN if some source can't be resolved. */
    sources: Node[] | Unknown;
    /** Source groups named but not declared in this stack. */
    externalSources: string[];
}

function ingressOf(g: StackGraph): Ingress[] {
    const out: Ingress[] = [];
    const groupsOf = (n: Node, ids: unknown[], depKey: string): { sources: Node[] | Unknown; external: string[] } => {
        if (ids.some(isUnknown)) {
            const viaDeps = (n.deps[depKey] ?? []).filter((d) => d.type === TYPES.securityGroup);
            return { sources: viaDeps.length > 0 ? viaDeps : UNKNOWN, external: [] };
        }
        const sources: Node[] = [];
        const external: string[] = [];
        for (const id of ids) {
            const found = g.lookup(id, [TYPES.securityGroup]);
            if (found.length > 0) sources.push(...found);
            else external.push(String(id));
        }
        return { sources, external };
    };
    const strings = (v: unknown) => asList(v).filter((x): x is string => typeof x === "string");
    for (const sg of g.ofType(TYPES.securityGroup)) {
        const ingress = sg.props.ingress;
        if (isUnknown(ingress)) continue;
        for (const rule of asList(ingress)) {
            if (isUnknown(rule) || !rule) continue;
            const { sources, external } = groupsOf(sg, asList(rule.securityGroups), "ingress");
            out.push({ at: sg, group: sg, cidrs: [...strings(rule.cidrBlocks), ...strings(rule.ipv6CidrBlocks)], prefixLists: strings(rule.prefixListIds), sources, externalSources: external });
        }
    }
    const groupOf = (n: Node) => {
        const r = g.resolve(n, "securityGroupId", [TYPES.securityGroup]);
        return isUnknown(r) ? UNKNOWN : r[0];
    };
    for (const r of g.ofType(SG_RULE)) {
        if (r.props.type !== "ingress") continue;
        const { sources, external } = groupsOf(r, r.props.sourceSecurityGroupId === undefined ? [] : [r.props.sourceSecurityGroupId], "sourceSecurityGroupId");
        out.push({ at: r, group: groupOf(r), cidrs: [...strings(r.props.cidrBlocks), ...strings(r.props.ipv6CidrBlocks)], prefixLists: strings(r.props.prefixListIds), sources, externalSources: external });
    }
    for (const r of g.ofType(SG_INGRESS_RULE)) {
        const { sources, external } = groupsOf(r, r.props.referencedSecurityGroupId === undefined ? [] : [r.props.referencedSecurityGroupId], "referencedSecurityGroupId");
        out.push({ at: r, group: groupOf(r), cidrs: strings([r.props.cidrIpv4, r.props.cidrIpv6]), prefixLists: strings(r.props.prefixListId), sources, externalSources: external });
    }
    return out;
}

/** A world-open permission is acceptable only as TCP on exactly 80 or 443. */
function webPortsOnly(protocol: unknown, fromPort: unknown, toPort: unknown): boolean {
    return (protocol === "tcp" || protocol === "6") && fromPort === toPort && WEB_PORTS.includes(Number(fromPort));
}

function describePorts(protocol: unknown, fromPort: unknown, toPort: unknown): string {
    if (protocol === "-1" || protocol === "all") return "all traffic";
    return fromPort === toPort ? `${protocol} ${fromPort}` : `${protocol} ${fromPort}-${toPort}`;
}

/** What each security group guards, inferred from the resources it is attached to. */
export type TierName = "load balancer" | "fleet" | "function" | "proxy" | "cache" | "database" | "other";

const ATTACHMENTS: { type: string; paths: string[]; tier: TierName }[] = [
    { type: "aws:lb/loadBalancer:LoadBalancer", paths: ["securityGroups"], tier: "load balancer" },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", paths: ["vpcSecurityGroupIds", "networkInterfaces.*.securityGroups"], tier: "fleet" },
    { type: "aws:ec2/instance:Instance", paths: ["vpcSecurityGroupIds"], tier: "fleet" },
    { type: "aws:lambda/function:Function", paths: ["vpcConfig.securityGroupIds"], tier: "function" },
    { type: "aws:rds/proxy:Proxy", paths: ["vpcSecurityGroupIds"], tier: "proxy" },
    { type: "aws:elasticache/replicationGroup:ReplicationGroup", paths: ["securityGroupIds"], tier: "cache" },
    { type: "aws:elasticache/cluster:Cluster", paths: ["securityGroupIds"], tier: "cache" },
    { type: "aws:elasticache/serverlessCache:ServerlessCache", paths: ["securityGroupIds"], tier: "cache" },
    { type: "aws:rds/instance:Instance", paths: ["vpcSecurityGroupIds"], tier: "database" },
    { type: "aws:rds/cluster:Cluster", paths: ["vpcSecurityGroupIds"], tier: "database" },
    { type: "aws:emr/cluster:Cluster", paths: ["ec2Attributes.emrManagedMasterSecurityGroup", "ec2Attributes.emrManagedSlaveSecurityGroup", "ec2Attributes.serviceAccessSecurityGroup"], tier: "other" },
    { type: "aws:emrserverless/application:Application", paths: ["networkConfiguration.securityGroupIds"], tier: "other" },
    { type: "aws:codebuild/project:Project", paths: ["vpcConfig.securityGroupIds"], tier: "other" },
    { type: "aws:ec2/vpcEndpoint:VpcEndpoint", paths: ["securityGroupIds"], tier: "other" },
];

/** The tiers allowed to reach each tier: the chain internet -> ALB -> fleet -> proxy/cache -> DB. */
const IN_FRONT: Partial<Record<TierName, TierName[]>> = {
    fleet: ["load balancer"],
    proxy: ["fleet", "function"],
    cache: ["fleet", "function"],
    database: ["proxy"],
};

interface Attachment {
    tiers: Set<TierName>;
    internetFacing: boolean;
}

/** The security groups a resource names at `path` ("list.*.field" reaches into a list of objects). */
function groupsAt(g: StackGraph, n: Node, path: string): Node[] | Unknown {
    if (!path.includes(".*.")) return g.resolve(n, path, [TYPES.securityGroup]);
    const [listPath, field] = path.split(".*.");
    const items = get(n.props, listPath);
    const ids = isUnknown(items) ? [UNKNOWN] : asList(items).flatMap((item: any) => (isUnknown(item) ? [UNKNOWN] : asList(item?.[field])));
    if (ids.some(isUnknown)) {
        const viaDeps = (n.deps[listPath.split(".")[0]] ?? []).filter((d) => d.type === TYPES.securityGroup);
        return viaDeps.length > 0 ? viaDeps : UNKNOWN;
    }
    return ids.flatMap((id) => g.lookup(id, [TYPES.securityGroup]));
}

function attachmentsOf(g: StackGraph): Map<Node, Attachment> {
    const out = new Map<Node, Attachment>();
    for (const a of ATTACHMENTS) {
        for (const n of g.ofType(a.type)) {
            for (const path of a.paths) {
                const groups = groupsAt(g, n, path);
                if (isUnknown(groups)) continue;
                for (const sg of groups) {
                    const at = out.get(sg) ?? { tiers: new Set<TierName>(), internetFacing: false };
                    at.tiers.add(a.tier);
                    if (a.tier === "load balancer" && n.props.internal !== true && (n.props.loadBalancerType ?? "application") === "application") at.internetFacing = true;
                    out.set(sg, at);
                }
            }
        }
    }
    return out;
}

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
        const layout = asList(vpc.props.subnetLayout).filter((e: any) => e && !isUnknown(e));
        const azNames = asList(vpc.props.availabilityZoneNames).filter((x) => typeof x === "string");
        for (const [tier, key, type] of [["public", "publicSubnetIds", "Public"], ["private", "privateSubnetIds", "Private"], ["isolated", "isolatedSubnetIds", "Isolated"]] as const) {
            const ids = vpc.props[key];
            if (isUnknown(ids)) continue;
            const entries = layout.filter((e: any) => e.type === type);
            asList(ids).forEach((id, i) => {
                let az: string | undefined;
                if (entries.length === asList(ids).length && typeof entries[i]?.availabilityZone === "string") az = entries[i].availabilityZone;
                // One spec per tier: awsx makes one subnet per AZ, in AZ order.
                else if (entries.length === 1) az = azNames[i] ?? `${vpc.name}#az${i}`;
                merge(id, { tier, az });
            });
        }
    }
    for (const s of g.ofType(TYPES.subnet)) {
        const tag = String(s.props.tags?.SubnetType ?? s.props.tags?.["aws-cdk:subnet-type"] ?? "").toLowerCase();
        const tier = tag === "public" || s.props.mapPublicIpOnLaunch === true ? "public" : tag === "private" ? "private" : tag === "isolated" ? "isolated" : undefined;
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
];

/** Data stores and the input naming their subnet group (absent: the default VPC). */
const DATA_STORES: { type: string; path: string }[] = [
    { type: "aws:rds/instance:Instance", path: "dbSubnetGroupName" },
    { type: "aws:rds/cluster:Cluster", path: "dbSubnetGroupName" },
    { type: "aws:elasticache/replicationGroup:ReplicationGroup", path: "subnetGroupName" },
    { type: "aws:elasticache/cluster:Cluster", path: "subnetGroupName" },
];

/** Reports each description of a security group (its own and its inline rules') or of a rule that EC2 would refuse. */
function checkDescriptions(p: { description?: string; ingress?: { description?: string }[]; egress?: { description?: string }[] }, report: (message: string) => void): void {
    const texts = [
        { where: "description", text: p.description },
        ...(["ingress", "egress"] as const).flatMap((dir) => asList(p[dir]).map((r, i) => ({ where: `${dir}[${i}].description`, text: r?.description }))),
    ];
    for (const { where, text } of texts) {
        if (typeof text !== "string") continue;
        const refused = [...new Set(text.replace(SG_DESCRIPTION_CHARS, ""))].join(" ");
        if (!refused && text.length <= 255) continue;
        report(`${where} ${JSON.stringify(text)} ${refused ? `has characters EC2 refuses: ${refused}` : "is over 255 characters"}`);
    }
}

export const networkPolicies: PlatformPolicy[] = [
    {
        name: "security-group-description-charset",
        description: "Security group and rule descriptions use only the characters EC2 accepts (a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*), at most 255; EC2 rejects anything else, an apostrophe included.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.SecurityGroup, (p, _a, report) => checkDescriptions(p, report)),
            validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (p, _a, report) => checkDescriptions(p, report)),
            validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (p, _a, report) => checkDescriptions(p, report)),
            validateResourceOfType(aws.ec2.SecurityGroupRule, (p, _a, report) => checkDescriptions(p, report)),
        ],
    },
    {
        name: "vpc-default-security-group-closed",
        description: "The VPC's default security group has no rules, so nothing joins it by accident and gets access.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ec2.DefaultSecurityGroup, (p, _a, report) => {
            if ((p.ingress ?? []).length > 0 || (p.egress ?? []).length > 0) report("has rules; the default security group must stay empty");
        }),
    },
    {
        name: "vpc-flow-logs",
        description: "Every VPC has flow logs enabled.",
        enforcementLevel: "mandatory",
        covers: [TYPES.awsxVpc, "aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const flowLogs = g.ofType("aws:ec2/flowLog:FlowLog");
            for (const vpc of g.ofType(TYPES.awsxVpc, "aws:ec2/vpc:Vpc")) {
                const id = vpc.type === TYPES.awsxVpc ? vpc.props.vpcId : vpc.props.id;
                if (isUnknown(id)) continue;
                const logged = flowLogs.some((f) => f.props.vpcId === id || isUnknown(f.props.vpcId) || (f.deps.vpcId ?? []).includes(vpc));
                if (!logged) report("has no flow log", vpc.urn);
            }
        },
    },
    {
        name: "security-group-public-ingress-ports",
        description: "Ingress open to 0.0.0.0/0 or ::/0 is TCP on port 80 or 443 only.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.SecurityGroup, (p, _a, report) => {
                for (const rule of p.ingress ?? []) {
                    const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => WORLD.includes(c));
                    if (open.length > 0 && !webPortsOnly(rule.protocol, rule.fromPort, rule.toPort)) report(`admits ${open.join(", ")} on ${describePorts(rule.protocol, rule.fromPort, rule.toPort)}; the internet may reach only 80 and 443`);
                }
            }),
            validateResourceOfType(aws.ec2.SecurityGroupRule, (p, _a, report) => {
                if (p.type !== "ingress") return;
                const open = [...(p.cidrBlocks ?? []), ...(p.ipv6CidrBlocks ?? [])].filter((c) => WORLD.includes(c));
                if (open.length > 0 && !webPortsOnly(p.protocol, p.fromPort, p.toPort)) report(`admits ${open.join(", ")} on ${describePorts(p.protocol, p.fromPort, p.toPort)}; the internet may reach only 80 and 443`);
            }),
            validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (p, _a, report) => {
                const open = [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string" && WORLD.includes(c));
                if (open.length > 0 && !webPortsOnly(p.ipProtocol, p.fromPort, p.toPort)) report(`admits ${open.join(", ")} on ${describePorts(p.ipProtocol, p.fromPort, p.toPort)}; the internet may reach only 80 and 443`);
            }),
        ],
    },
    {
        name: "security-group-egress-scoped",
        description: "Security groups don't allow all traffic out to the whole internet; name the ports (and destinations) a tier needs.",
        enforcementLevel: "advisory",
        validateResource: [
            validateResourceOfType(aws.ec2.SecurityGroup, (p, _a, report) => {
                for (const rule of p.egress ?? []) {
                    const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => WORLD.includes(c));
                    if (open.length > 0 && (rule.protocol === "-1" || rule.protocol === "all")) report(`allows all traffic out to ${open.join(", ")}`);
                }
            }),
            validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (p, _a, report) => {
                const open = [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string" && WORLD.includes(c));
                if (open.length > 0 && p.ipProtocol === "-1") report(`allows all traffic out to ${open.join(", ")}`);
            }),
        ],
    },
    {
        name: "security-group-public-ingress-alb-only",
        description: "Only a security group attached to an internet-facing application load balancer admits 0.0.0.0/0 or ::/0.",
        enforcementLevel: "mandatory",
        covers: [TYPES.securityGroup, SG_RULE, SG_INGRESS_RULE, "aws:lb/loadBalancer:LoadBalancer"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const attached = attachmentsOf(g);
            for (const rule of ingressOf(g)) {
                const open = rule.cidrs.filter((c) => WORLD.includes(c));
                if (open.length === 0 || isUnknown(rule.group)) continue;
                if (!rule.group) continue;
                if (!attached.get(rule.group)?.internetFacing) {
                    const what = [...(attached.get(rule.group)?.tiers ?? [])].join(", ") || "nothing in this stack";
                    report(`security group ${rule.group.name} admits ${open.join(", ")} but guards ${what}, not an internet-facing load balancer`, rule.at.urn);
                }
            }
        },
    },
    {
        name: "security-group-ingress-from-tier-in-front",
        description: "Each security group admits only the tier in front of it: fleet <- ALB, proxy and cache <- fleet (or app functions), database <- proxy (tiers inferred from what each group is attached to).",
        enforcementLevel: "mandatory",
        covers: [TYPES.securityGroup, SG_RULE, SG_INGRESS_RULE, ...ATTACHMENTS.filter((a) => a.tier !== "other").map((a) => a.type)],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const attached = attachmentsOf(g);
            for (const rule of ingressOf(g)) {
                if (isUnknown(rule.group) || !rule.group) continue;
                const tiers = [...(attached.get(rule.group)?.tiers ?? [])];
                const allowed = tiers.flatMap((t) => IN_FRONT[t] ?? []);
                // Groups on no chained tier (ALB, EMR, endpoints) or also on an unchained one are out of scope.
                if (tiers.length === 0 || tiers.some((t) => IN_FRONT[t] === undefined)) continue;
                const guarded = `security group ${rule.group.name} (${tiers.join(", ")})`;
                const expected = [...new Set(allowed)].join(" or ");
                for (const cidr of rule.cidrs) report(`${guarded} admits ${cidr}; it should admit only the ${expected} security group`, rule.at.urn);
                for (const pl of rule.prefixLists) report(`${guarded} admits prefix list ${pl}; it should admit only the ${expected} security group`, rule.at.urn);
                for (const ext of rule.externalSources) report(`${guarded} admits ${ext}, a group outside this stack; it should admit only the ${expected} security group`, rule.at.urn);
                if (isUnknown(rule.sources)) continue;
                for (const src of rule.sources) {
                    if (src === rule.group) continue; // members of one group talking to each other
                    const srcTiers = [...(attached.get(src)?.tiers ?? [])];
                    if (!srcTiers.some((t) => allowed.includes(t))) {
                        report(`${guarded} admits security group ${src.name} (${srcTiers.join(", ") || "attached to nothing"}); it should admit only the ${expected} security group`, rule.at.urn);
                    }
                }
            }
        },
    },
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
                if (distinct.size < 2) report(`spans ${distinct.size} availability zone(s) (${[...distinct].join(", ") || "no subnets"}); it needs subnets in at least 2`, group.urn);
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
                    if (n.props[store.path] === undefined) report(`names no subnet group, so it lands in the default VPC; give it one of isolated subnets`, n.urn);
                }
            }
            for (const group of g.ofType(...DB_SUBNET_GROUPS)) {
                const ids = subnetIds(group, "subnetIds");
                if (isUnknown(ids)) continue;
                const exposed = ids.filter((id) => {
                    const tier = facts.get(id)?.tier;
                    return tier === "public" || tier === "private";
                });
                if (exposed.length > 0) report(`includes ${exposed.map((id) => `${id} (${facts.get(id)?.tier})`).join(", ")}; data stores belong in isolated subnets`, group.urn);
            }
        },
    },
    {
        name: "compute-private-subnets",
        description: "Instances, the auto-scaling fleet, VPC Lambdas, EMR and CodeBuild run in private subnets, never public ones.",
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
                    if (exposed.length > 0) report(`runs in public subnet(s) ${exposed.join(", ")}; put it in private subnets behind the load balancer or NAT`, n.urn);
                }
            }
        },
    },
];
