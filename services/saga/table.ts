/** The DynamoDB client and table the saga's steps use, from their environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { sdkHttpHandler } from "../aws-http";
import { isConditionalCheckFailure } from "./errors";

export interface TableRef {
    ddb: DynamoDBDocumentClient;
    tableName: string;
    /** The table's TTL attribute (epoch seconds): the compensations' markers expire through it. */
    ttlAttribute: string;
}

/** Days a compensation's marker lives: far beyond any late forward call (a step runs for minutes at most). */
export const MARKER_TTL_DAYS = 7;

/** The TTL value of a marker written at `now`. */
export const markerExpiry = (now: Date) => Math.floor(now.getTime() / 1000) + MARKER_TTL_DAYS * 86_400;

/**
 * A compensation that finds no item yet writes it VOIDED (expiring through the TTL), so the
 * forward call still in flight finds it taken and does nothing. True when it wrote the void;
 * false when the item already exists, for the compensation to undo what it holds.
 */
export async function voidIfAbsent({ ddb, tableName, ttlAttribute }: TableRef, key: Record<string, string>, orderId: string, at: Date): Promise<boolean> {
    try {
        await ddb.send(
            new PutCommand({
                TableName: tableName,
                Item: { ...key, orderId, status: "VOIDED", voidedAt: at.toISOString(), [ttlAttribute]: markerExpiry(at) },
                ConditionExpression: "attribute_not_exists(pk)",
            }),
        );
        return true;
    } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
        return false;
    }
}

let shared: TableRef | undefined;
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): TableRef {
    if (!env.TABLE_NAME || !env.TTL_ATTRIBUTE) throw new Error("TABLE_NAME and TTL_ATTRIBUTE must be set");
    // Three SDK attempts of at most 5 s each stay well inside the step's function timeout.
    shared ??= {
        ddb: DynamoDBDocumentClient.from(
            new DynamoDBClient({ endpoint: env.DYNAMODB_ENDPOINT, requestHandler: sdkHttpHandler({ connectMs: 2_000, requestMs: 5_000 }) }),
        ),
        tableName: env.TABLE_NAME,
        ttlAttribute: env.TTL_ATTRIBUTE,
    };
    return shared;
}
