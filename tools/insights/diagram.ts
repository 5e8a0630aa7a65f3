/**
 * The architecture diagram, derived from a plan's resource graph (never drawn by hand).
 *
 * Nodes: the components at the top of the stack, where a grouping (a component that owns no AWS
 * resource, only components of its own area, like `Analytics` and `Events`) is replaced by its
 * child components, recursively; a resource declared at the stack root (not a provider) is a node
 * of its own. Everything below a node (buckets, roles, functions, queues) folds into it. A tier
 * comes from the type token's area (`platform:<area>:Name`, `aws:<service>/...`); the foundations
 * every component uses (the key, the alarm topic, the network) form the "shared" tier and get no
 * edges.
 *
 * Edges, one kind per way two components are linked, each with the direction data flows:
 * - wiring (solid): lambda event source mappings (source -> function), EventBridge targets
 *   (bus -> target), SNS subscriptions (topic -> endpoint), CloudFront origins (distribution ->
 *   origin), ALB listeners, rules and target group attachments (balancer -> target), API Gateway
 *   integrations (API -> function), Firehose (source stream -> firehose -> bucket), scheduler
 *   targets, S3 notifications, CodePipeline source connections (connection -> pipeline);
 * - grants (solid): an IAM role policy (inline or an attached customer policy) whose statements
 *   name another component's ARNs: reading only flows from the resource to the role's component,
 *   anything else (writes, invocations, events) from the role's component to the resource;
 * - network (solid, "connects"): a security group rule letting one component's group reach
 *   another's, from the client to the server; drawn only when no wiring or grant joins the two;
 * - config (dashed): any other reference from a resource in one component to a resource in
 *   another (an endpoint in a parameter, a secret header, a CORS origin), and grants that only
 *   read secrets or parameters; pointing at what is named or read, drawn only when nothing else
 *   joins the two;
 * - entry: the internet ("viewers") reaches CloudFront distributions, API Gateway APIs, function
 *   URLs and internet-facing load balancers that are not a CloudFront origin.
 * Noise is left out: log groups, alarms, roles (as reference targets) and the shared tier.
 */
import type { Plan, PlannedResource } from "../engine";

export const TIERS = ["internet", "edge", "serving", "events", "data", "analytics", "delivery", "shared"] as const;
export type Tier = (typeof TIERS)[number];

const TIER_TITLES: Record<Tier, string> = {
    internet: "Internet",
    edge: "Edge",
    serving: "Serving",
    events: "Events",
    data: "Data",
    analytics: "Analytics",
    delivery: "Delivery",
    shared: "Shared (used by every component, links omitted)",
};

/** The tier of each area of a type token: `platform:<area>:Name`, `aws:<service>/<module>:Name`. */
const TIER_OF_AREA: Record<string, Tier> = {
    edge: "edge",
    cloudfront: "edge",
    wafv2: "edge",
    web: "serving",
    api: "serving",
    config: "serving",
    serverless: "serving",
    lambda: "serving",
    apigatewayv2: "serving",
    apigateway: "serving",
    lb: "serving",
    autoscaling: "serving",
    containers: "serving",
    ecs: "serving",
    ecr: "serving",
    appautoscaling: "serving",
    servicediscovery: "serving",
    events: "events",
    sqs: "events",
    sns: "events",
    sfn: "events",
    cloudwatch: "events",
    scheduler: "events",
    cache: "data",
    database: "data",
    data: "data",
    storage: "data",
    dynamodb: "data",
    rds: "data",
    elasticache: "data",
    s3: "data",
    analytics: "analytics",
    kinesis: "analytics",
    glue: "analytics",
    emr: "analytics",
    emrserverless: "analytics",
    delivery: "delivery",
    codestarconnections: "delivery",
    codeconnections: "delivery",
    codepipeline: "delivery",
    codebuild: "delivery",
    security: "shared",
    monitoring: "shared",
    network: "shared",
    kms: "shared",
    ec2: "shared",
};

export type EdgeKind = "wiring" | "grant" | "network" | "config" | "entry";

