"""Glue ETL job: raw events (Parquet from Firehose) -> curated events.

Reads the raw zone incrementally: the job bookmark (transformation_ctx "raw_events") remembers
which files earlier runs read, so each run sees only what Firehose delivered since. Drops events
missing their id, type or time, removes duplicates (a producer retry can deliver an event twice),
normalises the type and writes Parquet to the curated zone partitioned by event date (UTC).

Arguments (the job's default arguments): --raw_path s3://<raw>/events/  --curated_path s3://<curated>/events/
"""
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

ARGS = getResolvedOptions(sys.argv, ["JOB_NAME", "raw_path", "curated_path"])
REQUIRED = ["event_id", "event_type", "occurred_at"]

glue = GlueContext(SparkContext.getOrCreate())
job = Job(glue)
job.init(ARGS["JOB_NAME"], ARGS)

raw = glue.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [ARGS["raw_path"]], "recurse": True},
    format="parquet",
    transformation_ctx="raw_events",
)

events = raw.toDF()
if events.columns:
    curated = (
        events.dropna(subset=REQUIRED)
        .dropDuplicates(["event_id"])
        .withColumn("event_type", F.lower(F.trim(F.col("event_type"))))
        .withColumn("event_date", F.to_date(F.col("occurred_at")))
        .select("event_id", "event_type", "occurred_at", "source", "subject_id", "attributes", "payload", "event_date")
    )
    glue.write_dynamic_frame.from_options(
        frame=DynamicFrame.fromDF(curated, glue, "curated_events"),
        connection_type="s3",
        connection_options={"path": ARGS["curated_path"], "partitionKeys": ["event_date"]},
        format="glueparquet",
        format_options={"compression": "snappy"},
        transformation_ctx="curated_events",
    )

# Commits the bookmark: the files read above are not read again.
job.commit()
