/** The health report: every dependency checked in parallel, each under its own deadline. */
import { withDeadline, type Check } from "./checks";

export interface DependencyHealth {
    status: "up" | "down";
    latencyMs: number;
    error?: string;
}

export interface HealthReport {
    /** "ok" when every dependency is up, else "unavailable". */
    status: "ok" | "unavailable";
    dependencies: Record<string, DependencyHealth>;
}

export async function checkHealth(checks: Check[], timeoutMs: number): Promise<HealthReport> {
    const results = await Promise.all(
        checks.map(async (check): Promise<[string, DependencyHealth]> => {
            const start = performance.now();
            const latency = () => Math.round(performance.now() - start);
            try {
                await withDeadline(timeoutMs, (signal) => check.run(signal));
                return [check.name, { status: "up", latencyMs: latency() }];
            } catch (err) {
                return [check.name, { status: "down", latencyMs: latency(), error: describe(err) }];
            }
        }),
    );
    const dependencies = Object.fromEntries(results);
    return { status: results.every(([, r]) => r.status === "up") ? "ok" : "unavailable", dependencies };
}

function describe(err: unknown): string {
    if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join("; ");
    if (err instanceof Error) return err.message || err.name;
    return String(err);
}

/**
 * Shares one run among concurrent callers: load balancer nodes probe every instance at once,
 * and a slow dependency must not multiply into a pile of connections.
 */
export function coalesce<T>(run: () => Promise<T>): () => Promise<T> {
    let inFlight: Promise<T> | undefined;
    return () => {
        inFlight ??= run().finally(() => {
            inFlight = undefined;
        });
        return inFlight;
    };
}
