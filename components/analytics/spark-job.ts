import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Permission } from "../grants";
import { ServiceRole, type Statement } from "../iam";
import type { DataLake } from "./lake";
import { CURATED_AGGREGATES_PREFIX, CURATED_EVENTS_PREFIX, PIPELINES_DIR } from "./layout";

/** The Spark job's script, as committed and as uploaded. */
export const SPARK_SCRIPT = "daily_aggregates.py";

/** The Spark job: its script in the assets bucket and its arguments. */
export interface SparkJob {
    /** s3:// URI of the script. */
    entryPoint: pulumi.Output<string>;
    /** Arguments after the script. */
    arguments: pulumi.Output<string[]>;
}

/** Uploads the Spark job's script to the assets bucket and describes how it is invoked. */
export function sparkJob(name: string, lake: DataLake, kmsKeyArn: pulumi.Input<string>, parent: pulumi.Resource): SparkJob {
    const script = new aws.s3.BucketObjectv2(
        `${name}-script`,
        {
            bucket: lake.assets.name,
            key: `${PIPELINES_DIR}/${SPARK_SCRIPT}`,
            source: new pulumi.asset.FileAsset(path.join(__dirname, "..", "..", PIPELINES_DIR, SPARK_SCRIPT)),
            contentType: "text/x-python",
            serverSideEncryption: "aws:kms",
            kmsKeyId: kmsKeyArn,
        },
        { parent },
    );
    return {
        entryPoint: pulumi.interpolate`s3://${script.bucket}/${script.key}`,
        arguments: pulumi
            .all([lake.curated.name])
            .apply(([curated]) => [
                "--input",
                `s3://${curated}/${CURATED_EVENTS_PREFIX}/`,
                "--output",
                `s3://${curated}/${CURATED_AGGREGATES_PREFIX}/`,
                "--lookback-days",
                "3",
            ]),
    };
}

/** What the Spark job's runtime identity reads and writes in the lake. */
export function sparkJobLakeAccess(lake: DataLake): Permission[] {
    return [
        lake.readPermission(lake.assets, PIPELINES_DIR, "SparkScripts"),
        lake.readPermission(lake.curated, CURATED_EVENTS_PREFIX, "CuratedEvents"),
        lake.readWritePermission(lake.curated, CURATED_AGGREGATES_PREFIX, "DailyAggregates"),
    ];
}

export interface SparkScheduleArgs {
    /** Runs every this many hours. */
    intervalHours: number;
    /** The universal target, e.g. arn:aws:scheduler:::aws-sdk:emrserverless:startJobRun. */
    targetArn: string;
    /** The API request, as JSON (PascalCase, as the SDK names the request's fields). */
    input: pulumi.Input<string>;
    /** What calling that API takes. */
    statements: Statement[];
    /** The platform KMS key. */
    kmsKeyArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
}

/**
 * Pulumi has no resource for a job run or a step: a run is an API call. An EventBridge Scheduler
 * schedule makes that call (StartJobRun, AddJobFlowSteps) every interval, through a role that may
 * make exactly that call.
 */
export function sparkSchedule(name: string, args: SparkScheduleArgs, parent: pulumi.Resource): aws.scheduler.Schedule {
    const role = new ServiceRole(
        `${name}-role`,
        {
            service: "scheduler.amazonaws.com",
            accountId: args.accountId,
            description: "EventBridge Scheduler: starts the Spark aggregation job",
            statements: [
                ...args.statements,
                // The schedule is encrypted with the platform key; the scheduler decrypts it as this role.
                { Sid: "ScheduleKey", Action: "kms:Decrypt", Resource: args.kmsKeyArn },
            ],
        },
        { parent },
    );
    return new aws.scheduler.Schedule(
        name,
        {
            description: "Runs the Spark daily aggregation job",
            scheduleExpression: `rate(${args.intervalHours} ${args.intervalHours === 1 ? "hour" : "hours"})`,
            flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 15 },
            kmsKeyArn: args.kmsKeyArn,
            target: {
                arn: args.targetArn,
                roleArn: role.arn,
                input: args.input,
                retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
            },
        },
        { parent, dependsOn: [role] },
    );
}

/** What both Spark runners (EMR Serverless and an EMR cluster) need to know of their surroundings. */
export interface SparkPlacementArgs {
    /** The data lake whose buckets the jobs read and write. */
    lake: DataLake;
    /** The VPC of the private subnets. */
    vpcId: pulumi.Input<string>;
    /** Private subnets the Spark workers run in (egress through NAT, S3 through the gateway endpoint). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The platform KMS key. */
    kmsKeyArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
    /** The home region. */
    region: string;
}
