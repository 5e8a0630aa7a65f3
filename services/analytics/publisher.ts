/**
 * What a service (the web app) calls to publish analytics events: it checks the events against
 * the one event schema, turns them into the wire records the Glue table describes and writes
 * them through the batched producer.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { sdkHttpHandler, type HttpTimeouts } from "../aws-http";
import { InvalidEventError, partitionKeyOf, toEventRecord, type AnalyticsEvent, type EventProblem, type EventRecord } from "./event";
import { KinesisProducer, recordProblem, type ProducerOptions } from "./producer";

export interface KinesisClientOptions {
    region: string;
    /** A local Kinesis (kinesalite, LocalStack) instead of AWS. */
    endpoint?: string;
    /** @default KINESIS_TIMEOUTS */
    timeouts?: HttpTimeouts;
}

/** Each PutRecords attempt: a 5 MiB call takes well under this inside a region. */
export const KINESIS_TIMEOUTS = { connectMs: 2_000, requestMs: 5_000 };

/**
 * A Kinesis client for the producer: one attempt per call (the producer retries, with backoff;
 * the SDK's own 3 attempts under it would make every producer attempt up to 3 requests) and a
 * real request timeout. It speaks HTTP/1.1, which PutRecords supports (the SDK's default for
 * Kinesis is HTTP/2, needed only by SubscribeToShard, and not spoken by local Kinesis servers).
 * Against a local endpoint it uses dummy credentials unless the environment has real ones.
 */
export function kinesisClient(options: KinesisClientOptions): KinesisClient {
    const base = { region: options.region, maxAttempts: 1, requestHandler: sdkHttpHandler(options.timeouts ?? KINESIS_TIMEOUTS) };
    if (!options.endpoint) return new KinesisClient(base);
    const local = !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {};
    return new KinesisClient({ ...base, endpoint: options.endpoint, ...local });
}

export interface EventPublisherOptions extends Omit<ProducerOptions, "streamArn"> {
    streamName: string;
    /** The publishing service, stored in every event's `source`. */
    source: string;
}

/** A problem with one event of a batch: its position, the field (dotted path, "" for the whole event) and what is wrong. */
export interface BatchProblem extends EventProblem {
    index: number;
}

/** Thrown before anything is sent when any event of a batch is invalid; lists every problem. */
export class InvalidEventsError extends Error {
    constructor(readonly problems: BatchProblem[]) {
        super(problems.map((p) => `event ${p.index}${p.field ? ` ${p.field}` : ""}: ${p.message}`).join("; "));
        this.name = "InvalidEventsError";
    }
}

/**
 * An event that was not confirmed stored. Sent again with this id and occurredAt it makes the
 * same record, so a consumer drops the copy if the first one did land (a call cut off by the
 * deadline may have been applied).
 */
export interface UnstoredEvent {
    /** Its position in the batch. */
    index: number;
    id: string;
    /** ISO 8601, as the record holds it (the time the server gave it when the event had none). */
    occurredAt: string;
    errorCode: string;
}

/** Thrown when some events were not confirmed stored; carries every event's id and the unstored ones. */
export class PublishFailedError extends Error {
    constructor(
        readonly eventIds: string[],
        readonly unstored: UnstoredEvent[],
    ) {
        const codes = [...new Set(unstored.map((u) => u.errorCode))].join(", ");
        super(`${unstored.length} of ${eventIds.length} event(s) were not stored (${codes})`);
        this.name = "PublishFailedError";
    }
}

export interface PublishOptions {
    /** The publish's overall deadline; events not confirmed by then are reported unstored. */
    signal?: AbortSignal;
}

/**
 * Publishes events; resolves with their ids once all are written. Rejects with
 * InvalidEventsError (nothing sent) when any event breaks the schema or the record limits, and
 * with PublishFailedError, naming every event's id and the unstored ones, otherwise.
 */
export type PublishEvents = (events: AnalyticsEvent | readonly unknown[], options?: PublishOptions) => Promise<{ eventIds: string[] }>;

/** Checks every event and makes its record, or throws InvalidEventsError naming each bad event. */
export function toEventRecords(events: readonly unknown[], source: string): EventRecord[] {
    const problems: BatchProblem[] = [];
    const records = events.map((e, index) => {
        try {
            const record = toEventRecord(e as AnalyticsEvent, source);
            const tooBig = recordProblem({ data: JSON.stringify(record), partitionKey: partitionKeyOf(record) });
            if (tooBig) problems.push({ index, field: "", message: `its Kinesis record ${tooBig}` });
            return record;
        } catch (err) {
            if (!(err instanceof InvalidEventError)) throw err;
            problems.push(...err.problems.map((p) => ({ index, ...p })));
            return undefined;
        }
    });
    if (problems.length > 0) throw new InvalidEventsError(problems);
    return records as EventRecord[];
}

export function createEventPublisher(options: EventPublisherOptions): PublishEvents {
    const producer = new KinesisProducer(options);
    return async (events, publishOptions = {}) => {
        const records = toEventRecords(Array.isArray(events) ? events : [events], options.source);
        const eventIds = records.map((r) => r.event_id);
        const result = await producer.sendSettled(
            records.map((r) => ({ data: JSON.stringify(r), partitionKey: partitionKeyOf(r) })),
            { signal: publishOptions.signal },
        );
        if (result.failed.length > 0)
            throw new PublishFailedError(
                eventIds,
                result.failed.map((f) => ({
                    index: f.index,
                    id: records[f.index].event_id,
                    occurredAt: new Date(records[f.index].occurred_at).toISOString(),
                    errorCode: f.errorCode,
                })),
            );
        return { eventIds };
    };
}

/**
 * A publisher configured from the environment the platform gives a service:
 * ANALYTICS_STREAM_NAME, AWS_REGION and, for local runs, KINESIS_ENDPOINT.
 */
export function eventPublisherFromEnv(source: string, env: NodeJS.ProcessEnv = process.env): PublishEvents {
    const streamName = env.ANALYTICS_STREAM_NAME;
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!streamName) throw new Error("ANALYTICS_STREAM_NAME is not set: the name of the analytics Kinesis stream (stack output analyticsStreamName)");
    if (!region) throw new Error("AWS_REGION is not set");
    return createEventPublisher({ client: kinesisClient({ region, endpoint: env.KINESIS_ENDPOINT }), streamName, source });
}
