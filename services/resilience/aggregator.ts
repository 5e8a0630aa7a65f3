/**
 * The aggregator pattern: one response gathered from several sources called in parallel, each
 * under its own deadline and circuit breaker, so one slow or failing source degrades the answer
 * (that part reads "unavailable") instead of failing or stalling it.
 */
import { CircuitBreaker, CircuitOpenError } from "./circuit-breaker";

export interface Source<T = unknown> {
    name: string;
    breaker: CircuitBreaker;
    /** Fetches the source's part; must give up when `signal` aborts. */
    fetch(signal: AbortSignal): Promise<T>;
}

export type Part =
    | { status: "ok"; latencyMs: number; data: unknown }
    | { status: "unavailable"; latencyMs: number; reason: "timeout" | "error" | "circuit-open"; error: string };

export interface Aggregate {
    /** complete: every part; partial: some; unavailable: none. */
    status: "complete" | "partial" | "unavailable";
    parts: Record<string, Part>;
}

export class DeadlineError extends Error {
    constructor(readonly ms: number) {
        super(`timed out after ${ms} ms`);
        this.name = "DeadlineError";
    }
}

/** Runs `task` with an abort signal that fires after `ms`, rejecting with DeadlineError then. */
export function withDeadline<T>(ms: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            reject(new DeadlineError(ms));
            controller.abort(new DeadlineError(ms));
        }, ms);
    });
    // The task's own rejection after the deadline (its abort) must not go unhandled.
    const run = task(controller.signal);
    run.catch(() => undefined);
    return Promise.race([run, deadline]).finally(() => clearTimeout(timer));
}

async function gather(source: Source, timeoutMs: number): Promise<Part> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    try {
        const data = await source.breaker.execute(() => withDeadline(timeoutMs, (signal) => source.fetch(signal)));
        return { status: "ok", latencyMs: latencyMs(), data };
    } catch (err) {
        const reason = err instanceof CircuitOpenError ? "circuit-open" : err instanceof DeadlineError ? "timeout" : "error";
        return { status: "unavailable", latencyMs: latencyMs(), reason, error: err instanceof Error ? err.message : String(err) };
    }
}

/** Every source's part, gathered in parallel; never rejects. */
export async function aggregate(sources: Source[], timeoutMs: number): Promise<Aggregate> {
    const parts = await Promise.all(sources.map((s) => gather(s, timeoutMs)));
    const ok = parts.filter((p) => p.status === "ok").length;
    return {
        status: ok === parts.length ? "complete" : ok === 0 ? "unavailable" : "partial",
        parts: Object.fromEntries(sources.map((s, i) => [s.name, parts[i]])),
    };
}
