/** CodeBuild rules: encryption, privileged mode, secrets, timeouts, log groups. */
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { at, isSet } from "../lib";
import { declaresLogGroup } from "../shared";
import type { PlatformPolicy } from "../types";

const CODEBUILD_PROJECT = "aws:codebuild/project:Project";

/**
 * The one privileged project: the delivery pipeline's image build (delivery/pipeline.ts), marked
 * by this tag and running exactly the image buildspec, whose build only runs docker build and
 * push of the services' Dockerfiles. Both are needed: a tag alone would let any project in.
 */
export const IMAGE_BUILD_MARKER = {
    tag: "platform:purpose",
    value: "image-build",
    buildspec: path.join(__dirname, "..", "..", "pipelines", "buildspec-images.yml"),
} as const;

function isImageBuild(p: { tags?: Record<string, string>; source?: { buildspec?: string } }): boolean {
    if (p.tags?.[IMAGE_BUILD_MARKER.tag] !== IMAGE_BUILD_MARKER.value) return false;
    try {
        return p.source?.buildspec === fs.readFileSync(IMAGE_BUILD_MARKER.buildspec, "utf8");
    } catch {
        return false;
    }
}

/** Environment variable names that hold credentials. */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export const codebuildPolicies: PlatformPolicy[] = [
    {
        name: "codebuild-log-group-managed",
        description:
            "Each CodeBuild project logs to a log group this stack declares (so it has a retention period), or has CloudWatch logs off in favour of S3.",
        enforcementLevel: "advisory",
        covers: [CODEBUILD_PROJECT, TYPES.logGroup],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const p of g.ofType(CODEBUILD_PROJECT)) {
                const cw = at(p.props.logsConfig, "cloudwatchLogs");
                if (at(cw, "status") === "DISABLED") continue;
                if ((p.deps.logsConfig ?? []).some((d) => d.type === TYPES.logGroup)) continue;
                const name = at(cw, "groupName") ?? (typeof p.props.name === "string" ? `/aws/codebuild/${p.props.name}` : p.props.name);
                if (declaresLogGroup(g, name) === false)
                    report(`logs to ${name}, which this stack doesn't declare: CodeBuild creates it with no retention`, p.urn);
            }
        },
    },
    {
        name: "codebuild-no-privileged-mode",
        description: `CodeBuild projects don't run in privileged mode (root on the build host's Docker daemon), but the delivery pipeline's image build: tagged ${IMAGE_BUILD_MARKER.tag}=${IMAGE_BUILD_MARKER.value} and running pipelines/buildspec-images.yml verbatim.`,
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.codebuild.Project, (p, _a, report) => {
            if (p.environment?.privilegedMode !== true) return;
            if (!isImageBuild(p))
                report(
                    `runs in privileged mode; only the image build may (tag ${IMAGE_BUILD_MARKER.tag}=${IMAGE_BUILD_MARKER.value} with pipelines/buildspec-images.yml as its buildspec)`,
                );
        }),
    },
    {
        name: "codebuild-encrypted",
        description: "CodeBuild projects encrypt with a customer-managed KMS key and never disable artifact or S3 log encryption.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.codebuild.Project, (p, _a, report) => {
            if (!isSet(p, "encryptionKey")) report("names no encryptionKey; artifacts are encrypted with the AWS-managed key only");
            if (p.artifacts?.encryptionDisabled === true) report("disables artifact encryption");
            for (const a of p.secondaryArtifacts ?? []) if (a.encryptionDisabled === true) report(`disables encryption of artifact ${a.artifactIdentifier}`);
            if (p.logsConfig?.s3Logs?.encryptionDisabled === true) report("disables encryption of its S3 logs");
        }),
    },
    {
        name: "codebuild-no-plaintext-secrets",
        description: "CodeBuild environment variables that hold credentials come from Secrets Manager or Parameter Store, not plain text.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.codebuild.Project, (p, _a, report) => {
            for (const v of p.environment?.environmentVariables ?? []) {
                if ((v.type ?? "PLAINTEXT") === "PLAINTEXT" && SECRET_NAME.test(v.name))
                    report(`passes ${v.name} as plain text; use type SECRETS_MANAGER or PARAMETER_STORE`);
            }
        }),
    },
    {
        name: "codebuild-timeout",
        description: "CodeBuild projects set a build timeout below the 8-hour maximum, so a hung build stops costing.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.codebuild.Project, (p, _a, report) => {
            if (p.buildTimeout === undefined || p.buildTimeout >= 480)
                report(
                    `times out after ${p.buildTimeout ?? 60} minutes${p.buildTimeout === undefined ? " (the default); set buildTimeout to what a build needs" : ""}`,
                );
        }),
    },
];