export interface DiagramNode {
    /** A diagram-safe id: `<tier>_<name>` in [A-Za-z0-9_]. */
    id: string;
    /** The component's (or resource's) name. */
    name: string;
    /** The last part of its type token (`WebCluster`), or "internet" for the viewers. */
    kind: string;
    tier: Tier;
    /** The URN, absent for the external viewers node. */
    urn?: string;
}

export interface DiagramEdge {
    from: string;
    to: string;
    label: string;
    kind: EdgeKind;
}

export interface Architecture {
    stack: string;
    project: string;
    nodes: DiagramNode[];
    edges: DiagramEdge[];
}

/** The kinds a merge keeps first, for links between the same two nodes. */
const STRENGTH: Record<EdgeKind, number> = { entry: 4, wiring: 4, grant: 3, network: 2, config: 1 };

/** Resources that only observe others (logs, alarms): they never make a link. */
const NOISE_TYPES = /^aws:cloudwatch\/(logGroup|logStream|logDelivery|logDeliverySource|logDeliveryDestination|metricAlarm|compositeAlarm|dashboard):/;
/** Reference targets that are plumbing, not architecture (grants say what a role may do). */
const PLUMBING_TARGETS = /^aws:iam\/(role|instanceProfile|policy):/;
const GRANT_TYPES = new Set(["aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]);
const NETWORK_TYPES = new Set([
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
]);

/** The area of a type token: `platform:web:WebCluster` -> web, `aws:s3/bucket:Bucket` -> s3. */
export function areaOf(type: string): string {
    return (type.split(":")[1] ?? "").split("/")[0];
}

export function tierOf(type: string): Tier {
    const tier = TIER_OF_AREA[areaOf(type)];
    if (!tier) throw new Error(`${type} has no tier: add its area "${areaOf(type)}" to TIER_OF_AREA in tools/insights/diagram.ts`);
    return tier;
}

/** Every string at a dotted path, through arrays (`origins.domainName`). */
function valuesAt(value: unknown, path: string): string[] {
    let current: unknown[] = [value];
    for (const key of path.split(".")) {
        current = current
            .flatMap((v) => (Array.isArray(v) ? v : [v]))
            .flatMap((v) => (v && typeof v === "object" && key in v ? [(v as Record<string, unknown>)[key]] : []));
    }
    return current.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === "string");
}

/** The strings that name a resource: its id, its outputs (ARN, name, DNS name) and its name input. */
function identities(r: PlannedResource): string[] {
    const out = [r.id, r.inputs.name, ...Object.values(r.outputs ?? {})];
    return out.filter((v): v is string => typeof v === "string" && v.length > 0);
}

/** Whether `value` names `r`: equal to one of its names, or one of its ARNs with a sub-path (`bucket/prefix*`, `function:x:*`). */
function names(r: PlannedResource, value: string): boolean {
    return identities(r).some((id) => id === value || (id.startsWith("arn:") && value.startsWith(id) && "/:*".includes(value[id.length])));
}

/** A statement's ARN (`.../parameter/a/b`, `.../table/x_*`) covers a resource whose ARN it names, or lies beneath. */
function covers(pattern: string, arn: string): boolean {
    if (pattern === arn) return true;
    if (arn.startsWith(pattern) && "/:".includes(arn[pattern.length])) return true; // a path grant: parameter/platform/prod/web
    if (pattern.startsWith(arn) && "/:*".includes(pattern[arn.length])) return true; // a sub-resource: bucket/prefix*, table/x/index/*
    if (!pattern.endsWith("*")) return false;
    const prefix = pattern.slice(0, -1);
    // A wildcard must name something beyond the service and account (not `arn:aws:s3:::*`).
    const resourcePart = prefix.split(":").slice(5).join(":");
    return resourcePart.length > 0 && !resourcePart.includes("*") && arn.startsWith(prefix);
}

/** Whether an ARN pattern of another form carries a resource's own id (the last part of its ARN) as one of its parts. */
function embeds(pattern: string, arn: string): boolean {
    const id = arn.split(/[:/]/).pop() ?? "";
    return id.length >= 8 && pattern.split(/[:/]/).includes(id);
}

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
}

