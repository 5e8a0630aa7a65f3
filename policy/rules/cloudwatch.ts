/** CloudWatch rules: log group encryption and retention, alarms with actions, log streams in the stack's groups. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { TYPES } from "../graph";
import { isProd, isSet } from "../lib";
import { createdInStack } from "../shared";
import type { PlatformPolicy } from "../types";

const LOG_STREAM = "aws:cloudwatch/logStream:LogStream";

export const cloudwatchPolicies: PlatformPolicy[] = [
    {
        name: "cloudwatch-log-group-retention",
        description:
            "Every CloudWatch log group sets a retention period, so logs neither vanish nor grow forever (outside prod; in prod, cloudwatch-log-group-retention-prod).",
        enforcementLevel: "advisory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, args, report) => {
            if (!isProd(args) && !p.retentionInDays) report("sets no retentionInDays: logs are kept forever");
        }),
    },
    {
        name: "cloudwatch-log-group-retention-prod",
        description:
            "In prod, every CloudWatch log group keeps its logs for a period chosen on purpose: a group without one keeps them forever, at a cost no one decided.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, args, report) => {
            if (isProd(args) && !p.retentionInDays)
                report("sets no retentionInDays in prod: logs are kept forever; set the retention the stack's logRetentionDays gives");
        }),
    },
    {
        name: "cloudwatch-log-group-encrypted",
        description: "CloudWatch log groups are encrypted with the platform's customer-managed KMS key.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, _a, report) => {
            if (!isSet(p, "kmsKeyId")) report("is encrypted with CloudWatch's own key only; set kmsKeyId");
        }),
    },
    {
        name: "cloudwatch-alarm-has-actions",
        description: "Every CloudWatch alarm notifies someone (alarm actions set and enabled).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (p, _a, report) => {
            if (p.actionsEnabled === false || (p.alarmActions ?? []).length === 0) report("notifies no one when it fires");
        }),
    },
    createdInStack({
        name: "log-stream-in-stack-group",
        description:
            "A log stream is created in a log group of this stack: CreateLogStream fails on a group that does not exist, and a group outside the stack escapes the retention and encryption rules.",
        from: LOG_STREAM,
        path: "logGroupName",
        to: TYPES.logGroup,
        says: (group) => `is created in log group ${group}, which this stack does not create`,
    }),
];
