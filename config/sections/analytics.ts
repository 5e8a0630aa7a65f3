import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "must be an EC2 instance type such as m7g.xlarge" });

/** Kinesis caps one record's data blob at 1 MiB, so a peak whose average record is larger cannot exist. */
export const KINESIS_MAX_RECORD_KIB = 1024;
/** Firehose needs a buffer of at least 64 MiB when it converts records to Parquet (its API allows 1 to 128 otherwise). */
export const FIREHOSE_CONVERSION_MIN_BUFFER_MIB = 64;

/** EMR release labels from 7.0.0 on: Spark 3.5, Amazon Linux 2023, Graviton instance fleets. */
const releaseLabel = z
    .string()
    .regex(/^emr-\d+\.\d+\.\d+$/, { message: "must be an EMR release label such as emr-7.10.0" })
    .refine((l) => Number(l.slice(4).split(".")[0]) >= 7, { message: "must be emr-7.0.0 or later (a current release)" });

/** A Glue trigger schedule: cron( ... ) with the six fields Glue's cron takes. */
/**
 * A Glue cron expression: six fields (minutes hours day-of-month month day-of-week year), exactly
 * one of the two day fields "?", and no schedule more often than every 5 minutes, as Glue requires.
 */
const glueCron = z
    .string()
    .regex(/^cron\((\S+ ){5}\S+\)$/, { message: "must be a Glue cron expression with six fields, such as cron(15 * * * ? *)" })
    .superRefine((expr, ctx) => {
        const [minutes, , dayOfMonth, , dayOfWeek] = expr.slice(5, -1).split(" ");
        if ((dayOfMonth === "?") === (dayOfWeek === "?"))
            ctx.addIssue({ code: "custom", input: expr, message: "must set exactly one of day-of-month and day-of-week to ? (Glue rejects both or neither)" });
        const runs = minutesOf(minutes);
        if (runs && minimumGap(runs) < 5)
            ctx.addIssue({ code: "custom", input: expr, message: "runs more often than every 5 minutes, which Glue does not support" });
    });

/** The minutes a cron minutes field fires at (*, n, a-b, x/n, a-b/n, and lists of them); undefined for syntax it doesn't know. */
function minutesOf(field: string): number[] | undefined {
    const out = new Set<number>();
    for (const part of field.split(",")) {
        const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
        if (!m) return undefined;
        const [from, to] = m[1] === "*" ? [0, 59] : m[1].includes("-") ? m[1].split("-").map(Number) : [Number(m[1]), m[2] ? 59 : Number(m[1])];
        const step = m[2] ? Number(m[2]) : 1;
        if (step < 1) return undefined;
        for (let v = from; v <= to; v += step) out.add(v);
    }
    return [...out].sort((a, b) => a - b);
}

/** The shortest interval, in minutes, between consecutive runs of an hourly minute set (wrapping into the next hour). */
function minimumGap(minutes: number[]): number {
    if (minutes.length < 2) return 60;
    return Math.min(...minutes.map((m, i) => (i + 1 < minutes.length ? minutes[i + 1] - m : 60 - m + minutes[0])));
}

