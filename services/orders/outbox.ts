/**
 * Publishing the outbox to EventBridge. The write path calls it right after its commit for the
 * event it just wrote; the relay (every few minutes) calls it for whatever is still unpublished.
 *
 * Rows are claimed, not locked, while they are published: one short statement takes up to 10 due
 * rows (FOR UPDATE SKIP LOCKED, so concurrent claimers never take the same row) and stamps them
 * with a claim id and a lease; the PutEvents call then runs holding no lock and no transaction,
 * and its outcome is written back. A run that dies mid-call leaves its claim to expire with the
 * lease, and the rows become due again.
 *
 * Failure modes, and why they are acceptable:
 * - PutEvents fails as a whole (EventBridge unreachable, throttled, timed out): not the rows'
 *   fault. Their claim is released without counting an attempt, and the run stops; the next run
 *   retries. The event is late, never lost.
 * - EventBridge refuses an entry: the row's attempt count goes up and it waits an exponential
 *   backoff, so it neither retries in a tight loop nor takes the batch from rows behind it. After
 *   `maxAttempts` refusals it is parked (parked_at set): the relay stops trying, and the relay's
 *   OutboxParked metric, which an alarm watches, reports it. A person fixes the cause and clears
 *   parked_at (see docs/events.md).
 * - PutEvents succeeds but marking the row fails (the connection drops first), or a lease
 *   expires mid-call: the row is published again later. Delivery is at least once; every event
 *   keeps its eventId, and every consumer ignores an event it has already applied (the projector
 *   by version, the saga by claiming the order once).
 */
import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { randomUUID } from "crypto";
import type { Pool } from "pg";
import { ORDER_SOURCE } from "./model";

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

export interface BusEntry {
    detailType: string;
    detail: string;
    time: Date;
}

/** Per entry, in order: accepted, or the error EventBridge gave. */
export type EntryResult = { ok: true } | { ok: false; errorCode: string; errorMessage?: string };

/** The bus the outbox publishes to; a whole-call failure rejects. */
export interface OrderBus {
    publish(entries: BusEntry[]): Promise<EntryResult[]>;
}

/** The SDK-backed bus: PutEvents to the named bus with the orders source. */
export function eventBridgeBus(client: EventBridgeClient, busName: string): OrderBus {
    return {
        async publish(entries) {
            const r = await client.send(
                new PutEventsCommand({
                    Entries: entries.map((e) => ({ EventBusName: busName, Source: ORDER_SOURCE, DetailType: e.detailType, Detail: e.detail, Time: e.time })),
                }),
            );
            const results = r.Entries ?? [];
            return entries.map((_, i) => {
                const x = results[i];
                return x?.EventId && !x.ErrorCode ? { ok: true } : { ok: false, errorCode: x?.ErrorCode ?? "MissingResult", errorMessage: x?.ErrorMessage };
            });
        },
    };
}

export interface RetryPolicy {
    /** Refusals after which a row is parked. */
    maxAttempts: number;
    /** Wait after the first refusal, doubled after each further one, in seconds. */
    backoffBaseSeconds: number;
    /** Longest wait between attempts, in seconds. */
    backoffMaxSeconds: number;
}

/** About two hours of refusals (30 s doubling to 30 min) before a row is parked. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, backoffBaseSeconds: 30, backoffMaxSeconds: 1800 };

/**
 * How long a claim holds rows, in seconds: far longer than one PutEvents call can take (the
 * client's request timeout times its attempts), so a live run's claim never lapses under it.
 */
export const CLAIM_LEASE_SECONDS = 60;

export interface PublishOptions {
    /** Rows to publish at most. */
    limit: number;
    /** Only these rows (the write path's own event), when due. */
    eventIds?: string[];
    retry?: RetryPolicy;
    /** Whether there is time for one more PutEvents call (e.g. before the Lambda timeout); default: always. */
    hasTimeFor?: () => boolean;
}

export interface PublishResult {
    published: string[];
    /** Refused entries, and entries of a PutEvents call that failed as a whole. */
    failed: { eventId: string; errorCode: string }[];
    /** Rows this run parked after their last allowed attempt. */
    parked: string[];
}

interface ClaimedRow {
    event_id: string;
    event_type: string;
    detail: unknown;
    created_at: Date;
    next_attempt_at: Date;
}

/**
 * Publishes due outbox rows, longest-waiting first, at most `limit` (or exactly `eventIds`, if
 * given and still due), in claims of one PutEvents call each, and records each outcome.
 */
