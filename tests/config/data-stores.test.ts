import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";
import { CACHE_ENGINE_FAMILIES } from "../../lib/cache-engines";

const base = { "aws:region": "us-east-1", "platform:tags": JSON.stringify({ owner: "team-a" }) };

/** Every problem the stack's config has, given section overrides, for a profile (stack named after it). */
function problems(profile: "dev" | "prod", sections: Record<string, unknown>): string[] {
    const raw: Record<string, string> = { ...base, "platform:profile": profile };
    for (const [k, v] of Object.entries(sections)) raw[`platform:${k}`] = JSON.stringify(v);
    // prod's web section requires a certificate; give it one so only data-store problems remain.
    if (profile === "prod" && !("web" in sections))
        raw["platform:web"] = JSON.stringify({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123" });
    try {
        validateConfig(raw, profile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    return [];
}

/** The problems in the data-store sections alone (other sections are other tests' business). */
const ours = (p: string[]) => p.filter((l) => /^platform:(cache|database|globalTable|protection)\./.test(l));

function expectProblem(p: string[], line: string) {
    assert.ok(p.includes(line), `expected\n  ${line}\namong\n  ${p.join("\n  ")}`);
}

describe("config: data stores", () => {
    it("the dev and prod profiles' data-store settings are valid as they are", () => {
        assert.deepEqual(ours(problems("dev", {})), []);
        assert.deepEqual(ours(problems("prod", {})), []);
    });

    describe("cache", () => {
        it("rejects Multi-AZ (and its automatic failover) without a replica", () => {
            expectProblem(
                problems("dev", { cache: { multiAz: true, numCacheClusters: 1 } }),
                "platform:cache.numCacheClusters: 1 must be at least 2 when multiAz is on (automatic failover needs a replica)",
            );
            assert.deepEqual(ours(problems("dev", { cache: { multiAz: true, numCacheClusters: 2 } })), []);
        });

        it("rejects engine versions that cannot require in-transit encryption", () => {
            expectProblem(
                problems("dev", { cache: { engine: "redis", engineVersion: "6.2" } }),
                'platform:cache.engineVersion: "6.2" is below 7.0, the oldest redis version with a required in-transit encryption mode',
            );
            expectProblem(
                problems("dev", { cache: { engine: "valkey", engineVersion: "7.0" } }),
                'platform:cache.engineVersion: "7.0" is below 7.2, the oldest valkey version with a required in-transit encryption mode',
            );
            assert.deepEqual(ours(problems("dev", { cache: { engine: "redis", engineVersion: "7.1" } })), []);
            assert.deepEqual(ours(problems("dev", { cache: { engine: "valkey", engineVersion: "7.2" } })), []);
        });

        it("knows the parameter group family of every version it accepts, and rejects versions without one", () => {
            for (const [engine, versions] of Object.entries(CACHE_ENGINE_FAMILIES)) {
                for (const [version, family] of Object.entries(versions)) {
                    assert.deepEqual(ours(problems("dev", { cache: { engine, engineVersion: version } })), [], `${engine} ${version}`);
                    assert.equal(
                        family,
                        `${engine}${version.split(".")[0]}`,
                        `${engine} ${version}: ElastiCache names a Valkey/Redis OSS 7+ family after the engine and major version`,
                    );
                }
            }
            expectProblem(
                problems("dev", { cache: { engine: "valkey", engineVersion: "8.5" } }),
                'platform:cache.engineVersion: "8.5" is not a valkey version ElastiCache offers, so it has no parameter group family; use one of 7.2, 8.0, 8.1, 8.2, 9.0, 9.1',
            );
            expectProblem(
                problems("dev", { cache: { engine: "valkey", engineVersion: "10.0" } }),
                'platform:cache.engineVersion: "10.0" is not a valkey version ElastiCache offers, so it has no parameter group family; use one of 7.2, 8.0, 8.1, 8.2, 9.0, 9.1',
            );
        });

        it("rejects Redis OSS versions ElastiCache doesn't offer, and data-tiering node types the platform doesn't configure", () => {
            expectProblem(
                problems("dev", { cache: { engine: "redis", engineVersion: "7.2" } }),
                'platform:cache.engineVersion: "7.2" is not a Redis OSS version on ElastiCache (7.0 and 7.1 are the last); use engine valkey for 7.2',
            );
            assert.deepEqual(ours(problems("dev", { cache: { engine: "valkey", engineVersion: "8.0" } })), []);
            expectProblem(
                problems("dev", { cache: { nodeType: "cache.r6gd.xlarge" } }),
                'platform:cache.nodeType: "cache.r6gd.xlarge" is a data-tiering node type, which ElastiCache accepts only with data tiering on; the platform does not enable it, so use an r7g or m7g type',
            );
        });

        it("prod keeps snapshots", () => {
            expectProblem(
                problems("prod", { cache: { snapshotRetentionDays: 0 } }),
                "platform:cache.snapshotRetentionDays: 0 is below 1: prod keeps daily cache snapshots",
            );
        });

        it("rejects a slow-log retention CloudWatch does not offer", () => {
            const p = problems("dev", { cache: { logRetentionDays: 10 } });
            assert.equal(p.length, 1);
            assert.match(p[0], /^platform:cache\.logRetentionDays: 10 must be one of the CloudWatch Logs retention periods/);
        });
    });

    describe("database", () => {
        it("requires the storage ceiling at least 10% above the allocation", () => {
            expectProblem(
                problems("dev", { database: { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 105 } }),
                "platform:database.maxAllocatedStorageGiB: 105 must be at least 10% above allocatedStorageGiB 100 (110 or more)",
            );
            assert.deepEqual(ours(problems("dev", { database: { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 110 } })), []);
        });

        it("rejects user and database names RDS refuses", () => {
            expectProblem(
                problems("dev", { database: { username: "rdsadmin" } }),
                'platform:database.username: "rdsadmin" is reserved by PostgreSQL or RDS; choose a name that is not a SQL keyword, rdsadmin, template0/1, nor starts with pg_ or rds_',
            );
            expectProblem(
                problems("dev", { database: { username: "pg_app" } }),
                'platform:database.username: "pg_app" is reserved by PostgreSQL or RDS; choose a name that is not a SQL keyword, rdsadmin, template0/1, nor starts with pg_ or rds_',
            );
            expectProblem(
                problems("dev", { database: { databaseName: "user" } }),
                'platform:database.databaseName: "user" is reserved by PostgreSQL or RDS; choose a name that is not a SQL keyword, rdsadmin, template0/1, nor starts with pg_ or rds_',
            );
            // Every PostgreSQL reserved key word, not only the common ones.
            for (const word of ["where", "from", "Lateral", "system_user"]) {
                expectProblem(
                    problems("dev", { database: { username: word } }),
                    `platform:database.username: ${JSON.stringify(word)} is reserved by PostgreSQL or RDS; choose a name that is not a SQL keyword, rdsadmin, template0/1, nor starts with pg_ or rds_`,
                );
            }
            assert.deepEqual(ours(problems("dev", { database: { username: "app_admin", databaseName: "orders" } })), []);
            const long = problems("dev", { database: { username: "a_very_long_master_name" } });
            assert.ok(
                long.some((l) =>
                    l.startsWith(
                        'platform:database.username: "a_very_long_master_name" must start with a letter and hold only letters, digits and underscores (at most 16)',
                    ),
                ),
                long.join("\n"),
            );
            assert.ok(
                problems("dev", { database: { databaseName: "1app" } }).some((l) =>
                    l.startsWith('platform:database.databaseName: "1app" must start with a letter'),
                ),
            );
        });

        it("accepts only the PostgreSQL versions RDS offers", () => {
            assert.ok(
                problems("dev", { database: { engineVersion: "19" } }).some((l) =>
                    l.startsWith('platform:database.engineVersion: "19" must be a PostgreSQL version RDS offers (14 to 18)'),
                ),
            );
            assert.deepEqual(ours(problems("dev", { database: { engineVersion: "16.4" } })), []);
        });

        it("accepts the Performance Insights retention periods AWS offers", () => {
            assert.ok(
                problems("dev", { database: { performanceInsightsRetentionDays: 30 } }).some((l) =>
                    l.startsWith(
                        "platform:database.performanceInsightsRetentionDays: 30 must be 7, a multiple of 31 up to 713 (whole months), or 731 (two years)",
                    ),
                ),
            );
            assert.equal(ours(problems("dev", { database: { performanceInsightsRetentionDays: 744 } })).length, 1);
            assert.equal(ours(problems("dev", { database: { performanceInsightsRetentionDays: 713 } })).length, 0);
            assert.deepEqual(ours(problems("dev", { database: { performanceInsightsRetentionDays: 62 } })), []);
            assert.deepEqual(ours(problems("dev", { database: { performanceInsightsRetentionDays: 731 } })), []);
        });

        it("keeps the proxy's idle pool within its connection ceiling", () => {
            expectProblem(
                problems("dev", { database: { proxy: { maxConnectionsPercent: 40, maxIdleConnectionsPercent: 60 } } }),
                "platform:database.proxy.maxIdleConnectionsPercent: 60 is above proxy.maxConnectionsPercent 40",
            );
            assert.ok(
                problems("dev", { database: { proxy: { idleClientTimeoutSeconds: 30000 } } }).some((l) =>
                    l.startsWith("platform:database.proxy.idleClientTimeoutSeconds: 30000"),
                ),
            );
        });

        it("prod demands Multi-AZ, 7-day backups, Performance Insights and enhanced monitoring", () => {
            const p = problems("prod", { database: { multiAz: false, backupRetentionDays: 3, performanceInsights: false, monitoringIntervalSeconds: 0 } });
            expectProblem(p, "platform:database.multiAz: false must be true in prod (Multi-AZ data stores)");
            expectProblem(p, "platform:database.backupRetentionDays: 3 is below 7: prod keeps backups at least 7 days");
            expectProblem(p, "platform:database.performanceInsights: false must be true in prod");
            expectProblem(p, "platform:database.monitoringIntervalSeconds: 0 must be above 0 in prod: enhanced monitoring is on");
        });

        it("prod keeps every protection on", () => {
            const p = problems("prod", { protection: { protectResources: false, deletionProtection: false, finalSnapshot: false } });
            for (const k of ["protectResources", "deletionProtection", "finalSnapshot"])
                expectProblem(p, `platform:protection.${k}: false must be true in prod: stateful resources are protected`);
        });
    });

    describe("globalTable", () => {
        it("refuses replicas of a provisioned table", () => {
            expectProblem(
                problems("dev", { globalTable: { billingMode: "PROVISIONED", replicaRegions: ["us-west-2"] } }),
                'platform:globalTable.billingMode: "PROVISIONED" must be PAY_PER_REQUEST when replicaRegions is set (DynamoDB creates replicas only of on-demand or write-autoscaled tables, and the autoscaling cannot exist before the table)',
            );
            assert.deepEqual(ours(problems("dev", { globalTable: { billingMode: "PROVISIONED" } })), []);
        });

        it("checks the provisioned capacity bounds and the autoscaling target", () => {
            expectProblem(
                problems("dev", { globalTable: { writeCapacity: { min: 50, max: 10 } } }),
                "platform:globalTable.writeCapacity.max: 10 is below writeCapacity.min 50",
            );
            assert.ok(
                problems("dev", { globalTable: { targetUtilizationPercent: 95 } }).some((l) =>
                    l.startsWith("platform:globalTable.targetUtilizationPercent: 95"),
                ),
            );
            assert.ok(
                problems("dev", { globalTable: { readCapacity: { min: 0, max: 10 } } }).some((l) => l.startsWith("platform:globalTable.readCapacity.min: 0")),
            );
        });

        it("keeps TTL off the key attributes", () => {
            expectProblem(
                problems("dev", { globalTable: { ttlAttribute: "pk" } }),
                'platform:globalTable.ttlAttribute: "pk" is a key attribute (a string); TTL needs its own number attribute',
            );
        });

        it("dev keeps at most one replica; prod at least one", () => {
            expectProblem(
                problems("dev", { globalTable: { replicaRegions: ["us-west-2", "eu-west-1"] } }),
                'platform:globalTable.replicaRegions: ["us-west-2","eu-west-1"] lists 2 regions: dev keeps at most one table replica',
            );
            assert.deepEqual(ours(problems("dev", { globalTable: { replicaRegions: ["us-west-2"] } })), []);
            expectProblem(
                problems("prod", { globalTable: { replicaRegions: [] } }),
                "platform:globalTable.replicaRegions: [] is empty: prod replicates the table to at least one other region",
            );
        });
    });
});
