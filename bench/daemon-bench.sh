#!/usr/bin/env bash
# bench/daemon-bench.sh -- speed of the signing daemon (`model_signing serve`, issue 11):
# signing latency with a key file and with a SoftHSM2 key, `GET /api/v1/status` throughput,
# and idle memory, on the release binary, driven over real HTTP the way a paired page is.
#
#   bench/daemon-bench.sh                     # ~1.5 min after the release build
#   BENCH_SIGN_RUNS=50 BENCH_LOAD_SECONDS=5 bench/daemon-bench.sh   # quicker
#
# Targets (issue 11, "Speed"), with approval granted ahead (a timed grant for the origin):
# sign a 1,000-file manifest with a key file in under 20 ms median, with SoftHSM2 in under
# 50 ms; `GET /api/v1/status` at 5,000 requests/s or more on 2 cores; idle RSS under 25 MB.
#
# What it does:
#   1. cargo build --release --locked -j1 -p model-signing-cli; scripts/setup-softhsm.sh;
#      installs Debian's `wrk` (the load generator) with apt-get when it is missing.
#   2. In a temporary directory (never the user's tokens or state): a SoftHSM2 configuration
#      and token with a P-256 key (random PIN, kept in a 0600 file and given to the daemon
#      as the URI's pin-source), a P-256 key file (openssl), and a 1,000-file model
#      (10 dirs x 100 files of 1-4 KiB) whose manifest (files, sha256) is the request body.
#   3. Starts `model_signing serve --listen 127.0.0.1:0 --no-terminal` with a fresh
#      --state-dir, the key file (key-1) and the SoftHSM2 key (pkcs11-1), and
#      --allow-origin for the bench origin; waits BENCH_IDLE_SECONDS and reads VmRSS
#      (/proc/PID/status). A second daemon with the key file only gives a reference RSS.
#   4. Pairs the origin as a page does (POST /api/v1/pairings, the code read with
#      `model_signing approve --list --json`, POST .../confirm) and grants it each signer
#      (`approve --grant ORIGIN --signer ID`).
#   5. Per signer, over one keep-alive connection: BENCH_SIGN_WARMUP + BENCH_SIGN_RUNS
#      `POST /api/v1/sign` of the manifest; wall time per request, median and p90. The
#      daemon rate-limits signing to 20 requests/s per origin (burst 40), so requests are
#      started at most BENCH_SIGN_RATE per second: this measures latency, not throughput.
#      The last bundle of each signer is verified with `model_signing verify key`.
#   6. `GET /api/v1/status` with wrk (keep-alive, BENCH_LOAD_THREADS threads,
#      BENCH_LOAD_CONNECTIONS connections, BENCH_LOAD_SECONDS s, BENCH_LOAD_RUNS runs;
#      the median run is reported), anonymous (no Origin, as curl or a script) and as the
#      paired page (Origin + bearer token); plus the daemon's own CPU time per request,
#      since wrk shares the 2 cores with it.
#   7. Prints the table with the targets and the load average (the machine may be shared),
#      writes it to target/bench-results/daemon-<date>.txt, stops the daemons, removes the
#      temporary directory.
#
# Exit status: 0 when everything ran (missed targets do not change it); 1 when a step
# failed (build, setup, a daemon that did not start, a sign request that was not 200, a
# bundle that does not verify, wrk failing or getting non-2xx answers).
#
# Knobs (env):
#   BENCH_SIGN_RUNS=200        timed sign requests per signer    BENCH_SIGN_WARMUP=10
#   BENCH_SIGN_RATE=18         sign requests started per second at most (daemon limit: 20)
#   BENCH_FILES=1000           files in the manifest
#   BENCH_LOAD_SECONDS=10      per wrk run    BENCH_LOAD_RUNS=3    BENCH_LOAD_THREADS=2
#   BENCH_LOAD_CONNECTIONS=32  wrk connections (keep-alive)
#   BENCH_IDLE_SECONDS=5       idle time before RSS is read
#   BENCH_JOBS=1               cargo -j
#   BENCH_SKIP_BUILD=1         use the existing target/release/model_signing
#   BENCH_BIN=PATH             benchmark this binary instead (implies BENCH_SKIP_BUILD)
#   BENCH_KEEP_TMP=1           keep the temporary directory (token, keys, daemon output)
#   BENCH_PERF=1               also record `perf record --call-graph dwarf` of the daemon during the sign
#                              runs (target/bench-results/daemon-<date>.perf.data)
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
SIGN_RUNS=${BENCH_SIGN_RUNS:-200}
SIGN_WARMUP=${BENCH_SIGN_WARMUP:-10}
SIGN_RATE=${BENCH_SIGN_RATE:-18}
FILES=${BENCH_FILES:-1000}
LOAD_SECONDS=${BENCH_LOAD_SECONDS:-10}
LOAD_RUNS=${BENCH_LOAD_RUNS:-3}
LOAD_THREADS=${BENCH_LOAD_THREADS:-2}
LOAD_CONNECTIONS=${BENCH_LOAD_CONNECTIONS:-32}
IDLE_SECONDS=${BENCH_IDLE_SECONDS:-5}
JOBS=${BENCH_JOBS:-1}
PERF=${BENCH_PERF:-0}
ORIGIN=http://bench.test:8080
RESULTS_DIR=$TARGET/bench-results
STAMP=$(date +%Y-%m-%d-%H%M%S)
REPORT=$RESULTS_DIR/daemon-$STAMP.txt

