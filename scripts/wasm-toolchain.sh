#!/usr/bin/env bash
# scripts/wasm-toolchain.sh -- build this project's crates for wasm32-unknown-unknown.
#
# Adapted from the team's tested wasm recipe (Debian 12 "bookworm" machines).
#
# Routes (chosen automatically; force with WASM_ROUTE=native|debian):
#   native  the active rustc (rustup, honouring rust-toolchain.toml) already has a wasm32 std
#           (someone ran `rustup target add wasm32-unknown-unknown`): plain cargo.
#   debian  no wasm32 std (rustup must not download one: RUSTUP_AUTO_INSTALL=0). Use Debian's
#           rustc-web/cargo-web (bookworm-security) + rust-web-src, build the standard library
#           from source (-Zbuild-std, enabled with RUSTC_BOOTSTRAP=1 only inside this env) and
#           link with Debian's wasm-ld-NN matching rustc's LLVM major.
# Nothing is written into the repository's cargo config: every setting is an env var of the
# child process, so host builds are never affected.
#
# Usage:
#   scripts/wasm-toolchain.sh install [--bindgen] [--wasm-opt] [--chromium] [--clippy]
#                                                       # idempotent; apt only when something is missing
#   scripts/wasm-toolchain.sh cargo  ARGS...            # cargo with the wasm env (cwd = --crate dir)
#   scripts/wasm-toolchain.sh run    CMD ARGS...        # any command with the wasm env
#   eval "$(scripts/wasm-toolchain.sh env)"             # print/export the env (use a subshell!)
#   scripts/wasm-toolchain.sh doctor                    # route, tool versions, resulting env
#   scripts/wasm-toolchain.sh route                     # print the route: native or debian
# Common options (before the command's own arguments):
#   --crate DIR            directory cargo runs in (default: the repository root)
#   --lock FILE            Cargo.lock to read the wasm-bindgen version from (default: found upwards)
#   --bindgen-version V    install/use wasm-bindgen-cli V (implies --bindgen)
#
# wasm-bindgen-cli is installed only when asked (--bindgen, --bindgen-version, WASM_BINDGEN_VERSION)
# or when a workspace crate depends on `wasm-bindgen` directly in Cargo.lock (a transitive
# wasm-bindgen, e.g. through js-sys, does not count). Its version is the one in Cargo.lock.
# --wasm-opt installs binaryen's wasm-opt from the npm registry (binaryen@132; Debian's
# binaryen 108 silently breaks wasm-bindgen output) and puts it on the env's PATH.
# --chromium installs Debian's chromium + chromium-driver for wasm-bindgen-test-runner and
# writes a webdriver.json with the flags a closed network needs (exported by `env`).
# --clippy installs Debian's rust-web-clippy on the debian route (clippy of rustc-web), so that
# `cargo clippy` works for wasm32 in this env (the native route uses the toolchain's clippy).
#
# Knobs (env):
#   WASM_ROUTE        auto (default), native or debian
#   WASM_BUILD_STD    crates for -Zbuild-std on the debian route (default: std,panic_abort)
#   WASM_TARGET_DIR   exported as CARGO_TARGET_DIR (default: <repo>/target/wasm; empty = don't set)
#   WASM_TOOLS_ROOT   tool cache (default: ~/.cache/wasm-toolchain)
#   WASM_KEEP_PANIC_PROFILE=1  don't force panic=unwind in the profiles (see below)
#   WASM_TIMINGS      file to append "step<TAB>seconds<TAB>rc" lines to
#   BINARYEN_NPM_VERSION  binaryen version for --wasm-opt (default: 132.0.0)
set -euo pipefail

# Never let rustup download toolchains or targets on our behalf.
export RUSTUP_AUTO_INSTALL=0

