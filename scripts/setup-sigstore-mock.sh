#!/usr/bin/env bash
# scripts/setup-sigstore-mock.sh -- install the local Sigstore used by the keyless-signing
# tests: the npm package @sigstore/mock@0.13.0 (Fulcio, Rekor and TSA handlers, an
# independent implementation) into <repo>/.cache/sigstore-mock (git-ignored), driven by
# the project's own server script tests/sigstore-mock/server.js.
#
# Idempotent: when the stamp matches and the package loads, npm is not run. Needs node
# (>= 20; the package declares >= 22 but works on 20) and npm; installs them with apt
# when missing. The last line on stdout is the node_modules directory (NODE_PATH).
#
# Knobs (env): SIGSTORE_MOCK_DIR (default: <repo>/.cache/sigstore-mock).
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
DIR=${SIGSTORE_MOCK_DIR:-$REPO/.cache/sigstore-mock}
PACKAGES=("@sigstore/mock@0.13.0")
STAMP=$DIR/.stamp

log() { printf '[setup-sigstore-mock] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing nodejs and npm with apt"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
WANT="packages=${PACKAGES[*]} node=$(node --version)"
loads() { (cd "$DIR" && node -e 'require("@sigstore/mock"); require("pkijs")') >/dev/null 2>&1; }

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && loads; then
  log "up to date ($DIR)"
else
  cd "$DIR"
  [ -f package.json ] || printf '{"name":"sigstore-mock-for-tests","private":true}\n' >package.json
  log "npm install ${PACKAGES[*]}"
  # --engine-strict off: the package declares node >= 22 and works on 20.
  npm install --no-audit --no-fund --loglevel=error "${PACKAGES[@]}" >&2
  loads || die "@sigstore/mock does not load after npm install"
  printf '%s' "$WANT" >"$STAMP"
fi
echo "$DIR/node_modules"
