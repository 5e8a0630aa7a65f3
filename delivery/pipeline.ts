import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { SecureBucket } from "../components/bucket";
import { policyDocument, ServiceRole, type Statement } from "../components/iam";
import { repositoryName } from "../components/containers/repository";
import { BOUNDARY_PATH, boundaryPolicyName } from "../components/permissions-boundary";
import { boundaryStatements } from "./boundary";
import { deployStatements, previewStatements, stateObjectPaths } from "./permissions";

/**
 * The CodeBuild stages, in pipeline order, each with its buildspec `pipelines/buildspec-<stage>.yml`.
 * `images` only for a stack with container services.
 */
export const BUILD_STAGES = ["test", "images", "preview", "deploy"] as const;
export type BuildStage = (typeof BUILD_STAGES)[number];

/** Stage names as the pipeline shows them, in order; Approval only when the pipeline has one. */
export const STAGE_NAMES = { source: "Source", test: "Test", images: "BuildImages", preview: "Preview", approval: "Approval", deploy: "Deploy" } as const;

/** The Build images action's variable namespace: Preview and Deploy read its IMAGE_TAGS there. */
export const IMAGES_NAMESPACE = "BuildImages";

/**
 * The image-build project's marker, a tag: with its buildspec (pipelines/buildspec-images.yml),
 * what policy rule codebuild-no-privileged-mode admits to privileged mode, and nothing else.
 */
export const IMAGE_BUILD_TAG = { key: "platform:purpose", value: "image-build" } as const;

/** The name of the source action, which the V2 trigger references. */
export const SOURCE_ACTION = "Source";

export type Buildspecs = Record<BuildStage, string>;

/**
 * Reads the buildspecs the CodeBuild projects run, as text (comments and all), checking that
 * each is a version 0.2 buildspec with build commands, so a broken file fails the update
 * instead of the first build.
 */
export function readBuildspecs(dir: string): Buildspecs {
    const out = {} as Buildspecs;
    for (const stage of BUILD_STAGES) {
        const file = path.join(dir, `buildspec-${stage}.yml`);
        const text = fs.readFileSync(file, "utf8");
        const doc = parse(text);
        if (doc?.version !== 0.2) throw new Error(`${file}: "version" must be 0.2`);
        const commands = doc?.phases?.build?.commands;
        if (!Array.isArray(commands) || commands.length === 0 || !commands.every((c: unknown) => typeof c === "string")) {
            throw new Error(`${file}: phases.build.commands must list the stage's commands`);
        }
        out[stage] = text;
    }
    return out;
}

/** Where the pipeline gets the code. */
export type PipelineSource =
    | {
          type: "codestar";
          /** The CodeConnections connection (either ARN form). */
          connectionArn: pulumi.Input<string>;
          /** owner/name of the repository. */
          repository: string;
          branch: string;
          /** Start on pushes of these tags instead of commits to the branch. */
          tags: string[];
      }
    | { type: "codecommit"; repository: string; branch: string };

/** Where the Pulumi state lives, and how the builds reach it. */
export type StateBackend =
    | {
          backend: "cloud";
          /** Name or full ARN of the Secrets Manager secret holding the Pulumi access token. */
          accessTokenSecret: string;
          /** The customer-managed key the secret is encrypted with, if not the AWS-managed one. */
          accessTokenKmsKeyArn?: string;
      }
    | {
          backend: "s3";
          bucket: string;
          bucketRegion: string;
          /** The key of the stacks' awskms:// secrets provider (and of the bucket's SSE-KMS, if it uses one). */
          kmsKeyArn: string;
      };

export interface BuildSettings {
    /** A CodeBuild curated Linux (x86_64) image. */
    image: string;
    computeType: string;
    /** Minutes each build may run before CodeBuild stops it. */
    timeoutMinutes: Record<BuildStage, number>;
    /** Days build logs are kept. */
    logRetentionDays: number;
    /** Days source artifacts and caches are kept in the artifacts bucket. */
    artifactRetentionDays: number;
}

