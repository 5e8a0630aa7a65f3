"""Spark job (EMR Serverless or an EMR cluster step): daily event counts from curated events.

Recomputes the last --lookback-days days (late events land in past dates) and replaces exactly
those date partitions of the output (dynamic partition overwrite), so a rerun is idempotent.

  spark-submit daily_aggregates.py --input s3://<curated>/events/ --output s3://<curated>/aggregates/daily_event_counts/ --lookback-days 3
"""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="curated events (Parquet, partitioned by event_date)")
    parser.add_argument("--output", required=True, help="where the daily counts go (Parquet, partitioned by event_date)")
    parser.add_argument("--lookback-days", type=int, default=3, help="days before today to recompute")
    return parser.parse_args(argv)


def daily_counts(events, since):
    return (
        events.where(F.col("event_date") >= since)
        .groupBy("event_date", "event_type")
        .agg(
            F.count(F.lit(1)).alias("events"),
            F.countDistinct("subject_id").alias("unique_subjects"),
            F.min("occurred_at").alias("first_at"),
            F.max("occurred_at").alias("last_at"),
        )
    )


def main():
    args = parse_args()
    spark = (
        SparkSession.builder.appName("daily-event-aggregates")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .getOrCreate()
    )
    since = F.date_sub(F.current_date(), args.lookback_days)
    counts = daily_counts(spark.read.parquet(args.input), since)
    counts.write.mode("overwrite").partitionBy("event_date").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
