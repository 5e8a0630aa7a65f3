import * as pulumi from "@pulumi/pulumi";
import { Catalog } from "./catalog";
import { Delivery } from "./delivery";
import { DataLake } from "./lake";
import { SparkCluster } from "./spark-cluster";
import { SparkServerless } from "./spark-serverless";
import { EventStream } from "./stream";
import type { PlatformContext } from "../context";
import { glueDatabaseName } from "../names";

export { EventStream } from "./stream";

export interface AnalyticsArgs {
    /** The Kinesis data stream the services publish events to. */
    stream: {
        /** Kinesis capacity mode; provisioned shards are sized from the peak ingest. */
        mode: "ON_DEMAND" | "PROVISIONED";
        /** Peak ingest the provisioned stream must absorb, in records per second. */
        peakRecordsPerSecond: number;
        /** Peak ingest in KiB per second. */
        peakKiBPerSecond: number;
        /** Capacity above the peak that provisioned shards leave free, in percent. */
        headroomPercent: number;
        /** Hours records stay in the stream (24 to 8760). */
        retentionHours: number;
        /** Per-shard CloudWatch metrics, to find hot shards (billed per shard and metric). */
        shardLevelMetrics: boolean;
        /** Alarm when the oldest unread record is older than this; must be well inside the retention period. */
        iteratorAgeAlarmMinutes: number;
    };
    /** The Firehose delivery stream from Kinesis to the raw zone, as Parquet. */
    delivery: {
        /** Firehose buffers this much before writing a Parquet file (64 to 128 with format conversion). */
        bufferSizeMiB: number;
        /** Firehose writes at least this often, in seconds (60 to 900). */
        bufferIntervalSeconds: number;
        /** Days Firehose delivery error logs are kept. */
        logRetentionDays: number;
    };
    /** The S3 data lake: raw and curated zones, job assets, a work bucket, and access logs. */
    lake: {
        /** Days raw-zone objects (Firehose's Parquet files) are kept before S3 deletes them. */
        rawExpirationDays: number;
        /** Days curated-zone objects are kept before S3 deletes them. */
        curatedExpirationDays: number;
        /** Days Glue temporary files and Spark logs in the work bucket are kept. */
        workExpirationDays: number;
        /** Days an overwritten or deleted object version is kept. */
        noncurrentVersionExpirationDays: number;
        /** S3 server access logs for every lake bucket, into a separate log bucket (required in prod). */
        accessLogging: boolean;
        /** Days S3 access logs are kept. */
        accessLogExpirationDays: number;
    };
    /** The Glue catalog, crawler and the raw-to-curated ETL job. */
    glue: {
        /** Glue version of the ETL job (Spark 3.3 on 4.0, Spark 3.5 on 5.0). */
        version: "4.0" | "5.0";
        /** Glue worker type of the ETL job. */
        workerType: "G.1X" | "G.2X" | "G.4X" | "G.8X";
        /** Workers the ETL job runs on (Glue needs at least 2). */
        workers: number;
        /** When the ETL job runs from raw to curated: a Glue cron expression (UTC). */
        etlSchedule: string;
        /** Minutes after which a stuck ETL run is stopped. */
        timeoutMinutes: number;
        /** Days the Glue job and crawler logs are kept. */
        logRetentionDays: number;
    };
    /** EMR for heavy batch: serverless or a cluster, and the scheduled Spark job. */
    emr: {
        /** EMR Serverless application, or an EMR cluster for heavy batch. */
        mode: "serverless" | "cluster";
        /** EMR release of the application or cluster (emr-7.0.0 or later). */
        releaseLabel: string;
        /** The Spark aggregation job runs every this many hours. */
        jobIntervalHours: number;
        /** Days the Spark job's CloudWatch logs are kept (serverless). */
        logRetentionDays: number;
        /** The EMR Serverless Spark application (emr.mode serverless). */
        serverless: {
            /** Most vCPUs the application may use at once. */
            maxVcpu: number;
            /** Most memory the application may use at once, in GiB. */
            maxMemoryGiB: number;
            /** The application stops after this many idle minutes (1 to 10080). */
            idleTimeoutMinutes: number;
        };
        /** The EMR cluster (emr.mode cluster). */
        cluster: {
            /** Instance type of the primary node. */
            primaryInstanceType: string;
            /** Instance type of the on-demand core nodes (HDFS). */
            coreInstanceType: string;
            /** On-demand core nodes; managed scaling never goes below them. */
            coreInstances: number;
            /** Instance types the Spot task fleet draws from (1 to 5). */
            taskInstanceTypes: string[];
            /** Managed scaling ceiling, in instances (core plus Spot task nodes). */
            maxCapacityUnits: number;
            /** The cluster terminates after this many idle minutes (1 to 10080); must exceed the job interval. */
            idleTimeoutMinutes: number;
            /** S3 URI of the zip (privateKey.pem, certificateChain.pem, trustedCertificates.pem) EMR takes its in-transit TLS certificates from; required in cluster mode. */
            tlsCertificatesS3Uri?: string;
        };
    };
    /** The VPC of the private subnets. */
    vpcId: pulumi.Input<string>;
    /** Private subnets for EMR (egress through NAT; S3 through the gateway endpoint). */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

/**
 * The analytics pipeline: services publish events to a Kinesis stream; Firehose converts them to
 * Parquet into the raw zone of the S3 data lake; a scheduled Glue job curates them and a crawler
 * catalogues the result; a Spark job on EMR (Serverless, or a cluster) aggregates the curated
 * events on a schedule.
 */
export class Analytics extends pulumi.ComponentResource {
    public readonly stream: EventStream;
    public readonly lake: DataLake;
    public readonly catalog: Catalog;
    public readonly delivery: Delivery;
    public readonly emrMode: "serverless" | "cluster";
    /** The EMR Serverless application id (serverless mode) or the EMR cluster id (cluster mode). */
    public readonly emrId: pulumi.Output<string>;

