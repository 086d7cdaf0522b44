"""Near-duplicate detection on Spark, with the groups one ``story-cluster
dedup`` run finds, byte for byte.

Every stage is a DataFrame ``mapInArrow`` over the functions in
``story_cluster.stages``; the cluster's shuffles (``groupBy``, ``join``) do
the grouping between them, never a Python RDD. Connected components are
found on the driver when there are at most ``driver_limit`` verified pairs,
and by label propagation over DataFrames above it.

Run it with ``spark-submit`` or ``python -m story_cluster.spark``::

    python -m story_cluster.spark corpus.jsonl.gz -o groups.tsv
    python -m story_cluster.spark 's3://bucket/corpus/*.parquet' -o groups.tsv

Inputs are JSON lines (gzip too) or Parquet with the columns of a
story-cluster corpus (``id``, ``text``, optional ``title``, ``date``,
``url``, ``source``). Ids must be unique: a single run keeps the first of
repeated ids, which a cluster cannot tell; the job stops on them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable, Iterable, Iterator

import pyarrow as pa

from story_cluster import stages

#: Verified pairs up to which components are found on the driver.
DRIVER_LIMIT = 5_000_000

_LONG_MAX = 2**63 - 1


def _each(job: Callable[[pa.RecordBatch], pa.RecordBatch]):
    """A ``mapInArrow`` function applying ``job`` to every batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield job(batch)

    return run


class Timer:
    """Wall-clock time per stage, printed to stderr when ``verbose``."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.times: dict[str, float] = {}
        self._start = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.times[stage] = now - self._start
        self._start = now
        if self.verbose:
            print(f"story-cluster spark: {stage}: {self.times[stage]:.1f} s", file=sys.stderr)


def read(spark, paths: list[str]):
    """The input rows of JSON lines or Parquet files."""
    if all(p.rstrip("/").endswith(".parquet") for p in paths):
        return spark.read.parquet(*paths)
    return spark.read.text(paths)


def dedup(
    spark,
    paths: list[str],
    threshold: float = 0.8,
    jsonl: bool = False,
    driver_limit: int = DRIVER_LIMIT,
    partitions: int | None = None,
    verbose: bool = False,
) -> bytes:
    """The ``dedup`` report (TSV, or JSON lines when ``jsonl``) of the
    corpus at ``paths``."""
    from pyspark.sql import functions as F

    settings = stages.settings(threshold)
    timer = Timer(verbose)
    raw = read(spark, paths)
    if partitions:
        raw = raw.repartition(partitions)
    origin = ",".join(paths)
    records = raw.mapInArrow(_each(lambda b: stages.records(b, origin)), stages.RECORDS_DDL)
    records = records.cache()
    problems = records.filter(F.col("problem").isNotNull())
    problem_count = problems.count()
    if problem_count:
        first = problems.select("problem").first()[0]
        print(
            f"story-cluster spark: {problem_count} input rows skipped (first: {first})",
            file=sys.stderr,
        )
    docs = records.filter(F.col("problem").isNull()).drop("problem").cache()
    repeated = docs.groupBy("id").count().filter(F.col("count") > 1).select("id").first()
    if repeated is not None:
        raise ValueError(f"id '{repeated[0]}' repeats: ids must be unique")
    documents = docs.count()
    records.unpersist()
    timer.done("read")

    # The corpus-wide findings: boilerplate lines and site names.
    lines = docs.mapInArrow(_each(stages.lines), stages.LINES_DDL).cache()
    occurrences = lines.select("id", F.explode("lines").alias("line"))
    frequent = (
        occurrences.groupBy("line")
        .count()
        .filter(F.col("count") >= stages.min_documents(documents, settings))
        .select("line")
    )
    holders = (
        occurrences.join(frequent, "line")
        .join(lines.select("id", "body_signature"), "id")
        .groupBy("line")
        .agg(F.collect_list(F.struct("id", "body_signature")).alias("holders"))
    )
    boilerplate = holders.mapInArrow(
        _each(lambda b: stages.boilerplate_lines(b, documents, settings)),
        stages.BOILERPLATE_LINES_DDL,
    )
    boilerplate_lines = sorted(r[0] for r in boilerplate.collect())
    site_tails = sorted(
        r[0]
        for r in lines.select(F.explode(F.arrays_zip("tails", "heads")).alias("t"))
        .select("t.tails", "t.heads")
        .distinct()
        .groupBy("tails")
        .count()
        .filter(F.col("count") >= stages.SITE_TAIL_MIN_HEADS)
        .collect()
    )
    table = stages.table(boilerplate_lines, site_tails)
    lines.unpersist()
    timer.done("lines and boilerplate")

    signed = docs.mapInArrow(_each(lambda b: stages.sign(b, table, settings)), stages.SIGNED_DDL)
    signed = signed.cache()
    signed.count()
    timer.done("sign")

    buckets = (
        signed.select("id", F.posexplode("keys").alias("band", "key"))
        .groupBy("band", "key")
        .agg(F.collect_list("id").alias("ids"))
        .filter(F.size("ids") > 1)
        .select("ids")
    )
    pairs = buckets.mapInArrow(_each(stages.bucket_pairs), stages.PAIRS_DDL).distinct()
    texts = signed.select("id", "text")
    verified = _with_texts(pairs, texts).mapInArrow(
        _each(lambda b: stages.verify(b, settings)), stages.VERIFIED_DDL
    )
    verified = verified.cache()
    verified_count = verified.count()
    timer.done("candidates and verify")

    if verified_count <= driver_limit:
        members = _group_on_driver(verified, signed, settings)
    else:
        members = _group_distributed(verified, signed, settings)
    out = stages.report(members, jsonl)
    timer.done("group")
    return out


def _with_texts(pairs, texts):
    """Pairs ``a``, ``b`` with both documents' texts."""
    text_a = texts.withColumnRenamed("id", "a").withColumnRenamed("text", "text_a")
    text_b = texts.withColumnRenamed("id", "b").withColumnRenamed("text", "text_b")
    return pairs.join(text_a, "a").join(text_b, "b").select("a", "b", "text_a", "text_b")


