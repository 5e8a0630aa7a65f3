/**
 * The inventory step: reserve stock for one order line (forward), release it (compensation),
 * settle it once the order shipped. Stock lives in one item per SKU (`stock#<sku>` / `stock`)
 * holding `available` and one attribute per open reservation (`r_<orderId>_<lineNo>` = quantity),
 * so taking stock and recording who took it is a single atomic, conditional update: a retried
 * reserve never takes stock twice, and a release returns exactly what was taken, or nothing.
 *
 * A release can arrive before its reserve: Step Functions fails a Map state as soon as one line
 * fails and starts the releases while reserves already invoked are still running. So a release
 * first writes a marker (its own item, `stock#<sku>` / `released#<orderId>#<lineNo>`, expiring
 * through the table's TTL, so the hot stock item never grows), then returns the reservation if
 * there is one and bumps the stock item's `releases` counter in the same update. A reserve reads
 * the stock item, then the marker, and takes stock only if `releases` is still what it read:
 * any release that wrote its marker after the reserve looked has bumped the counter by then, or
 * runs after the reserve and returns what it took. (DynamoDB transactions would do this too, at
 * twice the write cost on every reserve.)
 *
 * Seed a SKU with: pk "stock#<sku>", sk "stock", available <count>.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { entityKey, sortKey } from "../table-keys";
import { compensated, invalidInput, isConditionalCheckFailure, outOfStock, SagaStepError } from "./errors";
import { markerExpiry, tableFromEnv, type TableRef } from "./table";

export const STOCK_SK = "stock";
export const stockKey = (sku: string) => ({ pk: entityKey("stock", sku), sk: STOCK_SK });
export const reservationAttribute = (orderId: string, lineNo: number) => `r_${orderId}_${lineNo}`;
/** The marker a release leaves for its line, next to (not on) the SKU's stock item. */
export const releaseMarkerKey = (sku: string, orderId: string, lineNo: number) => ({
    pk: entityKey("stock", sku),
    sk: sortKey("released", orderId, String(lineNo)),
});
/** Releases a reserve re-reads and retries after before it gives up (each means a release of the SKU landed in between). */
const RESERVE_TRIES = 5;

export interface InventoryInput {
    action: "reserve" | "release" | "settle";
    orderId: string;
    /** The line's position in the order (the Map state's item index). */
    lineNo: number;
    line: { sku: string; quantity: number };
}

export type InventoryResult = {
    sku: string;
    lineNo: number;
    status: "RESERVED" | "ALREADY_RESERVED" | "RELEASED" | "NOTHING_TO_RELEASE" | "SETTLED" | "NOTHING_TO_SETTLE";
};

export interface InventoryOptions {
    now?: () => Date;
}

function check(input: InventoryInput): void {
    const ok =
        ["reserve", "release", "settle"].includes(input?.action) &&
        typeof input.orderId === "string" &&
        input.orderId.length > 0 &&
        !input.orderId.includes("#") &&
        Number.isInteger(input.lineNo) &&
        input.lineNo >= 0 &&
        typeof input.line?.sku === "string" &&
        Number.isInteger(input.line.quantity) &&
        input.line.quantity > 0;
    if (!ok) throw invalidInput(`inventory expects { action: reserve|release|settle, orderId, lineNo, line: { sku, quantity } }, got ${JSON.stringify(input)}`);
}

export async function inventory(table: TableRef, input: InventoryInput, opts: InventoryOptions = {}): Promise<InventoryResult> {
    check(input);
    const { sku } = input.line;
    const result = (status: InventoryResult["status"]): InventoryResult => ({ sku, lineNo: input.lineNo, status });
    if (input.action === "reserve") return result(await reserve(table, input));
    if (input.action === "release") return result(await release(table, input, (opts.now ?? (() => new Date()))()));
    try {
        await table.ddb.send(
            new UpdateCommand({
                TableName: table.tableName,
                Key: stockKey(sku),
                UpdateExpression: "REMOVE #r",
                ConditionExpression: "attribute_exists(#r)",
                ExpressionAttributeNames: { "#r": reservationAttribute(input.orderId, input.lineNo) },
            }),
        );
        return result("SETTLED");
    } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
        return result("NOTHING_TO_SETTLE");
    }
}

