import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EVENT_COLUMNS } from "../../services/analytics/event";
import { Grants, permissionStatements, type Grantee, type Permission } from "../grants";
import { policyDocument, ServiceRole, type Statement } from "../iam";
import type { DataLake } from "./lake";
import { CURATED_AGGREGATES_PREFIX, CURATED_EVENTS_PREFIX, PARTITION_KEYS, PIPELINES_DIR, RAW_EVENTS_PREFIX, rawPartitionPath } from "./layout";
import { stackName, stackScoped } from "../names";

export interface CatalogArgs {
    /** Glue database name (lowercase letters, digits, underscores). */
    databaseName: string;
    /** The data lake whose buckets the jobs read and write. */
    lake: DataLake;
    /** Glue version of the ETL job ("4.0" or later). */
    glueVersion: string;
    /** Glue worker type, e.g. G.1X. */
    workerType: string;
    /** Workers the ETL job runs on. */
    workers: number;
    /** Glue cron expression the ETL job runs on. */
    etlSchedule: string;
    /** Minutes after which a stuck ETL run is stopped. */
    timeoutMinutes: number;
    /** Days the job and crawler log groups keep their logs. */
    logRetentionDays: number;
    /** The platform KMS key. */
    kmsKeyArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
    /** The home region. */
    region: string;
    /** Pulumi protect on the database and the events table. */
    protect: boolean;
}

/** The table Firehose takes its schema from, named for the zone it describes. */
export const RAW_EVENTS_TABLE = "raw_events";
/** Tables the crawler creates from the curated zone: curated_events, curated_daily_event_counts. */
export const CURATED_TABLE_PREFIX = "curated_";
/** The ETL job's script, as committed and as uploaded. */
export const ETL_SCRIPT = "events_etl.py";

/**
 * A crawler that only visits new folders cannot change existing tables, so Glue requires its
 * schema change policy to only log (CRAWL_NEW_FOLDERS_ONLY needs LOG for both behaviours).
 */
