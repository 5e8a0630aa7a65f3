import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import packageJson from "../../package.json";
import { cli, doc, one, PROJECT_DIR, type PlanWithPolicy } from "../helpers/plan";
import { COMMITTED, deliveryPlan, inPipeline, list, onlyOne, roleOf } from "./helpers";

const KEY_TYPE = "aws:kms/key:Key";
const stagesOf = (plan: PlanWithPolicy, stack: string) =>
    onlyOne(inPipeline(plan, stack, "aws:codepipeline/pipeline:Pipeline"), `${stack} pipeline`).inputs as any;

describe("npm run plan -- --project delivery", () => {
    it("prints the delivery project's plan, and leaves the platform the default project", () => {
        const r = cli(["plan", "--project", "delivery", "--stack", "delivery"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Offline plan for stack "delivery" \(project platform-delivery\): \d+ resources/);
        assert.match(r.stdout, /platform:delivery:DeliveryPipeline platform-delivery-prod\n/);
        assert.match(r.stdout, /\nPolicies: 0 mandatory/);
        assert.equal(cli(["plan", "--project", "nosuch", "--stack", "dev"]).status, 2);
        // The platform has no settings for a stack named delivery.
        assert.match(cli(["plan", "--stack", "delivery"]).stderr, /Pulumi\.delivery\.yaml does not exist/);
    });
});

describe("delivery pipelines (offline plan of delivery/Pulumi.delivery.yaml)", () => {
    let plan: PlanWithPolicy;
    let keyArn: string;
    before(() => {
        plan = deliveryPlan();
        keyArn = one(plan, KEY_TYPE).outputs.arn as string;
    });

    it("is its own Pulumi project, planned without policy violations", () => {
        assert.equal(plan.project, "platform-delivery");
        assert.ok(plan.resources.every((r) => r.urn.startsWith("urn:pulumi:delivery::platform-delivery::")));
        assert.deepEqual(plan.policy.violations, []);
        assert.equal(plan.resources.filter((r) => r.type === "platform:delivery:DeliveryPipeline").length, 2);
    });

    it("gives dev Source, Test, BuildImages, Preview, Deploy in that order, with no approval", () => {
        const p = stagesOf(plan, "dev");
        assert.equal(p.pipelineType, "V2");
        assert.deepEqual(
            p.stages.map((s: any) => s.name),
            ["Source", "Test", "BuildImages", "Preview", "Deploy"],
        );
        assert.ok(!p.stages.some((s: any) => s.actions.some((a: any) => a.category === "Approval")));
    });

    it("gives prod a manual approval, announced on an encrypted topic, after Preview and before Deploy", () => {
        const p = stagesOf(plan, "prod");
        assert.deepEqual(
            p.stages.map((s: any) => s.name),
            ["Source", "Test", "BuildImages", "Preview", "Approval", "Deploy"],
        );
        const approval = p.stages[4].actions[0];
        assert.equal(approval.category, "Approval");
        assert.equal(approval.provider, "Manual");
        const topic = onlyOne(inPipeline(plan, "prod", "aws:sns/topic:Topic", "-approval"), "approval topic");
        assert.equal(approval.configuration.NotificationArn, topic.outputs.arn);
        assert.equal(topic.inputs.kmsMasterKeyId, keyArn);
    });

    it("runs each build stage in its own CodeBuild project on the source artifact", () => {
        for (const stack of ["dev", "prod"]) {
            const p = stagesOf(plan, stack);
            const source = p.stages[0].actions[0];
            assert.equal(source.provider, "CodeStarSourceConnection");
            assert.deepEqual(source.outputArtifacts, ["source"]);
            for (const [stage, suffix] of [
                ["Test", "test"],
                ["BuildImages", "images"],
                ["Preview", "preview"],
                ["Deploy", "deploy"],
            ]) {
                const action = p.stages.find((s: any) => s.name === stage).actions[0];
                assert.equal(action.provider, "CodeBuild");
                assert.deepEqual(action.inputArtifacts, ["source"]);
                const project = onlyOne(inPipeline(plan, stack, "aws:codebuild/project:Project", `-${suffix}`), `${stack} ${stage} project`);
                assert.equal(action.configuration.ProjectName, project.outputs.name ?? project.id);
            }
        }
    });

    it("takes the source from the configured repository and branch through the connection", () => {
        const connection = one(plan, "aws:codestarconnections/connection:Connection");
        assert.equal(connection.inputs.providerType, "GitHub");
        for (const stack of ["dev", "prod"]) {
            const cfg = stagesOf(plan, stack).stages[0].actions[0].configuration;
            assert.equal(cfg.ConnectionArn, connection.outputs.arn);
            assert.equal(cfg.FullRepositoryId, COMMITTED["platform-delivery:source"].repository);
            assert.equal(cfg.BranchName, "main");
        }
        assert.equal(plan.outputs.sourceConnectionStatus, "PENDING");
    });

    it("starts dev on pushes to its branch and prod on version tags, through V2 triggers that name the source action", () => {
        const trigger = (stack: string) => {
            const p = stagesOf(plan, stack);
            assert.equal(p.triggers.length, 1);
            const t = p.triggers[0];
            assert.equal(t.providerType, "CodeStarSourceConnection");
            const source = p.stages[0].actions.find((a: any) => a.name === t.gitConfiguration.sourceActionName);
            assert.equal(source?.provider, "CodeStarSourceConnection", "the trigger must reference the CodeStarSourceConnection action");
            return t.gitConfiguration.pushes;
        };
        assert.deepEqual(trigger("dev"), [{ branches: { includes: ["main"] } }]);
        assert.deepEqual(trigger("prod"), [{ tags: { includes: ["v*"] } }]);
    });

    it("keeps artifacts in a versioned, private, KMS-encrypted bucket that denies plain HTTP and foreign writers", () => {
        for (const stack of ["dev", "prod"]) {
            const store = stagesOf(plan, stack).artifactStores[0];
            const bucket = onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "artifacts bucket");
            assert.equal(store.location, bucket.outputs.bucket);
            assert.deepEqual(store.encryptionKey, { id: keyArn, type: "KMS" });
            const versioning = onlyOne(inPipeline(plan, stack, "aws:s3/bucketVersioning:BucketVersioning"), "versioning");
            assert.equal((versioning.inputs as any).versioningConfiguration.status, "Enabled");
            const sse = onlyOne(inPipeline(plan, stack, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"), "sse");
            assert.deepEqual((sse.inputs as any).rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn });
            const pab = onlyOne(inPipeline(plan, stack, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"), "public access block");
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab.inputs[k], true, k);
            const policy = doc(onlyOne(inPipeline(plan, stack, "aws:s3/bucketPolicy:BucketPolicy"), "bucket policy").inputs.policy).Statement;
            const tls = policy.find((s) => s.Condition?.Bool?.["aws:SecureTransport"] === false);
            assert.equal(tls?.Effect, "Deny");
            const foreign = policy.find((s) => s.Sid === "DenyForeignWriters");
            assert.equal(foreign.Effect, "Deny");
            assert.ok(list(foreign.Action).includes("s3:PutObject"));
            assert.equal(foreign.Condition.ArnNotLike["aws:PrincipalArn"], `arn:aws:iam::123456789012:role/platform-delivery/${stack}/*`);
            // Every role of this pipeline lives under that path, so it may still write.
            for (const role of ["pipeline", "test", "preview", "deploy"])
                assert.ok(roleOf(plan, stack, role).arn.includes(`:role/platform-delivery/${stack}/`), role);
        }
    });

    it("builds without privileged mode (but the image build), with timeouts, a cache, a current image and encrypted logs kept for a while", () => {
        for (const project of plan.resources.filter((r) => r.type === "aws:codebuild/project:Project")) {
            const p = project.inputs as any;
            const images = project.name.endsWith("-images");
            assert.equal(p.environment.privilegedMode, images, project.name);
            assert.deepEqual(p.tags, images ? { "platform:purpose": "image-build" } : undefined, project.name);
            assert.equal(p.environment.image, "aws/codebuild/standard:7.0");
            assert.equal(p.environment.type, "LINUX_CONTAINER");
            assert.ok(p.buildTimeout >= 5 && p.buildTimeout <= 480, `${project.name} timeout ${p.buildTimeout}`);
            assert.equal(p.encryptionKey, keyArn);
            assert.equal(p.cache.type, "S3");
            const stack = project.name.split("-")[2];
            const bucket = onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "bucket").outputs.bucket;
            assert.match(p.cache.location, new RegExp(`^${bucket}/cache/(test|images|preview|deploy)$`));
            assert.equal(p.logsConfig.cloudwatchLogs.status, "ENABLED");
            const group = plan.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.inputs.name === p.logsConfig.cloudwatchLogs.groupName);
            assert.ok(group, `${project.name} logs to a log group of this stack`);
            assert.equal(group.inputs.retentionInDays, 90);
            assert.equal(group.inputs.kmsKeyId, keyArn);
        }
        const deploy = onlyOne(inPipeline(plan, "prod", "aws:codebuild/project:Project", "-deploy"), "deploy project");
        assert.equal(deploy.inputs.buildTimeout, 120);
    });

    it("hands each project its buildspec file verbatim", () => {
        for (const stage of ["test", "images", "preview", "deploy"]) {
            const text = fs.readFileSync(path.join(PROJECT_DIR, "pipelines", `buildspec-${stage}.yml`), "utf8");
            for (const stack of ["dev", "prod"]) {
                const p = onlyOne(inPipeline(plan, stack, "aws:codebuild/project:Project", `-${stage}`), "project");
                assert.deepEqual(p.inputs.source, { type: "CODEPIPELINE", buildspec: text });
            }
        }
    });

    it("builds each container service's image before Preview and hands the tags to Preview and Deploy", () => {
        const account = "123456789012";
        for (const stack of ["dev", "prod"]) {
            const p = stagesOf(plan, stack);
            const names = p.stages.map((s: any) => s.name);
            assert.ok(names.indexOf("Test") < names.indexOf("BuildImages") && names.indexOf("BuildImages") < names.indexOf("Preview"));
            assert.ok(!names.includes("Approval") || names.indexOf("Approval") === names.indexOf("Deploy") - 1, "prod's approval right before Deploy");
            const build = p.stages.find((s: any) => s.name === "BuildImages").actions[0];
            assert.equal(build.namespace, "BuildImages");
            for (const stage of ["Preview", "Deploy"]) {
                const cfg = p.stages.find((s: any) => s.name === stage).actions[0].configuration;
                assert.deepEqual(JSON.parse(cfg.EnvironmentVariables), [{ name: "IMAGE_TAGS", value: "#{BuildImages.IMAGE_TAGS}", type: "PLAINTEXT" }]);
            }
            assert.equal(p.stages.find((s: any) => s.name === "Test").actions[0].configuration.EnvironmentVariables, undefined);
            // The source is a ZIP without git history: the tags are content hashes, not commits.
            assert.equal(p.stages[0].actions[0].configuration.OutputArtifactFormat, "CODE_ZIP");
            const project = onlyOne(inPipeline(plan, stack, "aws:codebuild/project:Project", "-images"), "images project").inputs as any;
            const vars = Object.fromEntries((project.environment.environmentVariables as any[]).map((v) => [v.name, v.value]));
            assert.deepEqual(
                { SERVICES: vars.SERVICES, REGISTRY: vars.REGISTRY, ECR_REGION: vars.ECR_REGION, STACK: vars.STACK },
                { SERVICES: "catalog inventory", REGISTRY: `${account}.dkr.ecr.us-east-1.amazonaws.com`, ECR_REGION: "us-east-1", STACK: stack },
            );
        }
    });

    it("reads the Pulumi access token from Secrets Manager at build start, never as plain text", () => {
        const secret = COMMITTED["platform-delivery:state"].accessTokenSecret;
        for (const stack of ["dev", "prod"]) {
            const vars = (stage: string) =>
                (onlyOne(inPipeline(plan, stack, "aws:codebuild/project:Project", `-${stage}`), "project").inputs as any).environment
                    .environmentVariables as any[];
            assert.deepEqual(vars("test"), [
                { name: "STACK", value: stack, type: "PLAINTEXT" },
                { name: "NODE_VERSION", value: "26.12.1", type: "PLAINTEXT" },
                // Where the plan Deploy last recorded lives (the diff's base), no secret.
                {
                    name: "ARTIFACT_BUCKET",
                    value: onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "bucket").outputs.bucket,
                    type: "PLAINTEXT",
                },
            ]);
            for (const stage of ["preview", "deploy"]) {
                const v = vars(stage);
                assert.deepEqual(
                    v.find((x) => x.name === "PULUMI_ACCESS_TOKEN"),
                    { name: "PULUMI_ACCESS_TOKEN", value: secret, type: "SECRETS_MANAGER" },
                );
                assert.equal(v.find((x) => x.name === "PULUMI_BACKEND_URL").value, "https://api.pulumi.com");
                assert.equal(v.find((x) => x.name === "PULUMI_VERSION").value, packageJson.dependencies["@pulumi/pulumi"]);
                assert.ok(
                    v.filter((x) => x.type === "PLAINTEXT").every((x) => !/^pul-/.test(x.value)),
                    "no token in plain text",
                );
            }
        }
    });
});
