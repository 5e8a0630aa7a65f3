/**
 * Retries with capped exponential backoff and full jitter: attempt n waits a random time in
 * [0, min(capMs, baseMs * 2^n)), so callers that failed together do not retry together.
 */

export interface RetryOptions {
    /** Attempts in all, the first included (at least 1). */
    attempts: number;
    baseMs: number;
    capMs: number;
    /** Whether an error is worth another attempt (default: every error is). */
    retryable?: (err: unknown) => boolean;
    /** Gives up at once, without waiting out a backoff, when this aborts. */
    signal?: AbortSignal;
    /** Uniform in [0, 1); injectable for tests. */
    random?: () => number;
}

/** The wait before retry number `retry` (0-based), with full jitter. */
export function backoffMs(retry: number, opts: Pick<RetryOptions, "baseMs" | "capMs" | "random">): number {
    const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** retry);
    return Math.floor((opts.random ?? Math.random)() * ceiling);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

/** Runs `call` until it succeeds, fails with an error not worth retrying, or runs out of attempts (then its last error). */
export async function retry<T>(call: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
    if (!Number.isInteger(opts.attempts) || opts.attempts < 1) throw new Error(`attempts must be a whole number of at least 1, got ${opts.attempts}`);
    for (let attempt = 0; ; attempt += 1) {
        try {
            return await call(attempt);
        } catch (err) {
            const last = attempt + 1 >= opts.attempts;
            if (last || opts.signal?.aborted || !(opts.retryable?.(err) ?? true)) throw err;
            await sleep(backoffMs(attempt, opts), opts.signal);
        }
    }
}
