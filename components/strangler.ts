import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { packPathRules, RULE_PRIORITY } from "../lib/path-patterns";
import { PlatformFunction, type PlatformFunctionArgs } from "./lambda-function";
import type { OriginHeader } from "./web-cluster";

export interface StranglerRoutingArgs {
    /** ALB path patterns (e.g. /items/*) the new service now serves instead of the legacy fleet; routes not listed stay on the legacy fleet. */
    migratedPaths: string[];
    /** Percentage of the remaining (not migrated) requests sent to the new service, for a canary-style cut-over; 0 keeps them all on the legacy fleet. */
    newServiceWeight: number;
    /** With a weighted split, keep a client on the target group it first reached for this long (0: every request is split anew). */
    stickinessSeconds: number;
    /** The listener the routing rules go on (the web cluster's `listenerArn`). */
    listenerArn: pulumi.Input<string>;
    /** The legacy fleet's target group, which keeps every route not migrated. */
    legacyTargetGroupArn: pulumi.Input<string>;
    /** The new service: a Lambda function, which the load balancer invokes through a target group. */
    newService: PlatformFunctionArgs;
    /** When the load balancer sits behind CloudFront, every forwarding rule also requires its origin header. */
    originHeader?: OriginHeader;
}

/**
 * Strangler-fig routing on the web load balancer: listener rules send the migrated path
 * patterns to the new service, and optionally a weighted share of everything else, while every
 * other request still reaches the legacy fleet (the listener's own forward, or the web cluster's
 * catch-all behind CloudFront). A migration proceeds route by route by editing
 * `platform:edge.strangler`; rolling a route back is removing it from the list.
 */
export class StranglerRouting extends pulumi.ComponentResource {
    public readonly newService: PlatformFunction;
    public readonly targetGroupArn: pulumi.Output<string>;
    /** The path patterns of each rule, in priority order. */
    public readonly pathRules: string[][];

    constructor(name: string, args: StranglerRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:StranglerRouting", name, {}, opts);
        const parent = { parent: this };

        this.newService = new PlatformFunction(`${name}-service`, args.newService, parent);
        // A Lambda target group has no health check by default: the function is the target.
        const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, { targetType: "lambda" }, parent);
        const invoke = this.newService.allowInvoke("alb", "elasticloadbalancing.amazonaws.com", targetGroup.arn);
        // ELB checks on registration that it may invoke the function.
        const attachment = new aws.lb.TargetGroupAttachment(
            `${name}-target`,
            { targetGroupArn: targetGroup.arn, targetId: this.newService.arn },
            { parent: this, dependsOn: [invoke] },
        );

        const header = args.originHeader ? [{ httpHeader: { httpHeaderName: args.originHeader.name, values: [args.originHeader.value] } }] : [];
        const toNewService = [{ type: "forward", targetGroupArn: targetGroup.arn }];
        const afterTarget = { parent: this, dependsOn: [attachment] };

        this.pathRules = packPathRules(args.migratedPaths);
        this.pathRules.forEach((values, i) => {
            new aws.lb.ListenerRule(
                `${name}-paths-${i}`,
                {
                    listenerArn: args.listenerArn,
                    priority: RULE_PRIORITY.stranglerPathsFrom + i,
                    conditions: [{ pathPattern: { values } }, ...header],
                    actions: toNewService,
                },
                afterTarget,
            );
        });

        if (args.newServiceWeight > 0) {
            const sticky = args.stickinessSeconds > 0;
            new aws.lb.ListenerRule(
                `${name}-weighted`,
                {
                    listenerArn: args.listenerArn,
                    priority: RULE_PRIORITY.stranglerWeighted,
                    // A rule needs a condition: every path.
                    conditions: [{ pathPattern: { values: ["/*"] } }, ...header],
                    actions: [
                        {
                            type: "forward",
                            forward: {
                                targetGroups: [
                                    { arn: args.legacyTargetGroupArn, weight: 100 - args.newServiceWeight },
                                    { arn: targetGroup.arn, weight: args.newServiceWeight },
                                ],
                                stickiness: { enabled: sticky, duration: sticky ? args.stickinessSeconds : 1 },
                            },
                        },
                    ],
                },
                afterTarget,
            );
        }

        this.targetGroupArn = targetGroup.arn;
        this.registerOutputs({ targetGroupArn: this.targetGroupArn });
    }
}
