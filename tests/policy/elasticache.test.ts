import { strict as assert } from "assert";
import { CACHE_ENGINE_FAMILIES } from "../../components/cache-engines";
import { cacheFamilyOf } from "../../policy/rules/elasticache";
import { expectViolations, resource } from "../helpers/policy";

const group = (name: string, inputs: Record<string, unknown> = {}, extra: Parameters<typeof resource>[3] = {}) =>
    resource("aws:elasticache/replicationGroup:ReplicationGroup", name, { description: name, engine: "valkey", atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "[secret]", numCacheClusters: 1, ...inputs }, extra);
const prodGroup = (name: string, inputs: Record<string, unknown> = {}) => group(name, { numCacheClusters: 3, multiAzEnabled: true, automaticFailoverEnabled: true, snapshotRetentionLimit: 7, ...inputs });

const table = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:dynamodb/table:Table", name, { billingMode: "PAY_PER_REQUEST", hashKey: "pk", serverSideEncryption: { enabled: true, kmsKeyArn: "k" }, ...inputs }, { id: name, outputs: { arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`, name } });
const prodTable = (name: string, inputs: Record<string, unknown> = {}) =>
    table(name, { pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true, streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", replicas: [{ regionName: "us-west-2", pointInTimeRecovery: true, deletionProtectionEnabled: true }], ...inputs });

describe("ElastiCache, DynamoDB and generated-secret policies", () => {
    describe("elasticache-encrypted", () => {
        it("passes at-rest and in-transit encryption and flags either missing", async () => {
            const noRest = group("no-rest", { atRestEncryptionEnabled: false });
            const noTransit = group("no-transit", { transitEncryptionEnabled: false });
            const v = await expectViolations("elasticache-encrypted", [group("ok"), noRest, noTransit], [noRest, noTransit]);
            assert.match(v.find((x) => x.urn === noTransit.urn)!.message, /AWS rejects an auth token without it/);
        });
    });

    describe("elasticache-auth", () => {
        it("passes an auth token or RBAC and flags neither, and a no-password user", async () => {
            const rbac = group("rbac", { authToken: undefined, userGroupIds: ["ug"] });
            const open = group("open", { authToken: undefined });
            const user = resource("aws:elasticache/user:User", "nopass", { userId: "u", userName: "u", engine: "valkey", accessString: "on ~* +@all", authenticationMode: { type: "no-password-required" } });
            await expectViolations("elasticache-auth", [group("ok"), rbac, open, user], [open, user]);
        });
    });

    describe("elasticache-failover-consistent", () => {
        it("passes a consistent group and flags Multi-AZ without failover and failover without a replica", async () => {
            const noFailover = group("no-failover", { numCacheClusters: 2, multiAzEnabled: true });
            const lonely = group("lonely", { automaticFailoverEnabled: true, numCacheClusters: 1 });
            await expectViolations("elasticache-failover-consistent", [prodGroup("ok"), group("dev"), noFailover, lonely], [noFailover, lonely]);
        });
    });

    describe("elasticache-multi-az-prod", () => {
        it("flags a single-AZ group in prod only", async () => {
            const single = group("single");
            await expectViolations("elasticache-multi-az-prod", [prodGroup("ok"), single], [single], { environment: "prod" });
            await expectViolations("elasticache-multi-az-prod", [single], [], { environment: "dev" });
        });
    });

    describe("elasticache-snapshots-prod", () => {
        it("flags a group without snapshots in prod only", async () => {
            const none = prodGroup("none", { snapshotRetentionLimit: 0 });
            await expectViolations("elasticache-snapshots-prod", [prodGroup("ok"), none], [none], { environment: "prod" });
            await expectViolations("elasticache-snapshots-prod", [none], [], { environment: "dev" });
        });
    });

    describe("elasticache-parameter-group-family", () => {
        it("passes a default or own group of the version's family and flags none, a mismatched default and a mismatched own group", async () => {
            const own = (name: string, family: string) => resource("aws:elasticache/parameterGroup:ParameterGroup", name, { family }, { outputs: { name: `${name}-1a2b` } });
            const valkey9 = own("valkey9-params", "valkey9");
            const stale = own("stale-params", "valkey8");
            const ok = [
                group("default8", { engineVersion: "8.1", parameterGroupName: "default.valkey8" }),
                group("redis", { engine: "redis", engineVersion: "7.1", parameterGroupName: "default.redis7" }),
                group("own", { engineVersion: "9.0", parameterGroupName: "valkey9-params-1a2b" }),
            ];
            const none = group("none", { engineVersion: "8.0" });
            const upgradedAlone = group("upgraded-alone", { engineVersion: "9.0", parameterGroupName: "default.valkey8" });
            const crossEngine = group("cross-engine", { engine: "valkey", engineVersion: "8.0", parameterGroupName: "default.redis7" });
            const ownStale = group("own-stale", { engineVersion: "9.0", parameterGroupName: "stale-params-1a2b" });
            const v = await expectViolations("elasticache-parameter-group-family", [valkey9, stale, ...ok, none, upgradedAlone, crossEngine, ownStale], [none, upgradedAlone, crossEngine, ownStale]);
            assert.match(v.find((x) => x.urn === upgradedAlone.urn)!.message, /runs valkey 9\.0 \(family valkey9\) with parameter group default\.valkey8 of family valkey8/);
            assert.match(v.find((x) => x.urn === none.urn)!.message, /names no parameter group; name one of the valkey8 family/);
        });

        it("maps engine versions to ElastiCache's family names", () => {
            const cases: [string, string, string][] = [["valkey", "7.2", "valkey7"], ["valkey", "8.2", "valkey8"], ["valkey", "9.0", "valkey9"], ["redis", "7.1", "redis7"], ["redis", "6.2", "redis6.x"], ["redis", "5.0.6", "redis5.0"]];
            for (const [engine, version, family] of cases) assert.equal(cacheFamilyOf(engine, version), family, `${engine} ${version}`);
        });

        it("agrees with the family of every version the platform's config accepts", () => {
            for (const [engine, versions] of Object.entries(CACHE_ENGINE_FAMILIES)) {
                for (const [version, family] of Object.entries(versions)) assert.equal(cacheFamilyOf(engine, version), family, `${engine} ${version}`);
            }
        });
    });

    describe("random-password-fits-consumer", () => {
        const password = (name: string, inputs: Record<string, unknown>) => resource("random:index/randomPassword:RandomPassword", name, { length: 32, ...inputs }, { urn: `urn:pulumi:test::platform::random:index/randomPassword:RandomPassword::${name}` });
        it("passes a token restricted to ElastiCache's specials and flags the default specials and a short token", async () => {
            const good = password("good", { special: true, overrideSpecial: "!&#$^<>-" });
            const dflt = password("default", { special: true });
            const short = password("short", { length: 12, special: false });
            const ok = group("ok", {}, { propertyDependencies: { authToken: [good.urn] } });
            const bad = group("bad", {}, { propertyDependencies: { authToken: [dflt.urn] } });
            const tiny = group("tiny", {}, { propertyDependencies: { authToken: [short.urn] } });
            const v = await expectViolations("random-password-fits-consumer", [good, dflt, short, ok, bad, tiny], [bad, tiny]);
            assert.match(v.find((x) => x.urn === bad.urn)!.message, /may contain @ % \* \( \) _ = \+ \[ \] \{ \} : \?/);
            assert.match(v.find((x) => x.urn === tiny.urn)!.message, /is 12 characters; an ElastiCache auth token must be 16-128/);
        });
    });

    describe("dynamodb-encrypted-kms", () => {
        it("passes KMS encryption and flags the AWS-owned default", async () => {
            const bad = table("bad", { serverSideEncryption: undefined });
            await expectViolations("dynamodb-encrypted-kms", [table("ok"), bad], [bad]);
        });
    });

    describe("dynamodb-pitr-prod", () => {
        it("flags a table or replica without PITR in prod only", async () => {
            const noReplicaPitr = prodTable("replica-off", { replicas: [{ regionName: "us-west-2", pointInTimeRecovery: false, deletionProtectionEnabled: true }] });
            const replica = resource("aws:dynamodb/tableReplica:TableReplica", "replica", { globalTableArn: "arn:t", pointInTimeRecovery: false });
            const v = await expectViolations("dynamodb-pitr-prod", [prodTable("ok"), noReplicaPitr, replica], [noReplicaPitr, replica], { environment: "prod" });
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
