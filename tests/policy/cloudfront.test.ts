import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const route = (name: string, routeKey: string, inputs: Record<string, unknown> = {}) => resource("aws:apigatewayv2/route:Route", name, { apiId: "api", routeKey, ...inputs });
const stage = (name: string, inputs: Record<string, unknown> = {}) => resource("aws:apigatewayv2/stage:Stage", name, { apiId: "api", name: "$default", ...inputs });

const distribution = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:cloudfront/distribution:Distribution", name, {
        enabled: true,
        origins: [
            { originId: "alb", domainName: "web-alb-1.us-east-1.elb.amazonaws.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } },
            { originId: "assets", domainName: "assets-1.s3.us-east-1.amazonaws.com", originAccessControlId: "oac-1" },
        ],
        defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
        orderedCacheBehaviors: [{ pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "https-only", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] }],
        viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        loggingConfig: { bucket: "logs.s3.amazonaws.com", prefix: "cf/" },
        webAclId: "arn:aws:wafv2:us-east-1:1:global/webacl/edge/1",
        restrictions: { geoRestriction: { restrictionType: "none" } },
        ...inputs,
    }, { id: `E${name}`, outputs: { arn: `arn:aws:cloudfront::1:distribution/E${name}` } });

describe("API and edge policies", () => {
    describe("apigateway-route-authorized", () => {
        it("passes authorized routes, the public health route, CORS preflights and WebSocket message routes; flags an open route and an open $connect", async () => {
            const ok = route("orders", "GET /orders", { authorizationType: "JWT", authorizerId: "a" });
            const health = route("health", "GET /health");
            const open = route("open", "POST /orders");
            const preflight = route("preflight", "OPTIONS /orders");
            const wsMessage = route("ws-message", "sendMessage");
            const wsConnect = route("ws-connect", "$connect");
            const v = await expectViolations("apigateway-route-authorized", [ok, health, open, preflight, wsMessage, wsConnect], [open, wsConnect]);
            assert.match(v.find((x) => x.urn === open.urn)!.message, /route "POST \/orders" has no authorizer/);
        });
        it("takes the public routes from the pack config", async () => {
            const status = route("status", "GET /status");
            const health = route("health", "GET /health");
            await expectViolations("apigateway-route-authorized", [status, health], [health], { config: { "apigateway-route-authorized": { publicRoutes: ["GET /status"] } } });
        });
        it("flags a REST method without authorization and a JWT authorizer without an audience", async () => {
            const method = resource("aws:apigateway/method:Method", "m", { restApi: "r", resourceId: "x", httpMethod: "GET", authorization: "NONE" });
            const cors = resource("aws:apigateway/method:Method", "cors", { restApi: "r", resourceId: "x", httpMethod: "OPTIONS", authorization: "NONE" });
            const jwt = resource("aws:apigatewayv2/authorizer:Authorizer", "jwt", { apiId: "api", authorizerType: "JWT", identitySources: ["$request.header.Authorization"], jwtConfiguration: { issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool" } });
            await expectViolations("apigateway-route-authorized", [method, cors, jwt], [method, jwt]);
        });
    });

    describe("apigateway-throttling", () => {
        it("passes a throttled HTTP stage and a REST stage throttled by method settings; flags unthrottled ones", async () => {
            const ok = stage("ok", { defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 } });
            const bad = stage("bad", { defaultRouteSettings: { throttlingBurstLimit: 100 } });
            const api = resource("aws:apigateway/restApi:RestApi", "rest", { name: "rest" }, { id: "rest-1" });
            const restStage = resource("aws:apigateway/stage:Stage", "rest-prod", { restApi: "rest-1", stageName: "prod", deployment: "d" });
            const settings = resource("aws:apigateway/methodSettings:MethodSettings", "throttle", { restApi: "rest-1", stageName: "prod", methodPath: "*/*", settings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 } });
            const bareStage = resource("aws:apigateway/stage:Stage", "rest-dev", { restApi: "rest-1", stageName: "dev", deployment: "d" });
            await expectViolations("apigateway-throttling", [ok, bad, api, restStage, settings, bareStage], [bad, bareStage]);
        });
    });

    describe("apigateway-cors-consistent", () => {
        it("passes named origins with credentials and flags credentials with any origin", async () => {
            const ok = resource("aws:apigatewayv2/api:Api", "ok", { protocolType: "HTTP", corsConfiguration: { allowOrigins: ["https://www.example.com"], allowCredentials: true } });
            const open = resource("aws:apigatewayv2/api:Api", "open", { protocolType: "HTTP", corsConfiguration: { allowOrigins: ["*"] } });
            const bad = resource("aws:apigatewayv2/api:Api", "bad", { protocolType: "HTTP", corsConfiguration: { allowOrigins: ["*"], allowCredentials: true } });
            await expectViolations("apigateway-cors-consistent", [ok, open, bad], [bad]);
        });
    });

    describe("apigateway-access-logging", () => {
        it("passes JSON access logs and notes missing or non-JSON ones", async () => {
            const ok = stage("ok", { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:api", format: JSON.stringify({ requestId: "$context.requestId", status: "$context.status" }) } });
            const text = stage("text", { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:api", format: "$context.requestId $context.status" } });
            const none = resource("aws:apigateway/stage:Stage", "none", { restApi: "r", stageName: "prod", deployment: "d" });
            await expectViolations("apigateway-access-logging", [ok, text, none], [text, none]);
        });
    });

    describe("cognito-password-policy", () => {
        it("passes a strong policy (or AWS's default) and flags a weak one", async () => {
            const strong = resource("aws:cognito/userPool:UserPool", "strong", { passwordPolicy: { minimumLength: 12, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true } });
            const dflt = resource("aws:cognito/userPool:UserPool", "default", {});
            const weak = resource("aws:cognito/userPool:UserPool", "weak", { passwordPolicy: { minimumLength: 6, requireLowercase: true } });
            await expectViolations("cognito-password-policy", [strong, dflt, weak], [weak]);
        });
    });

    describe("cognito-mfa-prod", () => {
        it("requires MFA ON in prod and allows OPTIONAL in dev", async () => {
            const optional = resource("aws:cognito/userPool:UserPool", "optional", { mfaConfiguration: "OPTIONAL" });
            const on = resource("aws:cognito/userPool:UserPool", "on", { mfaConfiguration: "ON" });
            await expectViolations("cognito-mfa-prod", [optional, on], [optional], { environment: "prod" });
            await expectViolations("cognito-mfa-prod", [optional, on], [], { environment: "dev" });
        });
    });

    describe("cognito-no-unauthenticated-identities", () => {
        it("passes an authenticated-only identity pool and flags guest access", async () => {
            const ok = resource("aws:cognito/identityPool:IdentityPool", "ok", { identityPoolName: "ok", allowUnauthenticatedIdentities: false });
            const bad = resource("aws:cognito/identityPool:IdentityPool", "bad", { identityPoolName: "bad", allowUnauthenticatedIdentities: true });
            await expectViolations("cognito-no-unauthenticated-identities", [ok, bad], [bad]);
        });
    });

    describe("cognito-client-hides-user-existence", () => {
        it("passes ENABLED and notes LEGACY", async () => {
            const ok = resource("aws:cognito/userPoolClient:UserPoolClient", "ok", { userPoolId: "p", preventUserExistenceErrors: "ENABLED" });
            const bad = resource("aws:cognito/userPoolClient:UserPoolClient", "bad", { userPoolId: "p", preventUserExistenceErrors: "LEGACY" });
            await expectViolations("cognito-client-hides-user-existence", [ok, bad], [bad]);
        });
    });

    describe("cloudfront-viewer-https", () => {
        it("passes HTTPS on every behaviour and flags allow-all on one", async () => {
            const bad = distribution("bad", { defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "allow-all", allowedMethods: ["GET"], cachedMethods: ["GET"] } });
            await expectViolations("cloudfront-viewer-https", [distribution("ok"), bad], [bad]);
        });
    });

    describe("cloudfront-tls-minimum", () => {
        it("passes TLSv1.2_2021 on an ACM certificate; flags TLSv1.1 and, in prod only, the default certificate", async () => {
            const old = distribution("old", { viewerCertificate: { acmCertificateArn: "arn:c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.1_2016" } });
            const dflt = distribution("default", { viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" } });
            const v = await expectViolations("cloudfront-tls-minimum", [distribution("ok"), old, dflt], [old, dflt], { environment: "prod" });
            assert.match(v.find((x) => x.urn === dflt.urn)!.message, /always allows TLSv1/);
            await expectViolations("cloudfront-tls-minimum", [distribution("ok"), old, dflt], [old], { environment: "dev" });
        });
    });

    describe("cloudfront-custom-certificate", () => {
        it("notes the default certificate in any environment", async () => {
            const dflt = distribution("default", { viewerCertificate: { cloudfrontDefaultCertificate: true } });
            await expectViolations("cloudfront-custom-certificate", [distribution("ok"), dflt], [dflt]);
        });
    });

    describe("cloudfront-origin-https", () => {
        it("passes an HTTPS origin and notes an HTTP one", async () => {
            const http = distribution("http", { origins: [{ originId: "alb", domainName: "alb.example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"] } }] });
            await expectViolations("cloudfront-origin-https", [distribution("ok"), http], [http]);
        });
    });

    describe("cloudfront-s3-origin-access-control", () => {
        it("passes an S3 origin behind OAC and flags a bare one and an OAC that never signs", async () => {
            const bare = distribution("bare", { origins: [{ originId: "assets", domainName: "assets-1.s3.us-east-1.amazonaws.com" }] });
            const oac = resource("aws:cloudfront/originAccessControl:OriginAccessControl", "oac", { name: "oac", originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
            const never = resource("aws:cloudfront/originAccessControl:OriginAccessControl", "never", { name: "never", originAccessControlOriginType: "s3", signingBehavior: "never", signingProtocol: "sigv4" });
            await expectViolations("cloudfront-s3-origin-access-control", [distribution("ok"), bare, oac, never], [bare, never]);
        });
    });

    describe("cloudfront-logging", () => {
        it("passes S3 standard logging or a delivered log source; notes no logging, and a source nothing delivers", async () => {
            const v2 = distribution("v2", { loggingConfig: undefined });
            const source = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "v2-logs", { logType: "ACCESS_LOGS", resourceArn: v2.outputs.arn }, { outputs: { name: "v2-logs-1" } });
            const delivery = resource("aws:cloudwatch/logDelivery:LogDelivery", "v2-delivery", { deliverySourceName: "v2-logs-1", deliveryDestinationArn: "arn:dest" });
            const undelivered = distribution("undelivered", { loggingConfig: undefined });
            const orphan = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "orphan-logs", { logType: "ACCESS_LOGS", resourceArn: undelivered.outputs.arn }, { outputs: { name: "orphan-logs-1" } });
            const none = distribution("none", { loggingConfig: undefined });
            const v = await expectViolations("cloudfront-logging", [distribution("ok"), v2, source, delivery, undelivered, orphan, none], [undelivered, none]);
            assert.match(v.find((x) => x.urn === undelivered.urn)!.message, /no delivery sending it anywhere/);
        });
    });

    describe("cloudfront-response-headers-hsts", () => {
        it("passes a year of HSTS on a policy the distribution uses; notes a short HSTS and a distribution without a policy", async () => {
            const hsts = (seconds: number) => ({ securityHeadersConfig: { strictTransportSecurity: { accessControlMaxAgeSec: seconds, includeSubdomains: true, override: true } } });
            const ok = resource("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "ok", { name: "ok", ...hsts(63072000) });
            const short = resource("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "short", { name: "short", ...hsts(3600) });
            const withPolicy = distribution("with-policy", { defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET"], cachedMethods: ["GET"], responseHeadersPolicyId: "ok" } });
            const without = distribution("without");
            await expectViolations("cloudfront-response-headers-hsts", [ok, short, withPolicy, without], [short, without]);
        });
    });

    describe("cloudfront-cache-compression", () => {
        it("passes a compressing cache policy and a never-caching one; notes a caching policy without compression", async () => {
            const keys = (gzip: boolean) => ({ cookiesConfig: { cookieBehavior: "none" }, headersConfig: { headerBehavior: "none" }, queryStringsConfig: { queryStringBehavior: "none" }, enableAcceptEncodingGzip: gzip, enableAcceptEncodingBrotli: gzip });
            const ok = resource("aws:cloudfront/cachePolicy:CachePolicy", "static", { name: "static", minTtl: 0, defaultTtl: 86400, maxTtl: 31536000, parametersInCacheKeyAndForwardedToOrigin: keys(true) });
            const dynamic = resource("aws:cloudfront/cachePolicy:CachePolicy", "dynamic", { name: "dynamic", minTtl: 0, defaultTtl: 0, maxTtl: 0, parametersInCacheKeyAndForwardedToOrigin: keys(false) });
            const bad = resource("aws:cloudfront/cachePolicy:CachePolicy", "plain", { name: "plain", minTtl: 0, defaultTtl: 3600, maxTtl: 86400, parametersInCacheKeyAndForwardedToOrigin: keys(false) });
            await expectViolations("cloudfront-cache-compression", [ok, dynamic, bad], [bad]);
        });
    });

    describe("cloudfront-waf-prod", () => {
        it("requires a web ACL in prod only", async () => {
            const open = distribution("open", { webAclId: undefined });
            await expectViolations("cloudfront-waf-prod", [distribution("ok"), open], [open], { environment: "prod" });
            await expectViolations("cloudfront-waf-prod", [open], [], { environment: "dev" });
        });
    });

    describe("waf-managed-and-rate-rules", () => {
        const managed = { name: "common", priority: 1, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } }, visibilityConfig: {} };
        const rate = { name: "rate", priority: 2, action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } }, visibilityConfig: {} };
        it("passes managed rules plus a rate rule (as rules or ruleJson) and flags a missing rate rule", async () => {
            const ok = resource("aws:wafv2/webAcl:WebAcl", "ok", { scope: "CLOUDFRONT", defaultAction: { allow: {} }, visibilityConfig: {}, rules: [managed, rate] });
            const json = resource("aws:wafv2/webAcl:WebAcl", "json", { scope: "CLOUDFRONT", defaultAction: { allow: {} }, visibilityConfig: {}, ruleJson: JSON.stringify([{ Name: "m", Statement: { ManagedRuleGroupStatement: {} } }, { Name: "r", Statement: { RateBasedStatement: { Limit: 100 } } }]) });
            const noRate = resource("aws:wafv2/webAcl:WebAcl", "no-rate", { scope: "CLOUDFRONT", defaultAction: { allow: {} }, visibilityConfig: {}, rules: [managed] });
            await expectViolations("waf-managed-and-rate-rules", [ok, json, noRate], [noRate]);
        });
    });
});
