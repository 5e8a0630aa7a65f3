/**
 * Reads of the platform table's read model: the items of one partition (`pk`), newest sort keys
 * last, as the services serve them. Keys follow services/table-keys.ts.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { sdkHttpHandler, type HttpTimeouts } from "./aws-http";

export type Item = Record<string, unknown>;

export interface ReadModel {
    /** Up to `limit` items of partition `pk`, without their `pk`; an abort rejects the call. */
    partition(pk: string, limit: number, signal?: AbortSignal): Promise<Item[]>;
}

export interface ReadModelOptions {
    tableName: string;
    region: string;
    /** A local DynamoDB (tests); the regional endpoint by default. */
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /**
     * The longest connect and query; a caller with a tighter deadline aborts sooner through its signal.
     * @default READ_MODEL_HTTP: 1 s to connect, 3 s to answer, well inside either caller's function timeout
     */
    http?: HttpTimeouts;
}

export const READ_MODEL_HTTP: HttpTimeouts = { connectMs: 1000, requestMs: 3000 };

export function dynamoReadModel(opts: ReadModelOptions): ReadModel {
    // One attempt: the caller's deadline and circuit breaker decide, and a retry would outlive the deadline.
    const client = new DynamoDBClient({
        region: opts.region,
        endpoint: opts.endpoint,
        credentials: opts.credentials,
        maxAttempts: 1,
        requestHandler: sdkHttpHandler(opts.http ?? READ_MODEL_HTTP),
    });
    const doc = DynamoDBDocumentClient.from(client);
    return {
        async partition(pk, limit, signal) {
            const out = await doc.send(
                new QueryCommand({ TableName: opts.tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": pk }, Limit: limit }),
                { abortSignal: signal },
            );
            return (out.Items ?? []).map(({ pk: _pk, ...rest }) => rest);
        },
    };
}
