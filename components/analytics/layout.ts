/**
 * Where things live in the lake, shared by the writers (Firehose, the Glue job, Spark) and the
 * readers (the catalog table, the crawler), so a path is spelled in one place.
 */

/** The committed job scripts' directory, and their key prefix in the assets bucket. */
export const PIPELINES_DIR = "pipelines/analytics";
/** Raw events, under the raw bucket; Firehose's failed records go under RAW_ERRORS_PREFIX. */
export const RAW_EVENTS_PREFIX = "events";
export const RAW_ERRORS_PREFIX = "errors";
/** Curated events (Glue job) and the Spark job's daily aggregates, under the curated bucket. */
export const CURATED_EVENTS_PREFIX = "events";
export const CURATED_AGGREGATES_PREFIX = "aggregates/daily_event_counts";

export type PartitionKey = "year" | "month" | "day" | "hour";
export const PARTITION_KEYS: readonly PartitionKey[] = ["year", "month", "day", "hour"];

/** The raw zone's Hive-style partition path, e.g. year=2026/month=03/day=01/hour=12/. */
export function rawPartitionPath(value: (key: PartitionKey) => string): string {
    return `${PARTITION_KEYS.map((k) => `${k}=${value(k)}`).join("/")}/`;
}

/** Firehose's timestamp expressions (the record's arrival time, UTC) for each partition key. */
export const FIREHOSE_PARTITION_VALUES: Record<PartitionKey, string> = {
    year: "!{timestamp:yyyy}",
    month: "!{timestamp:MM}",
    day: "!{timestamp:dd}",
    hour: "!{timestamp:HH}",
};
