/** The DynamoDB client and table the saga's steps use, from their environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { sdkHttpHandler } from "../aws-http";

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

let shared: TableRef | undefined;
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): TableRef {
    if (!env.TABLE_NAME || !env.TTL_ATTRIBUTE) throw new Error("TABLE_NAME and TTL_ATTRIBUTE must be set");
    // Three SDK attempts of at most 5 s each stay well inside the step's function timeout.
    shared ??= {
        ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.DYNAMODB_ENDPOINT, requestHandler: sdkHttpHandler({ connectMs: 2_000, requestMs: 5_000 }) })),
        tableName: env.TABLE_NAME,
        ttlAttribute: env.TTL_ATTRIBUTE,
    };
    return shared;
}
