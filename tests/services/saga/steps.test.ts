import { strict as assert } from "assert";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inventory, releaseMarkerKey, reservationAttribute, stockKey } from "../../../services/saga/inventory";
import { paymentKey, payments } from "../../../services/saga/payments";
import { shipmentKey, shipping } from "../../../services/saga/shipping";
import { documentClient, stock } from "../../helpers/events";
import { startDynalite, type DynamoServer } from "../web/servers";

async function rejectsWith(p: Promise<unknown>, name: string): Promise<Error> {
    try {
        await p;
    } catch (err) {
        assert.equal((err as Error).name, name, String(err));
        return err as Error;
    }
    assert.fail(`expected ${name}`);
}

/** A week after 2026-03-01T10:00:00Z, in epoch seconds: a marker's expiry. */
const expiry = Date.parse("2026-03-08T10:00:00Z") / 1000;

describe("saga steps (against dynalite)", () => {
    let server: DynamoServer;
    let ddb: DynamoDBDocumentClient;
    let table: { ddb: DynamoDBDocumentClient; tableName: string; ttlAttribute: string };
    const get = async (Key: Record<string, string>) => (await ddb.send(new GetCommand({ TableName: server.tableName, Key, ConsistentRead: true }))).Item;

    before(async () => {
        server = await startDynalite();
        ddb = documentClient(server);
        table = { ddb, tableName: server.tableName, ttlAttribute: "expiresAt" };
    });
    after(async () => {
        ddb.destroy();
        await server.stop();
    });

    describe("inventory", () => {
        const line = (sku: string, quantity: number) => ({ sku, quantity });

        it("reserves atomically and only once per order line, however often it is retried", async () => {
            await stock(ddb, server.tableName, "inv-a", 5);
            const input = { action: "reserve" as const, orderId: "o-1", lineNo: 0, line: line("inv-a", 2) };
            assert.equal((await inventory(table, input)).status, "RESERVED");
            assert.equal((await inventory(table, input)).status, "ALREADY_RESERVED");
            const item = await get(stockKey("inv-a"));
            assert.equal(item?.available, 3);
            assert.equal(item?.[reservationAttribute("o-1", 0)], 2);
        });

        it("fails with OutOfStock when a SKU has too little or is unknown, taking nothing", async () => {
            await stock(ddb, server.tableName, "inv-b", 1);
            const err = await rejectsWith(inventory(table, { action: "reserve", orderId: "o-2", lineNo: 0, line: line("inv-b", 2) }), "OutOfStock");
            assert.match(err.message, /inv-b has 1 available, line 0 asks for 2/);
            assert.equal((await get(stockKey("inv-b")))?.available, 1);
            await rejectsWith(inventory(table, { action: "reserve", orderId: "o-2", lineNo: 1, line: line("never-stocked", 1) }), "OutOfStock");
        });

        it("releases exactly what was reserved, once; releasing what was never reserved does nothing", async () => {
            await stock(ddb, server.tableName, "inv-c", 4);
            const reserve = { action: "reserve" as const, orderId: "o-3", lineNo: 0, line: line("inv-c", 3) };
            await inventory(table, reserve);
            assert.equal((await inventory(table, { ...reserve, action: "release" })).status, "RELEASED");
            assert.equal((await inventory(table, { ...reserve, action: "release" })).status, "NOTHING_TO_RELEASE");
            assert.equal((await inventory(table, { ...reserve, orderId: "o-never", action: "release" })).status, "NOTHING_TO_RELEASE");
            const item = await get(stockKey("inv-c"));
            assert.equal(item?.available, 4);
            assert.equal(item?.[reservationAttribute("o-3", 0)], undefined);
        });

        it("a reserve arriving after its line's release (the Map failed fast while it was in flight) takes nothing", async () => {
            await stock(ddb, server.tableName, "inv-e", 5);
            const reserve = { action: "reserve" as const, orderId: "o-5", lineNo: 1, line: line("inv-e", 2) };
            assert.equal(
                (await inventory(table, { ...reserve, action: "release" }, { now: () => new Date("2026-03-01T10:00:00Z") })).status,
                "NOTHING_TO_RELEASE",
            );
            await rejectsWith(inventory(table, reserve), "AlreadyCompensated");
            const item = await get(stockKey("inv-e"));
            assert.equal(item?.available, 5);
            assert.equal(item?.[reservationAttribute("o-5", 1)], undefined);
            const marker = await get(releaseMarkerKey("inv-e", "o-5", 1));
            assert.equal(marker?.expiresAt, expiry, "the marker is its own item and expires in a week");
            assert.equal(
                Object.keys(item!).some((k) => k.includes("o-5")),
                false,
                "nothing about the order stays on the stock item",
            );
        });

        it("a release that lands between a reserve's reads and its write makes the reserve look again, and take nothing", async () => {
            await stock(ddb, server.tableName, "inv-f", 5);
            const reserve = { action: "reserve" as const, orderId: "o-6", lineNo: 0, line: line("inv-f", 2) };
            // The reserve has read the stock item and found no marker; the release then runs in full.
            let released = false;
            const racing = {
                ...table,
                ddb: {
                    send: async (cmd: { input: { Key?: Record<string, string> } }) => {
                        const out = await ddb.send(cmd as never);
                        if (!released && cmd instanceof GetCommand && cmd.input.Key?.sk.startsWith("released#")) {
                            released = true;
                            assert.equal((await inventory(table, { ...reserve, action: "release" })).status, "NOTHING_TO_RELEASE");
                        }
                        return out;
                    },
                } as unknown as DynamoDBDocumentClient,
            };
            await rejectsWith(inventory(racing, reserve), "AlreadyCompensated");
            assert.ok(released);
            assert.equal((await get(stockKey("inv-f")))?.available, 5);
        });

        it("settles a shipped reservation: the stock stays taken and the reservation record goes", async () => {
            await stock(ddb, server.tableName, "inv-d", 2);
            const reserve = { action: "reserve" as const, orderId: "o-4", lineNo: 0, line: line("inv-d", 2) };
            await inventory(table, reserve);
            assert.equal((await inventory(table, { ...reserve, action: "settle" })).status, "SETTLED");
            assert.equal((await inventory(table, { ...reserve, action: "settle" })).status, "NOTHING_TO_SETTLE");
            assert.equal((await inventory(table, { ...reserve, action: "release" })).status, "NOTHING_TO_RELEASE", "a settled line is not released");
            const item = await get(stockKey("inv-d"));
            assert.equal(item?.available, 0);
            assert.equal(item?.[reservationAttribute("o-4", 0)], undefined);
        });

        it("rejects input the state machine does not send", async () => {
            await rejectsWith(inventory(table, { action: "steal", orderId: "o", lineNo: 0, line: line("x", 1) } as never), "InvalidTaskInput");
            await rejectsWith(inventory(table, { action: "reserve", orderId: "o", lineNo: 0, line: line("x", 0) }), "InvalidTaskInput");
        });
    });

    describe("payments", () => {
        const opts = { maxChargeCents: 10_000, now: () => new Date("2026-03-01T10:00:00Z") };
        const charge = (orderId: string, amountCents: number) => ({ action: "charge" as const, orderId, customerId: "c-1", amountCents, currency: "EUR" });

        it("charges once: a retried charge finds the payment and succeeds without charging again", async () => {
            assert.equal((await payments(table, charge("p-1", 4200), opts)).status, "CHARGED");
            assert.equal((await payments(table, charge("p-1", 4200), opts)).status, "ALREADY_CHARGED");
            const item = await get(paymentKey("p-1"));
            assert.deepEqual([item?.status, item?.amountCents, item?.currency], ["CHARGED", 4200, "EUR"]);
        });

        it("declines an order above the charge limit, recording nothing", async () => {
            const err = await rejectsWith(payments(table, charge("p-2", 10_001), opts), "PaymentDeclined");
            assert.match(err.message, /above the charge limit of 10000/);
            assert.equal(await get(paymentKey("p-2")), undefined);
        });

        it("refunds a charge once, does nothing for a charge that never happened, and never charges a refunded order again", async () => {
            await payments(table, charge("p-3", 100), opts);
            assert.equal((await payments(table, { action: "refund", orderId: "p-3" }, opts)).status, "REFUNDED");
            assert.equal((await payments(table, { action: "refund", orderId: "p-3" }, opts)).status, "ALREADY_REFUNDED");
            assert.equal((await payments(table, { action: "refund", orderId: "p-none" }, opts)).status, "NOTHING_TO_REFUND");
            assert.deepEqual(
                await get(paymentKey("p-none")),
                { ...paymentKey("p-none"), orderId: "p-none", status: "VOIDED", voidedAt: "2026-03-01T10:00:00.000Z", expiresAt: expiry },
                "a refund charges nothing; it voids the payment, for a week",
            );
            await rejectsWith(payments(table, charge("p-3", 100), opts), "PaymentConflict");
        });

        it("a charge arriving after its order's refund (a charge still in flight when the saga compensated) charges nothing", async () => {
            assert.equal((await payments(table, { action: "refund", orderId: "p-late" }, opts)).status, "NOTHING_TO_REFUND");
            await rejectsWith(payments(table, charge("p-late", 100), opts), "AlreadyCompensated");
            assert.equal((await get(paymentKey("p-late")))?.status, "VOIDED");
            assert.equal((await payments(table, { action: "refund", orderId: "p-late" }, opts)).status, "NOTHING_TO_REFUND", "a retried refund stays a no-op");
        });
    });

    describe("shipping", () => {
        const opts = { countries: ["GB", "DE"] };
        const ship = (orderId: string, country: string) => ({
            action: "ship" as const,
            orderId,
            shipTo: { country, city: "x" },
            lines: [{ sku: "s", quantity: 1 }],
        });

        it("requests a shipment once, and rejects a country it does not ship to", async () => {
            assert.equal((await shipping(table, ship("s-1", "GB"), opts)).status, "REQUESTED");
            assert.equal((await shipping(table, ship("s-1", "GB"), opts)).status, "ALREADY_REQUESTED");
            const err = await rejectsWith(shipping(table, ship("s-2", "FR"), opts), "ShipmentRejected");
            assert.match(err.message, /no shipping to FR/);
            assert.equal(await get(shipmentKey("s-2")), undefined);
        });

        it("cancels a requested shipment once; cancelling nothing is a no-op; a cancelled shipment is not requested again", async () => {
            await shipping(table, ship("s-3", "DE"), opts);
            assert.equal((await shipping(table, { action: "cancel", orderId: "s-3" }, opts)).status, "CANCELLED");
            assert.equal((await shipping(table, { action: "cancel", orderId: "s-3" }, opts)).status, "ALREADY_CANCELLED");
            assert.equal((await shipping(table, { action: "cancel", orderId: "s-none" }, opts)).status, "NOTHING_TO_CANCEL");
            await rejectsWith(shipping(table, ship("s-3", "DE"), opts), "ShipmentRejected");
        });

        it("a shipment request arriving after its order's cancel (a request still in flight when the saga compensated) ships nothing", async () => {
            assert.equal(
                (await shipping(table, { action: "cancel", orderId: "s-late" }, { ...opts, now: () => new Date("2026-03-01T10:00:00Z") })).status,
                "NOTHING_TO_CANCEL",
            );
            await rejectsWith(shipping(table, ship("s-late", "GB"), opts), "AlreadyCompensated");
            const item = await get(shipmentKey("s-late"));
            assert.deepEqual([item?.status, item?.expiresAt], ["VOIDED", expiry]);
        });
    });
});