function statements(policy: unknown): Statement[] {
    let doc: unknown = policy;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return [];
        }
    }
    const s = (doc as { Statement?: unknown } | undefined)?.Statement;
    return (Array.isArray(s) ? s : s ? [s] : []) as Statement[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

type Access = "read" | "write" | "readwrite" | "invoke" | "events" | "config" | "ignore";

/** What an IAM action does to the data of the resource it names. */
export function accessOf(action: string): Access {
    const [service, verb = ""] = action.split(":");
    const overrides: Record<string, Access> = {
        "rds-db:connect": "readwrite",
        "codestar-connections:UseConnection": "read",
        "codeconnections:UseConnection": "read",
        "events:PutEvents": "events",
        "sns:Publish": "events",
        "lambda:InvokeFunction": "invoke",
        "lambda:InvokeFunctionUrl": "invoke",
        "states:StartExecution": "invoke",
        "states:StartSyncExecution": "invoke",
        "elasticmapreduce:AddJobFlowSteps": "invoke",
        "glue:StartJobRun": "invoke",
        "glue:StartCrawler": "invoke",
        "emr-serverless:StartJobRun": "invoke",
    };
    if (overrides[action]) return overrides[action];
    if (["kms", "logs", "xray", "cloudwatch", "iam", "sts", "ssmmessages", "ec2messages"].includes(service)) return "ignore";
    if (service === "secretsmanager" || service === "ssm") return "config";
    // Metadata (describing or listing) comes with real access and says nothing of the data's direction.
    if (/^(Describe|List)/.test(verb)) return "ignore";
    if (/^(Get|Query|Scan|Receive|BatchGet|Select|Lookup|Search|Head)/.test(verb)) return "read";
    return verb.startsWith("*") ? "readwrite" : "write";
}

interface Link {
    from: string; // node urn or "viewers"
    to: string;
    kind: EdgeKind;
    label: string;
}

interface WireEnd {
    prop: string;
    path: string;
}
interface WireSpec {
    /** Where data comes from ("self": the resource's own component). */
    from: WireEnd[] | "self";
    to: WireEnd[] | "self";
    label: string | ((source: PlannedResource) => string);
}

/** Event sources and targets, by the resource type that wires them. */
const WIRING: Record<string, WireSpec[]> = {
    "aws:lambda/eventSourceMapping:EventSourceMapping": [
        {
            from: [{ prop: "eventSourceArn", path: "eventSourceArn" }],
            to: [{ prop: "functionName", path: "functionName" }],
            label: (source) => ({ kinesis: "records", sqs: "messages", dynamodb: "changes" })[areaOf(source.type)] ?? "events",
        },
    ],
    "aws:cloudwatch/eventTarget:EventTarget": [
        {
            from: [
                { prop: "eventBusName", path: "eventBusName" },
                { prop: "rule", path: "rule" },
            ],
            to: [{ prop: "arn", path: "arn" }],
            label: "events",
        },
    ],
    "aws:sns/topicSubscription:TopicSubscription": [
        { from: [{ prop: "topic", path: "topic" }], to: [{ prop: "endpoint", path: "endpoint" }], label: "events" },
    ],
    "aws:cloudfront/distribution:Distribution": [{ from: "self", to: [{ prop: "origins", path: "origins.domainName" }], label: "origin" }],
    "aws:lb/listener:Listener": [
        {
            from: [{ prop: "loadBalancerArn", path: "loadBalancerArn" }],
            to: [
                { prop: "defaultActions", path: "defaultActions.targetGroupArn" },
                { prop: "defaultActions", path: "defaultActions.forward.targetGroups.arn" },
            ],
            label: "routes",
        },
    ],
    "aws:lb/listenerRule:ListenerRule": [
        {
            from: [{ prop: "listenerArn", path: "listenerArn" }],
            to: [
                { prop: "actions", path: "actions.targetGroupArn" },
                { prop: "actions", path: "actions.forward.targetGroups.arn" },
            ],
            label: "routes",
        },
    ],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": [
        { from: [{ prop: "targetGroupArn", path: "targetGroupArn" }], to: [{ prop: "targetId", path: "targetId" }], label: "routes" },
    ],
    "aws:apigatewayv2/integration:Integration": [
        { from: [{ prop: "apiId", path: "apiId" }], to: [{ prop: "integrationUri", path: "integrationUri" }], label: "invokes" },
    ],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": [
        { from: [{ prop: "kinesisSourceConfiguration", path: "kinesisSourceConfiguration.kinesisStreamArn" }], to: "self", label: "records" },
        { from: "self", to: [{ prop: "extendedS3Configuration", path: "extendedS3Configuration.bucketArn" }], label: "delivers" },
    ],
    "aws:scheduler/schedule:Schedule": [{ from: "self", to: [{ prop: "target", path: "target.arn" }], label: "invokes" }],
    "aws:s3/bucketNotification:BucketNotification": [
        {
            from: [{ prop: "bucket", path: "bucket" }],
            to: [
                { prop: "lambdaFunctions", path: "lambdaFunctions.lambdaFunctionArn" },
                { prop: "queues", path: "queues.queueArn" },
                { prop: "topics", path: "topics.topicArn" },
            ],
            label: "events",
        },
    ],
    "aws:codepipeline/pipeline:Pipeline": [{ from: [{ prop: "stages", path: "stages.actions.configuration.ConnectionArn" }], to: "self", label: "source" }],
};

