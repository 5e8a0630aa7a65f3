/**
 * Assembles the service: settings, the AWS clients behind their interfaces, one check per
 * dependency, and the HTTP server. `main.ts` runs it; tests start it against local servers.
 */
import type * as http from "http";
import type { AddressInfo } from "net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createEventPublisher, kinesisClient } from "../analytics/publisher";
import { rdsSigner, secretsManager, ssmParameters, type Credentials, type ParameterSource } from "./aws";
import { cacheCheck, databaseCheck, tableCheck, type Check } from "./checks";
import { resolveConfig, type ServiceConfig } from "./config";
import { cacheToken, databasePassword } from "./credentials";
import { checkHealth, coalesce } from "./health";
import { createServer } from "./server";

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
    close(): Promise<void>;
}

/** One check per dependency, built from the settings. */
export function buildChecks(config: ServiceConfig, credentials?: Credentials): Check[] {
    const timeout = config.checkTimeoutMs;
    // Fail fast: a retry would outlive the check's deadline anyway.
    const http = () => new NodeHttpHandler({ connectionTimeout: timeout, requestTimeout: timeout });
    const secrets = secretsManager(new SecretsManagerClient({ region: config.region, credentials, requestHandler: http() }));
    const dynamodb = new DynamoDBClient({ region: config.region, endpoint: config.table.endpoint, credentials, maxAttempts: 1, requestHandler: http() });
    return [
        cacheCheck({ ...config.cache, password: cacheToken(config.cache, secrets), connectTimeoutMs: timeout }),
        databaseCheck({ ...config.database, database: config.database.name, password: databasePassword(config.database, rdsSigner(config.region, credentials)), connectTimeoutMs: timeout }),
        tableCheck(dynamodb, config.table.name),
    ];
}

export async function startApp(env: NodeJS.ProcessEnv, opts: AppOptions = {}): Promise<App> {
    const parameters = opts.parameters ?? (env.SSM_PATH ? ssmParameters(new SSMClient({ region: env.AWS_REGION, credentials: opts.credentials })) : undefined);
    const config = await resolveConfig(env, parameters);
    const checks = buildChecks(config, opts.credentials);
    const publish = createEventPublisher({ client: kinesisClient({ region: config.region, endpoint: config.analytics.endpoint }), streamName: config.analytics.streamName, source: "web" });
    const server = createServer({ livenessPath: config.livenessPath, healthPath: config.healthPath, health: coalesce(() => checkHealth(checks, config.checkTimeoutMs)), publish, log: opts.log });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, () => resolve());
    });
    return {
        config,
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((err) => (err ? reject(err) : resolve()));
                server.closeIdleConnections();
            }),
    };
}