export interface DeliveryPipelineArgs {
    /** The Pulumi project the pipeline deploys (names its state objects in an S3 backend). */
    project: string;
    /** The stack the pipeline rolls out (`--stack`). */
    stack: string;
    /** The account everything lives in. */
    accountId: pulumi.Input<string>;
    /** Region of the pipeline, its builds, secrets and CodeCommit repository. */
    region: string;
    /** Regions the Preview and Deploy builds may act in: the stack's home region and its replica regions. */
    deployRegions: string[];
    /** KMS key for artifacts, caches, build output and the approval topic. */
    kmsKeyArn: pulumi.Input<string>;
    source: PipelineSource;
    /** A manual approval between Preview and Deploy, announced to these addresses; none when undefined. */
    approval?: { emails: string[] };
    state: StateBackend;
    /** The Pulumi CLI version the Preview and Deploy builds install. */
    pulumiVersion: string;
    /** The exact Node.js release the builds install. */
    nodeVersion: string;
    buildspecs: Buildspecs;
    build: BuildSettings;
    /**
     * The container services (services/<name>/Dockerfile) whose images the Build images stage
     * builds and pushes to their ECR repositories (`platform/<stack>/<name>`, created by the
     * platform stack) in the stack's home region, `deployRegions[0]`. None: no such stage.
     */
    imageServices: string[];
    /**
     * Prefix every delivery pipeline's names share (this component's name starts with it): its roles'
     * IAM path and its log groups use it, and every deploy role is denied all of it.
     */
    guardPrefix: string;
}

/**
 * A CodePipeline (V2) that rolls one stack out: Source, Test, Preview, an optional manual
 * Approval, Deploy. Test, Preview and Deploy are CodeBuild projects with roles of their own:
 * Test touches nothing in AWS (it reads only its artifacts, among them the plan Deploy last
 * recorded), Preview reads, Deploy writes; none can change the pipeline.
 */
export class DeliveryPipeline extends pulumi.ComponentResource {
    public readonly pipelineName: pulumi.Output<string>;
    public readonly pipelineArn: pulumi.Output<string>;
    public readonly artifactBucket: pulumi.Output<string>;
    public readonly approvalTopicArn: pulumi.Output<string> | undefined;
    public readonly roleArns: Record<"pipeline" | Exclude<BuildStage, "images">, pulumi.Output<string>> & { images?: pulumi.Output<string> };
    /** The permissions boundary every role of the deployed stack carries. */
    public readonly boundaryPolicyArn: pulumi.Output<string>;

    constructor(name: string, args: DeliveryPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:delivery:DeliveryPipeline", name, {}, opts);
        if (!name.startsWith(`${args.guardPrefix}-`))
            throw new Error(`DeliveryPipeline ${name}: the name must start with "${args.guardPrefix}-" so the deploy guard covers it`);
        if (BOUNDARY_PATH !== `/${args.guardPrefix}/`)
            throw new Error(`DeliveryPipeline ${name}: the boundary path ${BOUNDARY_PATH} must be the guard prefix's /${args.guardPrefix}/`);
        const scope: PipelineScope = {
            // One path per pipeline: its roles are exactly role/<prefix>/<stack>/*, and the guard covers role/<prefix>/*.
            rolePath: `/${args.guardPrefix}/${args.stack}/`,
            keyArns: [args.kmsKeyArn, ...(args.state.backend === "s3" ? [args.state.kmsKeyArn] : [])],
            bucketArns: args.state.backend === "s3" ? [`arn:aws:s3:::${args.state.bucket}`] : [],
            secretArns: args.state.backend === "cloud" ? [secretResource(args.state.accessTokenSecret, args.region, args.accountId)] : [],
            keyUse: { Sid: "UseDeliveryKey", Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: args.kmsKeyArn },
        };

        const artifacts = this.artifactStore(name, args, scope);
        const boundary = this.boundary(name, args, scope);
        const stages = BUILD_STAGES.filter((stage) => stage !== "images" || args.imageServices.length > 0);
        const builds: Builds = Object.fromEntries(stages.map((stage) => [stage, this.buildStage(name, args, stage, scope, artifacts, boundary)])) as Builds;
        const topic = args.approval ? this.approvalTopic(name, args, args.approval.emails) : undefined;
        const { pipeline, role: pipelineRole } = this.pipeline(name, args, scope, artifacts, builds, topic);
        if (args.source.type === "codecommit") this.pushTrigger(name, args, args.source, scope, pipeline);

        this.pipelineName = pipeline.name;
        this.pipelineArn = pipeline.arn;
        this.artifactBucket = artifacts.name;
        this.approvalTopicArn = topic?.arn;
        this.roleArns = {
            pipeline: pipelineRole.arn,
            test: builds.test.role.arn,
            preview: builds.preview.role.arn,
            deploy: builds.deploy.role.arn,
            ...(builds.images ? { images: builds.images.role.arn } : {}),
        };
        this.boundaryPolicyArn = boundary.arn;
        this.registerOutputs({
            pipelineName: this.pipelineName,
            pipelineArn: this.pipelineArn,
            artifactBucket: this.artifactBucket,
            approvalTopicArn: this.approvalTopicArn,
            boundaryPolicyArn: this.boundaryPolicyArn,
        });
    }

