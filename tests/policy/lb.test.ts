import { strict as assert } from "assert";
import { expectViolations, resource, violationsOf } from "../helpers/policy";

const lt = (name: string, inputs: Record<string, unknown>) => resource("aws:ec2/launchTemplate:LaunchTemplate", name, inputs, { id: `lt-${name}` });
const lb = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:lb/loadBalancer:LoadBalancer", name, { loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, ...inputs }, { outputs: { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${name}/1` } });
const listener = (name: string, balancer: ReturnType<typeof lb>, inputs: Record<string, unknown>) =>
    resource("aws:lb/listener:Listener", name, { loadBalancerArn: balancer.outputs.arn, ...inputs }, { outputs: { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/${name}/1` } });
const redirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];

describe("compute and load balancing policies", () => {
    describe("ec2-imdsv2-hop-limit-1", () => {
        it("passes IMDSv2 with hop limit 1 (or IMDS off) and flags IMDSv1 or a larger hop limit", async () => {
            const ok = lt("ok", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" } });
            const off = lt("off", { metadataOptions: { httpEndpoint: "disabled" } });
            const v1 = lt("v1", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } });
            const hops = resource("aws:ec2/instance:Instance", "hops", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });
            const unset = lt("unset", {});
            const v = await expectViolations("ec2-imdsv2-hop-limit-1", [ok, off, v1, hops, unset], [v1, hops, unset]);
            assert.match(v.find((x) => x.urn === hops.urn)!.message, /hop limit 2/);
        });
    });

    describe("ec2-ebs-encrypted", () => {
        it("passes encrypted block devices (as the string the schema uses) and flags unencrypted ones", async () => {
            const ok = lt("ok", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }] });
            const bad = lt("bad", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] });
            const volume = resource("aws:ebs/volume:Volume", "vol", { availabilityZone: "us-east-1a", size: 10 });
            await expectViolations("ec2-ebs-encrypted", [ok, bad, volume], [bad, volume]);
        });
    });

    describe("ec2-no-public-ip", () => {
        it("passes private interfaces and flags a public IP", async () => {
            const ok = lt("ok", { networkInterfaces: [{ associatePublicIpAddress: "false" }] });
            const bad = lt("bad", { networkInterfaces: [{ associatePublicIpAddress: "true" }] });
            await expectViolations("ec2-no-public-ip", [ok, bad], [bad]);
        });
    });

    describe("autoscaling-group-launch-template-elb-health", () => {
        it("passes a launch-template group with ELB health checks and flags EC2 checks behind a load balancer", async () => {
            const ok = resource("aws:autoscaling/group:Group", "ok", { minSize: 1, maxSize: 2, launchTemplate: { id: "lt-1", version: "$Latest" }, targetGroupArns: ["arn:tg"], healthCheckType: "ELB" });
            const bad = resource("aws:autoscaling/group:Group", "bad", { minSize: 1, maxSize: 2, mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } } }, targetGroupArns: ["arn:tg"] });
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
                    ...(mixed ? { mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: lt, version: "1" } } } } : { launchTemplate: { id: lt, version: "1" } }),
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
        const tg = resource("aws:lb/targetGroup:TargetGroup", "tg", { port: 8080, protocol: "HTTP" }, { outputs: { arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/abc", arnSuffix: "targetgroup/tg/abc" } });
        const asg = resource("aws:autoscaling/group:Group", "asg", { minSize: 1, maxSize: 2, targetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/abc"] }, { outputs: { name: "asg-1" } });
        const tracking = (name: string, resourceLabel: string) =>
            resource("aws:autoscaling/policy:Policy", name, { autoscalingGroupName: "asg-1", policyType: "TargetTrackingScaling", targetTrackingConfiguration: { targetValue: 500, predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel } } });
        it("passes the group's own load balancer and target group, and flags a malformed or foreign label", async () => {
            const ok = tracking("ok", "app/alb/123/targetgroup/tg/abc");
            const malformed = tracking("malformed", "targetgroup/tg/abc");
            const foreign = tracking("foreign", "app/alb/123/targetgroup/legacy/def");
            const cpu = resource("aws:autoscaling/policy:Policy", "cpu", { autoscalingGroupName: "asg-1", policyType: "TargetTrackingScaling", targetTrackingConfiguration: { targetValue: 50, predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" } } });
            await expectViolations("autoscaling-request-count-label-valid", [tg, asg, ok, malformed, foreign, cpu], [malformed, foreign]);
        });
    });

    describe("lb-drop-invalid-headers", () => {
        it("passes an ALB that drops invalid headers and flags one that doesn't", async () => {
            const ok = lb("ok");
            const bad = lb("bad", { dropInvalidHeaderFields: false });
            const nlb = lb("nlb", { loadBalancerType: "network", dropInvalidHeaderFields: undefined });
            await expectViolations("lb-drop-invalid-headers", [ok, bad, nlb], [bad]);
        });
    });

    describe("lb-deletion-protection-prod", () => {
        it("flags an unprotected load balancer in prod only", async () => {
            const ok = lb("ok", { enableDeletionProtection: true });
            const bad = lb("bad");
            await expectViolations("lb-deletion-protection-prod", [ok, bad], [bad], { environment: "prod" });
            await expectViolations("lb-deletion-protection-prod", [ok, bad], [], { environment: "dev" });
        });
    });

    describe("lb-access-logs", () => {
        it("passes an ALB logging to S3 and flags one that doesn't", async () => {
            const ok = lb("ok", { accessLogs: { bucket: "logs", enabled: true } });
            const bad = lb("bad");
            await expectViolations("lb-access-logs", [ok, bad], [bad]);
        });
    });

    describe("lb-listener-tls-policy", () => {
        it("passes a TLS 1.2+ policy and flags the API default and TLS 1.0 policies", async () => {
            const balancer = lb("alb");
            const ok = listener("tls13", balancer, { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: forward });
            const fs = listener("fs", balancer, { protocol: "HTTPS", port: 8443, sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10", defaultActions: forward });
            const dflt = listener("default", balancer, { protocol: "HTTPS", port: 443, defaultActions: forward });
            const old = listener("old", balancer, { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06", defaultActions: forward });
            const http = listener("http", balancer, { protocol: "HTTP", port: 80, defaultActions: redirect });
            await expectViolations("lb-listener-tls-policy", [balancer, ok, fs, dflt, old, http], [dflt, old]);
        });
    });

    describe("lb-http-redirects-to-https", () => {
        it("passes HTTP that redirects, and plain HTTP in dev on a load balancer with no HTTPS listener", async () => {
            const a = lb("a");
            const https = listener("https", a, { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: forward });
            const http = listener("http", a, { protocol: "HTTP", port: 80, defaultActions: redirect });
            const noCert = lb("no-cert");
            const plain = listener("plain", noCert, { protocol: "HTTP", port: 80, defaultActions: forward });
            const rule = resource("aws:lb/listenerRule:ListenerRule", "route", { listenerArn: plain.outputs.arn, actions: forward, conditions: [] });
            await expectViolations("lb-http-redirects-to-https", [a, https, http, noCert, plain, rule], [], { environment: "dev" });
        });
        it("flags plain HTTP in prod, and in dev beside an HTTPS listener (rules included)", async () => {
            const noCert = lb("no-cert");
            const plain = listener("plain", noCert, { protocol: "HTTP", port: 80, defaultActions: forward });
            await expectViolations("lb-http-redirects-to-https", [noCert, plain], [plain], { environment: "prod" });

            const a = lb("a");
            const https = listener("https", a, { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: forward });
            const http = listener("http", a, { protocol: "HTTP", port: 80, defaultActions: redirect });
            const rule = resource("aws:lb/listenerRule:ListenerRule", "legacy", { listenerArn: http.outputs.arn, actions: forward, conditions: [] });
            await expectViolations("lb-http-redirects-to-https", [a, https, http, rule], [rule], { environment: "dev" });
        });
    });

    describe("lb-serves-https", () => {
        it("passes an ALB with an HTTPS listener and notes one without (advisory)", async () => {
            const a = lb("a");
            const https = listener("https", a, { protocol: "HTTPS", port: 443, defaultActions: forward });
            const b = lb("b");
            const http = listener("http", b, { protocol: "HTTP", port: 80, defaultActions: forward });
            await expectViolations("lb-serves-https", [a, https, b, http], [b]);
        });
    });

    describe("lb-target-group-health-check", () => {
        it("passes a health path and flags the default path", async () => {
            const ok = resource("aws:lb/targetGroup:TargetGroup", "ok", { port: 8080, protocol: "HTTP", healthCheck: { path: "/health" } });
            const bad = resource("aws:lb/targetGroup:TargetGroup", "bad", { port: 8080, protocol: "HTTP" });
            await expectViolations("lb-target-group-health-check", [ok, bad], [bad]);
        });
    });

    describe("lb-lambda-target-invoke-permission", () => {
        it("passes a Lambda target the load balancer may invoke and flags one it may not", async () => {
            const fn = (name: string) => resource("aws:lambda/function:Function", name, { role: "r", name }, { id: name, outputs: { arn: `arn:aws:lambda:us-east-1:1:function:${name}` } });
            const allowed = fn("allowed");
            const denied = fn("denied");
            const permission = resource("aws:lambda/permission:Permission", "allow-elb", { action: "lambda:InvokeFunction", function: "allowed", principal: "elasticloadbalancing.amazonaws.com", sourceArn: "arn:tg" });
            const apiOnly = resource("aws:lambda/permission:Permission", "allow-api", { action: "lambda:InvokeFunction", function: "denied", principal: "apigateway.amazonaws.com" });
            const ok = resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", "ok", { targetGroupArn: "arn:tg", targetId: allowed.outputs.arn });
            const bad = resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", "bad", { targetGroupArn: "arn:tg", targetId: denied.outputs.arn });
            const instance = resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", "instance", { targetGroupArn: "arn:tg2", targetId: "i-0123456789" });
            await expectViolations("lb-lambda-target-invoke-permission", [allowed, denied, permission, apiOnly, ok, bad, instance], [bad]);
        });
    });

    it("an unknown listener protocol at preview gives a can't-run advisory, never a mandatory violation", async () => {
        const a = lb("a");
        const pending = listener("pending", a, { protocol: "HTTPS", port: 443, sslPolicy: "[unknown]", defaultActions: forward });
        const v = await violationsOf("lb-listener-tls-policy", [a, pending]);
        assert.deepEqual(v.map((x) => x.enforcement), ["advisory"]);
    });
});
