/**
 * Order events into the analytics stream and out again: the analytics bridge writes them to a
 * real local Kinesis (kinesalite), and the stream processor files the records it reads into
 * activity feeds in a real local DynamoDB (dynalite).
 */
import { strict as assert } from "assert";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { KinesisStreamEvent, KinesisStreamRecord, SQSEvent, SQSRecord } from "aws-lambda";
import { activityItem, createActivityProcessor, decode } from "../../../services/activity/handler";
import { BRIDGE_SOURCE, createBridge } from "../../../services/analytics-bridge/handler";
import { toEventRecord, type EventRecord } from "../../../services/analytics/event";
import { startLocalKinesis, type LocalKinesis } from "../../../tools/local-kinesis";
import { command, detailOf, documentClient, envelope, orderOf } from "../../helpers/events";
import { startDynalite, type DynamoServer } from "../web/servers";

const sqs = (...bodies: [string, string][]): SQSEvent => ({
    Records: bodies.map(([messageId, body]): SQSRecord => ({
        messageId,
        body,
        receiptHandle: "",
        attributes: {} as SQSRecord["attributes"],
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:q",
        awsRegion: "us-east-1",
    })),
});
const kinesisRecord = (data: string, sequenceNumber: string): KinesisStreamRecord => ({
    kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "p", sequenceNumber, data: Buffer.from(data).toString("base64"), approximateArrivalTimestamp: 0 },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:role",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:stream",
});
const noSleep = async () => undefined;

