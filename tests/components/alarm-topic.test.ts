import { strict as assert } from "assert";
import { AlarmTopic } from "../../components/alarm-topic";
import { doc } from "../helpers/plan";
import { render } from "../helpers/component";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";

describe("AlarmTopic component", () => {
    it("creates a KMS-encrypted topic that only this account's CloudWatch alarms may publish to, over TLS, with email subscriptions", async () => {
        const plan = await render(
            () => new AlarmTopic("alarms", { emails: ["ops@example.com", "oncall@example.com"], kmsKeyArn: KEY_ARN, accountId: "123456789012" }),
        );
        const topic = plan.resources.find((r) => r.type === "aws:sns/topic:Topic")!;
        assert.equal(topic.inputs.kmsMasterKeyId, KEY_ARN);
        const policy = plan.resources.find((r) => r.type === "aws:sns/topicPolicy:TopicPolicy")!;
        assert.equal(policy.inputs.arn, topic.outputs.arn);
        const [publish, deny] = doc(policy.inputs.policy).Statement;
        assert.deepEqual(publish, {
            Effect: "Allow",
            Sid: "CloudWatchAlarmsPublish",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.outputs.arn,
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        });
        assert.equal(deny.Effect, "Deny");
        assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": false } });
        const subscriptions = plan.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
        assert.deepEqual(
            subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]),
            [
                ["email", "ops@example.com", topic.outputs.arn],
                ["email", "oncall@example.com", topic.outputs.arn],
            ],
        );
    });

    it("given an existing topic, creates nothing and passes its ARN on", async () => {
        const existing = "arn:aws:sns:us-east-1:123456789012:shared-alarms";
        let arn = "";
        const plan = await render(() =>
            new AlarmTopic("alarms", { emails: ["ops@example.com"], topicArn: existing, kmsKeyArn: KEY_ARN, accountId: "123456789012" }).arn.apply(
                (a) => (arn = a),
            ),
        );
        assert.deepEqual(
            plan.resources.filter((r) => r.custom),
            [],
        );
        assert.equal(arn, existing);
    });
});
