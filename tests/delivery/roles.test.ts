import { strict as assert } from "assert";
import { globMatch } from "../../policy/lib";
import { isAdminStatement } from "../../policy/rules/iam";
import { doc, one, type PlanWithPolicy } from "../helpers/plan";
import { allows, COMMITTED, deliveryPlan, inPipeline, list, onlyOne, roleOf } from "./helpers";

const ACCOUNT = "123456789012";
const ROLES = ["pipeline", "test", "images", "preview", "deploy"] as const;
const SERVICE = {
    pipeline: "codepipeline.amazonaws.com",
    test: "codebuild.amazonaws.com",
    images: "codebuild.amazonaws.com",
    preview: "codebuild.amazonaws.com",
    deploy: "codebuild.amazonaws.com",
};

/** True when an action pattern (with IAM wildcards) covers a concrete action. */
const covers = (pattern: string, action: string) => globMatch(pattern, action, true);

describe("delivery roles", () => {
    let plan: PlanWithPolicy;
    let connectionArn: string;
    let keyArn: string;
    before(() => {
        plan = deliveryPlan();
        connectionArn = one(plan, "aws:codestarconnections/connection:Connection").outputs.arn as string;
        keyArn = one(plan, "aws:kms/key:Key").outputs.arn as string;
    });

    it("are each trusted by exactly their service, for this account only", () => {
        for (const stack of ["dev", "prod"]) {
            for (const role of ROLES) {
                const { trust } = roleOf(plan, stack, role);
                assert.equal(trust.length, 1, `${stack} ${role}`);
                assert.deepEqual(trust[0].Principal, { Service: SERVICE[role] });
                assert.equal(trust[0].Action, "sts:AssumeRole");
                assert.deepEqual(trust[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT } });
            }
        }
    });

    it("never allow every action, nor any action on every resource without a narrowing condition outside the deploy role", () => {
        for (const stack of ["dev", "prod"]) {
            for (const role of ROLES) {
                const { statements } = roleOf(plan, stack, role);
                assert.ok(!statements.some(isAdminStatement), `${stack} ${role} has an admin statement`);
                for (const a of allows(statements)) {
                    assert.notEqual(a.action, "*", `${stack} ${role}`);
                    if (role !== "deploy" && a.resources.includes("*")) {
                        assert.ok(
                            a.condition?.StringEquals?.["aws:RequestedRegion"] || /:(Describe|List|Get)[\w*]*$/.test(a.action),
                            `${stack} ${role}: ${a.action} on * is neither read-only nor region-bound`,
                        );
                    }
                }
            }
        }
    });

    it("let the pipeline use exactly the source connection, in both of its ARN forms, and run exactly its own builds", () => {
        const forms = [
            connectionArn.replace(":codeconnections:", ":codestar-connections:"),
            connectionArn.replace(":codestar-connections:", ":codeconnections:"),
        ];
        for (const stack of ["dev", "prod"]) {
            const granted = allows(roleOf(plan, stack, "pipeline").statements);
            for (const action of ["codestar-connections:UseConnection", "codeconnections:UseConnection"]) {
                const grants = granted.filter((g) => g.action === action);
                assert.equal(grants.length, 1, action);
                assert.deepEqual([...grants[0].resources].sort(), [...forms].sort());
            }
            const projects = inPipeline(plan, stack, "aws:codebuild/project:Project")
                .map((p) => p.outputs.arn)
                .sort();
            assert.deepEqual(
                granted
                    .filter((g) => g.action === "codebuild:StartBuild")
                    .flatMap((g) => g.resources)
                    .sort(),
                projects,
            );
            // No other role of the pipeline may use the connection.
            for (const role of ["test", "images", "preview", "deploy"]) {
                assert.ok(!allows(roleOf(plan, stack, role).statements).some((g) => /UseConnection/.test(g.action)), role);
            }
        }
    });

    it("give the pipeline the artifact-store permissions AWS lists as a CodePipeline service role's minimum, on its own bucket only", () => {
        for (const stack of ["dev", "prod"]) {
            const granted = allows(roleOf(plan, stack, "pipeline").statements);
            const bucket = onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "artifacts bucket").outputs.arn as string;
            for (const action of ["s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"]) {
                assert.deepEqual(
                    granted.filter((g) => g.action === action).flatMap((g) => g.resources),
                    [bucket],
                    `${stack} ${action}`,
                );
            }
            for (const action of ["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject", "s3:GetObjectVersion"]) {
                assert.deepEqual(
                    granted.filter((g) => g.action === action).flatMap((g) => g.resources),
                    [`${bucket}/*`],
                    `${stack} ${action}`,
                );
            }
        }
    });

    it("let only Preview and Deploy read the access token, and only that secret", () => {
        const secret = COMMITTED["platform-delivery:state"].accessTokenSecret;
        for (const stack of ["dev", "prod"]) {
            for (const role of ROLES) {
                const reads = allows(roleOf(plan, stack, role).statements).filter((g) => covers(g.action, "secretsmanager:GetSecretValue"));
                if (role === "preview" || role === "deploy") {
                    const token = reads.filter((g) => !g.resources.includes("*"));
                    assert.equal(token.length, 1, `${stack} ${role}`);
                    assert.deepEqual(token[0].resources, [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${secret}-??????`]);
                    // Beyond the token, Deploy reads only the secrets its own stack created (and tagged).
                    for (const g of reads.filter((x) => x.resources.includes("*"))) {
                        assert.equal(role, "deploy");
                        assert.equal(g.action, "secretsmanager:GetSecretValue");
                        assert.equal(g.condition.StringEquals["aws:ResourceTag/environment"], stack);
                    }
                } else {
                    assert.deepEqual(reads, [], `${stack} ${role} must not read secrets`);
                }
            }
        }
    });

    it("let the image build log in to ECR and push only to the stack's own service repositories, and do nothing else in AWS", () => {
        const push = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
        for (const stack of ["dev", "prod"]) {
            const granted = allows(roleOf(plan, stack, "images").statements);
            const repos = ["catalog", "inventory"].map((s) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/platform/${stack}/${s}`);
            const ecr = granted.filter((g) => g.action.startsWith("ecr:"));
            assert.deepEqual(
                ecr.filter((g) => g.resources.includes("*")).map((g) => g.action),
                ["ecr:GetAuthorizationToken"],
            );
            for (const action of [...push, "ecr:DescribeImages", "ecr:BatchCheckLayerAvailability"]) {
                assert.deepEqual(
                    ecr
                        .filter((g) => g.action === action)
                        .flatMap((g) => g.resources)
                        .sort(),
                    repos,
                    `${stack} ${action}`,
                );
            }
            assert.ok(!ecr.some((g) => /\*/.test(g.action)), "no ECR wildcard action");
            // Beyond ECR: its logs, its artifacts and cache, the delivery key; no state, no secrets, no IAM.
            const others = [...new Set(granted.filter((g) => !g.action.startsWith("ecr:")).map((g) => g.action.split(":")[0]))].sort();
            assert.deepEqual(others, ["kms", "logs", "s3"]);
            assert.ok(!granted.some((g) => g.action === "secretsmanager:GetSecretValue" || g.action.startsWith("iam:")));
        }
    });

    it("give Test nothing beyond its logs, its artifacts, its cache and the delivery key", () => {
        for (const stack of ["dev", "prod"]) {
            const granted = allows(roleOf(plan, stack, "test").statements);
            const bucket = onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "bucket").outputs.arn as string;
            const logGroup = onlyOne(inPipeline(plan, stack, "aws:cloudwatch/logGroup:LogGroup", "-test-logs"), "log group").outputs.arn as string;
            for (const g of granted) {
                const ok = g.resources.every((r) => r === keyArn || r.startsWith(bucket) || r.startsWith(logGroup));
                assert.ok(ok, `test role: ${g.action} on ${g.resources.join(", ")}`);
            }
            assert.ok(
                granted.some((g) => g.action === "s3:PutObject" && g.resources.every((r) => r === `${bucket}/cache/test*`)),
                "writes only its cache prefix",
            );
        }
    });

    it("let each stack's Deploy write only its own deployed-plan record, and Test find and read it", () => {
        // IAM's evaluation, conservatively: an allow counts whatever its condition (to find any way to
        // write), a deny always applies (to prove a write is allowed), NotResource as written.
        const matches = (s: any, resource: string) =>
            s.Resource !== undefined ? list(s.Resource).some((r) => covers(r, resource)) : !list(s.NotResource).some((r) => covers(r, resource));
        const applies = (s: any, action: string, resource: string) => list(s.Action).some((a) => covers(a, action)) && matches(s, resource);
        const allowed = (statements: any[], action: string, resource: string, unconditional = false) =>
            statements.some((s) => (s.Effect ?? "Allow") === "Allow" && (!unconditional || !s.Condition) && applies(s, action, resource)) &&
            !statements.some((s) => s.Effect === "Deny" && applies(s, action, resource));
        const bucketOf = (stack: string) => onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "bucket").outputs.arn as string;
        for (const [stack, other] of [
            ["dev", "prod"],
            ["prod", "dev"],
        ]) {
            const own = bucketOf(stack);
            const record = `${own}/deployed/${stack}/plan.json`;
            const deploy = roleOf(plan, stack, "deploy").statements;
            assert.ok(allowed(deploy, "s3:PutObject", record, true), `${stack} Deploy writes its record`);
            for (const key of [
                `${own}/deployed/${other}/plan.json`,
                `${own}/deployed/${stack}/plan.json.bak`,
                `${own}/deployed/${stack}/other.json`,
                `${own}/platform-delivery-/source/abc.zip`,
                `${bucketOf(other)}/deployed/${other}/plan.json`,
                `${bucketOf(other)}/deployed/${stack}/plan.json`,
            ]) {
                for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"])
                    assert.ok(!allowed(deploy, action, key), `${stack} Deploy may ${action} ${key}`);
            }
            assert.ok(!allowed(deploy, "s3:DeleteObject", record), "Deploy overwrites its record, never deletes it");
            assert.deepEqual(
                allows(deploy).filter((g) => g.action === "s3:ListBucket" && g.resources.includes(own)),
                [],
                "Deploy needs no list of the artifacts",
            );
            // Any other pipeline's role is refused by the bucket policy, whatever its IAM says.
            const policy = onlyOne(inPipeline(plan, stack, "aws:s3/bucketPolicy:BucketPolicy", "-artifacts-policy"), "bucket policy");
            const foreign = doc(policy.inputs.policy).Statement.find((s: any) => s.Sid === "DenyForeignWriters");
            assert.equal(foreign.Condition.ArnNotLike["aws:PrincipalArn"], `arn:aws:iam::${ACCOUNT}:role/platform-delivery/${stack}/*`);

            const test = roleOf(plan, stack, "test").statements;
            assert.ok(allowed(test, "s3:GetObject", record, true), `${stack} Test reads the record`);
            assert.ok(!allowed(test, "s3:PutObject", record), "Test may not write the record");
            assert.ok(!allowed(test, "s3:GetObject", `${bucketOf(other)}/deployed/${other}/plan.json`), "nor read another stack's");
            // The list that turns a missing record into a 404: exactly that key, in its own bucket.
            const lists = allows(test).filter((g) => covers(g.action, "s3:ListBucket"));
            assert.deepEqual(
                lists.map((g) => [g.resources, g.condition]),
                [[[own], { StringEquals: { "s3:prefix": `deployed/${stack}/plan.json` } }]],
            );
            for (const role of ["test", "deploy"]) {
                const vars = (onlyOne(inPipeline(plan, stack, "aws:codebuild/project:Project", `-${role}`), "project").inputs as any).environment
                    .environmentVariables as { name: string; value: string }[];
                assert.equal(
                    vars.find((v) => v.name === "ARTIFACT_BUCKET")?.value,
                    onlyOne(inPipeline(plan, stack, "aws:s3/bucket:Bucket", "-artifacts"), "bucket").outputs.bucket,
                    `${stack} ${role} knows its bucket`,
                );
            }
            // Both use the delivery key the bucket encrypts with (SSE-KMS): Deploy to write, Test to read.
            for (const role of [deploy, test]) {
                assert.ok(allowed(role, "kms:GenerateDataKey", keyArn) && allowed(role, "kms:Decrypt", keyArn));
            }
        }
    });

    it("give Preview only read access to AWS, bound to the stack's regions", () => {
        const writes =
            /:(Create|Put|Delete|Update|Attach|Detach|Tag|Untag|Modify|Start|Stop|Run|Invoke|Publish|Send|Pass|Add|Remove|Set|Enable|Disable|Encrypt|Terminate|Reboot)|:\*$/;
        for (const [stack, regions] of [
            ["dev", ["us-east-1"]],
            ["prod", ["us-east-1", "us-west-2"]],
        ] as const) {
            const granted = allows(roleOf(plan, stack, "preview").statements);
            for (const g of granted) {
                const ownResources = g.resources.every(
                    (r) => r.includes("platform-delivery") || r === keyArn || r.startsWith("arn:aws:secretsmanager:") || r.startsWith("arn:aws:logs:"),
                );
                if (!ownResources)
                    assert.ok(!writes.test(g.action) || g.action === "kms:GenerateDataKey*", `preview may ${g.action} on ${g.resources.join(", ")}`);
                assert.ok(
                    !["s3:GetObject", "dynamodb:GetItem", "logs:GetLogEvents", "ec2:GetPasswordData"].some((a) => covers(g.action, a)) || ownResources,
                    `preview reads data: ${g.action}`,
                );
            }
            const regional = roleOf(plan, stack, "preview").statements.find((s) => s.Sid === "ReadPlatformServices");
            assert.deepEqual(regional.Condition.StringEquals["aws:RequestedRegion"], regions);
        }
    });

    it("give Deploy service-level rights in the stack's regions, fenced off from IAM escalation and from the delivery machinery", () => {
        for (const [stack, regions] of [
            ["dev", ["us-east-1"]],
            ["prod", ["us-east-1", "us-west-2"]],
        ] as const) {
            const { statements } = roleOf(plan, stack, "deploy");
            const regional = statements.find((s) => s.Sid === "ManagePlatformServices");
            assert.deepEqual(regional.Condition.StringEquals["aws:RequestedRegion"], regions);
            assert.ok(list(regional.Action).includes("ec2:*") && list(regional.Action).includes("rds:*"));
            for (const g of allows(statements)) {
                assert.ok(
                    !/^(iam|codepipeline|codebuild|codestar-connections|codeconnections|sts|organizations|account):\*$/.test(g.action),
                    `deploy allows ${g.action}`,
                );
            }
            const iamWrites = allows(statements).filter((g) => g.action.startsWith("iam:") && !/^iam:(Get|List)/.test(g.action));
            for (const g of iamWrites)
                assert.ok(
                    g.resources.every((r) => r.startsWith(`arn:aws:iam::${ACCOUNT}:`)),
                    `${g.action} on ${g.resources}`,
                );
            const passRole = statements.find((s) => s.Action === "iam:PassRole");
            assert.ok(passRole.Condition.StringEquals["iam:PassedToService"].length > 0, "PassRole only to listed services");

            const denies = statements.filter((s) => s.Effect === "Deny");
            const denied = (action: string, resource: string) =>
                denies.some(
                    (s) =>
                        list(s.Action).some((a) => covers(a, action)) &&
                        list(s.Resource).some((r) => covers(r, resource)) &&
                        (!s.Condition || action !== "iam:AttachRolePolicy"),
                );
            const otherRole = roleOf(plan, stack === "dev" ? "prod" : "dev", "deploy").arn;
            assert.ok(denied("iam:PutRolePolicy", roleOf(plan, stack, "deploy").arn), "may not change its own role");
            assert.ok(denied("iam:PutRolePolicy", otherRole), "may not change another pipeline's role");
            assert.ok(denied("codepipeline:UpdatePipeline", "anything"));
            assert.ok(denied("codebuild:UpdateProject", "anything"));
            const otherBucket = onlyOne(inPipeline(plan, stack === "dev" ? "prod" : "dev", "aws:s3/bucket:Bucket", "-artifacts"), "bucket").outputs
                .arn as string;
            assert.ok(denied("s3:PutBucketPolicy", otherBucket));
            assert.ok(denied("kms:ScheduleKeyDeletion", keyArn));
            const prodTopic = onlyOne(inPipeline(plan, "prod", "aws:sns/topic:Topic", "-approval"), "topic").outputs.arn as string;
            assert.ok(denied("sns:Unsubscribe", prodTopic), "may not silence prod's approvers");
            assert.ok(denied("secretsmanager:PutSecretValue", `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:platform/pulumi-access-token-AbCdEf`));
            // S3 rights stop short of the delivery buckets (and the state bucket, when there is one).
            const buckets = statements.find((s) => s.Sid === "ManagePlatformBuckets");
            assert.equal(buckets.Resource, undefined);
            assert.ok(list(buckets.NotResource).includes("arn:aws:s3:::platform-delivery-*/*"));
            const admin = denies.find((s) => s.Sid === "DenyAdministratorPolicies");
            assert.ok(list(admin.Condition.ArnEquals["iam:PolicyARN"]).includes("arn:aws:iam::aws:policy/AdministratorAccess"));
        }
    });

    it("fit IAM's 10,240-character limit on a role's inline policies", () => {
        for (const r of plan.resources.filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy")) {
            // IAM counts the policy without whitespace.
            const size = JSON.stringify(JSON.parse(String(r.inputs.policy))).length;
            assert.ok(size <= 10240, `${r.name}: ${size} characters`);
        }
    });
});

