import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const table = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:dynamodb/table:Table",
        name,
        { billingMode: "PAY_PER_REQUEST", hashKey: "pk", serverSideEncryption: { enabled: true, kmsKeyArn: "k" }, ...inputs },
        { id: name, outputs: { arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`, name } },
    );
const prodTable = (name: string, inputs: Record<string, unknown> = {}) =>
    table(name, {
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        replicas: [{ regionName: "us-west-2", pointInTimeRecovery: true, deletionProtectionEnabled: true }],
        ...inputs,
    });

describe("DynamoDB policies", () => {
    describe("dynamodb-encrypted-kms", () => {
        it("passes KMS encryption and flags the AWS-owned default", async () => {
            const bad = table("bad", { serverSideEncryption: undefined });
            await expectViolations("dynamodb-encrypted-kms", [table("ok"), bad], [bad]);
        });
    });

    describe("dynamodb-pitr-prod", () => {
        it("flags a table or replica without PITR in prod only", async () => {
            const noReplicaPitr = prodTable("replica-off", {
                replicas: [{ regionName: "us-west-2", pointInTimeRecovery: false, deletionProtectionEnabled: true }],
            });
            const replica = resource("aws:dynamodb/tableReplica:TableReplica", "replica", { globalTableArn: "arn:t", pointInTimeRecovery: false });
            const v = await expectViolations("dynamodb-pitr-prod", [prodTable("ok"), noReplicaPitr, replica], [noReplicaPitr, replica], {
                environment: "prod",
            });
            assert.match(v.find((x) => x.urn === noReplicaPitr.urn)!.message, /replica in us-west-2/);
            await expectViolations("dynamodb-pitr-prod", [table("dev"), replica], [], { environment: "dev" });
        });
    });

    describe("dynamodb-deletion-protection-prod", () => {
        it("flags an unprotected table in prod only", async () => {
            const bad = prodTable("bad", { deletionProtectionEnabled: false });
            await expectViolations("dynamodb-deletion-protection-prod", [prodTable("ok"), bad], [bad], { environment: "prod" });
            await expectViolations("dynamodb-deletion-protection-prod", [bad], [], { environment: "dev" });
        });
    });

    describe("dynamodb-global-table-consistent", () => {
        it("passes a streamed global table and flags replicas without NEW_AND_OLD_IMAGES or declared both ways", async () => {
            const ok = prodTable("ok");
            const keysOnly = prodTable("keys-only", { streamViewType: "KEYS_ONLY" });
            const both = prodTable("both");
            const extra = resource("aws:dynamodb/tableReplica:TableReplica", "extra", { globalTableArn: both.outputs.arn, pointInTimeRecovery: true });
            const plain = table("plain");
            await expectViolations("dynamodb-global-table-consistent", [ok, keysOnly, both, extra, plain], [keysOnly, both]);
        });
    });
});
