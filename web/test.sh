#!/usr/bin/env bash
# web/test.sh -- the web app's tests; scripts/test.sh runs it as the `web` step, after the
# wasm package's steps (it needs wasm/npm/dist from wasm/build.sh, Debian chromium and
# node_modules from wasm/test.sh setup, and the native CLI target/debug/model_signing,
# which `cargo test --workspace` builds; it is built here otherwise; and SoftHSM2 and the
# Python reference, from scripts/setup-softhsm.sh and scripts/setup-reference.sh, which
# scripts/test.sh runs first):
#   1. web/build.sh           web/dist (esbuild bundles, the module, the shell)
#   2. node --test            test/*.test.mjs in headless Chromium through playwright-core:
#                             the local hub, the verify view and the sign view (compared with
#                             the CLI), signing through the real daemon (SoftHSM2 token, key
#                             file; verified by the CLI and the Python reference),
#                             <model-signature-status> on the local hub, the demo, and
#                             scripts/demo.sh (the README's first command) started and stopped;
#                             screenshots in target/web-screenshots/
set -euo pipefail
export RUSTUP_AUTO_INSTALL=0

WEB=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$WEB/.." && pwd)

"$WEB/build.sh"
# The daemon embeds web/dist (host/daemon/build.rs): built when missing or older than it
# (web/build.sh leaves an unchanged web/dist untouched, so this is rare in scripts/test.sh).
BIN=$REPO/target/debug/model_signing
if [ -z "${MODEL_SIGNING_CLI:-}" ] && { ! [ -x "$BIN" ] || [ -n "$(find "$WEB/dist" -newer "$BIN" -print -quit)" ]; }; then
  (cd "$REPO" && cargo build -p model-signing-cli --bin model_signing --locked)
fi
cd "$WEB"
# One file at a time: each drives its own Chromium (or the daemon), and CI has two cores.
node --test --test-concurrency=1 test/hub.test.mjs test/verify-view.test.mjs test/sign-view.test.mjs \
  test/sign-daemon.test.mjs test/element.test.mjs test/demo.test.mjs test/demo-script.test.mjs
