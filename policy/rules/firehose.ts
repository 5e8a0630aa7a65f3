/** Data Firehose rules: encryption, S3 delivery settings, logging, format conversion tables. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { at, isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";

const GLUE_TABLE = "aws:glue/catalogTable:CatalogTable";

const GLUE_DATABASE = "aws:glue/catalogDatabase:CatalogDatabase";

/** Firehose's minimum buffer (MiB) with dynamic partitioning or record format conversion. */
const MIN_CONVERSION_BUFFER_MIB = 64;

export const firehosePolicies: PlatformPolicy[] = [
    {
        name: "firehose-encrypted",
        description: "Firehose streams that take direct puts encrypt at rest (streams reading Kinesis inherit the source stream's encryption).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (p, _a, report) => {
            const directPut = !p.kinesisSourceConfiguration && !p.mskSourceConfiguration;
            if (directPut && p.serverSideEncryption?.enabled !== true) report("takes direct puts without server-side encryption");
        }),
    },
    {
        name: "firehose-s3-delivery-valid",
        description:
            "Firehose S3 delivery is one AWS accepts: expressions in the prefix need an error output prefix, partition keys need dynamic partitioning, and partitioning or format conversion need a buffer of at least 64 MiB.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (p, _a, report) => {
            const s3 = p.extendedS3Configuration;
            if (!s3) return;
            const prefix = s3.prefix ?? "";
            const errorPrefix = s3.errorOutputPrefix;
            const partitioning = s3.dynamicPartitioningConfiguration?.enabled === true;
            const conversion = s3.dataFormatConversionConfiguration !== undefined && s3.dataFormatConversionConfiguration.enabled !== false;
            if (/!\{/.test(prefix) && !errorPrefix) report("uses expressions in its prefix without an errorOutputPrefix");
            if (/!\{partitionKeyFrom(Query|Lambda):/.test(prefix) && !partitioning)
                report("uses partition keys in its prefix without dynamic partitioning enabled");
            if (partitioning && !errorPrefix) report("enables dynamic partitioning without an errorOutputPrefix");
            if (errorPrefix && /!\{partitionKeyFrom/.test(errorPrefix)) report("uses partition keys in its errorOutputPrefix, which AWS rejects");
            if ((partitioning || conversion) && (s3.bufferingSize ?? 5) < MIN_CONVERSION_BUFFER_MIB) {
                report(
                    `buffers ${s3.bufferingSize ?? 5} MiB; ${partitioning ? "dynamic partitioning" : "record format conversion"} needs at least ${MIN_CONVERSION_BUFFER_MIB}`,
                );
            }
        }),
    },
    {
        name: "firehose-logging",
        description: "Firehose S3 delivery logs its errors to CloudWatch.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (p, _a, report) => {
            if (p.extendedS3Configuration && p.extendedS3Configuration.cloudwatchLoggingOptions?.enabled !== true)
                report("logs no delivery errors to CloudWatch");
        }),
    },
    {
        name: "firehose-format-conversion-table",
        description: "Firehose record format conversion points at a Glue table this stack declares, in the database it names.",
        enforcementLevel: "mandatory",
        covers: [FIREHOSE, GLUE_TABLE, GLUE_DATABASE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const tables = g.ofType(GLUE_TABLE);
            const databases = g.ofType(GLUE_DATABASE);
            for (const f of g.ofType(FIREHOSE)) {
                const schema = at(f.props.extendedS3Configuration, "dataFormatConversionConfiguration.schemaConfiguration");
                if (!schema || isUnknown(schema)) continue;
                const databaseName = at(schema, "databaseName");
                const tableName = at(schema, "tableName");
                if (typeof databaseName !== "string" || typeof tableName !== "string") continue;
                // A database declared elsewhere is out of this stack's sight.
                if (!databases.some((d) => d.props.name === databaseName) && !tables.some((t) => t.props.databaseName === databaseName)) continue;
                if (tables.some((t) => isUnknown(t.props.name) || isUnknown(t.props.databaseName))) continue;
                if (!tables.some((t) => t.props.name === tableName && t.props.databaseName === databaseName)) {
                    report(
                        `converts records with table ${databaseName}.${tableName}, which this stack doesn't declare; every record would land in the error prefix`,
                        f.urn,
                    );
                }
            }
        },
    },
];