    /** Source artifacts, build caches and the deployed plan: only this pipeline's own roles may write. */
    private artifactStore(name: string, args: DeliveryPipelineArgs, scope: PipelineScope): SecureBucket {
        return new SecureBucket(
            `${name}-artifacts`,
            {
                kmsKeyArn: args.kmsKeyArn,
                versioning: true,
                expirationDays: args.build.artifactRetentionDays,
                noncurrentVersionExpirationDays: 1,
                // Only this pipeline's own roles may write: no other pipeline's build can swap the
                // source artifact between an approved preview and its deploy.
                policyStatements: (arn) => [
                    {
                        Sid: "DenyForeignWriters",
                        Effect: "Deny",
                        Principal: "*",
                        Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
                        Resource: pulumi.interpolate`${arn}/*`,
                        Condition: { ArnNotLike: { "aws:PrincipalArn": pulumi.interpolate`arn:aws:iam::${args.accountId}:role${scope.rolePath}*` } },
                    },
                ],
                protect: false,
            },
            { parent: this },
        );
    }

    /**
     * The stack's permissions boundary, which the platform stack's roles reference by this fixed
     * name and path. It lives here, not in the platform stack, so Deploy can never change it.
     * Only the name and path force a replacement (the document updates in place), and both are
     * fixed per stack; no description, which would too.
     */
    private boundary(name: string, args: DeliveryPipelineArgs, scope: PipelineScope): aws.iam.Policy {
        return new aws.iam.Policy(
            `${name}-boundary`,
            {
                name: boundaryPolicyName(args.project, args.stack),
                path: BOUNDARY_PATH,
                policy: policyDocument(
                    boundaryStatements({
                        accountId: args.accountId,
                        deliveryPrefix: args.guardPrefix,
                        keyArns: scope.keyArns,
                        bucketArns: scope.bucketArns,
                        secretArns: scope.secretArns,
                    }),
                ),
            },
            { parent: this },
        );
    }

