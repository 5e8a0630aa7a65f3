import { strict as assert } from "assert";
import { BOUNDARY_PATH, boundaryPolicyName } from "../../components/permissions-boundary";
import { GUARD_PREFIX, TARGET_PROJECT } from "../../delivery/config";
import { DELIVERY_ROLE_PATH } from "../../policy/rules/iam";
import { expectViolations, policyDoc, resource, violationsOf } from "../helpers/policy";

const trust = (service: string) => policyDoc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: service } });
const role = (name: string, service: string) =>
    resource("aws:iam/role:Role", name, { assumeRolePolicy: trust(service) }, { outputs: { arn: `arn:aws:iam::123456789012:role/${name}`, name } });

describe("IAM policies", () => {
    describe("iam-no-wildcard-admin on resource policies", () => {
        it('passes a scoped bucket policy and the standard key policy; flags "*" actions in bucket, queue, topic and key policies', async () => {
            const ok = resource("aws:s3/bucketPolicy:BucketPolicy", "ok", {
                bucket: "b",
                policy: policyDoc({
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: "arn:aws:s3:::b/*",
                }),
            });
            const bucket = resource("aws:s3/bucketPolicy:BucketPolicy", "bad", {
                bucket: "b",
                policy: policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "*", Resource: "arn:aws:s3:::b/*" }),
            });
            const queue = resource("aws:sqs/queuePolicy:QueuePolicy", "q", {
                queueUrl: "u",
                policy: policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, NotAction: "sqs:DeleteQueue", Resource: "*" }),
            });
            const topic = resource("aws:sns/topic:Topic", "t", {
                policy: policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ["*"], Resource: "*" }),
            });
            const standardKey = resource("aws:kms/key:Key", "standard", {
                enableKeyRotation: true,
                policy: policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }),
            });
            const key = resource("aws:kms/key:Key", "key", {
                enableKeyRotation: true,
                policy: policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/app" }, Action: "*", Resource: "*" }),
            });
            await expectViolations("iam-no-wildcard-admin", [ok, bucket, queue, topic, standardKey, key], [bucket, queue, topic, key]);
        });
    });

    describe("iam-no-public-principal", () => {
        it("passes a public principal pinned by a condition and a service principal", async () => {
            const pinned = resource("aws:sns/topicPolicy:TopicPolicy", "pinned", {
                arn: "t",
                policy: policyDoc({
                    Effect: "Allow",
                    Principal: "*",
                    Action: "sns:Publish",
                    Resource: "t",
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                }),
            });
            const service = resource("aws:iam/role:Role", "svc", { assumeRolePolicy: trust("lambda.amazonaws.com") });
            const deny = resource("aws:s3/bucketPolicy:BucketPolicy", "deny", {
                bucket: "b",
                policy: policyDoc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            });
            await expectViolations("iam-no-public-principal", [pinned, service, deny], []);
        });
        it("flags anyone-allowed bucket, key and trust policies and a public Lambda permission", async () => {
            const bucket = resource("aws:s3/bucketPolicy:BucketPolicy", "b", {
                bucket: "b",
                policy: policyDoc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
            });
            const key = resource("aws:kms/key:Key", "k", {
                enableKeyRotation: true,
                policy: policyDoc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }),
            });
            const trustAll = resource("aws:iam/role:Role", "r", {
                assumeRolePolicy: policyDoc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sts:AssumeRole" }),
            });
            const permission = resource("aws:lambda/permission:Permission", "p", { action: "lambda:InvokeFunction", function: "f", principal: "*" });
            const v = await expectViolations("iam-no-public-principal", [bucket, key, trustAll, permission], [bucket, key, trustAll, permission]);
            assert.match(v.find((x) => x.urn === bucket.urn)!.message, /bucket policy statement 0 allows any principal/);
        });
    });

    describe("iam-passrole-scoped", () => {
        it("passes PassRole on named roles and flags PassRole on *", async () => {
            const ok = resource("aws:iam/rolePolicy:RolePolicy", "ok", {
                role: "r",
                policy: policyDoc({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/platform-*" }),
            });
            const bad = resource("aws:iam/policy:Policy", "bad", {
                policy: policyDoc({ Effect: "Allow", Action: ["iam:Get*", "iam:PassRole"], Resource: "*" }),
            });
            const viaWildcard = resource("aws:iam/rolePolicy:RolePolicy", "iam-star", {
                role: "r",
                policy: policyDoc({ Effect: "Allow", Action: "iam:*", Resource: "*" }),
            });
            await expectViolations("iam-passrole-scoped", [ok, bad, viaWildcard], [bad, viaWildcard]);
        });
    });

    describe("iam-role-permissions-boundary", () => {
        // The helper's URNs name stack "test" of project "platform".
        const boundary = (name: string) => `arn:aws:iam::123456789012:policy/platform-delivery/${name}`;
        const withBoundary = (name: string, arn?: string, extra: Record<string, unknown> = {}) =>
            resource("aws:iam/role:Role", name, {
                assumeRolePolicy: trust("lambda.amazonaws.com"),
                ...(arn === undefined ? {} : { permissionsBoundary: arn }),
                ...extra,
            });

        it("passes a role with its stack's boundary and the delivery's own roles; flags a role with none, another stack's or an AWS policy", async () => {
            const ok = withBoundary("ok", boundary("platform-test-boundary"));
            const none = withBoundary("none");
            const otherStack = withBoundary("other-stack", boundary("platform-prod-boundary"));
            const awsManaged = withBoundary("aws-managed", "arn:aws:iam::aws:policy/PowerUserAccess");
            const delivery = withBoundary("delivery", undefined, { path: "/platform-delivery/test/" });
            const v = await expectViolations("iam-role-permissions-boundary", [ok, none, otherStack, awsManaged, delivery], [none, otherStack, awsManaged]);
            assert.ok(
                v.some((x) => x.urn === none.urn && x.message.includes("platform-test-boundary")),
                v.map((x) => x.message).join("\n"),
            );
        });

        it("only says it can't run when the boundary is unknown at preview", async () => {
            const v = await violationsOf("iam-role-permissions-boundary", [withBoundary("unknown", "[unknown]")]);
            assert.ok(
                v.every((x) => x.enforcement === "advisory"),
                JSON.stringify(v),
            );
        });

        it("expects the name and path the delivery project gives the boundary", () => {
            assert.equal(DELIVERY_ROLE_PATH, `/${GUARD_PREFIX}/`);
            assert.equal(BOUNDARY_PATH, `/${GUARD_PREFIX}/`);
            assert.equal(boundaryPolicyName(TARGET_PROJECT, "test"), "platform-test-boundary");
        });
    });

    describe("iam-role-trusts-its-service", () => {
        it("passes roles that trust the service using them and flags ones that don't", async () => {
            const glueRole = role("glue-role", "glue.amazonaws.com");
            const wrong = role("wrong-role", "lambda.amazonaws.com");
            const job = resource("aws:glue/job:Job", "job", { roleArn: glueRole.outputs.arn, command: { scriptLocation: "s3://b/job.py" } });
            const badJob = resource("aws:glue/job:Job", "bad-job", { roleArn: wrong.outputs.arn, command: { scriptLocation: "s3://b/job.py" } });
            const firehose = resource("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", {
                destination: "extended_s3",
                extendedS3Configuration: { roleArn: wrong.outputs.arn, bucketArn: "arn:aws:s3:::b" },
            });
            const external = resource("aws:lambda/function:Function", "fn", { role: "arn:aws:iam::123456789012:role/elsewhere" });
            const v = await expectViolations("iam-role-trusts-its-service", [glueRole, wrong, job, badJob, firehose, external], [badJob, firehose]);
            assert.match(v.find((x) => x.urn === firehose.urn)!.message, /does not trust firehose\.amazonaws\.com/);
        });
        it("follows an instance profile to its role, and relates by dependency when the ARN is unknown", async () => {
            const ec2Role = role("ec2-role", "ec2.amazonaws.com");
            const lambdaRole = role("lambda-role", "lambda.amazonaws.com");
            const profile = resource(
                "aws:iam/instanceProfile:InstanceProfile",
                "profile",
                { role: lambdaRole.outputs.name },
                { outputs: { arn: "arn:aws:iam::123456789012:instance-profile/profile", name: "profile" } },
            );
            const lt = resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
                iamInstanceProfile: { arn: "arn:aws:iam::123456789012:instance-profile/profile" },
            });
            const proxy = resource(
                "aws:rds/proxy:Proxy",
                "proxy",
                { roleArn: "[unknown]", engineFamily: "POSTGRESQL", vpcSubnetIds: [] },
                { propertyDependencies: { roleArn: [ec2Role.urn] } },
            );
            await expectViolations("iam-role-trusts-its-service", [ec2Role, lambdaRole, profile, lt, proxy], [lt, proxy]);
        });
    });
});
