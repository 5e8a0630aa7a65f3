import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";
import { albPathProblem, cloudFrontPathProblem, MAX_STRANGLER_PATH_RULES, overlap, packPathRules } from "../../lib/path-patterns";

/** CloudFront security policies with a TLS 1.2 or later minimum; older ones are not offered. */
export const VIEWER_TLS_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] as const;

/** WAF rate-based rules count over one of these windows (seconds). */
export const WAF_RATE_WINDOWS = [60, 120, 300, 600] as const;

/** CloudFront accepts at most 100 alternate domain names (CNAMEs) per distribution by default. */
export const MAX_ALIASES = 100;

const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const strangler = z
    .strictObject({
        migratedPaths: z
            .array(z.string())
            .describe("ALB path patterns (e.g. /items/*) the new service now serves instead of the legacy fleet; routes not listed stay on the legacy fleet."),
        newServiceWeight: z
            .int()
            .min(0)
            .max(100)
            .describe(
                "Percentage of the remaining (not migrated) requests sent to the new service, for a canary-style cut-over; 0 keeps them all on the legacy fleet.",
            ),
        stickinessSeconds: z
            .int()
            .refine((s) => s === 0 || (s >= 1 && s <= 604800), { message: "must be 0 (off) or between 1 and 604800 (7 days)" })
            .describe("With a weighted split, keep a client on the target group it first reached for this long (0: every request is split anew)."),
    })
    .superRefine((s, ctx) => {
        s.migratedPaths.forEach((p, i) => {
            const problem = albPathProblem(p);
            if (problem) return ctx.addIssue({ code: "custom", path: ["migratedPaths", i], input: p, message: problem });
            const earlier = s.migratedPaths.slice(0, i).findIndex((q) => albPathProblem(q) === undefined && overlap(p, q));
            if (earlier >= 0) {
                const q = s.migratedPaths[earlier];
                ctx.addIssue({
                    code: "custom",
                    path: ["migratedPaths", i],
                    input: p,
                    message:
                        q === p
                            ? `is listed twice (migratedPaths[${earlier}])`
                            : `overlaps migratedPaths[${earlier}] "${q}" (some path matches both); list each route once`,
                });
            }
        });
        const rules = packPathRules(s.migratedPaths).length;
        if (rules > MAX_STRANGLER_PATH_RULES) {
            ctx.addIssue({
                code: "custom",
                path: ["migratedPaths"],
                input: s.migratedPaths,
                message: `needs ${rules} listener rules; an ALB takes at most ${MAX_STRANGLER_PATH_RULES} besides the platform's own (migrate a common prefix such as /api/* instead)`,
            });
        }
        if (s.stickinessSeconds > 0 && s.newServiceWeight === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["stickinessSeconds"],
                input: s.stickinessSeconds,
                message: "applies to a weighted split only; set newServiceWeight above 0 or stickinessSeconds to 0",
            });
        }
    });

