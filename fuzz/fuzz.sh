#!/usr/bin/env bash
# fuzz/fuzz.sh -- the cargo-fuzz (libFuzzer) targets of model-signing-rs (fuzz/README.md).
#
# Usage:
#   fuzz/fuzz.sh setup                 install cargo-fuzz (idempotent) and check the C++
#                                      compiler libFuzzer builds with
#   fuzz/fuzz.sh seed                  seed fuzz/corpus/<target>/ and fuzz/dict/ from the
#                                      test vectors (fuzz/seed.py)
#   fuzz/fuzz.sh build [TARGET...]     build the targets (all by default)
#   fuzz/fuzz.sh smoke [SECONDS]       setup, seed, build, replay fuzz/regressions/, then
#                                      run every target SECONDS (default 5); fails on any
#                                      crash. This is the step of scripts/test.sh.
#   fuzz/fuzz.sh run TARGET SECONDS [LIBFUZZER_ARG...]
#                                      fuzz one target (crashes in fuzz/artifacts/TARGET/)
#   fuzz/fuzz.sh long TOTAL_SECONDS [TARGET...]
#                                      spread TOTAL_SECONDS over the targets, one at a
#                                      time, and print executions, coverage and crashes
#                                      per target (a table also written to fuzz/logs/)
#   fuzz/fuzz.sh list                  the targets
#
# Toolchain: a rustup nightly when one is installed (`cargo +nightly`), otherwise the
# default toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags). Nothing is ever
# downloaded by rustup (RUSTUP_AUTO_INSTALL=0).
#
# Knobs (env):
#   FUZZ_TOOLCHAIN   auto (default), nightly, or bootstrap (the default toolchain with
#                    RUSTC_BOOTSTRAP=1 even when a nightly is installed)
#   FUZZ_SANITIZER   address, none, ... (cargo fuzz -s). Default: none for smoke (fast to
#                    build and run; the core has no unsafe code), address otherwise.
#   FUZZ_TOOLS       where cargo-fuzz is installed (default ~/.cache/model-signing-fuzz)
#   FUZZ_JOBS        cargo build jobs (default: cargo's)
#   FUZZ_TIMEOUT     libFuzzer -timeout per input, seconds (default 10: any input slower
#                    than that is a finding, as the verifier must bound its work)
#   FUZZ_RSS_MB      libFuzzer -rss_limit_mb (default 2048)
set -euo pipefail

export RUSTUP_AUTO_INSTALL=0
FUZZ_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(dirname "$FUZZ_DIR")
CARGO_FUZZ_VERSION=0.13.2
FUZZ_TOOLS=${FUZZ_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/model-signing-fuzz}
CARGO_FUZZ_ROOT=$FUZZ_TOOLS/cargo-fuzz-$CARGO_FUZZ_VERSION
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
TRIPLE=x86_64-unknown-linux-gnu
export PATH="$CARGO_FUZZ_ROOT/bin:$PATH"

log() { printf '[fuzz] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The [[bin]] names of fuzz/Cargo.toml.
targets() { awk '/^\[\[bin\]\]/ { bin = 1; next } /^\[/ { bin = 0 } bin && /^name = / { gsub(/"/, "", $3); print $3 }' "$FUZZ_DIR/Cargo.toml"; }

# ---------------------------------------------------------------------------- setup

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}

cmd_setup() {
  if ! command -v c++ >/dev/null 2>&1; then
    log "no C++ compiler (libFuzzer is C++): installing Debian's g++"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ </dev/null >/dev/null
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 is needed by fuzz/seed.py"
  if [ -x "$CARGO_FUZZ_ROOT/bin/cargo-fuzz" ]; then
    log "cargo-fuzz $CARGO_FUZZ_VERSION already in $CARGO_FUZZ_ROOT"
  else
    log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION -> $CARGO_FUZZ_ROOT"
    mkdir -p "$FUZZ_TOOLS"
    # Installed with the default toolchain: cargo-fuzz itself needs nothing unstable.
    (cd "$FUZZ_TOOLS" && env -u RUSTC_BOOTSTRAP cargo install -q cargo-fuzz \
      --version "=$CARGO_FUZZ_VERSION" --locked --root "$CARGO_FUZZ_ROOT")
  fi
  log "toolchain: $(toolchain_desc)"
}

# `cargo +nightly` when rustup has a nightly, else RUSTC_BOOTSTRAP on the default one.
NIGHTLY=""
case "${FUZZ_TOOLCHAIN:-auto}" in
  auto)
    if command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
      NIGHTLY=+nightly
    fi ;;
  nightly) NIGHTLY=+nightly ;;
  bootstrap) ;;
  *) die "FUZZ_TOOLCHAIN must be auto, nightly or bootstrap (got '$FUZZ_TOOLCHAIN')" ;;
