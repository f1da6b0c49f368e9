#!/usr/bin/env bash
# wasm/build.sh -- builds the npm package's generated files in wasm/npm/dist/:
#   dist/wasm/model_signing_wasm_bg.wasm   the module (see wasm/profile.sh for how it is compiled)
#   dist/wasm/model_signing_wasm.js/.d.ts  wasm-bindgen's ES module glue (--target web)
#   dist/node.cjs                          the Node entry bundled as CommonJS (esbuild)
#   dist/node.d.ts, dist/node.d.cts         the Node entry's types (from types/index.d.ts)
#
# Idempotent and incremental: cargo rebuilds only what changed (in its own target dir,
# target/wasm-pkg, because RUSTFLAGS differ from core's no_std check in target/wasm), and
# wasm-bindgen/wasm-opt run only when the cargo output changed.
# Knobs (env): WASM_PKG_TARGET_DIR (default target/wasm-pkg), WASM_OPT_LEVEL: a wasm-opt
#   level (-O1, -O3, -Oz, ...) to run npm binaryen 132's wasm-opt (never Debian's 108, which
#   breaks wasm-bindgen output), or "none" (the default). Measured on this module: wasm-opt
#   makes it 10-15 % smaller raw but 1.5-9 % LARGER gzipped (-O1 +1.4 %, -Oz +8.8 %, -O3
#   +9.3 %), and does not change hashing speed beyond noise; what is served is compressed, so
#   the default ships LLVM's output.
set -euo pipefail
export RUSTUP_AUTO_INSTALL=0

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
WT=$REPO/scripts/wasm-toolchain.sh
PKG=$REPO/wasm/npm
DIST=$PKG/dist
# shellcheck source=wasm/profile.sh
. "$REPO/wasm/profile.sh"
TARGET_DIR=$WASM_PKG_TARGET_DIR
OPT=${WASM_OPT_LEVEL:-none}
log() { printf '[wasm-build] %s\n' "$*" >&2; }

if [ "$OPT" = none ]; then "$WT" install >&2; else "$WT" install --wasm-opt >&2; fi

t0=$(date +%s)
log "cargo build -p model-signing-wasm (wasm32, release) in ${TARGET_DIR#"$REPO"/}"
# The profile (wasm/profile.sh): hash crates at opt-level 3, the rest at "z", simd128.
env "${WASM_PKG_ENV[@]}" "$WT" cargo --crate "$REPO" build -p model-signing-wasm --lib "${WASM_PKG_CARGO_ARGS[@]}"
raw=$TARGET_DIR/wasm32-unknown-unknown/release/model_signing_wasm.wasm
[ -f "$raw" ] || { log "error: $raw is missing"; exit 1; }
log "cargo: $(( $(date +%s) - t0 ))s, $(stat -c %s "$raw") bytes"

stamp=$DIST/.stamp
want="$(sha256sum "$raw" | cut -d' ' -f1) opt=$OPT"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$DIST/wasm/model_signing_wasm_bg.wasm" ]; then
  log "dist/wasm is up to date"
else
  rm -rf "$DIST/wasm" && mkdir -p "$DIST/wasm"
  # The name section is 55 KB gzipped; stack traces then show wasm-function[N] only.
  "$WT" run wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --out-dir "$DIST/wasm" --out-name model_signing_wasm "$raw"
  if [ "$OPT" != none ]; then
    t1=$(date +%s)
    "$WT" run wasm-opt "$OPT" --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
      "$DIST/wasm/model_signing_wasm_bg.wasm" -o "$DIST/wasm/model_signing_wasm_bg.wasm.opt"
    mv "$DIST/wasm/model_signing_wasm_bg.wasm.opt" "$DIST/wasm/model_signing_wasm_bg.wasm"
    log "wasm-opt $OPT: $(( $(date +%s) - t1 ))s ($("$WT" run wasm-opt --version))"
  fi
  echo "$want" >"$stamp"
fi

# The CommonJS entry: src/node.js with its imports bundled (the wasm file and the worker
# stay separate files, found relative to the package root).
ESBUILD=$REPO/node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || (cd "$REPO" && npm ci --no-audit --no-fund >&2)
"$ESBUILD" "$PKG/src/node.js" --bundle --platform=node --format=cjs --target=node20 \
  --outfile="$DIST/node.cjs" --log-level=warning \
  --define:import.meta.url=__model_signing_import_meta_url \
  --banner:js="const __model_signing_import_meta_url = require('node:url').pathToFileURL(__filename).href;"
# Node types: the shared ones with the browser-only block replaced by the Node-only one.
awk -v extra="$PKG/types/node-only.d.ts" '
  /<browser-only>/ { skip = 1; while ((getline line < extra) > 0) print line; next }
  /<\/browser-only>/ { skip = 0; next }
  !skip' "$PKG/types/index.d.ts" >"$DIST/node.d.ts"
cp "$DIST/node.d.ts" "$DIST/node.d.cts"

size=$(stat -c %s "$DIST/wasm/model_signing_wasm_bg.wasm")
gz=$(gzip -9 -c "$DIST/wasm/model_signing_wasm_bg.wasm" | wc -c)
log "module: $size bytes, $gz gzipped; total $(( $(date +%s) - t0 ))s"
