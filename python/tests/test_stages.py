"""The stage functions over Arrow batches, composed by hand as a cluster
would (the corpus in parts, each shuffle a dictionary), give the groups of
one ``dedup`` call on the whole; and the JSON lines a cluster reads are
read as the command line reads them."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

pa = pytest.importorskip("pyarrow")

from story_cluster import dedup, stages  # noqa: E402
from test_story_cluster import records  # noqa: E402


def by_stages(corpus: list[dict[str, str]], parts: int) -> list[dict[str, object]]:
    settings = stages.settings(0.8)
    shards = [pa.RecordBatch.from_pylist(corpus[p::parts]) for p in range(parts)]
    docs = [stages.records(s) for s in shards]
    assert all(d.column("problem").null_count == d.num_rows for d in docs)
    documents = sum(d.num_rows for d in docs)
    lines = [stages.lines(d).to_pylist() for d in docs]
    # Shuffle by line: its holders; by tail: its different heads.
    holders, heads = defaultdict(list), defaultdict(set)
    for row in (r for part in lines for r in part):
        for line in row["lines"]:
            holders[line].append({"id": row["id"], "body_signature": row["body_signature"]})
        for tail, head in zip(row["tails"], row["heads"]):
            heads[tail].add(head)
    frequent = [
        {"line": line, "holders": h}
        for line, h in holders.items()
        if len(h) >= stages.min_documents(documents, settings)
    ]
    boilerplate = stages.boilerplate_lines(pa.RecordBatch.from_pylist(frequent), documents, settings)
    tails = [t for t, h in heads.items() if len(h) >= stages.SITE_TAIL_MIN_HEADS]
    table = stages.table(boilerplate.column("line").to_pylist(), tails)
    signed = [r for d in docs for r in stages.sign(d, table, settings).to_pylist()]
    # Shuffle by band and key: the buckets.
    buckets = defaultdict(list)
    for row in signed:
        for band, key in enumerate(row["keys"]):
            buckets[(band, key)].append(row["id"])
    shared = [{"ids": ids} for ids in buckets.values() if len(ids) > 1]
    pairs = {(p["a"], p["b"]) for p in stages.bucket_pairs(pa.RecordBatch.from_pylist(shared)).to_pylist()}
    text = {r["id"]: r["text"] for r in signed}
    with_texts = [{"a": a, "b": b, "text_a": text[a], "text_b": text[b]} for a, b in sorted(pairs)]
    verified = stages.verify(pa.RecordBatch.from_pylist(with_texts), settings)
    members = stages.group(verified, pa.RecordBatch.from_pylist(signed), settings)
    rows = stages.report(members, jsonl=True).decode()
    return [json.loads(line) for line in rows.splitlines()]


def test_stages_by_hand_give_the_groups_of_one_dedup_call():
    corpus = records("seeds") + records("variants") + records("ecbplus-dev/docs")
    report = dedup(corpus)
    expected = [
        {"doc_id": m["id"], "group": g["id"], "representative": g["representative"], "jaccard": m["jaccard"]}
        for g in report["groups"]
        for m in g["members"]
    ]
    assert len(expected) > 30
    assert by_stages(corpus, 3) == expected


def test_json_lines_are_read_as_the_command_line_reads_them():
    lines = [
        json.dumps({"id": "a", "text": "Quake hits the coast.", "date": "26-FEB-1987 15:01:01.79"}),
        "{not json",
        json.dumps({"id": "b", "title": "Floods"}),
    ]
    out = stages.records(pa.RecordBatch.from_pydict({"value": lines}), "feed.jsonl").to_pylist()
    documents = [r for r in out if r["problem"] is None]
    problems = [r["problem"] for r in out if r["problem"] is not None]
    assert [(d["id"], d["date"], d["time"]) for d in documents] == [
        ("a", "26-FEB-1987 15:01:01.79", 541350061)
    ]
    assert len(problems) == 2
    assert problems[0].startswith("feed.jsonl:2:")