    constructor(name: string, args: AnalyticsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:Analytics", name, {}, opts);
        const parent = { parent: this };
        const common = { kmsKeyArn: args.context.kmsKeyArn, accountId: args.context.accountId, region: args.context.region };

        this.stream = new EventStream(
            `${name}-events`,
            {
                ...args.stream,
                alarmTopicArn: args.context.alarmTopicArn,
                kmsKeyArn: args.context.kmsKeyArn,
                region: args.context.region,
                protect: args.context.stateful.protect,
            },
            parent,
        );
        this.lake = new DataLake(`${name}-lake`, { ...args.lake, ...common, protect: args.context.stateful.protect }, parent);
        this.catalog = new Catalog(
            `${name}-catalog`,
            {
                databaseName: glueDatabaseName(name),
                lake: this.lake,
                glueVersion: args.glue.version,
                workerType: args.glue.workerType,
                workers: args.glue.workers,
                etlSchedule: args.glue.etlSchedule,
                timeoutMinutes: args.glue.timeoutMinutes,
                logRetentionDays: args.glue.logRetentionDays,
                ...common,
                protect: args.context.stateful.protect,
            },
            parent,
        );
        this.delivery = new Delivery(`${name}-delivery`, { stream: this.stream, lake: this.lake, catalog: this.catalog, ...args.delivery, ...common }, parent);

        const emr = args.emr;
        this.emrMode = emr.mode;
        const placement = {
            lake: this.lake,
            vpcId: args.vpcId,
            subnetIds: args.privateSubnetIds,
            releaseLabel: emr.releaseLabel,
            jobIntervalHours: emr.jobIntervalHours,
            ...common,
        };
        if (emr.mode === "serverless") {
            const app = new SparkServerless(`${name}-spark`, { ...emr.serverless, ...placement, logRetentionDays: emr.logRetentionDays }, parent);
            this.emrId = app.applicationId;
        } else {
            const cluster = new SparkCluster(`${name}-spark`, { ...emr.cluster, ...placement }, parent);
            this.emrId = cluster.clusterId;
        }

        this.registerOutputs({
            streamName: this.stream.name,
            deliveryStreamName: this.delivery.name,
            lakeBuckets: this.lake.bucketNames,
            glueDatabase: this.catalog.databaseName,
            emrMode: this.emrMode,
            emrId: this.emrId,
        });
    }
}
