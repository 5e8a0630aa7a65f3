import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const s3Dest = (extra: Record<string, unknown> = {}) => ({
    roleArn: "r",
    bucketArn: "arn:aws:s3:::lake",
    bufferingSize: 64,
    cloudwatchLoggingOptions: { enabled: true, logGroupName: "g", logStreamName: "s" },
    ...extra,
});
const firehose = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", name, {
        destination: "extended_s3",
        kinesisSourceConfiguration: { kinesisStreamArn: "arn:s", roleArn: "r" },
        extendedS3Configuration: s3Dest(),
        ...inputs,
    });
const conversion = (databaseName: string, tableName: string) => ({
    enabled: true,
    inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
    outputFormatConfiguration: { serializer: { parquetSerDe: {} } },
    schemaConfiguration: { databaseName, tableName, roleArn: "r" },
});

describe("Firehose policies", () => {
    describe("firehose-encrypted", () => {
        it("passes a Kinesis-sourced stream and a direct-put one with SSE; flags direct put without", async () => {
            const directOk = firehose("direct-ok", {
                kinesisSourceConfiguration: undefined,
                serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "k" },
            });
            const direct = firehose("direct", { kinesisSourceConfiguration: undefined });
            await expectViolations("firehose-encrypted", [firehose("ok"), directOk, direct], [direct]);
        });
    });

    describe("firehose-s3-delivery-valid", () => {
        it("passes partitioned delivery with an error prefix and a 64 MiB buffer", async () => {
            const ok = firehose("ok", {
                extendedS3Configuration: s3Dest({
                    prefix: "raw/dt=!{timestamp:yyyy-MM-dd}/",
                    errorOutputPrefix: "errors/!{firehose:error-output-type}/",
                    dataFormatConversionConfiguration: conversion("db", "events"),
                }),
            });
            await expectViolations("firehose-s3-delivery-valid", [ok], []);
        });
        it("flags expressions without an error prefix, partition keys without partitioning, and a small buffer with conversion", async () => {
            const noError = firehose("no-error", { extendedS3Configuration: s3Dest({ prefix: "raw/!{timestamp:yyyy}/" }) });
            const keys = firehose("keys", { extendedS3Configuration: s3Dest({ prefix: "raw/!{partitionKeyFromQuery:type}/", errorOutputPrefix: "errors/" }) });
            const small = firehose("small", {
                extendedS3Configuration: s3Dest({ bufferingSize: 5, dataFormatConversionConfiguration: conversion("db", "events") }),
            });
            const v = await expectViolations("firehose-s3-delivery-valid", [noError, keys, small], [noError, keys, small]);
            assert.match(v.find((x) => x.urn === small.urn)!.message, /record format conversion needs at least 64/);
        });
    });

    describe("firehose-logging", () => {
        it("passes CloudWatch error logging and notes none", async () => {
            const bad = firehose("bad", { extendedS3Configuration: s3Dest({ cloudwatchLoggingOptions: undefined }) });
            await expectViolations("firehose-logging", [firehose("ok"), bad], [bad]);
        });
    });

    describe("firehose-format-conversion-table", () => {
        it("passes a conversion pointing at the stack's table and flags a table the stack doesn't declare", async () => {
            const database = resource("aws:glue/catalogDatabase:CatalogDatabase", "db", { name: "analytics" });
            const events = resource("aws:glue/catalogTable:CatalogTable", "events", { name: "events", databaseName: "analytics" });
            const ok = firehose("ok", { extendedS3Configuration: s3Dest({ dataFormatConversionConfiguration: conversion("analytics", "events") }) });
            const typo = firehose("typo", { extendedS3Configuration: s3Dest({ dataFormatConversionConfiguration: conversion("analytics", "event") }) });
            const external = firehose("external", { extendedS3Configuration: s3Dest({ dataFormatConversionConfiguration: conversion("shared", "events") }) });
            await expectViolations("firehose-format-conversion-table", [database, events, ok, typo, external], [typo]);
        });
    });
});
