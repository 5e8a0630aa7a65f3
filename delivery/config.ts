/**
 * The delivery project's config (`platform-delivery:*` keys in `delivery/Pulumi.<stack>.yaml`):
 * where the code comes from, where Pulumi state lives, one pipeline per platform stack, and the
 * build settings. Validated in full before any resource is registered, one message per problem
 * naming the key, the value and what is allowed.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { validateConfig, ConfigError } from "../config";
import { logRetentionDays, region as regionSchema, type Profile } from "../config/common";
import { schema as tagsSchema } from "../config/sections/tags";
import { deepMerge, isPlainObject, ProjectConfig } from "../config/validate";
import { readStackSettings } from "../lib/stack-settings";
import packageJson from "../package.json";

export const PROJECT = "platform-delivery";
/** The project the pipelines deploy. */
export const TARGET_PROJECT = "platform";
/** Every delivery resource's name starts with it; see DeliveryPipelineArgs.guardPrefix. */
export const GUARD_PREFIX = "platform-delivery";

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;
const FULL_REPOSITORY_ID = /^[\w.-]+(\/[\w.-]+)+$/;
const CODECOMMIT_REPOSITORY = /^[\w.-]{1,100}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const BUCKET_NAME = /^(?!xn--|sthree-)(?!.*(\.\.|-s3alias$|--ol-s3$))[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** git check-ref-format, roughly: no spaces, control characters, `..`, `~^:?*[\`, leading `-` or trailing `/` or `.lock`. */
// eslint-disable-next-line no-control-regex -- the pattern exists to refuse control characters, as git does
const GIT_REF = /^(?!-)(?!.*(\.\.|\/\/|@\{|\.lock$|\/$|\.$))[^\s~^:?*[\\\x00-\x1f\x7f]+$/;
/** A target stack names its pipeline's resources: bucket `platform-delivery-<stack>-artifacts-xxxxxxx` (63) and roles (64). */
const TARGET_STACK = /^[a-z][a-z0-9-]{0,23}$/;

/**
 * CodeBuild curated images the buildspecs run on: Ubuntu with the `nodejs: 20` runtime, where
 * the Test stage installs Redis and PostgreSQL with apt, and the x64 Pulumi CLI runs.
 */
export const BUILD_IMAGES = ["aws/codebuild/standard:7.0"] as const;
export const COMPUTE_TYPES = [
    "BUILD_GENERAL1_SMALL",
    "BUILD_GENERAL1_MEDIUM",
    "BUILD_GENERAL1_LARGE",
    "BUILD_GENERAL1_XLARGE",
    "BUILD_GENERAL1_2XLARGE",
] as const;

const CONNECTION_PROVIDERS = ["GitHub", "GitLab", "Bitbucket"] as const;

// CodeBuild accepts 5 to 2160 minutes, but CodePipeline fails a CodeBuild action after 8 hours,
// leaving a longer build running unwatched.
const buildTimeout = z.int().min(5).max(480);

export const sourceSchema = z
    .strictObject({
        type: z
            .enum(["codestar", "codecommit"])
            .describe("codestar: a CodeConnections (CodeStar) connection to GitHub, GitLab or Bitbucket; codecommit: an AWS CodeCommit repository."),
        repository: z.string().optional().describe("The repository: owner/name for a connection (e.g. my-org/platform), or the CodeCommit repository's name."),
        connectionArn: z
            .string()
            .regex(CONNECTION_ARN, { message: "must be a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<uuid>" })
            .optional()
            .describe("An existing connection to use (codestar only)."),
        createConnection: z
            .enum(CONNECTION_PROVIDERS)
            .optional()
            .describe("Create a connection to this provider instead (codestar only); it starts PENDING until you complete the handshake once in the console."),
    })
    .superRefine((s, ctx) => {
        const issue = (key: string, message: string, input?: unknown) => ctx.addIssue({ code: "custom", path: [key], message, input });
        if (s.type === "codestar") {
            if (s.repository === undefined) issue("repository", "is required: the repository the pipelines build, as owner/name (e.g. my-org/platform)");
            else if (!FULL_REPOSITORY_ID.test(s.repository)) issue("repository", "must be owner/name (e.g. my-org/platform)", s.repository);
            if (s.connectionArn === undefined && s.createConnection === undefined) {
                issue(
                    "connectionArn",
                    `is required for a codestar source: the ARN of a CodeConnections connection (arn:aws:codeconnections:<region>:<account>:connection/<uuid>), or set source.createConnection to ${CONNECTION_PROVIDERS.join(", ")} to create one`,
                );
            } else if (s.connectionArn !== undefined && s.createConnection !== undefined) {
                issue(
                    "createConnection",
                    "cannot be combined with source.connectionArn: use the existing connection or create one, not both",
                    s.createConnection,
                );
            }
        } else {
            if (s.repository === undefined) issue("repository", "is required: the name of the CodeCommit repository the pipelines build");
            else if (!CODECOMMIT_REPOSITORY.test(s.repository) || s.repository.endsWith(".git"))
                issue("repository", "must be a CodeCommit repository name: 1-100 letters, digits, '.', '_' or '-', without .git", s.repository);
            if (s.connectionArn !== undefined) issue("connectionArn", 'applies only to source.type "codestar"', s.connectionArn);
            if (s.createConnection !== undefined) issue("createConnection", 'applies only to source.type "codestar"', s.createConnection);
        }
    });

export const stateSchema = z
    .strictObject({
        backend: z
            .enum(["cloud", "s3"])
            .describe("cloud: Pulumi Cloud, with an access token from Secrets Manager; s3: a self-managed S3 backend with an awskms:// secrets provider."),
        accessTokenSecret: z
            .string()
            .optional()
            .describe("cloud: name or full ARN of the Secrets Manager secret (in the delivery region) whose plain-text value is a Pulumi access token."),
        accessTokenKmsKeyArn: z
            .string()
            .regex(KMS_KEY_ARN, { message: "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)" })
            .optional()
            .describe("cloud: the customer-managed KMS key that encrypts the token secret, if any."),
        bucket: z
            .string()
            .regex(BUCKET_NAME, { message: "must be an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'" })
            .optional()
            .describe("s3: the state bucket (pulumi login s3://<bucket>)."),
        bucketRegion: regionSchema.optional().describe("s3: the state bucket's region (default: aws:region)."),
        kmsKeyArn: z
            .string()
            .regex(KMS_KEY_ARN, { message: "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); IAM matches keys by key ARN, not by alias" })
            .optional()
            .describe("s3: the KMS key of the stacks' awskms:// secrets provider, by key ARN."),
    })
    .superRefine((s, ctx) => {
        const issue = (key: string, message: string, input?: unknown) => ctx.addIssue({ code: "custom", path: [key], message, input });
        const onlyFor = (backend: string, keys: (keyof typeof s)[]) => {
            for (const k of keys) if (s[k] !== undefined) issue(k, `applies only to state.backend "${backend}"`, s[k]);
        };
        if (s.backend === "cloud") {
            if (s.accessTokenSecret === undefined)
                issue("accessTokenSecret", "is required for the cloud backend: the name or ARN of the Secrets Manager secret holding the Pulumi access token");
            else if (s.accessTokenSecret.startsWith("arn:")) {
                if (!SECRET_ARN.test(s.accessTokenSecret))
                    issue(
                        "accessTokenSecret",
                        "must be a complete secret ARN, ending in the six-character suffix Secrets Manager appends (…:secret:<name>-AbCdEf), or the bare name",
                        s.accessTokenSecret,
                    );
            } else if (!SECRET_NAME.test(s.accessTokenSecret)) {
                issue("accessTokenSecret", "must be a secret name: 1-512 letters, digits or /_+=.@-", s.accessTokenSecret);
            } else if (/-[A-Za-z0-9]{6}$/.test(s.accessTokenSecret)) {
                // Secrets Manager warns against it: the name would read as a partial ARN's suffix.
                issue(
                    "accessTokenSecret",
                    "ends in a hyphen and six characters, which Secrets Manager mistakes for an ARN suffix; give the full ARN instead",
                    s.accessTokenSecret,
                );
            }
            onlyFor("s3", ["bucket", "bucketRegion", "kmsKeyArn"]);
        } else {
            if (s.bucket === undefined) issue("bucket", "is required for the s3 backend: the bucket holding Pulumi state");
            if (s.kmsKeyArn === undefined) issue("kmsKeyArn", "is required for the s3 backend: the key ARN of the stacks' awskms:// secrets provider");
            onlyFor("cloud", ["accessTokenSecret", "accessTokenKmsKeyArn"]);
        }
    });

export const pipelineSchema = z.strictObject({
    branch: z
        .string()
        .regex(GIT_REF, { message: "must be a git branch name" })
        .describe("The branch the pipeline builds (and, without tags, the branch whose pushes start it)."),
    // A V2 trigger's filter takes 1 to 8 patterns.
    tags: z
        .array(z.string().min(1).max(255))
        .max(8)
        .describe("Start on pushes of tags matching these patterns (e.g. v*) instead of every push to the branch; codestar only."),
    requireApproval: z
        .boolean()
        .optional()
        .describe("A manual approval between Preview and Deploy; defaults to true for a prod-profile stack, where it is required, and false otherwise."),
    approvalEmails: z
        .array(z.email({ message: "must be an email address" }))
        .describe("Addresses the approval request is sent to (each confirms its SNS subscription once)."),
});

/** The Node.js line the project supports: 20.19 or later (package.json engines). */
const supportedNode = (v: string) => {
    const [major, minor] = v.split(".").map(Number);
    return major > 20 || (major === 20 && minor >= 19);
};

export const buildSchema = z.strictObject({
    nodeVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { message: "must be a Node.js release such as 26.12.1" })
        .refine(supportedNode, { message: "must be Node.js 20.19 or later (package.json engines)" })
        .describe(
            "The exact Node.js release every build installs over the image's own (default: the current LTS line, 26; the tests pass on 20, 22, 24 and 26).",
        ),
    pulumiVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { message: "must be a Pulumi CLI release such as 3.248.0" })
        .describe("The Pulumi CLI release the Preview and Deploy builds install (default: the @pulumi/pulumi version in package.json)."),
    image: z.enum(BUILD_IMAGES).describe("The CodeBuild image: Ubuntu with the Node.js 20 runtime and apt, which the buildspecs use."),
    computeType: z.enum(COMPUTE_TYPES).describe("The CodeBuild compute size."),
    timeoutMinutes: z
        .strictObject({
            test: buildTimeout.describe("Minutes the Test build may run."),
            images: buildTimeout.describe("Minutes the Build images build may run (all of a stack's container images)."),
            preview: buildTimeout.describe("Minutes the Preview build may run."),
            deploy: buildTimeout.describe("Minutes the Deploy build may run."),
        })
        .describe("Build timeouts."),
    logRetentionDays: logRetentionDays.describe("Days build logs are kept."),
    artifactRetentionDays: z.int().min(1).max(365).describe("Days source artifacts and build caches are kept."),
});

export const usageSchema = z.strictObject({
    runsPerMonth: z.number().nonnegative().describe("Runs of each pipeline per month (the cost estimate prices action and build minutes with it)."),
    sourceMinutes: z.number().nonnegative().describe("Minutes the Source action takes per run."),
    buildMinutes: z
        .strictObject({
            test: z.number().nonnegative().describe("Minutes the Test build takes per run."),
            images: z.number().nonnegative().describe("Minutes the Build images build takes per run (stacks with container services only)."),
            preview: z.number().nonnegative().describe("Minutes the Preview build takes per run."),
            deploy: z.number().nonnegative().describe("Minutes the Deploy build takes per run."),
        })
        .describe("Minutes each build stage takes per run."),
});

export const SECTIONS = {
    tags: { schema: tagsSchema, description: "Tags on every delivery resource. `owner` is required; environment and project are set by the project." },
    source: {
        schema: sourceSchema,
        description: "Where the code comes from: type (codestar | codecommit), repository, and connectionArn or createConnection.",
    },
    state: { schema: stateSchema, description: "Where the platform stacks' Pulumi state lives: backend cloud (accessTokenSecret) or s3 (bucket, kmsKeyArn)." },
    pipelines: {
        schema: z.record(z.string(), pipelineSchema),
        description: "One pipeline per platform stack, keyed by stack name: branch, tags, requireApproval, approvalEmails.",
    },
    build: {
        schema: buildSchema,
        description: "The CodeBuild projects: nodeVersion, pulumiVersion, image, computeType, timeoutMinutes, logRetentionDays, artifactRetentionDays.",
    },
    usage: {
        schema: usageSchema,
        description:
            "Expected pipeline usage, which only the cost estimate (npm run cost) reads: runsPerMonth per pipeline, sourceMinutes, buildMinutes (test, images, preview, deploy).",
    },
} as const;
export type DeliverySectionName = keyof typeof SECTIONS;

const pulumiSdkVersion: string = packageJson.dependencies["@pulumi/pulumi"];

/** Defaults under the stack file's settings. A pipeline entry's defaults are PIPELINE_DEFAULTS. */
export const DEFAULTS = {
    tags: {},
    source: { type: "codestar" },
    state: { backend: "cloud" },
    pipelines: {},
    build: {
        // The release the project's tests run on (README "Requires").
        // The current Node.js LTS (26 became Active LTS in October 2026; 20 reached end of life in April 2026).
        nodeVersion: "26.12.1",
        // The CLI release that matches the SDK the program is built with.
        pulumiVersion: pulumiSdkVersion,
        image: "aws/codebuild/standard:7.0",
        computeType: "BUILD_GENERAL1_MEDIUM",
        timeoutMinutes: { test: 30, images: 60, preview: 30, deploy: 120 },
        logRetentionDays: 90,
        artifactRetentionDays: 30,
    },
    usage: { runsPerMonth: 60, sourceMinutes: 1, buildMinutes: { test: 12, images: 6, preview: 4, deploy: 15 } },
} satisfies Record<DeliverySectionName, unknown>;
export const PIPELINE_DEFAULTS = { branch: "main", tags: [] as string[], approvalEmails: [] as string[] };

type Source = z.infer<typeof sourceSchema>;
type State = z.infer<typeof stateSchema>;
export type BuildConfig = z.infer<typeof buildSchema>;

/** What the delivery project needs to know about a platform stack it deploys. */
export interface TargetStack {
    profile: Profile;
    /** Home region (aws:region). */
    region: string;
    /** Regions holding replicas (globalTable.replicaRegions). */
    replicaRegions: string[];
    /** Its container services (platform:containers.services), whose images the pipeline builds. */
    containerServices: { name: string; architecture: "X86_64" | "ARM64" }[];
}

/** One platform stack's pipeline, resolved against that stack's own settings. */
export interface PipelineConfig {
    stack: string;
    branch: string;
    tags: string[];
    requireApproval: boolean;
    approvalEmails: string[];
    profile: Profile;
    /** Regions the stack's Preview and Deploy may act in: its home region first, then its replica regions. */
    deployRegions: string[];
    /** The container services whose images the Build images stage builds and pushes, in the home region's ECR; none: no such stage. */
    imageServices: string[];
}

export interface DeliveryConfig {
    stack: string;
    region: string;
    tags: Record<string, string>;
    source: Source;
    state: State & { bucketRegion?: string };
    build: BuildConfig;
    pipelines: PipelineConfig[];
    usage: z.infer<typeof usageSchema>;
}

/**
 * Validates the delivery stack's raw config (full keys to strings, as the Pulumi CLI hands them
 * over) on the platform's validation path (config/validate.ts). `describeTarget` reads a
 * platform stack's settings, or throws saying why it cannot. Throws a ConfigError with every
 * problem at once.
 */
export function validateDeliveryConfig(raw: Record<string, string>, stack: string, describeTarget: (stack: string) => TargetStack): DeliveryConfig {
    const config = new ProjectConfig(raw, PROJECT, Object.keys(SECTIONS), "the region the pipelines run in");
    const parsed = config.sections(
        SECTIONS,
        (name) => DEFAULTS[name],
        (name, merged) => (name === "pipelines" ? withPipelineDefaults(merged) : merged),
    );
    const source = parsed.source;
    const pipelines = parsed.pipelines ? pipelineConfigs(config, parsed.pipelines, source?.type, describeTarget) : [];
    const { region, values } = config.complete(SECTIONS, parsed);
    const state = values.state;
    return {
        stack,
        region,
        tags: { ...values.tags, environment: stack, project: PROJECT },
        source: values.source,
        state: state.backend === "s3" ? { ...state, bucketRegion: state.bucketRegion ?? region } : state,
        build: values.build,
        pipelines,
        usage: values.usage,
    };
}

/** Each pipeline entry over PIPELINE_DEFAULTS (an entry that is no object is left to the schema to refuse). */
function withPipelineDefaults(pipelines: unknown): unknown {
    if (!isPlainObject(pipelines)) return pipelines;
    return Object.fromEntries(Object.entries(pipelines).map(([s, p]) => [s, isPlainObject(p) ? deepMerge(PIPELINE_DEFAULTS, p) : p]));
}

/** Each pipeline resolved against its platform stack's own settings, its problems recorded in `config`. */
function pipelineConfigs(
    config: ProjectConfig,
    entries: Record<string, z.infer<typeof pipelineSchema>>,
    sourceType: Source["type"] | undefined,
    describeTarget: (stack: string) => TargetStack,
): PipelineConfig[] {
    if (Object.keys(entries).length === 0)
        config.report("pipelines", entries, "must name at least one platform stack to deploy, e.g. { dev: { branch: main } }");
    const pipelines: PipelineConfig[] = [];
    for (const [target, p] of Object.entries(entries)) {
        const key = `pipelines.${target}`;
        if (!TARGET_STACK.test(target)) {
            config.report(
                key,
                target,
                "must be a platform stack name of 1-24 lowercase letters, digits or hyphens, starting with a letter (it names the pipeline's bucket and roles)",
            );
            continue;
        }
        let info: TargetStack;
        try {
            info = describeTarget(target);
        } catch (err) {
            config.report(key, undefined, err instanceof Error ? err.message : String(err));
            continue;
        }
        const requireApproval = p.requireApproval ?? info.profile === "prod";
        if (info.profile === "prod" && !requireApproval) {
            config.report(`${key}.requireApproval`, false, `must be true: stack ${target} uses the prod profile, whose deploys wait for a manual approval`);
        }
        if (!requireApproval && p.approvalEmails.length > 0) {
            config.report(`${key}.approvalEmails`, p.approvalEmails, "has no approval to announce; set requireApproval: true or remove it");
        }
        if (p.tags.length > 0 && sourceType === "codecommit") {
            config.report(`${key}.tags`, p.tags, "needs a codestar source: V2 tag triggers exist only for CodeStarSourceConnection actions");
        }
        // The image build runs on CodeBuild's x86_64 image and builds for its own platform only.
        const arm = info.containerServices.filter((c) => c.architecture === "ARM64").map((c) => c.name);
        if (arm.length > 0) {
            config.report(
                key,
                undefined,
                `stack ${target} runs ARM64 container services (${arm.join(", ")}), but the Build images stage builds X86_64 images only; set their architecture to X86_64`,
            );
        }
        pipelines.push({
            stack: target,
            branch: p.branch,
            tags: p.tags,
            requireApproval,
            approvalEmails: p.approvalEmails,
            profile: info.profile,
            deployRegions: [...new Set([info.region, ...info.replicaRegions])],
            imageServices: info.containerServices.map((c) => c.name),
        });
    }
    return pipelines;
}

/** Where each platform stack's reviewed replacement allowances live, relative to the platform project. */
export const ALLOW_REPLACE_DIR = path.join("delivery", "allow-replace");

/**
 * A platform stack as `pulumi up --stack <stack>` in the platform project would see it: its
 * settings file under Pulumi.yaml's defaults, validated by the platform's own schema.
 */
export function describePlatformStack(platformDir: string, stack: string): TargetStack {
    let config: Record<string, string>;
    try {
        config = readStackSettings(platformDir, stack).config;
    } catch {
        throw new Error(`is not a platform stack: ${path.join(platformDir, `Pulumi.${stack}.yaml`)} does not exist`);
    }
    // The Test build hands this file to npm run diff, whose guard it relaxes for reviewed replacements.
    const allowances = path.join(platformDir, ALLOW_REPLACE_DIR, `${stack}.txt`);
    if (!fs.existsSync(allowances))
        throw new Error(
            `has no ${path.join(ALLOW_REPLACE_DIR, `${stack}.txt`)}: the Test build passes it to npm run diff as --allow-replace-file (create it; comments only means no allowance)`,
        );
    try {
        const platform = validateConfig(config, stack);
        return {
            profile: platform.profile,
            region: platform.region,
            replicaRegions: platform.globalTable.replicaRegions,
            containerServices: Object.entries(platform.containers.services).map(([name, s]) => ({ name, architecture: s.architecture })),
        };
    } catch (err) {
        if (err instanceof ConfigError)
            throw new Error(`the platform stack's own config is invalid (see npm run plan -- --stack ${stack}): ${err.problems.join("; ")}`, { cause: err });
        throw err;
    }
}

/** Reads and validates the running delivery stack's config; call it before registering any resource. */
export function loadDeliveryConfig(platformDir: string): DeliveryConfig {
    return validateDeliveryConfig(pulumi.runtime.allConfig(), pulumi.getStack(), (s) => describePlatformStack(platformDir, s));
}
