import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

/** CreateDBInstance's rules: a letter, then letters, digits or underscores; DBName up to 63, MasterUsername up to 16. */
const databaseName = z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { message: "must start with a letter and hold only letters, digits and underscores (at most 63)" });
const username = z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, { message: "must start with a letter and hold only letters, digits and underscores (at most 16)" });

/** PostgreSQL's reserved key words (pg_get_keywords() category R, PostgreSQL 17). */
const POSTGRES_RESERVED = [
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];
/** Reserved words and names RDS keeps for itself, which RDS rejects as a user or database name. */
const RESERVED_NAMES = [...POSTGRES_RESERVED, "public", "rdsadmin", "rdsrepladmin", "template0", "template1"];
const reserved = (name: string) => RESERVED_NAMES.includes(name.toLowerCase()) || /^(pg_|rds_)/i.test(name);

/** `platform:database`: RDS PostgreSQL behind RDS Proxy. */
export const schema = z
    .strictObject({
        engineVersion: z
            .string()
            .regex(/^1[4-8](\.\d+)?$/, { message: "must be a PostgreSQL version RDS offers (14 to 18), e.g. 17 or 17.5" })
            .describe("PostgreSQL version; the parameter group family follows its major version."),
        instanceClass: z
            .string()
            .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.t4g.micro" })
            .describe("RDS instance class."),
        allocatedStorageGiB: z.int().min(20).max(65536).describe("Initial encrypted gp3 storage."),
        maxAllocatedStorageGiB: z.int().min(22).max(65536).describe("Storage autoscaling ceiling; at least 10% above allocatedStorageGiB."),
        databaseName: databaseName.describe("Name of the database created in the instance."),
        username: username.describe("Master user; its password is generated and kept in Secrets Manager by RDS."),
        multiAz: z.boolean().describe("A synchronous standby in another AZ with automatic failover (required in prod)."),
        backupRetentionDays: z.int().min(0).max(35).describe("Days automated backups are kept (at least 7 in prod)."),
        performanceInsights: z.boolean().describe("Performance Insights, encrypted with the platform key (required in prod)."),
        performanceInsightsRetentionDays: z
            .int()
            .refine((d) => d === 7 || d === 731 || (d % 31 === 0 && d >= 31 && d <= 713), {
                message: "must be 7, a multiple of 31 up to 713 (whole months), or 731 (two years)",
            })
            .describe("Days Performance Insights keeps its data: 7 (free tier), 31 x months (1-23), or 731."),
        monitoringIntervalSeconds: z
            .union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)])
            .describe("Enhanced monitoring interval; 0 disables it (required in prod)."),
        logRetentionDays: logRetentionDays.describe("Days exported PostgreSQL logs are kept."),
        proxy: z
            .strictObject({
                maxConnectionsPercent: z.int().min(1).max(100).describe("Share of the database's max_connections the proxy may open."),
                maxIdleConnectionsPercent: z
                    .int()
                    .min(0)
                    .max(100)
                    .describe("Share of max_connections the proxy keeps open while idle; at most maxConnectionsPercent."),
                connectionBorrowTimeoutSeconds: z.int().min(0).max(3600).describe("Seconds a client waits for a pooled connection before an error."),
                idleClientTimeoutSeconds: z.int().min(1).max(28800).describe("Seconds an idle client connection stays open (at most 8 hours)."),
            })
            .describe("RDS Proxy connection pooling."),
    })
    .superRefine((db, ctx) => {
        // RDS rejects a storage ceiling less than 10% above the allocation ("Invalid max storage size").
        if (db.maxAllocatedStorageGiB * 10 < db.allocatedStorageGiB * 11) {
            ctx.addIssue({
                code: "custom",
                path: ["maxAllocatedStorageGiB"],
                input: db.maxAllocatedStorageGiB,
                message: `must be at least 10% above allocatedStorageGiB ${db.allocatedStorageGiB} (${Math.ceil((db.allocatedStorageGiB * 11) / 10)} or more)`,
            });
        }
        for (const key of ["databaseName", "username"] as const) {
            if (reserved(db[key]))
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    input: db[key],
                    message: "is reserved by PostgreSQL or RDS; choose a name that is not a SQL keyword, rdsadmin, template0/1, nor starts with pg_ or rds_",
                });
        }
        if (db.proxy.maxIdleConnectionsPercent > db.proxy.maxConnectionsPercent) {
            ctx.addIssue({
                code: "custom",
                path: ["proxy", "maxIdleConnectionsPercent"],
                input: db.proxy.maxIdleConnectionsPercent,
                message: `is above proxy.maxConnectionsPercent ${db.proxy.maxConnectionsPercent}`,
            });
        }
    });
export type DatabaseConfig = z.infer<typeof schema>;

const proxy = { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeoutSeconds: 120, idleClientTimeoutSeconds: 1800 };

export const defaults: ProfileDefaults<DatabaseConfig> = {
    dev: {
        engineVersion: "17",
        instanceClass: "db.t4g.micro",
        allocatedStorageGiB: 20,
        maxAllocatedStorageGiB: 50,
        databaseName: "app",
        username: "app_admin",
        multiAz: false,
        backupRetentionDays: 1,
        performanceInsights: false,
        performanceInsightsRetentionDays: 7,
        monitoringIntervalSeconds: 0,
        logRetentionDays: 14,
        proxy,
    },
    prod: {
        engineVersion: "17",
        instanceClass: "db.r7g.large",
        allocatedStorageGiB: 100,
        maxAllocatedStorageGiB: 1000,
        databaseName: "app",
        username: "app_admin",
        multiAz: true,
        backupRetentionDays: 14,
        performanceInsights: true,
        performanceInsightsRetentionDays: 7,
        monitoringIntervalSeconds: 30,
        logRetentionDays: 365,
        proxy,
    },
};
