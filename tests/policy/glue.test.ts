import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

describe("Glue policies", () => {
    describe("glue-security-configuration-encrypted", () => {
        it("passes full encryption and flags a disabled part", async () => {
            const full = {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: "k" },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: "k" },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: "k" },
            };
            const ok = resource("aws:glue/securityConfiguration:SecurityConfiguration", "ok", { encryptionConfiguration: full });
            const bad = resource("aws:glue/securityConfiguration:SecurityConfiguration", "bad", {
                encryptionConfiguration: { ...full, jobBookmarksEncryption: { jobBookmarksEncryptionMode: "DISABLED" } },
            });
            const v = await expectViolations("glue-security-configuration-encrypted", [ok, bad], [bad]);
            assert.match(v[0].message, /job bookmarks/);
        });
    });

    describe("glue-uses-security-configuration", () => {
        it("passes a job and crawler with one and flags those without", async () => {
            const job = resource("aws:glue/job:Job", "job", { roleArn: "r", command: { scriptLocation: "s3://b/j.py" }, securityConfiguration: "sc" });
            const badJob = resource("aws:glue/job:Job", "bad-job", { roleArn: "r", command: { scriptLocation: "s3://b/j.py" } });
            const crawler = resource("aws:glue/crawler:Crawler", "crawler", { role: "r", databaseName: "d" });
            await expectViolations("glue-uses-security-configuration", [job, badJob, crawler], [badJob, crawler]);
        });
    });

    describe("glue-job-current-version", () => {
        it("passes Glue 4.0+ and notes older", async () => {
            const ok = resource("aws:glue/job:Job", "ok", { roleArn: "r", command: { name: "glueetl", scriptLocation: "s3://b/j.py" }, glueVersion: "5.0" });
            const old = resource("aws:glue/job:Job", "old", { roleArn: "r", command: { name: "glueetl", scriptLocation: "s3://b/j.py" }, glueVersion: "2.0" });
            await expectViolations("glue-job-current-version", [ok, old], [old]);
        });
    });

    describe("glue-trigger-enabled", () => {
        it("passes a scheduled trigger with an action and notes a disabled or empty one", async () => {
            const ok = resource("aws:glue/trigger:Trigger", "ok", { type: "SCHEDULED", schedule: "cron(0 2 * * ? *)", actions: [{ jobName: "etl" }] });
            const off = resource("aws:glue/trigger:Trigger", "off", {
                type: "SCHEDULED",
                schedule: "cron(0 2 * * ? *)",
                actions: [{ jobName: "etl" }],
                enabled: false,
            });
            const empty = resource("aws:glue/trigger:Trigger", "empty", { type: "SCHEDULED", actions: [] });
            await expectViolations("glue-trigger-enabled", [ok, off, empty], [off, empty]);
        });
    });
});
