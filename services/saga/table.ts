/** The DynamoDB client and table the saga's steps use, from their environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface TableRef {
    ddb: DynamoDBDocumentClient;
    tableName: string;
}

let shared: TableRef | undefined;
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): TableRef {
    if (!env.TABLE_NAME) throw new Error("TABLE_NAME is not set");
    shared ??= { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.DYNAMODB_ENDPOINT })), tableName: env.TABLE_NAME };
    return shared;
}