def _to_batch(df) -> pa.RecordBatch:
    table = df.toArrow().combine_chunks()
    batches = table.to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _group_on_driver(verified, signed, settings: str) -> pa.RecordBatch:
    """Components in one process, on the driver."""
    from pyspark.sql import functions as F

    ids = verified.select(F.col("a").alias("id")).union(verified.select(F.col("b").alias("id")))
    involved = signed.join(ids.distinct(), "id", "leftsemi").select("id", "time", "text", "keys")
    return stages.group(_to_batch(verified), _to_batch(involved), settings)


def _group_distributed(verified, signed, settings: str) -> pa.RecordBatch:
    """Components by label propagation over DataFrames (each document takes
    the smallest id among its neighbours' labels until none changes), then
    each component's representative (earliest time, then smallest id) and
    every member's similarity to it: from its verified pair where there is
    one, else computed. Only the members come to the driver."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    edges = verified.select(F.col("a").alias("src"), F.col("b").alias("dst"))
    edges = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"))).cache()
    labels = edges.select(F.col("src").alias("id")).distinct().withColumn("label", F.col("id"))
    while True:
        offered = (
            edges.join(labels, edges.src == labels.id)
            .groupBy(F.col("dst").alias("id"))
            .agg(F.min("label").alias("offered"))
        )
        updated = (
            labels.join(offered, "id", "left")
            .select("id", F.least("label", F.coalesce("offered", "label")).alias("label"))
            .localCheckpoint()
        )
        changed = updated.join(labels.withColumnRenamed("label", "old"), "id").filter(
            F.col("label") != F.col("old")
        )
        done = changed.first() is None
        labels = updated
        if done:
            break

    times = signed.select("id", F.coalesce("time", F.lit(_LONG_MAX)).alias("t"))
    ranked = labels.join(times, "id").withColumn(
        "rank", F.row_number().over(Window.partitionBy("label").orderBy("t", "id"))
    )
    representatives = ranked.filter(F.col("rank") == 1).select(
        "label", F.col("id").alias("representative")
    )
    members = labels.join(representatives, "label").select("id", "representative")
    pair = members.select(
        "id",
        "representative",
        F.least("id", "representative").alias("a"),
        F.greatest("id", "representative").alias("b"),
    )
    known = pair.join(verified, ["a", "b"], "left")
    itself = known.filter(F.col("id") == F.col("representative")).select(
        "id", "representative", F.lit(1.0).alias("jaccard")
    )
    verified_ones = known.filter(
        (F.col("id") != F.col("representative")) & F.col("jaccard").isNotNull()
    ).select("id", "representative", "jaccard")
    missing = known.filter(
        (F.col("id") != F.col("representative")) & F.col("jaccard").isNull()
    ).select("id", "representative", "a", "b")
    scored = (
        _with_texts(missing.select("a", "b"), signed.select("id", "text"))
        .mapInArrow(_each(lambda b: stages.verify(b, settings, all=True)), stages.VERIFIED_DDL)
        .join(missing, ["a", "b"])
        .select("id", "representative", "jaccard")
    )
    return _to_batch(itself.union(verified_ones).union(scored))


def session(
    app: str,
    master: str | None = None,
    conf: Iterable[str] = (),
    error: Callable[[str], None] | None = None,
):
    """A Spark session for a job: its ``master`` (else Spark's own setting),
    ``KEY=VALUE`` settings, no console progress bars, and Python workers
    running this interpreter (where story_cluster is installed) unless the
    environment or Spark's configuration names another."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app).config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    for setting in conf:
        key, equals, value = setting.partition("=")
        if not equals:
            message = f"--conf {setting}: expected KEY=VALUE"
            if error is None:
                raise ValueError(message)
            error(message)
        builder = builder.config(key, value)
    return builder.getOrCreate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m story_cluster.spark",
        description="Near-duplicate groups of a corpus on Spark, as `story-cluster dedup` reports them.",
    )
    parser.add_argument("paths", nargs="+", help="JSON lines (.jsonl, .jsonl.gz) or .parquet files")
    parser.add_argument("-o", "--output", help="write the report here (default: standard output)")
    parser.add_argument("--threshold", type=float, default=0.8, help="Jaccard threshold (0.8)")
    parser.add_argument("--jsonl", action="store_true", help="JSON lines rows instead of TSV")
    parser.add_argument("--master", help="Spark master URL (default: Spark's own setting)")
    parser.add_argument(
        "--driver-limit",
        type=int,
        default=DRIVER_LIMIT,
        help=f"verified pairs up to which components are found on the driver ({DRIVER_LIMIT})",
    )
    parser.add_argument("--partitions", type=int, help="repartition the input into this many parts")
    parser.add_argument("--timings", action="store_true", help="print each stage's time on stderr")
    parser.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting (repeatable), e.g. spark.sql.shuffle.partitions=64",
    )
    args = parser.parse_args(argv)

    spark = session("story-cluster dedup", args.master, args.conf, parser.error)
    try:
        report = dedup(
            spark,
            args.paths,
            threshold=args.threshold,
            jsonl=args.jsonl,
            driver_limit=args.driver_limit,
            partitions=args.partitions,
            verbose=args.timings,
        )
    finally:
        spark.stop()
    if args.output:
        with open(args.output, "wb") as out:
            out.write(report)
    else:
        sys.stdout.buffer.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
