/**
 * The projector: consumes order events from its SQS queue (SNS fan-out of the bus's order
 * events, raw delivery, so each body is the EventBridge event) and applies them to the read model.
 * A malformed event fails its message, which ends in the dead-letter queue after maxReceiveCount
 * receives, where an alarm reports it.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { sdkHttpHandler } from "../aws-http";
import { processMessages } from "../messaging/sqs-batch";
import { parseOrderEvent } from "../orders/model";
import { project } from "./read-model";

/**
 * Each DynamoDB attempt ends within 1 s to connect and 3 s to answer, and the client makes 3
 * attempts: a message's writes (in parallel) take at most about 13 s, inside the function's 30 s
 * timeout. A message that fails is SQS's to redeliver.
 */
export const PROJECTOR_DYNAMODB_HTTP = { connectMs: 1000, requestMs: 3000 };
export const PROJECTOR_DYNAMODB_MAX_ATTEMPTS = 3;

/** The projector's table client (the region and credentials from the environment by default). */
export function projectorTable(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
    return DynamoDBDocumentClient.from(
        new DynamoDBClient({ ...config, maxAttempts: PROJECTOR_DYNAMODB_MAX_ATTEMPTS, requestHandler: sdkHttpHandler(PROJECTOR_DYNAMODB_HTTP) }),
    );
}

export function createProjector(ddb: DynamoDBDocumentClient, tableName: string) {
    return (event: SQSEvent): Promise<SQSBatchResponse> =>
        processMessages(event, async (record) => {
            const e = parseOrderEvent(record.body);
            const outcome = await project(ddb, tableName, e);
            console.log(JSON.stringify({ message: "projected", type: e.type, orderId: e.detail.orderId, version: e.detail.version, outcome }));
        });
}

let projector: ReturnType<typeof createProjector> | undefined;
export const handler = (event: SQSEvent) => {
    const tableName = process.env.TABLE_NAME;
    if (!tableName) throw new Error("TABLE_NAME is not set");
    projector ??= createProjector(projectorTable(), tableName);
    return projector(event);
};
