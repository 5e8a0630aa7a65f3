/**
 * `GET /catalog/items?limit=N&cursor=C`: a page of the catalog (partition `catalog`, sort keys
 * `product#<sku>`) from the global table, with each item's stock from the inventory service.
 * The cursor is opaque to callers: the page's LastEvaluatedKey as base64url JSON, checked on the
 * way back in so a caller can neither start a query in another partition nor send junk to DynamoDB.
 */
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { badRequest, createHttpService, listen, type Reply, type Request } from "../container/http";
import { describeError, type Log } from "../container/log";
import type { Started } from "../container/lifecycle";
import { documentClient } from "../container/dynamodb";
import { catalogConfig, DEFAULT_LIMIT, MAX_LIMIT, type CatalogConfig } from "./config";
import { InventoryClient, type Stock } from "./inventory-client";

export const CATALOG_PK = "catalog";
export const PRODUCT_PREFIX = "product#";
const MAX_CURSOR_CHARS = 2048;

export interface CatalogItem {
    sku: string;
    name: string;
    priceCents: number;
    stock: Stock;
}

type Key = { pk: string; sk: string };

export function encodeCursor(key: Key): string {
    return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString("base64url");
}

/** The key a cursor holds, or undefined when it is not one this service could have issued. */
export function decodeCursor(cursor: string): Key | undefined {
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
    let key: unknown;
    try {
        key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
        return undefined;
    }
    if (typeof key !== "object" || key === null || Array.isArray(key)) return undefined;
    const { pk, sk, ...rest } = key as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || pk !== CATALOG_PK || typeof sk !== "string" || !sk.startsWith(PRODUCT_PREFIX) || sk.length <= PRODUCT_PREFIX.length)
        return undefined;
    return { pk, sk };
}

type PageQuery = { limit: number; start?: Key };

/** The page asked for, or a 400 naming what is wrong. */
export function parsePageQuery(query: URLSearchParams): PageQuery | Reply {
    for (const name of new Set(query.keys())) {
        if (name !== "limit" && name !== "cursor") return badRequest(`unknown query parameter "${name}": only limit and cursor are accepted`);
        if (query.getAll(name).length > 1) return badRequest(`query parameter "${name}" is given more than once`);
    }
    let limit = DEFAULT_LIMIT;
    const rawLimit = query.get("limit");
    if (rawLimit !== null) {
        if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT)
            return badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(rawLimit.slice(0, 20))}`);
        limit = Number(rawLimit);
    }
    const rawCursor = query.get("cursor");
    if (rawCursor === null) return { limit };
    const start = decodeCursor(rawCursor);
    if (!start) return badRequest("cursor is not valid: pass back the cursor of the previous page unchanged");
    return { limit, start };
}

function toItem(raw: Record<string, unknown>): Omit<CatalogItem, "stock"> | undefined {
    const { sku, name, priceCents } = raw;
    if (typeof sku !== "string" || typeof name !== "string" || !Number.isInteger(priceCents)) return undefined;
    return { sku, name, priceCents: priceCents as number };
}

export function catalogHandler(doc: DynamoDBDocumentClient, tableName: string, inventory: InventoryClient, log: Log) {
    return async (req: Request): Promise<Reply> => {
        const page = parsePageQuery(req.query);
        if ("status" in page) return page;
        let out;
        try {
            out = await doc.send(
                new QueryCommand({
                    TableName: tableName,
                    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
                    ExpressionAttributeValues: { ":pk": CATALOG_PK, ":prefix": PRODUCT_PREFIX },
                    ProjectionExpression: "pk, sk, sku, #name, priceCents",
                    ExpressionAttributeNames: { "#name": "name" },
                    Limit: page.limit,
                    ExclusiveStartKey: page.start,
                }),
                { abortSignal: req.signal },
            );
        } catch (err) {
            log({ msg: "catalog query failed", ...describeError(err) });
            return { status: 503, body: { error: "the catalog is unavailable; retry" } };
        }
        const raw = out.Items ?? [];
        const products = raw.map(toItem).filter((i): i is Omit<CatalogItem, "stock"> => i !== undefined);
        if (products.length < raw.length) log({ msg: "skipped malformed catalog items", count: raw.length - products.length });
        const { stock, degraded } = await inventory.stockOf([...new Set(products.map((p) => p.sku))]);
        if (degraded.length > 0) log({ msg: "stock unknown for part of the page", degraded, breaker: inventory.breaker.state });
        const items: CatalogItem[] = products.map((p) => ({ ...p, stock: stock.get(p.sku) ?? "unknown" }));
        const last = out.LastEvaluatedKey as Key | undefined;
        return { status: 200, body: last ? { items, cursor: encodeCursor(last) } : { items } };
    };
}

export async function startCatalog(env: NodeJS.ProcessEnv, log: Log): Promise<Started> {
    const config: CatalogConfig = catalogConfig(env);
    const doc = documentClient({
        region: config.region,
        name: config.tableName,
        endpoint: config.dynamodbEndpoint,
        attemptTimeoutMs: config.dynamodbTimeoutMs,
    });
    const inventory = new InventoryClient(config.inventoryUrl, config.inventory, log);
    const server = createHttpService({
        routes: { "/catalog/items": catalogHandler(doc, config.tableName, inventory, log) },
        requestTimeoutMs: config.requestTimeoutMs,
        log,
    });
    const port = await listen(server, config.port);
    return { server, port, shutdownGraceMs: config.shutdownGraceMs, dispose: () => doc.destroy() };
}