describe("delivery with a self-managed S3 backend", () => {
    const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let plan: PlanWithPolicy;
    before(() => {
        plan = deliveryPlan({ "platform-delivery:state": { backend: "s3", bucket: "acme-pulumi-state", kmsKeyArn: KEY } });
    });

    it("logs in to the bucket and passes no token", () => {
        const vars = (onlyOne(inPipeline(plan, "prod", "aws:codebuild/project:Project", "-deploy"), "deploy").inputs as any).environment
            .environmentVariables as any[];
        assert.equal(vars.find((v) => v.name === "PULUMI_BACKEND_URL").value, "s3://acme-pulumi-state?region=us-east-1");
        assert.equal(
            vars.find((v) => v.name === "PULUMI_ACCESS_TOKEN"),
            undefined,
        );
        for (const stack of ["dev", "prod"]) {
            // Only Deploy's read of its own stack's tagged secrets remains; no token anywhere.
            for (const role of ROLES) {
                const reads = allows(roleOf(plan, stack, role).statements).filter((g) => g.action.startsWith("secretsmanager:GetSecret"));
                assert.ok(
                    reads.every((g) => role === "deploy" && g.resources.join() === "*" && g.condition.StringEquals["aws:ResourceTag/environment"] === stack),
                    role,
                );
            }
        }
    });

    it("lets each stack's Deploy write only its own state objects, and Preview only read them and lock", () => {
        for (const stack of ["dev", "prod"]) {
            const writes = allows(roleOf(plan, stack, "deploy").statements).filter(
                (g) => g.action === "s3:PutObject" && g.resources.some((r) => r.includes("acme-pulumi-state")),
            );
            const resources = writes.flatMap((g) => g.resources);
            assert.ok(resources.includes(`arn:aws:s3:::acme-pulumi-state/.pulumi/stacks/platform/${stack}.json*`));
            assert.ok(resources.includes(`arn:aws:s3:::acme-pulumi-state/.pulumi/locks/organization/platform/${stack}/*`));
            assert.ok(
                resources.every((r) => r.includes(`/platform/${stack}`)),
                resources.join(", "),
            );
            const other = stack === "dev" ? "prod" : "dev";
            assert.ok(!resources.some((r) => r.includes(`/platform/${other}`)));

            const preview = allows(roleOf(plan, stack, "preview").statements).filter((g) => g.resources.some((r) => r.includes("acme-pulumi-state/")));
            for (const g of preview.filter((x) => x.action !== "s3:GetObject")) {
                assert.deepEqual(g.resources, [`arn:aws:s3:::acme-pulumi-state/.pulumi/locks/organization/platform/${stack}/*`], g.action);
            }
            for (const role of ["preview", "deploy"]) {
                const kms = allows(roleOf(plan, stack, role).statements).filter((g) => g.action === "kms:Decrypt" && g.resources.includes(KEY));
                assert.equal(kms.length, 1, `${role} decrypts with the state key`);
            }
            const buckets = roleOf(plan, stack, "deploy").statements.find((s) => s.Sid === "ManagePlatformBuckets");
            assert.ok(list(buckets.NotResource).includes("arn:aws:s3:::acme-pulumi-state/*"), "other stacks' state is outside the S3 rights");
            const deny = roleOf(plan, stack, "deploy").statements.find((s) => s.Sid === "DenyDeliveryBucketChanges");
            assert.ok(list(deny.Resource).includes("arn:aws:s3:::acme-pulumi-state"), "the state bucket's configuration is off limits");
        }
    });
});

