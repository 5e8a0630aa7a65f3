/**
 * The web service's settings. On an instance they come from SSM parameters under SSM_PATH
 * (written by the program: endpoints and names, never secrets) with the systemd unit's
 * environment on top; locally and in tests, from environment variables alone.
 */
import type { ParameterSource } from "./aws";

export interface CacheSettings {
    host: string;
    port: number;
    /** The AUTH token itself (local runs); on AWS it is read from Secrets Manager instead. */
    authToken?: string;
    /** Secrets Manager secret holding the AUTH token. */
    authSecretArn?: string;
    /** PEM file of the CA to trust instead of Node's bundled roots (a local server's self-signed cert). */
    caFile?: string;
}

export interface DatabaseSettings {
    host: string;
    port: number;
    name: string;
    user: string;
    /** "iam": a fresh RDS IAM auth token per connection (RDS Proxy); "password": a static password (local runs). */
    auth: { kind: "iam" } | { kind: "password"; password: string };
    caFile?: string;
}

export interface TableSettings {
    name: string;
    /** A local DynamoDB endpoint (dynalite); unset on AWS. */
    endpoint?: string;
}

export interface AnalyticsSettings {
    /** The Kinesis stream `POST /events` publishes to. */
    streamName: string;
    /** A local Kinesis endpoint (kinesalite); unset on AWS. */
    endpoint?: string;
}

export interface ServiceConfig {
    port: number;
    /** Liveness: answered without touching dependencies. */
    livenessPath: string;
    /** The dependency health report. */
    healthPath: string;
    region: string;
    /** Each dependency check gives up after this long, so one hung dependency cannot hang /health. */
    checkTimeoutMs: number;
    /** POST /events answers within about this long, whatever Kinesis does. */
    eventsTimeoutMs: number;
    /** On SIGTERM, requests in flight get this long to finish before their connections are closed. */
    shutdownGraceMs: number;
    cache: CacheSettings;
    database: DatabaseSettings;
    table: TableSettings;
    analytics: AnalyticsSettings;
}

/** Every setting by its environment variable name, with what it means. */
export const SETTINGS = {
    PORT: "Port to listen on (default 8080; 0 takes a free one).",
    LIVENESS_PATH: "Path of the liveness endpoint the load balancer probes (default /live).",
    HEALTH_PATH: "Path of the dependency health report (default /health).",
    AWS_REGION: "Region of the AWS APIs (Secrets Manager, DynamoDB, the RDS auth token).",
    CHECK_TIMEOUT_MS: "Per-dependency health check timeout in milliseconds (default 2000).",
    EVENTS_TIMEOUT_MS: "Deadline of one POST /events in milliseconds: events not stored by then are answered 503 with their ids (default 10000).",
    SHUTDOWN_GRACE_MS:
        "On SIGTERM, how long requests in flight may finish before their connections are closed, in milliseconds (default 15000; at least EVENTS_TIMEOUT_MS).",
    SSM_PATH: "SSM parameter path to read settings from, e.g. /platform/dev/web/ (environment only).",
    CACHE_HOST: "Cache primary endpoint.",
    CACHE_PORT: "Cache port (default 6379).",
    CACHE_AUTH_SECRET_ARN: "Secrets Manager secret holding the cache AUTH token.",
    CACHE_AUTH_TOKEN: "The cache AUTH token itself (local runs; environment only).",
    CACHE_CA_FILE: "CA bundle to verify the cache's TLS certificate with (local runs).",
    DB_HOST: "Database (RDS Proxy) endpoint.",
    DB_PORT: "Database port (default 5432).",
    DB_NAME: "Database name.",
    DB_USER: "Database user.",
    DB_AUTH: '"iam" (default: RDS IAM auth tokens) or "password".',
    DB_PASSWORD: "Database password when DB_AUTH is password (local runs; environment only).",
    DB_CA_FILE: "CA bundle to verify the database's TLS certificate with (local runs).",
    TABLE_NAME: "DynamoDB table name.",
    DYNAMODB_ENDPOINT: "A local DynamoDB endpoint (local runs).",
    ANALYTICS_STREAM_NAME: "Kinesis stream that POST /events publishes analytics events to.",
    KINESIS_ENDPOINT: "A local Kinesis endpoint (local runs).",
} as const;
export type SettingName = keyof typeof SETTINGS;

/** Settings that are secrets: never accepted from SSM parameters, which the program writes as plain Strings. */
const ENV_ONLY: SettingName[] = ["SSM_PATH", "CACHE_AUTH_TOKEN", "DB_PASSWORD"];

