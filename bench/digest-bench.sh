#!/usr/bin/env bash
# bench/digest-bench.sh -- hashing benchmark: our `model_signing digest` against the Python
# reference (model-signing 1.1.1, through its hashing API), against the hardware (`openssl
# dgst` as two parallel processes, b3sum), and incremental re-signing, on synthetic models.
#
#   bench/digest-bench.sh                  # full run: 2 GiB models; roughly 5 min on a quiet 2-core host,
#                                          # plus 1-2 min to generate ~6.3 GB of data the first time
#   BENCH_QUICK=1 bench/digest-bench.sh    # smoke run: 64 MiB models, 1,000 small files (~2 min + build)
#   BENCH_ONLY=llm-2g bench/digest-bench.sh
#
# What it does:
#   1. cargo build --release --locked -p model-signing-cli; scripts/setup-reference.sh (venv);
#      installs Debian's b3sum with apt-get when it is missing.
#   2. Generates the models once (bench/gen_model.py; cached in target/bench-data/<full|quick>/):
#      llm-2g (4 x 512 MiB + 2 json), single-2g (1 x 2 GiB), small-10k (10,000 files of
#      4 KiB-1 MiB, log-uniform, in 100 dirs), tiny (4 x 1 MiB).
#   3. Per model: reads every file once (warm page cache), then for files+sha256,
#      files+blake2, files+blake3 and shards+sha256 runs ours and the reference
#      (bench/ref_digest.py); beside ours, the hardware's pace: `openssl dgst -sha256` and
#      `-blake2b512` as two parallel processes, each given half the files (balanced by
#      size; one process for a one-file model), and b3sum (its default threads: every
#      core) on every file for files+blake3; and for files+sha256, core's SHA-256 (sha2)
#      and ring's in one simple harness (host/examples/sha256_impls.rs).
#      Each command: BENCH_WARMUP warm-up + BENCH_RUNS timed runs (bench/measure.py), medians.
#   4. Incremental re-signing (llm-2g): `sign key` of a hard-linked copy of the model from
#      scratch, then, after one small file is replaced, `sign key --previous-signature
#      --changed` of it; the two payloads must be identical.
#   5. Prints the table, the ours-vs-reference ratios, the distance to the hardware (ours /
#      openssl, ours / b3sum, shards vs files, incremental vs from scratch) with the
#      project's targets, and the digest checks (ours must print exactly what the reference
#      prints; the per-file digests of openssl and b3sum must rebuild our roots), and writes
#      it to target/bench-results/digest-<date>[-quick].txt (raw records: same name, .jsonl).
#
# Exit status: 0 when every command ran and every digest matched; 2 on a digest MISMATCH;
# 1 when a command failed. Missed performance targets do not change the exit status.
#
# Knobs (env):
#   BENCH_QUICK=1          small models (see bench/gen_model.py), shard size scaled to match
#   BENCH_ONLY=a[,b]       only these models (llm-2g single-2g small-10k tiny)
#   BENCH_RUNS=3           timed runs per command       BENCH_WARMUP=1  warm-up runs
#   BENCH_SHARD_SIZE=N     shards+sha256 shard size (default 1000000000; quick: 31250000, so
#                          the single file still gives 3 shards like the full 2 GiB file)
#   BENCH_MAX_WORKERS=N    pass --max-workers N to ours and the reference (default: theirs)
#   BENCH_QUIET_WAIT=S     before each timed run wait up to S s for other load < 0.25 core
#   BENCH_DATA=DIR         model cache (default target/bench-data)
#   BENCH_SKIP_BUILD=1     use the existing target/release/model_signing
#   BENCH_OURS=PATH        benchmark this binary instead (implies BENCH_SKIP_BUILD)
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BENCH=$REPO/bench
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
RUNS=${BENCH_RUNS:-3}
WARMUP=${BENCH_WARMUP:-1}
QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
MODE=${QUICK:+quick}
MODE=${MODE:-full}
if [ -n "$QUICK" ]; then SHARD_SIZE=${BENCH_SHARD_SIZE:-31250000}; else SHARD_SIZE=${BENCH_SHARD_SIZE:-1000000000}; fi
DATA=${BENCH_DATA:-$TARGET/bench-data}/$MODE
RESULTS_DIR=$TARGET/bench-results
STAMP=$(date +%Y-%m-%d-%H%M%S)
NAME=digest-$STAMP${QUICK:+-quick}
JSONL=$RESULTS_DIR/$NAME.jsonl
REPORT=$RESULTS_DIR/$NAME.txt
WORK=$RESULTS_DIR/.work-$NAME

