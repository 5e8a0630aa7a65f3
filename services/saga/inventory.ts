/**
 * The inventory step: reserve stock for one order line (forward), release it (compensation),
 * settle it once the order shipped. Stock lives in one item per SKU (`stock#<sku>` / `stock`)
 * holding `available` and one attribute per open reservation (`r_<orderId>_<lineNo>` = quantity),
 * so taking stock and recording who took it is a single atomic, conditional update: a retried
 * reserve never takes stock twice, and a release returns exactly what was taken, or nothing.
 *
 * Seed a SKU with: pk "stock#<sku>", sk "stock", available <count>.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { entityKey } from "../table-keys";
import { invalidInput, isConditionalCheckFailure, outOfStock } from "./errors";
import { tableFromEnv, type TableRef } from "./table";

export const STOCK_SK = "stock";
export const stockKey = (sku: string) => ({ pk: entityKey("stock", sku), sk: STOCK_SK });
export const reservationAttribute = (orderId: string, lineNo: number) => `r_${orderId}_${lineNo}`;

export interface InventoryInput {
    action: "reserve" | "release" | "settle";
    orderId: string;
    /** The line's position in the order (the Map state's item index). */
    lineNo: number;
    line: { sku: string; quantity: number };
}

export type InventoryResult = { sku: string; lineNo: number; status: "RESERVED" | "ALREADY_RESERVED" | "RELEASED" | "NOTHING_TO_RELEASE" | "SETTLED" | "NOTHING_TO_SETTLE" };

function check(input: InventoryInput): void {
    const ok =
        ["reserve", "release", "settle"].includes(input?.action) &&
        typeof input.orderId === "string" && input.orderId.length > 0 &&
        Number.isInteger(input.lineNo) && input.lineNo >= 0 &&
        typeof input.line?.sku === "string" && Number.isInteger(input.line.quantity) && input.line.quantity > 0;
    if (!ok) throw invalidInput(`inventory expects { action: reserve|release|settle, orderId, lineNo, line: { sku, quantity } }, got ${JSON.stringify(input)}`);
}

export async function inventory({ ddb, tableName }: TableRef, input: InventoryInput): Promise<InventoryResult> {
    check(input);
    const { sku, quantity } = input.line;
    const Key = stockKey(sku);
    const names = { "#r": reservationAttribute(input.orderId, input.lineNo) };
    const result = (status: InventoryResult["status"]): InventoryResult => ({ sku, lineNo: input.lineNo, status });
    try {
        if (input.action === "reserve") {
            await ddb.send(new UpdateCommand({
                TableName: tableName,
                Key,
                UpdateExpression: "SET available = available - :q, #r = :q",
                ConditionExpression: "attribute_exists(pk) AND available >= :q AND attribute_not_exists(#r)",
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ":q": quantity },
            }));
            return result("RESERVED");
        }
        if (input.action === "release") {
            await ddb.send(new UpdateCommand({ TableName: tableName, Key, UpdateExpression: "SET available = available + #r REMOVE #r", ConditionExpression: "attribute_exists(#r)", ExpressionAttributeNames: names }));
            return result("RELEASED");
        }
        await ddb.send(new UpdateCommand({ TableName: tableName, Key, UpdateExpression: "REMOVE #r", ConditionExpression: "attribute_exists(#r)", ExpressionAttributeNames: names }));
        return result("SETTLED");
    } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
    }
    if (input.action === "release") return result("NOTHING_TO_RELEASE");
    if (input.action === "settle") return result("NOTHING_TO_SETTLE");
    // The reserve's condition failed: a retry of a reserve that succeeded, or too little stock.
    const item = (await ddb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;
    if (item?.[names["#r"]] === quantity) return result("ALREADY_RESERVED");
    if (!item) throw outOfStock(`SKU ${sku} is not stocked`);
    throw outOfStock(`SKU ${sku} has ${item.available} available, line ${input.lineNo} asks for ${quantity}`);
}

export const handler = (input: InventoryInput) => inventory(tableFromEnv(), input);
