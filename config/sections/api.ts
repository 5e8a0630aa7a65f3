import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

/** The routes the platform's API serves; `GET /health` is the one public route. */
export const API_ROUTES = { health: "GET /health", overview: "GET /overview" } as const;
export const API_ROUTE_KEYS: readonly string[] = Object.values(API_ROUTES);

const rate = z.number().positive().max(10000).describe("Steady-state requests per second (API Gateway's default account quota is 10,000 per Region).");
const burst = z.int().positive().max(5000).describe("Burst capacity: requests the token bucket holds (the default account quota is 5,000 per Region).");

const throttle = z.strictObject({ rateLimit: rate, burstLimit: burst });

/** `platform:api`: API Gateway (HTTP API) with a Cognito user pool authorizer. */
export const schema = z
    .strictObject({
        throttleRateLimit: rate.describe(
            "Stage default: steady-state requests per second across all routes' clients (API Gateway's default account quota is 10,000 per Region).",
        ),
        throttleBurstLimit: burst.describe("Stage default: burst capacity (the default account quota is 5,000 per Region)."),
        routeThrottling: z
            .record(z.string(), throttle)
            .describe(`Per-route limits that override the stage default, by route key (${API_ROUTE_KEYS.join(", ")}): { rateLimit, burstLimit }.`),
        mfa: z.enum(["OPTIONAL", "ON"]).describe("Cognito MFA with authenticator apps (TOTP): OPTIONAL lets users choose, ON requires it (prod)."),
        threatProtection: z
            .enum(["OFF", "AUDIT", "ENFORCED"])
            .describe(
                "Cognito threat protection (compromised credentials, adaptive authentication): needs the Plus feature plan, so anything but OFF selects it.",
            ),
        passwordMinimumLength: z
            .int()
            .min(8)
            .max(99)
            .describe("Shortest password the user pool accepts; every password also needs upper and lower case, a digit and a symbol."),
        passwordHistorySize: z.int().min(0).max(24).describe("Previous passwords a user may not reuse (0 to 24)."),
        accessTokenMinutes: z.int().min(5).max(1440).describe("Lifetime of access and ID tokens, in minutes (Cognito allows 5 to 1440)."),
        refreshTokenDays: z.int().min(1).max(3650).describe("Lifetime of refresh tokens, in days (Cognito allows up to 3650)."),
        aggregatorTimeoutMs: z
            .int()
            .min(100)
            .max(10000)
            .describe(
                "Deadline for each source the aggregator route calls (they run in parallel, well inside API Gateway's 30 s integration timeout); a source that misses it counts as failed.",
            ),
        circuitBreaker: z
            .strictObject({
                failureThreshold: z.int().min(1).max(100).describe("Consecutive failures of one source that open its circuit."),
                openSeconds: z.int().min(1).max(3600).describe("Seconds an open circuit fails fast before it lets one probe through (half-open)."),
            })
            .describe("The aggregator's circuit breaker, one per source it calls."),
        logRetentionDays: logRetentionDays.describe("Days the API's access logs and its functions' logs are kept."),
    })
    .superRefine((api, ctx) => {
        if (api.throttleBurstLimit < api.throttleRateLimit) {
            ctx.addIssue({
                code: "custom",
                path: ["throttleBurstLimit"],
                input: api.throttleBurstLimit,
                message: `is below throttleRateLimit ${api.throttleRateLimit}`,
            });
        }
        for (const [route, limits] of Object.entries(api.routeThrottling)) {
            if (!API_ROUTE_KEYS.includes(route)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["routeThrottling", route],
                    input: limits,
                    message: `names no route of the API; routes are ${API_ROUTE_KEYS.join(", ")}`,
                });
            } else if (limits.burstLimit < limits.rateLimit) {
                ctx.addIssue({
                    code: "custom",
                    path: ["routeThrottling", route, "burstLimit"],
                    input: limits.burstLimit,
                    message: `is below rateLimit ${limits.rateLimit}`,
                });
            }
        }
    });
export type ApiConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<ApiConfig> = {
    dev: {
        throttleRateLimit: 50,
        throttleBurstLimit: 100,
        // The public route is the cheapest to abuse: it gets a tight limit of its own.
        routeThrottling: { [API_ROUTES.health]: { rateLimit: 5, burstLimit: 10 } },
        mfa: "OPTIONAL",
        threatProtection: "OFF",
        passwordMinimumLength: 12,
        passwordHistorySize: 0,
        accessTokenMinutes: 60,
        refreshTokenDays: 30,
        aggregatorTimeoutMs: 2000,
        circuitBreaker: { failureThreshold: 3, openSeconds: 30 },
        logRetentionDays: 14,
    },
    prod: {
        throttleRateLimit: 1000,
        throttleBurstLimit: 2000,
        routeThrottling: { [API_ROUTES.health]: { rateLimit: 20, burstLimit: 40 }, [API_ROUTES.overview]: { rateLimit: 500, burstLimit: 1000 } },
        mfa: "ON",
        threatProtection: "ENFORCED",
        passwordMinimumLength: 14,
        passwordHistorySize: 5,
        accessTokenMinutes: 60,
        refreshTokenDays: 7,
        aggregatorTimeoutMs: 2000,
        circuitBreaker: { failureThreshold: 5, openSeconds: 30 },
        logRetentionDays: 365,
    },
};
