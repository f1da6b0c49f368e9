#!/usr/bin/env bash
# bench/sigstore-bench.sh -- Sigstore verification time per bundle (native, release build).
#
#   bench/sigstore-bench.sh [MIN_SECONDS]     # default 1 s of repetitions per bundle
#
# Runs host/examples/sigstore_bench.rs: for each vector bundle, parse + full verification
# (log entries, timestamps, Fulcio chain at every verified time, SCT, identity, signature,
# entry consistency, artifact), median and minimum over the repetitions. Prints the table
# and writes it to target/bench-results/sigstore-<date>.txt. Not a test: no thresholds.
set -euo pipefail
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"
mkdir -p target/bench-results
out=target/bench-results/sigstore-$(date +%Y%m%d-%H%M%S).txt
cargo run --quiet --release --locked -p model-signing --example sigstore_bench -- "${1:-1}" | tee "$out"
echo "(written to ${out#"$REPO"/})"
