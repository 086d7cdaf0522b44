#!/usr/bin/env bash
# Checks that near-duplicate detection on a Spark cluster finds exactly the
# groups `story-cluster dedup` finds: byte for byte, with components found
# on the driver and with them found over DataFrames.
#
#   scripts/spark-dedup-check.sh [CORPUS]
#
# CORPUS is JSON lines (gzip too) or Parquet; by default Reuters-21578 from
# ../shared/data where present, else the bundled fixtures with generated
# copies. The script builds the CLI and the Python wheel, installs pyspark,
# pyarrow and pandas into a virtual environment under target/, installs a
# Java runtime when there is none (Debian's, with apt), starts a standalone
# Spark master and two workers on 127.0.0.1, runs the job, compares, and
# stops the cluster whatever happened. Exit 0 only when the reports are
# equal.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$root/target/spark-check"
mkdir -p "$work"

say() { echo "spark-dedup-check: $*" >&2; }

# The corpus.
corpus="${1:-}"
if [ -z "$corpus" ]; then
    reuters="$root/../shared/data/reuters21578/reuters21578.jsonl.gz"
    if [ -f "$reuters" ]; then
        corpus="$reuters"
    else
        say "no ../shared/data/reuters21578; using the bundled fixtures with generated copies"
        corpus="$work/fixtures.jsonl"
        python3 "$root/scripts/fixture_corpus.py" "$root/fixtures" > "$corpus"
    fi
fi
[ -e "$corpus" ] || { say "no such corpus: $corpus"; exit 2; }
say "corpus: $corpus"

# A Java runtime for Spark.
if ! command -v java >/dev/null 2>&1; then
    say "installing a Java runtime (openjdk-17-jre-headless)"
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q openjdk-17-jre-headless
fi

# The command line, and the wheel (the target folder tests/python.rs uses,
# so that after `cargo test` this build is already done).
cargo build --release --quiet
python3 -m pip install --quiet --disable-pip-version-check maturin ||
    python3 -m pip install --quiet --disable-pip-version-check --user maturin
rm -rf "$work/wheels"
(cd python && CARGO_TARGET_DIR="$root/target/python" python3 -m maturin build --release --quiet --out "$work/wheels")

# pyspark and the wheel in a virtual environment of their own.
venv="$work/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pyspark>=4,<5" pyarrow "pandas<3"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$work"/wheels/*.whl
export PYSPARK_PYTHON="$venv/bin/python"
SPARK_HOME="$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME

# A standalone cluster on 127.0.0.1: a master and two workers (the pip
# package has spark-daemon.sh, not start-master.sh).
export SPARK_LOG_DIR="$work/logs" SPARK_PID_DIR="$work/pids" SPARK_LOCAL_IP=127.0.0.1
port="${SPARK_MASTER_PORT:-7177}"
master="spark://127.0.0.1:$port"
daemon="$SPARK_HOME/sbin/spark-daemon.sh"
stop_cluster() {
    for n in 1 2; do
        "$daemon" stop org.apache.spark.deploy.worker.Worker "$n" >/dev/null 2>&1 || true
    done
    "$daemon" stop org.apache.spark.deploy.master.Master 1 >/dev/null 2>&1 || true
}
trap stop_cluster EXIT
stop_cluster
"$daemon" start org.apache.spark.deploy.master.Master 1 \
    --host 127.0.0.1 --port "$port" --webui-port 0 >/dev/null
for n in 1 2; do
    "$daemon" start org.apache.spark.deploy.worker.Worker "$n" \
        --host 127.0.0.1 --webui-port 0 --cores 1 --memory 3g "$master" >/dev/null
done
say "cluster: $master with two workers"

# One run on one machine, then the job on the cluster, both ways.
expected="$work/dedup.tsv"
"${CARGO_TARGET_DIR:-$root/target}/release/story-cluster" dedup -q "$corpus" > "$expected"
status=0
for mode in driver distributed; do
    limit=5000000
    if [ "$mode" = distributed ]; then limit=0; fi
    out="$work/spark-$mode.tsv"
    start=$(date +%s)
    "$venv/bin/python" -m story_cluster.spark "$corpus" --master "$master" \
        --partitions 4 --driver-limit "$limit" --timings -o "$out" \
        --conf spark.sql.shuffle.partitions=8 2> "$work/spark-$mode.log" || {
        say "the Spark job failed ($mode components); its log:"
        tail -n 40 "$work/spark-$mode.log" >&2
        status=1
        continue
    }
    grep "^story-cluster spark:" "$work/spark-$mode.log" >&2 || true
    if cmp -s "$expected" "$out"; then
        say "$mode components: equal to dedup ($(($(wc -l < "$out") - 1)) rows, $(($(date +%s) - start)) s)"
    else
        say "$mode components: DIFFERENT from dedup"
        diff "$expected" "$out" | head -n 20 >&2 || true
        status=1
    fi
done
exit "$status"
