#!/usr/bin/env bash
# scripts/check-core-wasm.sh -- prove that `core` (package model-signing-core) builds without std.
#
# Builds model-signing-core for wasm32-unknown-unknown, release, --no-default-features (no `std`
# feature), in target/wasm, with the standard library rebuilt from source as **only core and
# alloc** (-Zbuild-std=core,alloc). No `std` crate exists in that sysroot, so any use of std by
# core or by any of its dependencies fails with "can't find crate for `std`" (E0463): a
# successful build is the proof. Prints the size of the resulting rlib.
#
# Route: the Debian rustc-web toolchain (scripts/wasm-toolchain.sh). On the native route (rustup
# toolchain with a wasm32 std) build-std is used as well when that toolchain has rust-src;
# otherwise this script switches to the Debian route, because a prebuilt wasm32 std would make
# the check meaningless.
#
# Knobs (env): CORE_WASM_BUILD_STD (default core,alloc; std,panic_abort builds but proves nothing),
#              WASM_TARGET_DIR (default <repo>/target/wasm), CORE_WASM_PACKAGE (default model-signing-core).
set -euo pipefail
export RUSTUP_AUTO_INSTALL=0

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
WT=$REPO/scripts/wasm-toolchain.sh
PKG=${CORE_WASM_PACKAGE:-model-signing-core}
BUILD_STD=${CORE_WASM_BUILD_STD:-core,alloc}
export WASM_TARGET_DIR=${WASM_TARGET_DIR:-$REPO/target/wasm}
TARGET=wasm32-unknown-unknown

log() { printf '[check-core-wasm] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case ",$BUILD_STD," in
  *,std,*) log "warning: CORE_WASM_BUILD_STD=$BUILD_STD includes std: this build does NOT prove no_std" ;;
esac

# Pick the route and the env overrides that make build-std use only $BUILD_STD.
route=$("$WT" route)
extra_env=()
if [ "$route" = native ]; then
  sysroot=$(cd "$REPO" && rustc --print sysroot)
  if [ -d "$sysroot/lib/rustlib/src/rust/library" ]; then
    log "native route with rust-src: build-std=$BUILD_STD via RUSTC_BOOTSTRAP=1"
    extra_env=(RUSTC_BOOTSTRAP=1 "CARGO_UNSTABLE_BUILD_STD=$BUILD_STD")
  else
    log "native route without rust-src: a prebuilt wasm32 std proves nothing; using the Debian route"
    export WASM_ROUTE=debian
  fi
fi
if [ "$("$WT" route)" = debian ]; then
  export WASM_BUILD_STD=$BUILD_STD
fi

"$WT" install >&2

# Package name -> crate (file) name.
crate_name=${PKG//-/_}
rlib=$WASM_TARGET_DIR/$TARGET/release/lib$crate_name.rlib
log "cargo build -p $PKG --target $TARGET --release --no-default-features --locked (build-std=$BUILD_STD, target dir $WASM_TARGET_DIR)"
buildlog=$(mktemp)
trap 'rm -f "$buildlog"' EXIT
t0=$(date +%s)
set +e
env "${extra_env[@]}" "$WT" cargo --crate "$REPO" build -p "$PKG" --target "$TARGET" --release \
  --no-default-features --locked 2>&1 | tee "$buildlog"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
  if grep -q "can't find crate for \`std\`" "$buildlog"; then
    log "FAILED: something needs std. Crates that failed to compile:"
    grep -E '^error: could not compile `' "$buildlog" | sed 's/^/[check-core-wasm]   /' >&2 || true
    log "(each needs #![no_std] + extern crate alloc, or a dependency with default-features = false)"
  fi
  die "$PKG does not build for $TARGET without std (cargo exit $rc)"
fi
[ -f "$rlib" ] || die "build succeeded but $rlib is missing"
size=$(stat -c %s "$rlib")
log "OK: $PKG builds for $TARGET with only {$BUILD_STD} from the standard library ($(($(date +%s) - t0))s)"
printf '%s: %s bytes (%s)\n' "${rlib#"$REPO"/}" "$size" "$(numfmt --to=iec-i --suffix=B "$size")"
