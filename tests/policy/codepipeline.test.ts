import { strict as assert } from "assert";
import { expectViolations, policyDoc, resource } from "../helpers/policy";
import { project } from "./fixtures";

const CONNECTION_ARN = "arn:aws:codeconnections:us-east-1:123456789012:connection/abc";
const action = (name: string, category: string, provider: string, configuration: Record<string, string> = {}) => ({
    name,
    category,
    owner: "AWS",
    provider,
    version: "1",
    configuration,
});
const source = action("Source", "Source", "CodeStarSourceConnection", { ConnectionArn: CONNECTION_ARN, FullRepositoryId: "org/platform", BranchName: "main" });
const stages = (withApproval: boolean) => [
    { name: "Source", actions: [source] },
    { name: "Test", actions: [action("Test", "Build", "CodeBuild", { ProjectName: "test" })] },
    ...(withApproval ? [{ name: "Approve", actions: [action("Approve", "Approval", "Manual")] }] : []),
    { name: "Deploy", actions: [action("Deploy", "Build", "CodeBuild", { ProjectName: "deploy" })] },
];
const pipeline = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:codepipeline/pipeline:Pipeline", name, {
        roleArn: "arn:aws:iam::123456789012:role/pipeline",
        pipelineType: "V2",
        artifactStores: [{ location: "artifacts", type: "S3", encryptionKey: { id: "arn:aws:kms:us-east-1:123456789012:key/k", type: "KMS" } }],
        stages: stages(true),
        triggers: [
            { providerType: "CodeStarSourceConnection", gitConfiguration: { sourceActionName: "Source", pushes: [{ branches: { includes: ["main"] } }] } },
        ],
        ...inputs,
    });

describe("CodePipeline policies", () => {
    describe("codepipeline-artifact-store-encrypted", () => {
        it("passes a KMS artifact store and flags one without a key", async () => {
            const bad = pipeline("bad", { artifactStores: [{ location: "artifacts", type: "S3" }] });
            await expectViolations("codepipeline-artifact-store-encrypted", [pipeline("ok"), bad], [bad]);
        });
    });

    describe("codepipeline-approval-before-deploy-prod", () => {
        it("requires an approval before deploy in prod, not in dev", async () => {
            const unapproved = pipeline("unapproved", { stages: stages(false) });
            await expectViolations("codepipeline-approval-before-deploy-prod", [pipeline("ok"), unapproved], [unapproved], { environment: "prod" });
            await expectViolations("codepipeline-approval-before-deploy-prod", [unapproved], [], { environment: "dev" });
        });
        it("in a delivery stack holding several pipelines, judges each by the stack its deploy project targets", async () => {
            const deployTo = (stack: string) =>
                project("deploy", {
                    name: `deploy-${stack}`,
                    environment: {
                        computeType: "BUILD_GENERAL1_SMALL",
                        image: "i",
                        type: "LINUX_CONTAINER",
                        environmentVariables: [{ name: "STACK", value: stack }],
                    },
                });
            const toStages = (stack: string) => [
                { name: "Source", actions: [source] },
                { name: "Deploy", actions: [action("Deploy", "Build", "CodeBuild", { ProjectName: `deploy-${stack}` })] },
            ];
            const devProject = { ...deployTo("dev"), urn: "urn:pulumi:test::platform::aws:codebuild/project:Project::deploy-dev" };
            const prodProject = { ...deployTo("prod"), urn: "urn:pulumi:test::platform::aws:codebuild/project:Project::deploy-prod" };
            const toDev = pipeline("to-dev", { stages: toStages("dev") });
            const toProd = pipeline("to-prod", { stages: toStages("prod") });
            const v = await expectViolations("codepipeline-approval-before-deploy-prod", [devProject, prodProject, toDev, toProd], [toProd], {
                environment: "dev",
            });
            assert.match(v[0].message, /deploys prod \(stage Deploy\) with no manual approval/);
        });
    });

    describe("codepipeline-v2-triggers-source", () => {
        it("passes a trigger on the connection source and flags one naming a missing action", async () => {
            const bad = pipeline("bad", { triggers: [{ providerType: "CodeStarSourceConnection", gitConfiguration: { sourceActionName: "Checkout" } }] });
            await expectViolations("codepipeline-v2-triggers-source", [pipeline("ok"), bad], [bad]);
        });
    });

    describe("codepipeline-role-uses-connection", () => {
        const role = (name: string, actions: string[]) => [
            resource(
                "aws:iam/role:Role",
                name,
                { assumeRolePolicy: policyDoc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "codepipeline.amazonaws.com" } }) },
                { outputs: { arn: `arn:aws:iam::123456789012:role/${name}`, name } },
            ),
            resource("aws:iam/rolePolicy:RolePolicy", `${name}-policy`, {
                role: name,
                policy: policyDoc({ Effect: "Allow", Action: actions, Resource: CONNECTION_ARN }),
            }),
        ];
        it("passes a role allowed to use the connection and flags one that isn't", async () => {
            const ok = pipeline("ok", { roleArn: "arn:aws:iam::123456789012:role/good" });
            const bad = pipeline("bad", { roleArn: "arn:aws:iam::123456789012:role/bad" });
            const v = await expectViolations(
                "codepipeline-role-uses-connection",
                [...role("good", ["codestar-connections:UseConnection"]), ...role("bad", ["codestar-connections:GetConnection"]), ok, bad],
                [bad],
            );
            assert.match(v[0].message, /may not use connection/);
        });
    });
});
