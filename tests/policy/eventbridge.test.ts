import { expectViolations, resource } from "../helpers/policy";

describe("EventBridge policies", () => {
    describe("eventbridge-target-dlq", () => {
        it("passes a target with a DLQ and notes one without", async () => {
            const ok = resource("aws:cloudwatch/eventTarget:EventTarget", "ok", { rule: "r", arn: "arn:q", deadLetterConfig: { arn: "arn:dlq" } });
            const bad = resource("aws:cloudwatch/eventTarget:EventTarget", "bad", { rule: "r", arn: "arn:q" });
            await expectViolations("eventbridge-target-dlq", [ok, bad], [bad]);
        });
    });

    describe("eventbridge-bus-archived", () => {
        it("passes an archived bus and notes one without an archive", async () => {
            const bus = resource(
                "aws:cloudwatch/eventBus:EventBus",
                "bus",
                { name: "platform" },
                { id: "platform", outputs: { arn: "arn:aws:events:us-east-1:1:event-bus/platform" } },
            );
            const archive = resource("aws:cloudwatch/eventArchive:EventArchive", "archive", {
                eventSourceArn: "arn:aws:events:us-east-1:1:event-bus/platform",
                retentionDays: 7,
            });
            const lonely = resource(
                "aws:cloudwatch/eventBus:EventBus",
                "lonely",
                { name: "lonely" },
                { id: "lonely", outputs: { arn: "arn:aws:events:us-east-1:1:event-bus/lonely" } },
            );
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
