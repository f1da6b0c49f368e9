#!/usr/bin/env bash
# scripts/setup-softhsm.sh -- install what the PKCS #11 tests need: SoftHSM2 (the token),
# OpenSC's pkcs11-tool (key generation and export), p11-kit and openssl, from Debian's packages.
#
# Idempotent: when every tool and the SoftHSM2 module are present nothing is installed and
# apt is not touched; `apt-get update` runs only when something is missing. The tests give
# each SoftHSM2 instance its own SOFTHSM2_CONF, so nothing is configured here.
#
#   scripts/setup-softhsm.sh            install what is missing
#   scripts/setup-softhsm.sh --module   print the path of libsofthsm2.so (installs nothing;
#                                       exit status 1 when there is none)
set -euo pipefail

log() { printf '[setup-softhsm] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}

# The module's location differs between releases (Debian multiarch or /usr/lib/softhsm).
softhsm_module() {
  local m
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so \
    /usr/lib/*-linux-gnu/pkcs11/libsofthsm2.so /usr/lib64/pkcs11/libsofthsm2.so; do
    if [ -f "$m" ]; then echo "$m"; return 0; fi
  done
  return 1
}
if [ "${1:-}" = --module ]; then
  softhsm_module || die "libsofthsm2.so not found: run scripts/setup-softhsm.sh"
  exit 0
fi

missing=()
command -v softhsm2-util >/dev/null 2>&1 && softhsm_module >/dev/null || missing+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || missing+=(opensc)
command -v p11-kit >/dev/null 2>&1 || missing+=(p11-kit)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ "${#missing[@]}" -gt 0 ]; then
  t0=$(date +%s)
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" </dev/null >/dev/null
  log "installed in $(($(date +%s) - t0))s"
fi

command -v softhsm2-util >/dev/null 2>&1 || die "softhsm2-util missing after install"
command -v pkcs11-tool >/dev/null 2>&1 || die "pkcs11-tool missing after install"
command -v p11-kit >/dev/null 2>&1 || die "p11-kit missing after install"
module=$(softhsm_module) || die "libsofthsm2.so not found after installing softhsm2"
log "softhsm2 $(softhsm2-util --version 2>&1 | head -n 1), module $module"
if command -v dpkg-query >/dev/null 2>&1; then
  log "$(dpkg-query -W -f '${Package} ${Version}  ' softhsm2 opensc p11-kit 2>/dev/null)"
fi