WT_TARGET=wasm32-unknown-unknown
WT_SELF=$(readlink -f "${BASH_SOURCE[0]}")
WT_REPO=$(cd "$(dirname "$WT_SELF")/.." && pwd)
WT_ROOT=${WASM_TOOLS_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/wasm-toolchain}
WASM_BUILD_STD=${WASM_BUILD_STD:-std,panic_abort}
WASM_TARGET_DIR=${WASM_TARGET_DIR-$WT_REPO/target/wasm}
DEB_RUST_PKGS=(rustc-web cargo-web rust-web-src)
BINARYEN_NPM_VERSION=${BINARYEN_NPM_VERSION:-132.0.0}
CHROMIUM_PKGS=(chromium chromium-driver)
# Chromium flags for a closed network (written to webdriver.json for wasm-bindgen-test-runner).
CHROMIUM_FLAGS=(headless no-sandbox disable-gpu disable-dev-shm-usage disable-background-networking
  disable-component-update disable-sync no-first-run disable-quic)

log() { printf '[wasm-toolchain] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# timed LABEL CMD...: run a step in a subshell with its own errexit, log its wall time.
timed() {
  local label=$1 t0 rc=0 dt
  shift
  t0=$(now)
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  dt=$(elapsed "$t0")
  log "step '$label' took ${dt}s (rc=$rc)"
  if [ -n "${WASM_TIMINGS:-}" ]; then printf '%s\t%s\t%s\n' "$label" "$dt" "$rc" >>"$WASM_TIMINGS"; fi
  return "$rc"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root needed for: $*"; fi
}

# ---------------------------------------------------------------- detection
CRATE_DIR=$WT_REPO
LOCK=""
BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-}
WANT_BINDGEN=0
[ -n "$BINDGEN_VERSION" ] && WANT_BINDGEN=1

# Does the active rustc (resolved in the crate dir) ship a wasm32 std?
native_has_wasm_std() {
  local libdir
  command -v rustc >/dev/null 2>&1 || return 1
  libdir=$(cd "$CRATE_DIR" && rustc --print target-libdir --target "$WT_TARGET" 2>/dev/null) || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

route() {
  case "${WASM_ROUTE:-auto}" in
    native) echo native ;;
    debian) echo debian ;;
    auto) if native_has_wasm_std; then echo native; else echo debian; fi ;;
    *) die "WASM_ROUTE must be auto, native or debian (got '${WASM_ROUTE}')" ;;
  esac
}