/** Resource types a viewer on the internet reaches directly. */
function isEntryPoint(r: PlannedResource): boolean {
    switch (r.type) {
        case "aws:cloudfront/distribution:Distribution":
        case "aws:lambda/functionUrl:FunctionUrl":
            return true;
        case "aws:apigatewayv2/api:Api":
        case "aws:apigateway/restApi:RestApi":
            return r.inputs.disableExecuteApiEndpoint !== true;
        case "aws:lb/loadBalancer:LoadBalancer":
            return r.inputs.internal !== true;
        default:
            return false;
    }
}

const byName = (a: PlannedResource, b: PlannedResource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.urn < b.urn ? -1 : 1);

/** The components and their data flows in a plan. */
export function architecture(plan: Plan): Architecture {
    const d = new Derivation(plan);
    d.wiring();
    d.grants();
    d.network();
    d.references();
    d.entries();
    return { stack: plan.stack, project: plan.project, nodes: sortNodes(d.nodes), edges: merge(d.links, d.nodes) };
}

/** One pass over a plan: its nodes, then the links each kind of connection makes between them. */
class Derivation {
    readonly nodes: DiagramNode[] = [];
    readonly links: Link[] = [];
    private readonly byUrn: Map<string, PlannedResource>;
    private readonly children = new Map<string, PlannedResource[]>();
    private readonly nodeOfUrn = new Map<string, DiagramNode>();
    private readonly ownerCache = new Map<string, DiagramNode | undefined>();
    /** `<resource urn> <dependency urn>` pairs a specific kind of link has accounted for. */
    private readonly consumed = new Set<string>();
    /** Resources that are a CloudFront origin (viewers reach them through the edge). */
    private readonly origins = new Set<string>();

    constructor(private readonly plan: Plan) {
        this.byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        for (const r of plan.resources) {
            if (!r.parent) continue;
            if (!this.children.has(r.parent)) this.children.set(r.parent, []);
            this.children.get(r.parent)!.push(r);
        }
        const nodeResources: PlannedResource[] = [];
        const collect = (urn: string) => {
            for (const r of [...this.kids(urn)].sort(byName)) {
                if (r.type.startsWith("pulumi:providers:")) continue;
                if (this.isGrouping(r)) collect(r.urn);
                else nodeResources.push(r);
            }
        };
        for (const root of plan.resources.filter((r) => !r.parent)) {
            if (root.type === "pulumi:pulumi:Stack") collect(root.urn);
            else if (!root.type.startsWith("pulumi:providers:")) nodeResources.push(root);
        }
        const usedIds = new Set<string>();
        for (const r of nodeResources) {
            const tier = tierOf(r.type);
            const kind = r.type.split(":").pop()!;
            let id = `${tier}_${safe(r.name)}`;
            if (usedIds.has(id)) id = `${id}_${safe(kind)}`;
            for (let n = 2; usedIds.has(id); n++) id = `${tier}_${safe(r.name)}_${n}`;
            usedIds.add(id);
            const node: DiagramNode = { id, name: r.name, kind, tier, urn: r.urn };
            this.nodes.push(node);
            this.nodeOfUrn.set(r.urn, node);
        }
    }