export class ServiceConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid web service settings:\n  ${problems.join("\n  ")}`);
        this.name = "ServiceConfigError";
    }
}

/** The SSM parameter name (leaf) of a setting: CACHE_HOST is stored as `<path>cache-host`. */
export function parameterName(setting: SettingName): string {
    return setting.toLowerCase().replace(/_/g, "-");
}

/**
 * Settings as SSM parameters (leaf name to value), for the program to write. Secrets and
 * bootstrap settings are refused: parameters are plain Strings and the service ignores them there.
 */
export function toParameters<T>(settings: Partial<Record<SettingName, T>>): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [setting, value] of Object.entries(settings) as [SettingName, T][]) {
        if (ENV_ONLY.includes(setting)) throw new Error(`${setting} is a secret or bootstrap setting and must not be written to SSM`);
        out[parameterName(setting)] = value;
    }
    return out;
}

/** The setting a parameter under `path` holds, or undefined for a name that is not a setting. */
export function settingOf(parameter: string, path: string): SettingName | undefined {
    if (!parameter.startsWith(path)) return undefined;
    const key = parameter.slice(path.length).toUpperCase().replace(/-/g, "_");
    return key in SETTINGS ? (key as SettingName) : undefined;
}

type Values = Partial<Record<string, string | undefined>>;

/** Validates raw settings, reporting every problem at once. */
export function parseConfig(values: Values): ServiceConfig {
    const problems: string[] = [];
    const get = (k: SettingName) => {
        const v = values[k]?.trim();
        return v === "" ? undefined : v;
    };
    const required = (k: SettingName) => {
        const v = get(k);
        if (v === undefined) problems.push(`${k}: is required (${SETTINGS[k]})`);
        return v ?? "";
    };
    const int = (k: SettingName, fallback: number, min: number, max: number) => {
        const raw = get(k);
        if (raw === undefined) return fallback;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < min || n > max) problems.push(`${k}: "${raw}" must be an integer from ${min} to ${max}`);
        return n;
    };

    const healthPath = get("HEALTH_PATH") ?? "/health";
    if (!healthPath.startsWith("/")) problems.push(`HEALTH_PATH: "${healthPath}" must start with /`);
    const livenessPath = get("LIVENESS_PATH") ?? "/live";
    if (!livenessPath.startsWith("/")) problems.push(`LIVENESS_PATH: "${livenessPath}" must start with /`);
    else if (livenessPath === healthPath) problems.push(`LIVENESS_PATH: "${livenessPath}" must differ from HEALTH_PATH`);

    const authToken = get("CACHE_AUTH_TOKEN");
    const authSecretArn = get("CACHE_AUTH_SECRET_ARN");
    if (!authToken && !authSecretArn)
        problems.push("CACHE_AUTH_SECRET_ARN: is required (or CACHE_AUTH_TOKEN for a local cache): the cache demands an AUTH token");

    const authKind = get("DB_AUTH") ?? "iam";
    let auth: DatabaseSettings["auth"] = { kind: "iam" };
    if (authKind === "password") auth = { kind: "password", password: required("DB_PASSWORD") };
    else if (authKind !== "iam") problems.push(`DB_AUTH: "${authKind}" must be "iam" or "password"`);

    const config: ServiceConfig = {
        port: int("PORT", 8080, 0, 65535),
        livenessPath,
        healthPath,
        region: required("AWS_REGION"),
        checkTimeoutMs: int("CHECK_TIMEOUT_MS", 2000, 50, 60000),
        eventsTimeoutMs: int("EVENTS_TIMEOUT_MS", 10000, 100, 60000),
        // Under systemd's default stop timeout (90 s), after which it kills the process.
        shutdownGraceMs: int("SHUTDOWN_GRACE_MS", 15000, 0, 80000),
        cache: { host: required("CACHE_HOST"), port: int("CACHE_PORT", 6379, 1, 65535), authToken, authSecretArn, caFile: get("CACHE_CA_FILE") },
        database: {
            host: required("DB_HOST"),
            port: int("DB_PORT", 5432, 1, 65535),
            name: required("DB_NAME"),
            user: required("DB_USER"),
            auth,
            caFile: get("DB_CA_FILE"),
        },
        table: { name: required("TABLE_NAME"), endpoint: get("DYNAMODB_ENDPOINT") },
        analytics: { streamName: required("ANALYTICS_STREAM_NAME"), endpoint: get("KINESIS_ENDPOINT") },
    };
    if (config.shutdownGraceMs < config.eventsTimeoutMs) {
        problems.push(
            `SHUTDOWN_GRACE_MS: ${config.shutdownGraceMs} must be at least EVENTS_TIMEOUT_MS (${config.eventsTimeoutMs}), so a publish in flight can finish when the service stops`,
        );
    }
    if (problems.length > 0) throw new ServiceConfigError(problems);
    return config;
}

/**
 * The service's settings: the SSM parameters under SSM_PATH (when set), overridden by the
 * environment. A secret found among the parameters is an error rather than silently used.
 */
export async function resolveConfig(env: Values, parameters?: ParameterSource): Promise<ServiceConfig> {
    const path = env.SSM_PATH;
    if (!path) return parseConfig(env);
    if (!path.startsWith("/") || !path.endsWith("/")) throw new ServiceConfigError([`SSM_PATH: "${path}" must start and end with /`]);
    if (!parameters) throw new ServiceConfigError(["SSM_PATH: is set, but no parameter source was given"]);
    const fromSsm: Values = {};
    const problems: string[] = [];
    for (const [name, value] of Object.entries(await parameters.byPath(path))) {
        const setting = settingOf(name, path);
        if (setting === undefined) continue; // parameters for other consumers may share the path
        if (ENV_ONLY.includes(setting)) problems.push(`${name}: ${setting} is a secret or bootstrap setting and is never read from SSM`);
        else fromSsm[setting] = value;
    }
    if (problems.length > 0) throw new ServiceConfigError(problems);
    const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
    return parseConfig({ ...fromSsm, ...defined });
}
