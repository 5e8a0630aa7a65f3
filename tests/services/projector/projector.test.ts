/**
 * The CQRS projector against dynalite: it builds the read model from order events, and a
 * redelivered, duplicated or out-of-order event changes nothing.
 */
import { strict as assert } from "assert";
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { createProjector } from "../../../services/projector/handler";
import { customerOrderKey, getOrder, orderKey, project } from "../../../services/projector/read-model";
import { parseOrderEvent } from "../../../services/orders/model";
import { command, detailOf, documentClient, envelope, orderOf } from "../../helpers/events";
import { startDynalite, type DynamoServer } from "../web/servers";

const message = (id: string, body: string): SQSRecord => ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: "1" } as SQSRecord["attributes"],
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:projector",
    awsRegion: "us-east-1",
});
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe("CQRS projector (against dynalite)", () => {
    let server: DynamoServer;
    let ddb: DynamoDBDocumentClient;
    before(async () => {
        server = await startDynalite();
        ddb = documentClient(server);
    });
    after(async () => {
        ddb.destroy();
        await server.stop();
    });

    const item = async (key: { pk: string; sk: string }) =>
        (await ddb.send(new GetCommand({ TableName: server.tableName, Key: key, ConsistentRead: true }))).Item;
    const event = (type: "OrderPlaced" | "OrderConfirmed" | "OrderCancelled", order = orderOf(command()), extra = {}) =>
        parseOrderEvent(envelope(type, detailOf(type, order, { occurredAt: type === "OrderPlaced" ? order.placedAt : "2026-03-01T10:01:00.000Z", ...extra })));

    it("projects OrderPlaced into the order's summary and its customer's list", async () => {
        const placed = event("OrderPlaced");
        assert.equal(await project(ddb, server.tableName, placed), "applied");
        const view = await getOrder(ddb, server.tableName, placed.detail.orderId);
        assert.deepEqual([view?.status, view?.version, view?.totalCents, view?.lineCount, view?.lastEventId], ["PLACED", 1, 3750, 2, placed.detail.eventId]);
        const o = placed.detail.order;
        assert.deepEqual(await item(customerOrderKey(o.customerId, o.placedAt, o.orderId)), {
            ...view,
            ...customerOrderKey(o.customerId, o.placedAt, o.orderId),
        });
    });

    it("a redelivered event changes nothing", async () => {
        const placed = event("OrderPlaced");
        await project(ddb, server.tableName, placed);
        const before = [
            await item(orderKey(placed.detail.orderId)),
            await item(customerOrderKey(placed.detail.order.customerId, placed.detail.order.placedAt, placed.detail.orderId)),
        ];
        assert.equal(await project(ddb, server.tableName, placed), "stale");
        assert.equal(await project(ddb, server.tableName, event("OrderPlaced", placed.detail.order, { eventId: "republished-by-the-relay" })), "stale");
        const after = [
            await item(orderKey(placed.detail.orderId)),
            await item(customerOrderKey(placed.detail.order.customerId, placed.detail.order.placedAt, placed.detail.orderId)),
        ];
        assert.deepEqual(after, before);
    });

    it("moves the order to CONFIRMED or CANCELLED, and an overtaken OrderPlaced cannot move it back", async () => {
        const order = orderOf(command());
        assert.equal(await project(ddb, server.tableName, event("OrderConfirmed", order)), "applied", "the saga's event can arrive first");
        assert.equal(await project(ddb, server.tableName, event("OrderPlaced", order)), "stale");
        const view = await getOrder(ddb, server.tableName, order.orderId);
        assert.deepEqual([view?.status, view?.version, view?.updatedAt], ["CONFIRMED", 2, "2026-03-01T10:01:00.000Z"]);
        assert.deepEqual(view?.lines, order.lines, "the first event to arrive carries the whole order");

        const cancelled = orderOf(command());
        await project(ddb, server.tableName, event("OrderPlaced", cancelled));
        await project(ddb, server.tableName, event("OrderCancelled", cancelled, { reason: "OutOfStock" }));
        const c = await getOrder(ddb, server.tableName, cancelled.orderId);
        assert.deepEqual([c?.status, c?.reason], ["CANCELLED", "OutOfStock"]);
    });

    it("a redelivery repairs a crash between the two writes: the written item is skipped, the missing one written", async () => {
        const placed = event("OrderPlaced");
        const o = placed.detail.order;
        await ddb.send(new PutCommand({ TableName: server.tableName, Item: { ...orderKey(o.orderId), version: 1, status: "PLACED" } }));
        assert.equal(await project(ddb, server.tableName, placed), "applied");
        assert.equal((await item(customerOrderKey(o.customerId, o.placedAt, o.orderId)))?.status, "PLACED");
        assert.equal((await item(orderKey(o.orderId)))?.lineCount, undefined, "the existing summary was left alone");
    });

    it("lists a customer's orders by placement time with one query", async () => {
        const customerId = "cust-list";
        const times = ["2026-03-02T09:00:00.000Z", "2026-03-01T09:00:00.000Z", "2026-03-03T09:00:00.000Z"];
        for (const t of times) await project(ddb, server.tableName, event("OrderPlaced", orderOf(command({ customerId }), t)));
        const r = await ddb.send(
            new QueryCommand({
                TableName: server.tableName,
                KeyConditionExpression: "pk = :pk",
                ExpressionAttributeValues: { ":pk": `customer#${customerId}` },
            }),
        );
        assert.deepEqual(
            r.Items?.map((i) => i.placedAt),
            [...times].sort(),
        );
    });

    it("the SQS handler reports only the messages that failed, and applies the rest", async () => {
        const handler = createProjector(ddb, server.tableName);
        const good = event("OrderPlaced");
        const r = await handler(
            batch(
                message("m1", envelope("OrderPlaced", good.detail)),
                message("m2", "{not json"),
                message("m3", JSON.stringify({ source: "someone.else", "detail-type": "OrderPlaced", detail: good.detail })),
                message("m4", envelope("OrderConfirmed", { ...good.detail, status: "PLACED" })),
                message("m5", envelope("OrderPlaced", good.detail)),
            ),
        );
        assert.deepEqual(r.batchItemFailures.map((f) => f.itemIdentifier).sort(), ["m2", "m3", "m4"]);
        assert.equal((await getOrder(ddb, server.tableName, good.detail.orderId))?.status, "PLACED");
    });

    it("a write that fails (the table missing) fails the message, so SQS redelivers it", async () => {
        const handler = createProjector(ddb, "no-such-table");
        const r = await handler(batch(message("m1", envelope("OrderPlaced", event("OrderPlaced").detail))));
        assert.deepEqual(r.batchItemFailures, [{ itemIdentifier: "m1" }]);
    });
});
