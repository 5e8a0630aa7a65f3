/** Elastic Load Balancing rules: HTTPS and TLS policies, logs and protection, target groups, listener actions, and origins behind CloudFront. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph, TYPES } from "../graph";
import { asList, at, isProd, isSet, isUnknown } from "../lib";
import { DISTRIBUTION, LOAD_BALANCERS, SG_RULE, WORLD } from "../shared";
import type { PlatformPolicy } from "../types";

const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

const LISTENER_RULES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];

/**
 * ELB security policies whose minimum is TLS 1.2 or 1.3. The TLS13-1-0/1-1, 2016-08 (the API's
 * default), 2015-05, TLS-1-1 and FS-2018-06 policies still accept TLS 1.0 or 1.1.
 */
const MODERN_TLS_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/;

const isApplication = (lb: Node) => (lb.props.loadBalancerType ?? "application") === "application";

/** An action that only sends the client to HTTPS. */
function redirectsToHttps(action: unknown): boolean | undefined {
    if (isUnknown(action) || isUnknown(at(action, "type")) || isUnknown(at(action, "redirect"))) return undefined;
    return at(action, "type") === "redirect" && at(action, "redirect.protocol") === "HTTPS";
}

const isWorld = (cidr: unknown): cidr is string => typeof cidr === "string" && WORLD.includes(cidr);

const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** Every ingress rule of a security group (standalone rules and inline ones), with its world-open CIDRs. */
function worldIngressOf(g: StackGraph, group: Node): { at: Node; cidrs: string[] }[] | undefined {
    const out: { at: Node; cidrs: string[] }[] = [];
    for (const rule of asList(group.props.ingress)) {
        if (isUnknown(rule)) return undefined;
        const cidrs = [...asList(at(rule, "cidrBlocks")), ...asList(at(rule, "ipv6CidrBlocks"))].filter(isWorld);
        if (cidrs.length > 0) out.push({ at: group, cidrs });
    }
    for (const r of g.ofType(INGRESS_RULE, SG_RULE)) {
        if (r.type === SG_RULE && r.props.type !== "ingress") continue;
        const target = g.resolve(r, "securityGroupId", [TYPES.securityGroup]);
        if (isUnknown(target)) return undefined;
        if (!target.includes(group)) continue;
        const cidrs = [r.props.cidrIpv4, r.props.cidrIpv6, ...asList(r.props.cidrBlocks), ...asList(r.props.ipv6CidrBlocks)].filter(isWorld);
        if (cidrs.length > 0) out.push({ at: r, cidrs });
    }
    return out;
}