# LLVM major version of Debian's rustc; its wasm-ld should match.
deb_llvm_major() { /usr/bin/rustc -vV 2>/dev/null | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p'; }

deb_wasm_ld() {
  local m f
  m=$(deb_llvm_major)
  if [ -n "$m" ] && [ -x "/usr/bin/wasm-ld-$m" ]; then echo "/usr/bin/wasm-ld-$m"; return 0; fi
  # otherwise the newest wasm-ld-NN present
  f=$(find /usr/bin -maxdepth 1 -name 'wasm-ld-[0-9]*' 2>/dev/null | sort -t- -k3 -n | tail -n 1)
  [ -n "$f" ] && echo "$f"
  return 0
}

find_lock() {
  if [ -n "$LOCK" ]; then echo "$LOCK"; return 0; fi
  local d=$CRATE_DIR
  while [ "$d" != / ]; do
    if [ -f "$d/Cargo.lock" ]; then echo "$d/Cargo.lock"; return 0; fi
    d=$(dirname "$d")
  done
  return 0
}

# Version of the wasm-bindgen crate in Cargo.lock (empty if none).
lock_bindgen_version() {
  local lock; lock=$(find_lock)
  [ -n "$lock" ] || return 0
  awk '/^\[\[package\]\]/ { n = "" }
       /^name = /    { n = $3 }
       /^version = / { if (n == "\"wasm-bindgen\"") { gsub(/"/, "", $3); print $3; exit } }' "$lock"
}

# True if a path (workspace) package in Cargo.lock depends on wasm-bindgen directly.
lock_has_direct_bindgen() {
  local lock; lock=$(find_lock)
  [ -n "$lock" ] || return 1
  awk '/^\[\[package\]\]/ { pathpkg = 1; indeps = 0; next }
       /^source = /       { pathpkg = 0 }
       /^dependencies = / { indeps = 1; next }
       /^\]/              { indeps = 0 }
       indeps && pathpkg && $1 ~ /^"wasm-bindgen(",?)?$/ { found = 1 }
       END { exit found ? 0 : 1 }' "$lock"
}

# The wasm-bindgen-cli version this project needs (empty = none needed).
bindgen_version() {
  if [ -n "$BINDGEN_VERSION" ]; then echo "$BINDGEN_VERSION"; return 0; fi
  if [ "$WANT_BINDGEN" = 1 ] || lock_has_direct_bindgen; then lock_bindgen_version; fi
  return 0
}

bindgen_dir() { echo "$WT_ROOT/wasm-bindgen-$1"; }

# Prints the bin dir of a wasm-bindgen of exactly version $1, if there is one.
find_bindgen() {
  local v=$1 p
  for p in "$(bindgen_dir "$v")/bin/wasm-bindgen" "$(command -v wasm-bindgen 2>/dev/null || true)"; do
    if [ -z "$p" ] || ! [ -x "$p" ]; then continue; fi
    if [ "$("$p" --version 2>/dev/null | awk '{ print $2 }')" = "$v" ]; then dirname "$p"; return 0; fi
  done
  return 0
}

# Host cargo (rustup's if present, else Debian's), run without any wasm settings.
host_cargo() { command -v cargo 2>/dev/null || echo /usr/bin/cargo; }
host_env() {
  env -u CARGO_BUILD_TARGET -u CARGO_UNSTABLE_BUILD_STD -u RUSTFLAGS -u RUSTC -u RUSTDOC \
      -u RUSTC_BOOTSTRAP -u CARGO_TARGET_DIR -u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER \
      -u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER "$@"
}

# ---------------------------------------------------------------- install
APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    APT_UPDATED=1
  fi
}

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install() {
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "apt: already installed: $*"; return 0; fi
  apt_update_once
  log "apt: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" </dev/null >/dev/null
}

install_debian_rust() {
  apt_install "${DEB_RUST_PKGS[@]}"
  local m
  m=$(deb_llvm_major)
  [ -n "$m" ] || die "/usr/bin/rustc does not work after installing ${DEB_RUST_PKGS[*]}"
  log "Debian rustc: $(/usr/bin/rustc --version) (LLVM $m)"
  if [ -x "/usr/bin/wasm-ld-$m" ]; then
    log "linker: /usr/bin/wasm-ld-$m already present"
  else
    apt_update_once
    if apt-cache show "lld-$m" >/dev/null 2>&1; then
      apt_install "lld-$m"
    else
      log "lld-$m is not available; falling back to lld-19"
      apt_install lld-19
    fi
  fi
  [ -n "$(deb_wasm_ld)" ] || die "no wasm-ld found after installing lld"
  [ -d /usr/lib/rustlib/src/rust/library ] || die "rust-web-src did not provide /usr/lib/rustlib/src/rust/library"
}

install_bindgen() {
  local v
  v=$(bindgen_version)
  if [ -z "$v" ]; then
    log "wasm-bindgen-cli not needed (no direct wasm-bindgen dependency in $(find_lock || echo Cargo.lock); use --bindgen to force)"
    return 0
  fi
  if [ -n "$(find_bindgen "$v")" ]; then log "wasm-bindgen-cli $v already at $(find_bindgen "$v")"; return 0; fi
  log "cargo install wasm-bindgen-cli $v -> $(bindgen_dir "$v")"
  # --locked first; some locked transitive versions may be missing from the registry mirror,
  # then retry unlocked.
  host_env "$(host_cargo)" install -q wasm-bindgen-cli --version "=$v" --locked --root "$(bindgen_dir "$v")" \
    || host_env "$(host_cargo)" install -q wasm-bindgen-cli --version "=$v" --root "$(bindgen_dir "$v")"
}

wasm_opt_dir() { echo "$WT_ROOT/binaryen-npm-$BINARYEN_NPM_VERSION/node_modules/.bin"; }

install_wasm_opt() {
  local d="$WT_ROOT/binaryen-npm-$BINARYEN_NPM_VERSION"
  if [ -x "$(wasm_opt_dir)/wasm-opt" ]; then log "wasm-opt (npm binaryen $BINARYEN_NPM_VERSION) already at $(wasm_opt_dir)"; return 0; fi
  command -v npm >/dev/null 2>&1 || die "npm is needed for --wasm-opt"
  mkdir -p "$d"
  log "npm install binaryen@$BINARYEN_NPM_VERSION -> $d"
  (cd "$d" && npm install --no-audit --no-fund --silent --no-save "binaryen@$BINARYEN_NPM_VERSION")
}

webdriver_json() { echo "$WT_ROOT/webdriver.json"; }

write_webdriver_json() {
  local a sep=""
  mkdir -p "$WT_ROOT"
  {
    printf '{"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": ['
    for a in "${CHROMIUM_FLAGS[@]}"; do printf '%s"%s"' "$sep" "$a"; sep=", "; done
    printf ']}}\n'
  } >"$(webdriver_json)"
}

install_chromium() {
  apt_install "${CHROMIUM_PKGS[@]}"
  write_webdriver_json
}

cmd_install() {
  local want_opt=0 want_chromium=0 want_clippy=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --bindgen) WANT_BINDGEN=1 ;;
      --wasm-opt) want_opt=1 ;;
      --chromium) want_chromium=1 ;;
      --clippy) want_clippy=1 ;;
      *) die "unknown install option: $1" ;;
    esac
    shift
  done
  mkdir -p "$WT_ROOT"
  local r t0
  t0=$(now)
  r=$(route)
  log "route: $r"
  if [ "$r" = debian ]; then timed debian-rust install_debian_rust; fi
  timed wasm-bindgen-cli install_bindgen
  if [ "$want_opt" = 1 ]; then timed wasm-opt install_wasm_opt; fi
  if [ "$want_chromium" = 1 ]; then timed chromium install_chromium; fi
  if [ "$want_clippy" = 1 ] && [ "$r" = debian ]; then timed clippy apt_install rust-web-clippy; fi
  log "install done in $(elapsed "$t0")s"
}