/** `platform:analytics`: Kinesis -> Firehose -> S3 data lake -> Glue -> EMR. */
export const schema = z
    .strictObject({
        stream: z
            .strictObject({
                mode: z.enum(["ON_DEMAND", "PROVISIONED"]).describe("Kinesis capacity mode; provisioned shards are sized from the peak ingest."),
                peakRecordsPerSecond: z.number().positive().describe("Peak ingest the provisioned stream must absorb, in records per second."),
                peakKiBPerSecond: z.number().positive().describe("Peak ingest in KiB per second."),
                headroomPercent: z.int().min(0).max(400).describe("Capacity above the peak that provisioned shards leave free, in percent."),
                retentionHours: z.int().min(24).max(8760).describe("Hours records stay in the stream (24 to 8760)."),
                shardLevelMetrics: z.boolean().describe("Per-shard CloudWatch metrics, to find hot shards (billed per shard and metric)."),
                iteratorAgeAlarmMinutes: z
                    .int()
                    .min(1)
                    .describe("Alarm when the oldest unread record is older than this; must be well inside the retention period."),
            })
            .describe("The Kinesis data stream the services publish events to."),
        delivery: z
            .strictObject({
                bufferSizeMiB: z.int().min(1).max(128).describe("Firehose buffers this much before writing a Parquet file (64 to 128 with format conversion)."),
                bufferIntervalSeconds: z.int().min(60).max(900).describe("Firehose writes at least this often, in seconds (60 to 900)."),
                logRetentionDays: logRetentionDays.describe("Days Firehose delivery error logs are kept."),
            })
            .describe("The Firehose delivery stream from Kinesis to the raw zone, as Parquet."),
        lake: z
            .strictObject({
                rawExpirationDays: z.int().min(1).max(36500).describe("Days raw-zone objects (Firehose's Parquet files) are kept before S3 deletes them."),
                curatedExpirationDays: z.int().min(1).max(36500).describe("Days curated-zone objects are kept before S3 deletes them."),
                workExpirationDays: z.int().min(1).max(36500).describe("Days Glue temporary files and Spark logs in the work bucket are kept."),
                noncurrentVersionExpirationDays: z.int().min(1).max(36500).describe("Days an overwritten or deleted object version is kept."),
                accessLogging: z.boolean().describe("S3 server access logs for every lake bucket, into a separate log bucket (required in prod)."),
                accessLogExpirationDays: z.int().min(1).max(36500).describe("Days S3 access logs are kept."),
            })
            .describe("The S3 data lake: raw and curated zones, job assets, a work bucket, and access logs."),
        glue: z
            .strictObject({
                version: z.enum(["4.0", "5.0"]).describe("Glue version of the ETL job (Spark 3.3 on 4.0, Spark 3.5 on 5.0)."),
                workerType: z.enum(["G.1X", "G.2X", "G.4X", "G.8X"]).describe("Glue worker type of the ETL job."),
                workers: z.int().min(2).max(299).describe("Workers the ETL job runs on (Glue needs at least 2)."),
                etlSchedule: glueCron.describe("When the ETL job runs from raw to curated: a Glue cron expression (UTC)."),
                timeoutMinutes: z.int().min(1).max(2880).describe("Minutes after which a stuck ETL run is stopped."),
                logRetentionDays: logRetentionDays.describe("Days the Glue job and crawler logs are kept."),
            })
            .describe("The Glue catalog, crawler and the raw-to-curated ETL job."),
        emr: z
            .strictObject({
                mode: z.enum(["serverless", "cluster"]).describe("EMR Serverless application, or an EMR cluster for heavy batch."),
                releaseLabel: releaseLabel.describe("EMR release of the application or cluster (emr-7.0.0 or later)."),
                jobIntervalHours: z.int().min(1).max(168).describe("The Spark aggregation job runs every this many hours."),
                logRetentionDays: logRetentionDays.describe("Days the Spark job's CloudWatch logs are kept (serverless)."),
                serverless: z
                    .strictObject({
                        maxVcpu: z.int().min(1).max(10000).describe("Most vCPUs the application may use at once."),
                        maxMemoryGiB: z.int().min(2).max(100000).describe("Most memory the application may use at once, in GiB."),
                        idleTimeoutMinutes: z.int().min(1).max(10080).describe("The application stops after this many idle minutes (1 to 10080)."),
                    })
                    .describe("The EMR Serverless Spark application (emr.mode serverless)."),
                cluster: z
                    .strictObject({
                        primaryInstanceType: instanceType.describe("Instance type of the primary node."),
                        coreInstanceType: instanceType.describe("Instance type of the on-demand core nodes (HDFS)."),
                        coreInstances: z.int().min(1).max(100).describe("On-demand core nodes; managed scaling never goes below them."),
                        taskInstanceTypes: z.array(instanceType).min(1).max(5).describe("Instance types the Spot task fleet draws from (1 to 5)."),
                        maxCapacityUnits: z.int().min(2).max(1000).describe("Managed scaling ceiling, in instances (core plus Spot task nodes)."),
                        idleTimeoutMinutes: z
                            .int()
                            .min(1)
                            .max(10080)
                            .describe("The cluster terminates after this many idle minutes (1 to 10080); must exceed the job interval."),
                        tlsCertificatesS3Uri: z
                            .string()
                            .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.zip$/, {
                                message: "must be an S3 URI of a zip file, such as s3://my-pki/emr/certs.zip",
                            })
                            .optional()
                            .describe(
                                "S3 URI of the zip (privateKey.pem, certificateChain.pem, trustedCertificates.pem) EMR takes its in-transit TLS certificates from; required in cluster mode.",
                            ),
                    })
                    .describe("The EMR cluster (emr.mode cluster)."),
            })
            .describe("EMR for heavy batch: serverless or a cluster, and the scheduled Spark job."),
    })
    .superRefine((a, ctx) => {
        const averageKiB = a.stream.peakKiBPerSecond / a.stream.peakRecordsPerSecond;
        if (averageKiB > KINESIS_MAX_RECORD_KIB) {
            ctx.addIssue({
                code: "custom",
                path: ["stream", "peakKiBPerSecond"],
                input: a.stream.peakKiBPerSecond,
                message: `over ${a.stream.peakRecordsPerSecond} records/s means ${Math.round(averageKiB)} KiB per record, above the Kinesis record limit of ${KINESIS_MAX_RECORD_KIB} KiB`,
            });
        }
        if (a.stream.iteratorAgeAlarmMinutes >= a.stream.retentionHours * 60) {
            ctx.addIssue({
                code: "custom",
                path: ["stream", "iteratorAgeAlarmMinutes"],
                input: a.stream.iteratorAgeAlarmMinutes,
                message: `must be below the retention period (retentionHours ${a.stream.retentionHours} = ${a.stream.retentionHours * 60} minutes), or records expire before the alarm fires`,
            });
        }
        if (a.delivery.bufferSizeMiB < FIREHOSE_CONVERSION_MIN_BUFFER_MIB) {
            ctx.addIssue({
                code: "custom",
                path: ["delivery", "bufferSizeMiB"],
                input: a.delivery.bufferSizeMiB,
                message: `is below ${FIREHOSE_CONVERSION_MIN_BUFFER_MIB}: Firehose record format conversion (to Parquet) needs a buffer of 64 to 128 MiB`,
            });
        }
        const cluster = a.emr.cluster;
        if (cluster.maxCapacityUnits <= cluster.coreInstances) {
            ctx.addIssue({
                code: "custom",
                path: ["emr", "cluster", "maxCapacityUnits"],
                input: cluster.maxCapacityUnits,
                message: `must exceed coreInstances ${cluster.coreInstances}, or managed scaling can never add Spot task nodes`,
            });
        }
        if (a.emr.mode === "cluster") {
            if (cluster.idleTimeoutMinutes <= a.emr.jobIntervalHours * 60) {
                ctx.addIssue({
                    code: "custom",
                    path: ["emr", "cluster", "idleTimeoutMinutes"],
                    input: cluster.idleTimeoutMinutes,
                    message: `must exceed jobIntervalHours ${a.emr.jobIntervalHours} (${a.emr.jobIntervalHours * 60} minutes): the cluster would auto-terminate between scheduled runs and the next step would find no cluster`,
                });
            }
            if (cluster.tlsCertificatesS3Uri === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["emr", "cluster", "tlsCertificatesS3Uri"],
                    input: undefined,
                    message:
                        'is required when emr.mode is "cluster": the cluster encrypts traffic between its nodes with TLS, and EMR reads the certificates from a zip in S3 holding privateKey.pem and certificateChain.pem (and trustedCertificates.pem for a private CA)',
                });
            }
        }
    });