esac
toolchain_desc() {
  if [ -n "$NIGHTLY" ]; then echo "nightly ($(rustc +nightly --version))"
  else echo "RUSTC_BOOTSTRAP=1 on $(rustc --version)"; fi
}
cargo_fuzz() {
  [ -x "$CARGO_FUZZ_ROOT/bin/cargo-fuzz" ] || die "cargo-fuzz is not installed: run fuzz/fuzz.sh setup"
  if [ -n "$NIGHTLY" ]; then (cd "$REPO" && cargo "$NIGHTLY" fuzz "$@")
  else (cd "$REPO" && RUSTC_BOOTSTRAP=1 cargo fuzz "$@"); fi
}

sanitizer() { echo "${FUZZ_SANITIZER:-$1}"; }
# fuzz/target/SANITIZER, or SANITIZER-bootstrap for the RUSTC_BOOTSTRAP toolchain.
target_dir() {
  if [ -n "$NIGHTLY" ]; then echo "$FUZZ_DIR/target/$1"; else echo "$FUZZ_DIR/target/$1-bootstrap"; fi
}
binary() { echo "$(target_dir "$1")/$TRIPLE/release/$2"; }

# build SANITIZER [TARGET...]: release, debug assertions and overflow checks on.
build() {
  local san=$1 t0
  shift
  # cargo fuzz build has no --jobs: cargo reads it from the environment.
  if [ -n "${FUZZ_JOBS:-}" ]; then export CARGO_BUILD_JOBS=$FUZZ_JOBS; fi
  t0=$(date +%s)
  if [ $# = 0 ]; then
    cargo_fuzz build -O -a -s "$san" --target-dir "$(target_dir "$san")"
  else
    local t
    for t in "$@"; do
      cargo_fuzz build -O -a -s "$san" --target-dir "$(target_dir "$san")" "$t"
    done
  fi
  log "built (sanitizer $san) in $(($(date +%s) - t0)) s"
}

cmd_seed() { python3 "$FUZZ_DIR/seed.py" "$FUZZ_DIR"; }

# ---------------------------------------------------------------------------- running

# libFuzzer arguments for TARGET.
fuzz_args() {
  local t=$1 args=(-timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" -print_final_stats=1
    -artifact_prefix="$FUZZ_DIR/artifacts/$t/")
  if [ -f "$FUZZ_DIR/dict/$t.dict" ]; then args+=(-dict="$FUZZ_DIR/dict/$t.dict"); fi
  printf '%s\n' "${args[@]}"
}

# fuzz_once SANITIZER TARGET SECONDS LOG [ARGS...]: one libFuzzer run; its status.
fuzz_once() {
  local san=$1 t=$2 secs=$3 logf=$4 args
  shift 4
  mkdir -p "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/artifacts/$t"
  mapfile -t args < <(fuzz_args "$t")
  set +e
  nice "$(binary "$san" "$t")" "${args[@]}" -max_total_time="$secs" "$@" \
    "$FUZZ_DIR/corpus/$t" >>"$logf" 2>&1
  local rc=$?
  set -e
  return "$rc"
}

# stats LOG: "execs cov ft corpus" of the last run in LOG.
stats() {
  local execs cov ft corp
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$1" | awk '{ s += $2 } END { print s + 0 }')
  cov=$(grep -oE ' cov: [0-9]+' "$1" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
  ft=$(grep -oE ' ft: [0-9]+' "$1" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
  corp=$(grep -oE ' corp: [0-9]+' "$1" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
  echo "$execs ${cov:-0} ${ft:-0} ${corp:-0}"
}

# replay SANITIZER TARGET: every recorded input of fuzz/regressions/TARGET once; inputs
# listed in PENDING must fail, the others pass.
replay() {
  local san=$1 t=$2 dir=$FUZZ_DIR/regressions/$2 f name pending="" bad=0
  [ -d "$dir" ] || return 0
  if [ -f "$dir/PENDING" ]; then pending=$(sed 's/#.*//' "$dir/PENDING" | awk 'NF { print $1 }'); fi
  for f in "$dir"/*; do
    name=$(basename "$f")
    case "$name" in PENDING | *.md) continue ;; esac
    if "$(binary "$san" "$t")" -runs=1 "$f" >"$FUZZ_DIR/logs/replay-$t-$name.log" 2>&1; then
      if grep -qxF "$name" <<<"$pending"; then
        log "$t/$name passes now: remove it from fuzz/regressions/$t/PENDING"; bad=1
      fi
    elif ! grep -qxF "$name" <<<"$pending"; then
      log "$t/$name FAILS (log: fuzz/logs/replay-$t-$name.log):"
      tail -n 30 "$FUZZ_DIR/logs/replay-$t-$name.log" >&2
      bad=1
    fi
  done
  return "$bad"
}

cmd_smoke() {
  local secs=${1:-5} san t0 t rc fail=0 s
  san=$(sanitizer none)
  t0=$(date +%s)
  cmd_setup
  # The fuzz crate is its own workspace, so the root's `cargo fmt --all` skips it.
  (cd "$FUZZ_DIR" && cargo fmt -- --check) || die "fuzz/ is not formatted: run cargo fmt in fuzz/"
  cmd_seed >/dev/null
  build "$san"
  mkdir -p "$FUZZ_DIR/logs"
  printf '%-18s %6s %10s %7s %7s %7s  %s\n' target secs execs cov ft corpus result
  for t in $(targets); do
    if ! replay "$san" "$t"; then fail=1; fi
    local logf=$FUZZ_DIR/logs/smoke-$t.log
    : >"$logf"
    rc=0
    fuzz_once "$san" "$t" "$secs" "$logf" || rc=$?
    read -r -a s <<<"$(stats "$logf")"
    printf '%-18s %6s %10s %7s %7s %7s  %s\n' "$t" "$secs" "${s[0]}" "${s[1]}" "${s[2]}" "${s[3]}" \
      "$([ "$rc" = 0 ] && echo ok || echo "CRASH (exit $rc)")"
    if [ "$rc" != 0 ]; then
      fail=1
      echo "---- fuzz/logs/smoke-$t.log (tail) ----"
      tail -n 60 "$logf"
      echo "---- artifacts: $(ls "$FUZZ_DIR/artifacts/$t" | tr '\n' ' ')"
    fi
  done
  log "smoke done in $(($(date +%s) - t0)) s"
  return "$fail"
}

cmd_run() {
  [ $# -ge 2 ] || die "usage: fuzz.sh run TARGET SECONDS [LIBFUZZER_ARG...]"
  local t=$1 secs=$2 san
  shift 2
  san=$(sanitizer address)
  targets | grep -qx "$t" || die "unknown target '$t' (fuzz.sh list)"
  [ -d "$FUZZ_DIR/corpus/$t" ] || cmd_seed >/dev/null
  build "$san" "$t"
  mkdir -p "$FUZZ_DIR/logs"
  local logf=$FUZZ_DIR/logs/run-$t.log rc=0
  : >"$logf"
  fuzz_once "$san" "$t" "$secs" "$logf" "$@" || rc=$?
  tail -n 25 "$logf"
  log "$t: $(stats "$logf" | awk '{ printf "%s execs, cov %s, ft %s, corpus %s", $1, $2, $3, $4 }'), exit $rc"
  return "$rc"
}

# long TOTAL [TARGET...]: TOTAL/n seconds per target, one after the other; a crash stops
# libFuzzer, so the target is restarted for its remaining time (at most 5 crashes).
cmd_long() {
  [ $# -ge 1 ] || die "usage: fuzz.sh long TOTAL_SECONDS [TARGET...]"
  local total=$1 san list per t start used rc crashes s out
  shift
  san=$(sanitizer address)
  if [ $# -gt 0 ]; then list=("$@"); else mapfile -t list < <(targets); fi
  per=$((total / ${#list[@]}))
  [ -d "$FUZZ_DIR/corpus" ] || cmd_seed >/dev/null
  build "$san"
  mkdir -p "$FUZZ_DIR/logs"
  out=$FUZZ_DIR/logs/long-$(date -u +%Y%m%dT%H%M%SZ).txt
  {
    echo "# fuzz.sh long $total: $per s per target, sanitizer $san, $(toolchain_desc)"
    echo "# started $(date -u +%FT%TZ) on $(nproc) cores"
    printf '%-18s %6s %11s %8s %7s %7s %8s %7s\n' target secs execs execs/s cov ft corpus crashes
  } | tee "$out"
  for t in "${list[@]}"; do
    local logf=$FUZZ_DIR/logs/long-$t.log
    : >"$logf"
    start=$(date +%s)
    crashes=0
    while :; do
      used=$(($(date +%s) - start))
      [ "$used" -lt "$per" ] || break
      rc=0
      fuzz_once "$san" "$t" "$((per - used))" "$logf" || rc=$?
      if [ "$rc" = 0 ]; then break; fi
      crashes=$((crashes + 1))
      log "$t: crash (exit $rc), see fuzz/artifacts/$t/ and $logf"
      [ "$crashes" -lt 5 ] || break
    done
    used=$(($(date +%s) - start))
    read -r -a s <<<"$(stats "$logf")"
    printf '%-18s %6s %11s %8s %7s %7s %8s %7s\n' "$t" "$used" "${s[0]}" "$((s[0] / (used > 0 ? used : 1)))" \
      "${s[1]}" "${s[2]}" "${s[3]}" "$crashes" | tee -a "$out"
  done
  echo "# finished $(date -u +%FT%TZ)" | tee -a "$out"
  log "table: ${out#"$REPO"/}"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  setup) cmd_setup ;;
  seed) cmd_seed ;;
  build) cmd_setup; build "$(sanitizer address)" "$@" ;;
  smoke) cmd_smoke "$@" ;;
  run) cmd_run "$@" ;;
  long) cmd_long "$@" ;;
  list) targets ;;
  "" | -h | --help | help) usage ;;
  *) die "unknown command '$cmd' (try --help)" ;;
esac
