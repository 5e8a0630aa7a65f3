import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OCCURRED_AT_FORMAT } from "../../services/analytics/event";
import { permissionStatements } from "../grants";
import { policyDocument } from "../iam";
import type { Catalog } from "./catalog";
import type { DataLake } from "./lake";
import { FIREHOSE_PARTITION_VALUES, RAW_ERRORS_PREFIX, RAW_EVENTS_PREFIX, rawPartitionPath } from "./layout";
import type { EventStream } from "./stream";
import { stackScoped } from "../names";

export interface DeliveryArgs {
    /** The Kinesis stream Firehose reads. */
    stream: EventStream;
    /** The lake whose raw zone Firehose writes. */
    lake: DataLake;
    /** The catalog whose raw events table gives the Parquet schema. */
    catalog: Catalog;
    /** Buffer size in MiB (64 to 128: format conversion needs at least 64). */
    bufferSizeMiB: number;
    /** Seconds Firehose buffers at most. */
    bufferIntervalSeconds: number;
    /** Days delivery error logs are kept. */
    logRetentionDays: number;
    /** The platform KMS key. */
    kmsKeyArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
    /** The home region. */
    region: string;
}

/** Record format conversion needs at least this buffer; the API otherwise accepts 1 to 128 MiB. */
export const MIN_CONVERSION_BUFFER_MIB = 64;
const LOG_STREAM = "DestinationDelivery";

/** The raw zone's keys: events/year=!{timestamp:yyyy}/month=.../hour=.../ (arrival time, UTC). */
export const FIREHOSE_PREFIX = `${RAW_EVENTS_PREFIX}/${rawPartitionPath((k) => FIREHOSE_PARTITION_VALUES[k])}`;
/**
 * Where records that fail conversion or delivery go. A prefix with expressions requires an error
 * prefix, and the error prefix must name the error type.
 */
export const FIREHOSE_ERROR_PREFIX = `${RAW_ERRORS_PREFIX}/!{firehose:error-output-type}/${rawPartitionPath((k) => FIREHOSE_PARTITION_VALUES[k])}`;

/**
 * The Firehose delivery stream from the Kinesis stream to the raw zone: it converts the JSON
 * events to Parquet with the schema of the catalog's raw events table and writes them under
 * hour partitions, SSE-KMS with the platform key, logging delivery errors to CloudWatch.
 * (Server-side encryption of Firehose's own buffer applies only to Direct PUT streams; with a
 * Kinesis source the records stay encrypted in the KMS-encrypted stream.)
 */
export class Delivery extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: DeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:Delivery", name, {}, opts);
        if (args.bufferSizeMiB < MIN_CONVERSION_BUFFER_MIB || args.bufferSizeMiB > 128) {
            throw new RangeError(
                `${name}: bufferSizeMiB ${args.bufferSizeMiB} must be 64 to 128: Firehose record format conversion needs a buffer of at least 64 MiB`,
            );
        }
        const { lake, catalog, stream } = args;

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/aws/kinesisfirehose/${stackScoped(name)}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const logStream = new aws.cloudwatch.LogStream(`${name}-log-stream`, { logGroupName: logGroup.name, name: LOG_STREAM }, { parent: this });

        // Firehose passes the account id as the external id when it assumes its role.
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Firehose: reads the analytics stream, converts with the catalog schema, writes the raw zone",
                assumeRolePolicy: policyDocument([
                    {
                        Action: "sts:AssumeRole",
                        Principal: { Service: "firehose.amazonaws.com" },
                        Condition: { StringEquals: { "sts:ExternalId": args.accountId } },
                    },
                ]),
            },
            { parent: this },
        );
        const access = new aws.iam.RolePolicy(
            `${name}-role-access`,
            {
                role: role.name,
                policy: policyDocument([
                    ...permissionStatements(
                        stream.readPermission(),
                        lake.readWritePermission(lake.raw, RAW_EVENTS_PREFIX, "RawEvents"),
                        lake.readWritePermission(lake.raw, RAW_ERRORS_PREFIX, "RawErrors"),
                        catalog.schemaReadPermission(),
                    ),
                    { Sid: "DeliveryLogs", Action: "logs:PutLogEvents", Resource: pulumi.interpolate`${logGroup.arn}:log-stream:${logStream.name}` },
                ]),
            },
            { parent: this },
        );

        const firehose = new aws.kinesis.FirehoseDeliveryStream(
            name,
            {
                destination: "extended_s3",
                kinesisSourceConfiguration: { kinesisStreamArn: stream.arn, roleArn: role.arn },
                extendedS3Configuration: {
                    roleArn: role.arn,
                    bucketArn: lake.raw.arn,
                    prefix: FIREHOSE_PREFIX,
                    errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
                    bufferingSize: args.bufferSizeMiB,
                    bufferingInterval: args.bufferIntervalSeconds,
                    // Parquet compresses its own pages; Firehose requires UNCOMPRESSED with format conversion.
                    compressionFormat: "UNCOMPRESSED",
                    kmsKeyArn: args.kmsKeyArn,
                    cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
                    dataFormatConversionConfiguration: {
                        enabled: true,
                        inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: [OCCURRED_AT_FORMAT] } } },
                        outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                        schemaConfiguration: {
                            catalogId: args.accountId,
                            region: args.region,
                            databaseName: catalog.databaseName,
                            tableName: catalog.rawEventsTableName,
                            roleArn: role.arn,
                            versionId: "LATEST",
                        },
                    },
                },
            },
            // Firehose checks its role's access when the stream is created.
            { parent: this, dependsOn: [access] },
        );

        this.name = firehose.name;
        this.arn = firehose.arn;
        this.roleArn = role.arn;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
