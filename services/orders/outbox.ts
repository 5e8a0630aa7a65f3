/**
 * Publishing the outbox to EventBridge. The write path calls it right after its commit for the
 * event it just wrote; the relay (every few minutes) calls it for whatever is still unpublished.
 *
 * Failure modes, and why they are acceptable:
 * - PutEvents fails or the function dies after the commit: the row stays unpublished and the
 *   next relay run publishes it. The event is late, never lost.
 * - PutEvents succeeds but marking the row fails (the connection drops before COMMIT): the row is
 *   published again later. Delivery is at least once; every event keeps its eventId, and every
 *   consumer ignores an event it has already applied (the projector by version, the saga by
 *   claiming the order once).
 * Rows are locked with SKIP LOCKED, so a relay run and a write path never publish the same row at
 * the same time.
 */
import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
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
                new PutEventsCommand({ Entries: entries.map((e) => ({ EventBusName: busName, Source: ORDER_SOURCE, DetailType: e.detailType, Detail: e.detail, Time: e.time })) }),
            );
            const results = r.Entries ?? [];
            return entries.map((_, i) => {
                const x = results[i];
                return x?.EventId && !x.ErrorCode ? { ok: true } : { ok: false, errorCode: x?.ErrorCode ?? "MissingResult", errorMessage: x?.ErrorMessage };
            });
        },
    };
}

export interface PublishResult {
    published: string[];
    failed: { eventId: string; errorCode: string }[];
}

/**
 * Publishes unpublished outbox rows, oldest first, at most `limit` (or exactly `eventIds`, if
 * given, when still unpublished), and marks those EventBridge accepted.
 */
export async function publishOutbox(pool: Pool, bus: OrderBus, opts: { limit: number; eventIds?: string[] }): Promise<PublishResult> {
    const client = await pool.connect();
    const result: PublishResult = { published: [], failed: [] };
    try {
        await client.query("BEGIN");
        const rows = await client.query<{ event_id: string; event_type: string; detail: unknown; created_at: Date }>(
            `SELECT event_id, event_type, detail, created_at FROM outbox
             WHERE published_at IS NULL AND ($2::uuid[] IS NULL OR event_id = ANY($2::uuid[]))
             ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
            [opts.limit, opts.eventIds ?? null],
        );
        for (let i = 0; i < rows.rows.length; i += PUT_EVENTS_MAX_ENTRIES) {
            const chunk = rows.rows.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
            let outcomes: EntryResult[];
            try {
                outcomes = await bus.publish(chunk.map((r) => ({ detailType: r.event_type, detail: JSON.stringify(r.detail), time: r.created_at })));
            } catch (err) {
                const code = (err as Error).name || "PutEventsFailed";
                outcomes = chunk.map(() => ({ ok: false, errorCode: code }));
            }
            chunk.forEach((row, j) => {
                const o = outcomes[j];
                if (o?.ok) result.published.push(row.event_id);
                else result.failed.push({ eventId: row.event_id, errorCode: o ? o.errorCode : "MissingResult" });
            });
        }
        if (result.published.length > 0) await client.query("UPDATE outbox SET published_at = now() WHERE event_id = ANY($1::uuid[])", [result.published]);
        await client.query("COMMIT");
        return result;
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    } finally {
        client.release();
    }
}