describe("delivery from CodeCommit", () => {
    let plan: PlanWithPolicy;
    before(() => {
        plan = deliveryPlan({
            "platform-delivery:source": { type: "codecommit", repository: "platform" },
            "platform-delivery:pipelines": { dev: { branch: "main" }, prod: { branch: "release" } },
        });
    });
    const repoArn = `arn:aws:codecommit:us-east-1:${ACCOUNT}:platform`;

    it("sources from the repository, started by EventBridge on pushes to the branch", () => {
        const pipeline = onlyOne(inPipeline(plan, "prod", "aws:codepipeline/pipeline:Pipeline"), "pipeline");
        const source = (pipeline.inputs as any).stages[0].actions[0];
        assert.equal(source.provider, "CodeCommit");
        assert.deepEqual(source.configuration, {
            RepositoryName: "platform",
            BranchName: "release",
            PollForSourceChanges: "false",
            OutputArtifactFormat: "CODE_ZIP",
        });
        assert.equal((pipeline.inputs as any).triggers, undefined);
        const rule = onlyOne(inPipeline(plan, "prod", "aws:cloudwatch/eventRule:EventRule", "-push"), "rule");
        const pattern = JSON.parse(String(rule.inputs.eventPattern));
        assert.deepEqual(pattern.resources, [repoArn]);
        assert.deepEqual(pattern.detail.referenceName, ["release"]);
        const target = onlyOne(inPipeline(plan, "prod", "aws:cloudwatch/eventTarget:EventTarget"), "target");
        assert.equal(target.inputs.arn, pipeline.outputs.arn);
        const events = roleOf(plan, "prod", "events");
        assert.deepEqual(events.trust[0].Principal, { Service: "events.amazonaws.com" });
        assert.equal(target.inputs.roleArn, events.arn);
        assert.deepEqual(allows(events.statements), [
            { action: "codepipeline:StartPipelineExecution", resources: [pipeline.outputs.arn], condition: undefined },
        ]);
        assert.equal(one(plan, "aws:kms/key:Key").type, "aws:kms/key:Key");
        assert.equal(plan.resources.filter((r) => r.type === "aws:codestarconnections/connection:Connection").length, 0);
    });

    it("lets the pipeline read exactly that repository", () => {
        const grants = allows(roleOf(plan, "dev", "pipeline").statements).filter((g) => g.action.startsWith("codecommit:"));
        assert.ok(grants.some((g) => g.action === "codecommit:UploadArchive"));
        for (const g of grants) assert.deepEqual(g.resources, [repoArn]);
        assert.ok(!allows(roleOf(plan, "dev", "pipeline").statements).some((g) => /UseConnection/.test(g.action)));
    });
});
