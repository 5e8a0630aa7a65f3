import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

/** `platform:database`: RDS PostgreSQL behind RDS Proxy. */
export const schema = z
    .strictObject({
        engineVersion: z.string().regex(/^1[4-9](\.\d+)?$/, { message: "must be a supported PostgreSQL version (14 to 19)" }).describe("PostgreSQL major version."),
        instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.t4g.micro" }).describe("RDS instance class."),
        allocatedStorageGiB: z.int().min(20).max(65536).describe("Initial encrypted gp3 storage."),
        maxAllocatedStorageGiB: z.int().min(20).max(65536).describe("Storage autoscaling ceiling."),
        multiAz: z.boolean().describe("A synchronous standby in another AZ with automatic failover (required in prod)."),
        backupRetentionDays: z.int().min(0).max(35).describe("Days automated backups are kept (at least 7 in prod)."),
        performanceInsights: z.boolean().describe("Performance Insights, encrypted with the platform key."),
        monitoringIntervalSeconds: z.union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]).describe("Enhanced monitoring interval; 0 disables it."),
        logRetentionDays: logRetentionDays.describe("Days exported PostgreSQL logs are kept."),
    })
    .superRefine((db, ctx) => {
        if (db.maxAllocatedStorageGiB < db.allocatedStorageGiB) {
            ctx.addIssue({ code: "custom", path: ["maxAllocatedStorageGiB"], input: db.maxAllocatedStorageGiB, message: `is below allocatedStorageGiB ${db.allocatedStorageGiB}` });
        }
    });
export type DatabaseConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<DatabaseConfig> = {
    dev: { engineVersion: "17", instanceClass: "db.t4g.micro", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 50, multiAz: false, backupRetentionDays: 1, performanceInsights: false, monitoringIntervalSeconds: 0, logRetentionDays: 14 },
    prod: { engineVersion: "17", instanceClass: "db.r7g.large", allocatedStorageGiB: 100, maxAllocatedStorageGiB: 1000, multiAz: true, backupRetentionDays: 14, performanceInsights: true, monitoringIntervalSeconds: 30, logRetentionDays: 365 },
};
