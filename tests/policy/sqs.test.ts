import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { expectViolations, policyDoc, resource } from "../helpers/policy";
import { queue, topic } from "./fixtures";
import { alarm, eventQueue, mapping, queueArn } from "./event-resources";

const redrive = (dlq: PlannedResource, maxReceiveCount = 5) => JSON.stringify({ deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount });
const denyInsecure = (arn: string, action: string) => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: arn,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
});
const streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/events";

describe("SQS policies", () => {
    describe("sqs-queue-encrypted", () => {
        it("passes KMS or explicit SQS-managed SSE and flags neither", async () => {
            const managed = queue("managed", { kmsMasterKeyId: undefined, sqsManagedSseEnabled: true });
            const bad = queue("bad", { kmsMasterKeyId: undefined });
            await expectViolations("sqs-queue-encrypted", [queue("ok"), managed, bad], [bad]);
        });
    });

    describe("sqs-queue-has-dlq", () => {
        it("passes a queue with a DLQ (inline or as a RedrivePolicy) and exempts the DLQs and failure destinations", async () => {
            const dlq = queue("dlq", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) });
            const work = queue("work", { redrivePolicy: redrive(dlq) });
            const other = queue("other");
            const policy = resource("aws:sqs/redrivePolicy:RedrivePolicy", "other-redrive", { queueUrl: other.id, redrivePolicy: redrive(dlq) });
            const parked = queue("parked");
            const allow = resource("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "parked-allow", {
                queueUrl: parked.id,
                redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [] }),
            });
            const failures = queue("stream-failures");
            const mapping = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "esm", {
                functionName: "f",
                eventSourceArn: "arn:aws:kinesis:us-east-1:1:stream/s",
                destinationConfig: { onFailure: { destinationArn: failures.outputs.arn } },
            });
            await expectViolations("sqs-queue-has-dlq", [dlq, work, other, policy, parked, allow, failures, mapping], []);
        });
        it("flags a queue without a DLQ and a FIFO queue redriving to a standard one", async () => {
            const dlq = queue("dlq");
            const fifo = queue("orders.fifo", { fifoQueue: true, redrivePolicy: redrive(dlq) });
            const lonely = queue("lonely");
            const v = await expectViolations("sqs-queue-has-dlq", [dlq, fifo, lonely], [fifo, lonely]);
            assert.match(v.find((x) => x.urn === fifo.urn)!.message, /FIFO queue's dead-letter queue must be FIFO too/);
        });
    });

    describe("sqs-dlq-outlives-source", () => {
        it("passes a DLQ kept longer than its source and notes one kept shorter", async () => {
            const longDlq = queue("long-dlq", { messageRetentionSeconds: 1209600 });
            const ok = queue("ok", { redrivePolicy: redrive(longDlq) });
            const shortDlq = queue("short-dlq", { messageRetentionSeconds: 60 });
            const bad = queue("bad", { redrivePolicy: redrive(shortDlq) });
            await expectViolations("sqs-dlq-outlives-source", [longDlq, ok, shortDlq, bad], [shortDlq]);
        });
    });

    describe("sqs-deny-insecure-transport", () => {
        it("passes a queue whose policy denies non-TLS and flags one without", async () => {
            const ok = queue("ok");
            const okPolicy = resource("aws:sqs/queuePolicy:QueuePolicy", "ok-policy", {
                queueUrl: ok.id,
                policy: policyDoc(denyInsecure(ok.outputs.arn as string, "sqs:*")),
            });
            const bad = queue("bad");
            await expectViolations("sqs-deny-insecure-transport", [ok, okPolicy, bad], [bad]);
        });
    });

    describe("sqs-queue-policy-admits-publishers", () => {
        it("passes a subscription whose queue admits SNS and flags an EventBridge target whose queue doesn't admit events", async () => {
            const t = topic("orders");
            const q = queue("orders-q");
            const qPolicy = resource("aws:sqs/queuePolicy:QueuePolicy", "orders-q-policy", {
                queueUrl: q.id,
                policy: policyDoc({
                    Effect: "Allow",
                    Principal: { Service: "sns.amazonaws.com" },
                    Action: "sqs:SendMessage",
                    Resource: q.outputs.arn,
                    Condition: { ArnEquals: { "aws:SourceArn": t.outputs.arn } },
                }),
            });
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: t.outputs.arn, protocol: "sqs", endpoint: q.outputs.arn });
            const target = resource("aws:cloudwatch/eventTarget:EventTarget", "target", { rule: "r", arn: q.outputs.arn });
            const v = await expectViolations("sqs-queue-policy-admits-publishers", [t, q, qPolicy, sub, target], [target]);
            assert.match(v[0].message, /doesn't let events\.amazonaws\.com call sqs:SendMessage/);
        });
    });

    describe("sqs-redrive-allowed and sqs-dlq-redrive-restricted", () => {
        it("passes a dead-letter queue that lists its source; flags one that refuses it, and notes one open to all", async () => {
            const dlq = eventQueue("dlq");
            const src = eventQueue("src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount: 3 }) });
            const allow = resource("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "allow", {
                queueUrl: dlq.outputs.url,
                redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [src.outputs.arn] }),
            });

            const deniedDlq = eventQueue("denied-dlq", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) });
            const deniedSrc = eventQueue("denied-src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: deniedDlq.outputs.arn, maxReceiveCount: 3 }) });
            const otherDlq = eventQueue("other-dlq", {
                redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [queueArn("someone-else")] }),
            });
            const otherSrc = eventQueue("other-src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: otherDlq.outputs.arn, maxReceiveCount: 3 }) });
            const openDlq = eventQueue("open-dlq");
            const openSrc = eventQueue("open-src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: openDlq.outputs.arn, maxReceiveCount: 3 }) });

            const all = [dlq, src, allow, deniedDlq, deniedSrc, otherDlq, otherSrc, openDlq, openSrc];
            await expectViolations("sqs-redrive-allowed", all, [deniedDlq, otherDlq]);
            await expectViolations("sqs-dlq-redrive-restricted", all, [openDlq]);
        });
    });

    describe("sqs-dlq-depth-alarm", () => {
        it("notes dead-letter and failure queues no alarm watches", async () => {
            const dlq = eventQueue("dlq");
            const src = eventQueue("src", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount: 3 }) });
            const failures = eventQueue("stream-failures");
            const m = mapping("m", {
                functionName: "f",
                eventSourceArn: streamArn,
                startingPosition: "LATEST",
                destinationConfig: { onFailure: { destinationArn: failures.outputs.arn } },
            });
            const silent = alarm("silent", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "stream-failures" }, []);
            const watched = alarm("watched", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "dlq" });
            await expectViolations("sqs-dlq-depth-alarm", [dlq, src, failures, m, silent, watched], [failures]);
        });
    });
});
