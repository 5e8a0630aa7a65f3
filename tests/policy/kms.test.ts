import { strict as assert } from "assert";
import { expectViolations, policyDoc, resource } from "../helpers/policy";
import { KEY_ARN, queue, topic } from "./fixtures";

const ACCOUNT = "123456789012";
const key = (servicePrincipals: string[]) =>
    resource(
        "aws:kms/key:Key",
        "key",
        {
            enableKeyRotation: true,
            policy: policyDoc(
                { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
                ...(servicePrincipals.length
                    ? [
                          {
                              Sid: "Services",
                              Effect: "Allow",
                              Principal: { Service: servicePrincipals },
                              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                              Resource: "*",
                          },
                      ]
                    : []),
            ),
        },
        { id: "k-1", outputs: { arn: KEY_ARN, keyId: "k-1" } },
    );

describe("KMS policies", () => {
    describe("kms-key-admits-service-publishers", () => {
        it("passes when the key admits every service delivering into its queues and topics", async () => {
            const t = topic("alarms");
            const q = queue("q");
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: t.outputs.arn, protocol: "sqs", endpoint: q.outputs.arn });
            const alarm = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {
                comparisonOperator: "GreaterThanThreshold",
                evaluationPeriods: 1,
                alarmActions: [t.outputs.arn],
            });
            await expectViolations("kms-key-admits-service-publishers", [key(["sns.amazonaws.com", "cloudwatch.amazonaws.com"]), t, q, sub, alarm], []);
        });
        it("flags an alarm publishing to a topic whose key doesn't admit CloudWatch, and SNS into an AWS-managed-key queue", async () => {
            const t = topic("alarms");
            const alarm = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {
                comparisonOperator: "GreaterThanThreshold",
                evaluationPeriods: 1,
                alarmActions: [t.outputs.arn],
            });
            const q = queue("managed-q", { kmsMasterKeyId: "alias/aws/sqs" });
            const sub = resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: t.outputs.arn, protocol: "sqs", endpoint: q.outputs.arn });
            const v = await expectViolations("kms-key-admits-service-publishers", [key(["sns.amazonaws.com"]), t, alarm, q, sub], [alarm, sub]);
            assert.match(v.find((x) => x.urn === alarm.urn)!.message, /doesn't let cloudwatch\.amazonaws\.com call kms:GenerateDataKey, kms:Decrypt/);
            assert.match(v.find((x) => x.urn === sub.urn)!.message, /AWS-managed key alias\/aws\/sqs/);
        });
    });

    describe("kms-key-admits-service-publishers: EventBridge", () => {
        const eventsKey = (...conditions: (Record<string, Record<string, unknown>> | undefined)[]) =>
            resource(
                "aws:kms/key:Key",
                "key",
                {
                    enableKeyRotation: true,
                    policy: policyDoc(
                        { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
                        ...conditions.map((Condition, i) => ({
                            Sid: `Events${i}`,
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                            Resource: "*",
                            ...(Condition ? { Condition } : {}),
                        })),
                    ),
                },
                { id: "k-1", outputs: { arn: KEY_ARN, keyId: "k-1" } },
            );
        const wiring = () => {
            const t = topic("orders");
            const dlq = queue("rule-dlq");
            const target = resource("aws:cloudwatch/eventTarget:EventTarget", "to-topic", {
                rule: "r",
                arn: t.outputs.arn,
                deadLetterConfig: { arn: dlq.outputs.arn },
            });
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
            const v = await expectViolations(
                "kms-key-admits-service-publishers",
                [eventsKey({ StringEquals: { "aws:SourceAccount": ACCOUNT } }), t, dlq, target],
                [target],
            );
            assert.ok(v.some((x) => /delivers to orders,/.test(x.message)) && v.some((x) => /delivers to rule-dlq,/.test(x.message)));
        });
        it("counts the bus's own dead-letter queue, which EventBridge writes undecryptable events to", async () => {
            const dlq = queue("bus-dlq");
            const bus = resource("aws:cloudwatch/eventBus:EventBus", "bus", {
                name: "b",
                kmsKeyIdentifier: KEY_ARN,
                deadLetterConfig: { arn: dlq.outputs.arn },
            });
            await expectViolations("kms-key-admits-service-publishers", [eventsKey({ StringEquals: { "aws:SourceAccount": ACCOUNT } }), dlq, bus], [bus]);
            await expectViolations(
                "kms-key-admits-service-publishers",
                [eventsKey({ StringLike: { "kms:EncryptionContext:aws:sqs:arn": `arn:aws:sqs:us-east-1:${ACCOUNT}:*` } }), dlq, bus],
                [],
            );
        });
        it("flags a rule dead-letter queue whose key only admits the topic's context, and a context for another region", async () => {
            const { t, dlq, target } = wiring();
            const topicOnly = eventsKey({ StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:us-east-1:${ACCOUNT}:*` } });
            const v = await expectViolations("kms-key-admits-service-publishers", [topicOnly, t, dlq, target], [target]);
            assert.deepEqual(
                v.map((x) => /delivers to (\S+),/.exec(x.message)?.[1]),
                ["rule-dlq"],
            );
            const elsewhere = eventsKey(
                { StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:eu-west-1:${ACCOUNT}:*` } },
                { StringLike: { "kms:EncryptionContext:aws:sqs:arn": `arn:aws:sqs:us-east-1:${ACCOUNT}:*` } },
            );
            const w = await expectViolations("kms-key-admits-service-publishers", [elsewhere, t, dlq, target], [target]);
            assert.deepEqual(
                w.map((x) => /delivers to (\S+),/.exec(x.message)?.[1]),
                ["orders"],
            );
        });
    });

    describe("kms-alias-name-valid", () => {
        it("passes alias/platform-dev and flags a reserved or unprefixed name", async () => {
            const ok = resource("aws:kms/alias:Alias", "ok", { name: "alias/platform-dev", targetKeyId: "k" });
            const reserved = resource("aws:kms/alias:Alias", "reserved", { name: "alias/aws/platform", targetKeyId: "k" });
            const bare = resource("aws:kms/alias:Alias", "bare", { name: "platform", targetKeyId: "k" });
            await expectViolations("kms-alias-name-valid", [ok, reserved, bare], [reserved, bare]);
        });
    });
});
