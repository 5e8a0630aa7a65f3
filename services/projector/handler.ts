/**
 * The projector: consumes order events from its SQS queue (SNS fan-out of the bus's order
 * events, raw delivery, so each body is the EventBridge event) and applies them to the read model.
 * A malformed event fails its message, which ends in the dead-letter queue after maxReceiveCount
 * receives, where an alarm reports it.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { processMessages } from "../messaging/sqs-batch";
import { parseOrderEvent } from "../orders/model";
import { project } from "./read-model";

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
    projector ??= createProjector(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
    return projector(event);
};
