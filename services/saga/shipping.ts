/**
 * The shipping step: request the shipment (forward), cancel it (compensation). A shipment is one
 * item per order (`shipment#<orderId>` / `shipment`), created REQUESTED only if absent and moved
 * to CANCELLED only from REQUESTED. Orders to a country outside the shipping list are rejected.
 *
 * A cancel can arrive before its shipment request (a request whose state timed out or whose reply
 * was lost may still be running): a cancel that finds no shipment writes one VOIDED (expiring
 * through the table's TTL), and a request arriving after it finds the order's shipment taken.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { entityKey } from "../table-keys";
import { compensated, invalidInput, isConditionalCheckFailure, shipmentRejected } from "./errors";
import { tableFromEnv, voidIfAbsent, type TableRef } from "./table";

export const SHIPMENT_SK = "shipment";
export const shipmentKey = (orderId: string) => ({ pk: entityKey("shipment", orderId), sk: SHIPMENT_SK });

export interface ShippingInput {
    action: "ship" | "cancel";
    orderId: string;
    shipTo?: { country: string; [field: string]: unknown };
    lines?: { sku: string; quantity: number }[];
}

export interface ShippingResult {
    orderId: string;
    status: "REQUESTED" | "ALREADY_REQUESTED" | "CANCELLED" | "ALREADY_CANCELLED" | "NOTHING_TO_CANCEL";
}

export interface ShippingOptions {
    /** ISO 3166 alpha-2 codes of the countries shipped to. */
    countries: readonly string[];
    now?: () => Date;
}

export async function shipping(table: TableRef, input: ShippingInput, opts: ShippingOptions): Promise<ShippingResult> {
    const { ddb, tableName } = table;
    if (!["ship", "cancel"].includes(input?.action) || typeof input.orderId !== "string" || !input.orderId) {
        throw invalidInput(`shipping expects { action: ship|cancel, orderId, ... }, got ${JSON.stringify(input)}`);
    }
    const Key = shipmentKey(input.orderId);
    const at = (opts.now ?? (() => new Date()))();
    const now = at.toISOString();
    const current = async () => (await ddb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;

    if (input.action === "ship") {
        if (!input.shipTo || typeof input.shipTo.country !== "string" || !Array.isArray(input.lines))
            throw invalidInput(`a shipment needs shipTo and lines, got ${JSON.stringify(input)}`);
        if (!opts.countries.includes(input.shipTo.country))
            throw shipmentRejected(`no shipping to ${input.shipTo.country}; shipping to ${opts.countries.join(", ")}`);
        try {
            await ddb.send(
                new PutCommand({
                    TableName: tableName,
                    Item: {
                        ...Key,
                        orderId: input.orderId,
                        status: "REQUESTED",
                        shipTo: input.shipTo,
                        items: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
                        requestedAt: now,
                    },
                    ConditionExpression: "attribute_not_exists(pk)",
                }),
            );
            return { orderId: input.orderId, status: "REQUESTED" };
        } catch (err) {
            if (!isConditionalCheckFailure(err)) throw err;
        }
        const existing = await current();
        if (existing?.status === "REQUESTED") return { orderId: input.orderId, status: "ALREADY_REQUESTED" };
        if (existing?.status === "VOIDED")
            throw compensated(`order ${input.orderId}'s shipment was voided by a cancel before this request ran; nothing is shipped`);
        throw shipmentRejected(`order ${input.orderId}'s shipment is ${existing?.status}`);
    }

    // No shipment yet: void it, so a request still in flight finds it taken (see payments.ts).
    if (await voidIfAbsent(table, Key, input.orderId, at)) return { orderId: input.orderId, status: "NOTHING_TO_CANCEL" };
    try {
        await ddb.send(
            new UpdateCommand({
                TableName: tableName,
                Key,
                UpdateExpression: "SET #s = :cancelled, cancelledAt = :now",
                ConditionExpression: "#s = :requested",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":cancelled": "CANCELLED", ":requested": "REQUESTED", ":now": now },
            }),
        );
        return { orderId: input.orderId, status: "CANCELLED" };
    } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
    }
    return { orderId: input.orderId, status: (await current())?.status === "VOIDED" ? "NOTHING_TO_CANCEL" : "ALREADY_CANCELLED" };
}

export const handler = (input: ShippingInput) =>
    shipping(tableFromEnv(), input, { countries: (process.env.SHIP_TO_COUNTRIES ?? "").split(",").filter(Boolean) });
