#!/usr/bin/env bash
# wasm/bench.sh -- hashing benchmark of the wasm package (not a test): MB/s of sha256, blake2
# and blake3 in Node and headless Chromium, one worker and all workers, beside the native
# `model_signing digest` (release build) on the same multi-file model, and the module size.
# Arguments go to wasm/npm/bench/bench.mjs (--mib-per-file 64 --files 8 --reps 3 --no-chromium;
# eight files so that one worker and two workers both hash four SHA-256 files side by side).
# The data (and one signature per algorithm) is kept in target/bench-wasm/.
set -euo pipefail
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
"$REPO/wasm/test.sh" setup >&2
"$REPO/wasm/build.sh" >&2
(cd "$REPO" && cargo build --release -p model-signing-cli --bin model_signing --locked >&2)
cd "$REPO/wasm/npm"
exec node bench/bench.mjs "$@"
