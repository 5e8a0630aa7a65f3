/**
 * Rules for how the edge and the API are wired: where CloudFront's companions must live, what
 * the origin behind a distribution admits, and settings AWS rejects at deploy time (so a plan
 * catches them before `pulumi up` does).
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES, type Node } from "../graph";
import { asList, isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource";
const HTTP_API = "aws:apigatewayv2/api:Api";
const HTTP_ROUTE = "aws:apigatewayv2/route:Route";
const HTTP_STAGE = "aws:apigatewayv2/stage:Stage";

const ORIGIN_REQUEST_POLICY = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy";

const WORLD = ["0.0.0.0/0", "::/0"];
/** Managed origin request policies that forward the viewer's Host header: AllViewer, AllViewerAndCloudFrontHeaders-2022-06. */
const MANAGED_HOST_FORWARDING = new Set(["216adef6-5c7f-47e4-b989-5492eafa07d3", "33f36d7e-f396-46d9-90e0-52428a34d9dc"]);
/** Origins that answer only for their own host name: S3 REST endpoints, API Gateway's and Lambda function URLs' default domains. */
const OWN_HOST_ORIGIN = /(\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com|\.execute-api\.[a-z0-9-]+\.amazonaws\.com|\.lambda-url\.[a-z0-9-]+\.on\.aws)$/;

/** Whether an origin request policy (a resource in the stack, or a managed one by id) forwards the viewer's Host header; undefined if unknown. */
function forwardsViewerHost(g: StackGraph, policyId: unknown): boolean | undefined {
    if (policyId === undefined || policyId === null || policyId === "") return false;
    if (isUnknown(policyId)) return undefined;
    if (MANAGED_HOST_FORWARDING.has(policyId as string)) return true;
    const [policy] = g.lookup(policyId, [ORIGIN_REQUEST_POLICY]);
    if (!policy) return undefined;
    const headers = policy.props.headersConfig;
    if (isUnknown(headers) || isUnknown(headers?.headerBehavior)) return undefined;
    if (headers?.headerBehavior === "allViewer") return true;
    return asList(headers?.headers?.items).some((h) => typeof h === "string" && h.toLowerCase() === "host");
}
const CLOUDFRONT_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\//;

/** The region a resource is created in: its own `region` input (@pulumi/aws 7), else its provider's; undefined if unknown. */
function regionOf(props: any, provider: { props: any } | undefined): string | undefined {
    if (typeof props?.region === "string") return props.region;
    const r = provider?.props?.region;
    return typeof r === "string" ? r : undefined;
}

/** Every ingress rule of a security group (standalone rules and inline ones), with its world-open CIDRs. */
function worldIngressOf(g: StackGraph, group: Node): { at: Node; cidrs: string[] }[] | undefined {
    const out: { at: Node; cidrs: string[] }[] = [];
    for (const rule of asList(group.props.ingress)) {
        if (isUnknown(rule)) return undefined;
        const cidrs = [...asList(rule?.cidrBlocks), ...asList(rule?.ipv6CidrBlocks)].filter((c) => WORLD.includes(c));
        if (cidrs.length > 0) out.push({ at: group, cidrs });
    }
    for (const r of g.ofType(INGRESS_RULE, SG_RULE)) {
        if (r.type === SG_RULE && r.props.type !== "ingress") continue;
        const target = g.resolve(r, "securityGroupId", [TYPES.securityGroup]);
        if (isUnknown(target)) return undefined;
        if (!target.includes(group)) continue;
        const cidrs = [r.props.cidrIpv4, r.props.cidrIpv6, ...asList(r.props.cidrBlocks), ...asList(r.props.ipv6CidrBlocks)].filter((c) => WORLD.includes(c));
        if (cidrs.length > 0) out.push({ at: r, cidrs });
    }
    return out;
}