log() { printf '[digest-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}

command -v python3 >/dev/null || die "python3 not found"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a non-negative integer"
[[ $SHARD_SIZE =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHARD_SIZE must be a positive integer"

# --- models to run -----------------------------------------------------------------------
mapfile -t ALL_MODELS < <(python3 "$BENCH/gen_model.py" --mode "$MODE" --out "$DATA" --list)
MODELS=()
if [ -n "${BENCH_ONLY:-}" ]; then
  for m in ${BENCH_ONLY//,/ }; do
    [[ " ${ALL_MODELS[*]} " == *" $m "* ]] || die "BENCH_ONLY: unknown model '$m' (known: ${ALL_MODELS[*]})"
    MODELS+=("$m")
  done
else
  MODELS=("${ALL_MODELS[@]}")
fi

# --- tools ----------------------------------------------------------------------------------
if [ -n "${BENCH_OURS:-}" ]; then
  OURS=$(readlink -f "$BENCH_OURS")
else
  OURS=$TARGET/release/model_signing
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    log "building our release binary and the SHA-256 comparison (examples/sha256_impls.rs)"
    (cd "$REPO" && cargo build --release --locked -p model-signing-cli &&
      cargo build --release --locked -p model-signing --example sha256_impls) >&2
  fi
fi
[ -x "$OURS" ] || die "$OURS is missing"
# core's SHA-256 (sha2) against ring's in one harness; optional (not with BENCH_OURS).
SHA_IMPLS=$TARGET/release/examples/sha256_impls
[ -z "${BENCH_OURS:-}" ] && [ -x "$SHA_IMPLS" ] || SHA_IMPLS=

log "checking the reference venv"
REF_PY=$("$REPO/scripts/setup-reference.sh" | tail -n 1)
[ -x "$REF_PY" ] || die "reference python not found ($REF_PY)"

if ! command -v b3sum >/dev/null 2>&1; then
  log "installing b3sum (Debian package)"
  apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends b3sum </dev/null >/dev/null; }
  if ! apt_install; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null
    apt_install
  fi
fi
B3SUM=$(command -v b3sum) || die "b3sum is missing"

# --- data -------------------------------------------------------------------------------------
log "models ($MODE): ${MODELS[*]} -> $DATA"
declare -A MPATH MBYTES MFILES
while IFS=$'\t' read -r name path bytes files; do
  MPATH[$name]=$path MBYTES[$name]=$bytes MFILES[$name]=$files
done < <(python3 "$BENCH/gen_model.py" --mode "$MODE" --out "$DATA" "${MODELS[@]}")
for m in "${MODELS[@]}"; do [ -n "${MPATH[$m]:-}" ] || die "model $m was not generated"; done

mkdir -p "$RESULTS_DIR" "$WORK"
trap 'rm -rf "$WORK"' EXIT
: >"$JSONL"

# --- header -----------------------------------------------------------------------------------
HEADER=$WORK/header.txt
{
  echo "model_signing digest benchmark -- $(date -u '+%Y-%m-%d %H:%M:%S UTC')${QUICK:+ -- QUICK mode}"
  echo "host: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')
  [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ] && rev="$rev+dirty"
  echo "ours: $OURS (commit $rev, $(rustc --version 2>/dev/null || echo 'rustc ?'))"
  echo "ref:  model-signing $("$REF_PY" -c 'import importlib.metadata as m; print(m.version("model-signing"))') via its hashing API (bench/ref_digest.py), $("$REF_PY" --version 2>&1)"
  echo "b3sum: $B3SUM ($("$B3SUM" --version 2>&1 | head -n1)), default threads, on every file of the model"
  echo "runs: $WARMUP warm-up + $RUNS timed per command; shards: shard size $SHARD_SIZE; page cache warm${BENCH_MAX_WORKERS:+; --max-workers $BENCH_MAX_WORKERS}"
  echo "models:"
  for m in "${MODELS[@]}"; do
    printf '  %-10s %6s files %10.1f MB  %s\n' "$m" "${MFILES[$m]}" "$(echo "${MBYTES[$m]}" | awk '{print $1/1e6}')" "${MPATH[$m]}"
  done
} >"$HEADER"
cat "$HEADER" >&2

# --- runs ---------------------------------------------------------------------------------------
WORKERS_ARGS=()
[ -n "${BENCH_MAX_WORKERS:-}" ] && WORKERS_ARGS=(--max-workers "$BENCH_MAX_WORKERS")

measure() {  # measure MODEL CASE TOOL [measure.py options] -- COMMAND...
  local model=$1 case=$2 tool=$3
  shift 3
  python3 "$BENCH/measure.py" --runs "$RUNS" --warmup "$WARMUP" --quiet-wait "$QUIET_WAIT" \
    --bytes "${MBYTES[$model]}" --out "$JSONL" \
    --tag "model=$model" --tag "case=$case" --tag "tool=$tool" --tag "model_dir=${MPATH[$model]}" \
    "$@" || true   # a failure is recorded in the JSONL and reported at the end
}

# Two parallel `openssl dgst` processes, each over half of the model's files (by size; one
# process when there is one file): the pace of OpenSSL's hashing on two cores, which is
# what the Python reference uses and what ours is held to.
split_halves() {  # split_halves DIR OUT1 OUT2: NUL-separated lists, balanced by bytes
  python3 - "$@" <<'PY'
import os, sys
root, outs = sys.argv[1], sys.argv[2:]
files = sorted((os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs), key=os.path.getsize, reverse=True)
groups, sizes = [[], []], [0, 0]
for f in files:
    i = sizes.index(min(sizes))
    groups[i].append(f)
    sizes[i] += os.path.getsize(f)
for out, g in zip(outs, groups):
    with open(out, "w") as fh:
        fh.write("".join(p + "\0" for p in sorted(g)))
PY
}
OPENSSL_RUN=$WORK/openssl-pair.sh
cat >"$OPENSSL_RUN" <<'SH'
#!/bin/sh
# openssl-pair.sh DIGEST LIST1 LIST2 OUT: one `openssl dgst` per non-empty list, in parallel.
d=$1 out=$4
[ -s "$2" ] && { xargs -0 -a "$2" openssl dgst "-$d" >"$out.1" & }
[ -s "$3" ] && { xargs -0 -a "$3" openssl dgst "-$d" >"$out.2" & }
wait
cat "$out".* 2>/dev/null; rm -f "$out".*
SH
chmod +x "$OPENSSL_RUN"

for m in "${MODELS[@]}"; do
  dir=${MPATH[$m]}
  log "$m: warming the page cache"
  find "$dir" -type f -print0 | xargs -0 cat >/dev/null
  split_halves "$dir" "$WORK/$m.half1" "$WORK/$m.half2"
  for case in files-sha256 files-blake2 files-blake3 shards-sha256; do
    ser=${case%%-*} alg=${case#*-}
    args=(--hash-algorithm "$alg" --serialization "$ser")
    [ "$ser" = shards ] && args+=(--shard-size "$SHARD_SIZE")
    measure "$m" "$case" ours -- "$OURS" digest "$dir" "${args[@]}" "${WORKERS_ARGS[@]}"
    measure "$m" "$case" ref -- "$REF_PY" "$BENCH/ref_digest.py" "$dir" "${args[@]}" "${WORKERS_ARGS[@]}"
    case $case in
      files-sha256|files-blake2)
        if [ "$alg" = sha256 ] && [ -n "$SHA_IMPLS" ]; then
          for impl in core ring; do
            measure "$m" "$case" "sha2-$impl" -- "$SHA_IMPLS" "$impl" "$dir"
          done
        fi
        d=sha256; [ "$alg" = blake2 ] && d=blake2b512
        out=$WORK/openssl-$m-$alg.out
        measure "$m" "$case" openssl --save-stdout "$out" --tag "stdout_file=$out" -- \
          "$OPENSSL_RUN" "$d" "$WORK/$m.half1" "$WORK/$m.half2" "$WORK/openssl-$m-$alg.tmp" ;;
      files-blake3)
        out=$WORK/b3sum-$m.out
        measure "$m" "$case" b3sum --save-stdout "$out" --tag "stdout_file=$out" --append-files "$dir" -- "$B3SUM" ;;
    esac
  done
done

# --- incremental re-signing ---------------------------------------------------------------------
if [[ " ${MODELS[*]} " == *" llm-2g "* ]]; then
  m=llm-2g
  inc=$WORK/incremental/$m
  log "$m: incremental re-signing (a hard-linked copy of the model, one small file replaced)"
  mkdir -p "$WORK/incremental"
  cp -al "${MPATH[$m]}" "$inc"
  key=$REPO/tests/vectors/model-transparency/generated-v1.1.1/keys/p256.pem
  small=$(find "$inc" -type f -name '*.json' | sort | head -n 1)
  [ -n "$small" ] || die "$m has no small .json file to edit"
  "$OURS" sign key "$inc" --private-key "$key" --signature "$WORK/incremental/v1.sig" >/dev/null
  # Replaced, not written through the hard link: the cached model stays as generated.
  { cat "$small"; printf '\n'; } >"$small.new" && mv "$small.new" "$small"
  measure "$m" sign-scratch ours -- "$OURS" sign key "$inc" --private-key "$key" \
    --signature "$WORK/incremental/scratch.sig"
  measure "$m" sign-incremental ours -- "$OURS" sign key "$inc" --private-key "$key" \
    --signature "$WORK/incremental/v2.sig" --previous-signature "$WORK/incremental/v1.sig" --changed "$small"
  python3 - "$WORK/incremental/scratch.sig" "$WORK/incremental/v2.sig" "$JSONL" <<'PY'
import base64, json, sys
scratch, incremental, out = sys.argv[1:]
payload = lambda p: base64.b64decode(json.load(open(p))["dsseEnvelope"]["payload"])
try:
    same = payload(scratch) == payload(incremental)
except (OSError, KeyError, ValueError) as e:
    same = False
with open(out, "a") as f:
    f.write(json.dumps({"model": "llm-2g", "case": "sign-incremental", "tool": "payload-check", "same_payload": same}) + "\n")
PY
fi

# --- report ---------------------------------------------------------------------------------------
rc=0
python3 "$BENCH/report.py" "$JSONL" --header "$HEADER" --out "$REPORT" ${QUICK:+--quick} || rc=$?
log "report: $REPORT (raw records: $JSONL)"
exit "$rc"