export type AnalyticsConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<AnalyticsConfig> = {
    dev: {
        stream: {
            mode: "ON_DEMAND",
            peakRecordsPerSecond: 100,
            peakKiBPerSecond: 100,
            headroomPercent: 25,
            retentionHours: 24,
            shardLevelMetrics: false,
            iteratorAgeAlarmMinutes: 60,
        },
        delivery: { bufferSizeMiB: 64, bufferIntervalSeconds: 60, logRetentionDays: 14 },
        lake: {
            rawExpirationDays: 30,
            curatedExpirationDays: 90,
            workExpirationDays: 14,
            noncurrentVersionExpirationDays: 7,
            accessLogging: false,
            accessLogExpirationDays: 30,
        },
        glue: { version: "4.0", workerType: "G.1X", workers: 2, etlSchedule: "cron(0 */6 * * ? *)", timeoutMinutes: 60, logRetentionDays: 14 },
        emr: {
            mode: "serverless",
            releaseLabel: "emr-7.10.0",
            jobIntervalHours: 24,
            logRetentionDays: 14,
            serverless: { maxVcpu: 16, maxMemoryGiB: 64, idleTimeoutMinutes: 15 },
            cluster: {
                primaryInstanceType: "m7g.xlarge",
                coreInstanceType: "m7g.xlarge",
                coreInstances: 1,
                taskInstanceTypes: ["m7g.xlarge", "m6g.xlarge"],
                maxCapacityUnits: 4,
                idleTimeoutMinutes: 1500,
            },
        },
    },
    prod: {
        stream: {
            mode: "PROVISIONED",
            peakRecordsPerSecond: 5000,
            peakKiBPerSecond: 4096,
            headroomPercent: 25,
            retentionHours: 168,
            shardLevelMetrics: true,
            iteratorAgeAlarmMinutes: 15,
        },
        delivery: { bufferSizeMiB: 128, bufferIntervalSeconds: 300, logRetentionDays: 365 },
        lake: {
            rawExpirationDays: 730,
            curatedExpirationDays: 1825,
            workExpirationDays: 90,
            noncurrentVersionExpirationDays: 90,
            accessLogging: true,
            accessLogExpirationDays: 365,
        },
        glue: { version: "4.0", workerType: "G.2X", workers: 10, etlSchedule: "cron(15 * * * ? *)", timeoutMinutes: 120, logRetentionDays: 365 },
        emr: {
            mode: "cluster",
            releaseLabel: "emr-7.10.0",
            jobIntervalHours: 6,
            logRetentionDays: 365,
            serverless: { maxVcpu: 200, maxMemoryGiB: 800, idleTimeoutMinutes: 15 },
            cluster: {
                primaryInstanceType: "m7g.xlarge",
                coreInstanceType: "r7g.2xlarge",
                coreInstances: 2,
                taskInstanceTypes: ["r7g.2xlarge", "r6g.2xlarge", "m7g.2xlarge", "m6g.2xlarge"],
                maxCapacityUnits: 20,
                idleTimeoutMinutes: 420,
            },
        },
    },
};
