/**
 * The analytics event: what services publish to the Kinesis stream, and the schema of the Glue
 * table Firehose uses to convert it to Parquet. One definition serves the endpoint that takes
 * events (services/web), the producers (the publisher, the analytics bridge), the consumers (the
 * stream processor, Firehose's table), so none of them can accept what another rejects. No SDK:
 * the infrastructure imports it too.
 */
import { randomUUID } from "crypto";
import { z } from "zod";

/**
 * Largest id and subject, in UTF-16 code units: a subject or an id is the Kinesis partition key
 * (at most 256, counted that way), and the activity feed's DynamoDB keys hold them.
 */
export const EVENT_LIMITS = { idChars: 128, subjectChars: 256, attributes: 50, attributeKeyChars: 128, attributeValueChars: 1024 } as const;

const EVENT_TYPE = /^[a-z0-9][a-z0-9_.:-]{0,127}$/;
// "#" separates the parts of the activity feed's keys (services/table-keys.ts); control characters have no business in a key.
// eslint-disable-next-line no-control-regex -- matching control characters (to refuse them) is the point
const KEY_TEXT = /^[^#\u0000-\u001f\u007f]*$/;
const keyText = (max: number) =>
    z
        .string()
        .min(1, { message: "must not be empty" })
        .regex(KEY_TEXT, { message: 'must not contain "#" or control characters' })
        // JavaScript's length, as Kinesis counts (zod's max counts code points).
        .refine((v) => v.length <= max, { message: `must be at most ${max} characters (UTF-16 code units: an emoji counts 2)` });

/** The fields both forms share, so the event and its record accept exactly the same values. */
const fields = {
    type: z.string().regex(EVENT_TYPE, { message: "must be 1-128 lowercase letters, digits or _ . : -, starting with a letter or digit" }),
    id: keyText(EVENT_LIMITS.idChars),
    subjectId: keyText(EVENT_LIMITS.subjectChars),
    // Parquet's map<string,string> and the activity item (DynamoDB, 400 KB) both need a small string-to-string map.
    attributes: z
        .record(z.string().min(1).max(EVENT_LIMITS.attributeKeyChars), z.string().max(EVENT_LIMITS.attributeValueChars))
        .refine((m) => Object.keys(m).length <= EVENT_LIMITS.attributes, { message: `must have at most ${EVENT_LIMITS.attributes} entries` }),
};

/**
 * An event as a service describes it, or as a client sends it in JSON (occurredAt then an ISO
 * 8601 date-time with its offset, e.g. 2026-03-01T12:00:00Z). Unknown fields are refused, so a
 * misspelt one is an error rather than silently dropped.
 */
export const analyticsEventSchema = z.strictObject({
    /** What happened, e.g. "order.placed". */
    type: fields.type,
    /** Who or what it happened to (a user or session id): its partition key, so one subject's events share a shard. */
    subjectId: fields.subjectId.optional(),
    /** When it happened; defaults to now. */
    occurredAt: z
        .union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))], {
            error: "must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T12:00:00Z",
        })
        .optional(),
    /** Small string facts to filter and group by. */
    attributes: fields.attributes.optional(),
    /** Anything else, kept as JSON text. */
    payload: z.unknown().optional(),
    /** A unique id; one is generated when omitted. Retries reuse it, so consumers can drop duplicates. */
    id: fields.id.optional(),
});

/** An event as a service describes it. */
export type AnalyticsEvent = z.output<typeof analyticsEventSchema>;

/**
 * The record on the wire: snake_case (the Hive JSON SerDe lowercases column names) and
 * occurred_at in epoch milliseconds (the SerDe's "millis" timestamp format).
 */
export const eventRecordSchema = z.object({
    event_id: fields.id,
    event_type: fields.type,
    occurred_at: z.int(),
    source: z.string().min(1),
    subject_id: fields.subjectId.nullable(),
    attributes: fields.attributes,
    payload: z.string().nullable(),
});
export type EventRecord = z.output<typeof eventRecordSchema>;

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

/** One thing wrong with an event: the field (dotted path, "" for the event itself) and what is wrong. */
export interface EventProblem {
    field: string;
    message: string;
}

/** Thrown for an event or record the schema refuses; lists every problem. */
export class InvalidEventError extends TypeError {
    constructor(readonly problems: EventProblem[]) {
        super(problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; "));
        this.name = "InvalidEventError";
    }
}

/** Plain messages for the common mistakes; zod's own for the rest. */
const messages: z.core.$ZodErrorMap = (issue) => {
    if (issue.code !== "invalid_type") return undefined;
    if (issue.input === undefined) return "is required";
    return `must be ${issue.expected === "object" || issue.expected === "record" ? "a JSON object" : `a ${issue.expected}`}, not ${issue.input === null ? "null" : Array.isArray(issue.input) ? "an array" : typeof issue.input}`;
};

const problemsOf = (error: z.ZodError): EventProblem[] =>
    error.issues.map((i) => {
        const unknownKeys = i.code === "unrecognized_keys" ? i.keys : [];
        const field = [...i.path, ...unknownKeys].map(String).join(".");
        return { field, message: unknownKeys.length > 0 ? "is not a field of an analytics event" : i.message };
    });

/** Checks an event (from code or from a client's JSON); throws InvalidEventError listing every problem. */
export function parseEvent(input: unknown): AnalyticsEvent {
    const r = analyticsEventSchema.safeParse(input, { error: messages });
    if (!r.success) throw new InvalidEventError(problemsOf(r.error));
    return r.data;
}

/** Checks a record read from the stream; throws InvalidEventError listing every problem. */
export function parseEventRecord(input: unknown): EventRecord {
    const r = eventRecordSchema.safeParse(input, { error: messages });
    if (!r.success) throw new InvalidEventError(problemsOf(r.error));
    return r.data;
}

/** Builds the wire record of an event, checking it against the schema first. */
export function toEventRecord(event: AnalyticsEvent, source: string): EventRecord {
    const e = parseEvent(event);
    return {
        event_id: e.id ?? randomUUID(),
        event_type: e.type,
        occurred_at: (e.occurredAt ?? new Date()).getTime(),
        source,
        subject_id: e.subjectId ?? null,
        attributes: e.attributes ?? {},
        payload: e.payload === undefined ? null : JSON.stringify(e.payload),
    };
}

/**
 * The partition key: the subject keeps one subject's events on one shard; otherwise the event id
 * spreads them. Sharing a shard does not keep them in order: PutRecords does not order the
 * records of one call, and the producer's retry of a throttled record lands after records sent
 * later. Consumers that care order by occurred_at (the activity feed's sort key does).
 */
export function partitionKeyOf(record: EventRecord): string {
    return record.subject_id ?? record.event_id;
}
