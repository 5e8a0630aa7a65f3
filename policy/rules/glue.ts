/** Glue rules: security configurations, job versions, triggers. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isSet } from "../lib";
import type { PlatformPolicy } from "../types";

const isEncryptedMode = (mode: string | undefined) => mode !== undefined && mode !== "DISABLED";

export const gluePolicies: PlatformPolicy[] = [
    {
        name: "glue-security-configuration-encrypted",
        description: "Glue security configurations encrypt S3 output, CloudWatch logs and job bookmarks.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.glue.SecurityConfiguration, (p, _a, report) => {
            const e = p.encryptionConfiguration;
            if (!isEncryptedMode(e?.s3Encryption?.s3EncryptionMode)) report("leaves S3 data unencrypted");
            if (!isEncryptedMode(e?.cloudwatchEncryption?.cloudwatchEncryptionMode)) report("leaves CloudWatch logs unencrypted");
            if (!isEncryptedMode(e?.jobBookmarksEncryption?.jobBookmarksEncryptionMode)) report("leaves job bookmarks unencrypted");
        }),
    },
    {
        name: "glue-uses-security-configuration",
        description: "Glue jobs and crawlers run with a security configuration, so what they write is encrypted.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.glue.Job, (p, _a, report) => {
                if (!isSet(p, "securityConfiguration")) report("runs without a security configuration");
            }),
            validateResourceOfType(aws.glue.Crawler, (p, _a, report) => {
                if (!isSet(p, "securityConfiguration")) report("runs without a security configuration");
            }),
        ],
    },
    {
        name: "glue-job-current-version",
        description: "Glue jobs run on Glue 4.0 or later (earlier versions are end of support).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.glue.Job, (p, _a, report) => {
            const v = Number(p.glueVersion ?? "0");
            if (p.command?.name !== "pythonshell" && !(v >= 4)) report(`runs on Glue ${p.glueVersion ?? "(unset: the oldest default)"}; use 4.0 or later`);
        }),
    },
    {
        name: "glue-trigger-enabled",
        description: "Glue triggers are enabled and start something: a schedule with a job or crawler action.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.glue.Trigger, (p, _a, report) => {
            if (p.enabled === false) report("is disabled, so it never fires");
            if (p.type === "SCHEDULED" && !p.schedule) report("is SCHEDULED but has no schedule");
            if ((p.actions ?? []).length === 0) report("starts nothing (no actions)");
        }),
    },
];
