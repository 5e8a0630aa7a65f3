import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SecureBucket } from "./bucket";
import type { OriginHeader } from "./web-cluster";
import type { PlatformContext } from "./context";
import { platformName, stackName } from "./names";
import { withDefaults, type WithDefaults } from "../lib/defaults";

/** The header CloudFront adds to every request to the load balancer. */
export const ORIGIN_HEADER_NAME = "X-Origin-Verify";

/**
 * The secret that proves a request to the load balancer came through this stack's CloudFront
 * distribution: the managed prefix list admits every distribution, anyone's. 48 letters and
 * digits: no `*` or `?`, which an ALB header condition would read as wildcards, and well inside
 * the 128 characters such a condition's value may have. CloudFront overwrites a header of the same
 * name sent by a viewer, so it can't be forged through the distribution. It lives only in
 * the distribution's and the listener rules' (secret) state; nothing else reads it.
 */
export class OriginSecret extends pulumi.ComponentResource {
    public readonly header: OriginHeader;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:OriginSecret", name, {}, opts);
        const value = new random.RandomPassword(`${name}-value`, { length: 48, special: false }, { parent: this });
        this.header = { name: ORIGIN_HEADER_NAME, value: pulumi.secret(value.result) };
        this.registerOutputs({});
    }
}

/** CloudFront standard logs use Hive-compatible paths, so Athena and Glue read their partitions as they are. */
const ACCESS_LOGS_HIVE_PATHS = true;

/**
 * The prefix a CloudWatch V2 log delivery writes under in S3: AWSLogs/<account>/<Service>/..., or
 * with Hive-compatible paths AWSLogs/aws-account-id=<account>/... The bucket policy admits exactly it.
 */
function vendedLogsPrefix(accountId: pulumi.Input<string>, hive: boolean): pulumi.Output<string> {
    return pulumi.interpolate`AWSLogs/${hive ? "aws-account-id=" : ""}${accountId}`;
}

