import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";
import { matches, overlap, packPathRules } from "../../lib/path-patterns";

const WEB_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c8a52-7d1e-4b6a-9c2e-5a8d4e1b7f60";
const EDGE_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/6b1d2e7a-93c4-4f0e-8a55-2c7e9d3f1a08";
const base = { "aws:region": "us-east-1", "platform:tags": JSON.stringify({ owner: "team-a" }) };
/** What prod needs besides the edge and API sections, so only their problems remain. */
const PROD_BASE = {
    web: { certificateArn: WEB_CERT },
    analytics: { emr: { cluster: { tlsCertificatesS3Uri: "s3://pki/emr/certs.zip" } } },
};
const PROD_EDGE = { certificateArn: EDGE_CERT, aliases: ["www.example.com"] };

function problems(profile: "dev" | "prod", sections: Record<string, unknown>, region = "us-east-1"): string[] {
    const raw: Record<string, string> = { ...base, "aws:region": region, "platform:profile": profile };
    const all = profile === "prod" ? { ...PROD_BASE, edge: PROD_EDGE, ...sections } : sections;
    for (const [k, v] of Object.entries(all)) raw[`platform:${k}`] = JSON.stringify(v);
    try {
        validateConfig(raw, profile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems.filter((p) => /^platform:(edge|api)\./.test(p));
    }
    return [];
}

const strangler = (s: Record<string, unknown>) => ({ strangler: { migratedPaths: [], newServiceWeight: 0, stickinessSeconds: 0, ...s } });

describe("config: edge", () => {
    it("the dev profile is valid as it is; prod needs a certificate and aliases, and keeps WAF on", () => {
        assert.deepEqual(problems("dev", {}), []);
        assert.deepEqual(problems("prod", {}), []);
        assert.deepEqual(problems("prod", { edge: {} }), [
            "platform:edge.aliases: [] is empty, but web.certificateArn makes CloudFront reach the load balancer over HTTPS, checking its certificate against the viewer's host name; set edge.certificateArn and edge.aliases to names web.certificateArn covers",
            "platform:edge.certificateArn: is required in prod: viewers get TLS 1.2 or later only with a custom certificate (the *.cloudfront.net one allows TLSv1)",
        ]);
        assert.deepEqual(problems("prod", { edge: { ...PROD_EDGE, waf: false } }), [
            "platform:edge.waf: false must be true in prod: CloudFront is protected by a WAF web ACL",
        ]);
    });

    it("CloudFront's certificate must be in us-east-1, whatever the home region", () => {
        const eu = "arn:aws:acm:eu-west-1:123456789012:certificate/6b1d2e7a";
        assert.deepEqual(problems("dev", { edge: { certificateArn: eu, aliases: ["www.example.com"] } }, "eu-west-1"), [
            `platform:edge.certificateArn: "${eu}" is in eu-west-1; CloudFront uses ACM certificates from us-east-1 only`,
        ]);
        assert.deepEqual(problems("dev", { edge: { certificateArn: EDGE_CERT, aliases: ["www.example.com"] } }, "eu-west-1"), []);
    });

    it("a certificate needs aliases and aliases need a certificate; aliases are domain names, each once", () => {
        assert.deepEqual(problems("dev", { edge: { certificateArn: EDGE_CERT } }), [
            "platform:edge.aliases: [] is empty: with certificateArn, list the domain names the certificate covers",
        ]);
        assert.deepEqual(problems("dev", { edge: { aliases: ["www.example.com"] } }), [
            'platform:edge.aliases: ["www.example.com"] needs certificateArn: CloudFront serves an alternate domain name only with a certificate that covers it',
        ]);
        assert.deepEqual(
            problems("dev", { edge: { certificateArn: EDGE_CERT, aliases: ["WWW.example.com", "*.example.com", "a.example.com", "a.example.com"] } }),
            [
                'platform:edge.aliases[0]: "WWW.example.com" must be a lowercase domain name such as www.example.com (or *.example.com)',
                'platform:edge.aliases[3]: "a.example.com" is listed twice',
            ],
        );
    });

    it("only TLS 1.2 or later security policies are accepted", () => {
        assert.match(
            problems("dev", { edge: { minimumProtocolVersion: "TLSv1.1_2016" } })[0],
            /^platform:edge\.minimumProtocolVersion: "TLSv1\.1_2016" must be one of "TLSv1\.2_2021", "TLSv1\.2_2025", "TLSv1\.3_2025"$/,
        );
    });

    it("the WAF rate limit and window take only what AWS accepts", () => {
        assert.match(problems("dev", { edge: { rateLimit: 9 } })[0], /^platform:edge\.rateLimit: 9 is below the minimum 10$/);
        assert.match(problems("dev", { edge: { rateWindowSeconds: 90 } })[0], /^platform:edge\.rateWindowSeconds: 90 must be one of 60, 120, 300, 600$/);
        assert.deepEqual(problems("dev", { edge: { rateLimit: 10, rateWindowSeconds: 60 } }), []);
    });

    it("static path patterns are valid CloudFront patterns, listed once; the default TTL stays under the maximum", () => {
        assert.deepEqual(
            problems("dev", { edge: { staticPathPatterns: ["static/*", "/a/*", "/a/*"], staticDefaultTtlSeconds: 100, staticMaxTtlSeconds: 10 } }),
            [
                `platform:edge.staticPathPatterns[0]: "static/*" must start with "/" and use only letters, digits, _-.$/~"'@:+& and the wildcards * and ?`,
                'platform:edge.staticPathPatterns[2]: "/a/*" is listed twice',
                "platform:edge.staticDefaultTtlSeconds: 100 is above staticMaxTtlSeconds 10",
            ],
        );
        // All TTLs 0 would turn caching off, and CloudFront refuses the static policy's compression settings then.
        assert.deepEqual(problems("dev", { edge: { staticDefaultTtlSeconds: 0, staticMaxTtlSeconds: 0 } }), [
            "platform:edge.staticMaxTtlSeconds: 0 must be at least 1: a maximum TTL of 0 turns caching off for static assets",
        ]);
    });
});

describe("config: strangler-fig routing", () => {
    it("rejects invalid ALB path patterns, overlapping and repeated ones", () => {
        assert.deepEqual(problems("dev", { edge: strangler({ migratedPaths: ["/api/*", "/api/orders/*", "orders", "/api/*", "/x/*/*/*/*/*/*"] }) }), [
            'platform:edge.strangler.migratedPaths[1]: "/api/orders/*" overlaps migratedPaths[0] "/api/*" (some path matches both); list each route once',
            `platform:edge.strangler.migratedPaths[2]: "orders" must start with "/" and use only letters, digits, _-.$/~"'@:+& and the wildcards * and ?`,
            'platform:edge.strangler.migratedPaths[3]: "/api/*" is listed twice (migratedPaths[0])',
            'platform:edge.strangler.migratedPaths[4]: "/x/*/*/*/*/*/*" has 6 wildcards; an ALB rule allows at most 5',
        ]);
    });

    it("rejects a path CloudFront never sends to the load balancer, and one the health 404 shadows", () => {
        assert.deepEqual(problems("dev", { edge: strangler({ migratedPaths: ["/static/app.js", "/items/*"] }) }), [
            'platform:edge.strangler.migratedPaths[0]: "/static/app.js" overlaps staticPathPatterns "/static/*": CloudFront serves those paths from the assets bucket, so they never reach the load balancer',
        ]);
        assert.deepEqual(problems("dev", { edge: strangler({ migratedPaths: ["/items/*", "/heal*"] }) }), [
            'platform:edge.strangler.migratedPaths[1]: "/heal*" matches web.dependencyHealthPath /health, which the load balancer answers 404 before any routing rule; migrate a narrower pattern',
        ]);
        assert.deepEqual(problems("dev", { edge: strangler({ migratedPaths: ["/health/*"] }), web: { dependencyHealthPath: "/status" } }), []);
    });

    it("rejects more paths than an ALB's rules can hold", () => {
        const paths = Array.from({ length: 4 * 97 + 1 }, (_, i) => `/r${i}`);
        const p = problems("dev", { edge: strangler({ migratedPaths: paths }) });
        assert.equal(p.length, 1);
        assert.match(
            p[0],
            /^platform:edge\.strangler\.migratedPaths: \["\/r0",.* needs 98 listener rules; an ALB takes at most 97 besides the platform's own \(migrate a common prefix such as \/api\/\* instead\)$/,
        );
        assert.deepEqual(problems("dev", { edge: strangler({ migratedPaths: paths.slice(1) }) }), []);
    });

    it("the weight is a percentage; stickiness only with a weighted split", () => {
        assert.match(
            problems("dev", { edge: strangler({ newServiceWeight: 101 }) })[0],
            /^platform:edge\.strangler\.newServiceWeight: 101 is above the maximum 100$/,
        );
        assert.deepEqual(problems("dev", { edge: strangler({ stickinessSeconds: 60 }) }), [
            "platform:edge.strangler.stickinessSeconds: 60 applies to a weighted split only; set newServiceWeight above 0 or stickinessSeconds to 0",
        ]);
        assert.deepEqual(problems("dev", { edge: strangler({ newServiceWeight: 10, stickinessSeconds: 60 }) }), []);
        assert.match(problems("dev", { edge: strangler({ newServiceWeight: 10, stickinessSeconds: 604801 }) })[0], /must be 0 \(off\) or between 1 and 604800/);
    });
});

describe("ALB path patterns", () => {
    it("match as the load balancer does: * any run (slashes too), ? one character, case-sensitive", () => {
        assert.ok(matches("/api/*", "/api/orders/1"));
        assert.ok(matches("/items/?", "/items/7"));
        assert.ok(!matches("/items/?", "/items/77"));
        assert.ok(!matches("/API/*", "/api/x"));
        assert.ok(matches("/a.b", "/a.b") && !matches("/a.b", "/aXb"), "dots are literal");
    });

    it("overlap when some path matches both", () => {
        assert.ok(overlap("/api/*", "/api/orders/*"));
        assert.ok(overlap("/*.js", "/static/*"));
        assert.ok(overlap("/a?c", "/ab*"));
        assert.ok(!overlap("/api/*", "/apx/*"));
        assert.ok(!overlap("/items/?", "/items/??"));
        assert.ok(!overlap("/a/*.png", "/a/*.jpg"));
    });

    it("pack into rules of at most 4 values (one more is the origin header) and 5 wildcards", () => {
        assert.deepEqual(packPathRules(["/a", "/b", "/c", "/d", "/e"]), [["/a", "/b", "/c", "/d"], ["/e"]]);
        assert.deepEqual(packPathRules(["/a/*/*", "/b/*/*", "/c/*"]), [["/a/*/*", "/b/*/*", "/c/*"]]);
        assert.deepEqual(packPathRules(["/a/*/*", "/b/*/*", "/c/*/*"]), [["/a/*/*", "/b/*/*"], ["/c/*/*"]]);
        assert.deepEqual(packPathRules([]), []);
    });
});

describe("config: api", () => {
    it("the dev and prod profiles are valid; prod requires MFA and threat protection", () => {
        assert.deepEqual(problems("dev", {}), []);
        assert.deepEqual(problems("prod", {}), []);
        assert.deepEqual(problems("prod", { api: { mfa: "OPTIONAL", threatProtection: "OFF" } }), [
            'platform:api.mfa: "OPTIONAL" must be "ON" in prod',
            'platform:api.threatProtection: "OFF" must be AUDIT or ENFORCED in prod',
        ]);
    });

    it("per-route throttling names routes of the API, with a burst at least the rate", () => {
        assert.deepEqual(
            problems("dev", {
                api: { routeThrottling: { "GET /orders": { rateLimit: 1, burstLimit: 1 }, "GET /overview": { rateLimit: 10, burstLimit: 5 } } },
            }),
            [
                'platform:api.routeThrottling.GET /orders: {"rateLimit":1,"burstLimit":1} names no route of the API; routes are GET /health, GET /overview',
                "platform:api.routeThrottling.GET /overview.burstLimit: 5 is below rateLimit 10",
            ],
        );
    });

    it("throttling stays within API Gateway's account quotas; the stage burst is at least its rate", () => {
        assert.match(problems("dev", { api: { throttleRateLimit: 20000 } }).join("\n"), /platform:api\.throttleRateLimit: 20000 is above the maximum 10000/);
        assert.deepEqual(problems("dev", { api: { throttleRateLimit: 100, throttleBurstLimit: 50 } }), [
            "platform:api.throttleBurstLimit: 50 is below throttleRateLimit 100",
        ]);
    });

    it("passwords are at least 8 characters; token lifetimes and breaker settings are bounded", () => {
        assert.match(problems("dev", { api: { passwordMinimumLength: 6 } })[0], /^platform:api\.passwordMinimumLength: 6 is below the minimum 8$/);
        assert.match(problems("dev", { api: { accessTokenMinutes: 2 } })[0], /^platform:api\.accessTokenMinutes: 2 is below the minimum 5$/);
        assert.match(
            problems("dev", { api: { circuitBreaker: { failureThreshold: 0, openSeconds: 30 } } })[0],
            /^platform:api\.circuitBreaker\.failureThreshold: 0 is below the minimum 1$/,
        );
        assert.match(problems("dev", { api: { aggregatorTimeoutMs: 60000 } })[0], /^platform:api\.aggregatorTimeoutMs: 60000 is above the maximum 10000$/);
    });
});
