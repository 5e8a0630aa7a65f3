import { strict as assert } from "assert";
import { expectViolations, policyDoc, resource } from "../helpers/policy";

const ACCOUNT = "123456789012";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`;
const topic = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:sns/topic:Topic",
        name,
        { kmsMasterKeyId: KEY_ARN, ...inputs },
        { id: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, outputs: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, name } },
    );
const denyInsecure = (arn: string, action: string) => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: arn,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
});

describe("SNS policies", () => {
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
            const policy = resource("aws:sns/topicPolicy:TopicPolicy", "separate-policy", {
                arn: separate.outputs.arn,
                policy: policyDoc(denyInsecure(separate.outputs.arn as string, "sns:Publish")),
            });
            const bad = topic("bad");
            await expectViolations("sns-deny-insecure-transport", [inline, separate, policy, bad], [bad]);
        });
    });

    describe("sns-topic-policy-actions-valid", () => {
        it("passes SNS's topic actions in any case and flags a wildcard or an action SNS does not take in a topic policy", async () => {
            const ok = topic("ok", {
                policy: policyDoc(denyInsecure("*", "SNS:Publish"), {
                    Sid: "Sub",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: ["sns:Subscribe", "sns:GetTopicAttributes"],
                    Resource: "*",
                }),
            });
            const wildcard = topic("wildcard");
            const wildcardPolicy = resource("aws:sns/topicPolicy:TopicPolicy", "wildcard-policy", {
                arn: wildcard.outputs.arn,
                policy: policyDoc(denyInsecure(wildcard.outputs.arn as string, "sns:*")),
            });
            const foreign = topic("foreign", { policy: policyDoc(denyInsecure("*", "sns:CreateTopic")) });
            const v = await expectViolations("sns-topic-policy-actions-valid", [ok, wildcard, wildcardPolicy, foreign], [wildcardPolicy, foreign]);
            assert.ok(v.some((x) => /names sns:\*, which SNS does not accept/.test(x.message)));
        });
    });
});
