#!/usr/bin/env bash
# Peer comparison: datasketch, rensa and gaoya (from PyPI, in a virtual
# environment this script creates) against `story-cluster dedup`, on one
# corpus in one run. Prints a table; see README.md, "Performance".
#
#   benches/peers/run.sh [CORPUS.jsonl[.gz]]
#
# CORPUS defaults to ../shared/data/reuters21578/reuters21578.jsonl.gz.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${1:-$root/../shared/data/reuters21578/reuters21578.jsonl.gz}"
if [ ! -f "$corpus" ]; then
  echo "peers: corpus $corpus is missing; pass one as the first argument" >&2
  exit 1
fi
venv="${PEERS_VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet datasketch rensa gaoya
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
"$venv/bin/python" "$here/peers.py" "$corpus" "$root/target/release/story-cluster"