async function reserve({ ddb, tableName }: TableRef, input: InventoryInput): Promise<"RESERVED" | "ALREADY_RESERVED"> {
    const { sku, quantity } = input.line;
    const reservation = reservationAttribute(input.orderId, input.lineNo);
    for (let attempt = 1; attempt <= RESERVE_TRIES; attempt++) {
        // The stock item first, then the marker: a release that writes its marker after this read
        // of the marker bumps `releases` after the stock read too, which fails the update below.
        const item = (await ddb.send(new GetCommand({ TableName: tableName, Key: stockKey(sku), ConsistentRead: true }))).Item;
        if (item?.[reservation] === quantity) return "ALREADY_RESERVED";
        const marker = (await ddb.send(new GetCommand({ TableName: tableName, Key: releaseMarkerKey(sku, input.orderId, input.lineNo), ConsistentRead: true })))
            .Item;
        if (marker) throw compensated(`order ${input.orderId} line ${input.lineNo} was released before this reserve ran; nothing is taken`);
        if (!item) throw outOfStock(`SKU ${sku} is not stocked`);
        if (item[reservation] !== undefined)
            throw invalidInput(`order ${input.orderId} line ${input.lineNo} already holds ${item[reservation]} of ${sku}, not ${quantity}`);
        if (!(item.available >= quantity)) throw outOfStock(`SKU ${sku} has ${item.available} available, line ${input.lineNo} asks for ${quantity}`);
        const releases = item.releases ?? 0;
        try {
            await ddb.send(
                new UpdateCommand({
                    TableName: tableName,
                    Key: stockKey(sku),
                    UpdateExpression: "SET available = available - :q, #r = :q",
                    ConditionExpression: "available >= :q AND attribute_not_exists(#r) AND " + (releases === 0 ? "attribute_not_exists(#n)" : "#n = :releases"),
                    ExpressionAttributeNames: { "#r": reservation, "#n": "releases" },
                    ExpressionAttributeValues: { ":q": quantity, ...(releases === 0 ? {} : { ":releases": releases }) },
                }),
            );
            return "RESERVED";
        } catch (err) {
            // Stock taken by another order, or a release landed since the read: look again.
            if (!isConditionalCheckFailure(err)) throw err;
        }
    }
    throw new SagaStepError("StockContention", `SKU ${sku} changed under ${RESERVE_TRIES} reserve attempts for order ${input.orderId} line ${input.lineNo}`);
}

async function release({ ddb, tableName, ttlAttribute }: TableRef, input: InventoryInput, now: Date): Promise<"RELEASED" | "NOTHING_TO_RELEASE"> {
    const { sku } = input.line;
    // The marker first: from here on no reserve of this line takes stock (see the module comment).
    await ddb.send(
        new PutCommand({
            TableName: tableName,
            Item: {
                ...releaseMarkerKey(sku, input.orderId, input.lineNo),
                orderId: input.orderId,
                lineNo: input.lineNo,
                releasedAt: now.toISOString(),
                [ttlAttribute]: markerExpiry(now),
            },
        }),
    );
    const reservation = reservationAttribute(input.orderId, input.lineNo);
    try {
        // One update returns the reservation if there is one (adding 0 otherwise) and bumps the counter.
        const r = await ddb.send(
            new UpdateCommand({
                TableName: tableName,
                Key: stockKey(sku),
                UpdateExpression: "SET available = available + if_not_exists(#r, :zero), #n = if_not_exists(#n, :zero) + :one REMOVE #r",
                ConditionExpression: "attribute_exists(pk)",
                ExpressionAttributeNames: { "#r": reservation, "#n": "releases" },
                ExpressionAttributeValues: { ":zero": 0, ":one": 1 },
                ReturnValues: "UPDATED_OLD",
            }),
        );
        return r.Attributes?.[reservation] !== undefined ? "RELEASED" : "NOTHING_TO_RELEASE";
    } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
        return "NOTHING_TO_RELEASE"; // an unknown SKU holds nothing
    }
}

export const handler = (input: InventoryInput) => inventory(tableFromEnv(), input);
