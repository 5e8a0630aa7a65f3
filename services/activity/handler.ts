/**
 * The stream processor: consumes the analytics Kinesis stream and files every event that has a
 * subject into that subject's activity feed in the global table (`activity#<subject>`, sorted by
 * time), where the table's TTL removes it after the retention period. Writes are idempotent (a
 * record always maps to the same item), so the re-reads that retries, bisected batches and
 * TRIM_HORIZON cause are harmless.
 *
 * A record that is not a valid event, or whose write keeps failing, is reported as a batch item
 * failure: Lambda retries from it (bisecting the batch), and after the mapping's retry limit
 * sends the batch's shard and sequence numbers to the failure queue.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { InvalidEventError, parseEventRecord, type EventRecord } from "../analytics/event";
import { sdkHttpHandler } from "../aws-http";
import { entityKey, sortKey } from "../table-keys";

/** BatchWriteItem takes at most 25 items. */
const BATCH_WRITE_MAX = 25;

/**
 * Each BatchWriteItem attempt ends within 1 s to connect and 3 s to answer, and the client makes
 * 2 attempts: one call takes at most about 9 s. A round starts only with WRITE_BUDGET_MS left
 * before the function's timeout; records not written by then are reported failed and retried.
 */
export const ACTIVITY_DYNAMODB_HTTP = { connectMs: 1000, requestMs: 3000 };
export const ACTIVITY_DYNAMODB_MAX_ATTEMPTS = 2;
export const WRITE_BUDGET_MS = 12_000;

/** What the processor needs of the Lambda context: the time left before the function's timeout. */
export interface InvocationContext {
    getRemainingTimeInMillis(): number;
}

/** The processor's table client (the region and credentials from the environment by default). */
export function activityTable(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
    return DynamoDBDocumentClient.from(
        new DynamoDBClient({ ...config, maxAttempts: ACTIVITY_DYNAMODB_MAX_ATTEMPTS, requestHandler: sdkHttpHandler(ACTIVITY_DYNAMODB_HTTP) }),
    );
}

export interface ActivityOptions {
    tableName: string;
    /** The table's TTL attribute (epoch seconds). */
    ttlAttribute: string;
    retentionDays: number;
    /** Rounds of retrying unprocessed items before the records count as failed. */
    maxWriteAttempts?: number;
    sleep?: (ms: number) => Promise<void>;
}

export class InvalidRecordError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InvalidRecordError";
    }
}

/** Decodes a Kinesis record into the analytics event it carries, checked against the one event schema (services/analytics/event.ts). */
export function decode(record: KinesisStreamRecord): EventRecord {
    let e: unknown;
    try {
        e = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8"));
    } catch {
        throw new InvalidRecordError("data is not JSON");
    }
    try {
        return parseEventRecord(e);
    } catch (err) {
        if (err instanceof InvalidEventError) throw new InvalidRecordError(`not an analytics event record (see services/analytics/event.ts): ${err.message}`);
        throw err;
    }
}

/** The activity item of an event, or undefined for an event without a subject. */
export function activityItem(e: EventRecord, opts: Pick<ActivityOptions, "ttlAttribute" | "retentionDays">): Record<string, unknown> | undefined {
    if (!e.subject_id) return undefined;
    const at = new Date(e.occurred_at).toISOString();
    return {
        pk: entityKey("activity", e.subject_id),
        sk: sortKey(at, e.event_id),
        eventId: e.event_id,
        eventType: e.event_type,
        source: e.source,
        occurredAt: at,
        attributes: e.attributes,
        [opts.ttlAttribute]: Math.floor(e.occurred_at / 1000) + opts.retentionDays * 86_400,
    };
}

export function createActivityProcessor(ddb: DynamoDBDocumentClient, opts: ActivityOptions) {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const maxAttempts = opts.maxWriteAttempts ?? 4;

    /** Writes the items; returns the keys still unwritten after the retries, or when time ran short. */
    async function write(items: Record<string, unknown>[], hasTime: () => boolean): Promise<Set<string>> {
        const unwritten = new Set<string>();
        for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) {
            let pending = items.slice(i, i + BATCH_WRITE_MAX);
            for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt++) {
                if (attempt > 1) await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
                if (!hasTime()) break;
                const r = await ddb.send(new BatchWriteCommand({ RequestItems: { [opts.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } }));
                pending = (r.UnprocessedItems?.[opts.tableName] ?? []).map((w) => w.PutRequest!.Item as Record<string, unknown>);
            }
            for (const item of pending) unwritten.add(keyOf(item));
        }
        return unwritten;
    }

    return async (event: KinesisStreamEvent, context?: InvocationContext): Promise<KinesisStreamBatchResponse> => {
        const hasTime = () => !context || context.getRemainingTimeInMillis() > WRITE_BUDGET_MS;
        const failed: string[] = [];
        // One item per key: BatchWriteItem rejects a request naming a key twice, and a producer's retry repeats an event.
        const items = new Map<string, { item: Record<string, unknown>; sequenceNumbers: string[] }>();
        let skipped = 0;
        for (const r of event.Records) {
            try {
                const item = activityItem(decode(r), opts);
                if (!item) {
                    skipped++;
                    continue;
                }
                const key = keyOf(item);
                const entry = items.get(key) ?? { item, sequenceNumbers: [] };
                entry.sequenceNumbers.push(r.kinesis.sequenceNumber);
                items.set(key, entry);
            } catch (err) {
                failed.push(r.kinesis.sequenceNumber);
                console.error(
                    JSON.stringify({
                        message: "record rejected",
                        sequenceNumber: r.kinesis.sequenceNumber,
                        partitionKey: r.kinesis.partitionKey,
                        error: String(err),
                    }),
                );
            }
        }
        const unwritten = await write(
            [...items.values()].map((e) => e.item),
            hasTime,
        );
        for (const key of unwritten) failed.push(...items.get(key)!.sequenceNumbers);
        console.log(
            JSON.stringify({ message: "batch processed", records: event.Records.length, written: items.size - unwritten.size, skipped, failed: failed.length }),
        );
        // Lambda resumes from the lowest reported sequence number; the order of this list does not matter.
        return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    };
}

const keyOf = (item: Record<string, unknown>) => `${item.pk}\u0000${item.sk}`;

let processor: ReturnType<typeof createActivityProcessor> | undefined;
export const handler = (event: KinesisStreamEvent, context?: InvocationContext) => {
    const env = process.env;
    if (!env.TABLE_NAME || !env.TTL_ATTRIBUTE || !env.RETENTION_DAYS) throw new Error("TABLE_NAME, TTL_ATTRIBUTE and RETENTION_DAYS must be set");
    processor ??= createActivityProcessor(activityTable(), {
        tableName: env.TABLE_NAME,
        ttlAttribute: env.TTL_ATTRIBUTE,
        retentionDays: Number(env.RETENTION_DAYS),
    });
    return processor(event, context);
};
