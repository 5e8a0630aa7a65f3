/**
 * Every server a test has started and not yet stopped. A test run leaves none behind: the root
 * hook stops them after the run even when a `before` hook failed half-way, and a process that
 * exits early (an uncaught error, SIGTERM, SIGINT) kills what is left synchronously, PostgreSQL
 * included, which runs as a daemon rather than as a child of the test process.
 */
export interface TrackedServer {
    stop(): Promise<void>;
    /** Kills the server at once, synchronously (for process exit, where nothing can be awaited). */
    kill?(): void;
}

const running = new Set<TrackedServer>();

/** Registers a started server; its `stop` unregisters it. */
export function track<T extends TrackedServer>(server: T): T {
    const stop = server.stop;
    server.stop = async () => {
        running.delete(server);
        await stop.call(server);
    };
    running.add(server);
    return server;
}

/** How many servers are still running (for tests of the clean-up itself). */
export function runningServers(): number {
    return running.size;
}

/** Stops every server still running; failures to stop are ignored, as each is on its way out. */
export async function stopAllServers(): Promise<void> {
    await Promise.allSettled([...running].map((s) => s.stop()));
}

/** Kills every server still running, synchronously. */
export function killAllServers(): void {
    for (const s of running) {
        try {
            s.kill?.();
        } catch {
            // best effort: the process is exiting
        }
    }
    running.clear();
}

/**
 * Starts servers side by side and returns them all, or, when one fails to start, stops the ones
 * that did and throws the first failure: a destructured Promise.all would lose track of them.
 */
export async function startAll<T extends readonly (() => Promise<TrackedServer>)[]>(...starters: T): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
    const results = await Promise.allSettled(starters.map((start) => start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
        await Promise.allSettled(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
        throw failed.reason;
    }
    return results.map((r) => (r as PromiseFulfilledResult<TrackedServer>).value) as { [K in keyof T]: Awaited<ReturnType<T[K]>> };
}