log() { printf '[daemon-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}
posint() { [[ ${!1} =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer"; }
for v in SIGN_RUNS SIGN_RATE FILES LOAD_SECONDS LOAD_RUNS LOAD_THREADS LOAD_CONNECTIONS JOBS; do posint "$v"; done
[[ $SIGN_WARMUP =~ ^[0-9]+$ ]] || die "BENCH_SIGN_WARMUP must be a non-negative integer"
[[ $IDLE_SECONDS =~ ^[0-9]+$ ]] || die "BENCH_IDLE_SECONDS must be a non-negative integer"
command -v python3 >/dev/null || die "python3 not found"
command -v openssl >/dev/null || die "openssl not found"
load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(load)

# ------------------------------------------------------------------ 1. build and tools
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$(readlink -f "$BENCH_BIN")
else
  BIN=$TARGET/release/model_signing
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    log "building the release model_signing (cargo -j$JOBS)"
    cargo build --quiet --release --locked -j"$JOBS" -p model-signing-cli
  fi
fi
[ -x "$BIN" ] || die "$BIN is missing (build it, or unset BENCH_SKIP_BUILD)"
scripts/setup-softhsm.sh
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk \
    </dev/null >/dev/null
fi
command -v wrk >/dev/null 2>&1 || die "wrk missing after install"
if [ "$PERF" = 1 ]; then command -v perf >/dev/null 2>&1 || die "BENCH_PERF=1 needs perf (Debian: linux-perf)"; fi
MODULE=$(scripts/setup-softhsm.sh --module)

# ------------------------------------------------------------------ 2. keys, token, model
TMP=$(mktemp -d "${TMPDIR:-/tmp}/daemon-bench.XXXXXX")
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [ -n "${BENCH_KEEP_TMP:-}" ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$TMP/tokens" "$RESULTS_DIR"
export SOFTHSM2_CONF=$TMP/softhsm2.conf
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
  "$TMP/tokens" >"$SOFTHSM2_CONF"
# Random PINs, never printed: the user PIN reaches the daemon through the pin-source file.
PIN=$(od -An -N8 -tu8 /dev/urandom | tr -dc 0-9 | cut -c1-12)
SO_PIN=$(od -An -N8 -tu8 /dev/urandom | tr -dc 0-9 | cut -c1-12)
(umask 077 && printf '%s' "$PIN" >"$TMP/pin")
softhsm2-util --init-token --free --label bench --pin "$PIN" --so-pin "$SO_PIN" \
  >"$TMP/softhsm-init.log" 2>&1 || die "softhsm2-util --init-token failed: $(cat "$TMP/softhsm-init.log")"
pkcs11-tool --module "$MODULE" --token-label bench --login --pin "$PIN" --keypairgen \
  --key-type EC:prime256v1 --id 01 --label bench-key >"$TMP/keygen.log" 2>&1 \
  || die "pkcs11-tool --keypairgen failed: $(cat "$TMP/keygen.log")"
unset PIN SO_PIN
URI="pkcs11:token=bench;object=bench-key?module-path=$MODULE&pin-source=file:$TMP/pin"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/key.pem" 2>/dev/null
log "making a $FILES-file model and its manifest"
python3 - "$TMP/model" "$TMP/manifest.json" "$FILES" <<'PY'
import hashlib, json, os, random, sys
root, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(11)
resources = []
for i in range(n):
    name = f"layer_{i // 100:02d}/part_{i % 100:03d}.bin"
    data = rng.randbytes(rng.randint(1024, 4096))
    os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
    with open(os.path.join(root, name), "wb") as f:
        f.write(data)
    resources.append({"name": name, "algorithm": "sha256", "digest": hashlib.sha256(data).hexdigest()})
resources.sort(key=lambda r: r["name"])
manifest = {"serialization": {"method": "files", "hashAlgorithm": "sha256", "shardSize": None},
            "allowSymlinks": False,
            "ignorePaths": [".git", ".gitattributes", ".github", ".gitignore", "model.sig"],
            "resources": resources}
with open(out, "w") as f:
    json.dump(manifest, f)
PY

# ------------------------------------------------------------------ 3. the daemons
# start_daemon NAME ARGS...: starts the daemon, waits until it listens; sets DPID, DPORT.
start_daemon() {
  local name=$1; shift
  local out=$TMP/$name.out
  env -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_TRACES_ENDPOINT -u OTEL_TRACES_EXPORTER \
    "$BIN" serve --listen 127.0.0.1:0 --no-terminal --log-level WARNING \
    --state-dir "$TMP/$name-state" "$@" </dev/null >"$out" 2>"$TMP/$name.err" &
  DPID=$!
  PIDS+=("$DPID")
  DPORT=
  for _ in $(seq 600); do
    DPORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$out" | head -n1)
    [ -n "$DPORT" ] && break
    kill -0 "$DPID" 2>/dev/null || die "the daemon ($name) stopped: $(cat "$TMP/$name.err")"
    sleep 0.1
  done
  [ -n "$DPORT" ] || die "the daemon ($name) did not start within 60 s: $(cat "$TMP/$name.err")"
}
stop_daemon() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

log "idle RSS: daemon with the key file only"
start_daemon keyonly --private-key "$TMP/key.pem" --allow-origin "$ORIGIN"
sleep "$IDLE_SECONDS"
RSS_KEYONLY=$(rss_kb "$DPID" VmRSS)
stop_daemon "$DPID"

log "starting the daemon with the key file and the SoftHSM2 key"
start_daemon main --private-key "$TMP/key.pem" --pkcs11-uri "$URI" --allow-origin "$ORIGIN"
PID=$DPID
PORT=$DPORT
sleep "$IDLE_SECONDS"
RSS_IDLE=$(rss_kb "$PID" VmRSS)
RSS_IDLE_ANON=$(rss_kb "$PID" RssAnon)
RSS_IDLE_FILE=$(rss_kb "$PID" RssFile)
THREADS_IDLE=$(rss_kb "$PID" Threads)
log "daemon $PID on 127.0.0.1:$PORT, idle RSS $(mb "$RSS_IDLE") MB"

# ------------------------------------------------------------------ 4-5. pair, grant, sign
PERF_DATA=
if [ "$PERF" = 1 ]; then
  PERF_DATA=$RESULTS_DIR/daemon-$STAMP.perf.data
  perf record --call-graph dwarf,32768 -F 499 -p "$PID" -o "$PERF_DATA" >"$TMP/perf.log" 2>&1 &
  PERF_PID=$!
  PIDS+=("$PERF_PID")
fi
log "pairing $ORIGIN, granting each signer, signing ($SIGN_WARMUP warm-up + $SIGN_RUNS timed per signer)"
CPU0=$(cpu_ticks "$PID")
python3 - "$BIN" "$PORT" "$ORIGIN" "$TMP/main-state" "$TMP/manifest.json" "$TMP" \
  "$SIGN_WARMUP" "$SIGN_RUNS" "$SIGN_RATE" <<'PY' >"$TMP/sign.json"
import http.client, json, os, statistics, subprocess, sys, time
bin_, port, origin, state, manifest_path, tmp = sys.argv[1:7]
warmup, runs, rate = int(sys.argv[7]), int(sys.argv[8]), float(sys.argv[9])
port = int(port)
host = f"127.0.0.1:{port}"

def fail(msg):
    print(f"[daemon-bench] error: {msg}", file=sys.stderr)
    sys.exit(1)

def call(conn, method, path, body=None, token=None, with_origin=True):
    h = {"Host": host}
    if with_origin:
        h["Origin"] = origin
    if body is not None:
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = "Bearer " + token
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r.status, r.read()

def approve(*args):
    p = subprocess.run([bin_, "approve", "--state-dir", state, *args], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"model_signing approve {args[0]} failed: {p.stderr.strip()}")
    return p.stdout

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
# Pair as a page does; the code comes from `approve`, as the user would read it.
st, body = call(conn, "POST", "/api/v1/pairings", json.dumps({"client": "daemon-bench"}))
if st != 201:
    fail(f"POST /api/v1/pairings: {st} {body[:300]!r}")
pairing = json.loads(body)["pairing"]
listing = json.loads(approve("--list", "--json"))
code = next((p["code"] for p in listing.get("pairings", []) if p["origin"] == origin), None)
if code is None:
    fail("no pairing code for the bench origin in `approve --list --json`")
st, body = call(conn, "POST", f"/api/v1/pairings/{pairing}/confirm", json.dumps({"code": code}))
if st != 200:
    fail(f"confirming the pairing: {st} {body[:300]!r}")
token = json.loads(body)["token"]
fd = os.open(os.path.join(tmp, "token"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, token.encode())
os.close(fd)
st, body = call(conn, "GET", "/api/v1/signers", token=token)
if st != 200:
    fail(f"GET /api/v1/signers: {st} {body[:300]!r}")
signers = json.loads(body)["signers"]
for s in signers:
    if s["locked"] or not s["publicKey"]:
        fail(f"signer {s['id']} is locked or has no public key")
    with open(os.path.join(tmp, f"{s['id']}.pub.pem"), "w") as f:
        f.write(s["publicKey"])
    approve("--grant", origin, "--signer", s["id"], "--minutes", "120")

manifest = json.load(open(manifest_path))
# The HTTP round trip alone, for reference: status on the same kind of connection.
rtt = []
for _ in range(200):
    t0 = time.perf_counter()
    st, _ = call(conn, "GET", "/api/v1/status")
    rtt.append((time.perf_counter() - t0) * 1000)
    if st != 200:
        fail(f"GET /api/v1/status: {st}")
conn.close()

def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

result = {"rtt_ms": {"median": statistics.median(rtt), "p90": pct(rtt, 0.9)}, "signers": {}}
interval = 1.0 / rate
for s in signers:
    body = json.dumps({"signer": s["id"], "modelName": "bench-model", "manifest": manifest}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.connect()
    sock, reconnects, times, last = conn.sock, 0, [], None
    next_start = time.perf_counter()
    for i in range(warmup + runs):
        now = time.perf_counter()
        if now < next_start:
            time.sleep(next_start - now)
        next_start = max(next_start + interval, time.perf_counter())
        t0 = time.perf_counter()
        st, data = call(conn, "POST", "/api/v1/sign", body, token=token)
        dt = (time.perf_counter() - t0) * 1000
        if conn.sock is not sock:
            reconnects += 1
            sock = conn.sock
        if st != 200:
            fail(f"sign with {s['id']} (request {i}): {st} {data[:300]!r}")
        if i >= warmup:
            times.append(dt)
        last = data
    conn.close()
    answer = json.loads(last)
    if answer.get("files") != len(manifest["resources"]):
        fail(f"{s['id']}: the answer counts {answer.get('files')} files")
    with open(os.path.join(tmp, f"{s['id']}.sig"), "w") as f:
        f.write(answer["bundle"])
    result["signers"][s["id"]] = {
        "kind": s["kind"], "n": len(times), "median": statistics.median(times),
        "p90": pct(times, 0.9), "min": min(times), "max": max(times),
        "mean": statistics.fmean(times), "reconnects": reconnects, "body_bytes": len(body),
    }
print(json.dumps(result))
PY
CPU1=$(cpu_ticks "$PID")
if [ -n "$PERF_DATA" ]; then
  kill -INT "$PERF_PID" 2>/dev/null || true
  wait "$PERF_PID" 2>/dev/null || true
fi
for id in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["signers"]))' "$TMP/sign.json"); do
  "$BIN" verify key --signature "$TMP/$id.sig" --public-key "$TMP/$id.pub.pem" "$TMP/model" \
    >"$TMP/verify-$id.log" 2>&1 || die "the bundle of $id does not verify: $(cat "$TMP/verify-$id.log")"
done
log "bundles of every signer verified with model_signing verify key"

# ------------------------------------------------------------------ 6. status throughput
# run_wrk LABEL [lua script]: BENCH_LOAD_RUNS runs; prints "median_rps max_rps cpu_cores us_per_req"
run_wrk() {
  local label=$1 script=${2:-} i rps all=() cpu0 cpu1 t0 t1 reqs cpu_total=0 reqs_total=0 wall_total=0
  for i in $(seq "$LOAD_RUNS"); do
    cpu0=$(cpu_ticks "$PID"); t0=$(date +%s.%N)
    wrk -t"$LOAD_THREADS" -c"$LOAD_CONNECTIONS" -d"${LOAD_SECONDS}s" ${script:+-s "$script"} \
      "http://127.0.0.1:$PORT/api/v1/status" >"$TMP/wrk-$label-$i.txt" 2>&1 \
      || die "wrk failed: $(cat "$TMP/wrk-$label-$i.txt")"
    cpu1=$(cpu_ticks "$PID"); t1=$(date +%s.%N)
    ! grep -q 'Non-2xx' "$TMP/wrk-$label-$i.txt" \
      || die "GET /api/v1/status ($label) got non-2xx answers: $(grep 'Non-2xx' "$TMP/wrk-$label-$i.txt")"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-$label-$i.txt")
    reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk-$label-$i.txt")
    if [ -z "$rps" ] || [ -z "$reqs" ]; then die "cannot read wrk's output: $(cat "$TMP/wrk-$label-$i.txt")"; fi
    all+=("$rps")
    cpu_total=$((cpu_total + cpu1 - cpu0))
    reqs_total=$((reqs_total + reqs))
    wall_total=$(awk -v a="$wall_total" -v b="$t0" -v c="$t1" 'BEGIN { print a + c - b }')
  done
  printf '%s\n' "${all[@]}" | sort -g | awk -v cpu="$cpu_total" -v tick="$TICK" -v n="$reqs_total" -v wall="$wall_total" '
    { v[NR] = $1 }
    END { printf "%.0f %.0f %.2f %.1f\n", v[int((NR + 1) / 2)], v[NR], cpu / tick / wall, cpu / tick / n * 1e6 }'
}
log "GET /api/v1/status with wrk: $LOAD_RUNS x ${LOAD_SECONDS}s, $LOAD_THREADS thread(s), $LOAD_CONNECTIONS connections"
LOAD_WRK=$(load)
out=$(run_wrk anonymous)
read -r ST_MED ST_MAX ST_CORES ST_US <<<"$out"
(
  umask 077
  printf 'wrk.headers["Origin"] = "%s"\nwrk.headers["Authorization"] = "Bearer %s"\n' \
    "$ORIGIN" "$(cat "$TMP/token")" >"$TMP/paired.lua"
)
out=$(run_wrk paired "$TMP/paired.lua")
read -r SP_MED SP_MAX SP_CORES SP_US <<<"$out"
sleep "$IDLE_SECONDS"
RSS_AFTER=$(rss_kb "$PID" VmRSS)
RSS_HWM=$(rss_kb "$PID" VmHWM)
RSS_AFTER_ANON=$(rss_kb "$PID" RssAnon)
THREADS_AFTER=$(rss_kb "$PID" Threads)
stop_daemon "$PID"
LOAD_END=$(load)

# ------------------------------------------------------------------ 7. report
python3 - "$TMP/sign.json" <<PY >"$REPORT"
import json, sys
r = json.load(open(sys.argv[1]))
rows = []
def row(what, target, result, ok):
    rows.append((what, target, result, "ok" if ok else "MISSED"))
rss = $RSS_IDLE / 1024
row("idle RSS (key file + SoftHSM2 signers)", "< 25 MB", f"{rss:.1f} MB", rss < 25)
for sid, s in r["signers"].items():
    limit = 20 if s["kind"] == "key" else 50
    label = "key file" if s["kind"] == "key" else "SoftHSM2" if s["kind"] == "pkcs11" else s["kind"]
    row(f"sign {$FILES:,} files, {label} ({sid}), median", f"< {limit} ms",
        f"{s['median']:.2f} ms (p90 {s['p90']:.2f})", s["median"] < limit)
row("GET /api/v1/status, anonymous", ">= 5,000 req/s", f"{$ST_MED:,} req/s", $ST_MED >= 5000)
print("# signing daemon benchmark (issue 11): model_signing $(git rev-parse --short HEAD 2>/dev/null || echo '?'), "
      "$(nproc) cores, $(date '+%Y-%m-%d %H:%M:%S')")
print("# load average (1/5/15 min): start $LOAD_START; before wrk $LOAD_WRK; end $LOAD_END")
w = max(len(x[0]) for x in rows) + 2
print(f"{'measure':<{w}}{'target':<16}{'result':<28}verdict")
for what, target, result, verdict in rows:
    print(f"{what:<{w}}{target:<16}{result:<28}{verdict}")
print()
print("details:")
for sid, s in r["signers"].items():
    print(f"  sign {sid}: n={s['n']} min {s['min']:.2f} mean {s['mean']:.2f} max {s['max']:.2f} ms; "
          f"body {s['body_bytes']:,} bytes; reconnects {s['reconnects']}; paced at <= $SIGN_RATE/s")
print(f"  HTTP round trip alone (GET /api/v1/status, same client): median {r['rtt_ms']['median']:.2f} ms, "
      f"p90 {r['rtt_ms']['p90']:.2f} ms")
print(f"  status anonymous: median {$ST_MED:,} req/s, best {$ST_MAX:,}; daemon CPU {$ST_CORES} cores busy, "
      f"{$ST_US} us CPU per request (=> {1e6 / $ST_US:,.0f} req/s per core)")
print(f"  status paired (Origin + token): median {$SP_MED:,} req/s, best {$SP_MAX:,}; daemon CPU {$SP_CORES} "
      f"cores busy, {$SP_US} us CPU per request")
print("  wrk: $LOAD_RUNS x ${LOAD_SECONDS}s, $LOAD_THREADS thread(s), $LOAD_CONNECTIONS keep-alive connections, "
      "sharing the cores with the daemon")
sign_cpu = ($CPU1 - $CPU0) / $TICK
print(f"  daemon CPU during pairing + all sign requests: {sign_cpu:.2f} s")
print(f"  RSS: idle {$RSS_IDLE / 1024:.1f} MB (key file only: {$RSS_KEYONLY / 1024:.1f} MB); "
      f"idle after the runs {$RSS_AFTER / 1024:.1f} MB; peak {$RSS_HWM / 1024:.1f} MB")
print(f"       idle: anonymous {$RSS_IDLE_ANON / 1024:.1f} MB + file-backed {$RSS_IDLE_FILE / 1024:.1f} MB, "
      f"$THREADS_IDLE threads; after the runs: anonymous {$RSS_AFTER_ANON / 1024:.1f} MB, $THREADS_AFTER threads")
print(f"  daemon output: $(wc -l <"$TMP/main.out") lines on stdout, $(wc -l <"$TMP/main.err") on stderr")
PY
[ -z "$PERF_DATA" ] || echo "  perf data: ${PERF_DATA#"$REPO"/} (perf report -i it)" >>"$REPORT"
cat "$REPORT"
echo "(written to ${REPORT#"$REPO"/})"
