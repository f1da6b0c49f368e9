#!/usr/bin/env bash
# scripts/test.sh -- the project's test command (CI runs it through .ci/run).
#
# Steps, stopping at the first failure:
#   1. reference   scripts/setup-reference.sh (Python model-signing 1.1.1 venv for interop tests)
#   1b. sigstore-mock  scripts/setup-sigstore-mock.sh (npm @sigstore/mock@0.13.0, the local
#                  Sigstore of the keyless-signing tests; exports MODEL_SIGNING_SIGSTORE_MOCK)
#   2. wasm-tools  scripts/wasm-toolchain.sh install (Debian rustc-web route when needed)
#   3. softhsm     scripts/setup-softhsm.sh (SoftHSM2, pkcs11-tool, p11-kit for the PKCS #11 tests)
#   4. fmt         cargo fmt --all -- --check
#   5. clippy      cargo clippy --workspace --all-targets --locked -- -D warnings
#   5b. doc        cargo doc --no-deps --workspace with warnings as errors (public items are
#                  documented, links resolve)
#   5c. wasm-setup, wasm-build, web-build: the wasm package and web/dist (the daemon embeds
#                  the UI; its tests hash with the wasm package), see steps 8-9 and 13
#   6. test        cargo test --workspace --locked (unit, integration, doc tests), with
#                  MODEL_SIGNING_REFERENCE_PYTHON / MODEL_SIGNING_REFERENCE_CLI exported
#   7. core-wasm   scripts/check-core-wasm.sh (core builds for wasm32 with only core+alloc)
#   8. wasm-setup  wasm/test.sh setup: npm ci (deno, workerd, playwright-core, esbuild), Debian
#                  chromium + chromedriver and rust-web-clippy (Debian route)
#   9. wasm-build  wasm/build.sh: the wasm module and the npm package's generated files
#  10. wasm-clippy clippy -D warnings of the wasm crate built for wasm32
#  11. wasm-bindgen  wasm-bindgen tests of the bindings in Node and headless Chromium
#  12. wasm-js     node:test: the npm package in Node, Deno, workerd and Chromium, compared with
#                  the native CLI (target/debug/model_signing), and installed from `npm pack`
#  13. web         web/test.sh: web/dist (the web app and <model-signature-status>), then the
#                  verify and sign views, the element on the local hub and the demo in headless
#                  Chromium, compared with the native CLI; screenshots in target/web-screenshots/
#  14. fuzz        fuzz/fuzz.sh smoke: cargo-fuzz installed (cached), corpora seeded from the
#                  test vectors, the fuzz targets built, fuzz/regressions/ replayed, then every
#                  target fuzzed for 5 s; fails on any crash (fuzz/README.md)
# The install steps log to target/test-logs/<step>.log, printed only when they fail.
# A timed summary is printed at the end, also on failure. Exit status: that of the failing step.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"
export RUSTUP_AUTO_INSTALL=0
LOGDIR=$REPO/target/test-logs
mkdir -p "$LOGDIR"

SUMMARY=()
T_START=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

print_summary() {
  local rc=$? line
  echo
  echo "==> summary"
  for line in "${SUMMARY[@]}"; do echo "    $line"; done
  printf '    %-12s %-6s %8ss\n' total "$([ "$rc" = 0 ] && echo ok || echo FAIL)" "$(since "$T_START")"
  exit "$rc"
}
trap print_summary EXIT

# step NAME quiet|loud CMD...: run CMD, record its time; quiet steps write to $LOGDIR/NAME.log.
step() {
  local name=$1 mode=$2 t0 rc dt log=$LOGDIR/$1.log
  shift 2
  echo
  echo "==> [$name] $*"
  t0=$(date +%s.%N)
  set +e
  if [ "$mode" = quiet ]; then "$@" >"$log" 2>&1; else "$@"; fi
  rc=$?
  set -e
  dt=$(since "$t0")
  SUMMARY+=("$(printf '%-12s %-6s %8ss' "$name" "$([ "$rc" = 0 ] && echo ok || echo FAIL)" "$dt")")
  if [ "$rc" != 0 ]; then
    if [ "$mode" = quiet ]; then
      echo "---- $log ----"
      cat "$log"
      echo "---- end of $log ----"
    fi
    echo "==> [$name] FAILED (exit $rc) after ${dt}s"
    exit "$rc"
  fi
  if [ "$mode" = quiet ]; then echo "    ok in ${dt}s (log: ${log#"$REPO"/})"; fi
}

echo "==> $(rustc --version) / $(cargo --version); CI=${CI:-}"

step reference quiet scripts/setup-reference.sh
REF_PY=$(tail -n 1 "$LOGDIR/reference.log")
REF_CLI=$(dirname "$REF_PY")/model_signing
if ! [ -x "$REF_PY" ] || ! [ -x "$REF_CLI" ]; then
  echo "==> [reference] could not find the venv python/CLI (got '$REF_PY')"
  exit 1
fi
export MODEL_SIGNING_REFERENCE_PYTHON=$REF_PY
export MODEL_SIGNING_REFERENCE_CLI=$REF_CLI
echo "    MODEL_SIGNING_REFERENCE_PYTHON=$MODEL_SIGNING_REFERENCE_PYTHON"
echo "    MODEL_SIGNING_REFERENCE_CLI=$MODEL_SIGNING_REFERENCE_CLI"

step sigstore-mock quiet scripts/setup-sigstore-mock.sh
export MODEL_SIGNING_SIGSTORE_MOCK=$(tail -n 1 "$LOGDIR/sigstore-mock.log")
echo "    MODEL_SIGNING_SIGSTORE_MOCK=$MODEL_SIGNING_SIGSTORE_MOCK"

step wasm-tools quiet scripts/wasm-toolchain.sh install
step softhsm quiet scripts/setup-softhsm.sh
# rustfmt colours its diff even into a pipe; follow CARGO_TERM_COLOR=never (set by .ci/run)
fmt_args=(--check)
if [ "${CARGO_TERM_COLOR:-}" = never ]; then fmt_args+=(--color never); fi
step fmt loud cargo fmt --all -- "${fmt_args[@]}"
step clippy loud cargo clippy --workspace --all-targets --locked -- -D warnings
step doc loud env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked
# The daemon embeds the web UI and its tests sign manifests hashed by the wasm package, so
# both are built before the workspace's tests.
step wasm-setup quiet wasm/test.sh setup
step wasm-build loud wasm/test.sh build
step web-build loud web/build.sh
step test loud cargo test --workspace --locked
step core-wasm loud scripts/check-core-wasm.sh
step wasm-clippy loud wasm/test.sh check
step wasm-bindgen loud wasm/test.sh bindgen
step wasm-js loud wasm/test.sh js
step web loud web/test.sh
step fuzz loud fuzz/fuzz.sh smoke
