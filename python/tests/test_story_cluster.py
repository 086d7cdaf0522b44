"""The Python package against the bundled fixtures: the same groups and
stories as the command line, bad records reported, signatures that
estimate Jaccard."""

from __future__ import annotations

import datetime
import pathlib

import pytest

from story_cluster import MinHasher, analyse, dedup

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures"


def records(folder: str) -> list[dict[str, str]]:
    """The text files of a fixture folder as records, as the command line
    reads them: the first line the title, the rest the text."""
    out = []
    for path in sorted((FIXTURES / folder).glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        out.append({"id": path.stem, "title": title.strip(), "text": body.strip()})
    return out


def test_seeds_make_the_reference_stories_in_any_order():
    seeds = records("seeds")
    report = analyse(list(reversed(seeds)))
    stories = [sorted(m["id"][:3] for m in s["members"]) for s in report["stories"]]
    assert stories == [["002", "003", "004"], ["000", "001"]]
    kerry = report["stories"][0]["substories"]
    assert [sorted(m["id"][:3] for m in s["members"]) for s in kerry] == [["003", "004"]]


def test_republished_copies_are_grouped_with_their_originals():
    report = dedup(records("seeds") + records("variants"))
    groups = {g["representative"]: sorted(m["id"] for m in g["members"]) for g in report["groups"]}
    assert len(groups) == 4
    for representative, members in groups.items():
        assert len(members) == 2
        assert members[1].startswith(representative)
    assert all(m["jaccard"] >= 0.8 for g in report["groups"] for m in g["members"])
    # A stricter threshold leaves out the copies that changed most.
    strict = dedup(records("seeds") + records("variants"), threshold=0.95)
    assert len(strict["groups"]) < 4


def test_bad_records_are_reported_not_raised():
    report = dedup([{"id": "a", "text": "Quake hits the coast."}, {"text": "no id"}, {"id": "b"}])
    assert report["summary"]["documents"] == 1
    assert len(report["problems"]) == 2
    with pytest.raises(ValueError):
        analyse([{"text": "no id"}])
    with pytest.raises(ValueError):
        dedup([], threshold=1.5)


def test_signatures_estimate_jaccard():
    hasher = MinHasher(num_hashes=256)
    text = " ".join(f"word{i}" for i in range(400))
    half = " ".join(f"word{i}" for i in range(200, 600))
    a, b, c = hasher.signatures([text, text, half])
    assert a == b == hasher.signature(text)
    assert len(a) == 256
    assert MinHasher.estimate(a, b) == 1.0
    # About a third of the shingles are shared.
    assert 0.2 < MinHasher.estimate(a, c) < 0.5


def test_dates_may_be_datetimes():
    text = "A strong earthquake struck the northern coast on Tuesday, damaging roads and bridges."
    when = datetime.datetime(2016, 7, 14, 18, 0, tzinfo=datetime.timezone.utc)
    report = analyse([
        {"id": "a", "text": text, "date": when},
        {"id": "b", "text": text + " Officials said.", "date": datetime.date(2016, 7, 15)},
    ])
    dates = {d["id"]: d["date"] for d in report["documents"]}
    assert dates == {"a": "2016-07-14T18:00:00+00:00", "b": "2016-07-15"}
