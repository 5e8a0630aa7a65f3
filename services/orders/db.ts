/**
 * Living with connections that die: RDS Proxy or the database restarts, fails over, or drops an
 * idle connection while the Lambda environment is frozen, and the socket's error arrives later,
 * in some unrelated invocation. `pg` reports such an error as an `error` event (on the pool for
 * an idle client, on the client for a checked-out one); an EventEmitter's `error` with no
 * listener is thrown from the socket callback and ends the process. So every pool gets a
 * listener, every checkout gets one for as long as it is held, and work whose connection was
 * lost is retried once on a fresh connection.
 */
import type { Pool, PoolClient } from "pg";

type Log = (entry: Record<string, unknown>) => void;
const defaultLog: Log = (e) => console.warn(JSON.stringify(e));

/** Logs an idle client's death instead of crashing: the pool has already discarded that client. */
export function guardPool(pool: Pool, log: Log = defaultLog): Pool {
    if (!pool.listeners("error").some((l) => (l as { guard?: boolean }).guard)) {
        const listener = Object.assign((err: Error) => log({ message: "idle database connection lost; the pool opens a new one", error: String(err) }), {
            guard: true,
        });
        pool.on("error", listener);
    }
    return pool;
}

/** PostgreSQL and socket signs that a connection (not the statement) failed. */
const LOST_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);
export function isConnectionLost(err: unknown): boolean {
    const e = err as { code?: unknown; message?: unknown } | undefined;
    if (typeof e?.code === "string" && LOST_CODES.has(e.code)) return true;
    return typeof e?.message === "string" && /Connection terminated|not queryable|Client was closed/.test(e.message);
}

/**
 * Runs `work` on a checked-out client and releases it; a client that failed is destroyed rather
 * than returned to the pool. An error the connection raises between statements is held and
 * surfaces as the next statement's failure.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error) => {
        broken ??= err;
    };
    client.on("error", onError);
    try {
        return await work(client);
    } catch (err) {
        broken ??= isConnectionLost(err) ? (err as Error) : undefined;
        throw err;
    } finally {
        client.removeListener("error", onError);
        client.release(broken);
    }
}

/** `work`, and once more on a fresh connection if its connection was lost; `work` must be safe to repeat. */
export async function retryOnLostConnection<T>(work: () => Promise<T>, log: Log = defaultLog): Promise<T> {
    try {
        return await work();
    } catch (err) {
        if (!isConnectionLost(err)) throw err;
        log({ message: "database connection lost; retrying once on a new connection", error: String(err) });
        return work();
    }
}
