/**
 * A batched Kinesis producer. PutRecords carries at most 500 records and 5 MiB per call, and
 * answers per record: a call can succeed while some of its records fail (throttled, or an
 * internal failure). The producer packs records into the fewest calls, retries only the
 * records that failed, with exponential backoff and full jitter, and hands every record that
 * still fails back to the caller with its error code. Nothing is dropped silently.
 *
 * Retried records may land after records sent later: Kinesis orders records within a shard by
 * arrival, so consumers that care order by the event's own timestamp.
 *
 * The producer is the only retry loop: its client should make one attempt per call (see
 * `kinesisClient`), or every producer attempt multiplies into the SDK's own attempts. A send
 * takes an AbortSignal as its overall deadline: once it aborts, nothing more is sent and every
 * record not yet confirmed is reported failed (those in flight may still have landed, so their
 * senders resend them with the same event ids).
 */
import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry, type PutRecordsResultEntry } from "@aws-sdk/client-kinesis";

/** The PutRecords limits (Kinesis Data Streams quotas). */
export const LIMITS = {
    recordsPerCall: 500,
    bytesPerCall: 5 * 1024 * 1024,
    /** One record: its data blob plus its partition key. */
    bytesPerRecord: 1024 * 1024,
    partitionKeyChars: 256,
} as const;

export interface ProducerRecord {
    data: Uint8Array | string;
    partitionKey: string;
    /** Pins the record to the shard owning this hash key, instead of the partition key's hash. */
    explicitHashKey?: string;
}

export interface FailedRecord {
    record: ProducerRecord;
    /** Where the record was in the caller's list. */
    index: number;
    /** The last error Kinesis reported for it, e.g. ProvisionedThroughputExceededException. */
    errorCode: string;
    errorMessage?: string;
    /** Calls that carried it. */
    attempts: number;
}

export interface SendResult {
    /** Records Kinesis accepted. */
    succeeded: number;
    /** Records that still failed after their attempts; empty when everything landed. */
    failed: FailedRecord[];
    /** PutRecords calls made, retries included. */
    calls: number;
}

/** Thrown by `send` when any record failed for good; carries every failed record. */
export class PutRecordsFailedError extends Error {
    constructor(readonly result: SendResult) {
        const codes = [...new Set(result.failed.map((f) => f.errorCode))].join(", ");
        super(`${result.failed.length} of ${result.succeeded + result.failed.length} record(s) were not written to Kinesis (${codes})`);
        this.name = "PutRecordsFailedError";
    }
    get failed(): FailedRecord[] {
        return this.result.failed;
    }
}

/** Thrown before anything is sent when a record breaks a per-record limit. */
export class InvalidRecordError extends Error {
    constructor(
        readonly index: number,
        message: string,
    ) {
        super(`record ${index}: ${message}`);
        this.name = "InvalidRecordError";
    }
}

export interface ProducerOptions {
    client: KinesisClient;
    /** The stream's name; or give streamArn. */
    streamName?: string;
    streamArn?: string;
    /** Calls a record may ride in, the first included (default 5). */
    maxAttempts?: number;
    /** Backoff before retry n is uniform in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))) (defaults 100 and 5000). */
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** Injected for tests: a source of uniform [0, 1) numbers and a sleep. */
    random?: () => number;
    sleep?: (ms: number) => Promise<void>;
}

/** Per-record error codes worth retrying; the rest (KMS access denied, disabled key, ...) fail at once. */
const RETRYABLE_RECORD_ERRORS = new Set(["ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException", "ServiceUnavailable"]);

