#!/usr/bin/env bash
# bench/hostile-bench.sh -- bounded work on hostile input: the worst signatures we can build
# (bench/hostile_gen.py: floods, deep nesting, huge fields and payloads, certificate
# look-alikes and extension floods, log-entry floods; each up to the 64 MiB signature cap)
# verified by the release `model_signing`, with wall time and peak RSS.
#
#   bench/hostile-bench.sh            # ~1 min + release build; inputs cached in target/bench-data/hostile
#
# Goal (issue 14): every case refused or verified in under 1 s and under 256 MB RSS.
# Prints one line per case (verdict, seconds, MB, the first line of the error) and writes
# the table to target/bench-results/hostile-<date>.txt. Exit status 1 when a case misses
# the goal or a verification unexpectedly succeeds; benchmarks are not tests, so
# scripts/test.sh does not run this.
set -euo pipefail
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"

cargo build --quiet --release --locked -p model-signing-cli
bin=$REPO/target/release/model_signing
scripts/setup-reference.sh >/dev/null
python=${MODEL_SIGNING_REFERENCE_PYTHON:-$REPO/.cache/reference-venv/bin/python}

data=target/bench-data/hostile
stamp=$(sha256sum bench/hostile_gen.py | cut -c1-16)
if [ "$(cat "$data/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "generating hostile inputs in $data (about a minute) ..."
    rm -rf "$data"
    "$python" bench/hostile_gen.py "$data" "$REPO"
    echo "$stamp" >"$data/.stamp"
fi

mkdir -p target/bench-results
out=target/bench-results/hostile-$(date +%Y%m%d-%H%M%S).txt
status=0
{
    echo "# hostile inputs: model_signing $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-32s %-12s %9s %8s %8s  %s\n' case method "size MiB" seconds "RSS MB" "verdict"
    while IFS=$'\t' read -r name method size args; do
        dir=$data/$name
        args=${args//@DATA@/$data}
        # shellcheck disable=SC2086 # args are split on purpose
        set +e
        /usr/bin/time -o "$dir/time" -f '%e %M' "$bin" verify "$method" $args \
            --signature "$dir/model.sig" "$dir/model" >"$dir/stdout" 2>"$dir/stderr"
        rc=$?
        set -e
        read -r secs kb < <(tail -n1 "$dir/time")
        mb=$((kb / 1024))
        verdict="refused: $(head -c 150 "$dir/stderr" | head -n1)"
        [ "$rc" = 0 ] && verdict="VERIFIED"
        goal=ok
        if [ "$rc" = 0 ] || [ "$mb" -ge 256 ] || awk "BEGIN { exit !($secs >= 1) }"; then
            goal=MISSED
            status=1
        fi
        printf '%-32s %-12s %9.1f %8s %8s  %s %s\n' "$name" "$method" \
            "$(awk "BEGIN { print $size / 1048576 }")" "$secs" "$mb" "$goal" "$verdict"
    done <"$data/cases.tsv"
} | tee "$out"
echo "(written to ${out#"$REPO"/})"
grep -q MISSED "$out" && status=1
exit $status
