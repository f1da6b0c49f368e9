#!/usr/bin/env bash
# scripts/demo.sh -- one command: the signing daemon (`model_signing serve`) with its web UI,
# and a demo model hub beside it, until Ctrl-C. (scripts/cli-demo.sh walks through the CLI.)
#
#   1. set-up, idempotent: node and npm (apt, when missing), SoftHSM2
#      (scripts/setup-softhsm.sh; the demo goes on without it), the wasm module
#      (wasm/build.sh), the web UI (web/build.sh) and the release binary that embeds it
#      (cargo build --release -p model-signing-cli)
#   2. state under target/demo/ (kept between runs):
#        state/      the daemon's state directory: its key, created on the first run
#                    (default-signing-key.pem), paired pages (token hashes), audit.log
#        softhsm/    with SoftHSM2: a private token "demo" (its own SOFTHSM2_CONF) with an EC
#                    P-256 key "release", its PIN in a pin-source file; the second signer
#        web-demo/   the hub's generated models (web/demo/make-models.mjs) and its access log
#   3. the daemon on 127.0.0.1:7327 and the demo (web/demo/serve.mjs): the hub's API on :8081,
#      a page of model cards with <model-signature-status> on :8080
#   4. prints the URLs and how to pair, then runs until Ctrl-C or SIGTERM, which stop both.
# Pairing codes and sign requests appear in this terminal; approve here ('y N') or with
# `model_signing approve` in another one.
#
# Knobs (env): DEMO_DIR (default target/demo), DEMO_PORT (daemon, 7327), DEMO_HUB_PORT (8081),
#   DEMO_PAGE_PORT (8080), DEMO_SOFTHSM=0 (no token), DEMO_BIN=/path/to/model_signing (a
#   built binary with the UI embedded: no set-up and no build; web/dist must exist).
set -euo pipefail
export RUSTUP_AUTO_INSTALL=0

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
DEMO_DIR=${DEMO_DIR:-$REPO/target/demo}
PORT=${DEMO_PORT:-7327}
HUB_PORT=${DEMO_HUB_PORT:-8081}
PAGE_PORT=${DEMO_PAGE_PORT:-8080}
log() { printf '[demo] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# ---------------------------------------------------------------- 1. set-up and build
if [ -n "${DEMO_BIN:-}" ]; then
  BIN=$(readlink -f "$DEMO_BIN")
  [ -x "$BIN" ] || die "DEMO_BIN=$DEMO_BIN is not an executable"
  [ -f "$REPO/web/dist/model-signature-status.js" ] || die "web/dist is missing: run web/build.sh"
  command -v node >/dev/null 2>&1 || die "node is missing"
else
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing nodejs and npm with apt"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm </dev/null >&2
  fi
  if [ "${DEMO_SOFTHSM:-1}" != 0 ] && ! "$REPO/scripts/setup-softhsm.sh"; then
    log "SoftHSM2 could not be set up: the demo offers the key file only"
    DEMO_SOFTHSM=0
  fi
  log "building the wasm module, the web UI and the release binary (incremental; the first time takes minutes)"
  "$REPO/wasm/build.sh"
  "$REPO/web/build.sh"
  (cd "$REPO" && cargo build --release --locked -p model-signing-cli)
  BIN=$REPO/target/release/model_signing
fi

# ---------------------------------------------------------------- 2. state, key, token
mkdir -p "$DEMO_DIR"
STATE=$DEMO_DIR/state
SIGNERS=()
# URI attribute values: everything but letters, digits, / . - _ percent-encoded (RFC 7512).
pct() { node -e 'process.stdout.write([...Buffer.from(process.argv[1])].map((b) => /[A-Za-z0-9\/._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""))' "$1"; }

HSM=$DEMO_DIR/softhsm
MODULE=
if [ "${DEMO_SOFTHSM:-1}" != 0 ] && command -v softhsm2-util >/dev/null 2>&1 && command -v pkcs11-tool >/dev/null 2>&1 \
  && command -v openssl >/dev/null 2>&1 && MODULE=$("$REPO/scripts/setup-softhsm.sh" --module 2>/dev/null); then
  if ! [ -f "$HSM/release.pub.pem" ]; then
    log "creating the SoftHSM2 token 'demo' with an EC P-256 key 'release' in ${HSM#"$REPO"/}"
    rm -rf "$HSM"
    mkdir -p -m 700 "$HSM" "$HSM/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
      "$HSM/tokens" >"$HSM/softhsm2.conf"
    # A random PIN, kept in the pin-source file the daemon reads (never printed).
    (umask 077 && od -An -N4 -tu4 /dev/urandom | tr -d ' \n' >"$HSM/pin")
    pin=$(cat "$HSM/pin")
    so_pin=$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')
    said=$(SOFTHSM2_CONF=$HSM/softhsm2.conf softhsm2-util --init-token --free --label demo \
      --pin "$pin" --so-pin "$so_pin")
    slot=$(printf '%s\n' "$said" | sed -n 's/.*reassigned to slot \([0-9]*\).*/\1/p')
    [ -n "$slot" ] || die "softhsm2-util gave no slot: $said"
    SOFTHSM2_CONF=$HSM/softhsm2.conf pkcs11-tool --module "$MODULE" --slot "$slot" --login --pin "$pin" \
      --keypairgen --key-type EC:prime256v1 --id 01 --label release >/dev/null
    SOFTHSM2_CONF=$HSM/softhsm2.conf pkcs11-tool --module "$MODULE" --slot "$slot" \
      --read-object --type pubkey --id 01 -o "$HSM/release.pub.der" >/dev/null
    openssl pkey -pubin -inform DER -in "$HSM/release.pub.der" -out "$HSM/release.pub.pem"
    unset pin so_pin
  fi
  # With a token as well, the key file is named too: the daemon creates its default key
  # only when no signer is given, so it is created here, the same way (P-256, PKCS #8, 0600).
  mkdir -p -m 700 "$STATE"
  if ! [ -f "$STATE/default-signing-key.pem" ]; then
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$STATE/default-signing-key.pem")
  fi
  SIGNERS=(--private-key "$STATE/default-signing-key.pem"
    --pkcs11-uri "pkcs11:token=demo;object=release?module-path=$(pct "$MODULE")&pin-source=file:$(pct "$HSM/pin")")
else
  HSM=
fi

# ---------------------------------------------------------------- 3. start both
LOGS=$DEMO_DIR/logs
mkdir -p "$LOGS"
: >"$LOGS/daemon.log"
: >"$LOGS/hub.log"
DAEMON_PID=
HUB_PID=
stop() {
  trap - INT TERM
  local p
  for p in $DAEMON_PID $HUB_PID; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $DAEMON_PID $HUB_PID; do wait "$p" 2>/dev/null || true; done
  DAEMON_PID= HUB_PID=
}
on_signal() {
  echo
  log "stopping the daemon and the hub"
  stop
  log "stopped"
  exit 0
}
trap on_signal INT TERM
trap stop EXIT

# The daemon reads approvals ('y N') from this terminal; its output is shown and kept.
DAEMON_ENV=()
if [ -n "$HSM" ]; then DAEMON_ENV=("SOFTHSM2_CONF=$HSM/softhsm2.conf"); fi
env "${DAEMON_ENV[@]}" "$BIN" serve --listen "127.0.0.1:$PORT" --state-dir "$STATE" \
  "${SIGNERS[@]}" <&0 > >(tee -a "$LOGS/daemon.log") 2>&1 &
DAEMON_PID=$!
node "$REPO/web/demo/serve.mjs" --out "$DEMO_DIR/web-demo" --cli "$BIN" \
  --hub-port "$HUB_PORT" --page-port "$PAGE_PORT" >"$LOGS/hub.log" 2>&1 &
HUB_PID=$!

# Both are up when they print their addresses (the demo models are generated on the first run).
for _ in $(seq 1 600); do
  if grep -q 'Signing daemon listening on' "$LOGS/daemon.log" && grep -q '^demo page:' "$LOGS/hub.log"; then break; fi
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then die "the daemon stopped (port $PORT taken? DEMO_PORT=N picks another): $(cat "$LOGS/daemon.log")"; fi
  if ! kill -0 "$HUB_PID" 2>/dev/null; then die "the demo hub stopped (ports $HUB_PORT/$PAGE_PORT taken? DEMO_HUB_PORT, DEMO_PAGE_PORT): $(cat "$LOGS/hub.log")"; fi
  sleep 0.1
done
grep -q '^demo page:' "$LOGS/hub.log" || die "the demo hub did not start: $(cat "$LOGS/hub.log")"

# ---------------------------------------------------------------- 4. what to do
rel() { case "$1" in "$REPO"/*) echo "${1#"$REPO"/}" ;; *) echo "$1" ;; esac; }
APPROVE="$(rel "$BIN") approve --state-dir $(rel "$STATE")"
SECOND=
if [ -n "$HSM" ]; then
  SECOND="          pkcs11-1, the SoftHSM2 token 'demo', key 'release' (public key: $(rel "$HSM/release.pub.pem"))
"
fi
cat <<EOF

================================================================================
 model signing demo: running until Ctrl-C
   Sign a model (the daemon's web UI):   http://127.0.0.1:$PORT/#sign
   Verify a model (same UI):             http://127.0.0.1:$PORT/#verify
   Model cards on the demo hub:          http://127.0.0.1:$PAGE_PORT/demo/
   The hub's API:                        http://127.0.0.1:$HUB_PORT/api/models/demo/tiny-llama/tree/main?recursive=true
 Signers: key-1, the key file $(rel "$STATE/default-signing-key.pem")
$SECOND Pairing: in the web UI, "Pair this page with the daemon"; the 6-digit code appears
   here (also: $APPROVE --list).
 Signing: the request appears here; type 'y N' (or: $APPROVE --accept N).
 A model to sign: $(rel "$DEMO_DIR/web-demo/hub/demo/unsigned-model")
================================================================================
EOF

# Until Ctrl-C or SIGTERM (the trap stops both), or until one of them stops. Ctrl-C reaches
# the daemon and the hub too, which stop cleanly (status 0) on it; bash then leaves the
# signal to them and just returns from wait.
set +e
wait -n "$DAEMON_PID" "$HUB_PID"
rc=$?
set -e
if [ "$rc" = 0 ] || [ "$rc" -gt 128 ]; then
  log "stopping the daemon and the hub"
  stop
  log "stopped"
  exit 0
fi
log "the daemon or the hub failed (status $rc): see $(rel "$LOGS")/; stopping the other"
exit 1