    private kids(urn: string): PlannedResource[] {
        return this.children.get(urn) ?? [];
    }

    /** A grouping owns no AWS resource, only components of its own area (Analytics, Events). */
    private isGrouping(r: PlannedResource): boolean {
        const kids = this.kids(r.urn);
        return !r.custom && kids.length > 0 && kids.every((k) => !k.custom && k.type.startsWith("platform:") && areaOf(k.type) === areaOf(r.type));
    }

    /** The node a resource belongs to: the nearest one above it (none for the stack and providers). */
    private owner(urn: string): DiagramNode | undefined {
        if (!this.ownerCache.has(urn)) {
            const parent = this.byUrn.get(urn)?.parent;
            this.ownerCache.set(urn, this.nodeOfUrn.get(urn) ?? (parent ? this.owner(parent) : undefined));
        }
        return this.ownerCache.get(urn);
    }

    private link(fromUrn: string, toUrn: string, kind: EdgeKind, label: string): void {
        const a = this.owner(fromUrn);
        const b = this.owner(toUrn);
        if (a && b) this.links.push({ from: a.id, to: b.id, kind, label });
    }

    private consume(r: PlannedResource): void {
        for (const deps of Object.values(r.propertyDependencies)) for (const d of deps) this.consumed.add(`${r.urn} ${d}`);
    }

    /** The resources a property's value names, among those it came from (or, for a literal value, in the whole plan). */
    private resolve(r: PlannedResource, end: WireEnd): PlannedResource[] {
        const deps = (r.propertyDependencies[end.prop] ?? []).map((u) => this.byUrn.get(u)).filter((d): d is PlannedResource => !!d);
        const values = valuesAt(r.inputs, end.path);
        const pool = deps.length > 0 ? deps : this.plan.resources;
        return values.length === 0 ? [] : pool.filter((d) => values.some((v) => names(d, v)));
    }

    /** Event sources and targets, origins, routes, integrations. */
    wiring(): void {
        for (const r of this.plan.resources) {
            for (const spec of WIRING[r.type] ?? []) {
                const ends = (side: WireEnd[] | "self") =>
                    side === "self" ? [r] : (side.map((end) => this.resolve(r, end)).find((found) => found.length > 0) ?? []);
                for (const s of ends(spec.from)) {
                    for (const t of ends(spec.to)) {
                        this.link(s.urn, t.urn, "wiring", typeof spec.label === "string" ? spec.label : spec.label(s));
                        this.consumed.add(`${r.urn} ${s.urn}`).add(`${r.urn} ${t.urn}`);
                        if (spec.label === "origin") this.origins.add(t.urn);
                    }
                }
            }
        }
    }

