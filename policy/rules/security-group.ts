/** Security group rules: what the world may reach, egress, tiers admitting only the tier in front, descriptions AWS accepts. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph, TYPES } from "../graph";
import { asList, at, get, isUnknown, UNKNOWN, type Unknown } from "../lib";
import { type OptionSetting, SG_RULE, WORLD } from "../shared";
import type { PlatformPolicy } from "../types";

const WEB_PORTS = [80, 443];

const SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

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
            const { sources, external } = groupsOf(sg, asList(at(rule, "securityGroups")), "ingress");
            out.push({
                at: sg,
                group: sg,
                cidrs: [...strings(at(rule, "cidrBlocks")), ...strings(at(rule, "ipv6CidrBlocks"))],
                prefixLists: strings(at(rule, "prefixListIds")),
                sources,
                externalSources: external,
            });
        }
    }
    const groupOf = (n: Node) => {
        const r = g.resolve(n, "securityGroupId", [TYPES.securityGroup]);
        return isUnknown(r) ? UNKNOWN : r[0];
    };
    for (const r of g.ofType(SG_RULE)) {
        if (r.props.type !== "ingress") continue;
        const { sources, external } = groupsOf(r, r.props.sourceSecurityGroupId === undefined ? [] : [r.props.sourceSecurityGroupId], "sourceSecurityGroupId");
        out.push({
            at: r,
            group: groupOf(r),
            cidrs: [...strings(r.props.cidrBlocks), ...strings(r.props.ipv6CidrBlocks)],
            prefixLists: strings(r.props.prefixListIds),
            sources,
            externalSources: external,
        });
    }
    for (const r of g.ofType(SG_INGRESS_RULE)) {
        const { sources, external } = groupsOf(
            r,
            r.props.referencedSecurityGroupId === undefined ? [] : [r.props.referencedSecurityGroupId],
            "referencedSecurityGroupId",
        );
        out.push({
            at: r,
            group: groupOf(r),
            cidrs: strings([r.props.cidrIpv4, r.props.cidrIpv6]),
            prefixLists: strings(r.props.prefixListId),
            sources,
            externalSources: external,
        });
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
    // An Elastic Beanstalk environment's instances, through its option setting (see groupsInSetting).
    { type: "aws:elasticbeanstalk/environment:Environment", paths: ["settings:aws:autoscaling:launchconfiguration:SecurityGroups"], tier: "fleet" },
    { type: "aws:lambda/function:Function", paths: ["vpcConfig.securityGroupIds"], tier: "function" },
    { type: "aws:rds/proxy:Proxy", paths: ["vpcSecurityGroupIds"], tier: "proxy" },
    { type: "aws:elasticache/replicationGroup:ReplicationGroup", paths: ["securityGroupIds"], tier: "cache" },
    { type: "aws:elasticache/cluster:Cluster", paths: ["securityGroupIds"], tier: "cache" },
    { type: "aws:elasticache/serverlessCache:ServerlessCache", paths: ["securityGroupIds"], tier: "cache" },
    { type: "aws:rds/instance:Instance", paths: ["vpcSecurityGroupIds"], tier: "database" },
    { type: "aws:rds/cluster:Cluster", paths: ["vpcSecurityGroupIds"], tier: "database" },
    {
        type: "aws:emr/cluster:Cluster",
        paths: ["ec2Attributes.emrManagedMasterSecurityGroup", "ec2Attributes.emrManagedSlaveSecurityGroup", "ec2Attributes.serviceAccessSecurityGroup"],
        tier: "other",
    },
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
    if (path.startsWith("settings:")) {
        const option = path.slice("settings:".length);
        const cut = option.lastIndexOf(":");
        return groupsInSetting(g, n, option.slice(0, cut), option.slice(cut + 1));
    }
    if (!path.includes(".*.")) return g.resolve(n, path, [TYPES.securityGroup]);
    const [listPath, field] = path.split(".*.");
    const items = get(n.props, listPath);
    const ids = isUnknown(items) ? [UNKNOWN] : asList(items).flatMap((item) => (isUnknown(item) ? [UNKNOWN] : asList(at(item, field))));
    if (ids.some(isUnknown)) {
        const viaDeps = (n.deps[listPath.split(".")[0]] ?? []).filter((d) => d.type === TYPES.securityGroup);
        return viaDeps.length > 0 ? viaDeps : UNKNOWN;
    }
    return ids.flatMap((id) => g.lookup(id, [TYPES.securityGroup]));
}

/** The security groups an Elastic Beanstalk option setting names (a comma-separated list of ids). */
function groupsInSetting(g: StackGraph, n: Node, namespace: string, name: string): Node[] | Unknown {
    const settings = n.props.settings;
    if (isUnknown(settings)) return UNKNOWN;
    const setting = asList(settings as OptionSetting[]).find((s) => !isUnknown(s) && s?.namespace === namespace && s?.name === name);
    if (!setting) return [];
    if (isUnknown(setting.value)) {
        const viaDeps = (n.deps.settings ?? []).filter((d) => d.type === TYPES.securityGroup);
        return viaDeps.length > 0 ? viaDeps : UNKNOWN;
    }
    return String(setting.value)
        .split(",")
        .map((id) => id.trim())
        .filter((id) => id.length > 0)
        .flatMap((id) => g.lookup(id, [TYPES.securityGroup]));
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
                    if (a.tier === "load balancer" && n.props.internal !== true && (n.props.loadBalancerType ?? "application") === "application")
                        at.internetFacing = true;
                    out.set(sg, at);
                }
            }
        }
    }
    return out;
}

