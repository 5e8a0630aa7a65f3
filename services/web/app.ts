/**
 * Assembles the service: settings, the AWS clients behind their interfaces, one check per
 * dependency, and the HTTP server. `main.ts` runs it; tests start it against local servers.
 */
import type * as http from "http";
import type { AddressInfo } from "net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { createEventPublisher, kinesisClient } from "../analytics/publisher";
import { sdkHttpHandler } from "../aws-http";
import { rdsSigner, secretsManager, ssmParameters, type Credentials, type ParameterSource } from "./aws";
import { cacheCheck, databaseCheck, tableCheck, type Check } from "./checks";
import { resolveConfig, type ServiceConfig } from "./config";
import { cacheToken, databasePassword } from "./credentials";
import { checkHealth, coalesce } from "./health";
import { createServer, drain } from "./server";

export interface AppOptions {
    /** Where SSM_PATH settings come from; Parameter Store in the home region by default. */
    parameters?: ParameterSource;
    /** AWS credentials; the default provider chain (the instance role) by default. */
    credentials?: Credentials;
    log?: (entry: Record<string, unknown>) => void;
}

export interface App {
    config: ServiceConfig;
    server: http.Server;
    /** The bound port (differs from config.port when that is 0). */
    port: number;
    /**
     * Stops taking requests, lets those in flight finish for up to config.shutdownGraceMs, then
     * closes the remaining connections. Resolves with whether everything finished in time.
     */
    close(): Promise<boolean>;
}

/** One check per dependency, built from the settings. */
export function buildChecks(config: ServiceConfig, credentials?: Credentials): Check[] {
    const timeout = config.checkTimeoutMs;
    // Fail fast: a retry would outlive the check's deadline anyway.
    const http = () => sdkHttpHandler({ connectMs: timeout, requestMs: timeout });
    const secrets = secretsManager(new SecretsManagerClient({ region: config.region, credentials, maxAttempts: 1, requestHandler: http() }));
    const dynamodb = new DynamoDBClient({ region: config.region, endpoint: config.table.endpoint, credentials, maxAttempts: 1, requestHandler: http() });
    return [
        cacheCheck({ ...config.cache, password: cacheToken(config.cache, secrets), connectTimeoutMs: timeout }),
        databaseCheck({
            ...config.database,
            database: config.database.name,
            password: databasePassword(config.database, rdsSigner(config.region, credentials)),
            connectTimeoutMs: timeout,
        }),
        tableCheck(dynamodb, config.table.name),
    ];
}

/** Reading the settings at start: the SDK retries each page (3 attempts), each attempt bounded. */
const SSM_TIMEOUTS = { connectMs: 2_000, requestMs: 5_000 };

export async function startApp(env: NodeJS.ProcessEnv, opts: AppOptions = {}): Promise<App> {
    const parameters =
        opts.parameters ??
        (env.SSM_PATH
            ? ssmParameters(new SSMClient({ region: env.AWS_REGION, credentials: opts.credentials, requestHandler: sdkHttpHandler(SSM_TIMEOUTS) }))
            : undefined);
    const config = await resolveConfig(env, parameters);
    const checks = buildChecks(config, opts.credentials);
    const publish = createEventPublisher({
        client: kinesisClient({ region: config.region, endpoint: config.analytics.endpoint }),
        streamName: config.analytics.streamName,
        source: "web",
    });
    const server = createServer({
        livenessPath: config.livenessPath,
        healthPath: config.healthPath,
        health: coalesce(() => checkHealth(checks, config.checkTimeoutMs)),
        publish,
        eventsTimeoutMs: config.eventsTimeoutMs,
        log: opts.log,
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, () => resolve());
    });
    return {
        config,
        server,
        port: (server.address() as AddressInfo).port,
        close: () => drain(server, config.shutdownGraceMs),
    };
}
