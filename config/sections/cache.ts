import { z } from "zod";
import { CACHE_ENGINE_FAMILIES, cacheParameterGroupFamily } from "../../lib/cache-engines";
import { logRetentionDays, type ProfileDefaults } from "../common";

/**
 * The oldest version of each engine this platform accepts. The group is created with
 * TransitEncryptionMode "required", which ElastiCache supports from Redis OSS 7.0.5 (the "7.0"
 * line installs the latest 7.0.x); Valkey starts at 7.2 on ElastiCache.
 */
export const MIN_ENGINE_VERSION = { valkey: [7, 2], redis: [7, 0] } as const;
/** Redis OSS ends at 7.1 on ElastiCache; later versions are Valkey's. */
const MAX_REDIS_VERSION = [7, 1] as const;

/** `platform:cache`: the ElastiCache replication group. */
export const schema = z
    .strictObject({
        engine: z.enum(["valkey", "redis"]).describe("Valkey or Redis OSS."),
        engineVersion: z
            .string()
            .regex(/^\d+\.\d+$/, { message: "must be a major.minor version such as 8.0" })
            .describe(
                `Engine version: Valkey ${Object.keys(CACHE_ENGINE_FAMILIES.valkey).join(", ")} or Redis OSS ${Object.keys(CACHE_ENGINE_FAMILIES.redis).join(", ")}; the group runs with the version's default parameter group (default.valkey8 for 8.x), so an edit moves both. A downgrade, or Valkey back to Redis OSS, replaces the cache.`,
            ),
        nodeType: z
            .string()
            .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be a cache node type such as cache.t4g.micro" })
            .describe("ElastiCache node type."),
        numCacheClusters: z.int().min(1).max(6).describe("Nodes in the group: a primary plus up to 5 replicas."),
        multiAz: z.boolean().describe("Multi-AZ with automatic failover to a replica; needs at least 2 nodes."),
        snapshotRetentionDays: z.int().min(0).max(35).describe("Days daily snapshots are kept (0 takes none)."),
        logRetentionDays: logRetentionDays.describe("Days the slow log is kept."),
    })
    .superRefine((cache, ctx) => {
        // AWS rejects these combinations at CreateReplicationGroup; catch them before a deploy starts.
        // Multi-AZ turns automatic failover on with it (AWS requires both together), and failover
        // needs a replica to promote.
        if (cache.multiAz && cache.numCacheClusters < 2) {
            ctx.addIssue({
                code: "custom",
                path: ["numCacheClusters"],
                input: cache.numCacheClusters,
                message: "must be at least 2 when multiAz is on (automatic failover needs a replica)",
            });
        }
        const [major, minor] = cache.engineVersion.split(".").map(Number);
        const [minMajor, minMinor] = MIN_ENGINE_VERSION[cache.engine];
        if (major < minMajor || (major === minMajor && minor < minMinor)) {
            ctx.addIssue({
                code: "custom",
                path: ["engineVersion"],
                input: cache.engineVersion,
                message: `is below ${minMajor}.${minMinor}, the oldest ${cache.engine} version with a required in-transit encryption mode`,
            });
        }
        const tooNew = cache.engine === "redis" && (major > MAX_REDIS_VERSION[0] || (major === MAX_REDIS_VERSION[0] && minor > MAX_REDIS_VERSION[1]));
        if (tooNew) {
            ctx.addIssue({
                code: "custom",
                path: ["engineVersion"],
                input: cache.engineVersion,
                message: `is not a Redis OSS version on ElastiCache (7.0 and 7.1 are the last); use engine valkey for ${cache.engineVersion}`,
            });
        }
        // The group runs with its version's default parameter group, so the version must be one whose family is known.
        const inRange = !tooNew && (major > minMajor || (major === minMajor && minor >= minMinor));
        if (inRange && cacheParameterGroupFamily(cache.engine, cache.engineVersion) === undefined) {
            const known = Object.keys(CACHE_ENGINE_FAMILIES[cache.engine]).join(", ");
            ctx.addIssue({
                code: "custom",
                path: ["engineVersion"],
                input: cache.engineVersion,
                message: `is not a ${cache.engine} version ElastiCache offers, so it has no parameter group family; use one of ${known}`,
            });
        }
        // r6gd nodes tier data to SSD, and ElastiCache requires DataTieringEnabled with them, which this platform does not set.
        if (/^cache\.r6gd\./.test(cache.nodeType)) {
            ctx.addIssue({
                code: "custom",
                path: ["nodeType"],
                input: cache.nodeType,
                message:
                    "is a data-tiering node type, which ElastiCache accepts only with data tiering on; the platform does not enable it, so use an r7g or m7g type",
            });
        }
    });
export type CacheConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<CacheConfig> = {
    dev: {
        engine: "valkey",
        engineVersion: "8.0",
        nodeType: "cache.t4g.micro",
        numCacheClusters: 1,
        multiAz: false,
        snapshotRetentionDays: 0,
        logRetentionDays: 14,
    },
    prod: {
        engine: "valkey",
        engineVersion: "8.0",
        nodeType: "cache.r7g.large",
        numCacheClusters: 3,
        multiAz: true,
        snapshotRetentionDays: 7,
        logRetentionDays: 365,
    },
};
