#!/usr/bin/env bash
# wasm/test.sh -- the wasm package's tests (scripts/test.sh runs each as a step):
#   wasm/test.sh setup        npm ci (deno, workerd, playwright-core, esbuild from npm), the
#                             wasm toolchain, Debian chromium + chromedriver and rust-web-clippy
#   wasm/test.sh check        clippy -D warnings of the wasm crate built for wasm32
#   wasm/test.sh bindgen      wasm-bindgen tests (wasm/tests/web.rs) in Node and headless Chromium
#   wasm/test.sh build        wasm/build.sh (the module and the package's generated files)
#   wasm/test.sh js           node:test: the package in Node, Deno, workerd and Chromium, compared
#                             with the native CLI, then `npm pack` installed into an empty project
#   wasm/test.sh all          all of the above, in that order
# Needs target/debug/model_signing (cargo test --workspace builds it; built here otherwise).
set -euo pipefail
export RUSTUP_AUTO_INSTALL=0

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
WT=$REPO/scripts/wasm-toolchain.sh
PKG=$REPO/wasm/npm
log() { printf '[wasm-test] %s\n' "$*" >&2; }

# The same settings as wasm/build.sh, so that tests reuse the release build's artifacts.
# shellcheck source=wasm/profile.sh
. "$REPO/wasm/profile.sh"

setup() {
  # npm ci (which starts from an empty node_modules) only when the lock changed since the
  # last successful one; the tools come from the npm cache on later runs anyway.
  local stamp=$REPO/node_modules/.model-signing-lock.sha256 want
  want=$(sha256sum "$REPO/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$REPO/node_modules/.bin/deno" ]; then
    log "node_modules matches package-lock.json"
  else
    (cd "$REPO" && npm ci --no-audit --no-fund)
    echo "$want" >"$stamp"
  fi
  "$WT" install --chromium --clippy
}

check() {
  env "${WASM_PKG_ENV[@]}" "$WT" cargo --crate "$REPO" clippy -p model-signing-wasm --all-targets \
    "${WASM_PKG_CARGO_ARGS[@]}" -- -D warnings
}

bindgen() {
  log "wasm-bindgen tests in Node"
  env "${WASM_PKG_ENV[@]}" "$WT" cargo --crate "$REPO" test -p model-signing-wasm --test web "${WASM_PKG_CARGO_ARGS[@]}"
  log "wasm-bindgen tests in headless Chromium"
  env WASM_BINDGEN_USE_BROWSER=1 "${WASM_PKG_ENV[@]}" "$WT" cargo --crate "$REPO" test -p model-signing-wasm --test web \
    "${WASM_PKG_CARGO_ARGS[@]}"
}

build() { "$REPO/wasm/build.sh"; }

js() {
  if ! [ -x "$REPO/target/debug/model_signing" ] && [ -z "${MODEL_SIGNING_CLI:-}" ]; then
    (cd "$REPO" && cargo build -p model-signing-cli --bin model_signing --locked)
  fi
  cd "$PKG"
  node --test --test-concurrency=1 test/node.test.mjs test/runtimes.test.mjs test/pack.test.mjs
}

case "${1:-all}" in
  setup) setup ;;
  check) check ;;
  bindgen) bindgen ;;
  build) build ;;
  js) js ;;
  all) setup; check; bindgen; build; js ;;
  *) log "unknown step '$1'"; exit 2 ;;
esac
