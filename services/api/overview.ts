/**
 * `GET /overview`: the caller's profile from the DynamoDB read model (partition `user#<sub>`)
 * and the web service's status (through CloudFront, the only way to reach it), in one response.
 * Either part may be unavailable: the answer is then partial (200, `degraded: true`); only
 * when both fail is it 503. Each source has its own circuit breaker, kept for the life of the
 * execution environment.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { dynamoReadModel, type ReadModel } from "../read-model";
import { entityKey } from "../table-keys";
import { aggregate, type Source } from "../resilience/aggregator";
import { CircuitBreaker, type BreakerOptions } from "../resilience/circuit-breaker";

/** Items of the caller's partition the overview returns at most. */
export const PROFILE_LIMIT = 50;

/** A source answered, but not with success. */
export class HttpStatusError extends Error {
    constructor(
        readonly status: number,
        url: string,
    ) {
        super(`${url} answered ${status}`);
        this.name = "HttpStatusError";
    }
}

/** Server errors and throttling count against the web service; a 4xx is the request's fault, not its health. */
export const webFailure = (err: unknown) => !(err instanceof HttpStatusError) || err.status >= 500 || err.status === 429;

export interface OverviewSettings {
    region: string;
    tableName: string;
    /** The web service's URL through CloudFront. */
    webUrl: string;
    timeoutMs: number;
    failureThreshold: number;
    openMs: number;
    /** A local DynamoDB (tests). */
    dynamodbEndpoint?: string;
}

/** The function's settings from its environment; names every missing or malformed variable. */
export function settingsFrom(env: NodeJS.ProcessEnv): OverviewSettings {
    const problems: string[] = [];
    const text = (name: string) => {
        const v = env[name];
        if (!v) problems.push(`${name} is not set`);
        return v ?? "";
    };
    const positive = (name: string) => {
        const v = Number(text(name));
        if (env[name] && !(Number.isInteger(v) && v > 0)) problems.push(`${name} must be a positive whole number, got ${JSON.stringify(env[name])}`);
        return v;
    };
    const settings = {
        region: text("AWS_REGION"),
        tableName: text("TABLE_NAME"),
        webUrl: text("WEB_URL"),
        timeoutMs: positive("SOURCE_TIMEOUT_MS"),
        failureThreshold: positive("BREAKER_FAILURE_THRESHOLD"),
        openMs: positive("BREAKER_OPEN_SECONDS") * 1000,
        dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    };
    if (problems.length > 0) throw new Error(`overview: ${problems.join("; ")}`);
    return settings;
}

export interface OverviewDeps {
    readModel: ReadModel;
    webUrl: string;
    timeoutMs: number;
    breakers: { profile: CircuitBreaker; web: CircuitBreaker };
}

type Response = APIGatewayProxyStructuredResultV2;

const json = (statusCode: number, body: unknown): Response => ({
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify(body),
});

export function overviewHandler(deps: OverviewDeps): (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<Response> {
    return async (event) => {
        // The JWT authorizer has verified the token; its subject names the caller.
        const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
        if (typeof sub !== "string" || sub.length === 0 || sub.includes("#")) return json(401, { error: "no caller identity in the token" });
        const sources: Source[] = [
            { name: "profile", breaker: deps.breakers.profile, fetch: (signal) => deps.readModel.partition(entityKey("user", sub), PROFILE_LIMIT, signal) },
            {
                name: "web",
                breaker: deps.breakers.web,
                fetch: async (signal) => {
                    const res = await fetch(deps.webUrl, { signal, headers: { accept: "application/json" } });
                    if (!res.ok) {
                        await res.body?.cancel();
                        throw new HttpStatusError(res.status, deps.webUrl);
                    }
                    return res.json();
                },
            },
        ];
        const result = await aggregate(sources, deps.timeoutMs);
        return json(result.status === "unavailable" ? 503 : 200, {
            user: sub,
            status: result.status,
            degraded: result.status !== "complete",
            parts: result.parts,
        });
    };
}

/** The handler as the function runs it, from its settings. */
export function overviewFromSettings(settings: OverviewSettings, log: (entry: Record<string, unknown>) => void = (e) => console.log(JSON.stringify(e))) {
    const breaker = (name: string, extra: Partial<BreakerOptions> = {}) =>
        new CircuitBreaker(name, {
            failureThreshold: settings.failureThreshold,
            openMs: settings.openMs,
            onTransition: (from, to) => log({ msg: "circuit breaker", breaker: name, from, to }),
            ...extra,
        });
    return overviewHandler({
        // The source's deadline aborts the query; the request timeout backs it with the same bound.
        readModel: dynamoReadModel({
            tableName: settings.tableName,
            region: settings.region,
            endpoint: settings.dynamodbEndpoint,
            http: { connectMs: Math.min(1000, settings.timeoutMs), requestMs: settings.timeoutMs },
        }),
        webUrl: settings.webUrl,
        timeoutMs: settings.timeoutMs,
        breakers: { profile: breaker("profile"), web: breaker("web", { isFailure: webFailure }) },
    });
}

let live: ReturnType<typeof overviewHandler> | undefined;

/** The Lambda entry point: built on the first request, then kept with its breakers while the environment stays warm. */
export const handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<Response> => (live ??= overviewFromSettings(settingsFrom(process.env)))(event);
