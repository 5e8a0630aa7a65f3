import * as pulumi from "@pulumi/pulumi";
import type { AnalyticsConfig } from "../../config/sections/analytics";
import { Catalog } from "./catalog";
import { Delivery } from "./delivery";
import { DataLake } from "./lake";
import { SparkCluster } from "./spark-cluster";
import { SparkServerless } from "./spark-serverless";
import { EventStream } from "./stream";

export { EventStream } from "./stream";

export interface AnalyticsArgs extends AnalyticsConfig {
    /** The VPC of the private subnets. */
    vpcId: pulumi.Input<string>;
    /** Private subnets for EMR (egress through NAT; S3 through the gateway endpoint). */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The platform key: stream, buckets, logs, catalog jobs and EMR encrypt with it. */
    kmsKeyArn: pulumi.Input<string>;
    /** SNS topic the stream's alarms notify. */
    alarmTopicArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
    /** The home region. */
    region: string;
    /** Pulumi protect on the stateful parts: stream, buckets, catalog database and table. */
    protect: boolean;
}

/** A Glue database name from a component name and stack: lowercase letters, digits, underscores. */
export function glueDatabaseName(name: string, stack: string): string {
    return `${name}_${stack}`.toLowerCase().replace(/[^a-z0-9_]+/g, "_").slice(0, 255);
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
        const common = { kmsKeyArn: args.kmsKeyArn, accountId: args.accountId, region: args.region };

        this.stream = new EventStream(`${name}-events`, { ...args.stream, alarmTopicArn: args.alarmTopicArn, kmsKeyArn: args.kmsKeyArn, region: args.region, protect: args.protect }, parent);
        this.lake = new DataLake(`${name}-lake`, { ...args.lake, ...common, protect: args.protect }, parent);
        this.catalog = new Catalog(
            `${name}-catalog`,
            {
                databaseName: glueDatabaseName(name, pulumi.getStack()),
                lake: this.lake,
                glueVersion: args.glue.version,
                workerType: args.glue.workerType,
                workers: args.glue.workers,
                etlSchedule: args.glue.etlSchedule,
                timeoutMinutes: args.glue.timeoutMinutes,
                logRetentionDays: args.glue.logRetentionDays,
                ...common,
                protect: args.protect,
            },
            parent,
        );
        this.delivery = new Delivery(`${name}-delivery`, { stream: this.stream, lake: this.lake, catalog: this.catalog, ...args.delivery, ...common }, parent);

        const emr = args.emr;
        this.emrMode = emr.mode;
        const placement = { lake: this.lake, vpcId: args.vpcId, subnetIds: args.privateSubnetIds, releaseLabel: emr.releaseLabel, jobIntervalHours: emr.jobIntervalHours, ...common };
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
