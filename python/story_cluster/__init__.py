"""story-cluster from Python: near-duplicate groups and stories of news.

Records are mappings with ``id`` and ``text`` and optional ``title``,
``date`` (text, Unix seconds, or a ``datetime``), ``url`` and ``source``,
read exactly as the items of a JSON file
given to the ``story-cluster`` command: same checks, same date forms. A bad
record does not raise; it is listed under ``"problems"`` in the result, as
the command line lists it on stderr. Results are the JSON reports the
command line writes (``dedup -f json``, ``run -f json``), as Python objects.

>>> from story_cluster import dedup
>>> text = "A strong earthquake struck the northern coast on Tuesday, damaging roads."
>>> report = dedup([{"id": "a", "text": text}, {"id": "b", "text": text + " Officials said."}])
>>> [m["id"] for m in report["groups"][0]["members"]]
['a', 'b']
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Iterable, Mapping

from ._story_cluster import MinHasher, analyse_json, dedup_json

__all__ = ["MinHasher", "analyse", "dedup"]


def _plain(value: Any) -> Any:
    """A ``date`` given as a ``datetime`` or ``date`` goes as ISO 8601 (a
    naive time is taken as UTC, as the command line takes one)."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _records_json(records: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps([dict(r) for r in records], ensure_ascii=False, default=_plain)


def dedup(records: Iterable[Mapping[str, Any]], threshold: float = 0.8) -> dict[str, Any]:
    """Near-duplicate groups of ``records``.

    Documents whose character 5-shingle sets have an exact Jaccard
    similarity of ``threshold`` or more (found by MinHash and LSH, then
    verified) share a group. Returns the ``story-cluster/dedup/v1`` report:
    ``summary``, ``settings``, ``groups`` (each with ``id``,
    ``representative`` and ``members``, every member with its ``jaccard`` to
    the representative) and ``problems``.
    """
    return json.loads(dedup_json(_records_json(records), float(threshold)))


def analyse(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Stories, threads and near-duplicate groups of ``records``.

    Returns the ``story-cluster/report/v1`` report (its schema is in
    ``docs/report-schema.md``): ``stories`` (each with ``members`` and their
    ``similarity`` to the story, and ``substories``), ``threads``,
    ``duplicate_groups``, ``documents`` and ``problems``. Raises
    ``ValueError`` when no record is a document.
    """
    return json.loads(analyse_json(_records_json(records)))
