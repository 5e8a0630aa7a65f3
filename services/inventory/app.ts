/**
 * `GET /inventory/stock?skus=a,b,c`: the units available of each SKU, read from the saga's stock
 * items (`stock#<sku>` / `stock`, attribute `available`) with one BatchGetItem. DynamoDB may
 * return part of a batch as UnprocessedKeys (throttling, size limits): those are asked again
 * with backoff and jitter a bounded number of times, and a request still missing keys is a 503
 * rather than a wrong "no such SKU".
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { badRequest, createHttpService, listen, type Reply, type Request } from "../container/http";
import { describeError, type Log } from "../container/log";
import type { Started } from "../container/lifecycle";
import { documentClient } from "../container/dynamodb";
import { backoffMs } from "../resilience/retry";
import { STOCK_SK, stockKey } from "../saga/inventory";
import { inventoryConfig, type InventoryConfig } from "./config";

/** BatchGetItem's own limit of keys per call. */
export const MAX_SKUS = 100;
/** What a SKU may look like: no "#", which would reach into other keys of the partition scheme. */
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class UnprocessedKeysError extends Error {
    constructor(
        readonly missing: number,
        attempts: number,
    ) {
        super(`${missing} keys still unprocessed after ${attempts} BatchGetItem calls`);
        this.name = "UnprocessedKeysError";
    }
}

/** The SKUs asked for (distinct, in order), or a 400 naming what is wrong. */
export function parseSkus(query: URLSearchParams): string[] | Reply {
    for (const name of new Set(query.keys())) if (name !== "skus") return badRequest(`unknown query parameter "${name}": only skus is accepted`);
    const all = query.getAll("skus");
    if (all.length !== 1 || all[0] === "") return badRequest("skus is required, once: a comma-separated list such as skus=a,b,c");
    const skus = all[0].split(",");
    if (skus.length > MAX_SKUS) return badRequest(`at most ${MAX_SKUS} SKUs a request, got ${skus.length}`);
    const bad = skus.find((s) => !SKU.test(s));
    if (bad !== undefined)
        return badRequest(`SKU ${JSON.stringify(bad.slice(0, 80))} is not valid: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    return [...new Set(skus)];
}

type Key = { pk: string; sk: string };

const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
    });

/** `available` of each key found; retries UnprocessedKeys up to `attempts` calls in all. */
export async function batchGetStock(
    doc: DynamoDBDocumentClient,
    config: Pick<InventoryConfig, "tableName" | "batchAttempts" | "backoffBaseMs" | "backoffCapMs">,
    keys: Key[],
    signal: AbortSignal,
): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    let pending = keys;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt >= config.batchAttempts) throw new UnprocessedKeysError(pending.length, attempt);
        if (attempt > 0) await sleep(backoffMs(attempt - 1, { baseMs: config.backoffBaseMs, capMs: config.backoffCapMs }), signal);
        const out = await doc.send(new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: pending, ProjectionExpression: "pk, available" } } }), {
            abortSignal: signal,
        });
        for (const item of out.Responses?.[config.tableName] ?? []) found.set(String(item.pk), item.available);
        pending = (out.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Key[];
    }
    return found;
}

export function stockHandler(doc: DynamoDBDocumentClient, config: InventoryConfig, log: Log) {
    return async (req: Request): Promise<Reply> => {
        const skus = parseSkus(req.query);
        if (!Array.isArray(skus)) return skus;
        let found: Map<string, unknown>;
        try {
            found = await batchGetStock(doc, config, skus.map(stockKey), req.signal);
        } catch (err) {
            log({ msg: "stock read failed", ...describeError(err) });
            return { status: 503, body: { error: "stock levels are unavailable; retry" } };
        }
        const stock: Record<string, number | null> = {};
        for (const sku of skus) {
            const available = found.get(stockKey(sku).pk);
            // A stock item without a usable count is reported as absent, and logged: it needs fixing at the source.
            if (available !== undefined && !(Number.isInteger(available) && (available as number) >= 0))
                log({ msg: "stock item has no valid available count", sku, sk: STOCK_SK });
            stock[sku] = Number.isInteger(available) && (available as number) >= 0 ? (available as number) : null;
        }
        return { status: 200, body: { stock } };
    };
}

export async function startInventory(env: NodeJS.ProcessEnv, log: Log): Promise<Started> {
    const config = inventoryConfig(env);
    const doc = documentClient({
        region: config.region,
        name: config.tableName,
        endpoint: config.dynamodbEndpoint,
        attemptTimeoutMs: config.dynamodbTimeoutMs,
    });
    const server = createHttpService({ routes: { "/inventory/stock": stockHandler(doc, config, log) }, requestTimeoutMs: config.requestTimeoutMs, log });
    const port = await listen(server, config.port);
    return { server, port, shutdownGraceMs: config.shutdownGraceMs, dispose: () => doc.destroy() };
}
