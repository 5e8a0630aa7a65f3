import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";
import { albOriginDistribution, DIST_ARN, euOriginDistribution, euProvider, inEu } from "./edge-resources";

const distribution = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:cloudfront/distribution:Distribution",
        name,
        {
            enabled: true,
            origins: [
                {
                    originId: "alb",
                    domainName: "web-alb-1.us-east-1.elb.amazonaws.com",
                    customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
                },
                { originId: "assets", domainName: "assets-1.s3.us-east-1.amazonaws.com", originAccessControlId: "oac-1" },
            ],
            defaultCacheBehavior: {
                targetOriginId: "alb",
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD"],
                cachedMethods: ["GET", "HEAD"],
            },
            orderedCacheBehaviors: [
                {
                    pathPattern: "/static/*",
                    targetOriginId: "assets",
                    viewerProtocolPolicy: "https-only",
                    allowedMethods: ["GET", "HEAD"],
                    cachedMethods: ["GET", "HEAD"],
                },
            ],
            viewerCertificate: {
                acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/c",
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            },
            loggingConfig: { bucket: "logs.s3.amazonaws.com", prefix: "cf/" },
            webAclId: "arn:aws:wafv2:us-east-1:1:global/webacl/edge/1",
            restrictions: { geoRestriction: { restrictionType: "none" } },
            ...inputs,
        },
        { id: `E${name}`, outputs: { arn: `arn:aws:cloudfront::1:distribution/E${name}` } },
    );
const EDIST_ARN = "arn:aws:cloudfront::123456789012:distribution/EDIST";