/** Reports each description of a security group (its own and its inline rules') or of a rule that EC2 would refuse. */
function checkDescriptions(
    p: { description?: string; ingress?: { description?: string }[]; egress?: { description?: string }[] },
    report: (message: string) => void,
): void {
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

export const securityGroupPolicies: PlatformPolicy[] = [
    {
        name: "security-group-description-charset",
        description:
            "Security group and rule descriptions use only the characters EC2 accepts (a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*), at most 255; EC2 rejects anything else, an apostrophe included.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.SecurityGroup, (p, _a, report) => checkDescriptions(p, report)),
            validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (p, _a, report) => checkDescriptions(p, report)),
            validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (p, _a, report) => checkDescriptions(p, report)),
            validateResourceOfType(aws.ec2.SecurityGroupRule, (p, _a, report) => checkDescriptions(p, report)),
        ],
    },
    {
        name: "security-group-public-ingress-ports",
        description: "Ingress open to 0.0.0.0/0 or ::/0 is TCP on port 80 or 443 only.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.SecurityGroup, (p, _a, report) => {
                for (const rule of p.ingress ?? []) {
                    const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => WORLD.includes(c));
                    if (open.length > 0 && !webPortsOnly(rule.protocol, rule.fromPort, rule.toPort))
                        report(
                            `admits ${open.join(", ")} on ${describePorts(rule.protocol, rule.fromPort, rule.toPort)}; the internet may reach only 80 and 443`,
                        );
                }
            }),
            validateResourceOfType(aws.ec2.SecurityGroupRule, (p, _a, report) => {
                if (p.type !== "ingress") return;
                const open = [...(p.cidrBlocks ?? []), ...(p.ipv6CidrBlocks ?? [])].filter((c) => WORLD.includes(c));
                if (open.length > 0 && !webPortsOnly(p.protocol, p.fromPort, p.toPort))
                    report(`admits ${open.join(", ")} on ${describePorts(p.protocol, p.fromPort, p.toPort)}; the internet may reach only 80 and 443`);
            }),
            validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (p, _a, report) => {
                const open = [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string" && WORLD.includes(c));
                if (open.length > 0 && !webPortsOnly(p.ipProtocol, p.fromPort, p.toPort))
                    report(`admits ${open.join(", ")} on ${describePorts(p.ipProtocol, p.fromPort, p.toPort)}; the internet may reach only 80 and 443`);
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
        description:
            "Each security group admits only the tier in front of it: fleet <- ALB, proxy and cache <- fleet (or app functions), database <- proxy (tiers inferred from what each group is attached to).",
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
                for (const pl of rule.prefixLists)
                    report(`${guarded} admits prefix list ${pl}; it should admit only the ${expected} security group`, rule.at.urn);
                for (const ext of rule.externalSources)
                    report(`${guarded} admits ${ext}, a group outside this stack; it should admit only the ${expected} security group`, rule.at.urn);
                if (isUnknown(rule.sources)) continue;
                for (const src of rule.sources) {
                    if (src === rule.group) continue; // members of one group talking to each other
                    const srcTiers = [...(attached.get(src)?.tiers ?? [])];
                    if (!srcTiers.some((t) => allowed.includes(t))) {
                        report(
                            `${guarded} admits security group ${src.name} (${srcTiers.join(", ") || "attached to nothing"}); it should admit only the ${expected} security group`,
                            rule.at.urn,
                        );
                    }
                }
            }
        },
    },
];
