"""The stages of near-duplicate detection over Arrow record batches, for a
cluster engine that hands each task a batch (Spark's ``mapInArrow``, Ray's
``map_batches``, Dask's ``map_partitions``) and does the shuffles between
stages. Needs ``pyarrow``.

Run in order, over every part of a corpus, they find exactly the groups
one ``story-cluster dedup`` run finds (``story_cluster.spark`` is the Spark
job that does it):

1. ``records``: input rows (corpus columns, or JSON lines in ``value``) as
   checked documents, with a ``problem`` for rows that are none;
2. ``lines``: per document, line hashes, title tails and body signature;
3. over the whole corpus: lines held by at least ``min_documents`` documents
   go to ``boilerplate_lines`` (grouped by line), title tails with at least
   ``SITE_TAIL_MIN_HEADS`` different heads are site names: together, the
   boilerplate table (``table``);
4. ``sign``: per document, prepared text and band keys (``keys``, one per
   band);
5. documents sharing a band's key (grouped by band and key) give their
   candidate pairs through ``bucket_pairs``;
6. ``verify``: pairs with both texts, kept at or above the threshold;
7. ``group`` (verified pairs and their documents' signed rows) gives every
   group's members, and ``report`` the ``dedup`` report's TSV or JSON lines.

Hashes are 64-bit integers stored in signed columns (Spark has no unsigned
type). ``settings`` (a JSON string) goes to every stage.
"""

from __future__ import annotations

from typing import Iterable, Union

import pyarrow as pa

from ._story_cluster import stages as _native

__all__ = [
    "SITE_TAIL_MIN_HEADS",
    "boilerplate_lines",
    "bucket_pairs",
    "group",
    "lines",
    "min_documents",
    "records",
    "report",
    "settings",
    "sign",
    "table",
    "verify",
]

Batch = Union[pa.RecordBatch, pa.Table]

#: Fewest different heads before a title tail that is a site's name.
SITE_TAIL_MIN_HEADS: int = _native.site_tail_min_heads()

#: The schemas of each stage's output, as Spark DDL (for ``mapInArrow``).
RECORDS_DDL = (
    "id string, title string, text string, date string, url string, source string,"
    " time bigint, problem string"
)
LINES_DDL = "id string, lines array<bigint>, tails array<bigint>, heads array<bigint>, body_signature binary"
BOILERPLATE_LINES_DDL = "line bigint"
SIGNED_DDL = "id string, time bigint, text string, keys array<bigint>"
PAIRS_DDL = "a string, b string"
VERIFIED_DDL = "a string, b string, jaccard double"


def _ipc(batch: Batch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        if isinstance(batch, pa.Table):
            writer.write_table(batch)
        else:
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def _batch(data: bytes) -> pa.RecordBatch:
    table = pa.ipc.open_stream(data).read_all().combine_chunks()
    batches = table.to_batches()
    if batches:
        return batches[0]
    return pa.RecordBatch.from_pylist([], schema=table.schema)


def settings(threshold: float = 0.8) -> str:
    """The settings (JSON) of a run whose near-duplicates reach ``threshold``."""
    return _native.settings_json(float(threshold))


def min_documents(documents: int, settings: str) -> int:
    """Fewest documents a line must be in to be boilerplate, in a corpus of
    ``documents``."""
    return _native.min_documents(int(documents), settings)


def records(batch: Batch, origin: str = "input") -> pa.RecordBatch:
    """Input rows as checked documents: ``id``, ``title``, ``text``,
    ``date``, ``url``, ``source`` (strings), ``time`` (Unix seconds as the
    date reader makes them, null when undated), and ``problem`` (null for a
    document; for a row that is none, why, naming ``origin`` and the row
    within the batch)."""
    return _batch(_native.records(_ipc(batch), origin))


def lines(documents: Batch) -> pa.RecordBatch:
    """Per document: ``id``, ``lines`` (its line hashes), ``tails`` and
    ``heads`` (its title's), ``body_signature``."""
    return _batch(_native.lines(_ipc(documents)))


def boilerplate_lines(grouped: Batch, documents: int, settings: str) -> pa.RecordBatch:
    """The ``line``s that are boilerplate, of a batch with ``line`` and
    ``holders`` (a list of ``{id, body_signature}`` of every document holding
    it) in a corpus of ``documents``."""
    return _batch(_native.boilerplate_lines(_ipc(grouped), int(documents), settings))


def table(lines: Iterable[int], site_tails: Iterable[int]) -> pa.RecordBatch:
    """The boilerplate table ``sign`` takes."""
    lines, site_tails = list(lines), list(site_tails)
    return pa.RecordBatch.from_pydict(
        {
            "kind": ["line"] * len(lines) + ["site_tail"] * len(site_tails),
            "hash": pa.array(lines + site_tails, type=pa.int64()),
        }
    )


def sign(documents: Batch, table: Batch, settings: str) -> pa.RecordBatch:
    """Per document: ``id``, ``time`` (Unix seconds or null), prepared
    ``text``, band ``keys``."""
    return _batch(_native.sign(_ipc(documents), _ipc(table), settings))


def bucket_pairs(buckets: Batch) -> pa.RecordBatch:
    """The candidate pairs (``a`` < ``b``) of a batch of buckets, each an
    ``ids`` list of the documents sharing one band's key."""
    return _batch(_native.bucket_pairs(_ipc(buckets)))


def verify(pairs: Batch, settings: str, all: bool = False) -> pa.RecordBatch:
    """Pairs (``a``, ``b``, ``text_a``, ``text_b``) at or above the
    threshold, with their exact ``jaccard``; every pair's when ``all``."""
    return _batch(_native.verify(_ipc(pairs), settings, bool(all)))


def group(verified: Batch, signed: Batch, settings: str) -> pa.RecordBatch:
    """Every group's members (``id``, ``representative``, ``jaccard``) from
    the verified pairs and the signed rows of their documents."""
    return _batch(_native.group(_ipc(verified), _ipc(signed), settings))


def report(members: Batch, jsonl: bool = False) -> bytes:
    """The ``dedup`` report's rows (TSV with its header, or JSON lines) of
    every group's members, given in any order."""
    return _native.report(_ipc(members), bool(jsonl))