    /** Role policies naming other components' ARNs: one link per pair of components, from everything the roles may do there. */
    grants(): void {
        const arnResources = this.plan.resources.filter((r) => typeof r.outputs?.arn === "string" || (typeof r.id === "string" && r.id.startsWith("arn:")));
        const arnOf = (r: PlannedResource) => (typeof r.outputs?.arn === "string" ? (r.outputs.arn as string) : r.id!);
        const pairs = new Map<string, { from: string; to: string; kinds: Set<Access> }>();
        for (const r of this.plan.resources.filter((x) => GRANT_TYPES.has(x.type))) {
            this.consume(r);
            const grantees = this.resolve(r, { prop: "role", path: "role" }).filter((x) => x.type === "aws:iam/role:Role");
            let policy: unknown = r.inputs.policy;
            let policyDeps = r.propertyDependencies.policy ?? [];
            if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
                const attached = this.resolve(r, { prop: "policyArn", path: "policyArn" }).find((p) => p.type === "aws:iam/policy:Policy");
                if (!attached) continue; // an AWS managed policy: names no resource of the stack
                policy = attached.inputs.policy;
                policyDeps = attached.propertyDependencies.policy ?? [];
            }
            const built = policyDeps.map((u) => this.byUrn.get(u)).filter((x): x is PlannedResource => !!x && arnResources.includes(x));
            const access = new Map<string, Access[]>();
            for (const st of statements(policy)) {
                if (st.Effect !== "Allow") continue;
                const kinds = list(st.Action)
                    .map(accessOf)
                    .filter((a) => a !== "ignore");
                for (const pattern of kinds.length > 0 ? list(st.Resource) : []) {
                    const named = arnResources.filter((x) => covers(pattern, arnOf(x)));
                    // An ARN of another form built from a resource the policy refers to (rds-db:connect names the proxy's id).
                    for (const x of named.length > 0 ? named : built.filter((b) => embeds(pattern, arnOf(b))))
                        access.set(x.urn, [...(access.get(x.urn) ?? []), ...kinds]);
                }
            }
            for (const role of grantees) {
                for (const [urn, kinds] of access) {
                    const grantee = this.owner(role.urn);
                    const holder = this.owner(urn);
                    if (!grantee || !holder || NOISE_TYPES.test(this.byUrn.get(urn)!.type)) continue;
                    const key = `${grantee.id} ${holder.id}`;
                    if (!pairs.has(key)) pairs.set(key, { from: role.urn, to: urn, kinds: new Set() });
                    for (const k of kinds) pairs.get(key)!.kinds.add(k);
                }
            }
        }
        for (const { from, to, kinds } of pairs.values()) {
            const has = (k: Access) => kinds.has(k);
            const reads = has("read") || has("readwrite");
            const writes = has("write") || has("readwrite");
            const active = writes || has("invoke") || has("events");
            if (!reads && !active) {
                if (has("config")) this.link(from, to, "config", "config");
            } else if (!active) {
                this.link(to, from, "grant", "reads");
            } else {
                const parts = [
                    has("invoke") && "invokes",
                    has("events") && "events",
                    reads && writes ? "reads/writes" : writes ? "writes" : reads ? "reads" : "",
                ];
                this.link(from, to, "grant", parts.filter((p): p is string => !!p).join(", "));
            }
        }
    }

    /** Security group rules letting one component's group reach another's: client -> server. */
    network(): void {
        for (const r of this.plan.resources.filter((x) => NETWORK_TYPES.has(x.type))) {
            this.consume(r);
            const own = this.resolve(r, { prop: "securityGroupId", path: "securityGroupId" });
            const peerProp = r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" ? "sourceSecurityGroupId" : "referencedSecurityGroupId";
            const peers = this.resolve(r, { prop: peerProp, path: peerProp });
            const inbound = r.type.includes("Ingress") || r.inputs.type === "ingress";
            for (const o of own) for (const p of peers) this.link(inbound ? p.urn : o.urn, inbound ? o.urn : p.urn, "network", "connects");
        }
    }

    /** Every other reference across components: from the holder of the reference to what it names. */
    references(): void {
        for (const r of this.plan.resources) {
            if (NOISE_TYPES.test(r.type)) continue;
            for (const deps of Object.values(r.propertyDependencies)) {
                for (const dep of deps) {
                    const target = this.byUrn.get(dep);
                    if (!target || this.consumed.has(`${r.urn} ${dep}`) || NOISE_TYPES.test(target.type) || PLUMBING_TARGETS.test(target.type)) continue;
                    this.link(r.urn, dep, "config", "config");
                }
            }
        }
    }

    /** What viewers on the internet reach (after wiring, which finds the CloudFront origins). */
    entries(): void {
        const entries = this.plan.resources.filter((r) => isEntryPoint(r) && !this.origins.has(r.urn) && this.owner(r.urn));
        if (entries.length === 0) return;
        const viewers: DiagramNode = { id: "internet_viewers", name: "viewers", kind: "internet", tier: "internet" };
        this.nodes.push(viewers);
        for (const r of entries) this.links.push({ from: viewers.id, to: this.owner(r.urn)!.id, kind: "entry", label: "requests" });
    }
}

