#!/usr/bin/env bash
# web/build.sh -- builds web/dist/: the web app and <model-signature-status> as a flat
# folder of static files with relative URLs, servable as a plain static site and meant to
# be embedded in the daemon binary:
#   index.html, app.css, favicon.svg     the app shell (no inline script or style)
#   app.js                               the app: verify view, sign view (esbuild bundle)
#   model-signature-status.js            the hub status element (one module for a hub page)
#   worker.js                            the wasm package's hashing worker (verifyModel)
#   hash-worker.js                       the sign view's hashing worker (createHasher)
#   model_signing_wasm_bg.wasm           the module, shared by all of the above
# Needs the wasm package built (wasm/build.sh); run with --wasm to build it first.
# Options: --wasm (run wasm/build.sh first), --dev (no minification, linked source maps).
set -euo pipefail

WEB=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$WEB/.." && pwd)
PKG=$REPO/wasm/npm
DIST=$WEB/dist
log() { printf '[web-build] %s\n' "$*" >&2; }

dev=0
for a in "$@"; do
  case "$a" in
    --wasm) "$REPO/wasm/build.sh" ;;
    --dev) dev=1 ;;
    *) log "unknown option $a"; exit 2 ;;
  esac
done

WASM=$PKG/dist/wasm/model_signing_wasm_bg.wasm
if ! [ -f "$WASM" ] || ! [ -f "$PKG/dist/wasm/model_signing_wasm.js" ]; then
  log "error: $WASM is missing: run wasm/build.sh (or web/build.sh --wasm)"
  exit 1
fi
ESBUILD=$REPO/node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || (cd "$REPO" && npm ci --no-audit --no-fund >&2)

t0=$(date +%s.%N)
# Built beside, then swapped in, so that a server of web/dist never sees half a build.
TMP=$(mktemp -d "$WEB/.dist.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

VERSION=$(node -p "require('$WEB/package.json').version")
args=(--bundle --format=esm "--define:MODEL_SIGNING_WEB_VERSION=\"$VERSION\"" --target=es2022 --platform=browser --loader:.css=text
  --legal-comments=none --log-level=warning --charset=utf8 "--outdir=$TMP" '--entry-names=[name]')
if [ "$dev" = 1 ]; then args+=(--sourcemap=linked); else args+=(--minify); fi
# The package's `browser` entry (module workers, the wasm fetched by URL) is what these
# bundles import; its worker becomes worker.js, found beside the bundle by
# new URL('./worker.js', import.meta.url).
"$ESBUILD" "${args[@]}" \
  "$WEB/src/app.js" \
  "$WEB/src/element/model-signature-status.js" \
  "$WEB/src/hash-worker.js" \
  "$PKG/src/worker.js"

cp "$WASM" "$TMP/model_signing_wasm_bg.wasm"
cp "$WEB/src/index.html" "$WEB/src/app.css" "$WEB/src/favicon.svg" "$TMP/"

# Self-check: a flat folder, nothing fetched from elsewhere, no inline script.
if find "$TMP" -mindepth 1 -type d | grep -q .; then log "error: dist must be flat"; exit 1; fi
if grep -Eq '<script>|<script [^>]*>[^<]' "$TMP/index.html" || grep -q ' on[a-z]*="' "$TMP/index.html"; then
  log "error: index.html has an inline script or handler (the CSP forbids it)"
  exit 1
fi
# (The policy's connect-src names this computer's loopback addresses: the daemon.)
if grep -Eo 'https?://[a-zA-Z0-9.-]+' "$TMP"/*.html "$TMP"/*.css | grep -v -e 'www.w3.org' -e ':http://127\.0\.0\.1$' -e ':http://localhost$' | grep -q .; then
  log "error: the shell references another site:"
  grep -Eo 'https?://[a-zA-Z0-9.-]+' "$TMP"/*.html "$TMP"/*.css >&2
  exit 1
fi

# An unchanged build leaves web/dist as it was (its files' times too), so that cargo does
# not rebuild the daemon, which embeds these files (host/daemon/build.rs).
if [ -d "$DIST" ] && diff -rq "$TMP" "$DIST" >/dev/null 2>&1; then
  log "web/dist unchanged"
  rm -rf "$TMP"
else
  rm -rf "$DIST.old"
  if [ -d "$DIST" ]; then mv "$DIST" "$DIST.old"; fi
  mv "$TMP" "$DIST"
  rm -rf "$DIST.old"
  chmod 755 "$DIST"
fi
trap - EXIT

total=0
while read -r size name; do
  gz=$(gzip -9 -c "$DIST/$name" | wc -c)
  log "$(printf '%-30s %9d bytes %8d gzipped' "$name" "$size" "$gz")"
  total=$((total + gz))
done < <(cd "$DIST" && stat -c '%s %n' -- * | sort -k2)
log "web/dist: $total bytes gzipped in all; $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
