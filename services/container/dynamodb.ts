/** The DynamoDB document client the container services use: bounded connect and attempt times, a few SDK retries. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { sdkHttpHandler } from "../aws-http";

export interface TableSettings {
    region: string;
    name: string;
    /** A local DynamoDB endpoint (tests); the regional endpoint when unset. */
    endpoint?: string;
    /** Longest single attempt, in ms. */
    attemptTimeoutMs: number;
}

export function documentClient(table: TableSettings): DynamoDBDocumentClient {
    // Credentials come from the default chain: the task role through the ECS container credentials endpoint.
    const client = new DynamoDBClient({
        region: table.region,
        endpoint: table.endpoint,
        maxAttempts: 3,
        requestHandler: sdkHttpHandler({ connectMs: Math.min(1000, table.attemptTimeoutMs), requestMs: table.attemptTimeoutMs }),
    });
    return DynamoDBDocumentClient.from(client);
}
