import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:analytics`: Kinesis -> Firehose -> S3 data lake -> Glue -> EMR. */
export const schema = z.strictObject({
    stream: z.strictObject({
        mode: z.enum(["ON_DEMAND", "PROVISIONED"]).describe("Kinesis capacity mode; provisioned shards are sized from the peak ingest."),
        peakRecordsPerSecond: z.number().positive().describe("Peak ingest the provisioned stream must absorb, in records per second."),
        peakKiBPerSecond: z.number().positive().describe("Peak ingest in KiB per second."),
        retentionHours: z.int().min(24).max(8760).describe("Hours records stay in the stream (24 to 8760)."),
    }),
    emr: z.strictObject({
        mode: z.enum(["serverless", "cluster"]).describe("EMR Serverless application, or an EMR cluster for heavy batch."),
    }),
});
export type AnalyticsConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<AnalyticsConfig> = {
    dev: { stream: { mode: "ON_DEMAND", peakRecordsPerSecond: 100, peakKiBPerSecond: 100, retentionHours: 24 }, emr: { mode: "serverless" } },
    prod: { stream: { mode: "PROVISIONED", peakRecordsPerSecond: 5000, peakKiBPerSecond: 4096, retentionHours: 168 }, emr: { mode: "cluster" } },
};