    /** One CodeBuild stage: its log group, its role (Test touches nothing in AWS, Preview reads, Deploy writes) and its project. */
    private buildStage(
        name: string,
        args: DeliveryPipelineArgs,
        stage: BuildStage,
        scope: PipelineScope,
        artifacts: SecureBucket,
        boundary: aws.iam.Policy,
    ): Build {
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-${stage}-logs`,
            { name: `/${args.guardPrefix}/${args.stack}/${stage}`, retentionInDays: args.build.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const role = new ServiceRole(
            `${name}-${stage}-role`,
            {
                service: "codebuild.amazonaws.com",
                accountId: args.accountId,
                path: scope.rolePath,
                description: `CodeBuild: the ${stage} stage of stack ${args.stack}`,
                statements: buildStatements(args, stage, scope, logGroup, artifacts, boundary),
            },
            { parent: this },
        );
        const project = new aws.codebuild.Project(
            `${name}-${stage}`,
            {
                description: `The ${STAGE_NAMES[stage]} stage of the ${args.project} stack ${args.stack}`,
                serviceRole: role.arn,
                buildTimeout: args.build.timeoutMinutes[stage],
                encryptionKey: args.kmsKeyArn,
                source: { type: "CODEPIPELINE", buildspec: args.buildspecs[stage] },
                artifacts: { type: "CODEPIPELINE" },
                // npm's cache and Pulumi's provider plugins survive between builds (the buildspecs list the paths).
                cache: { type: "S3", location: pulumi.interpolate`${artifacts.name}/cache/${stage}` },
                environment: {
                    type: "LINUX_CONTAINER",
                    computeType: args.build.computeType,
                    image: args.build.image,
                    imagePullCredentialsType: "CODEBUILD",
                    // Docker in the build needs privileged mode: the image build alone, whose role can do
                    // no more than push to the stack's repositories.
                    privilegedMode: stage === "images",
                    environmentVariables: buildVariables(args, stage, artifacts.name),
                },
                logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name }, s3Logs: { status: "DISABLED" } },
                tags: stage === "images" ? { [IMAGE_BUILD_TAG.key]: IMAGE_BUILD_TAG.value } : undefined,
            },
            // The role's policy must exist before a build can start.
            { parent: this, dependsOn: [role] },
        );
        return { role, project };
    }

    /** The topic the manual approval is announced on, to these addresses. */
    private approvalTopic(name: string, args: DeliveryPipelineArgs, emails: string[]): aws.sns.Topic {
        const parent = { parent: this };
        const topic = new aws.sns.Topic(`${name}-approval`, { kmsMasterKeyId: args.kmsKeyArn, displayName: `Approve deploys of ${args.stack}` }, parent);
        // The pipeline publishes under its role's IAM policy; the topic's own policy only refuses plain HTTP.
        new aws.sns.TopicPolicy(
            `${name}-approval-policy`,
            {
                arn: topic.arn,
                policy: policyDocument([
                    // A topic policy takes only SNS's documented topic actions; no wildcard.
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: ["sns:Publish", "sns:Subscribe"],
                        Resource: topic.arn,
                        Condition: { Bool: { "aws:SecureTransport": false } },
                    },
                ]),
            },
            parent,
        );
        emails.forEach((endpoint, i) => {
            new aws.sns.TopicSubscription(`${name}-approval-${i}`, { topic: topic.arn, protocol: "email", endpoint }, parent);
        });
        return topic;
    }

    /** The pipeline and its role: Source, Test, Preview, the optional Approval, Deploy. */
    private pipeline(
        name: string,
        args: DeliveryPipelineArgs,
        scope: PipelineScope,
        artifacts: SecureBucket,
        builds: Builds,
        topic: aws.sns.Topic | undefined,
    ): { pipeline: aws.codepipeline.Pipeline; role: ServiceRole } {
        const pipelineStatements: Statement[] = [
            // The minimum AWS documents for a CodePipeline service role's artifact store, ACL actions included
            // (a CodeStar connection source fails "Upload to S3 ... Access Denied" without s3:PutObjectAcl).
            { Sid: "UseArtifactBucket", Action: ["s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"], Resource: artifacts.arn },
            {
                Sid: "ReadWriteArtifacts",
                Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl"],
                Resource: pulumi.interpolate`${artifacts.arn}/*`,
            },
            scope.keyUse,
            {
                Sid: "RunBuilds",
                Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"],
                Resource: BUILD_STAGES.flatMap((s) => builds[s]?.project.arn ?? []),
            },
            ...sourceAccess(args),
            ...(topic ? [{ Sid: "NotifyApprovers", Action: "sns:Publish", Resource: topic.arn }] : []),
        ];
        const role = new ServiceRole(
            `${name}-pipeline-role`,
            {
                service: "codepipeline.amazonaws.com",
                accountId: args.accountId,
                path: scope.rolePath,
                description: `CodePipeline: rolls out stack ${args.stack}`,
                statements: pipelineStatements,
            },
            { parent: this },
        );
        const pipeline = new aws.codepipeline.Pipeline(
            `${name}-pipeline`,
            {
                pipelineType: "V2",
                // A newer commit supersedes an older one waiting between stages; executions never
                // overtake each other, so an older commit is never deployed over a newer one.
                executionMode: "SUPERSEDED",
                roleArn: role.arn,
                artifactStores: [{ type: "S3", location: artifacts.name, encryptionKey: { type: "KMS", id: args.kmsKeyArn } }],
                stages: pipelineStages(args, builds, topic),
                triggers: args.source.type === "codestar" ? [trigger(args.source)] : undefined,
            },
            { parent: this, dependsOn: [role] },
        );
        return { pipeline, role };
    }

    /** CodeCommit has no V2 trigger: an EventBridge rule starts the pipeline on pushes to the branch. */
    private pushTrigger(
        name: string,
        args: DeliveryPipelineArgs,
        source: Extract<PipelineSource, { type: "codecommit" }>,
        scope: PipelineScope,
        pipeline: aws.codepipeline.Pipeline,
    ): void {
        const parent = { parent: this };
        const eventsRole = new ServiceRole(
            `${name}-events-role`,
            {
                service: "events.amazonaws.com",
                accountId: args.accountId,
                path: scope.rolePath,
                description: `EventBridge: starts the pipeline of stack ${args.stack}`,
                statements: [{ Action: "codepipeline:StartPipelineExecution", Resource: pipeline.arn }],
            },
            parent,
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-push`,
            {
                description: `Pushes to ${source.repository}@${source.branch} start the pipeline of stack ${args.stack}`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.codecommit"],
                    "detail-type": ["CodeCommit Repository State Change"],
                    resources: [codeCommitArn(args.region, args.accountId, source.repository)],
                    detail: { event: ["referenceCreated", "referenceUpdated"], referenceType: ["branch"], referenceName: [source.branch] },
                }),
            },
            parent,
        );
        new aws.cloudwatch.EventTarget(`${name}-push-target`, { rule: rule.name, arn: pipeline.arn, roleArn: eventsRole.arn }, parent);
    }
}

/** What every part of one pipeline shares: its roles' path, the resources its deploy is kept away from, and the use of its key. */
interface PipelineScope {
    rolePath: string;
    /** The delivery key and the state key: the boundary and the deploy guard fence them off. */
    keyArns: pulumi.Input<string>[];
    /** The state bucket (S3 backend). */
    bucketArns: pulumi.Input<string>[];
    /** The Pulumi access token secret (cloud backend). */
    secretArns: pulumi.Input<string>[];
    keyUse: Statement;
}

/** A build stage's role and CodeBuild project. */
interface Build {
    role: ServiceRole;
    project: aws.codebuild.Project;
}
type Builds = Record<Exclude<BuildStage, "images">, Build> & { images?: Build };

/** A build stage's role policy: its logs, artifacts and cache, and what its stage does in AWS. */
function buildStatements(
    args: DeliveryPipelineArgs,
    stage: BuildStage,
    scope: PipelineScope,
    logGroup: aws.cloudwatch.LogGroup,
    artifacts: SecureBucket,
    boundary: aws.iam.Policy,
): Statement[] {
    const statements: Statement[] = [
        {
            Sid: "WriteBuildLogs",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
        },
        { Sid: "ReadSourceArtifact", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: pulumi.interpolate`${artifacts.arn}/*` },
        { Sid: "LocateArtifactBucket", Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"], Resource: artifacts.arn },
        { Sid: "WriteBuildCache", Action: "s3:PutObject", Resource: pulumi.interpolate`${artifacts.arn}/cache/${stage}*` },
        scope.keyUse,
    ];
    // The plan Deploy last deployed, which Test diffs the commit against: Deploy writes exactly
    // this stack's record, Test finds it (a list of that one key, so a missing record is a 404,
    // not a 403) and reads it through ReadSourceArtifact.
    const record = deployedPlanKey(args.stack);
    if (stage === "test")
        statements.push({ Sid: "FindDeployedPlan", Action: "s3:ListBucket", Resource: artifacts.arn, Condition: { StringEquals: { "s3:prefix": record } } });
    if (stage === "deploy") statements.push({ Sid: "RecordDeployedPlan", Action: "s3:PutObject", Resource: pulumi.interpolate`${artifacts.arn}/${record}` });
    if (stage === "preview") statements.push(...stateAccess(args, stage), ...previewStatements(args.deployRegions));
    if (stage === "images") statements.push(...imagePushStatements(args));
    if (stage === "deploy") {
        statements.push(
            ...stateAccess(args, stage),
            ...deployStatements(args.deployRegions, {
                accountId: args.accountId,
                stack: args.stack,
                environmentTag: args.stack,
                prefix: args.guardPrefix,
                keyArns: scope.keyArns,
                bucketArns: scope.bucketArns,
                secretArns: scope.secretArns,
                boundaryPolicyArn: boundary.arn,
            }),
        );
    }
    return statements;
}

/**
 * Source, Test, Build images (with container services), Preview, Approval when the pipeline has
 * one, Deploy. The images are pushed before Preview, so the diff Preview shows (and Approval
 * approves) already runs the new tags; pushing an image deploys nothing.
 */
function pipelineStages(args: DeliveryPipelineArgs, builds: Builds, topic: aws.sns.Topic | undefined): aws.types.input.codepipeline.PipelineStage[] {
    const build = (stage: BuildStage, b: Build) => {
        const configuration: Record<string, pulumi.Input<string>> = { ProjectName: b.project.name };
        // Preview and Deploy set each service's imageTag from the Build images stage's output.
        if (builds.images && (stage === "preview" || stage === "deploy")) {
            configuration.EnvironmentVariables = JSON.stringify([{ name: "IMAGE_TAGS", value: `#{${IMAGES_NAMESPACE}.IMAGE_TAGS}`, type: "PLAINTEXT" }]);
        }
        return {
            name: STAGE_NAMES[stage],
            actions: [
                {
                    name: STAGE_NAMES[stage],
                    category: "Build",
                    owner: "AWS",
                    provider: "CodeBuild",
                    version: "1",
                    inputArtifacts: ["source"],
                    configuration,
                    ...(stage === "images" ? { namespace: IMAGES_NAMESPACE } : {}),
                },
            ],
        };
    };
    return [
        { name: STAGE_NAMES.source, actions: [sourceAction(args.source)] },
        build("test", builds.test),
        ...(builds.images ? [build("images", builds.images)] : []),
        build("preview", builds.preview),
        ...(topic
            ? [
                  {
                      name: STAGE_NAMES.approval,
                      actions: [
                          {
                              name: "Approve",
                              category: "Approval",
                              owner: "AWS",
                              provider: "Manual",
                              version: "1",
                              configuration: {
                                  NotificationArn: topic.arn,
                                  CustomData: `Deploy stack ${args.stack}? Read the Preview stage's diff first: it is exactly what Deploy will run.`,
                              },
                          },
                      ],
                  },
              ]
            : []),
        build("deploy", builds.deploy),
    ];
}

function sourceAction(source: PipelineSource): aws.types.input.codepipeline.PipelineStageAction {
    const common = { name: SOURCE_ACTION, category: "Source", owner: "AWS", version: "1", outputArtifacts: ["source"] };
    if (source.type === "codestar") {
        return {
            ...common,
            provider: "CodeStarSourceConnection",
            configuration: {
                ConnectionArn: source.connectionArn,
                FullRepositoryId: source.repository,
                BranchName: source.branch,
                OutputArtifactFormat: "CODE_ZIP",
            },
        };
    }
    // EventBridge starts the pipeline, so no polling.
    return {
        ...common,
        provider: "CodeCommit",
        configuration: { RepositoryName: source.repository, BranchName: source.branch, PollForSourceChanges: "false", OutputArtifactFormat: "CODE_ZIP" },
    };
}

/** The V2 trigger: pushes to the branch, or pushes of matching tags. It must name the source action. */
function trigger(source: Extract<PipelineSource, { type: "codestar" }>): aws.types.input.codepipeline.PipelineTrigger {
    const push = source.tags.length > 0 ? { tags: { includes: source.tags } } : { branches: { includes: [source.branch] } };
    return { providerType: "CodeStarSourceConnection", gitConfiguration: { sourceActionName: SOURCE_ACTION, pushes: [push] } };
}

/** The connection in both ARN forms: IAM matches the action's prefix against the resource's. */
export function connectionArnForms(arn: pulumi.Input<string>): pulumi.Output<string>[] {
    const a = pulumi.output(arn);
    return [a.apply((s) => s.replace(":codeconnections:", ":codestar-connections:")), a.apply((s) => s.replace(":codestar-connections:", ":codeconnections:"))];
}

function sourceAccess(args: DeliveryPipelineArgs): Statement[] {
    if (args.source.type === "codestar") {
        return [
            {
                Sid: "UseConnection",
                Action: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
                Resource: connectionArnForms(args.source.connectionArn),
            },
        ];
    }
    return [
        {
            Sid: "ReadRepository",
            Action: [
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetRepository",
                "codecommit:UploadArchive",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:CancelUploadArchive",
            ],
            Resource: codeCommitArn(args.region, args.accountId, args.source.repository),
        },
    ];
}

function codeCommitArn(region: string, accountId: pulumi.Input<string>, repository: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:codecommit:${region}:${accountId}:${repository}`;
}

/**
 * The IAM resource for a secret given by name or ARN. A name matches its ARN with the
 * six-character suffix Secrets Manager appends, and nothing else.
 */
export function secretResource(secret: string, region: string, accountId: pulumi.Input<string>): pulumi.Input<string> {
    return secret.startsWith("arn:") ? secret : pulumi.interpolate`arn:aws:secretsmanager:${region}:${accountId}:secret:${secret}-??????`;
}

/** The state backend's URL for `pulumi login`. */
export function backendUrl(state: StateBackend): string {
    return state.backend === "cloud" ? "https://api.pulumi.com" : `s3://${state.bucket}?region=${state.bucketRegion}`;
}

/** Access to the stack's state: the token secret (Pulumi Cloud), or its objects and key (S3). */
function stateAccess(args: DeliveryPipelineArgs, stage: "preview" | "deploy"): Statement[] {
    const state = args.state;
    if (state.backend === "cloud") {
        const statements: Statement[] = [
            {
                Sid: "ReadPulumiAccessToken",
                Action: "secretsmanager:GetSecretValue",
                Resource: secretResource(state.accessTokenSecret, args.region, args.accountId),
            },
        ];
        if (state.accessTokenKmsKeyArn) {
            statements.push({
                Sid: "DecryptPulumiAccessToken",
                Action: "kms:Decrypt",
                Resource: state.accessTokenKmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
            });
        }
        return statements;
    }
    const bucket = `arn:aws:s3:::${state.bucket}`;
    const paths = stateObjectPaths(args.project, args.stack);
    const objects = (keys: string[]) => keys.map((k) => `${bucket}/${k}`);
    return [
        { Sid: "ListState", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"], Resource: bucket },
        { Sid: "ReadStackState", Action: "s3:GetObject", Resource: objects([paths.meta, ...paths.stack, paths.lock]) },
        stage === "deploy"
            ? {
                  Sid: "WriteStackState",
                  Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  Resource: objects([...paths.stack, ...paths.updates, paths.lock]),
              }
            : { Sid: "LockStack", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: objects([paths.lock]) },
        // awskms:// decrypts the stack's data key; the same key may also encrypt the state bucket.
        { Sid: "UseStateKey", Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: state.kmsKeyArn },
    ];
}

/** The ECR registry of the stack's home region, where its service repositories are. */
function imageRegistry(args: DeliveryPipelineArgs): pulumi.Output<string> {
    return pulumi.interpolate`${args.accountId}.dkr.ecr.${args.deployRegions[0]}.amazonaws.com`;
}

/**
 * The image build's AWS rights: a registry login (GetAuthorizationToken takes no resource), and
 * looking up, pulling layers of and pushing to exactly the stack's service repositories.
 */
function imagePushStatements(args: DeliveryPipelineArgs): Statement[] {
    const region = args.deployRegions[0];
    return [
        { Sid: "LogInToRegistry", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
            Sid: "PushServiceImages",
            Action: [
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
            ],
            Resource: args.imageServices.map((s) => pulumi.interpolate`arn:aws:ecr:${region}:${args.accountId}:repository/${repositoryName(s, args.stack)}`),
        },
    ];
}

/** Where Deploy records the plan it deployed (in the pipeline's artifacts bucket), which Test diffs against. */
export function deployedPlanKey(stack: string): string {
    return `deployed/${stack}/plan.json`;
}

function buildVariables(
    args: DeliveryPipelineArgs,
    stage: BuildStage,
    artifactBucket: pulumi.Output<string>,
): aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[] {
    const vars: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[] = [
        { name: "STACK", value: args.stack, type: "PLAINTEXT" },
        { name: "NODE_VERSION", value: args.nodeVersion, type: "PLAINTEXT" },
    ];
    if (stage === "images") {
        vars.push(
            { name: "SERVICES", value: args.imageServices.join(" "), type: "PLAINTEXT" },
            { name: "REGISTRY", value: imageRegistry(args), type: "PLAINTEXT" },
            { name: "ECR_REGION", value: args.deployRegions[0], type: "PLAINTEXT" },
        );
        return vars;
    }
    // Test reads and Deploy writes the deployed plan there (deployedPlanKey).
    if (stage !== "preview") vars.push({ name: "ARTIFACT_BUCKET", value: artifactBucket, type: "PLAINTEXT" });
    if (stage === "test") return vars;
    vars.push(
        { name: "PULUMI_VERSION", value: args.pulumiVersion, type: "PLAINTEXT" },
        { name: "PULUMI_BACKEND_URL", value: backendUrl(args.state), type: "PLAINTEXT" },
    );
    // CodeBuild resolves the secret at build start with the project's role; the token never appears in config or logs.
    if (args.state.backend === "cloud") vars.push({ name: "PULUMI_ACCESS_TOKEN", value: args.state.accessTokenSecret, type: "SECRETS_MANAGER" });
    return vars;
}
