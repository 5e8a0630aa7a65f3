import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const DIST_ARN = "arn:aws:cloudfront::123456789012:distribution/EDGE1";

const distribution = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:cloudfront/distribution:Distribution", name, {
        enabled: true,
        origins: [{ originId: "alb", domainName: "web-alb-1.us-east-1.elb.amazonaws.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }],
        defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
        viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        ...inputs,
    }, { id: name, outputs: { arn: DIST_ARN } });

const userPool = (name: string, inputs: Record<string, unknown>) => resource("aws:cognito/userPool:UserPool", name, inputs);

describe("edge and API wiring policies", () => {
    describe("cloudfront-certificate-us-east-1", () => {
        it("passes a us-east-1 certificate and flags one from another region", async () => {
            const bad = distribution("bad", { viewerCertificate: { acmCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" } });
            await expectViolations("cloudfront-certificate-us-east-1", [distribution("ok"), bad], [bad]);
        });
    });

    describe("waf-cloudfront-scope-us-east-1", () => {
        it("passes a CLOUDFRONT web ACL in us-east-1 and flags one elsewhere, and a distribution naming a regional ACL", async () => {
            const acl = (name: string, inputs: Record<string, unknown> = {}) => resource("aws:wafv2/webAcl:WebAcl", name, { scope: "CLOUDFRONT", defaultAction: { allow: {} }, visibilityConfig: {}, ...inputs });
            const ok = acl("ok");
            const elsewhere = acl("elsewhere", { region: "eu-west-1" });
            const regional = distribution("regional", { webAclId: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/1" });
            const global = distribution("global", { webAclId: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1" });
            await expectViolations("waf-cloudfront-scope-us-east-1", [ok, elsewhere, regional, global], [elsewhere, regional]);
        });
    });

    describe("cloudfront-log-delivery-us-east-1", () => {
        it("passes a log delivery source in us-east-1 and flags one in another region", async () => {
            const d = distribution("cdn");
            const ok = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "ok", { logType: "ACCESS_LOGS", resourceArn: DIST_ARN });
            const bad = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "bad", { logType: "ACCESS_LOGS", resourceArn: DIST_ARN, region: "eu-west-1" });
            await expectViolations("cloudfront-log-delivery-us-east-1", [d, ok, bad], [bad]);
        });
    });

    describe("lb-origin-admits-only-cloudfront", () => {
        const sg = resource("aws:ec2/securityGroup:SecurityGroup", "alb-sg", { vpcId: "vpc-1" }, { id: "sg-alb" });
        const lb = resource("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", securityGroups: ["sg-alb"] }, { outputs: { dnsName: "web-alb-1.us-east-1.elb.amazonaws.com" } });
        const rule = (name: string, from: Record<string, string>) => resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, { securityGroupId: "sg-alb", ipProtocol: "tcp", fromPort: 443, toPort: 443, ...from });
        it("passes an origin ALB admitting CloudFront's prefix list", async () => {
            await expectViolations("lb-origin-admits-only-cloudfront", [distribution("cdn"), sg, lb, rule("from-cloudfront", { prefixListId: "pl-3b927c52" })], []);
        });
        it("flags an origin ALB open to the world, so CloudFront and its WAF can be bypassed", async () => {
            const open = rule("from-world", { cidrIpv4: "0.0.0.0/0" });
            const v = await expectViolations("lb-origin-admits-only-cloudfront", [distribution("cdn"), sg, lb, open], [open]);
            assert.match(v[0].message, /clients can bypass CloudFront/);
        });
    });

    describe("cognito-mfa-factor-configured", () => {
        it("passes MFA with authenticator apps and flags MFA without a factor", async () => {
            const ok = userPool("ok", { mfaConfiguration: "ON", softwareTokenMfaConfiguration: { enabled: true } });
            const off = userPool("off", { mfaConfiguration: "OFF" });
            const bad = userPool("bad", { mfaConfiguration: "OPTIONAL" });
            await expectViolations("cognito-mfa-factor-configured", [ok, off, bad], [bad]);
        });
    });

    describe("cognito-threat-protection-plan", () => {
        it("passes threat protection on the Plus plan and flags it on Essentials", async () => {
            const ok = userPool("ok", { userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "ENFORCED" } });
            const bad = userPool("bad", { userPoolAddOns: { advancedSecurityMode: "AUDIT" } });
            await expectViolations("cognito-threat-protection-plan", [ok, bad], [bad]);
        });
    });

    describe("apigateway-route-settings-name-routes", () => {
        it("passes route settings for the API's routes and flags settings for a route it lacks", async () => {
            const api = resource("aws:apigatewayv2/api:Api", "api", { protocolType: "HTTP" }, { id: "api-1" });
            const route = resource("aws:apigatewayv2/route:Route", "overview", { apiId: "api-1", routeKey: "GET /overview", authorizationType: "JWT" });
            const ok = resource("aws:apigatewayv2/stage:Stage", "ok", { apiId: "api-1", routeSettings: [{ routeKey: "GET /overview", throttlingRateLimit: 10, throttlingBurstLimit: 20 }] });
            const bad = resource("aws:apigatewayv2/stage:Stage", "bad", { apiId: "api-1", routeSettings: [{ routeKey: "GET /orders", throttlingRateLimit: 10, throttlingBurstLimit: 20 }] });
            await expectViolations("apigateway-route-settings-name-routes", [api, route, ok, bad], [bad]);
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

    describe("cloudfront-own-host-origin-no-viewer-host", () => {
        const S3_DOMAIN = "assets-1.s3.us-east-1.amazonaws.com";
        const ALB_DOMAIN = "web-alb-1.us-east-1.elb.amazonaws.com";
        const policy = (name: string, headersConfig: Record<string, unknown>) =>
            resource("aws:cloudfront/originRequestPolicy:OriginRequestPolicy", name, { name, cookiesConfig: { cookieBehavior: "all" }, headersConfig, queryStringsConfig: { queryStringBehavior: "all" } }, { id: `orp-${name}` });
        const allViewer = policy("all-viewer", { headerBehavior: "allViewer" });
        const namesHost = policy("names-host", { headerBehavior: "whitelist", headers: { items: ["Authorization", "Host"] } });
        const noHost = policy("no-host", { headerBehavior: "whitelist", headers: { items: ["Authorization"] } });
        const withBehaviours = (name: string, staticPolicy: string | undefined) =>
            distribution(name, {
                origins: [
                    { originId: "alb", domainName: ALB_DOMAIN, customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } },
                    { originId: "assets", domainName: S3_DOMAIN, originAccessControlId: "oac-1" },
                ],
                defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https", originRequestPolicyId: "orp-all-viewer", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
                orderedCacheBehaviors: [{ pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "redirect-to-https", originRequestPolicyId: staticPolicy, allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] }],
            });

        it("passes Host forwarded to a load balancer and S3 behaviours that don't forward it", async () => {
            await expectViolations("cloudfront-own-host-origin-no-viewer-host", [allViewer, noHost, withBehaviours("plain", undefined), withBehaviours("listed", "orp-no-host")], []);
        });

        it("flags an S3 behaviour forwarding Host through allViewer, a header list or the managed AllViewer policy", async () => {
            const viaAll = withBehaviours("via-all", "orp-all-viewer");
            const viaList = withBehaviours("via-list", "orp-names-host");
            const viaManaged = withBehaviours("via-managed", "216adef6-5c7f-47e4-b989-5492eafa07d3");
            const v = await expectViolations("cloudfront-own-host-origin-no-viewer-host", [allViewer, namesHost, viaAll, viaList, viaManaged], [viaAll, viaList, viaManaged]);
            assert.ok(v.every((x) => /cache behaviour \/static\/\* forwards the viewer's Host header to origin assets/.test(x.message)), v.map((x) => x.message).join("\n"));
        });
    });
});
