#!/usr/bin/env bash
# A million generated documents through `story-cluster dedup`, then
# through `story-cluster run` (stories and threads too), each timed with
# /usr/bin/time (wall clock and peak memory) and with its stages' times
# (--timings). Too long for criterion's repeated samples; see README.md,
# "A million documents". SKIP_RUN=1 times `dedup` alone.
#
#   benches/million.sh [DOCUMENTS] [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
documents="${1:-1000000}"
work="${2:-${TMPDIR:-/tmp}/story-cluster-million}"
mkdir -p "$work"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin story-cluster --example synth_corpus
corpus="$work/generated-$documents.jsonl"
[ -f "$corpus" ] || "$root/target/release/examples/synth_corpus" "$documents" "$corpus" "$work/origins-$documents.tsv"
/usr/bin/time -f "dedup: %e s wall, %M KB peak" \
  "$root/target/release/story-cluster" dedup -f json -q "$corpus" -o "$work/groups-$documents.json"
python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary'])" "$work/groups-$documents.json"
[ "${SKIP_RUN:-0}" = 1 ] && exit 0
/usr/bin/time -f "run: %e s wall, %M KB peak" \
  "$root/target/release/story-cluster" run --timings -f json -q "$corpus" -o "$work/stories-$documents.json"
python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary'])" "$work/stories-$documents.json"
