/**
 * The analytics event: what services publish to the Kinesis stream, and the schema of the Glue
 * table Firehose uses to convert it to Parquet. One definition serves both, so the producer and
 * the table cannot drift apart. Plain TypeScript, no SDK: the infrastructure imports it too.
 */
import { randomUUID } from "crypto";

/** An event as a service describes it. */
export interface AnalyticsEvent {
    /** What happened, e.g. "order.placed". */
    type: string;
    /** Who or what it happened to (a user or session id); events of one subject share a shard, so stay in order. */
    subjectId?: string;
    /** When it happened; defaults to now. */
    occurredAt?: Date;
    /** Small string facts to filter and group by. */
    attributes?: Record<string, string>;
    /** Anything else, kept as JSON text. */
    payload?: unknown;
    /** A unique id; one is generated when omitted. Retries reuse it, so consumers can drop duplicates. */
    id?: string;
}

/**
 * The record on the wire: snake_case (the Hive JSON SerDe lowercases column names) and
 * occurred_at in epoch milliseconds (the SerDe's "millis" timestamp format).
 */
export interface EventRecord {
    event_id: string;
    event_type: string;
    occurred_at: number;
    source: string;
    subject_id: string | null;
    attributes: Record<string, string>;
    payload: string | null;
}

/** Columns of the events table, in Glue (Hive) types, matching EventRecord field by field. */
export const EVENT_COLUMNS: ReadonlyArray<{ name: keyof EventRecord; type: string; comment: string }> = [
    { name: "event_id", type: "string", comment: "Unique event id; duplicates are retries" },
    { name: "event_type", type: "string", comment: "What happened, e.g. order.placed" },
    { name: "occurred_at", type: "timestamp", comment: "When it happened (UTC)" },
    { name: "source", type: "string", comment: "The service that published it" },
    { name: "subject_id", type: "string", comment: "The user or session it happened to" },
    { name: "attributes", type: "map<string,string>", comment: "String facts to filter and group by" },
    { name: "payload", type: "string", comment: "Further detail as JSON text" },
];

/** The timestamp format Firehose's Hive JSON SerDe reads occurred_at with. */
export const OCCURRED_AT_FORMAT = "millis";

const EVENT_TYPE = /^[a-z0-9][a-z0-9_.:-]{0,127}$/;

/** Builds the wire record of an event, checking what the table and Kinesis require. */
export function toEventRecord(event: AnalyticsEvent, source: string): EventRecord {
    if (!EVENT_TYPE.test(event.type)) throw new TypeError(`event type ${JSON.stringify(event.type)} must be 1-128 lowercase letters, digits or _ . : -, starting with a letter or digit`);
    const occurredAt = event.occurredAt ?? new Date();
    if (Number.isNaN(occurredAt.getTime())) throw new TypeError(`event ${event.type} has an invalid occurredAt`);
    return {
        event_id: event.id ?? randomUUID(),
        event_type: event.type,
        occurred_at: occurredAt.getTime(),
        source,
        subject_id: event.subjectId ?? null,
        attributes: event.attributes ?? {},
        payload: event.payload === undefined ? null : JSON.stringify(event.payload),
    };
}

/** The partition key: the subject keeps one subject's events on one shard; otherwise the event id spreads them. */
export function partitionKeyOf(record: EventRecord): string {
    return record.subject_id ?? record.event_id;
}
