import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, isProd, isSet, isUnknown, json } from "../lib";
import type { PlatformPolicy } from "../types";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource";
const LOG_DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery";

const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];
/** CloudFront security policies whose minimum is TLS 1.2 with the 2021 cipher set, or newer. */
const MODERN_VIEWER_TLS = /^TLSv1\.(2_(202[1-9])|3_\d{4})/;
/** S3 REST endpoints (website endpoints can't use origin access control and are public by design). */
const S3_REST_ORIGIN = /\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/;

/** A WAFv2 rule's statement, from `rules` or the JSON form `ruleJson`. */
function ruleStatements(p: { rules?: any[]; ruleJson?: string }): { managed: boolean; rate: boolean }[] {
    const fromJson = asList(json(p.ruleJson)).map((r: any) => ({ managed: Boolean(r?.Statement?.ManagedRuleGroupStatement), rate: Boolean(r?.Statement?.RateBasedStatement) }));
    const fromRules = (p.rules ?? []).map((r: any) => ({ managed: Boolean(r?.statement?.managedRuleGroupStatement), rate: Boolean(r?.statement?.rateBasedStatement) }));
    return [...fromRules, ...fromJson];
}

export const edgePolicies: PlatformPolicy[] = [
    {
        name: "cloudfront-viewer-https",
        description: "CloudFront sends viewers to HTTPS on every cache behaviour (redirect-to-https or https-only).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            const behaviours = [{ path: "default", policy: p.defaultCacheBehavior?.viewerProtocolPolicy }, ...(p.orderedCacheBehaviors ?? []).map((b) => ({ path: b.pathPattern, policy: b.viewerProtocolPolicy }))];
            for (const b of behaviours) if (!HTTPS_VIEWER_POLICIES.includes(b.policy as string)) report(`cache behaviour ${b.path} allows plain HTTP (viewerProtocolPolicy ${b.policy})`);
        }),
    },
    {
        name: "cloudfront-tls-minimum",
        description: "CloudFront's viewer certificate sets a TLSv1.2_2021 or newer minimum; in prod it is a custom (ACM) certificate, since the *.cloudfront.net one pins TLSv1.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, args, report) => {
            const cert = p.viewerCertificate;
            const custom = Boolean(cert?.acmCertificateArn || cert?.iamCertificateId);
            if (!custom) {
                if (isProd(args)) report("uses the default *.cloudfront.net certificate, for which CloudFront always allows TLSv1 whatever minimumProtocolVersion says; give prod an alias with an ACM certificate (us-east-1)");
                return;
            }
            if (!MODERN_VIEWER_TLS.test(cert?.minimumProtocolVersion ?? "")) report(`allows viewers ${cert?.minimumProtocolVersion ?? "TLSv1 (unset)"}; set minimumProtocolVersion TLSv1.2_2021 or newer`);
        }),
    },
    {
        name: "cloudfront-custom-certificate",
        description: "CloudFront serves a custom certificate, so its TLS minimum applies (the default certificate always allows TLSv1).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            if (!p.viewerCertificate?.acmCertificateArn && !p.viewerCertificate?.iamCertificateId) report("uses the default *.cloudfront.net certificate, which allows TLSv1");
        }),
    },
    {
        name: "cloudfront-origin-https",
        description: "CloudFront reaches custom origins over HTTPS only, with TLS 1.2.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            for (const o of p.origins ?? []) {
                const c = o.customOriginConfig;
                if (!c) continue;
                if (c.originProtocolPolicy !== "https-only") report(`origin ${o.originId} is reached over ${c.originProtocolPolicy}`);
                else if ((c.originSslProtocols ?? []).some((v) => v !== "TLSv1.2")) report(`origin ${o.originId} allows ${c.originSslProtocols.filter((v) => v !== "TLSv1.2").join(", ")}`);
            }
        }),
    },
    {
        name: "cloudfront-s3-origin-access-control",
        description: "S3 origins are reached through origin access control (or an identity), so the bucket stays private; OAC always signs requests.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
                for (const o of p.origins ?? []) {
                    if (!S3_REST_ORIGIN.test(o.domainName ?? "") || o.customOriginConfig) continue;
                    if (!o.originAccessControlId && !o.s3OriginConfig?.originAccessIdentity) report(`S3 origin ${o.originId} has no origin access control, so the bucket would have to be public`);
                }
            }),
            validateResourceOfType(aws.cloudfront.OriginAccessControl, (p, _a, report) => {
                if (p.originAccessControlOriginType === "s3" && p.signingBehavior !== "always") report(`signs ${p.signingBehavior} requests; use "always" so the bucket policy can require CloudFront`);
            }),
        ],
    },
    {
        name: "cloudfront-logging",
        description: "CloudFront distributions write standard logs: legacy S3 logging, or a CloudWatch log delivery source with a delivery.",
        enforcementLevel: "advisory",
        covers: [DISTRIBUTION, LOG_DELIVERY_SOURCE, LOG_DELIVERY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const sources = g.ofType(LOG_DELIVERY_SOURCE);
            const deliveries = g.ofType(LOG_DELIVERY);
            for (const d of g.ofType(DISTRIBUTION)) {
                if (isSet(d.props, "loggingConfig.bucket")) continue;
                const own = sources.filter((s) => {
                    const r = g.resolve(s, "resourceArn", [DISTRIBUTION]);
                    return isUnknown(r) || r.includes(d);
                });
                if (own.length === 0) {
                    report("writes no standard logs", d.urn);
                    continue;
                }
                // A source alone delivers nothing; a delivery must name it (or name what preview can't read).
                const delivered = deliveries.some((l) => {
                    const name = l.props.deliverySourceName;
                    return name === undefined || isUnknown(name) || own.some((s) => s.props.name === name || isUnknown(s.props.name));
                });
                if (!delivered) report(`has a log delivery source (${own.map((s) => s.name).join(", ")}) but no delivery sending it anywhere`, d.urn);
            }
        },
    },
    {
        name: "cloudfront-response-headers-hsts",
        description: "CloudFront response headers policies send Strict-Transport-Security for at least a year, and the default behaviour uses one.",
        enforcementLevel: "advisory",
        validateResource: [
            validateResourceOfType(aws.cloudfront.ResponseHeadersPolicy, (p, _a, report) => {
                const hsts = p.securityHeadersConfig?.strictTransportSecurity;
                if (!hsts) report("sends no Strict-Transport-Security header");
                else if (hsts.accessControlMaxAgeSec < 31536000) report(`keeps HSTS for ${hsts.accessControlMaxAgeSec}s; use at least a year (31536000)`);
            }),
            validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
                if (!isSet(p, "defaultCacheBehavior.responseHeadersPolicyId")) report("adds no security headers (no responseHeadersPolicyId on the default behaviour)");
            }),
        ],
    },
    {
        name: "cloudfront-cache-compression",
        description: "CloudFront cache policies that cache (a TTL above 0) accept gzip and Brotli, so cached objects are served compressed.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudfront.CachePolicy, (p, _a, report) => {
            if ((p.maxTtl ?? 31536000) === 0) return;
            const keys = p.parametersInCacheKeyAndForwardedToOrigin;
            if (keys?.enableAcceptEncodingGzip !== true || keys?.enableAcceptEncodingBrotli !== true) report("caches without accepting gzip and Brotli encodings");
        }),
    },
    {
        name: "cloudfront-waf-prod",
        description: "In prod, CloudFront distributions are protected by a WAF web ACL.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, args, report) => {
            if (isProd(args) && !isSet(p, "webAclId")) report("has no WAF web ACL in prod");
        }),
    },
    {
        name: "waf-managed-and-rate-rules",
        description: "WAF web ACLs include at least one AWS managed rule group and a rate-based rule.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.wafv2.WebAcl, (p, _a, report) => {
            const statements = ruleStatements(p);
            if (!statements.some((s) => s.managed)) report("has no managed rule group (e.g. AWSManagedRulesCommonRuleSet)");
            if (!statements.some((s) => s.rate)) report("has no rate-based rule, so nothing throttles a flood from one address");
        }),
    },
];
