#!/usr/bin/env bash
# scripts/cli-transcript.sh BINARY [OUT] -- runs the CLI over the test vectors and a set of bad
# inputs, and writes every command's exit status, stdout and stderr (temporary paths replaced
# by $T) to OUT (default: stdout). Comparing the transcripts of two builds shows whether a
# change altered anything a user sees: `diff <(scripts/cli-transcript.sh old) <(... new)`.
set -uo pipefail
BIN=$(readlink -f "$1")
OUT=${2:-/dev/stdout}
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
V=$REPO/tests/vectors/model-transparency
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp -r "$V/scripts/tests" "$T/st"
cp -r "$V/generated-v1.1.1" "$T/gen"
K=$T/st/keys/certificate
G=$T/gen/keys
cd "$T"

run() {
  local out err rc
  out=$("$BIN" "$@" 2>"$T/.err"); rc=$?
  err=$(cat "$T/.err")
  printf '$ model_signing %s\n[exit %s]\n%s\n%s\n\n' "$*" "$rc" "$out" "$err" | sed "s#$T#\$T#g"
}

{
# Past releases' signatures, each with its own method.
for d in v0.2.0-certificate v0.3.1-certificate v1.0.0-certificate v1.0.1-certificate v1.1.0-certificate; do
  run verify certificate --signature st/$d/model.sig --certificate_chain $K/ca-cert.pem st/$d/
  run verify certificate --signature st/$d/model.sig --certificate_chain $K/int-ca-cert.pem st/$d/
  run verify key --signature st/$d/model.sig --public_key $K/signing-key-pub.pem st/$d/
done
for d in v0.3.1-elliptic-key v1.0.0-elliptic-key v1.0.1-elliptic-key v1.1.0-elliptic-key; do
  run verify key --signature st/$d/model.sig --public_key $K/signing-key-pub.pem st/$d/
  run verify key --signature st/$d/model.sig --public_key $G/p256-pub.pem st/$d/
  run verify certificate --signature st/$d/model.sig --certificate_chain $K/ca-cert.pem st/$d/
done
for d in v0.3.1-sigstore v1.0.0-sigstore v1.0.1-sigstore v1.1.0-sigstore; do
  run verify sigstore --signature st/$d/model.sig --identity stefanb@us.ibm.com --identity_provider https://sigstore.verify.ibm.com/oauth2 st/$d/
  run verify sigstore --signature st/$d/model.sig --identity someone@example.com --identity_provider https://sigstore.verify.ibm.com/oauth2 st/$d/
  run verify key --signature st/$d/model.sig --public_key $K/signing-key-pub.pem st/$d/
done
# Generated vectors: every hashing configuration.
for d in gen/key-*/; do
  d=${d%/}
  case $d in *p256*) pub=$G/p256-pub.pem ;; *p521*) pub=$G/p521-pub.pem ;; *) pub=$K/signing-key-pub.pem ;; esac
  sig=$d/model.sig
  model=$d
  [ -f $d/model.bin ] && model=$d/model.bin
  run verify key --signature $sig --public_key $pub $model
  run verify key --signature $sig --public_key $pub --no-ignore-git-paths $model
  run verify key --signature $sig --public_key $pub --ignore-unsigned-files $model
  run verify key --signature $sig --public_key $pub --hash-algorithm blake2 $model
  run verify key --signature $sig --public_key $pub --serialization shards --shard-size 7 $model
  run digest $model
done
run verify certificate --signature gen/cert-p384-files-sha256/model.sig --certificate_chain $K/ca-cert.pem gen/cert-p384-files-sha256
run verify certificate --signature gen/cert-p384-files-sha256/model.sig --certificate_chain $K/ca-cert.pem --log_fingerprints gen/cert-p384-files-sha256
run verify key --signature st/v1.0.1-elliptic-key/model.sig --public_key $K/signing-key-pub.pem --ignore-paths st/v1.0.1-elliptic-key/ignore-me st/v1.0.1-elliptic-key
run verify key --signature st/v1.0.0-elliptic-key/model.sig --public_key $K/signing-key-pub.pem st/v1.0.0-elliptic-key/signme-1
# Changed, missing and extra files.
cp -r st/v1.1.0-elliptic-key m1
printf 'X' >> m1/signme-2
run verify key --signature m1/model.sig --public_key $K/signing-key-pub.pem m1
rm m1/signme-2; echo extra > m1/extra
run verify key --signature m1/model.sig --public_key $K/signing-key-pub.pem m1
run verify key --signature m1/model.sig --public_key $K/signing-key-pub.pem --ignore-unsigned-files m1
# Bad bundles.
cp -r st/v1.1.0-elliptic-key m2
head -c 100 st/v1.1.0-elliptic-key/model.sig > m2/model.sig
run verify key --signature m2/model.sig --public_key $K/signing-key-pub.pem m2
echo '{}' > m2/model.sig
run verify key --signature m2/model.sig --public_key $K/signing-key-pub.pem m2
sed 's/bundle.v0.3+json/bundle.v9+json/' st/v1.1.0-elliptic-key/model.sig > m2/model.sig
run verify key --signature m2/model.sig --public_key $K/signing-key-pub.pem m2
sed 's/"dsseEnvelope"/"other"/' st/v1.1.0-elliptic-key/model.sig > m2/model.sig
run verify key --signature m2/model.sig --public_key $K/signing-key-pub.pem m2
run verify key --signature nonexistent.sig --public_key $K/signing-key-pub.pem m2
run verify key --signature m2/model.sig --public_key nonexistent.pem m2
run verify key --signature st/v1.1.0-elliptic-key/model.sig --public_key $K/ca-cert.pem st/v1.1.0-elliptic-key
run verify certificate --signature st/v1.1.0-certificate/model.sig --certificate_chain $K/signing-key-pub.pem st/v1.1.0-certificate
# Signing: success, then the errors a user meets.
mkdir -p s/model/sub; echo a > s/model/a; echo b > s/model/sub/b
run sign key --private_key $G/p256.pem --signature s/out.sig s/model
run verify key --public_key $G/p256-pub.pem --signature s/out.sig s/model
run sign key --private_key nonexistent.pem --signature s/out2.sig s/model
run sign key --private_key $K/ca-cert.pem --signature s/out2.sig s/model
run sign key --private_key $G/p256.pem --signature s/nodir/out.sig s/model
ln -s a s/model/link
run sign key --private_key $G/p256.pem --signature s/out2.sig s/model
run sign key --private_key $G/p256.pem --signature s/out2.sig --allow_symlinks s/model
ln -s /etc/hostname s/model/outside
run sign key --private_key $G/p256.pem --signature s/out2.sig --allow_symlinks s/model
rm s/model/outside s/model/link
mkdir -p s/empty
run sign key --private_key $G/p256.pem --signature s/out2.sig s/empty
run sign key --private_key $G/p256.pem --signature s/out2.sig --serialization shards --shard-size 0 s/model
run sign certificate --private_key $K/signing-key.pem --signing_certificate $K/signing-key-cert.pem --certificate_chain $K/int-ca-cert.pem --signature s/cert.sig s/model
run verify certificate --certificate_chain $K/ca-cert.pem --signature s/cert.sig s/model
run sign certificate --private_key $G/p256.pem --signing_certificate $K/signing-key-cert.pem --signature s/cert2.sig s/model
run digest s/model
run digest --hash-algorithm blake3 s/model
run digest nonexistent
ls s
} > "$OUT" 2>&1
