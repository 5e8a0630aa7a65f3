import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const EU_PROVIDER_URN = "urn:pulumi:test::platform::pulumi:providers:aws::eu";
const euProvider = resource("pulumi:providers:aws", "eu", { region: "eu-west-1", defaultTags: JSON.stringify({ tags: { environment: "test", project: "platform", owner: "me" } }) }, { urn: EU_PROVIDER_URN });
const inEu = { options: { provider: EU_PROVIDER_URN } as any };

const DIST_ARN = "arn:aws:cloudfront::123456789012:distribution/EDIST";
const distribution = (name: string, inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    resource(
        "aws:cloudfront/distribution:Distribution",
        name,
        {
            enabled: true,
            origins: [{ originId: "alb", domainName: "web-alb-1.eu-west-1.elb.amazonaws.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }],
            defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
            viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
            restrictions: { geoRestriction: { restrictionType: "none" } },
            ...inputs,
        },
        { id: `E${name}`, outputs: { arn: `arn:aws:cloudfront::123456789012:distribution/E${name}` }, ...extra },
    );

describe("edge wiring policies", () => {
    describe("cloudfront-certificate-us-east-1", () => {
        it("passes a us-east-1 certificate and flags one from another region", async () => {
            const eu = distribution("eu", { viewerCertificate: { acmCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" } });
            const v = await expectViolations("cloudfront-certificate-us-east-1", [distribution("ok"), eu], [eu]);
            assert.match(v[0].message, /uses an ACM certificate from eu-west-1; CloudFront accepts only certificates in us-east-1/);
        });
    });

    describe("waf-cloudfront-scope-us-east-1", () => {
        const acl = (name: string, scope: string, extra = {}) => resource("aws:wafv2/webAcl:WebAcl", name, { scope, defaultAction: { allow: {} }, visibilityConfig: {} }, extra);
        it("passes a CLOUDFRONT ACL through a us-east-1 provider (or a regional one anywhere); flags one made elsewhere", async () => {
            const ok = acl("ok", "CLOUDFRONT");
            const regional = acl("regional", "REGIONAL", inEu);
            const misplaced = acl("misplaced", "CLOUDFRONT", inEu);
            const perResource = acl("per-resource", "CLOUDFRONT");
            perResource.inputs.region = "eu-west-2";
            const v = await expectViolations("waf-cloudfront-scope-us-east-1", [euProvider, ok, regional, misplaced, perResource], [misplaced, perResource]);
            assert.match(v.find((x) => x.urn === misplaced.urn)!.message, /created in eu-west-1; CloudFront web ACLs exist only in us-east-1/);
        });
        it("flags a distribution naming a regional web ACL", async () => {
            const global = distribution("global", { webAclId: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1" });
            const regional = distribution("regional", { webAclId: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/1" });
            await expectViolations("waf-cloudfront-scope-us-east-1", [global, regional], [regional]);
        });
    });

    describe("cloudfront-log-delivery-us-east-1", () => {
        it("passes a distribution's delivery source in us-east-1, ignores other sources, flags one elsewhere (also when the ARN is unknown)", async () => {
            const d = distribution("d");
            const ok = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "ok", { logType: "ACCESS_LOGS", resourceArn: DIST_ARN.replace("EDIST", "Ed") });
            const other = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "other", { logType: "APPLICATION_LOGS", resourceArn: "arn:aws:bedrock:eu-west-1:123456789012:x" }, inEu);
            const misplaced = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "misplaced", { logType: "ACCESS_LOGS", resourceArn: DIST_ARN }, inEu);
            // At preview the distribution's ARN is unknown: its dependency tells what it is.
            const unknown = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "unknown", { logType: "ACCESS_LOGS", resourceArn: "[unknown]" }, { ...inEu, propertyDependencies: { resourceArn: [d.urn] } });
            const v = await expectViolations("cloudfront-log-delivery-us-east-1", [euProvider, d, ok, other, misplaced, unknown], [misplaced, unknown]);
            for (const x of v) assert.match(x.message, /created in eu-west-1; CloudFront log delivery is configured in us-east-1 only/);
        });
    });

    describe("lb-origin-admits-only-cloudfront", () => {
        const alb = (name: string, sgId: string) =>
            resource("aws:lb/loadBalancer:LoadBalancer", name, { loadBalancerType: "application", securityGroups: [sgId] }, { outputs: { dnsName: `${name}-1.eu-west-1.elb.amazonaws.com`, arn: `arn:alb/${name}` } });
        const sg = (name: string) => resource("aws:ec2/securityGroup:SecurityGroup", name, { vpcId: "vpc-1" }, { id: `sg-${name}` });
        const ingress = (name: string, sgId: string, inputs: Record<string, unknown>) => resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, { securityGroupId: sgId, ipProtocol: "tcp", fromPort: 443, toPort: 443, ...inputs });

        it("passes an origin ALB that admits the CloudFront prefix list; flags one open to the world; ignores ALBs no distribution uses", async () => {
            const [closedSg, openSg, standaloneSg] = [sg("closed"), sg("open"), sg("standalone")];
            const closed = alb("closed", "sg-closed");
            const open = alb("open", "sg-open");
            const standalone = alb("standalone", "sg-standalone");
            const viaPrefixList = ingress("closed-in", "sg-closed", { prefixListId: "pl-3b927c52" });
            const world = ingress("open-in", "sg-open", { cidrIpv4: "0.0.0.0/0" });
            const standaloneWorld = ingress("standalone-in", "sg-standalone", { cidrIpv4: "0.0.0.0/0" });
            const origin = (lb: string) => [{ originId: "alb", domainName: `${lb}-1.eu-west-1.elb.amazonaws.com`, customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }];
            const d1 = distribution("d1", { origins: origin("closed") });
            const d2 = distribution("d2", { origins: origin("open") });
            const v = await expectViolations(
                "lb-origin-admits-only-cloudfront",
                [closedSg, openSg, standaloneSg, closed, open, standalone, viaPrefixList, world, standaloneWorld, d1, d2],
                [world],
            );
            assert.match(v[0].message, /load balancer open is the origin of distribution d2, but its security group open admits 0\.0\.0\.0\/0: clients can bypass CloudFront and its WAF/);
        });
    });

    describe("cognito-mfa-factor-configured", () => {
        it("passes MFA with authenticator apps (and MFA OFF); flags MFA ON without a factor", async () => {
            const ok = resource("aws:cognito/userPool:UserPool", "ok", { mfaConfiguration: "ON", softwareTokenMfaConfiguration: { enabled: true } });
            const off = resource("aws:cognito/userPool:UserPool", "off", { mfaConfiguration: "OFF" });
            const bare = resource("aws:cognito/userPool:UserPool", "bare", { mfaConfiguration: "OPTIONAL" });
            await expectViolations("cognito-mfa-factor-configured", [ok, off, bare], [bare]);
        });
    });

    describe("cognito-threat-protection-plan", () => {
        it("passes threat protection on Plus; flags it on Essentials", async () => {
            const plus = resource("aws:cognito/userPool:UserPool", "plus", { userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "ENFORCED" } });
            const essentials = resource("aws:cognito/userPool:UserPool", "essentials", { userPoolTier: "ESSENTIALS", userPoolAddOns: { advancedSecurityMode: "AUDIT" } });
            const none = resource("aws:cognito/userPool:UserPool", "none", { userPoolTier: "ESSENTIALS" });
            await expectViolations("cognito-threat-protection-plan", [plus, essentials, none], [essentials]);
        });
    });

    describe("apigateway-route-settings-name-routes", () => {
        it("passes route settings for the API's own routes; flags settings for a route that doesn't exist", async () => {
            const api = resource("aws:apigatewayv2/api:Api", "api", { protocolType: "HTTP" }, { id: "api1" });
            const route = resource("aws:apigatewayv2/route:Route", "health", { apiId: "api1", routeKey: "GET /health" });
            const ok = resource("aws:apigatewayv2/stage:Stage", "ok", { apiId: "api1", name: "$default", routeSettings: [{ routeKey: "GET /health", throttlingRateLimit: 1 }] });
            const bad = resource("aws:apigatewayv2/stage:Stage", "bad", { apiId: "api1", name: "v2", routeSettings: [{ routeKey: "GET /orders", throttlingRateLimit: 1 }] });
            const v = await expectViolations("apigateway-route-settings-name-routes", [api, route, ok, bad], [bad]);
            assert.match(v[0].message, /route settings for "GET \/orders", which is not a route of its API \(routes: GET \/health\)/);
        });
    });

    describe("lb-weighted-forward-valid", () => {
        it("passes a weighted split within ELB's limits; flags weights out of range and stickiness too long", async () => {
            const forward = (targetGroups: unknown[], stickiness = { enabled: true, duration: 300 }) => ({ type: "forward", forward: { targetGroups, stickiness } });
            const ok = resource("aws:lb/listenerRule:ListenerRule", "ok", { listenerArn: "l", priority: 1, conditions: [], actions: [forward([{ arn: "a", weight: 75 }, { arn: "b", weight: 25 }])] });
            const heavy = resource("aws:lb/listenerRule:ListenerRule", "heavy", { listenerArn: "l", priority: 2, conditions: [], actions: [forward([{ arn: "a", weight: 1000 }])] });
            const sticky = resource("aws:lb/listener:Listener", "sticky", { loadBalancerArn: "lb", port: 443, defaultActions: [forward([{ arn: "a", weight: 1 }], { enabled: true, duration: 604801 })] });
            await expectViolations("lb-weighted-forward-valid", [ok, heavy, sticky], [heavy, sticky]);
        });
    });
});
