"""Stories of a large corpus on Spark, one time window at a time.

A story is one event, bounded in time, so a corpus too large for one
machine can be cut into time windows and each window's stories found on
its own, all windows in parallel. Each window (a week by default, by the
documents' dates as story-cluster reads them; undated documents form one
window of their own) goes to one task, which runs ``analyse`` on it; the
output is one row per document: its window, story and similarity.

    python examples/stories_by_window.py corpus.jsonl.gz -o stories.parquet --days 7

An event that straddles a window's edge is cut in two: choose windows much
wider than a story's span (stories' time scale is 3 days), or run a second
pass with windows shifted by half and keep, per document, the story from
the pass where it lies further from the edge. Threads (developing subjects
over weeks) need the stories of several windows together: run the thread
level on the stories' centroids, or on a sample, on one machine.
"""

from __future__ import annotations

import argparse
import sys

import pyarrow as pa

from story_cluster import analyse, stages
from story_cluster.spark import read, session

#: The output rows.
SCHEMA = "window bigint, id string, story string, similarity double"


def window_stories(table: pa.Table) -> pa.Table:
    """The stories of one window's documents."""
    window = table.column("window")[0].as_py()
    records = [
        {k: r[k] for k in ("id", "title", "text", "date", "url", "source") if r[k] is not None}
        for r in table.to_pylist()
    ]
    report = analyse(records)
    rows = [
        {"window": window, "id": m["id"], "story": s["id"], "similarity": m["similarity"]}
        for s in report["stories"]
        for m in s["members"]
    ]
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [("window", pa.int64()), ("id", pa.string()), ("story", pa.string()), ("similarity", pa.float64())]
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-o", "--output", required=True, help="a Parquet folder to write")
    parser.add_argument("--days", type=int, default=7, help="window length in days (7)")
    parser.add_argument("--master")
    args = parser.parse_args()

    from pyspark.sql import functions as F

    spark = session("story-cluster stories by window", args.master)
    try:
        rows = read(spark, args.paths)
        records = rows.mapInArrow(
            lambda batches: (stages.records(b) for b in batches if b.num_rows),
            stages.RECORDS_DDL,
        )
        docs = records.filter(F.col("problem").isNull()).drop("problem")
        windowed = docs.withColumn("window", F.floor(F.col("time") / (args.days * 86400)).cast("bigint"))
        stories = windowed.groupBy("window").applyInArrow(window_stories, SCHEMA)
        stories.write.mode("overwrite").parquet(args.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