export async function publishOutbox(pool: Pool, bus: OrderBus, opts: PublishOptions): Promise<PublishResult> {
    const retry = opts.retry ?? DEFAULT_RETRY;
    const result: PublishResult = { published: [], failed: [], parked: [] };
    const tried: string[] = [];
    while (tried.length < opts.limit && (opts.hasTimeFor?.() ?? true)) {
        const claimId = randomUUID();
        const claimed = await claim(pool, claimId, Math.min(PUT_EVENTS_MAX_ENTRIES, opts.limit - tried.length), opts.eventIds, tried);
        if (claimed.length === 0) break;
        tried.push(...claimed.map((r) => r.event_id));
        let outcomes: EntryResult[];
        try {
            outcomes = await bus.publish(claimed.map((r) => ({ detailType: r.event_type, detail: JSON.stringify(r.detail), time: r.created_at })));
        } catch (err) {
            const code = (err as Error).name || "PutEventsFailed";
            await pool.query("UPDATE outbox SET claim_id = NULL, claimed_until = NULL, last_error = $2 WHERE claim_id = $1", [claimId, code]);
            result.failed.push(...claimed.map((r) => ({ eventId: r.event_id, errorCode: code })));
            break;
        }
        const ok = claimed.filter((_, i) => outcomes[i]?.ok).map((r) => r.event_id);
        const refused = claimed.flatMap((r, i) => {
            const o = outcomes[i];
            return o?.ok ? [] : [{ eventId: r.event_id, errorCode: o ? o.errorCode : "MissingResult" }];
        });
        if (ok.length > 0) {
            await pool.query(
                "UPDATE outbox SET published_at = now(), claim_id = NULL, claimed_until = NULL, last_error = NULL WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL",
                [ok],
            );
            result.published.push(...ok);
        }
        if (refused.length > 0) {
            const marked = await pool.query<{ event_id: string; parked: boolean }>(
                `UPDATE outbox o SET attempts = o.attempts + 1, last_error = r.code, claim_id = NULL, claimed_until = NULL,
                     next_attempt_at = now() + make_interval(secs => least($4::float8, $3::float8 * power(2, o.attempts))),
                     parked_at = CASE WHEN o.attempts + 1 >= $5 THEN now() END
                 FROM unnest($2::uuid[], $6::text[]) AS r(event_id, code)
                 WHERE o.event_id = r.event_id AND o.claim_id = $1
                 RETURNING o.event_id, o.parked_at IS NOT NULL AS parked`,
                [claimId, refused.map((r) => r.eventId), retry.backoffBaseSeconds, retry.backoffMaxSeconds, retry.maxAttempts, refused.map((r) => r.errorCode)],
            );
            result.failed.push(...refused);
            result.parked.push(...marked.rows.filter((r) => r.parked).map((r) => r.event_id));
        }
    }
    return result;
}

/** Claims up to `limit` due rows in one statement; the row locks last only as long as it does. */
async function claim(pool: Pool, claimId: string, limit: number, eventIds: string[] | undefined, exclude: string[]): Promise<ClaimedRow[]> {
    const r = await pool.query<ClaimedRow>(
        `WITH due AS (
             SELECT event_id FROM outbox
             WHERE published_at IS NULL AND parked_at IS NULL AND next_attempt_at <= now()
               AND (claimed_until IS NULL OR claimed_until < now())
               AND ($2::uuid[] IS NULL OR event_id = ANY($2::uuid[]))
               AND NOT (event_id = ANY($3::uuid[]))
             ORDER BY next_attempt_at, created_at
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
         UPDATE outbox o SET claim_id = $4, claimed_until = now() + make_interval(secs => $5)
         FROM due WHERE o.event_id = due.event_id
         RETURNING o.event_id, o.event_type, o.detail, o.created_at, o.next_attempt_at`,
        [limit, eventIds ?? null, exclude, claimId, CLAIM_LEASE_SECONDS],
    );
    // RETURNING keeps no order: publish in the order the rows were due.
    return r.rows.sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || a.created_at.getTime() - b.created_at.getTime());
}

export interface OutboxStats {
    /** Rows parked after too many refusals, waiting for a person. */
    parked: number;
    /** Rows still to publish (due, backing off or claimed). */
    pending: number;
    /** Age of the oldest row still to publish, in seconds (0 when none). */
    oldestPendingSeconds: number;
}

export async function outboxStats(pool: Pool): Promise<OutboxStats> {
    const r = await pool.query<{ parked: string; pending: string; oldest: number | null }>(
        `SELECT count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
                count(*) FILTER (WHERE parked_at IS NULL) AS pending,
                extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL))::float8 AS oldest
         FROM outbox WHERE published_at IS NULL`,
    );
    const row = r.rows[0];
    return { parked: Number(row.parked), pending: Number(row.pending), oldestPendingSeconds: Math.max(0, Math.round(row.oldest ?? 0)) };
}