# ---------------------------------------------------------------- environment
# Prints "export K=V" lines for the wasm build environment.
emit_env() {
  local r v bg path_add=""
  r=$(route)
  v=$(bindgen_version)
  bg=""
  if [ -n "$v" ]; then
    bg=$(find_bindgen "$v")
    if [ -n "$bg" ]; then path_add=$bg; else log "warning: wasm-bindgen-cli $v is not installed (run: $WT_SELF install)"; fi
  fi
  echo "export RUSTUP_AUTO_INSTALL=0"
  if [ "$r" = debian ]; then
    local shim="$WT_ROOT/debian-shim/bin" ld t
    ld=$(deb_wasm_ld)
    if ! [ -x /usr/bin/cargo ] || ! [ -x /usr/bin/rustc ] || [ -z "$ld" ]; then
      die "debian route selected but rustc-web/cargo-web/lld are missing: run '$WT_SELF install'"
    fi
    # PATH shim: tools that exec plain `cargo`/`rustc` get Debian's, without putting all of
    # /usr/bin in front of rustup's ~/.cargo/bin.
    mkdir -p "$shim"
    for t in cargo rustc rustdoc; do ln -sfn "/usr/bin/$t" "$shim/$t"; done
    # Debian's clippy for rustc-web (package rust-web-clippy), when installed: rustup's
    # cargo-clippy would drive rustup's rustc, which has no wasm32 std source.
    for t in cargo-clippy clippy-driver; do
      if [ -x "/usr/bin/$t" ]; then ln -sfn "/usr/bin/$t" "$shim/$t"; else rm -f "$shim/$t"; fi
    done
    path_add="$shim${path_add:+:$path_add}"
    echo "export WASM_TOOLCHAIN_ROUTE=debian"
    echo "export RUSTC_BOOTSTRAP=1"
    echo "export CARGO_UNSTABLE_BUILD_STD=$WASM_BUILD_STD"
    echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$ld"
    # `panic = "abort"` + build-std + `cargo test` builds core twice ("duplicate lang item").
    # wasm32-unknown-unknown aborts on panic anyway, so unwind generates the same code.
    if [ -z "${WASM_KEEP_PANIC_PROFILE:-}" ]; then
      echo "export CARGO_PROFILE_RELEASE_PANIC=unwind"
      echo "export CARGO_PROFILE_DEV_PANIC=unwind"
    fi
  else
    echo "export WASM_TOOLCHAIN_ROUTE=native"
  fi
  # build-std needs an explicit target; set it on both routes so commands look the same.
  echo "export CARGO_BUILD_TARGET=$WT_TARGET"
  # Separate target dir: host artifacts built by another rustc must not thrash ./target.
  if [ -n "$WASM_TARGET_DIR" ]; then echo "export CARGO_TARGET_DIR=$WASM_TARGET_DIR"; fi
  if [ -n "$bg" ]; then echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner"; fi
  if [ -x "$(wasm_opt_dir)/wasm-opt" ]; then path_add="${path_add:+$path_add:}$(wasm_opt_dir)"; fi
  if [ -x /usr/bin/chromedriver ]; then
    [ -f "$(webdriver_json)" ] || write_webdriver_json
    echo "export CHROMEDRIVER=/usr/bin/chromedriver"
    echo "export WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(webdriver_json)"
  fi
  if [ -n "$path_add" ]; then echo "export PATH=\"$path_add:\$PATH\""; fi
  return 0
}

