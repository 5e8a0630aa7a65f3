/** CloudFront rules: HTTPS and TLS, certificates, origins, logging, headers, WAF, and companions that must live in us-east-1. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, at, isProd, isSet, isUnknown } from "../lib";
import { DISTRIBUTION, LOG_DELIVERY, LOG_DELIVERY_SOURCE, regionOf } from "../shared";
import type { PlatformPolicy } from "../types";

const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];

/** CloudFront security policies whose minimum is TLS 1.2 with the 2021 cipher set, or newer. */
const MODERN_VIEWER_TLS = /^TLSv1\.(2_(202[1-9])|3_\d{4})/;

/** S3 REST endpoints (website endpoints can't use origin access control and are public by design). */
const S3_REST_ORIGIN = /\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/;

const ORIGIN_REQUEST_POLICY = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy";

/** Managed origin request policies that forward the viewer's Host header: AllViewer, AllViewerAndCloudFrontHeaders-2022-06. */
const MANAGED_HOST_FORWARDING = new Set(["216adef6-5c7f-47e4-b989-5492eafa07d3", "33f36d7e-f396-46d9-90e0-52428a34d9dc"]);

/** Origins that answer only for their own host name: S3 REST endpoints, API Gateway's and Lambda function URLs' default domains. */
const OWN_HOST_ORIGIN = /(\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com|\.execute-api\.[a-z0-9-]+\.amazonaws\.com|\.lambda-url\.[a-z0-9-]+\.on\.aws)$/;

/** Whether an origin request policy (a resource in the stack, or a managed one by id) forwards the viewer's Host header; undefined if unknown. */
function forwardsViewerHost(g: StackGraph, policyId: unknown): boolean | undefined {
    if (policyId === undefined || policyId === null || policyId === "") return false;
    if (isUnknown(policyId)) return undefined;
    if (MANAGED_HOST_FORWARDING.has(policyId as string)) return true;
    const [policy] = g.lookup(policyId, [ORIGIN_REQUEST_POLICY]);
    if (!policy) return undefined;
    const headers = policy.props.headersConfig;
    if (isUnknown(headers) || isUnknown(at(headers, "headerBehavior"))) return undefined;
    if (at(headers, "headerBehavior") === "allViewer") return true;
    return asList(at(headers, "headers.items")).some((h) => typeof h === "string" && h.toLowerCase() === "host");
}

const CLOUDFRONT_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\//;

