import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

describe("CloudWatch policies", () => {
    describe("cloudwatch-log-group-encrypted", () => {
        it("passes a group with a KMS key and notes one without", async () => {
            const ok = resource("aws:cloudwatch/logGroup:LogGroup", "ok", { retentionInDays: 14, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" });
            const bad = resource("aws:cloudwatch/logGroup:LogGroup", "bad", { retentionInDays: 14 });
            await expectViolations("cloudwatch-log-group-encrypted", [ok, bad], [bad]);
        });
    });

    describe("cloudwatch-alarm-has-actions", () => {
        it("passes an alarm that notifies and notes a silent one", async () => {
            const ok = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "ok", {
                comparisonOperator: "GreaterThanThreshold",
                evaluationPeriods: 1,
                alarmActions: ["arn:aws:sns:us-east-1:1:alarms"],
            });
            const silent = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "silent", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1 });
            await expectViolations("cloudwatch-alarm-has-actions", [ok, silent], [silent]);
        });
    });

    describe("log-stream-in-stack-group", () => {
        it("passes a stream in a group of the stack, by name or (at preview) by dependency, and flags one in a group the stack lacks", async () => {
            const group = resource("aws:cloudwatch/logGroup:LogGroup", "group", { name: "/platform/test/delivery", retentionInDays: 14 });
            const byName = resource("aws:cloudwatch/logStream:LogStream", "by-name", { logGroupName: "/platform/test/delivery", name: "s3" });
            // At preview the group's name may be unknown; the dependency still names the group.
            const byReference = resource(
                "aws:cloudwatch/logStream:LogStream",
                "by-reference",
                { logGroupName: "[unknown]", name: "s3" },
                { propertyDependencies: { logGroupName: [group.urn] } },
            );
            const elsewhere = resource("aws:cloudwatch/logStream:LogStream", "elsewhere", { logGroupName: "/someone/else", name: "s3" });
            const v = await expectViolations("log-stream-in-stack-group", [group, byName, byReference, elsewhere], [elsewhere]);
            assert.match(v[0].message, /"\/someone\/else", which this stack does not create/);
        });
    });
});