load_env() {
  local e
  e=$(emit_env)
  eval "$e"
}

cmd_doctor() {
  local r v
  r=$(route)
  v=$(bindgen_version)
  echo "route:          $r"
  echo "crate dir:      $CRATE_DIR"
  echo "Cargo.lock:     $(find_lock)"
  echo "wasm-bindgen:   ${v:-not needed} ${v:+-> $(find_bindgen "$v")}"
  echo "rustup rustc:   $(cd "$CRATE_DIR" && rustc --version 2>/dev/null || echo none)"
  echo "debian rustc:   $(/usr/bin/rustc --version 2>/dev/null || echo none) (LLVM $(deb_llvm_major))"
  echo "debian cargo:   $(/usr/bin/cargo --version 2>/dev/null || echo none)"
  echo "wasm-ld:        $(deb_wasm_ld)"
  echo "wasm-opt:       $("$(wasm_opt_dir)/wasm-opt" --version 2>/dev/null || echo "not installed (install --wasm-opt)")"
  echo "chromedriver:   $(/usr/bin/chromedriver --version 2>/dev/null || echo "not installed (install --chromium)")"
  echo "tools root:     $WT_ROOT"
  echo "--- env ---"
  ( emit_env ) || echo "(no usable wasm env: run '$WT_SELF install')"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$WT_SELF"; }

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --crate) CRATE_DIR=$(cd "$2" && pwd); shift 2 ;;
      --crate=*) CRATE_DIR=$(cd "${1#--crate=}" && pwd); shift ;;
      --lock) LOCK=$(readlink -f "$2"); shift 2 ;;
      --lock=*) LOCK=$(readlink -f "${1#--lock=}"); shift ;;
      --bindgen-version) BINDGEN_VERSION=$2; WANT_BINDGEN=1; shift 2 ;;
      --bindgen-version=*) BINDGEN_VERSION=${1#--bindgen-version=}; WANT_BINDGEN=1; shift ;;
      *) break ;;
    esac
  done
  case "$cmd" in
    install) cmd_install "$@" ;;
    env) emit_env ;;
    route) route ;;
    doctor) cmd_doctor ;;
    cargo)
      load_env
      cd "$CRATE_DIR"
      exec cargo "$@" ;;
    run)
      [ $# -gt 0 ] || die "run needs a command"
      load_env
      cd "$CRATE_DIR"
      exec "$@" ;;
    "" | -h | --help | help) usage ;;
    *) die "unknown command '$cmd' (try --help)" ;;
  esac
}

main "$@"