export const CRAWLER_POLICY = {
    recrawlPolicy: { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" },
    schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" },
} as const;

/** Writing to Glue's log groups. A security configuration makes Glue associate the key with its log groups itself. */
function logWrite(sid: string, groups: aws.cloudwatch.LogGroup[]): Statement {
    return {
        Sid: sid,
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
        Resource: groups.flatMap((g) => [g.arn, pulumi.interpolate`${g.arn}:*`]),
    };
}

/**
 * The Glue side of the lake: the catalog database; the raw events table, whose columns are the
 * event schema Firehose converts records with (and which Athena reads through partition
 * projection, since Firehose registers no partitions); the ETL job turning raw into curated,
 * incremental through job bookmarks, run on a schedule; and a crawler cataloguing the curated
 * zone after each successful run. Job, crawler and bookmarks are encrypted by a Glue security
 * configuration with the platform key.
 */
export class Catalog extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly rawEventsTableName: pulumi.Output<string>;
    public readonly etlJobName: pulumi.Output<string>;
    public readonly crawlerName: pulumi.Output<string>;
    public readonly securityConfigurationName: pulumi.Output<string>;
    public readonly catalogArn: pulumi.Output<string>;
    public readonly databaseArn: pulumi.Output<string>;
    public readonly rawEventsTableArn: pulumi.Output<string>;
    private readonly grants: Grants;

    constructor(name: string, args: CatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:Catalog", name, {}, opts);
        this.grants = new Grants(this, name);
        const glueArn = (resource: pulumi.Input<string>) => pulumi.interpolate`arn:aws:glue:${args.region}:${args.accountId}:${resource}`;

        const database = new aws.glue.CatalogDatabase(
            `${name}-database`,
            { name: args.databaseName, description: `Analytics events of the ${stackName()} platform: raw (Firehose) and curated (Glue) zones` },
            { parent: this, protect: args.protect },
        );
        const rawLocation = pulumi.interpolate`s3://${args.lake.raw.name}/${RAW_EVENTS_PREFIX}/`;
        const table = this.rawEventsTable(name, args, database, rawLocation);
        const secName = this.securityConfiguration(name, args).name;
        const job = this.etlJob(name, args, secName, rawLocation);
        const crawler = this.curatedCrawler(name, args, secName, database, glueArn);
        new aws.glue.Trigger(
            `${name}-crawl-after-etl`,
            {
                type: "CONDITIONAL",
                startOnCreation: true,
                description: "Crawls the curated zone after each successful ETL run",
                predicate: { conditions: [{ jobName: job.name, state: "SUCCEEDED", logicalOperator: "EQUALS" }] },
                actions: [{ crawlerName: crawler.name }],
            },
            { parent: this },
        );

        this.databaseName = database.name;
        this.rawEventsTableName = table.name;
        this.etlJobName = job.name;
        this.crawlerName = crawler.name;
        this.securityConfigurationName = secName;
        this.catalogArn = glueArn("catalog");
        this.databaseArn = glueArn(pulumi.interpolate`database/${database.name}`);
        this.rawEventsTableArn = glueArn(pulumi.interpolate`table/${database.name}/${table.name}`);
        this.registerOutputs({
            databaseName: this.databaseName,
            rawEventsTableName: this.rawEventsTableName,
            etlJobName: this.etlJobName,
            crawlerName: this.crawlerName,
        });
    }

    /** The raw events table: the event schema Firehose converts records with, read by Athena through partition projection. */
    private rawEventsTable(name: string, args: CatalogArgs, database: aws.glue.CatalogDatabase, rawLocation: pulumi.Output<string>): aws.glue.CatalogTable {
        return new aws.glue.CatalogTable(
            `${name}-raw-events`,
            {
                databaseName: database.name,
                name: RAW_EVENTS_TABLE,
                description: "Events as Firehose delivers them: Parquet, partitioned by arrival hour (UTC)",
                tableType: "EXTERNAL_TABLE",
                parameters: {
                    EXTERNAL: "TRUE",
                    classification: "parquet",
                    "parquet.compression": "SNAPPY",
                    // Firehose adds no partitions to the catalog; projection computes them from the prefix.
                    "projection.enabled": "true",
                    "projection.year.type": "integer",
                    "projection.year.range": "2024,2124",
                    "projection.month.type": "integer",
                    "projection.month.range": "1,12",
                    "projection.month.digits": "2",
                    "projection.day.type": "integer",
                    "projection.day.range": "1,31",
                    "projection.day.digits": "2",
                    "projection.hour.type": "integer",
                    "projection.hour.range": "0,23",
                    "projection.hour.digits": "2",
                    "storage.location.template": pulumi.interpolate`${rawLocation}${rawPartitionPath((k) => "${" + k + "}")}`,
                },
                partitionKeys: PARTITION_KEYS.map((key) => ({ name: key, type: "string" })),
                storageDescriptor: {
                    location: rawLocation,
                    inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serDeInfo: {
                        name: "parquet",
                        serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                        parameters: { "serialization.format": "1" },
                    },
                    columns: EVENT_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
                },
            },
            { parent: this, protect: args.protect },
        );
    }

    /** Encrypts the job's and the crawler's S3 output, logs and bookmarks with the platform key. */
    private securityConfiguration(name: string, args: CatalogArgs): aws.glue.SecurityConfiguration {
        return new aws.glue.SecurityConfiguration(
            `${name}-security`,
            {
                // Glue names its jobs' log groups after the configuration, so the name stays fixed;
                // every change replaces a configuration, hence delete-before-replace below.
                name: stackScoped(name),
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: args.kmsKeyArn },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: args.kmsKeyArn },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: args.kmsKeyArn },
                },
            },
            // Created before the old one is deleted, the replacement would collide with its name.
            // The jobs and crawler name it, so they find the new one under the same name.
            { parent: this, deleteBeforeReplace: true },
        );
    }

    /** A log group Glue writes to, created first so it carries retention and the platform key. */
    private logGroup(name: string, args: CatalogArgs, suffix: string, groupName: pulumi.Input<string>): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(
            `${name}-${suffix}`,
            { name: groupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
    }

    /** The ETL job (raw -> curated) with its script and its schedule. */
    private etlJob(name: string, args: CatalogArgs, secName: pulumi.Output<string>, rawLocation: pulumi.Output<string>): aws.glue.Job {
        const { lake } = args;
        const script = new aws.s3.BucketObjectv2(
            `${name}-etl-script`,
            {
                bucket: lake.assets.name,
                key: `${PIPELINES_DIR}/${ETL_SCRIPT}`,
                source: new pulumi.asset.FileAsset(path.join(__dirname, "..", "..", PIPELINES_DIR, ETL_SCRIPT)),
                contentType: "text/x-python",
                serverSideEncryption: "aws:kms",
                kmsKeyId: args.kmsKeyArn,
            },
            { parent: this },
        );
        const { role, logs } = this.etlRole(name, args, secName);
        const job = new aws.glue.Job(
            `${name}-etl`,
            {
                description: "Deduplicates and validates raw events and writes them to the curated zone, partitioned by event date",
                roleArn: role.arn,
                glueVersion: args.glueVersion,
                workerType: args.workerType,
                numberOfWorkers: args.workers,
                timeout: args.timeoutMinutes,
                maxRetries: 1,
                // Bookmarks assume one run at a time.
                executionProperty: { maxConcurrentRuns: 1 },
                securityConfiguration: secName,
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: pulumi.interpolate`s3://${script.bucket}/${script.key}` },
                defaultArguments: {
                    "--job-language": "python",
                    "--job-bookmark-option": "job-bookmark-enable",
                    "--enable-continuous-cloudwatch-log": "true",
                    "--enable-metrics": "true",
                    "--TempDir": pulumi.interpolate`s3://${lake.work.name}/glue-temp/`,
                    "--raw_path": rawLocation,
                    "--curated_path": pulumi.interpolate`s3://${lake.curated.name}/${CURATED_EVENTS_PREFIX}/`,
                },
            },
            { parent: this, dependsOn: [...logs] },
        );
        new aws.glue.Trigger(
            `${name}-etl-schedule`,
            {
                type: "SCHEDULED",
                schedule: args.etlSchedule,
                startOnCreation: true,
                actions: [{ jobName: job.name }],
                description: "Runs the ETL job on its schedule",
            },
            { parent: this },
        );
        return job;
    }

    /** The ETL job's role and log groups: read raw, write curated, its scripts and temp space, its logs, its bookmarks' key. */
    private etlRole(name: string, args: CatalogArgs, secName: pulumi.Output<string>): { role: ServiceRole; logs: aws.cloudwatch.LogGroup[] } {
        const { lake } = args;
        const role = new ServiceRole(
            `${name}-etl-role`,
            { service: "glue.amazonaws.com", description: "The Glue ETL job: reads the raw zone, writes the curated zone" },
            { parent: this },
        );
        // With a security configuration Glue writes job logs to groups named after it and the role.
        const logs = [
            this.logGroup(name, args, "etl-output-logs", pulumi.interpolate`/aws-glue/jobs/${secName}-role/${role.name}/output`),
            this.logGroup(name, args, "etl-error-logs", pulumi.interpolate`/aws-glue/jobs/${secName}-role/${role.name}/error`),
            this.logGroup(name, args, "etl-continuous-logs", pulumi.interpolate`/aws-glue/jobs/logs-v2-${secName}`),
        ];
        new aws.iam.RolePolicy(
            `${name}-etl-role-access`,
            {
                role: role.name,
                policy: policyDocument([
                    ...permissionStatements(
                        lake.readPermission(lake.raw, RAW_EVENTS_PREFIX, "RawEvents"),
                        lake.readWritePermission(lake.curated, CURATED_EVENTS_PREFIX, "CuratedEvents"),
                        lake.readPermission(lake.assets, PIPELINES_DIR, "Scripts"),
                        lake.readWritePermission(lake.work, "glue-temp", "GlueTemp"),
                    ),
                    logWrite("JobLogs", logs),
                    // Job bookmarks are client-side encrypted (CSE-KMS): the job calls KMS itself.
                    { Sid: "BookmarkKey", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: args.kmsKeyArn },
                    { Sid: "JobMetrics", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } } },
                ]),
            },
            { parent: this },
        );
        return { role, logs };
    }

    /** The crawler cataloguing the curated zone (events and Spark aggregates) as curated_* tables, with its role and log group. */
    private curatedCrawler(
        name: string,
        args: CatalogArgs,
        secName: pulumi.Output<string>,
        database: aws.glue.CatalogDatabase,
        glueArn: (resource: pulumi.Input<string>) => pulumi.Output<string>,
    ): aws.glue.Crawler {
        const { lake } = args;
        const crawlerRole = new ServiceRole(
            `${name}-crawler-role`,
            { service: "glue.amazonaws.com", description: "The Glue crawler of the curated zone" },
            { parent: this },
        );
        const crawlerLogs = this.logGroup(name, args, "crawler-logs", pulumi.interpolate`/aws-glue/crawlers-role/${crawlerRole.name}-${secName}`);
        const curatedTables = glueArn(pulumi.interpolate`table/${database.name}/${CURATED_TABLE_PREFIX}*`);
        new aws.iam.RolePolicy(
            `${name}-crawler-role-access`,
            {
                role: crawlerRole.name,
                policy: policyDocument([
                    ...permissionStatements(
                        lake.readPermission(lake.curated, CURATED_EVENTS_PREFIX, "CuratedEvents"),
                        lake.readPermission(lake.curated, CURATED_AGGREGATES_PREFIX, "CuratedAggregates"),
                    ),
                    logWrite("CrawlerLogs", [crawlerLogs]),
                    {
                        Sid: "CatalogCuratedTables",
                        Action: [
                            "glue:GetDatabase",
                            "glue:GetTable",
                            "glue:GetTables",
                            "glue:CreateTable",
                            "glue:UpdateTable",
                            "glue:GetPartition",
                            "glue:GetPartitions",
                            "glue:BatchGetPartition",
                            "glue:CreatePartition",
                            "glue:BatchCreatePartition",
                            "glue:UpdatePartition",
                            "glue:BatchUpdatePartition",
                        ],
                        Resource: [glueArn("catalog"), glueArn(pulumi.interpolate`database/${database.name}`), curatedTables],
                    },
                ]),
            },
            { parent: this },
        );
        return new aws.glue.Crawler(
            `${name}-curated-crawler`,
            {
                description: "Catalogues the curated zone (events and Spark aggregates) as curated_* tables",
                databaseName: database.name,
                role: crawlerRole.arn,
                tablePrefix: CURATED_TABLE_PREFIX,
                s3Targets: [CURATED_EVENTS_PREFIX, CURATED_AGGREGATES_PREFIX].map((prefix) => ({
                    path: pulumi.interpolate`s3://${lake.curated.name}/${prefix}/`,
                })),
                securityConfiguration: secName,
                ...CRAWLER_POLICY,
                configuration: JSON.stringify({
                    Version: 1.0,
                    CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
                    Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" },
                }),
            },
            { parent: this, dependsOn: [crawlerLogs] },
        );
    }

    /** Reading the raw events table's schema (Firehose's record format conversion). */
    schemaReadPermission(): Permission {
        return this.grants.permission("schema-read", [
            {
                Sid: "ReadEventSchema",
                Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                Resource: [this.catalogArn, this.databaseArn, this.rawEventsTableArn],
            },
        ]);
    }

    /** Grants `schemaReadPermission` as the policy `<catalog>-schema-read-<grantee>`. */
    grantSchemaRead(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.schemaReadPermission(), grantee);
    }
}
