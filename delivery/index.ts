/**
 * The delivery project: one CodePipeline per platform stack, deployed by hand, once, from this
 * directory. The pipelines deploy the platform project at the repository root and never this
 * project, so no commit can break the pipeline that would deploy its fix.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeliveryPipeline, readBuildspecs } from "./pipeline";
import { PlatformKey } from "../components/encryption";
import { GUARD_PREFIX, loadDeliveryConfig, TARGET_PROJECT } from "./config";

const PLATFORM_DIR = path.resolve(__dirname, "..");

const config = loadDeliveryConfig(PLATFORM_DIR);
const buildspecs = readBuildspecs(path.join(PLATFORM_DIR, "pipelines"));

const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: config.tags } });
const opts = { providers: { aws: provider } };
const accountId = aws.getCallerIdentityOutput({}, { provider }).accountId;

// Encrypts artifacts, caches, build output, logs and approval topics. Losing it loses nothing
// that the next pipeline run does not recreate, so it is not protected.
const key = new PlatformKey(
    "delivery",
    { accountId, region: config.region, stateful: { protect: false, deletionProtection: false, finalSnapshot: false } },
    opts,
);

const source = config.source;
const connection =
    source.type === "codestar" && source.createConnection
        ? new aws.codestarconnections.Connection("source", { providerType: source.createConnection }, { provider })
        : undefined;
const connectionArn: pulumi.Input<string> | undefined = connection?.arn ?? source.connectionArn;

const pipelines = config.pipelines.map(
    (p) =>
        [
            p,
            new DeliveryPipeline(
                `${GUARD_PREFIX}-${p.stack}`,
                {
                    project: TARGET_PROJECT,
                    stack: p.stack,
                    accountId,
                    region: config.region,
                    deployRegions: p.deployRegions,
                    kmsKeyArn: key.arn,
                    source:
                        source.type === "codestar"
                            ? { type: "codestar", connectionArn: connectionArn!, repository: source.repository!, branch: p.branch, tags: p.tags }
                            : { type: "codecommit", repository: source.repository!, branch: p.branch },
                    approval: p.requireApproval ? { emails: p.approvalEmails } : undefined,
                    state:
                        config.state.backend === "cloud"
                            ? { backend: "cloud", accessTokenSecret: config.state.accessTokenSecret!, accessTokenKmsKeyArn: config.state.accessTokenKmsKeyArn }
                            : { backend: "s3", bucket: config.state.bucket!, bucketRegion: config.state.bucketRegion!, kmsKeyArn: config.state.kmsKeyArn! },
                    pulumiVersion: config.build.pulumiVersion,
                    nodeVersion: config.build.nodeVersion,
                    buildspecs,
                    build: config.build,
                    imageServices: p.imageServices,
                    guardPrefix: GUARD_PREFIX,
                },
                opts,
            ),
        ] as const,
);

const consoleUrl = (name: pulumi.Output<string>) =>
    pulumi.interpolate`https://${config.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${name}/view?region=${config.region}`;

export const region = config.region;
export const kmsKeyArn = key.arn;
export const sourceConnectionArn = connectionArn;
/** PENDING until someone completes the connection's handshake in the console (only for a connection this stack creates). */
export const sourceConnectionStatus = connection?.connectionStatus;
export const pipelineNames = Object.fromEntries(pipelines.map(([p, d]) => [p.stack, d.pipelineName]));
export const pipelineUrls = Object.fromEntries(pipelines.map(([p, d]) => [p.stack, consoleUrl(d.pipelineName)]));
export const artifactBuckets = Object.fromEntries(pipelines.map(([p, d]) => [p.stack, d.artifactBucket]));
export const approvalTopicArns = Object.fromEntries(pipelines.flatMap(([p, d]) => (d.approvalTopicArn ? [[p.stack, d.approvalTopicArn]] : [])));
export const deployRoleArns = Object.fromEntries(pipelines.map(([p, d]) => [p.stack, d.roleArns.deploy]));
/** The permissions boundary each platform stack's roles carry (the platform references it by name). */
export const boundaryPolicyArns = Object.fromEntries(pipelines.map(([p, d]) => [p.stack, d.boundaryPolicyArn]));
