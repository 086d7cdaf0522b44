#!/usr/bin/env python3
"""Writes a JSON lines corpus for scripts/spark-dedup-check.sh from the
bundled fixtures (seeds, their republished variants, ECB+ dev) plus
generated copies: every fifth article again under another id and date,
with a line appended and, for some, a site's line that recurs across
different articles (boilerplate). Deterministic.

    python3 scripts/fixture_corpus.py fixtures > corpus.jsonl
"""
import json
import pathlib
import sys


def articles(root: pathlib.Path):
    for folder in ["seeds", "variants", "ecbplus-dev/docs"]:
        for path in sorted((root / folder).glob("*.txt")):
            title, _, text = path.read_text(encoding="utf-8").strip().partition("\n")
            yield {"id": f"{folder.split('/')[0]}/{path.stem}", "title": title.strip(), "text": text.strip()}


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    out = sys.stdout
    for i, article in enumerate(articles(root)):
        out.write(json.dumps(article, ensure_ascii=False) + "\n")
        if i % 5:
            continue
        copy = dict(article)
        copy["id"] = f"copies/{i:04d}"
        copy["date"] = f"2016-07-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
        copy["text"] = article["text"] + "\nUpdated with reporting from our correspondents."
        if i % 10 == 0:
            copy["text"] += "\nFollow us for the latest news"
            copy["title"] = article["title"] + " | The Daily Wire"
        out.write(json.dumps(copy, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