export interface EdgeArgs {
    /** A WAF web ACL in front of CloudFront (dev may skip it to save cost; prod must keep it). */
    waf: boolean;
    /** CloudFront price class. */
    priceClass: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
    /** ACM certificate (in us-east-1) covering the aliases; without one (dev only) CloudFront serves *.cloudfront.net, whose TLS minimum AWS fixes at TLSv1. */
    certificateArn?: string;
    /** Domain names viewers use (CNAMEs of the distribution); required with certificateArn. With HTTPS to the load balancer, web.certificateArn must cover them too. */
    aliases: string[];
    /**
     * CloudFront security policy for viewers (TLS 1.2 or later); applies with certificateArn.
     * @default "TLSv1.2_2021"
     */
    minimumProtocolVersion?: "TLSv1.2_2021" | "TLSv1.2_2025" | "TLSv1.3_2025";
    /** CloudFront path patterns served from the static-assets bucket and cached; everything else goes to the load balancer uncached. */
    staticPathPatterns: string[];
    /**
     * Path patterns sent to the load balancer ahead of the static paths (the public container
     * services' routes), uncached like the default behaviour, with the origin header.
     * @default []
     */
    albPathPatterns?: string[];
    /**
     * Seconds static assets stay cached when the object sets no Cache-Control.
     * @default 86400
     */
    staticDefaultTtlSeconds?: number;
    /**
     * Upper bound on how long static assets stay cached, whatever Cache-Control says.
     * @default 31536000
     */
    staticMaxTtlSeconds?: number;
    /** WAF rate-based rule: requests one IP address may make per rateWindowSeconds before it is blocked (AWS allows 10 to 2,000,000,000). */
    rateLimit: number;
    /**
     * WAF rate-based rule's evaluation window: 60, 120, 300 or 600 seconds.
     * @default 300
     */
    rateWindowSeconds?: 60 | 120 | 300 | 600;
    /** Days CloudFront's standard logs are kept in their bucket. */
    logExpirationDays: number;
    /** The load balancer's DNS name: the origin of everything but the static paths. */
    albDnsName: pulumi.Input<string>;
    /** The load balancer has a certificate: CloudFront reaches it over HTTPS (TLS 1.2), otherwise over HTTP (dev). */
    originHttps: boolean;
    /** The secret header the load balancer requires (see OriginSecret). */
    originHeader: OriginHeader;
    /** A provider for us-east-1, with the stack's default tags: CloudFront's web ACL and log delivery exist only there. */
    usEast1: aws.Provider;
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

/** The defaults of EdgeArgs's optional fields (each documented with `@default`). */
export const EDGE_DEFAULTS = {
    albPathPatterns: [] as string[],
    minimumProtocolVersion: "TLSv1.2_2021",
    staticDefaultTtlSeconds: 86400,
    staticMaxTtlSeconds: 31536000,
    rateWindowSeconds: 300,
} as const;

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
/** CloudFront's own certificate for *.cloudfront.net: AWS pins its minimum at TLSv1, whatever is asked. */
const DEFAULT_CERTIFICATE_TLS = "TLSv1";

/** The web ACL's rules in evaluation order (their priority): known-bad addresses first, the cheapest decision. */
const WAF_RULES: ({ name: string; managedGroup: string } | { name: string; rateLimit: true })[] = [
    { name: "aws-ip-reputation", managedGroup: "AWSManagedRulesAmazonIpReputationList" },
    { name: "rate-limit-per-ip", rateLimit: true },
    { name: "aws-common", managedGroup: "AWSManagedRulesCommonRuleSet" },
    { name: "aws-known-bad-inputs", managedGroup: "AWSManagedRulesKnownBadInputsRuleSet" },
];

type Args = WithDefaults<EdgeArgs, typeof EDGE_DEFAULTS>;

/** The static-assets origin: its bucket and the access control CloudFront signs requests to it with. */
interface AssetsOrigin {
    bucket: SecureBucket;
    accessControl: aws.cloudfront.OriginAccessControl;
}

interface CachePolicies {
    staticCache: aws.cloudfront.CachePolicy;
    dynamicCache: aws.cloudfront.CachePolicy;
    forwardAll: aws.cloudfront.OriginRequestPolicy;
    securityHeaders: aws.cloudfront.ResponseHeadersPolicy;
}

/** CloudFront policies and access controls are named per account: the stack keeps them apart. */
const accountName = (name: string, what: string) => platformName(name, what);

/**
 * The front door: a CloudFront distribution with two origins. Static paths come from a private
 * S3 bucket through origin access control (the bucket policy admits only this distribution) and
 * are cached; everything else goes to the load balancer uncached, with every viewer header,
 * cookie and query string, and the secret origin header. Viewers are redirected to HTTPS, with a
 * TLS 1.2+ security policy on the custom certificate. An optional WAF web ACL (AWS managed rule
 * groups and a per-IP rate limit) and standard logs (v2, delivered to an encrypted bucket).
 */
export class Edge extends pulumi.ComponentResource {
    public readonly distributionId: pulumi.Output<string>;
    public readonly distributionArn: pulumi.Output<string>;
    /** The distribution's *.cloudfront.net name; point the aliases at it. */
    public readonly domainName: pulumi.Output<string>;
    /** https:// and the first alias, or the *.cloudfront.net name without one. */
    public readonly url: pulumi.Output<string>;
    /** Every origin browsers may load the site from (for CORS). */
    public readonly origins: pulumi.Output<string[]>;
    public readonly assetsBucket: pulumi.Output<string>;
    public readonly logBucket: pulumi.Output<string>;
    public readonly webAclArn: pulumi.Output<string> | undefined;

