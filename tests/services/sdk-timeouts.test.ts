/**
 * Every DynamoDB client the event and API functions build, pointed at an endpoint that accepts
 * connections and never answers: each call ends in a bounded time (its request timeout, times its
 * attempts) well inside its function's timeout, and the function reports the failure the way it
 * reports any other, instead of hanging until Lambda kills it. And the stream processor starts no
 * write it has no time left to finish.
 */
import { strict as assert } from "assert";
import type { ALBEvent, KinesisStreamEvent, SQSEvent } from "aws-lambda";
import {
    ACTIVITY_DYNAMODB_HTTP,
    ACTIVITY_DYNAMODB_MAX_ATTEMPTS,
    activityTable,
    createActivityProcessor,
    WRITE_BUDGET_MS,
} from "../../services/activity/handler";
import { createProjector, PROJECTOR_DYNAMODB_HTTP, PROJECTOR_DYNAMODB_MAX_ATTEMPTS, projectorTable } from "../../services/projector/handler";
import { dynamoReadModel, READ_MODEL_HTTP } from "../../services/read-model";
import { webNextHandler } from "../../services/web-next/handler";
import { command, detailOf, envelope, orderOf } from "../helpers/events";
import { LOCAL_CREDENTIALS, startDynalite, startHungServer, type Running } from "./web/servers";

const local = (endpoint: string) => ({ region: "us-east-1", endpoint, credentials: LOCAL_CREDENTIALS });
/** The SDK's retry delays on top of the attempts themselves: a few hundred ms, generously. */
const SLACK_MS = 2000;
const bound = (t: { connectMs: number; requestMs: number }, attempts: number) => attempts * (t.connectMs + t.requestMs) + SLACK_MS;

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await work;
    return { value, ms: performance.now() - started };
}

const kinesisRecord = (seq: string, subject: string): KinesisStreamEvent["Records"][number] => ({
    kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: subject,
        sequenceNumber: seq,
        approximateArrivalTimestamp: 0,
        data: Buffer.from(
            JSON.stringify({
                event_id: `e-${seq}`,
                event_type: "page_view",
                occurred_at: Date.parse("2026-03-01T10:00:00Z"),
                source: "web",
                subject_id: subject,
                attributes: {},
                payload: null,
            }),
        ).toString("base64"),
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `shardId-000000000000:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::123456789012:role/r",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
});

describe("AWS SDK clients of the event and API functions: a real request timeout", () => {
    let hung: Running;
    let endpoint: string;
    before(async () => {
        hung = await startHungServer();
        endpoint = `http://127.0.0.1:${hung.port}`;
    });
    after(() => hung?.stop());

    it("the projector, the stream processor, the overview's and web-next's read model each give up within their bound", async function () {
        this.timeout(30_000);
        const order = orderOf(command());
        const sqs: SQSEvent = {
            Records: [
                {
                    messageId: "m1",
                    receiptHandle: "r",
                    body: envelope("OrderPlaced", detailOf("OrderPlaced", order)),
                    attributes: { ApproximateReceiveCount: "1" } as never,
                    messageAttributes: {},
                    md5OfBody: "",
                    eventSource: "aws:sqs",
                    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q",
                    awsRegion: "us-east-1",
                },
            ],
        };
        const alb = {
            httpMethod: "GET",
            path: "/items/abc",
            headers: {},
            queryStringParameters: {},
            body: "",
            isBase64Encoded: false,
            requestContext: { elb: { targetGroupArn: "arn" } },
        } as unknown as ALBEvent;

        const [projector, activity, webNext, readModel] = await Promise.all([
            timed(createProjector(projectorTable(local(endpoint)), "t")(sqs)),
            timed(
                createActivityProcessor(activityTable(local(endpoint)), { tableName: "t", ttlAttribute: "expiresAt", retentionDays: 30, maxWriteAttempts: 1 })({
                    Records: [kinesisRecord("1", "user-1")],
                }).catch((err: Error) => err),
            ),
            timed(webNextHandler(dynamoReadModel({ tableName: "t", ...local(endpoint) }))(alb)),
            timed(
                dynamoReadModel({ tableName: "t", ...local(endpoint) })
                    .partition("user#1", 10)
                    .catch((err: Error) => err),
            ),
        ]);

        // Every attempt ended by the request timeout: the message fails, for SQS to redeliver.
        assert.deepEqual(projector.value.batchItemFailures, [{ itemIdentifier: "m1" }]);
        assert.ok(projector.ms < bound(PROJECTOR_DYNAMODB_HTTP, PROJECTOR_DYNAMODB_MAX_ATTEMPTS), `projector: ${projector.ms} ms`);
        assert.ok(activity.value instanceof Error && activity.value.name === "TimeoutError", String(activity.value));
        assert.ok(activity.ms < bound(ACTIVITY_DYNAMODB_HTTP, ACTIVITY_DYNAMODB_MAX_ATTEMPTS), `activity: ${activity.ms} ms`);
        assert.equal(webNext.value.statusCode, 503);
        assert.ok(webNext.ms < bound(READ_MODEL_HTTP, 1), `web-next: ${webNext.ms} ms`);
        assert.ok(readModel.value instanceof Error && readModel.value.name === "TimeoutError", String(readModel.value));
    });

    it("the stream processor starts no write without time to finish it, and reports those records failed", async () => {
        const server = await startDynalite();
        try {
            const processor = createActivityProcessor(activityTable(local(server.endpoint)), {
                tableName: server.tableName,
                ttlAttribute: "expiresAt",
                retentionDays: 30,
            });
            const event = { Records: [kinesisRecord("1", "user-1"), kinesisRecord("2", "user-2")] };
            const late = await processor(event, { getRemainingTimeInMillis: () => WRITE_BUDGET_MS - 1 });
            assert.deepEqual(late.batchItemFailures.map((f) => f.itemIdentifier).sort(), ["1", "2"]);
            const inTime = await processor(event, { getRemainingTimeInMillis: () => 60_000 });
            assert.deepEqual(inTime.batchItemFailures, []);
        } finally {
            await server.stop();
        }
    });
});
