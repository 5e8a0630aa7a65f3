import { strict as assert } from "assert";
import * as path from "path";
import { EventBus, FailureQueue, MessageQueue, QueueConsumer, StreamConsumer, visibilityTimeoutFor } from "../../components/events";
import { render } from "../helpers/component";
import { doc } from "../helpers/plan";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms";
const entry = path.join(__dirname, "..", "fixtures", "echo-handler.ts");

const consumerArgs = {
    entry,
    description: "test consumer",
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maximumConcurrency: 2,
    reservedConcurrency: 2,
    timeoutSeconds: 20,
    memoryMb: 128,
    statements: [],
    senders: [{ service: "sns.amazonaws.com", sourceArn: "arn:aws:sns:us-east-1:123456789012:orders" }],
    maxReceiveCount: 4,
    messageRetentionDays: 4,
    queueAgeAlarmMinutes: 10,
    kmsKeyArn: KEY,
    region: "us-east-1",
    logRetentionDays: 14,
    alarmTopicArn: TOPIC,
    protect: true,
};

describe("events components", () => {
    it("MessageQueue: a source queue redriving to its dead-letter queue, which accepts only it, both protected and encrypted", async () => {
        const plan = await render(
            () =>
                new MessageQueue("q", {
                    kmsKeyArn: KEY,
                    messageRetentionDays: 4,
                    visibilityTimeoutSeconds: 120,
                    maxReceiveCount: 3,
                    senders: [{ service: "events.amazonaws.com", sourceArn: "arn:aws:events:us-east-1:123456789012:rule/bus/*", like: true }],
                    ageAlarmMinutes: 5,
                    alarmTopicArn: TOPIC,
                    protect: true,
                }),
        );
        const queues = plan.resources.filter((r) => r.type === "aws:sqs/queue:Queue");
        const [dlq, source] = [queues.find((q) => q.name === "q-dlq")!, queues.find((q) => q.name === "q")!];
        assert.deepEqual(JSON.parse(source.inputs.redrivePolicy as string), { deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount: 3 });
        assert.deepEqual([source.inputs.messageRetentionSeconds, dlq.inputs.messageRetentionSeconds], [4 * 86_400, 14 * 86_400]);
        const allow = plan.resources.find((r) => r.type === "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")!;
        assert.equal(allow.inputs.queueUrl, dlq.outputs.url);
        assert.deepEqual(JSON.parse(allow.inputs.redriveAllowPolicy as string), { redrivePermission: "byQueue", sourceQueueArns: [source.outputs.arn] });
        for (const q of queues) {
            assert.equal(q.inputs.kmsMasterKeyId, KEY);
            assert.equal(q.options.protect, true);
        }
        const policy = doc(plan.resources.find((r) => r.name === "q-policy")!.inputs.policy).Statement;
        assert.deepEqual(policy[1], {
            Effect: "Allow",
            Sid: "AllowSend0",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: source.outputs.arn,
            Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/bus/*" } },
        });
        const dlqPolicy = doc(plan.resources.find((r) => r.name === "q-dlq-policy")!.inputs.policy).Statement;
        assert.equal(dlqPolicy.length, 1, "nothing but SQS's own redrive sends to the dead-letter queue");
        const alarms = plan.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => [a.inputs.metricName, a.inputs.threshold]).sort(), [
            ["ApproximateAgeOfOldestMessage", 300],
            ["ApproximateNumberOfMessagesVisible", 0],
        ]);
    });

    it("MessageQueue and FailureQueue refuse what SQS does not allow, and a failure queue is no queue's redrive target", async () => {
        await assert.rejects(
            render(
                () =>
                    new MessageQueue("q", {
                        kmsKeyArn: KEY,
                        messageRetentionDays: 15,
                        visibilityTimeoutSeconds: 30,
                        maxReceiveCount: 3,
                        senders: [],
                        ageAlarmMinutes: 5,
                        alarmTopicArn: TOPIC,
                        protect: false,
                    }),
            ),
            /messageRetentionDays must be 1 to 14/,
        );
        await assert.rejects(
            render(
                () =>
                    new MessageQueue("q", {
                        kmsKeyArn: KEY,
                        messageRetentionDays: 1,
                        visibilityTimeoutSeconds: 50_000,
                        maxReceiveCount: 3,
                        senders: [],
                        ageAlarmMinutes: 5,
                        alarmTopicArn: TOPIC,
                        protect: false,
                    }),
            ),
            /above the SQS maximum/,
        );
        const plan = await render(() => new FailureQueue("f", { kmsKeyArn: KEY, senders: [], holds: "x", alarmTopicArn: TOPIC, protect: false }));
        const q = plan.resources.find((r) => r.type === "aws:sqs/queue:Queue")!;
        assert.deepEqual(JSON.parse(q.inputs.redriveAllowPolicy as string), { redrivePermission: "denyAll" });
    });

    it("QueueConsumer: its queue's visibility timeout is 6x the function timeout plus the window, and it rejects settings AWS would", async () => {
        assert.equal(visibilityTimeoutFor(30, 5), 185);
        const plan = await render(() => new QueueConsumer("c", consumerArgs));
        const queue = plan.resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "c-queue")!;
        assert.equal(queue.inputs.visibilityTimeoutSeconds, 120);
        const mapping = plan.resources.find((r) => r.type === "aws:lambda/eventSourceMapping:EventSourceMapping")!;
        assert.deepEqual(
            [mapping.inputs.eventSourceArn, mapping.inputs.batchSize, mapping.inputs.functionResponseTypes, mapping.inputs.scalingConfig],
            [queue.outputs.arn, 10, ["ReportBatchItemFailures"], { maximumConcurrency: 2 }],
        );
        const policy = plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
        assert.ok(mapping.dependencies.includes(policy.urn), "created after the role may read the queue (Lambda checks at creation)");
        for (const [bad, message] of [
            [{ maximumConcurrency: 1 }, /outside SQS's 2\.\.1000/],
            [{ maximumConcurrency: 4, reservedConcurrency: 3 }, /reservedConcurrency 3 is below maximumConcurrency 4/],
            [{ batchSize: 11 }, /needs a batching window/],
        ] as const) {
            await assert.rejects(
                render(() => new QueueConsumer("c", { ...consumerArgs, ...bad })),
                message,
            );
        }
    });

    it("StreamConsumer: refuses unbounded retries", async () => {
        const args = {
            ...consumerArgs,
            stream: { arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s", readPermission: () => ({ grantor: "s", name: "read", statements: [] }) },
            parallelizationFactor: 1,
            maximumRetryAttempts: -1,
            maximumRecordAgeSeconds: 60,
            iteratorAgeAlarmSeconds: 60,
        };
        await assert.rejects(
            render(() => new StreamConsumer("s", args)),
            /maximumRetryAttempts must be finite/,
        );
    });

    it("EventBus: an encrypted bus with a dead-letter queue, a protected archive, and routes with retries and the dead-letter queue", async () => {
        const plan = await render(() => {
            const bus = new EventBus("b", {
                busName: "platform-test",
                region: "us-east-1",
                accountId: "123456789012",
                kmsKeyArn: KEY,
                archiveRetentionDays: 30,
                archivedSources: ["platform.orders"],
                targetRetryAttempts: 10,
                targetMaxEventAgeSeconds: 600,
                alarmTopicArn: TOPIC,
                protect: true,
            });
            bus.route("r", { description: "d", pattern: { source: ["platform.orders"] }, target: { arn: "arn:aws:sns:us-east-1:123456789012:t" } });
        });
        const failures = plan.resources.find((r) => r.type === "aws:sqs/queue:Queue")!;
        const bus = plan.resources.find((r) => r.type === "aws:cloudwatch/eventBus:EventBus")!;
        assert.deepEqual(
            [bus.inputs.name, bus.inputs.kmsKeyIdentifier, (bus.inputs.deadLetterConfig as any).arn],
            ["platform-test", KEY, failures.outputs.arn],
        );
        const archive = plan.resources.find((r) => r.type === "aws:cloudwatch/eventArchive:EventArchive")!;
        assert.deepEqual([archive.inputs.retentionDays, archive.inputs.eventSourceArn, archive.options.protect], [30, bus.outputs.arn, true]);
        const target = plan.resources.find((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget")!;
        assert.deepEqual(
            [target.inputs.retryPolicy, (target.inputs.deadLetterConfig as any).arn],
            [{ maximumRetryAttempts: 10, maximumEventAgeInSeconds: 600 }, failures.outputs.arn],
        );
        // The failure queue takes events from this bus's rules and the bus itself, nothing else.
        const policy = doc(plan.resources.find((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy")!.inputs.policy).Statement.filter(
            (s: any) => s.Effect === "Allow",
        );
        assert.deepEqual(
            policy.map((s: any) => Object.values(s.Condition)[0]),
            [
                { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/platform-test/*" },
                { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/platform-test" },
            ],
        );
    });
});