describe("order events through the analytics stream (kinesalite, dynalite)", () => {
    let kinesis: LocalKinesis;
    let server: DynamoServer;
    let ddb: DynamoDBDocumentClient;
    const STREAM = "events-test";
    const options = () => ({ tableName: server.tableName, ttlAttribute: "expiresAt", retentionDays: 30, sleep: noSleep });

    before(async () => {
        kinesis = await startLocalKinesis();
        await kinesis.createStream(STREAM, 2);
        server = await startDynalite();
        ddb = documentClient(server);
    });
    after(async () => {
        ddb.destroy();
        await server.stop();
        await kinesis.close();
    });

    it("the bridge writes each order event as an analytics event, and the processor files it in the customer's activity feed", async () => {
        const order = orderOf(command({ customerId: "cust-stream" }));
        const bridge = createBridge({ client: kinesis.client, streamName: STREAM, sleep: noSleep });
        const placed = detailOf("OrderPlaced", order);
        const r = await bridge(
            sqs(
                ["m1", envelope("OrderPlaced", placed)],
                ["m2", envelope("OrderConfirmed", detailOf("OrderConfirmed", order, { occurredAt: "2026-03-01T10:02:00.000Z" }))],
            ),
        );
        assert.deepEqual(r.batchItemFailures, []);

        const written = (await kinesis.readAll(STREAM)).filter((x) => x.partitionKey === "cust-stream");
        const records = written.map((x) => JSON.parse(x.data) as EventRecord);
        assert.deepEqual(
            records.map((x) => [x.event_type, x.source, x.subject_id, x.event_id]),
            [
                ["order.placed", BRIDGE_SOURCE, "cust-stream", placed.eventId],
                ["order.confirmed", BRIDGE_SOURCE, "cust-stream", `${order.orderId}:confirmed`],
            ],
        );
        assert.deepEqual(records[0].attributes, { orderId: order.orderId, status: "PLACED", currency: "EUR" });

        const processor = createActivityProcessor(ddb, options());
        const event: KinesisStreamEvent = { Records: written.map((x, i) => kinesisRecord(x.data, String(100 + i))) };
        assert.deepEqual((await processor(event)).batchItemFailures, []);
        assert.deepEqual((await processor(event)).batchItemFailures, [], "re-reading the same records is harmless");
        const feed = await ddb.send(
            new QueryCommand({ TableName: server.tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "activity#cust-stream" } }),
        );
        assert.deepEqual(
            feed.Items?.map((i) => i.eventType),
            ["order.placed", "order.confirmed"],
            "one item per event, in time order",
        );
        assert.equal(feed.Items?.[0].expiresAt, Math.floor(Date.parse(order.placedAt) / 1000) + 30 * 86_400);
    });

    it("the bridge reports exactly the messages Kinesis keeps refusing, and the unparseable ones", async () => {
        const order = orderOf(command());
        const refused = orderOf(command());
        let calls = 0;
        // Kinesis throttles the refused order's record on every attempt, and takes the others.
        const refusing = {
            send: async (cmd: PutRecordsCommand) => {
                calls++;
                const results = cmd.input.Records!.map((rec) =>
                    Buffer.from(rec.Data!).toString("utf8").includes(refused.orderId)
                        ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" }
                        : { SequenceNumber: "1", ShardId: "s" },
                );
                return { FailedRecordCount: results.filter((x) => "ErrorCode" in x).length, Records: results };
            },
        } as unknown as KinesisClient;
        const bridge = createBridge({ client: refusing, streamName: STREAM, sleep: noSleep, maxAttempts: 2 });
        const r = await bridge(
            sqs(
                ["ok", envelope("OrderPlaced", detailOf("OrderPlaced", order))],
                ["refused", envelope("OrderPlaced", detailOf("OrderPlaced", refused))],
                ["junk", "{"],
            ),
        );
        assert.equal(calls, 2, "the refused record was retried once (maxAttempts 2)");
        assert.deepEqual(r.batchItemFailures.map((f) => f.itemIdentifier).sort(), ["junk", "refused"]);
    });

    it("the processor rejects records that are not analytics events, skips events without a subject, and dedupes a batch", async () => {
        const processor = createActivityProcessor(ddb, options());
        const withSubject = JSON.stringify(
            toEventRecord({ type: "page.view", subjectId: "user-9", id: "e-1", occurredAt: new Date("2026-03-01T00:00:00Z") }, "web"),
        );
        const anonymous = JSON.stringify(toEventRecord({ type: "page.view", id: "e-2" }, "web"));
        const r = await processor({
            Records: [
                kinesisRecord(withSubject, "1"),
                kinesisRecord("not json", "2"),
                kinesisRecord(JSON.stringify({ event_id: "x" }), "3"),
                kinesisRecord(anonymous, "4"),
                kinesisRecord(withSubject, "5"),
            ],
        });
        assert.deepEqual(
            r.batchItemFailures.map((f) => f.itemIdentifier),
            ["2", "3"],
        );
        const feed = await ddb.send(
            new QueryCommand({ TableName: server.tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "activity#user-9" } }),
        );
        assert.equal(feed.Items?.length, 1);
        assert.throws(() => decode(kinesisRecord("[]", "9")), /not an analytics event/);
        assert.equal(activityItem(JSON.parse(anonymous), { ttlAttribute: "expiresAt", retentionDays: 1 }), undefined);
    });

    it("the processor retries unprocessed writes, and reports the records still unwritten after its attempts", async () => {
        let calls = 0;
        const stubborn = {
            send: async (cmd: { input: { RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> } }) => {
                calls++;
                const requests = Object.values(cmd.input.RequestItems)[0];
                // Everything but user-ok stays unprocessed, every time.
                return { UnprocessedItems: { [server.tableName]: requests.filter((w) => w.PutRequest.Item.pk !== "activity#user-ok") } };
            },
        } as unknown as DynamoDBDocumentClient;
        const processor = createActivityProcessor(stubborn, { ...options(), maxWriteAttempts: 3 });
        const rec = (subjectId: string, id: string) => JSON.stringify(toEventRecord({ type: "t", subjectId, id }, "web"));
        const r = await processor({ Records: [kinesisRecord(rec("user-ok", "a"), "10"), kinesisRecord(rec("user-stuck", "b"), "11")] });
        assert.deepEqual(r.batchItemFailures, [{ itemIdentifier: "11" }]);
        assert.equal(calls, 3);
    });
});
