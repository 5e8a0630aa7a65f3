/** The catalog service's settings, from its environment (set by the task definition). */
import { EnvSettings } from "../container/settings";

export interface CatalogConfig {
    port: number;
    region: string;
    tableName: string;
    dynamodbEndpoint?: string;
    /** Longest DynamoDB attempt, in ms (the SDK makes up to 3). */
    dynamodbTimeoutMs: number;
    /** Base URL of the inventory service (its Service Connect name). */
    inventoryUrl: string;
    inventory: {
        /** The whole stock lookup (every batch, every attempt) ends by then; what is missing reads "unknown". */
        deadlineMs: number;
        attemptTimeoutMs: number;
        attempts: number;
        backoffBaseMs: number;
        backoffCapMs: number;
        /** SKUs per inventory request; the batches of a page are asked in parallel. */
        batchSize: number;
        breakerFailures: number;
        breakerOpenMs: number;
    };
    requestTimeoutMs: number;
    shutdownGraceMs: number;
}

/** The largest page; also the most SKUs inventory takes in one request. */
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;

export function catalogConfig(env: NodeJS.ProcessEnv): CatalogConfig {
    const s = new EnvSettings(env);
    const config: CatalogConfig = {
        port: s.int("PORT", 8080, 0, 65535),
        region: s.required("AWS_REGION", "the region of the global table's replica to read"),
        tableName: s.required("TABLE_NAME", "the global table's name"),
        dynamodbEndpoint: s.url("DYNAMODB_ENDPOINT"),
        dynamodbTimeoutMs: s.int("DYNAMODB_TIMEOUT_MS", 1000, 50, 10_000),
        inventoryUrl: s.url("INVENTORY_URL") ?? s.required("INVENTORY_URL", "the inventory service's URL, e.g. http://inventory:8080"),
        inventory: {
            deadlineMs: s.int("INVENTORY_DEADLINE_MS", 1500, 50, 10_000),
            attemptTimeoutMs: s.int("INVENTORY_ATTEMPT_TIMEOUT_MS", 500, 20, 10_000),
            attempts: s.int("INVENTORY_ATTEMPTS", 3, 1, 5),
            backoffBaseMs: s.int("INVENTORY_BACKOFF_MS", 50, 1, 5_000),
            backoffCapMs: s.int("INVENTORY_BACKOFF_CAP_MS", 400, 1, 10_000),
            batchSize: s.int("INVENTORY_BATCH_SIZE", 50, 1, MAX_LIMIT),
            breakerFailures: s.int("BREAKER_FAILURE_THRESHOLD", 5, 1, 100),
            breakerOpenMs: s.int("BREAKER_OPEN_MS", 10_000, 50, 600_000),
        },
        requestTimeoutMs: s.int("REQUEST_TIMEOUT_MS", 5000, 100, 60_000),
        // Under ECS's default stop timeout (30 s), after which the agent sends SIGKILL.
        shutdownGraceMs: s.int("SHUTDOWN_GRACE_MS", 20_000, 0, 28_000),
    };
    s.check(
        config.requestTimeoutMs > config.inventory.deadlineMs + config.dynamodbTimeoutMs,
        `REQUEST_TIMEOUT_MS: ${config.requestTimeoutMs} must exceed INVENTORY_DEADLINE_MS + DYNAMODB_TIMEOUT_MS (${config.inventory.deadlineMs + config.dynamodbTimeoutMs}), so a slow inventory degrades the answer instead of timing it out`,
    );
    s.check(
        config.shutdownGraceMs >= config.requestTimeoutMs,
        `SHUTDOWN_GRACE_MS: ${config.shutdownGraceMs} must be at least REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}), so requests in flight finish when the task stops`,
    );
    s.done("catalog");
    return config;
}
