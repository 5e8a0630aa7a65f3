import { strict as assert } from "assert";
import { expectViolations, resource, violationsOf } from "../helpers/policy";
import { albOriginDistribution, euOriginDistribution } from "./edge-resources";

const lb = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:lb/loadBalancer:LoadBalancer",
        name,
        { loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, ...inputs },
        { outputs: { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${name}/1` } },
    );
const listener = (name: string, balancer: ReturnType<typeof lb>, inputs: Record<string, unknown>) =>
    resource(
        "aws:lb/listener:Listener",
        name,
        { loadBalancerArn: balancer.outputs.arn, ...inputs },
        { outputs: { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/${name}/1` } },
    );
const redirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];

describe("load balancer policies", () => {
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
            const fn = (name: string) =>
                resource(
                    "aws:lambda/function:Function",
                    name,
                    { role: "r", name },
                    { id: name, outputs: { arn: `arn:aws:lambda:us-east-1:1:function:${name}` } },
                );
            const allowed = fn("allowed");
            const denied = fn("denied");
            const permission = resource("aws:lambda/permission:Permission", "allow-elb", {
                action: "lambda:InvokeFunction",
                function: "allowed",
                principal: "elasticloadbalancing.amazonaws.com",
                sourceArn: "arn:tg",
            });
            const apiOnly = resource("aws:lambda/permission:Permission", "allow-api", {
                action: "lambda:InvokeFunction",
                function: "denied",
                principal: "apigateway.amazonaws.com",
            });
            const ok = resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", "ok", { targetGroupArn: "arn:tg", targetId: allowed.outputs.arn });
            const bad = resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", "bad", { targetGroupArn: "arn:tg", targetId: denied.outputs.arn });
            const instance = resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", "instance", {
                targetGroupArn: "arn:tg2",
                targetId: "i-0123456789",
            });
            await expectViolations("lb-lambda-target-invoke-permission", [allowed, denied, permission, apiOnly, ok, bad, instance], [bad]);
        });
    });

    it("an unknown listener protocol at preview gives a can't-run advisory, never a mandatory violation", async () => {
        const a = lb("a");
        const pending = listener("pending", a, { protocol: "HTTPS", port: 443, sslPolicy: "[unknown]", defaultActions: forward });
        const v = await violationsOf("lb-listener-tls-policy", [a, pending]);
        assert.deepEqual(
            v.map((x) => x.enforcement),
            ["advisory"],
        );
    });

    describe("lb-origin-admits-only-cloudfront", () => {
        const sg = resource("aws:ec2/securityGroup:SecurityGroup", "alb-sg", { vpcId: "vpc-1" }, { id: "sg-alb" });
        const lb = resource(
            "aws:lb/loadBalancer:LoadBalancer",
            "alb",
            { loadBalancerType: "application", securityGroups: ["sg-alb"] },
            { outputs: { dnsName: "web-alb-1.us-east-1.elb.amazonaws.com" } },
        );
        const rule = (name: string, from: Record<string, string>) =>
            resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, {
                securityGroupId: "sg-alb",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                ...from,
            });
        it("passes an origin ALB admitting CloudFront's prefix list", async () => {
            await expectViolations(
                "lb-origin-admits-only-cloudfront",
                [albOriginDistribution("cdn"), sg, lb, rule("from-cloudfront", { prefixListId: "pl-3b927c52" })],
                [],
            );
        });
        it("flags an origin ALB open to the world, so CloudFront and its WAF can be bypassed", async () => {
            const open = rule("from-world", { cidrIpv4: "0.0.0.0/0" });
            const v = await expectViolations("lb-origin-admits-only-cloudfront", [albOriginDistribution("cdn"), sg, lb, open], [open]);
            assert.match(v[0].message, /clients can bypass CloudFront/);
        });
    });

    describe("lb-weighted-forward-valid", () => {
        const forward = (weights: number[]) => [{ type: "forward", forward: { targetGroups: weights.map((weight, i) => ({ arn: `arn:tg-${i}`, weight })) } }];
        it("passes a 90/10 split and flags too many target groups and an out-of-range weight", async () => {
            const ok = resource("aws:lb/listenerRule:ListenerRule", "canary", { listenerArn: "arn:l", actions: forward([90, 10]), conditions: [] });
            const many = resource("aws:lb/listenerRule:ListenerRule", "many", { listenerArn: "arn:l", actions: forward([1, 1, 1, 1, 1, 1]), conditions: [] });
            const heavy = resource("aws:lb/listener:Listener", "heavy", { loadBalancerArn: "arn:lb", protocol: "HTTPS", defaultActions: forward([1000, 1]) });
            await expectViolations("lb-weighted-forward-valid", [ok, many, heavy], [many, heavy]);
        });
    });

    describe("lb-origin-admits-only-cloudfront", () => {
        const alb = (name: string, sgId: string) =>
            resource(
                "aws:lb/loadBalancer:LoadBalancer",
                name,
                { loadBalancerType: "application", securityGroups: [sgId] },
                { outputs: { dnsName: `${name}-1.eu-west-1.elb.amazonaws.com`, arn: `arn:alb/${name}` } },
            );
        const sg = (name: string) => resource("aws:ec2/securityGroup:SecurityGroup", name, { vpcId: "vpc-1" }, { id: `sg-${name}` });
        const ingress = (name: string, sgId: string, inputs: Record<string, unknown>) =>
            resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, {
                securityGroupId: sgId,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                ...inputs,
            });

        it("passes an origin ALB that admits the CloudFront prefix list; flags one open to the world; ignores ALBs no distribution uses", async () => {
            const [closedSg, openSg, standaloneSg] = [sg("closed"), sg("open"), sg("standalone")];
            const closed = alb("closed", "sg-closed");
            const open = alb("open", "sg-open");
            const standalone = alb("standalone", "sg-standalone");
            const viaPrefixList = ingress("closed-in", "sg-closed", { prefixListId: "pl-3b927c52" });
            const world = ingress("open-in", "sg-open", { cidrIpv4: "0.0.0.0/0" });
            const standaloneWorld = ingress("standalone-in", "sg-standalone", { cidrIpv4: "0.0.0.0/0" });
            const origin = (lb: string) => [
                {
                    originId: "alb",
                    domainName: `${lb}-1.eu-west-1.elb.amazonaws.com`,
                    customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
                },
            ];
            const d1 = euOriginDistribution("d1", { origins: origin("closed") });
            const d2 = euOriginDistribution("d2", { origins: origin("open") });
            const v = await expectViolations(
                "lb-origin-admits-only-cloudfront",
                [closedSg, openSg, standaloneSg, closed, open, standalone, viaPrefixList, world, standaloneWorld, d1, d2],
                [world],
            );
            assert.match(
                v[0].message,
                /load balancer open is the origin of distribution d2, but its security group open admits 0\.0\.0\.0\/0: clients can bypass CloudFront and its WAF/,
            );
        });
    });

    describe("lb-weighted-forward-valid", () => {
        it("passes a weighted split within ELB's limits; flags weights out of range and stickiness too long", async () => {
            const forward = (targetGroups: unknown[], stickiness = { enabled: true, duration: 300 }) => ({
                type: "forward",
                forward: { targetGroups, stickiness },
            });
            const ok = resource("aws:lb/listenerRule:ListenerRule", "ok", {
                listenerArn: "l",
                priority: 1,
                conditions: [],
                actions: [
                    forward([
                        { arn: "a", weight: 75 },
                        { arn: "b", weight: 25 },
                    ]),
                ],
            });
            const heavy = resource("aws:lb/listenerRule:ListenerRule", "heavy", {
                listenerArn: "l",
                priority: 2,
                conditions: [],
                actions: [forward([{ arn: "a", weight: 1000 }])],
            });
            const sticky = resource("aws:lb/listener:Listener", "sticky", {
                loadBalancerArn: "lb",
                port: 443,
                defaultActions: [forward([{ arn: "a", weight: 1 }], { enabled: true, duration: 604801 })],
            });
            await expectViolations("lb-weighted-forward-valid", [ok, heavy, sticky], [heavy, sticky]);
        });
    });
});
