import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

/** `platform:cache`: the ElastiCache replication group. */
export const schema = z
    .strictObject({
        engine: z.enum(["valkey", "redis"]).describe("Valkey or Redis OSS."),
        engineVersion: z.string().regex(/^\d+\.\d+$/, { message: "must be a major.minor version such as 8.0" }).describe("Engine version, e.g. \"8.0\" for Valkey or \"7.1\" for Redis OSS."),
        nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be a cache node type such as cache.t4g.micro" }).describe("ElastiCache node type."),
        numCacheClusters: z.int().min(1).max(6).describe("Nodes in the group: a primary plus replicas."),
        multiAz: z.boolean().describe("Multi-AZ with automatic failover; needs at least 2 nodes."),
        snapshotRetentionDays: z.int().min(0).max(35).describe("Days daily snapshots are kept (0 takes none)."),
        logRetentionDays: logRetentionDays.describe("Days the slow log is kept."),
    })
    .superRefine((cache, ctx) => {
        if (cache.multiAz && cache.numCacheClusters < 2) {
            ctx.addIssue({ code: "custom", path: ["numCacheClusters"], input: cache.numCacheClusters, message: "must be at least 2 when multiAz is on (automatic failover needs a replica)" });
        }
    });
export type CacheConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<CacheConfig> = {
    dev: { engine: "valkey", engineVersion: "8.0", nodeType: "cache.t4g.micro", numCacheClusters: 1, multiAz: false, snapshotRetentionDays: 0, logRetentionDays: 14 },
    prod: { engine: "valkey", engineVersion: "8.0", nodeType: "cache.r7g.large", numCacheClusters: 3, multiAz: true, snapshotRetentionDays: 7, logRetentionDays: 365 },
};