/** `platform:edge`: CloudFront, WAF and strangler-fig routing. */
export const schema = z
    .strictObject({
        waf: z.boolean().describe("A WAF web ACL in front of CloudFront (dev may skip it to save cost; prod must keep it)."),
        priceClass: z.enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).describe("CloudFront price class."),
        certificateArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, { message: "must be an ACM certificate ARN" })
            .optional()
            .describe(
                "ACM certificate (in us-east-1) covering the aliases; without one (dev only) CloudFront serves *.cloudfront.net, whose TLS minimum AWS fixes at TLSv1.",
            ),
        aliases: z
            .array(z.string())
            .max(MAX_ALIASES)
            .describe(
                "Domain names viewers use (CNAMEs of the distribution); required with certificateArn. With HTTPS to the load balancer, web.certificateArn must cover them too.",
            ),
        minimumProtocolVersion: z.enum(VIEWER_TLS_POLICIES).describe("CloudFront security policy for viewers (TLS 1.2 or later); applies with certificateArn."),
        staticPathPatterns: z
            .array(z.string())
            .min(1)
            .describe("CloudFront path patterns served from the static-assets bucket and cached; everything else goes to the load balancer uncached."),
        staticDefaultTtlSeconds: z.int().min(0).max(31536000).describe("Seconds static assets stay cached when the object sets no Cache-Control."),
        staticMaxTtlSeconds: z.int().min(0).max(31536000).describe("Upper bound on how long static assets stay cached, whatever Cache-Control says."),
        rateLimit: z
            .int()
            .min(10)
            .max(2_000_000_000)
            .describe("WAF rate-based rule: requests one IP address may make per rateWindowSeconds before it is blocked (AWS allows 10 to 2,000,000,000)."),
        rateWindowSeconds: z.literal(WAF_RATE_WINDOWS).describe("WAF rate-based rule's evaluation window: 60, 120, 300 or 600 seconds."),
        logExpirationDays: z.int().min(1).max(3650).describe("Days CloudFront's standard logs are kept in their bucket."),
        logRetentionDays: logRetentionDays.describe("Days the new service's function logs are kept."),
        strangler: strangler.describe("Strangler-fig routing on the load balancer: which routes the new service has taken over from the legacy fleet."),
    })
    .superRefine((edge, ctx) => {
        if (edge.certificateArn) {
            // CloudFront is global and reads ACM certificates from us-east-1 only.
            const certRegion = edge.certificateArn.split(":")[3];
            if (certRegion !== "us-east-1")
                ctx.addIssue({
                    code: "custom",
                    path: ["certificateArn"],
                    input: edge.certificateArn,
                    message: `is in ${certRegion}; CloudFront uses ACM certificates from us-east-1 only`,
                });
            if (edge.aliases.length === 0)
                ctx.addIssue({
                    code: "custom",
                    path: ["aliases"],
                    input: edge.aliases,
                    message: "is empty: with certificateArn, list the domain names the certificate covers",
                });
        } else if (edge.aliases.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: ["aliases"],
                input: edge.aliases,
                message: "needs certificateArn: CloudFront serves an alternate domain name only with a certificate that covers it",
            });
        }
        const seenAliases = new Set<string>();
        edge.aliases.forEach((a, i) => {
            if (!HOSTNAME.test(a))
                ctx.addIssue({
                    code: "custom",
                    path: ["aliases", i],
                    input: a,
                    message: "must be a lowercase domain name such as www.example.com (or *.example.com)",
                });
            else if (seenAliases.has(a)) ctx.addIssue({ code: "custom", path: ["aliases", i], input: a, message: "is listed twice" });
            seenAliases.add(a);
        });
        edge.staticPathPatterns.forEach((p, i) => {
            const problem = cloudFrontPathProblem(p);
            if (problem) ctx.addIssue({ code: "custom", path: ["staticPathPatterns", i], input: p, message: problem });
            else if (edge.staticPathPatterns.indexOf(p) < i)
                ctx.addIssue({ code: "custom", path: ["staticPathPatterns", i], input: p, message: "is listed twice" });
        });
        // All three TTLs at 0 turn caching off, and CloudFront then refuses the policy's compression settings.
        if (edge.staticMaxTtlSeconds === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["staticMaxTtlSeconds"],
                input: 0,
                message: "must be at least 1: a maximum TTL of 0 turns caching off for static assets",
            });
        }
        if (edge.staticDefaultTtlSeconds > edge.staticMaxTtlSeconds) {
            ctx.addIssue({
                code: "custom",
                path: ["staticDefaultTtlSeconds"],
                input: edge.staticDefaultTtlSeconds,
                message: `is above staticMaxTtlSeconds ${edge.staticMaxTtlSeconds}`,
            });
        }
        // CloudFront sends a static path to the bucket, so the load balancer never sees it.
        edge.strangler.migratedPaths.forEach((p, i) => {
            if (albPathProblem(p)) return;
            const shadow = edge.staticPathPatterns.find((s) => cloudFrontPathProblem(s) === undefined && overlap(p, s));
            if (shadow)
                ctx.addIssue({
                    code: "custom",
                    path: ["strangler", "migratedPaths", i],
                    input: p,
                    message: `overlaps staticPathPatterns "${shadow}": CloudFront serves those paths from the assets bucket, so they never reach the load balancer`,
                });
        });
    });
export type EdgeConfig = z.infer<typeof schema>;
export type StranglerConfig = EdgeConfig["strangler"];

const shared = {
    minimumProtocolVersion: "TLSv1.2_2021",
    staticPathPatterns: ["/static/*", "/assets/*"],
    staticDefaultTtlSeconds: 86400,
    staticMaxTtlSeconds: 31536000,
    rateWindowSeconds: 300,
} as const;

export const defaults: ProfileDefaults<EdgeConfig> = {
    dev: {
        ...shared,
        staticPathPatterns: [...shared.staticPathPatterns],
        waf: false,
        priceClass: "PriceClass_100",
        aliases: [],
        rateLimit: 1000,
        logExpirationDays: 30,
        logRetentionDays: 14,
        // Dev migrates first: the item routes already run on the new service.
        strangler: { migratedPaths: ["/items/*"], newServiceWeight: 0, stickinessSeconds: 0 },
    },
    prod: {
        ...shared,
        staticPathPatterns: [...shared.staticPathPatterns],
        waf: true,
        priceClass: "PriceClass_All",
        aliases: [],
        rateLimit: 2000,
        logExpirationDays: 365,
        logRetentionDays: 365,
        strangler: { migratedPaths: [], newServiceWeight: 0, stickinessSeconds: 0 },
    },
};
