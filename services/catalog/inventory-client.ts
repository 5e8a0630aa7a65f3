/**
 * Stock levels for a page of SKUs from the inventory service: a scatter/gather through the API
 * aggregator's machinery. The SKUs are split into batches asked in parallel, all under one
 * deadline and one circuit breaker; each batch retries transient failures (network errors,
 * timeouts, 5xx, 429) with backoff and jitter inside that deadline. A batch that fails, times out
 * or meets an open circuit leaves its SKUs "unknown": the page is served either way.
 */
import { aggregate, type Source } from "../resilience/aggregator";
import { CircuitBreaker } from "../resilience/circuit-breaker";
import { retry } from "../resilience/retry";
import type { Log } from "../container/log";
import type { CatalogConfig } from "./config";

export type Stock = number | "unknown";

export class InventoryStatusError extends Error {
    constructor(readonly status: number) {
        super(`inventory answered ${status}`);
        this.name = "InventoryStatusError";
    }
}

export class MalformedStockError extends Error {
    constructor(detail: string) {
        super(`inventory's answer is malformed: ${detail}`);
        this.name = "MalformedStockError";
    }
}

/** A 4xx other than 429 is this service's mistake, not inventory's health: it neither opens the circuit nor is retried. */
const callerError = (err: unknown) => err instanceof InventoryStatusError && err.status < 500 && err.status !== 429;
/** Malformed answers are not retried: the same server would most likely answer the same way. */
const retryable = (err: unknown) => !callerError(err) && !(err instanceof MalformedStockError);

export class InventoryClient {
    readonly breaker: CircuitBreaker;

    constructor(
        private readonly baseUrl: string,
        private readonly opts: CatalogConfig["inventory"],
        log: Log,
    ) {
        this.breaker = new CircuitBreaker("inventory", {
            failureThreshold: opts.breakerFailures,
            openMs: opts.breakerOpenMs,
            isFailure: (err) => !callerError(err),
            onTransition: (from, to) => log({ msg: "circuit breaker", breaker: "inventory", from, to }),
        });
    }

    /** Stock of every SKU given; never rejects. `degraded` names why parts are unknown, for the logs. */
    async stockOf(skus: string[]): Promise<{ stock: Map<string, Stock>; degraded: string[] }> {
        const batches: string[][] = [];
        for (let i = 0; i < skus.length; i += this.opts.batchSize) batches.push(skus.slice(i, i + this.opts.batchSize));
        const sources: Source<Record<string, number>>[] = batches.map((batch, i) => ({
            name: `batch-${i}`,
            breaker: this.breaker,
            fetch: (signal) =>
                retry(() => this.fetchBatch(batch, AbortSignal.any([signal, AbortSignal.timeout(this.opts.attemptTimeoutMs)])), {
                    attempts: this.opts.attempts,
                    baseMs: this.opts.backoffBaseMs,
                    capMs: this.opts.backoffCapMs,
                    retryable,
                    signal,
                }),
        }));
        const stock = new Map<string, Stock>(skus.map((sku) => [sku, "unknown"]));
        const degraded: string[] = [];
        if (sources.length === 0) return { stock, degraded };
        const result = await aggregate(sources, this.opts.deadlineMs);
        for (const [name, part] of Object.entries(result.parts)) {
            if (part.status === "ok") for (const [sku, n] of Object.entries(part.data as Record<string, number>)) stock.set(sku, n);
            else degraded.push(`${name}: ${part.reason}: ${part.error}`);
        }
        return { stock, degraded };
    }

    private async fetchBatch(skus: string[], signal: AbortSignal): Promise<Record<string, number>> {
        const url = `${this.baseUrl}/inventory/stock?skus=${skus.map(encodeURIComponent).join(",")}`;
        const res = await fetch(url, { signal, headers: { accept: "application/json" } });
        const text = await res.text();
        if (!res.ok) throw new InventoryStatusError(res.status);
        let body: unknown;
        try {
            body = JSON.parse(text);
        } catch {
            throw new MalformedStockError("not JSON");
        }
        const stock = (body as { stock?: unknown } | null)?.stock;
        if (typeof stock !== "object" || stock === null || Array.isArray(stock)) throw new MalformedStockError("no stock object");
        const out: Record<string, number> = {};
        for (const sku of skus) {
            const n = (stock as Record<string, unknown>)[sku];
            // null: inventory holds no stock item for the SKU, so none is available.
            if (n === null) out[sku] = 0;
            else if (Number.isInteger(n) && (n as number) >= 0) out[sku] = n as number;
            else throw new MalformedStockError(`stock of ${JSON.stringify(sku)} is ${JSON.stringify(n)}`);
        }
        return out;
    }
}
