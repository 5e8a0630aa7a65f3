import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { expectViolations, policyDoc, resource } from "../helpers/policy";

const ACCOUNT = "123456789012";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`;

const queue = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:sqs/queue:Queue", name, { kmsMasterKeyId: KEY_ARN, ...inputs }, {
        id: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`,
        outputs: { arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`, url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`, name },
    });
const topic = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:sns/topic:Topic", name, { kmsMasterKeyId: KEY_ARN, ...inputs }, { id: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, outputs: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, name } });
const redrive = (dlq: PlannedResource, maxReceiveCount = 5) => JSON.stringify({ deadLetterTargetArn: dlq.outputs.arn, maxReceiveCount });
const denyInsecure = (arn: string, action: string) => ({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: action, Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } });
const key = (servicePrincipals: string[]) =>
    resource("aws:kms/key:Key", "key", {
        enableKeyRotation: true,
        policy: policyDoc(
            { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
            ...(servicePrincipals.length ? [{ Sid: "Services", Effect: "Allow", Principal: { Service: servicePrincipals }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }] : []),
        ),
    }, { id: "k-1", outputs: { arn: KEY_ARN, keyId: "k-1" } });

describe("messaging policies", () => {
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
            const allow = resource("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "parked-allow", { queueUrl: parked.id, redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [] }) });
            const failures = queue("stream-failures");
            const mapping = resource("aws:lambda/eventSourceMapping:EventSourceMapping", "esm", { functionName: "f", eventSourceArn: "arn:aws:kinesis:us-east-1:1:stream/s", destinationConfig: { onFailure: { destinationArn: failures.outputs.arn } } });
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
            const okPolicy = resource("aws:sqs/queuePolicy:QueuePolicy", "ok-policy", { queueUrl: ok.id, policy: policyDoc(denyInsecure(ok.outputs.arn as string, "sqs:*")) });
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
                policy: policyDoc({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: q.outputs.arn, Condition: { ArnEquals: { "aws:SourceArn": t.outputs.arn } } }),
            });
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: t.outputs.arn, protocol: "sqs", endpoint: q.outputs.arn });
            const target = resource("aws:cloudwatch/eventTarget:EventTarget", "target", { rule: "r", arn: q.outputs.arn });
            const v = await expectViolations("sqs-queue-policy-admits-publishers", [t, q, qPolicy, sub, target], [target]);
            assert.match(v[0].message, /doesn't let events\.amazonaws\.com call sqs:SendMessage/);
        });
    });

    describe("sns-topic-encrypted", () => {
        it("passes a KMS topic and flags a plain one", async () => {
            const bad = topic("bad", { kmsMasterKeyId: undefined });
            await expectViolations("sns-topic-encrypted", [topic("ok"), bad], [bad]);
        });
    });

    describe("sns-deny-insecure-transport", () => {
        it("passes a topic whose policy denies non-TLS (inline or a TopicPolicy) and flags one without", async () => {
            const inline = topic("inline", { policy: policyDoc(denyInsecure("*", "sns:Publish")) });
            const separate = topic("separate");
            const policy = resource("aws:sns/topicPolicy:TopicPolicy", "separate-policy", { arn: separate.outputs.arn, policy: policyDoc(denyInsecure(separate.outputs.arn as string, "sns:Publish")) });
            const bad = topic("bad");
            await expectViolations("sns-deny-insecure-transport", [inline, separate, policy, bad], [bad]);
        });
    });

    describe("sns-topic-policy-actions-valid", () => {
        it("passes SNS's topic actions in any case and flags a wildcard or an action SNS does not take in a topic policy", async () => {
            const ok = topic("ok", { policy: policyDoc(denyInsecure("*", "SNS:Publish"), { Sid: "Sub", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ["sns:Subscribe", "sns:GetTopicAttributes"], Resource: "*" }) });
            const wildcard = topic("wildcard");
            const wildcardPolicy = resource("aws:sns/topicPolicy:TopicPolicy", "wildcard-policy", { arn: wildcard.outputs.arn, policy: policyDoc(denyInsecure(wildcard.outputs.arn as string, "sns:*")) });
            const foreign = topic("foreign", { policy: policyDoc(denyInsecure("*", "sns:CreateTopic")) });
            const v = await expectViolations("sns-topic-policy-actions-valid", [ok, wildcard, wildcardPolicy, foreign], [wildcardPolicy, foreign]);
            assert.ok(v.some((x) => /names sns:\*, which SNS does not accept/.test(x.message)));
        });
    });

    describe("kms-key-admits-service-publishers", () => {
        it("passes when the key admits every service delivering into its queues and topics", async () => {
            const t = topic("alarms");
            const q = queue("q");
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: t.outputs.arn, protocol: "sqs", endpoint: q.outputs.arn });
            const alarm = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, alarmActions: [t.outputs.arn] });
            await expectViolations("kms-key-admits-service-publishers", [key(["sns.amazonaws.com", "cloudwatch.amazonaws.com"]), t, q, sub, alarm], []);
        });
        it("flags an alarm publishing to a topic whose key doesn't admit CloudWatch, and SNS into an AWS-managed-key queue", async () => {
            const t = topic("alarms");
            const alarm = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, alarmActions: [t.outputs.arn] });
            const q = queue("managed-q", { kmsMasterKeyId: "alias/aws/sqs" });
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: t.outputs.arn, protocol: "sqs", endpoint: q.outputs.arn });
            const v = await expectViolations("kms-key-admits-service-publishers", [key(["sns.amazonaws.com"]), t, alarm, q, sub], [alarm, sub]);
            assert.match(v.find((x) => x.urn === alarm.urn)!.message, /doesn't let cloudwatch\.amazonaws\.com call kms:GenerateDataKey, kms:Decrypt/);
            assert.match(v.find((x) => x.urn === sub.urn)!.message, /AWS-managed key alias\/aws\/sqs/);
        });
    });

    describe("kms-key-admits-service-publishers: EventBridge", () => {
        const eventsKey = (...conditions: (Record<string, Record<string, unknown>> | undefined)[]) =>
            resource("aws:kms/key:Key", "key", {
                enableKeyRotation: true,
                policy: policyDoc(
                    { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
                    ...conditions.map((Condition, i) => ({ Sid: `Events${i}`, Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", ...(Condition ? { Condition } : {}) })),
                ),
            }, { id: "k-1", outputs: { arn: KEY_ARN, keyId: "k-1" } });
        const wiring = () => {
            const t = topic("orders");
            const dlq = queue("rule-dlq");
            const target = resource("aws:cloudwatch/eventTarget:EventTarget", "to-topic", { rule: "r", arn: t.outputs.arn, deadLetterConfig: { arn: dlq.outputs.arn } });
            return { t, dlq, target };
        };
        it("passes statements scoped by the topic's and the queue's encryption context, or unconditioned", async () => {
            const { t, dlq, target } = wiring();
            const scoped = eventsKey(
                { StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:us-east-1:${ACCOUNT}:*` } },
                { StringLike: { "kms:EncryptionContext:aws:sqs:arn": `arn:aws:sqs:us-east-1:${ACCOUNT}:*` } },
            );
            await expectViolations("kms-key-admits-service-publishers", [scoped, t, dlq, target], []);
            await expectViolations("kms-key-admits-service-publishers", [eventsKey(undefined), t, dlq, target], []);
        });
        it("flags a statement conditioned on aws:SourceAccount, which EventBridge never sends to encrypted targets", async () => {
            const { t, dlq, target } = wiring();
            const v = await expectViolations("kms-key-admits-service-publishers", [eventsKey({ StringEquals: { "aws:SourceAccount": ACCOUNT } }), t, dlq, target], [target]);
            assert.ok(v.some((x) => /delivers to orders,/.test(x.message)) && v.some((x) => /delivers to rule-dlq,/.test(x.message)));
        });
        it("counts the bus's own dead-letter queue, which EventBridge writes undecryptable events to", async () => {
            const dlq = queue("bus-dlq");
            const bus = resource("aws:cloudwatch/eventBus:EventBus", "bus", { name: "b", kmsKeyIdentifier: KEY_ARN, deadLetterConfig: { arn: dlq.outputs.arn } });
            await expectViolations("kms-key-admits-service-publishers", [eventsKey({ StringEquals: { "aws:SourceAccount": ACCOUNT } }), dlq, bus], [bus]);
            await expectViolations("kms-key-admits-service-publishers", [eventsKey({ StringLike: { "kms:EncryptionContext:aws:sqs:arn": `arn:aws:sqs:us-east-1:${ACCOUNT}:*` } }), dlq, bus], []);
        });
        it("flags a rule dead-letter queue whose key only admits the topic's context, and a context for another region", async () => {
            const { t, dlq, target } = wiring();
            const topicOnly = eventsKey({ StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:us-east-1:${ACCOUNT}:*` } });
            const v = await expectViolations("kms-key-admits-service-publishers", [topicOnly, t, dlq, target], [target]);
            assert.deepEqual(v.map((x) => /delivers to (\S+),/.exec(x.message)?.[1]), ["rule-dlq"]);
            const elsewhere = eventsKey(
                { StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:eu-west-1:${ACCOUNT}:*` } },
                { StringLike: { "kms:EncryptionContext:aws:sqs:arn": `arn:aws:sqs:us-east-1:${ACCOUNT}:*` } },
            );
            const w = await expectViolations("kms-key-admits-service-publishers", [elsewhere, t, dlq, target], [target]);
            assert.deepEqual(w.map((x) => /delivers to (\S+),/.exec(x.message)?.[1]), ["orders"]);
        });
    });

    describe("eventbridge-target-dlq", () => {
        it("passes a target with a DLQ and notes one without", async () => {
            const ok = resource("aws:cloudwatch/eventTarget:EventTarget", "ok", { rule: "r", arn: "arn:q", deadLetterConfig: { arn: "arn:dlq" } });
            const bad = resource("aws:cloudwatch/eventTarget:EventTarget", "bad", { rule: "r", arn: "arn:q" });
            await expectViolations("eventbridge-target-dlq", [ok, bad], [bad]);
        });
    });

    describe("eventbridge-bus-archived", () => {
        it("passes an archived bus and notes one without an archive", async () => {
            const bus = resource("aws:cloudwatch/eventBus:EventBus", "bus", { name: "platform" }, { id: "platform", outputs: { arn: "arn:aws:events:us-east-1:1:event-bus/platform" } });
            const archive = resource("aws:cloudwatch/eventArchive:EventArchive", "archive", { eventSourceArn: "arn:aws:events:us-east-1:1:event-bus/platform", retentionDays: 7 });
            const lonely = resource("aws:cloudwatch/eventBus:EventBus", "lonely", { name: "lonely" }, { id: "lonely", outputs: { arn: "arn:aws:events:us-east-1:1:event-bus/lonely" } });
            await expectViolations("eventbridge-bus-archived", [bus, archive, lonely], [lonely]);
        });
    });

    describe("eventbridge-rule-has-target", () => {
        it("passes a rule with a target and notes one without", async () => {
            const rule = resource("aws:cloudwatch/eventRule:EventRule", "orders", { name: "orders", eventBusName: "platform" }, { id: "platform/orders" });
            const target = resource("aws:cloudwatch/eventTarget:EventTarget", "t", { rule: "orders", eventBusName: "platform", arn: "arn:q" });
            const idle = resource("aws:cloudwatch/eventRule:EventRule", "idle", { name: "idle", eventBusName: "platform" }, { id: "platform/idle" });
            await expectViolations("eventbridge-rule-has-target", [rule, target, idle], [idle]);
        });
    });
});
