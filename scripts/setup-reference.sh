#!/usr/bin/env bash
# scripts/setup-reference.sh -- install the Python reference implementation (model-signing 1.1.1)
# into a venv at <repo>/.cache/reference-venv (git-ignored), for the interop tests and the demo.
#
# Idempotent: a stamp file records what was installed; when it matches and the modules import,
# pip is not run at all. The last line on stdout is the path of the venv's python.
#
# Knobs (env): PYTHON3 (interpreter used to create the venv; default: python3 on PATH),
#              REFERENCE_VENV (default: <repo>/.cache/reference-venv).
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
VENV=${REFERENCE_VENV:-$REPO/.cache/reference-venv}
PY3=${PYTHON3:-python3}
# model-signing 1.1.1 imports OpenSSL (pyOpenSSL) without declaring it as a dependency.
REQUIREMENTS=(model-signing==1.1.1 pyOpenSSL)
EXPECTED_VERSION="model_signing, version 1.1.1"
STAMP=$VENV/.model-signing-reference.stamp

log() { printf '[setup-reference] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}

command -v "$PY3" >/dev/null 2>&1 || die "$PY3 not found (set PYTHON3=/path/to/python3)"
PY3=$(command -v "$PY3")
# What the stamp must say: the requirements and the interpreter the venv was made from.
WANT_STAMP="requirements=${REQUIREMENTS[*]} base=$("$PY3" -c 'import sys; print(sys.version.split()[0])')"

venv_ok() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" -c 'import model_signing, OpenSSL' >/dev/null 2>&1
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_STAMP" ] && venv_ok; then
  log "reference venv up to date ($VENV)"
else
  t0=$(date +%s)
  if [ -e "$VENV" ]; then
    log "removing stale venv $VENV"
    rm -rf "$VENV"
  fi
  mkdir -p "$(dirname "$VENV")"
  log "creating venv with $PY3 ($("$PY3" --version 2>&1))"
  if ! "$PY3" -m venv "$VENV" >&2; then
    # Debian's python3 ships venv/ensurepip in a separate package.
    if [ "$PY3" = /usr/bin/python3 ]; then
      log "python3 -m venv failed; installing python3-venv"
      rm -rf "$VENV"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv </dev/null >/dev/null
      "$PY3" -m venv "$VENV" >&2
    else
      die "$PY3 -m venv failed"
    fi
  fi
  log "pip install ${REQUIREMENTS[*]}"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q "${REQUIREMENTS[@]}" </dev/null >&2
  venv_ok || die "model_signing or OpenSSL does not import after pip install"
  printf '%s\n' "$WANT_STAMP" >"$STAMP"
  log "installed in $(($(date +%s) - t0))s"
fi

[ -x "$VENV/bin/model_signing" ] || die "$VENV/bin/model_signing missing"
got=$("$VENV/bin/model_signing" --version 2>&1) || die "model_signing --version failed: $got"
[ "$got" = "$EXPECTED_VERSION" ] || die "unexpected reference version: '$got' (want '$EXPECTED_VERSION')"
log "$got ($("$VENV/bin/python" -c 'import OpenSSL; print("pyOpenSSL", OpenSSL.__version__)'))"
echo "$VENV/bin/python"
