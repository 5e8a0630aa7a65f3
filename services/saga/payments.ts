/**
 * The payments step: charge the order's total (forward), refund it (compensation). A payment is
 * one item per order (`payment#<orderId>` / `payment`), created CHARGED only if absent and moved
 * to REFUNDED only from CHARGED, so a retried charge never charges twice. Orders above the charge
 * limit are declined.
 *
 * A refund can arrive before its charge: the state machine moves on when a charge's state times
 * out or its reply is lost, while the invocation may still be running. A refund that finds no
 * payment therefore writes one VOIDED (expiring through the table's TTL), and a charge arriving
 * after it finds the order's payment taken and charges nothing.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { entityKey } from "../table-keys";
import { compensated, invalidInput, isConditionalCheckFailure, paymentConflict, paymentDeclined } from "./errors";
import { tableFromEnv, voidIfAbsent, type TableRef } from "./table";

export const PAYMENT_SK = "payment";
export const paymentKey = (orderId: string) => ({ pk: entityKey("payment", orderId), sk: PAYMENT_SK });

export interface PaymentInput {
    action: "charge" | "refund";
    orderId: string;
    customerId?: string;
    amountCents?: number;
    currency?: string;
}

export interface PaymentResult {
    orderId: string;
    status: "CHARGED" | "ALREADY_CHARGED" | "REFUNDED" | "ALREADY_REFUNDED" | "NOTHING_TO_REFUND";
    amountCents?: number;
}

export interface PaymentOptions {
    /** Orders above this total are declined. */
    maxChargeCents: number;
    now?: () => Date;
}

export async function payments(table: TableRef, input: PaymentInput, opts: PaymentOptions): Promise<PaymentResult> {
    const { ddb, tableName } = table;
    if (!["charge", "refund"].includes(input?.action) || typeof input.orderId !== "string" || !input.orderId) {
        throw invalidInput(`payments expects { action: charge|refund, orderId, ... }, got ${JSON.stringify(input)}`);
    }
    const Key = paymentKey(input.orderId);
    const at = (opts.now ?? (() => new Date()))();
    const now = at.toISOString();
    const current = async () => (await ddb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;

    if (input.action === "charge") {
        const { customerId, amountCents, currency } = input;
        if (typeof customerId !== "string" || !Number.isInteger(amountCents) || amountCents! < 0 || typeof currency !== "string") {
            throw invalidInput(`a charge needs customerId, amountCents and currency, got ${JSON.stringify(input)}`);
        }
        if (amountCents! > opts.maxChargeCents)
            throw paymentDeclined(`order ${input.orderId} totals ${amountCents} cents, above the charge limit of ${opts.maxChargeCents}`);
        try {
            await ddb.send(
                new PutCommand({
                    TableName: tableName,
                    Item: { ...Key, orderId: input.orderId, customerId, amountCents, currency, status: "CHARGED", chargedAt: now },
                    ConditionExpression: "attribute_not_exists(pk)",
                }),
            );
            return { orderId: input.orderId, status: "CHARGED", amountCents };
        } catch (err) {
            if (!isConditionalCheckFailure(err)) throw err;
        }
        const existing = await current();
        if (existing?.status === "CHARGED" && existing.amountCents === amountCents) return { orderId: input.orderId, status: "ALREADY_CHARGED", amountCents };
        if (existing?.status === "VOIDED")
            throw compensated(`order ${input.orderId}'s payment was voided by a refund before this charge ran; nothing is charged`);
        throw paymentConflict(`order ${input.orderId} already has a ${existing?.status} payment of ${existing?.amountCents} cents`);
    }

    // No payment yet: void it, so a charge still in flight finds it taken. Once the item exists it
    // only ever moves CHARGED -> REFUNDED, so trying this first leaves no gap for a charge to land in.
    if (await voidIfAbsent(table, Key, input.orderId, at)) return { orderId: input.orderId, status: "NOTHING_TO_REFUND" };
    try {
        const r = await ddb.send(
            new UpdateCommand({
                TableName: tableName,
                Key,
                UpdateExpression: "SET #s = :refunded, refundedAt = :now",
                ConditionExpression: "#s = :charged",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":refunded": "REFUNDED", ":charged": "CHARGED", ":now": now },
                ReturnValues: "ALL_NEW",
            }),
        );
        return { orderId: input.orderId, status: "REFUNDED", amountCents: r.Attributes?.amountCents };
    } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
    }
    return { orderId: input.orderId, status: (await current())?.status === "VOIDED" ? "NOTHING_TO_REFUND" : "ALREADY_REFUNDED" };
}

export const handler = (input: PaymentInput) => payments(tableFromEnv(), input, { maxChargeCents: Number(process.env.MAX_CHARGE_CENTS) });