/** One edge per direction between two nodes, the strongest kind of link winning; weak links (network, config) only where nothing stronger joins the pair. */
function merge(links: Link[], nodes: DiagramNode[]): DiagramEdge[] {
    const tier = new Map(nodes.map((n) => [n.id, n.tier]));
    const kept = links.filter((l) => l.from !== l.to && tier.get(l.from) !== "shared" && tier.get(l.to) !== "shared");
    const pair = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
    const strongest = new Map<string, number>();
    for (const l of kept) strongest.set(pair(l.from, l.to), Math.max(strongest.get(pair(l.from, l.to)) ?? 0, STRENGTH[l.kind]));
    const directed = new Map<string, Link[]>();
    for (const l of kept) {
        const weak = l.kind === "network" || l.kind === "config";
        if (weak && STRENGTH[l.kind] < strongest.get(pair(l.from, l.to))!) continue;
        const key = `${l.from} ${l.to}`;
        if (!directed.has(key)) directed.set(key, []);
        directed.get(key)!.push(l);
    }
    const edges: DiagramEdge[] = [];
    for (const group of directed.values()) {
        const top = Math.max(...group.map((l) => STRENGTH[l.kind]));
        const best = group.filter((l) => STRENGTH[l.kind] === top);
        const labels = [...new Set(best.flatMap((l) => l.label.split(", ")))].sort();
        edges.push({ from: best[0].from, to: best[0].to, kind: best.map((l) => l.kind).sort()[0], label: labels.join(", ") });
    }
    return edges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
}

function sortNodes(nodes: DiagramNode[]): DiagramNode[] {
    return [...nodes].sort((a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function safe(name: string): string {
    return name.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "x";
}

const tiersIn = (a: Architecture) => TIERS.filter((t) => a.nodes.some((n) => n.tier === t));

/** Mermaid `flowchart LR`, one subgraph per tier; labels quoted, ids in [A-Za-z0-9_]. */
export function toMermaid(a: Architecture): string {
    const text = (s: string) => s.replace(/"/g, "#quot;");
    const lines = ["flowchart LR"];
    for (const tier of tiersIn(a)) {
        const members = a.nodes.filter((n) => n.tier === tier);
        if (tier === "internet") {
            for (const n of members) lines.push(`    ${n.id}(["${text(n.name)}"])`);
            continue;
        }
        lines.push(`    subgraph tier_${tier}["${text(TIER_TITLES[tier])}"]`);
        for (const n of members) lines.push(`        ${n.id}["${text(n.name)}<br/>${text(n.kind)}"]`);
        lines.push("    end");
    }
    for (const e of a.edges) lines.push(`    ${e.from} ${e.kind === "config" ? "-.->" : "-->"}|"${text(e.label)}"| ${e.to}`);
    return lines.join("\n");
}

/** Graphviz DOT, one cluster per tier. */
export function toDot(a: Architecture): string {
    const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
    const lines = [
        `digraph ${q(`${a.project}-${a.stack}`)} {`,
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ];
    for (const tier of tiersIn(a)) {
        const members = a.nodes.filter((n) => n.tier === tier);
        if (tier === "internet") {
            for (const n of members) lines.push(`    ${q(n.id)} [label=${q(n.name)}, shape=ellipse];`);
            continue;
        }
        lines.push(`    subgraph ${q(`cluster_${tier}`)} {`, `        label=${q(TIER_TITLES[tier])};`);
        for (const n of members) lines.push(`        ${q(n.id)} [label=${q(`${n.name}\n${n.kind}`)}];`);
        lines.push("    }");
    }
    for (const e of a.edges) lines.push(`    ${q(e.from)} -> ${q(e.to)} [label=${q(e.label)}${e.kind === "config" ? ", style=dashed" : ""}];`);
    lines.push("}");
    return lines.join("\n");
}

export const README_BEGIN = "<!-- architecture-diagram:begin (generated by `npm run diagram -- --stack prod --write-readme`) -->";
export const README_END = "<!-- architecture-diagram:end -->";

/** The README's block: the prod stack's diagram as a fenced Mermaid block between the markers. */
export function readmeBlock(a: Architecture): string {
    return [README_BEGIN, "", "```mermaid", toMermaid(a), "```", "", README_END].join("\n");
}

/** The README text with its diagram block replaced; undefined when the markers are missing. */
export function withReadmeBlock(readme: string, a: Architecture): string | undefined {
    const start = readme.indexOf(README_BEGIN);
    const stop = readme.indexOf(README_END);
    if (start < 0 || stop < start) return undefined;
    return readme.slice(0, start) + readmeBlock(a) + readme.slice(stop + README_END.length);
}
