#!/usr/bin/env python3
"""Scores story-cluster on every labelled dev set in ../shared/data that is
present, and prints one Markdown table (the one in docs/quality.md).

    cargo build --release && python3 benches/devsets.py [-- extra run options]

Each set is scored with `story-cluster eval` at the level its labels mean
(CrisisLex crises are threads of many stories; the others are events), and
Reuters-21578, which has no story labels, by the share of multi-document
stories that span more than seven days. A set that is missing is listed as
such: the data sits beside the checkout, not in it.
"""

import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
BINARY = os.path.join(ROOT, "target", "release", "story-cluster")

# (name, input, level, what a tuned scikit-learn pipeline scores: B-cubed F1
# at the ECB+-tuned threshold, from ../shared/data/README.md)
SETS = [
    ("ecbplus-dev", "docs", "story", "0.871"),
    ("gva-dev", "docs.jsonl.gz", "story", "0.872"),
    ("counter-dev", "docs.jsonl.gz", "story", "0.872"),
    ("crisislex-t26", "docs.jsonl.gz", "thread", "too large"),
]


def evaluate(name, docs, level, extra):
    folder = os.path.join(DATA, name)
    command = [BINARY, "eval", "-q", "-f", "json", "--level", level,
               "--labels", os.path.join(folder, "labels.tsv"),
               os.path.join(folder, docs)] + extra
    started = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True).stdout
    seconds = time.perf_counter() - started
    return json.loads(out)["scores"], seconds


def reuters_spans(extra):
    path = os.path.join(DATA, "reuters21578", "reuters21578.jsonl.gz")
    if not os.path.exists(path):
        return None
    days = {}
    with gzip.open(path, "rt") as lines:
        for line in lines:
            doc = json.loads(line)
            found = re.match(r"\s*(\d+-\w{3}-\d{4})", doc.get("date", ""))
            if found:
                days[doc["id"]] = datetime.strptime(found.group(1), "%d-%b-%Y")
    command = [BINARY, "run", "-q", "-f", "tsv", path] + extra
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    stories, threads = defaultdict(list), defaultdict(list)
    for row in out.splitlines()[1:]:
        doc, story, _group, thread = row.split("\t")
        if doc in days:
            stories[story].append(days[doc])
            threads[thread].append(days[doc])
    multi = [d for d in stories.values() if len(d) > 1]
    long = [d for d in multi if (max(d) - min(d)).days > 7]
    return len(multi), len(long), max(len(d) for d in threads.values())


def main():
    extra = sys.argv[2:] if sys.argv[1:2] == ["--"] else sys.argv[1:]
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    print("| set | level | documents | gold | predicted | B-cubed P | B-cubed R "
          "| B-cubed F1 | NMI | scikit-learn F1 | seconds |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for name, docs, level, sklearn in SETS:
        if not os.path.exists(os.path.join(DATA, name, "labels.tsv")):
            print(f"| {name} | {level} | missing: ../shared/data/{name} not found |"
                  " | | | | | | | |")
            continue
        s, seconds = evaluate(name, docs, level, extra)
        print(f"| {name} | {level} | {s['documents']} | {s['gold_stories']} "
              f"| {s['predicted_stories']} | {s['bcubed_precision']:.4f} "
              f"| {s['bcubed_recall']:.4f} | {s['bcubed_f1']:.4f} | {s['nmi']:.4f} "
              f"| {sklearn} | {seconds:.2f} |")
    spans = reuters_spans(extra)
    if spans is None:
        print("\nreuters21578: missing: ../shared/data/reuters21578 not found")
    else:
        multi, long, largest = spans
        print(f"\nReuters-21578: {long} of {multi} multi-document stories span more "
              f"than 7 days ({100 * long / multi:.1f} %); largest thread {largest} documents")


if __name__ == "__main__":
    main()
