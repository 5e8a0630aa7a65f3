import { strict as assert } from "assert";
import * as path from "path";
import { PlatformFunction } from "../../components/lambda-function";
import { render } from "../helpers/component";
import { doc } from "../helpers/plan";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const entry = path.join(__dirname, "..", "fixtures", "echo-handler.ts");

describe("PlatformFunction", () => {
    it("bundles the handler, encrypts env and logs, traces, and logs to its own group with retention", async () => {
        const plan = await render(() => {
            const fn = new PlatformFunction("echo", {
                entry,
                description: "echo",
                kmsKeyArn: KEY,
                logRetentionDays: 14,
                reservedConcurrency: 5,
                environment: { A: "b" },
            });
            fn.allowInvoke("events", "events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/r");
        });
        const fn = plan.resources.find((r) => r.type === "aws:lambda/function:Function")!;
        const logs = plan.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
        assert.equal(fn.inputs.runtime, "nodejs22.x");
        assert.equal(fn.inputs.handler, "index.handler");
        assert.equal(fn.inputs.kmsKeyArn, KEY);
        assert.equal(fn.inputs.reservedConcurrentExecutions, 5);
        assert.deepEqual(fn.inputs.tracingConfig, { mode: "Active" });
        assert.deepEqual(fn.inputs.loggingConfig, { logFormat: "JSON", logGroup: logs.inputs.name });
        assert.equal(logs.inputs.retentionInDays, 14);
        assert.equal(logs.inputs.kmsKeyId, KEY);
        assert.deepEqual((fn.inputs.code as any).archive, ["index.js"]);
        const permission = plan.resources.find((r) => r.type === "aws:lambda/permission:Permission")!;
        assert.deepEqual(
            [permission.name, permission.inputs.principal, permission.inputs.sourceArn],
            ["echo-invoke-events", "events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/r"],
        );
    });

    it("its role trusts only Lambda and may write only its own log group", async () => {
        const plan = await render(() => new PlatformFunction("echo", { entry, description: "echo", kmsKeyArn: KEY, logRetentionDays: 14 }));
        const role = plan.resources.find((r) => r.type === "aws:iam/role:Role")!;
        assert.deepEqual(
            doc(role.inputs.assumeRolePolicy).Statement.map((s: any) => s.Principal),
            [{ Service: "lambda.amazonaws.com" }],
        );
        const policy = doc(plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!.inputs.policy);
        const logs = plan.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
        assert.deepEqual(policy.Statement[0].Resource, `${logs.outputs.arn}:*`);
        assert.equal(
            plan.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length,
            0,
            "no VPC access policy outside a VPC",
        );
    });

    it("in a VPC it gets the network-interface policy and its subnets", async () => {
        const plan = await render(
            () =>
                new PlatformFunction("echo", {
                    entry,
                    description: "echo",
                    kmsKeyArn: KEY,
                    logRetentionDays: 14,
                    vpc: { subnetIds: ["subnet-a"], securityGroupIds: ["sg-a"] },
                }),
        );
        const attachment = plan.resources.find((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")!;
        assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
        const fn = plan.resources.find((r) => r.type === "aws:lambda/function:Function")!;
        assert.deepEqual(fn.inputs.vpcConfig, { subnetIds: ["subnet-a"], securityGroupIds: ["sg-a"] });
    });
});