export const cloudfrontPolicies: PlatformPolicy[] = [
    {
        name: "cloudfront-viewer-https",
        description: "CloudFront sends viewers to HTTPS on every cache behaviour (redirect-to-https or https-only).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            const behaviours = [
                { path: "default", policy: p.defaultCacheBehavior?.viewerProtocolPolicy },
                ...(p.orderedCacheBehaviors ?? []).map((b) => ({ path: b.pathPattern, policy: b.viewerProtocolPolicy })),
            ];
            for (const b of behaviours)
                if (!HTTPS_VIEWER_POLICIES.includes(b.policy as string))
                    report(`cache behaviour ${b.path} allows plain HTTP (viewerProtocolPolicy ${b.policy})`);
        }),
    },
    {
        name: "cloudfront-tls-minimum",
        description:
            "CloudFront's viewer certificate sets a TLSv1.2_2021 or newer minimum; in prod it is a custom (ACM) certificate, since the *.cloudfront.net one pins TLSv1.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, args, report) => {
            const cert = p.viewerCertificate;
            const custom = Boolean(cert?.acmCertificateArn || cert?.iamCertificateId);
            if (!custom) {
                if (isProd(args))
                    report(
                        "uses the default *.cloudfront.net certificate, for which CloudFront always allows TLSv1 whatever minimumProtocolVersion says; give prod an alias with an ACM certificate (us-east-1)",
                    );
                return;
            }
            if (!MODERN_VIEWER_TLS.test(cert?.minimumProtocolVersion ?? ""))
                report(`allows viewers ${cert?.minimumProtocolVersion ?? "TLSv1 (unset)"}; set minimumProtocolVersion TLSv1.2_2021 or newer`);
        }),
    },
    {
        name: "cloudfront-custom-certificate",
        description: "CloudFront serves a custom certificate, so its TLS minimum applies (the default certificate always allows TLSv1).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            if (!p.viewerCertificate?.acmCertificateArn && !p.viewerCertificate?.iamCertificateId)
                report("uses the default *.cloudfront.net certificate, which allows TLSv1");
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
                else if ((c.originSslProtocols ?? []).some((v) => v !== "TLSv1.2"))
                    report(`origin ${o.originId} allows ${c.originSslProtocols.filter((v) => v !== "TLSv1.2").join(", ")}`);
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
                    if (!o.originAccessControlId && !o.s3OriginConfig?.originAccessIdentity)
                        report(`S3 origin ${o.originId} has no origin access control, so the bucket would have to be public`);
                }
            }),
            validateResourceOfType(aws.cloudfront.OriginAccessControl, (p, _a, report) => {
                if (p.originAccessControlOriginType === "s3" && p.signingBehavior !== "always")
                    report(`signs ${p.signingBehavior} requests; use "always" so the bucket policy can require CloudFront`);
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
                if (!isSet(p, "defaultCacheBehavior.responseHeadersPolicyId"))
                    report("adds no security headers (no responseHeadersPolicyId on the default behaviour)");
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
            if (keys?.enableAcceptEncodingGzip !== true || keys?.enableAcceptEncodingBrotli !== true)
                report("caches without accepting gzip and Brotli encodings");
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
        name: "cloudfront-certificate-us-east-1",
        description: "A distribution's ACM certificate is in us-east-1, the only region CloudFront reads certificates from.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
            const arn = p.viewerCertificate?.acmCertificateArn;
            if (typeof arn !== "string") return;
            const region = arn.split(":")[3];
            if (region !== "us-east-1") report(`uses an ACM certificate from ${region}; CloudFront accepts only certificates in us-east-1`);
        }),
    },
    {
        name: "cloudfront-log-delivery-us-east-1",
        description:
            "A CloudWatch log delivery source for a CloudFront distribution (standard logging v2) is created in us-east-1, where alone the API accepts it.",
        enforcementLevel: "mandatory",
        covers: [LOG_DELIVERY_SOURCE, DISTRIBUTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const r of args.resources) {
                if (r.type !== LOG_DELIVERY_SOURCE) continue;
                const node = g.nodes.find((n) => n.urn === r.urn)!;
                const arn = node.props.resourceArn;
                const forDistribution = isUnknown(arn)
                    ? (node.deps.resourceArn ?? []).some((d) => d.type === DISTRIBUTION)
                    : typeof arn === "string" && CLOUDFRONT_ARN.test(arn);
                if (!forDistribution) continue;
                const region = regionOf(node.props, r.provider);
                if (region !== undefined && region !== "us-east-1")
                    report(
                        `delivers a CloudFront distribution's logs but is created in ${region}; CloudFront log delivery is configured in us-east-1 only (the destination may be elsewhere)`,
                        r.urn,
                    );
            }
        },
    },
    {
        name: "cloudfront-own-host-origin-no-viewer-host",
        description:
            "A cache behaviour whose origin answers only for its own host name (an S3 REST endpoint, an origin signed with origin access control, API Gateway's or a Lambda URL's default domain) does not forward the viewer's Host header: the origin would reject every request (403).",
        enforcementLevel: "mandatory",
        covers: [DISTRIBUTION, ORIGIN_REQUEST_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const d of g.ofType(DISTRIBUTION)) {
                const ownHost = new Set<unknown>();
                for (const o of asList(d.props.origins)) {
                    const originId = at(o, "originId");
                    if (isUnknown(o) || isUnknown(originId)) continue;
                    const signed = Boolean(at(o, "originAccessControlId")) || Boolean(at(o, "s3OriginConfig"));
                    const domainName = at(o, "domainName");
                    if (signed || (typeof domainName === "string" && OWN_HOST_ORIGIN.test(domainName))) ownHost.add(originId);
                }
                const behaviours = [
                    { path: "default", b: d.props.defaultCacheBehavior },
                    ...asList(d.props.orderedCacheBehaviors).map((b) => ({ path: at(b, "pathPattern"), b })),
                ];
                for (const { path, b } of behaviours) {
                    if (isUnknown(b) || !ownHost.has(at(b, "targetOriginId"))) continue;
                    if (forwardsViewerHost(g, at(b, "originRequestPolicyId"))) {
                        report(
                            `cache behaviour ${path} forwards the viewer's Host header to origin ${at(b, "targetOriginId")}, which answers only for its own host name; use a policy without Host (e.g. AllViewerExceptHostHeader)`,
                            d.urn,
                        );
                    }
                }
            }
        },
    },
];
