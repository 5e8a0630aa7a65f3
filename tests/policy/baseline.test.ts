import { strict as assert } from "assert";
import { resource, violationsOf } from "../helpers/policy";

const policyDoc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("baseline policies", () => {
    describe("iam-no-wildcard-admin", () => {
        it("passes a scoped statement", async () => {
            const r = resource("aws:iam/rolePolicy:RolePolicy", "ok", {
                role: "r",
                policy: policyDoc([
                    { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
                    { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b/*" },
                ]),
            });
            assert.deepEqual(await violationsOf("iam-no-wildcard-admin", [r]), []);
        });
        it("fails * on *", async () => {
            const r = resource("aws:iam/rolePolicy:RolePolicy", "bad", { role: "r", policy: policyDoc([{ Effect: "Allow", Action: ["*"], Resource: "*" }]) });
            const v = await violationsOf("iam-no-wildcard-admin", [r]);
            assert.equal(v.length, 1);
            assert.equal(v[0].enforcement, "mandatory");
            assert.equal(v[0].urn, r.urn);
        });
        it("fails NotAction on * and AdministratorAccess attachments", async () => {
            const p = resource("aws:iam/policy:Policy", "na", { policy: policyDoc([{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }]) });
            const a = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", {
                role: "r",
                policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
            });
            assert.equal((await violationsOf("iam-no-wildcard-admin", [p, a])).length, 2);
        });
        it("ignores Deny statements", async () => {
            const r = resource("aws:iam/rolePolicy:RolePolicy", "deny", { role: "r", policy: policyDoc([{ Effect: "Deny", Action: "*", Resource: "*" }]) });
            assert.deepEqual(await violationsOf("iam-no-wildcard-admin", [r]), []);
        });
    });

    describe("cloudwatch-log-group-retention", () => {
        it("passes a group with retention and flags one without", async () => {
            const ok = resource("aws:cloudwatch/logGroup:LogGroup", "ok", { retentionInDays: 14 });
            const bad = resource("aws:cloudwatch/logGroup:LogGroup", "bad", {});
            const v = await violationsOf("cloudwatch-log-group-retention", [ok, bad]);
            assert.deepEqual(
                v.map((x) => [x.enforcement, x.urn]),
                [["advisory", bad.urn]],
            );
        });
        it("in prod the missing retention is mandatory (and the advisory rule stands aside); elsewhere it stays advisory", async () => {
            const ok = resource("aws:cloudwatch/logGroup:LogGroup", "ok", { retentionInDays: 365 });
            const bad = resource("aws:cloudwatch/logGroup:LogGroup", "bad", {});
            const prod = await violationsOf("cloudwatch-log-group-retention-prod", [ok, bad], "prod");
            assert.deepEqual(
                prod.map((x) => [x.enforcement, x.urn]),
                [["mandatory", bad.urn]],
            );
            assert.deepEqual(await violationsOf("cloudwatch-log-group-retention", [ok, bad], "prod"), []);
            assert.deepEqual(await violationsOf("cloudwatch-log-group-retention-prod", [ok, bad], "dev"), []);
        });
    });

    describe("required-tags", () => {
        it("accepts tags from the provider's defaultTags", async () => {
            assert.deepEqual(await violationsOf("required-tags", [resource("aws:sqs/queue:Queue", "q", {})]), []);
        });
        it("flags a resource on an untagged provider, naming the missing tags", async () => {
            const r = resource("aws:sqs/queue:Queue", "q", { tags: { owner: "me" } }, { options: { provider: undefined } as any });
            const v = await violationsOf("required-tags", [r]);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /missing the tag\(s\) environment, project$/);
        });
        it("skips untaggable types", async () => {
            const r = resource("aws:iam/rolePolicy:RolePolicy", "p", { role: "r", policy: "{}" }, { options: { provider: undefined } as any });
            assert.deepEqual(await violationsOf("required-tags", [r]), []);
        });
    });

    describe("kms-key-rotation", () => {
        it("passes rotation on and fails rotation off", async () => {
            const ok = resource("aws:kms/key:Key", "ok", { enableKeyRotation: true });
            const bad = resource("aws:kms/key:Key", "bad", {});
            const v = await violationsOf("kms-key-rotation", [ok, bad]);
            assert.deepEqual(
                v.map((x) => x.urn),
                [bad.urn],
            );
        });
    });

    describe("vpc-default-security-group-closed", () => {
        it("passes an empty default group and fails one with rules", async () => {
            const ok = resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "ok", { vpcId: "vpc-1" });
            const bad = resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "bad", {
                vpcId: "vpc-2",
                ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }],
            });
            const v = await violationsOf("vpc-default-security-group-closed", [ok, bad]);
            assert.deepEqual(
                v.map((x) => x.urn),
                [bad.urn],
            );
        });
    });

    describe("vpc-flow-logs", () => {
        it("passes a VPC with a flow log and fails one without", async () => {
            const logged = resource("awsx:ec2:Vpc", "a", {}, { outputs: { vpcId: "vpc-a" }, custom: false, remote: true });
            const unlogged = resource("awsx:ec2:Vpc", "b", {}, { outputs: { vpcId: "vpc-b" }, custom: false, remote: true });
            const flow = resource("aws:ec2/flowLog:FlowLog", "f", { vpcId: "vpc-a" });
            const v = await violationsOf("vpc-flow-logs", [logged, unlogged, flow]);
            assert.deepEqual(
                v.map((x) => [x.enforcement, x.urn]),
                [["mandatory", unlogged.urn]],
            );
        });
    });

    it("a value unknown at preview time yields an advisory can't-run result, not a crash", async () => {
        const r = resource("aws:kms/key:Key", "k", { enableKeyRotation: "[unknown]" });
        const v = await violationsOf("kms-key-rotation", [r]);
        assert.equal(v.length, 1);
        assert.equal(v[0].enforcement, "advisory");
        assert.match(v[0].message, /can't run policy 'kms-key-rotation' during preview/);
    });
});