    constructor(name: string, given: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:Edge", name, {}, opts);
        const args = withDefaults(EDGE_DEFAULTS, given);

        // The bucket policy names the distribution, which names the bucket: the ARN is filled in once the distribution exists.
        const [distributionArn, resolveDistributionArn] = pulumi.deferredOutput<string>();
        const assets = this.assetsOrigin(name, args, distributionArn);
        const policies = this.cachePolicies(name, args);
        const webAcl = args.waf ? this.webAcl(name, args) : undefined;
        const distribution = this.distribution(name, args, assets, policies, webAcl);
        resolveDistributionArn(distribution.arn);
        const logs = this.standardLogs(name, args, distribution);

        this.distributionId = distribution.id;
        this.distributionArn = distribution.arn;
        this.domainName = distribution.domainName;
        const hosts = args.aliases.length > 0 ? pulumi.output(args.aliases) : distribution.domainName.apply((d) => [d]);
        this.url = hosts.apply((h) => `https://${h[0]}`);
        this.origins = pulumi.all([hosts, distribution.domainName]).apply(([h, d]) => [...new Set([...h, d])].map((host) => `https://${host}`));
        this.assetsBucket = assets.bucket.name;
        this.logBucket = logs.name;
        this.webAclArn = webAcl?.arn;
        this.registerOutputs({
            distributionId: this.distributionId,
            domainName: this.domainName,
            url: this.url,
            assetsBucket: this.assetsBucket,
            logBucket: this.logBucket,
        });
    }

    /** The private static-assets bucket, readable only by this distribution, and the access control CloudFront signs its requests with. */
    private assetsOrigin(name: string, args: Args, distributionArn: pulumi.Output<string>): AssetsOrigin {
        const bucket = new SecureBucket(
            `${name}-assets`,
            {
                kmsKeyArn: args.context.kmsKeyArn,
                versioning: true,
                noncurrentVersionExpirationDays: 30,
                protect: args.context.stateful.protect,
                policyStatements: (bucketArn) => [
                    {
                        Sid: "ThisDistributionReadsAssets",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "s3:GetObject",
                        Resource: pulumi.interpolate`${bucketArn}/*`,
                        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
                    },
                ],
            },
            { parent: this },
        );
        const accessControl = new aws.cloudfront.OriginAccessControl(
            `${name}-assets-oac`,
            {
                name: accountName(name, "assets"),
                description: `${name} (${stackName()}): CloudFront signs its requests to the assets bucket`,
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            { parent: this },
        );
        return { bucket, accessControl };
    }

    /** Static paths cached and compressed; dynamic paths never cached, everything forwarded; security headers on both. */
    private cachePolicies(name: string, args: Args): CachePolicies {
        const parent = { parent: this };
        const staticCache = new aws.cloudfront.CachePolicy(
            `${name}-static-cache`,
            {
                name: accountName(name, "static"),
                comment: "Static assets: cached by path alone, compressed",
                minTtl: 0,
                defaultTtl: args.staticDefaultTtlSeconds,
                maxTtl: args.staticMaxTtlSeconds,
                parametersInCacheKeyAndForwardedToOrigin: {
                    cookiesConfig: { cookieBehavior: "none" },
                    headersConfig: { headerBehavior: "none" },
                    queryStringsConfig: { queryStringBehavior: "none" },
                    enableAcceptEncodingGzip: true,
                    enableAcceptEncodingBrotli: true,
                },
            },
            parent,
        );
        const dynamicCache = new aws.cloudfront.CachePolicy(
            `${name}-dynamic-cache`,
            {
                name: accountName(name, "dynamic"),
                comment: "Dynamic paths: never cached (every TTL 0)",
                minTtl: 0,
                defaultTtl: 0,
                maxTtl: 0,
                // With caching off, the cache key may hold nothing; the origin request policy forwards instead.
                parametersInCacheKeyAndForwardedToOrigin: {
                    cookiesConfig: { cookieBehavior: "none" },
                    headersConfig: { headerBehavior: "none" },
                    queryStringsConfig: { queryStringBehavior: "none" },
                    enableAcceptEncodingGzip: false,
                    enableAcceptEncodingBrotli: false,
                },
            },
            parent,
        );
        // allViewer carries Authorization (CloudFront forwards it this way only when caching is off;
        // a header list naming it is rejected) and Host, which CloudFront checks the load
        // balancer's certificate against over HTTPS: the certificate must cover the aliases.
        const forwardAll = new aws.cloudfront.OriginRequestPolicy(
            `${name}-dynamic-forward`,
            {
                name: accountName(name, "dynamic"),
                comment: "Dynamic paths: every viewer header (Authorization, Host), cookie and query string",
                cookiesConfig: { cookieBehavior: "all" },
                headersConfig: { headerBehavior: "allViewer" },
                queryStringsConfig: { queryStringBehavior: "all" },
            },
            parent,
        );
        const securityHeaders = new aws.cloudfront.ResponseHeadersPolicy(
            `${name}-security-headers`,
            {
                name: accountName(name, "security"),
                comment: "HSTS, nosniff, no framing, strict referrer",
                securityHeadersConfig: {
                    strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: false, override: true },
                    contentTypeOptions: { override: true },
                    frameOptions: { frameOption: "DENY", override: true },
                    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
                },
            },
            parent,
        );
        return { staticCache, dynamicCache, forwardAll, securityHeaders };
    }

