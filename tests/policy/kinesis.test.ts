import { expectViolations, resource } from "../helpers/policy";

const stream = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:kinesis/stream:Stream", name, { encryptionType: "KMS", kmsKeyId: "k", streamModeDetails: { streamMode: "ON_DEMAND" }, ...inputs });

describe("Kinesis policies", () => {
    describe("kinesis-stream-encrypted", () => {
        it("passes KMS and flags no encryption", async () => {
            const bad = stream("bad", { encryptionType: "NONE", kmsKeyId: undefined });
            await expectViolations("kinesis-stream-encrypted", [stream("ok"), bad], [bad]);
        });
    });

    describe("kinesis-stream-capacity-consistent", () => {
        it("passes on-demand without shards and provisioned with shards; flags the mixes AWS rejects", async () => {
            const provisioned = stream("provisioned", { streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 4 });
            const onDemandShards = stream("on-demand-shards", { shardCount: 2 });
            const provisionedNone = stream("provisioned-none", { streamModeDetails: undefined });
            await expectViolations(
                "kinesis-stream-capacity-consistent",
                [stream("ok"), provisioned, onDemandShards, provisionedNone],
                [onDemandShards, provisionedNone],
            );
        });
    });
});
