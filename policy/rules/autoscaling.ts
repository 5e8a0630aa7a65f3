/** Auto Scaling rules: group health checks, instance refresh rollback, scaling policy settings AWS accepts. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, at, isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

export const autoscalingPolicies: PlatformPolicy[] = [
    {
        name: "autoscaling-group-launch-template-elb-health",
        description:
            "Auto-scaling groups launch from a launch template (not a deprecated launch configuration) and, behind a load balancer, use ELB health checks.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.autoscaling.Group, (p, _a, report) => {
            if (p.launchConfiguration)
                report("uses a launch configuration; launch configurations are deprecated and lack IMDSv2 controls, use a launch template");
            else if (!p.launchTemplate && !p.mixedInstancesPolicy?.launchTemplate) report("names no launch template");
            const behindLb = (p.targetGroupArns ?? []).length > 0 || (p.loadBalancers ?? []).length > 0 || (p.trafficSources ?? []).length > 0;
            if (behindLb && p.healthCheckType !== "ELB")
                report(`serves a load balancer but uses ${p.healthCheckType ?? "EC2"} health checks; unhealthy-but-running instances stay in service`);
        }),
    },
    {
        name: "autoscaling-rollback-needs-ami-id",
        description:
            "An Auto Scaling group whose instance refresh rolls back automatically launches from a template with an AMI id: AWS does not roll back to a template whose imageId is an SSM parameter (resolve:ssm:).",
        enforcementLevel: "mandatory",
        covers: ["aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const group of g.ofType("aws:autoscaling/group:Group")) {
                if (at(group.props.instanceRefresh, "preferences.autoRollback") !== true) continue;
                const path = group.props.launchTemplate
                    ? "launchTemplate.id"
                    : "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.launchTemplateId";
                const templates = g.resolve(group, path, ["aws:ec2/launchTemplate:LaunchTemplate"]);
                if (isUnknown(templates)) continue;
                for (const t of templates) {
                    const image = t.props.imageId;
                    if (typeof image === "string" && image.startsWith("resolve:ssm:"))
                        report(
                            `rolls back instance refreshes automatically, but launch template ${t.name} takes its image from ${image}; resolve the AMI id at deploy time (aws.ssm.getParameter) or turn autoRollback off`,
                            group.urn,
                        );
                }
            }
        },
    },
    {
        name: "autoscaling-request-count-label-valid",
        description:
            "A target-tracking policy on ALBRequestCountPerTarget names, in its resource label, a load balancer and a target group of its own group (AWS rejects a malformed label; a wrong one tracks the wrong traffic).",
        enforcementLevel: "mandatory",
        covers: ["aws:autoscaling/policy:Policy", "aws:autoscaling/group:Group", "aws:lb/targetGroup:TargetGroup"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const LABEL = /^app\/[^/]+\/[^/]+\/targetgroup\/[^/]+\/[^/]+$/;
            for (const policy of g.ofType("aws:autoscaling/policy:Policy")) {
                const spec = at(policy.props.targetTrackingConfiguration, "predefinedMetricSpecification");
                if (!spec || isUnknown(spec) || at(spec, "predefinedMetricType") !== "ALBRequestCountPerTarget") continue;
                const label = at(spec, "resourceLabel");
                if (isUnknown(label)) continue;
                if (typeof label !== "string" || !LABEL.test(label)) {
                    report(
                        `tracks ALBRequestCountPerTarget with resource label ${JSON.stringify(label)}; it must be "<load balancer arnSuffix>/<target group arnSuffix>"`,
                        policy.urn,
                    );
                    continue;
                }
                // The target group part must be one the policy's group registers with.
                const groups = g.resolve(policy, "autoscalingGroupName", ["aws:autoscaling/group:Group"]);
                if (isUnknown(groups) || groups.length === 0) continue;
                const tgArns = asList(groups[0].props.targetGroupArns);
                if (tgArns.some(isUnknown)) continue;
                const suffixes = tgArns
                    .flatMap((arn) => g.lookup(arn, ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"]))
                    .map((tg) => tg.props.arnSuffix);
                if (suffixes.length === 0 || suffixes.some(isUnknown)) continue;
                if (!suffixes.some((sfx) => label.endsWith(`/${sfx}`)))
                    report(`tracks requests of ${label.split("/").slice(3).join("/")}, not a target group ${groups[0].name} registers with`, policy.urn);
            }
        },
    },
];