    /** The WAF web ACL: a web ACL for CloudFront is global, scope CLOUDFRONT, created in us-east-1. */
    private webAcl(name: string, args: Args): aws.wafv2.WebAcl {
        const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, metricName: `${name}-${metric}`, sampledRequestsEnabled: true });
        return new aws.wafv2.WebAcl(
            `${name}-waf`,
            {
                scope: "CLOUDFRONT",
                description: `${name} (${stackName()}): AWS managed rule groups and a per-IP rate limit`,
                defaultAction: { allow: {} },
                rules: WAF_RULES.map((rule, priority) =>
                    "managedGroup" in rule
                        ? {
                              name: rule.name,
                              priority,
                              overrideAction: { none: {} },
                              statement: { managedRuleGroupStatement: { vendorName: "AWS", name: rule.managedGroup } },
                              visibilityConfig: visibility(rule.name),
                          }
                        : {
                              name: rule.name,
                              priority,
                              action: { block: {} },
                              statement: { rateBasedStatement: { limit: args.rateLimit, evaluationWindowSec: args.rateWindowSeconds, aggregateKeyType: "IP" } },
                              visibilityConfig: visibility(rule.name),
                          },
                ),
                visibilityConfig: visibility("web-acl"),
            },
            { parent: this, provider: args.usEast1 },
        );
    }

    /** The distribution: the load balancer by default, uncached; the static paths from the assets bucket, cached. */
    private distribution(
        name: string,
        args: Args,
        assets: AssetsOrigin,
        policies: CachePolicies,
        webAcl: aws.wafv2.WebAcl | undefined,
    ): aws.cloudfront.Distribution {
        const viewerCertificate: aws.types.input.cloudfront.DistributionViewerCertificate = args.certificateArn
            ? { acmCertificateArn: args.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: args.minimumProtocolVersion }
            : { cloudfrontDefaultCertificate: true, minimumProtocolVersion: DEFAULT_CERTIFICATE_TLS };
        const toAlb = {
            targetOriginId: "alb",
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: ALL_METHODS,
            cachedMethods: ["GET", "HEAD"],
            cachePolicyId: policies.dynamicCache.id,
            originRequestPolicyId: policies.forwardAll.id,
            responseHeadersPolicyId: policies.securityHeaders.id,
            compress: false,
        };
        return new aws.cloudfront.Distribution(
            `${name}-cdn`,
            {
                comment: `${name} (${stackName()})`,
                enabled: true,
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: args.priceClass,
                aliases: args.aliases,
                viewerCertificate,
                webAclId: webAcl?.arn,
                origins: [
                    {
                        originId: "alb",
                        domainName: args.albDnsName,
                        customOriginConfig: {
                            httpPort: 80,
                            httpsPort: 443,
                            originProtocolPolicy: args.originHttps ? "https-only" : "http-only",
                            originSslProtocols: ["TLSv1.2"],
                            originReadTimeout: 30,
                            originKeepaliveTimeout: 5,
                        },
                        customHeaders: [{ name: args.originHeader.name, value: args.originHeader.value }],
                    },
                    { originId: "assets", domainName: assets.bucket.bucket.bucketRegionalDomainName, originAccessControlId: assets.accessControl.id },
                ],
                defaultCacheBehavior: toAlb,
                // Behaviours match in order: the load balancer's own paths win over any static pattern.
                orderedCacheBehaviors: [
                    ...args.albPathPatterns.map((pathPattern) => ({ pathPattern, ...toAlb })),
                    ...args.staticPathPatterns.map((pathPattern) => ({
                        pathPattern,
                        targetOriginId: "assets",
                        viewerProtocolPolicy: "redirect-to-https",
                        allowedMethods: ["GET", "HEAD", "OPTIONS"],
                        cachedMethods: ["GET", "HEAD"],
                        cachePolicyId: policies.staticCache.id,
                        responseHeadersPolicyId: policies.securityHeaders.id,
                        compress: true,
                    })),
                ],
                restrictions: { geoRestriction: { restrictionType: "none" } },
            },
            { parent: this },
        );
    }

    /**
     * Standard logs (v2): CloudWatch vended log delivery, so the bucket keeps ACLs disabled (the
     * legacy S3 logging writes through bucket ACLs). The API is called in us-east-1 only; the
     * bucket, in the home region, receives them cross-region.
     */
    private standardLogs(name: string, args: Args, distribution: aws.cloudfront.Distribution): SecureBucket {
        const global = { parent: this, provider: args.usEast1 };
        const logs = new SecureBucket(
            `${name}-logs`,
            {
                kmsKeyArn: args.context.kmsKeyArn,
                // Logs are written once; versioning guards them against overwrite and deletion.
                versioning: true,
                noncurrentVersionExpirationDays: 30,
                expirationDays: args.logExpirationDays,
                protect: args.context.stateful.protect,
                policyStatements: (bucketArn) => {
                    const fromThisAccountsDeliveries = {
                        StringEquals: { "aws:SourceAccount": args.context.accountId },
                        ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:logs:us-east-1:${args.context.accountId}:delivery-source:*` },
                    };
                    return [
                        {
                            Sid: "LogDeliveryWrites",
                            Principal: { Service: "delivery.logs.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${bucketArn}/${vendedLogsPrefix(args.context.accountId, ACCESS_LOGS_HIVE_PATHS)}/*`,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": args.context.accountId, "s3:x-amz-acl": "bucket-owner-full-control" },
                                ArnLike: fromThisAccountsDeliveries.ArnLike,
                            },
                        },
                        {
                            Sid: "LogDeliveryChecksBucket",
                            Principal: { Service: "delivery.logs.amazonaws.com" },
                            Action: ["s3:GetBucketAcl", "s3:ListBucket"],
                            Resource: bucketArn,
                            Condition: fromThisAccountsDeliveries,
                        },
                    ];
                },
            },
            { parent: this },
        );
        const source = new aws.cloudwatch.LogDeliverySource(`${name}-access-logs`, { logType: "ACCESS_LOGS", resourceArn: distribution.arn }, global);
        const destination = new aws.cloudwatch.LogDeliveryDestination(
            `${name}-logs-bucket`,
            { outputFormat: "parquet", deliveryDestinationConfiguration: { destinationResourceArn: logs.arn } },
            { ...global, dependsOn: [logs.policy] },
        );
        new aws.cloudwatch.LogDelivery(
            `${name}-access-logs-delivery`,
            {
                deliverySourceName: source.name,
                deliveryDestinationArn: destination.arn,
                s3DeliveryConfigurations: [{ enableHiveCompatiblePath: ACCESS_LOGS_HIVE_PATHS, suffixPath: "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}" }],
            },
            // AWS puts AWSLogs/<account>/... in front of the path only when a delivery is created; an
            // update drops it (CloudFormation's and the Terraform provider's trackers both report it),
            // moving the logs outside what the bucket policy admits. So a change recreates the delivery.
            { ...global, replaceOnChanges: ["s3DeliveryConfigurations"], deleteBeforeReplace: true },
        );
        return logs;
    }
}
