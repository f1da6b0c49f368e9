# wasm/profile.sh -- sourced by wasm/build.sh and wasm/test.sh: how the wasm module is
# compiled, so that tests reuse the build's artifacts (target/wasm-pkg).
#
# Size and speed are both targets (module <= 350 KB gzipped with the Sigstore verifier;
# SHA-256 >= 350 MB/s, BLAKE3 >= 1.4 GB/s per worker), and they pull opposite ways:
# opt-level "z" halves SHA-256 throughput in wasm, while opt-level 3 with fat LTO gives a
# 440 KB (gzip) module. So the hash crates (sha2, blake2, blake3 and the digest/block-buffer
# code that drives them) are built at opt-level 3 and everything else (P-256/384/521, RSA,
# Ed25519, X.509, DER, JSON, the verifiers: code that runs once per model) at "z", without
# cross-crate LTO (which would re-optimise everything at one level). Measured on this
# machine (gzip -9 of the module): opt 3 + fat LTO 440 KB; "s" + hashes at 3 350 KB;
# "z" + hashes at 3 329 KB, with the same hashing throughput as opt 3 + fat LTO.
# simd128 is baseline in every engine the package supports (V8 >= 9.1: Chromium, Node >= 16.4,
# Deno, workerd; Firefox >= 89; Safari >= 16.4); it enables BLAKE3's wasm32_simd backend.
# shellcheck shell=bash

WASM_PKG_TARGET_DIR=${WASM_PKG_TARGET_DIR:-$REPO/target/wasm-pkg}
WASM_PKG_ENV=(
  "WASM_TARGET_DIR=$WASM_PKG_TARGET_DIR"
  "RUSTFLAGS=-C target-feature=+simd128"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z
  CARGO_PROFILE_RELEASE_LTO=false
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
  CARGO_PROFILE_RELEASE_DEBUG=false
)
WASM_PKG_CARGO_ARGS=(--release --locked)
for crate in sha2 blake2 blake3 digest block-buffer hybrid-array; do
  WASM_PKG_CARGO_ARGS+=(--config "profile.release.package.$crate.opt-level=3")
done
