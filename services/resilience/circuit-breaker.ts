/**
 * A circuit breaker around calls to one dependency, so a dependency that is down costs its
 * callers nothing but a fast failure instead of a timeout each.
 *
 * - closed: calls go through. Each failure counts; a success resets the count. `failureThreshold`
 *   consecutive failures open the circuit.
 * - open: calls fail at once with CircuitOpenError, without touching the dependency, for `openMs`.
 * - half-open: after `openMs`, one call (the probe) goes through while others keep failing fast.
 *   If the probe succeeds the circuit closes; if it fails the circuit opens for another `openMs`.
 *
 * State lives in the process: in a Lambda function, one execution environment's breaker protects
 * every request that environment serves while it stays warm.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
    /** Consecutive failures that open the circuit (at least 1). */
    failureThreshold: number;
    /** How long the circuit stays open before it lets a probe through, in ms. */
    openMs: number;
    /**
     * Milliseconds since some epoch; injectable so tests control time. Default: the monotonic
     * performance.now(), which a wall-clock step (NTP, a VM resumed) can't move, so a step can
     * neither hold the circuit open for hours nor end its open time early.
     */
    now?: () => number;
    /** Whether an error counts against the dependency (default: every error does). */
    isFailure?: (err: unknown) => boolean;
    /** Told about every transition, e.g. to log it. */
    onTransition?: (from: BreakerState, to: BreakerState) => void;
}

/** Thrown instead of calling the dependency while the circuit is open (or a probe is in flight). */
export class CircuitOpenError extends Error {
    constructor(
        readonly breaker: string,
        /** When the next probe may go through, in the breaker's clock. */
        readonly retryAt: number,
    ) {
        super(`circuit ${breaker} is open`);
        this.name = "CircuitOpenError";
    }
}

export class CircuitBreaker {
    private current: BreakerState = "closed";
    private failures = 0;
    private openedAt = 0;
    private probing = false;
    /** Bumped on every transition: a call that outlives the state it started in doesn't move the new state. */
    private epoch = 0;
    private readonly now: () => number;

    constructor(
        readonly name: string,
        private readonly opts: BreakerOptions,
    ) {
        if (!Number.isInteger(opts.failureThreshold) || opts.failureThreshold < 1)
            throw new Error(`${name}: failureThreshold must be a whole number of at least 1, got ${opts.failureThreshold}`);
        if (!(opts.openMs > 0)) throw new Error(`${name}: openMs must be above 0, got ${opts.openMs}`);
        this.now = opts.now ?? (() => performance.now());
    }

    /** The state as of now: an open circuit whose time is up reads half-open. */
    get state(): BreakerState {
        if (this.current === "open" && this.now() - this.openedAt >= this.opts.openMs) this.transition("half-open");
        return this.current;
    }

    /** Consecutive failures counted while closed. */
    get failureCount(): number {
        return this.failures;
    }

    /** Runs `call` through the breaker: its result, its error, or CircuitOpenError without calling it. */
    async execute<T>(call: () => Promise<T>): Promise<T> {
        const state = this.state;
        if (state === "open" || (state === "half-open" && this.probing)) throw new CircuitOpenError(this.name, this.openedAt + this.opts.openMs);
        const probe = state === "half-open";
        if (probe) this.probing = true;
        const epoch = this.epoch;
        try {
            const result = await call();
            if (epoch === this.epoch) this.succeeded();
            return result;
        } catch (err) {
            if (epoch === this.epoch) {
                if (this.opts.isFailure?.(err) ?? true) this.failed();
                else this.succeeded(); // the dependency answered: it is up, even if the answer was an error of the caller's
            }
            throw err;
        } finally {
            if (probe) this.probing = false;
        }
    }

    private succeeded(): void {
        this.failures = 0;
        if (this.current !== "closed") this.transition("closed");
    }

    private failed(): void {
        if (this.current === "half-open") return this.open();
        this.failures += 1;
        if (this.current === "closed" && this.failures >= this.opts.failureThreshold) this.open();
    }

    private open(): void {
        this.openedAt = this.now();
        this.failures = 0;
        this.transition("open");
    }

    private transition(to: BreakerState): void {
        const from = this.current;
        if (from === to) return;
        this.current = to;
        this.epoch += 1;
        this.opts.onTransition?.(from, to);
    }
}
