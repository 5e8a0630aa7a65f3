/** The inventory service's settings, from its environment (set by the task definition). */
import { EnvSettings } from "../container/settings";

export interface InventoryConfig {
    port: number;
    region: string;
    tableName: string;
    dynamodbEndpoint?: string;
    /** Longest DynamoDB attempt, in ms (the SDK makes up to 3). */
    dynamodbTimeoutMs: number;
    /** BatchGetItem calls per request in all: the first plus the retries of UnprocessedKeys. */
    batchAttempts: number;
    backoffBaseMs: number;
    backoffCapMs: number;
    requestTimeoutMs: number;
    shutdownGraceMs: number;
}

export function inventoryConfig(env: NodeJS.ProcessEnv): InventoryConfig {
    const s = new EnvSettings(env);
    const config: InventoryConfig = {
        port: s.int("PORT", 8080, 0, 65535),
        region: s.required("AWS_REGION", "the region of the global table's replica to read"),
        tableName: s.required("TABLE_NAME", "the global table's name"),
        dynamodbEndpoint: s.url("DYNAMODB_ENDPOINT"),
        dynamodbTimeoutMs: s.int("DYNAMODB_TIMEOUT_MS", 1000, 50, 10_000),
        batchAttempts: s.int("BATCH_ATTEMPTS", 4, 1, 10),
        backoffBaseMs: s.int("BATCH_BACKOFF_MS", 25, 1, 5_000),
        backoffCapMs: s.int("BATCH_BACKOFF_CAP_MS", 400, 1, 10_000),
        requestTimeoutMs: s.int("REQUEST_TIMEOUT_MS", 3000, 100, 60_000),
        // Under ECS's default stop timeout (30 s), after which the agent sends SIGKILL.
        shutdownGraceMs: s.int("SHUTDOWN_GRACE_MS", 20_000, 0, 28_000),
    };
    s.check(
        config.shutdownGraceMs >= config.requestTimeoutMs,
        `SHUTDOWN_GRACE_MS: ${config.shutdownGraceMs} must be at least REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}), so requests in flight finish when the task stops`,
    );
    s.done("inventory");
    return config;
}
