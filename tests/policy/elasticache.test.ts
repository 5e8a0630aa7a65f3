import { strict as assert } from "assert";
import { CACHE_ENGINE_FAMILIES } from "../../lib/cache-engines";
import { cacheFamilyOf } from "../../policy/rules/elasticache";
import { expectViolations, resource } from "../helpers/policy";
import { group } from "./fixtures";

const prodGroup = (name: string, inputs: Record<string, unknown> = {}) =>
    group(name, { numCacheClusters: 3, multiAzEnabled: true, automaticFailoverEnabled: true, snapshotRetentionLimit: 7, ...inputs });

describe("ElastiCache policies", () => {
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
            const user = resource("aws:elasticache/user:User", "nopass", {
                userId: "u",
                userName: "u",
                engine: "valkey",
                accessString: "on ~* +@all",
                authenticationMode: { type: "no-password-required" },
            });
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
            const own = (name: string, family: string) =>
                resource("aws:elasticache/parameterGroup:ParameterGroup", name, { family }, { outputs: { name: `${name}-1a2b` } });
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
            const v = await expectViolations(
                "elasticache-parameter-group-family",
                [valkey9, stale, ...ok, none, upgradedAlone, crossEngine, ownStale],
                [none, upgradedAlone, crossEngine, ownStale],
            );
            assert.match(
                v.find((x) => x.urn === upgradedAlone.urn)!.message,
                /runs valkey 9\.0 \(family valkey9\) with parameter group default\.valkey8 of family valkey8/,
            );
            assert.match(v.find((x) => x.urn === none.urn)!.message, /names no parameter group; name one of the valkey8 family/);
        });

        it("maps engine versions to ElastiCache's family names", () => {
            const cases: [string, string, string][] = [
                ["valkey", "7.2", "valkey7"],
                ["valkey", "8.2", "valkey8"],
                ["valkey", "9.0", "valkey9"],
                ["redis", "7.1", "redis7"],
                ["redis", "6.2", "redis6.x"],
                ["redis", "5.0.6", "redis5.0"],
            ];
            for (const [engine, version, family] of cases) assert.equal(cacheFamilyOf(engine, version), family, `${engine} ${version}`);
        });

        it("agrees with the family of every version the platform's config accepts", () => {
            for (const [engine, versions] of Object.entries(CACHE_ENGINE_FAMILIES)) {
                for (const [version, family] of Object.entries(versions)) assert.equal(cacheFamilyOf(engine, version), family, `${engine} ${version}`);
            }
        });
    });
});