describe("CloudFront policies", () => {
    describe("cloudfront-viewer-https", () => {
        it("passes HTTPS on every behaviour and flags allow-all on one", async () => {
            const bad = distribution("bad", {
                defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "allow-all", allowedMethods: ["GET"], cachedMethods: ["GET"] },
            });
            await expectViolations("cloudfront-viewer-https", [distribution("ok"), bad], [bad]);
        });
    });

    describe("cloudfront-tls-minimum", () => {
        it("passes TLSv1.2_2021 on an ACM certificate; flags TLSv1.1 and, in prod only, the default certificate", async () => {
            const old = distribution("old", {
                viewerCertificate: { acmCertificateArn: "arn:c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.1_2016" },
            });
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
            const http = distribution("http", {
                origins: [
                    {
                        originId: "alb",
                        domainName: "alb.example.com",
                        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"] },
                    },
                ],
            });
            await expectViolations("cloudfront-origin-https", [distribution("ok"), http], [http]);
        });
    });

    describe("cloudfront-s3-origin-access-control", () => {
        it("passes an S3 origin behind OAC and flags a bare one and an OAC that never signs", async () => {
            const bare = distribution("bare", { origins: [{ originId: "assets", domainName: "assets-1.s3.us-east-1.amazonaws.com" }] });
            const oac = resource("aws:cloudfront/originAccessControl:OriginAccessControl", "oac", {
                name: "oac",
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            });
            const never = resource("aws:cloudfront/originAccessControl:OriginAccessControl", "never", {
                name: "never",
                originAccessControlOriginType: "s3",
                signingBehavior: "never",
                signingProtocol: "sigv4",
            });
            await expectViolations("cloudfront-s3-origin-access-control", [distribution("ok"), bare, oac, never], [bare, never]);
        });
    });

    describe("cloudfront-logging", () => {
        it("passes S3 standard logging or a delivered log source; notes no logging, and a source nothing delivers", async () => {
            const v2 = distribution("v2", { loggingConfig: undefined });
            const source = resource(
                "aws:cloudwatch/logDeliverySource:LogDeliverySource",
                "v2-logs",
                { logType: "ACCESS_LOGS", resourceArn: v2.outputs.arn },
                { outputs: { name: "v2-logs-1" } },
            );
            const delivery = resource("aws:cloudwatch/logDelivery:LogDelivery", "v2-delivery", {
                deliverySourceName: "v2-logs-1",
                deliveryDestinationArn: "arn:dest",
            });
            const undelivered = distribution("undelivered", { loggingConfig: undefined });
            const orphan = resource(
                "aws:cloudwatch/logDeliverySource:LogDeliverySource",
                "orphan-logs",
                { logType: "ACCESS_LOGS", resourceArn: undelivered.outputs.arn },
                { outputs: { name: "orphan-logs-1" } },
            );
            const none = distribution("none", { loggingConfig: undefined });
            const v = await expectViolations("cloudfront-logging", [distribution("ok"), v2, source, delivery, undelivered, orphan, none], [undelivered, none]);
            assert.match(v.find((x) => x.urn === undelivered.urn)!.message, /no delivery sending it anywhere/);
        });
    });

    describe("cloudfront-response-headers-hsts", () => {
        it("passes a year of HSTS on a policy the distribution uses; notes a short HSTS and a distribution without a policy", async () => {
            const hsts = (seconds: number) => ({
                securityHeadersConfig: { strictTransportSecurity: { accessControlMaxAgeSec: seconds, includeSubdomains: true, override: true } },
            });
            const ok = resource("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "ok", { name: "ok", ...hsts(63072000) });
            const short = resource("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "short", { name: "short", ...hsts(3600) });
            const withPolicy = distribution("with-policy", {
                defaultCacheBehavior: {
                    targetOriginId: "alb",
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: ["GET"],
                    cachedMethods: ["GET"],
                    responseHeadersPolicyId: "ok",
                },
            });
            const without = distribution("without");
            await expectViolations("cloudfront-response-headers-hsts", [ok, short, withPolicy, without], [short, without]);
        });
    });

    describe("cloudfront-cache-compression", () => {
        it("passes a compressing cache policy and a never-caching one; notes a caching policy without compression", async () => {
            const keys = (gzip: boolean) => ({
                cookiesConfig: { cookieBehavior: "none" },
                headersConfig: { headerBehavior: "none" },
                queryStringsConfig: { queryStringBehavior: "none" },
                enableAcceptEncodingGzip: gzip,
                enableAcceptEncodingBrotli: gzip,
            });
            const ok = resource("aws:cloudfront/cachePolicy:CachePolicy", "static", {
                name: "static",
                minTtl: 0,
                defaultTtl: 86400,
                maxTtl: 31536000,
                parametersInCacheKeyAndForwardedToOrigin: keys(true),
            });
            const dynamic = resource("aws:cloudfront/cachePolicy:CachePolicy", "dynamic", {
                name: "dynamic",
                minTtl: 0,
                defaultTtl: 0,
                maxTtl: 0,
                parametersInCacheKeyAndForwardedToOrigin: keys(false),
            });
            const bad = resource("aws:cloudfront/cachePolicy:CachePolicy", "plain", {
                name: "plain",
                minTtl: 0,
                defaultTtl: 3600,
                maxTtl: 86400,
                parametersInCacheKeyAndForwardedToOrigin: keys(false),
            });
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

    describe("cloudfront-certificate-us-east-1", () => {
        it("passes a us-east-1 certificate and flags one from another region", async () => {
            const bad = albOriginDistribution("bad", {
                viewerCertificate: {
                    acmCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c",
                    sslSupportMethod: "sni-only",
                    minimumProtocolVersion: "TLSv1.2_2021",
                },
            });
            await expectViolations("cloudfront-certificate-us-east-1", [albOriginDistribution("ok"), bad], [bad]);
        });
    });

    describe("cloudfront-log-delivery-us-east-1", () => {
        it("passes a log delivery source in us-east-1 and flags one in another region", async () => {
            const d = albOriginDistribution("cdn");
            const ok = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "ok", { logType: "ACCESS_LOGS", resourceArn: DIST_ARN });
            const bad = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "bad", {
                logType: "ACCESS_LOGS",
                resourceArn: DIST_ARN,
                region: "eu-west-1",
            });
            await expectViolations("cloudfront-log-delivery-us-east-1", [d, ok, bad], [bad]);
        });
    });

    describe("cloudfront-own-host-origin-no-viewer-host", () => {
        const S3_DOMAIN = "assets-1.s3.us-east-1.amazonaws.com";
        const ALB_DOMAIN = "web-alb-1.us-east-1.elb.amazonaws.com";
        const policy = (name: string, headersConfig: Record<string, unknown>) =>
            resource(
                "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
                name,
                { name, cookiesConfig: { cookieBehavior: "all" }, headersConfig, queryStringsConfig: { queryStringBehavior: "all" } },
                { id: `orp-${name}` },
            );
        const allViewer = policy("all-viewer", { headerBehavior: "allViewer" });
        const namesHost = policy("names-host", { headerBehavior: "whitelist", headers: { items: ["Authorization", "Host"] } });
        const noHost = policy("no-host", { headerBehavior: "whitelist", headers: { items: ["Authorization"] } });
        const withBehaviours = (name: string, staticPolicy: string | undefined) =>
            albOriginDistribution(name, {
                origins: [
                    {
                        originId: "alb",
                        domainName: ALB_DOMAIN,
                        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
                    },
                    { originId: "assets", domainName: S3_DOMAIN, originAccessControlId: "oac-1" },
                ],
                defaultCacheBehavior: {
                    targetOriginId: "alb",
                    viewerProtocolPolicy: "redirect-to-https",
                    originRequestPolicyId: "orp-all-viewer",
                    allowedMethods: ["GET", "HEAD"],
                    cachedMethods: ["GET", "HEAD"],
                },
                orderedCacheBehaviors: [
                    {
                        pathPattern: "/static/*",
                        targetOriginId: "assets",
                        viewerProtocolPolicy: "redirect-to-https",
                        originRequestPolicyId: staticPolicy,
                        allowedMethods: ["GET", "HEAD"],
                        cachedMethods: ["GET", "HEAD"],
                    },
                ],
            });

        it("passes Host forwarded to a load balancer and S3 behaviours that don't forward it", async () => {
            await expectViolations(
                "cloudfront-own-host-origin-no-viewer-host",
                [allViewer, noHost, withBehaviours("plain", undefined), withBehaviours("listed", "orp-no-host")],
                [],
            );
        });

        it("flags an S3 behaviour forwarding Host through allViewer, a header list or the managed AllViewer policy", async () => {
            const viaAll = withBehaviours("via-all", "orp-all-viewer");
            const viaList = withBehaviours("via-list", "orp-names-host");
            const viaManaged = withBehaviours("via-managed", "216adef6-5c7f-47e4-b989-5492eafa07d3");
            const v = await expectViolations(
                "cloudfront-own-host-origin-no-viewer-host",
                [allViewer, namesHost, viaAll, viaList, viaManaged],
                [viaAll, viaList, viaManaged],
            );
            assert.ok(
                v.every((x) => /cache behaviour \/static\/\* forwards the viewer's Host header to origin assets/.test(x.message)),
                v.map((x) => x.message).join("\n"),
            );
        });
    });

    describe("cloudfront-certificate-us-east-1", () => {
        it("passes a us-east-1 certificate and flags one from another region", async () => {
            const eu = euOriginDistribution("eu", {
                viewerCertificate: {
                    acmCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c",
                    sslSupportMethod: "sni-only",
                    minimumProtocolVersion: "TLSv1.2_2021",
                },
            });
            const v = await expectViolations("cloudfront-certificate-us-east-1", [euOriginDistribution("ok"), eu], [eu]);
            assert.match(v[0].message, /uses an ACM certificate from eu-west-1; CloudFront accepts only certificates in us-east-1/);
        });
    });

    describe("cloudfront-log-delivery-us-east-1", () => {
        it("passes a distribution's delivery source in us-east-1, ignores other sources, flags one elsewhere (also when the ARN is unknown)", async () => {
            const d = euOriginDistribution("d");
            const ok = resource("aws:cloudwatch/logDeliverySource:LogDeliverySource", "ok", {
                logType: "ACCESS_LOGS",
                resourceArn: EDIST_ARN.replace("EDIST", "Ed"),
            });
            const other = resource(
                "aws:cloudwatch/logDeliverySource:LogDeliverySource",
                "other",
                { logType: "APPLICATION_LOGS", resourceArn: "arn:aws:bedrock:eu-west-1:123456789012:x" },
                inEu,
            );
            const misplaced = resource(
                "aws:cloudwatch/logDeliverySource:LogDeliverySource",
                "misplaced",
                { logType: "ACCESS_LOGS", resourceArn: EDIST_ARN },
                inEu,
            );
            // At preview the distribution's ARN is unknown: its dependency tells what it is.
            const unknown = resource(
                "aws:cloudwatch/logDeliverySource:LogDeliverySource",
                "unknown",
                { logType: "ACCESS_LOGS", resourceArn: "[unknown]" },
                { ...inEu, propertyDependencies: { resourceArn: [d.urn] } },
            );
            const v = await expectViolations("cloudfront-log-delivery-us-east-1", [euProvider, d, ok, other, misplaced, unknown], [misplaced, unknown]);
            for (const x of v) assert.match(x.message, /created in eu-west-1; CloudFront log delivery is configured in us-east-1 only/);
        });
    });
});
