import { expectViolations, resource } from "../helpers/policy";

describe("Auto Scaling policies", () => {
    describe("autoscaling-group-launch-template-elb-health", () => {
        it("passes a launch-template group with ELB health checks and flags EC2 checks behind a load balancer", async () => {
            const ok = resource("aws:autoscaling/group:Group", "ok", {
                minSize: 1,
                maxSize: 2,
                launchTemplate: { id: "lt-1", version: "$Latest" },
                targetGroupArns: ["arn:tg"],
                healthCheckType: "ELB",
            });
            const bad = resource("aws:autoscaling/group:Group", "bad", {
                minSize: 1,
                maxSize: 2,
                mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } } },
                targetGroupArns: ["arn:tg"],
            });
            const legacy = resource("aws:autoscaling/group:Group", "legacy", { minSize: 1, maxSize: 2, launchConfiguration: "lc-1" });
            await expectViolations("autoscaling-group-launch-template-elb-health", [ok, bad, legacy], [bad, legacy]);
        });
    });

    describe("autoscaling-rollback-needs-ami-id", () => {
        it("passes rollback with an AMI id or without rollback, and flags rollback from a resolve:ssm: image, plain or mixed-instances", async () => {
            const template = (name: string, imageId: string) => resource("aws:ec2/launchTemplate:LaunchTemplate", name, { imageId }, { id: `lt-${name}` });
            const ssm = template("ssm", "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
            const ami = template("ami", "ami-0123456789abcdef0");
            const group = (name: string, lt: string, autoRollback: boolean, mixed = false) =>
                resource("aws:autoscaling/group:Group", name, {
                    minSize: 1,
                    maxSize: 2,
                    ...(mixed
                        ? { mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: lt, version: "1" } } } }
                        : { launchTemplate: { id: lt, version: "1" } }),
                    instanceRefresh: { strategy: "Rolling", preferences: { autoRollback } },
                });
            const fromAmi = group("from-ami", "lt-ami", true);
            const noRollback = group("no-rollback", "lt-ssm", false);
            const fromSsm = group("from-ssm", "lt-ssm", true);
            const mixedFromSsm = group("mixed-from-ssm", "lt-ssm", true, true);
            await expectViolations("autoscaling-rollback-needs-ami-id", [ssm, ami, fromAmi, noRollback, fromSsm, mixedFromSsm], [fromSsm, mixedFromSsm]);
        });
    });

    describe("autoscaling-request-count-label-valid", () => {
        const tg = resource(
            "aws:lb/targetGroup:TargetGroup",
            "tg",
            { port: 8080, protocol: "HTTP" },
            { outputs: { arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/abc", arnSuffix: "targetgroup/tg/abc" } },
        );
        const asg = resource(
            "aws:autoscaling/group:Group",
            "asg",
            { minSize: 1, maxSize: 2, targetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/abc"] },
            { outputs: { name: "asg-1" } },
        );
        const tracking = (name: string, resourceLabel: string) =>
            resource("aws:autoscaling/policy:Policy", name, {
                autoscalingGroupName: "asg-1",
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: {
                    targetValue: 500,
                    predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel },
                },
            });
        it("passes the group's own load balancer and target group, and flags a malformed or foreign label", async () => {
            const ok = tracking("ok", "app/alb/123/targetgroup/tg/abc");
            const malformed = tracking("malformed", "targetgroup/tg/abc");
            const foreign = tracking("foreign", "app/alb/123/targetgroup/legacy/def");
            const cpu = resource("aws:autoscaling/policy:Policy", "cpu", {
                autoscalingGroupName: "asg-1",
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: { targetValue: 50, predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" } },
            });
            await expectViolations("autoscaling-request-count-label-valid", [tg, asg, ok, malformed, foreign, cpu], [malformed, foreign]);
        });
    });
});