export const lbPolicies: PlatformPolicy[] = [
    {
        name: "lb-drop-invalid-headers",
        description: "Application load balancers drop HTTP headers with invalid fields (request smuggling and desync defence).",
        enforcementLevel: "mandatory",
        validateResource: [aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.LoadBalancer, (p, _a, report) => {
                if ((p.loadBalancerType ?? "application") === "application" && p.dropInvalidHeaderFields !== true)
                    report("does not drop invalid header fields; set dropInvalidHeaderFields");
            }),
        ),
    },
    {
        name: "lb-deletion-protection-prod",
        description: "In prod, load balancers have deletion protection on.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.LoadBalancer, (p, args, report) => {
                if (isProd(args) && p.enableDeletionProtection !== true) report("has deletion protection off in prod");
            }),
        ),
    },
    {
        name: "lb-access-logs",
        description: "Application load balancers write access logs to S3.",
        enforcementLevel: "advisory",
        validateResource: [aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.LoadBalancer, (p, _a, report) => {
                if ((p.loadBalancerType ?? "application") === "application" && !(p.accessLogs?.enabled === true && isSet(p, "accessLogs.bucket")))
                    report("writes no access logs");
            }),
        ),
    },
    {
        name: "lb-listener-tls-policy",
        description: "HTTPS and TLS listeners use an ELB security policy whose minimum is TLS 1.2 or later.",
        enforcementLevel: "mandatory",
        validateResource: [aws.lb.Listener, aws.alb.Listener].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.Listener, (p, _a, report) => {
                if (p.protocol !== "HTTPS" && p.protocol !== "TLS") return;
                if (!p.sslPolicy)
                    report("sets no sslPolicy, so the API default (ELBSecurityPolicy-2016-08) accepts TLS 1.0; use e.g. ELBSecurityPolicy-TLS13-1-2-2021-06");
                else if (!MODERN_TLS_POLICY.test(p.sslPolicy))
                    report(`uses ${p.sslPolicy}, which accepts TLS older than 1.2; use e.g. ELBSecurityPolicy-TLS13-1-2-2021-06`);
            }),
        ),
    },
    {
        name: "lb-http-redirects-to-https",
        description:
            "HTTP listeners (and their rules) only redirect to HTTPS; plain HTTP is served only in dev by a load balancer with no HTTPS listener (no certificate configured).",
        enforcementLevel: "mandatory",
        environmentAware: true,
        covers: [...LISTENERS, ...LISTENER_RULES],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const prod = isProd(args);
            const listeners = g.ofType(...LISTENERS);
            const lbOf = (l: Node) => g.resolve(l, "loadBalancerArn", LOAD_BALANCERS);
            /** True when the listener's load balancer may serve plain HTTP: dev, and no HTTPS listener; undefined if unknown. */
            const plainHttpAllowed = (l: Node): boolean | undefined => {
                if (prod) return false;
                const lbs = lbOf(l);
                if (isUnknown(lbs) || lbs.length === 0) return undefined;
                return !listeners.some(
                    (other) =>
                        other.props.protocol === "HTTPS" &&
                        (() => {
                            const o = lbOf(other);
                            return !isUnknown(o) && o.includes(lbs[0]);
                        })(),
                );
            };
            for (const l of listeners) {
                if (l.props.protocol !== "HTTP") continue;
                const lbs = lbOf(l);
                if (!isUnknown(lbs) && lbs.length > 0 && !isApplication(lbs[0])) continue;
                const allowed = plainHttpAllowed(l);
                if (allowed !== false) continue;
                const actions = asList(l.props.defaultActions);
                if (actions.some((a) => redirectsToHttps(a) === undefined)) continue;
                if (!actions.every((a) => redirectsToHttps(a))) {
                    report(
                        `HTTP listener on port ${l.props.port ?? 80} serves traffic instead of redirecting to HTTPS${prod ? " (prod never serves plain HTTP)" : " although its load balancer has an HTTPS listener"}`,
                        l.urn,
                    );
                }
                for (const rule of g.ofType(...LISTENER_RULES)) {
                    const parent = g.resolve(rule, "listenerArn", LISTENERS);
                    if (isUnknown(parent) || !parent.includes(l)) continue;
                    const ruleActions = asList(rule.props.actions);
                    if (ruleActions.some((a) => redirectsToHttps(a) === undefined)) continue;
                    if (!ruleActions.every((a) => redirectsToHttps(a)))
                        report(`rule on HTTP listener ${l.name} serves traffic instead of redirecting to HTTPS`, rule.urn);
                }
            }
        },
    },
    {
        name: "lb-serves-https",
        description: "Every internet-facing application load balancer has an HTTPS listener (dev without a certificate is the documented exception).",
        enforcementLevel: "advisory",
        covers: [...LOAD_BALANCERS, ...LISTENERS],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const listeners = g.ofType(...LISTENERS);
            for (const lb of g.ofType(...LOAD_BALANCERS)) {
                if (!isApplication(lb) || lb.props.internal === true) continue;
                let unknown = false;
                const hasHttps = listeners.some((l) => {
                    const target = g.resolve(l, "loadBalancerArn", LOAD_BALANCERS);
                    if (isUnknown(target)) unknown = true;
                    return !isUnknown(target) && target.includes(lb) && l.props.protocol === "HTTPS";
                });
                if (!hasHttps && !unknown) report("has no HTTPS listener, so it serves plain HTTP; configure a certificate", lb.urn);
            }
        },
    },
    {
        name: "lb-target-group-health-check",
        description: "Target groups health-check their targets on an explicit path.",
        enforcementLevel: "advisory",
        validateResource: [aws.lb.TargetGroup, aws.alb.TargetGroup].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.TargetGroup, (p, _a, report) => {
                if (p.targetType === "lambda") return;
                if (p.healthCheck?.enabled === false) report("has health checks disabled");
                else if ((p.protocol ?? "HTTP").startsWith("HTTP") && !p.healthCheck?.path)
                    report("health-checks the default path /; name the service's health path");
            }),
        ),
    },
    {
        name: "lb-lambda-target-invoke-permission",
        description: "A Lambda registered in a target group lets elasticloadbalancing.amazonaws.com invoke it (AWS rejects the registration otherwise).",
        enforcementLevel: "mandatory",
        covers: ["aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:lambda/permission:Permission"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const FUNCTION = "aws:lambda/function:Function";
            const permissions = g.ofType("aws:lambda/permission:Permission");
            for (const att of g.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment")) {
                const fns = g.resolve(att, "targetId", [FUNCTION]);
                if (isUnknown(fns)) continue;
                for (const fn of fns) {
                    const allowed = permissions.some((p) => {
                        const target = g.resolve(p, "function", [FUNCTION]);
                        return (
                            (isUnknown(p.props.principal) || p.props.principal === "elasticloadbalancing.amazonaws.com") &&
                            (isUnknown(target) || target.includes(fn))
                        );
                    });
                    if (!allowed)
                        report(
                            `registers function ${fn.name}, which no lambda.Permission lets elasticloadbalancing.amazonaws.com invoke; AWS rejects the registration`,
                            att.urn,
                        );
                }
            }
        },
    },
    {
        name: "lb-origin-admits-only-cloudfront",
        description:
            "A load balancer that is a CloudFront origin admits no traffic from 0.0.0.0/0 or ::/0, so the CDN and its WAF can't be bypassed (admit CloudFront's managed prefix list instead).",
        enforcementLevel: "mandatory",
        covers: [DISTRIBUTION, ...LOAD_BALANCERS, TYPES.securityGroup, INGRESS_RULE, SG_RULE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const lbs = g.ofType(...LOAD_BALANCERS);
            for (const d of g.ofType(DISTRIBUTION)) {
                const origins = asList(d.props.origins);
                const behind = new Set<Node>();
                for (const o of origins) {
                    if (isUnknown(o) || !at(o, "customOriginConfig")) continue;
                    const host = at(o, "domainName");
                    if (isUnknown(host)) (d.deps.origins ?? []).filter((x) => LOAD_BALANCERS.includes(x.type)).forEach((lb) => behind.add(lb));
                    else lbs.filter((lb) => lb.props.dnsName === host).forEach((lb) => behind.add(lb));
                }
                for (const lb of behind) {
                    for (const sgRef of asList(lb.props.securityGroups)) {
                        if (isUnknown(sgRef)) continue;
                        for (const group of g.lookup(sgRef, [TYPES.securityGroup])) {
                            const open = worldIngressOf(g, group);
                            for (const o of open ?? [])
                                report(
                                    `load balancer ${lb.name} is the origin of distribution ${d.name}, but its security group ${group.name} admits ${o.cidrs.join(", ")}: clients can bypass CloudFront and its WAF`,
                                    o.at.urn,
                                );
                        }
                    }
                }
            }
        },
    },
    {
        name: "lb-weighted-forward-valid",
        description:
            "A weighted forward action names 1 to 5 target groups with whole-number weights 0-999, and stickiness of 1 to 604800 seconds, as ELB requires.",
        enforcementLevel: "mandatory",
        validateResource: [aws.lb.ListenerRule, aws.lb.Listener].map((cls) =>
            validateResourceOfType(cls as typeof aws.lb.ListenerRule, (p, _a, report) => {
                // A listener rule's actions, or a listener's defaultActions (the one class stands for both).
                const { actions, defaultActions } = p as { actions?: unknown; defaultActions?: unknown };
                for (const a of asList(actions ?? defaultActions)) {
                    const forward = at(a, "forward");
                    if (!forward) continue;
                    const groups = asList(at(forward, "targetGroups"));
                    if (groups.length < 1 || groups.length > 5) report(`forwards to ${groups.length} target groups; a forward action takes 1 to 5`);
                    const weights = groups.map((t) => at(t, "weight") ?? 1);
                    if (weights.some((w: unknown) => typeof w === "number" && (w < 0 || w > 999 || !Number.isInteger(w))))
                        report(`has target group weights ${weights.join(", ")}; each must be a whole number from 0 to 999`);
                    const duration = at(forward, "stickiness.duration");
                    if (at(forward, "stickiness.enabled") === true && typeof duration === "number" && (duration < 1 || duration > 604800))
                        report(`keeps stickiness for ${duration} s; ELB allows 1 to 604800`);
                }
            }),
        ),
    },
];