export const edgeWiringPolicies: PlatformPolicy[] = [
    {
        name: "cloudfront-certificate-us-east-1",
        description: "A distribution's ACM certificate is in us-east-1, the only region CloudFront reads certificates from.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            const arn = p.viewerCertificate?.acmCertificateArn;
            if (typeof arn !== "string") return;
            const region = arn.split(":")[3];
            if (region !== "us-east-1") report(`uses an ACM certificate from ${region}; CloudFront accepts only certificates in us-east-1`);
        }),
    },
    {
        name: "waf-cloudfront-scope-us-east-1",
        description: "A web ACL for CloudFront has scope CLOUDFRONT and is created in us-east-1; a distribution names only such a (global) web ACL.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.wafv2.WebAcl, (p, args, report) => {
                if (p.scope !== "CLOUDFRONT") return;
                const region = regionOf(p, args.provider);
                if (region !== undefined && region !== "us-east-1") report(`has scope CLOUDFRONT but is created in ${region}; CloudFront web ACLs exist only in us-east-1 (use a us-east-1 provider)`);
            }),
            validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
                const acl = p.webAclId;
                if (typeof acl === "string" && acl.startsWith("arn:") && /:regional\/webacl\//.test(acl)) report("names a REGIONAL web ACL; CloudFront takes only web ACLs of scope CLOUDFRONT");
            }),
        ],
    },
    {
        name: "cloudfront-log-delivery-us-east-1",
        description: "A CloudWatch log delivery source for a CloudFront distribution (standard logging v2) is created in us-east-1, where alone the API accepts it.",
        enforcementLevel: "mandatory",
        covers: [LOG_DELIVERY_SOURCE, DISTRIBUTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const r of args.resources) {
                if (r.type !== LOG_DELIVERY_SOURCE) continue;
                const node = g.nodes.find((n) => n.urn === r.urn)!;
                const arn = node.props.resourceArn;
                const forDistribution = isUnknown(arn) ? (node.deps.resourceArn ?? []).some((d) => d.type === DISTRIBUTION) : typeof arn === "string" && CLOUDFRONT_ARN.test(arn);
                if (!forDistribution) continue;
                const region = regionOf(node.props, r.provider);
                if (region !== undefined && region !== "us-east-1") report(`delivers a CloudFront distribution's logs but is created in ${region}; CloudFront log delivery is configured in us-east-1 only (the destination may be elsewhere)`, r.urn);
            }
        },
    },
    {
        name: "lb-origin-admits-only-cloudfront",
        description: "A load balancer that is a CloudFront origin admits no traffic from 0.0.0.0/0 or ::/0, so the CDN and its WAF can't be bypassed (admit CloudFront's managed prefix list instead).",
        enforcementLevel: "mandatory",
        covers: [DISTRIBUTION, ...LOAD_BALANCERS, TYPES.securityGroup, INGRESS_RULE, SG_RULE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const lbs = g.ofType(...LOAD_BALANCERS);
            for (const d of g.ofType(DISTRIBUTION)) {
                const origins = asList(d.props.origins);
                const behind = new Set<Node>();
                for (const o of origins) {
                    if (isUnknown(o) || !o?.customOriginConfig) continue;
                    const host = o.domainName;
                    if (isUnknown(host)) (d.deps.origins ?? []).filter((x) => LOAD_BALANCERS.includes(x.type)).forEach((lb) => behind.add(lb));
                    else lbs.filter((lb) => lb.props.dnsName === host).forEach((lb) => behind.add(lb));
                }
                for (const lb of behind) {
                    for (const sgRef of asList(lb.props.securityGroups)) {
                        if (isUnknown(sgRef)) continue;
                        for (const group of g.lookup(sgRef, [TYPES.securityGroup])) {
                            const open = worldIngressOf(g, group);
                            for (const o of open ?? []) report(`load balancer ${lb.name} is the origin of distribution ${d.name}, but its security group ${group.name} admits ${o.cidrs.join(", ")}: clients can bypass CloudFront and its WAF`, o.at.urn);
                        }
                    }
                }
            }
        },
    },
    {
        name: "cloudfront-own-host-origin-no-viewer-host",
        description:
            "A cache behaviour whose origin answers only for its own host name (an S3 REST endpoint, an origin signed with origin access control, API Gateway's or a Lambda URL's default domain) does not forward the viewer's Host header: the origin would reject every request (403).",
        enforcementLevel: "mandatory",
        covers: [DISTRIBUTION, ORIGIN_REQUEST_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const d of g.ofType(DISTRIBUTION)) {
                const ownHost = new Set<string>();
                for (const o of asList(d.props.origins)) {
                    if (isUnknown(o) || isUnknown(o?.originId)) continue;
                    const signed = Boolean(o.originAccessControlId) || Boolean(o.s3OriginConfig);
                    if (signed || (typeof o.domainName === "string" && OWN_HOST_ORIGIN.test(o.domainName))) ownHost.add(o.originId);
                }
                const behaviours = [{ path: "default", b: d.props.defaultCacheBehavior }, ...asList(d.props.orderedCacheBehaviors).map((b: any) => ({ path: b?.pathPattern, b }))];
                for (const { path, b } of behaviours) {
                    if (isUnknown(b) || !ownHost.has(b?.targetOriginId)) continue;
                    if (forwardsViewerHost(g, b.originRequestPolicyId)) {
                        report(`cache behaviour ${path} forwards the viewer's Host header to origin ${b.targetOriginId}, which answers only for its own host name; use a policy without Host (e.g. AllViewerExceptHostHeader)`, d.urn);
                    }
                }
            }
        },
    },
    {
        name: "cognito-mfa-factor-configured",
        description: "A user pool with MFA ON or OPTIONAL enables a factor (authenticator apps, SMS or email); AWS rejects MFA without one.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPool, (p, _a, report) => {
            if (p.mfaConfiguration !== "ON" && p.mfaConfiguration !== "OPTIONAL") return;
            const factor = p.softwareTokenMfaConfiguration?.enabled === true || Boolean(p.smsConfiguration) || Boolean(p.emailMfaConfiguration);
            if (!factor) report(`has MFA ${p.mfaConfiguration} but no factor enabled; enable softwareTokenMfaConfiguration (authenticator apps)`);
        }),
    },
    {
        name: "cognito-threat-protection-plan",
        description: "Cognito threat protection (advancedSecurityMode AUDIT or ENFORCED) is set only on a user pool of the Plus feature plan, the only plan that offers it.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPool, (p, _a, report) => {
            const mode = p.userPoolAddOns?.advancedSecurityMode;
            if ((mode === "AUDIT" || mode === "ENFORCED") && p.userPoolTier !== "PLUS") report(`sets threat protection ${mode} on the ${p.userPoolTier ?? "ESSENTIALS"} plan; it needs userPoolTier PLUS`);
        }),
    },
    {
        name: "apigateway-route-settings-name-routes",
        description: "An HTTP API stage's per-route settings (throttling) name routes of its API; AWS rejects settings for a route that doesn't exist.",
        enforcementLevel: "mandatory",
        covers: [HTTP_API, HTTP_ROUTE, HTTP_STAGE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const stage of g.ofType(HTTP_STAGE)) {
                const apis = g.resolve(stage, "apiId", [HTTP_API]);
                if (isUnknown(apis) || apis.length === 0) continue;
                const routeKeys: string[] = [];
                let unknown = false;
                for (const r of g.ofType(HTTP_ROUTE)) {
                    const api = g.resolve(r, "apiId", [HTTP_API]);
                    if (isUnknown(api) || isUnknown(r.props.routeKey)) unknown = true;
                    else if (api.some((a) => apis.includes(a))) routeKeys.push(r.props.routeKey);
                }
                if (unknown) continue;
                for (const s of asList(stage.props.routeSettings)) {
                    if (isUnknown(s) || isUnknown(s?.routeKey)) continue;
                    if (!routeKeys.includes(s.routeKey)) report(`has route settings for "${s.routeKey}", which is not a route of its API (routes: ${routeKeys.join(", ") || "none"})`, stage.urn);
                }
            }
        },
    },
    {
        name: "lb-weighted-forward-valid",
        description: "A weighted forward action names 1 to 5 target groups with whole-number weights 0-999, and stickiness of 1 to 604800 seconds, as ELB requires.",
        enforcementLevel: "mandatory",
        validateResource: [aws.lb.ListenerRule, aws.lb.Listener].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.ListenerRule, (p, _a, report) => {
                const actions = asList((p as any).actions ?? (p as any).defaultActions);
                for (const a of actions) {
                    const forward = a?.forward;
                    if (!forward) continue;
                    const groups = asList(forward.targetGroups);
                    if (groups.length < 1 || groups.length > 5) report(`forwards to ${groups.length} target groups; a forward action takes 1 to 5`);
                    const weights = groups.map((t: any) => t?.weight ?? 1);
                    if (weights.some((w: unknown) => typeof w === "number" && (w < 0 || w > 999 || !Number.isInteger(w)))) report(`has target group weights ${weights.join(", ")}; each must be a whole number from 0 to 999`);
                    const sticky = forward.stickiness;
                    if (sticky?.enabled === true && typeof sticky.duration === "number" && (sticky.duration < 1 || sticky.duration > 604800)) report(`keeps stickiness for ${sticky.duration} s; ELB allows 1 to 604800`);
                }
            }),
        ),
    },
];