/** Whole-call errors worth retrying: throttling, server faults and network trouble. */
function retryableCallError(err: unknown): boolean {
    const e = err as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
    if (e?.$retryable) return true;
    if (
        [
            "ProvisionedThroughputExceededException",
            "LimitExceededException",
            "KMSThrottlingException",
            "ThrottlingException",
            "InternalFailure",
            "ServiceUnavailable",
            "TimeoutError",
        ].includes(e?.name ?? "")
    )
        return true;
    if (["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(e?.code ?? "")) return true;
    const status = e?.$metadata?.httpStatusCode;
    return status !== undefined && status >= 500;
}

const encoder = new TextEncoder();
const bytesOf = (data: Uint8Array | string) => (typeof data === "string" ? encoder.encode(data) : data);

/** Size a record counts for against the per-record and per-call limits: data plus partition key, in bytes. */
export function recordSize(record: { data: Uint8Array; partitionKey: string }): number {
    return record.data.byteLength + Buffer.byteLength(record.partitionKey, "utf8");
}

/** What makes a record break a per-record limit, or undefined when it is within them. */
export function recordProblem(record: ProducerRecord): string | undefined {
    const key = record.partitionKey;
    // Kinesis counts UTF-16 code units (as JavaScript's length does): an emoji is 2 of the 256.
    const keyChars = typeof key === "string" ? key.length : 0;
    if (keyChars < 1 || keyChars > LIMITS.partitionKeyChars) return `partition key must be 1 to ${LIMITS.partitionKeyChars} characters, got ${keyChars}`;
    const size = recordSize({ data: bytesOf(record.data), partitionKey: key });
    if (size > LIMITS.bytesPerRecord) return `is ${size} bytes with its partition key, above the Kinesis limit of ${LIMITS.bytesPerRecord} bytes (1 MiB)`;
    return undefined;
}

/** Checks one record against the per-record limits; returns its encoded data. */
function validate(record: ProducerRecord, index: number): Uint8Array {
    const problem = recordProblem(record);
    if (problem) throw new InvalidRecordError(index, problem);
    return bytesOf(record.data);
}

/**
 * Packs items, in order, into batches of at most `maxCount` items and `maxBytes` total size.
 * Every item must fit in a batch on its own.
 */
export function packBatches<T>(
    items: readonly T[],
    sizeOf: (item: T) => number,
    maxCount: number = LIMITS.recordsPerCall,
    maxBytes: number = LIMITS.bytesPerCall,
): T[][] {
    const batches: T[][] = [];
    let current: T[] = [];
    let bytes = 0;
    for (const item of items) {
        const size = sizeOf(item);
        if (size > maxBytes) throw new RangeError(`an item of ${size} bytes cannot fit a batch of ${maxBytes} bytes`);
        if (current.length === maxCount || bytes + size > maxBytes) {
            batches.push(current);
            current = [];
            bytes = 0;
        }
        current.push(item);
        bytes += size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
}

export interface SendOptions {
    /** The send's overall deadline: once aborted, no further call starts and the unconfirmed records fail. */
    signal?: AbortSignal;
}

/** The error a record not confirmed before the deadline reports: the abort reason's name, e.g. TimeoutError. */
function abortedCode(signal: AbortSignal): { errorCode: string; errorMessage: string } {
    const reason = signal.reason as { name?: string; message?: string } | undefined;
    return { errorCode: reason?.name || "AbortError", errorMessage: `not confirmed before the send was aborted (${reason?.message ?? "aborted"})` };
}

/** Resolves when `work` does, or as soon as `signal` aborts (the work is left to finish on its own: a sleep). */
function abortable(work: Promise<void>, signal?: AbortSignal): Promise<void> {
    if (!signal) return work;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
        const done = () => {
            signal.removeEventListener("abort", done);
            resolve();
        };
        signal.addEventListener("abort", done, { once: true });
        work.then(done, done);
    });
}

interface Pending {
    index: number;
    record: ProducerRecord;
    entry: PutRecordsRequestEntry;
    size: number;
    attempts: number;
    errorCode?: string;
    errorMessage?: string;
}

export class KinesisProducer {
    private readonly client: KinesisClient;
    private readonly target: { StreamName?: string; StreamARN?: string };
    private readonly maxAttempts: number;
    private readonly baseDelayMs: number;
    private readonly maxDelayMs: number;
    private readonly random: () => number;
    private readonly sleep: (ms: number) => Promise<void>;

    constructor(options: ProducerOptions) {
        if (!options.streamName === !options.streamArn) throw new TypeError("give exactly one of streamName and streamArn");
        this.client = options.client;
        this.target = options.streamName ? { StreamName: options.streamName } : { StreamARN: options.streamArn };
        this.maxAttempts = options.maxAttempts ?? 5;
        if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
            throw new RangeError(`maxAttempts must be a whole number >= 1, got ${options.maxAttempts}`);
        this.baseDelayMs = options.baseDelayMs ?? 100;
        this.maxDelayMs = options.maxDelayMs ?? 5000;
        this.random = options.random ?? Math.random;
        this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    }

    /** Writes every record or rejects with PutRecordsFailedError listing the ones that failed. */
    async send(records: readonly ProducerRecord[], options: SendOptions = {}): Promise<SendResult> {
        const result = await this.sendSettled(records, options);
        if (result.failed.length > 0) throw new PutRecordsFailedError(result);
        return result;
    }

    /**
     * Writes the records and reports what landed and what did not, without throwing for failed
     * records. Throws InvalidRecordError, before sending anything, for a record over the limits.
     */
    async sendSettled(records: readonly ProducerRecord[], options: SendOptions = {}): Promise<SendResult> {
        const { signal } = options;
        const pending: Pending[] = records.map((record, index) => {
            const data = validate(record, index);
            const entry: PutRecordsRequestEntry = {
                Data: data,
                PartitionKey: record.partitionKey,
                ...(record.explicitHashKey ? { ExplicitHashKey: record.explicitHashKey } : {}),
            };
            return { index, record, entry, size: recordSize({ data, partitionKey: record.partitionKey }), attempts: 0 };
        });
        const failed: Pending[] = [];
        let succeeded = 0;
        let calls = 0;
        let queue = pending;
        for (let round = 1; queue.length > 0; round++) {
            if (round > 1) await abortable(this.sleep(this.backoff(round - 1)), signal);
            const retry: Pending[] = [];
            for (const batch of packBatches(queue, (p) => p.size)) {
                if (signal?.aborted) {
                    for (const p of batch) failed.push(Object.assign(p, abortedCode(signal)));
                    continue;
                }
                calls += 1;
                const outcome = await this.putBatch(batch, signal);
                batch.forEach((p, i) => {
                    p.attempts += 1;
                    const answer = outcome.entries?.[i];
                    if (answer && !answer.ErrorCode) {
                        succeeded += 1;
                        return;
                    }
                    p.errorCode = answer?.ErrorCode ?? outcome.errorCode ?? "Unknown";
                    p.errorMessage = answer?.ErrorMessage ?? outcome.errorMessage;
                    const retryable = answer ? RETRYABLE_RECORD_ERRORS.has(p.errorCode) : outcome.retryable;
                    (retryable && p.attempts < this.maxAttempts && !signal?.aborted ? retry : failed).push(p);
                });
            }
            queue = retry;
        }
        return {
            succeeded,
            calls,
            failed: failed
                .sort((a, b) => a.index - b.index)
                .map((p) => ({ record: p.record, index: p.index, errorCode: p.errorCode!, errorMessage: p.errorMessage, attempts: p.attempts })),
        };
    }

    /** One PutRecords call; a call-level failure becomes an outcome rather than an exception. */
    private async putBatch(
        batch: Pending[],
        signal?: AbortSignal,
    ): Promise<{ entries?: PutRecordsResultEntry[]; errorCode?: string; errorMessage?: string; retryable: boolean }> {
        try {
            const response = await this.client.send(new PutRecordsCommand({ ...this.target, Records: batch.map((p) => p.entry) }), { abortSignal: signal });
            const entries = response.Records ?? [];
            if (entries.length !== batch.length) {
                return {
                    errorCode: "MalformedResponse",
                    errorMessage: `PutRecords answered ${entries.length} entries for ${batch.length} records`,
                    retryable: true,
                };
            }
            return { entries, retryable: false };
        } catch (err) {
            if (signal?.aborted) return { ...abortedCode(signal), retryable: false };
            const e = err as Error;
            return { errorCode: e.name || "Error", errorMessage: e.message, retryable: retryableCallError(err) };
        }
    }

    /** Full jitter: uniform in [0, min(cap, base * 2^(retry-1))). */
    private backoff(retry: number): number {
        return Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1)));
    }
}
