#!/usr/bin/env bash
# scripts/cli-demo.sh -- end-to-end walkthrough of the `model_signing` CLI with a fresh P-256
# key pair (scripts/demo.sh is the web UI and daemon demo).
#
#   1. build the release binary (cargo build --release --locked -p model-signing-cli)
#   2. create a small sample model (a few files, one nested directory) in a temp dir
#   3. generate a P-256 key pair with openssl
#   4. sign the model and show what the signature (a Sigstore bundle) contains
#   5. verify it (must succeed); if the Python reference venv exists (scripts/setup-reference.sh),
#      also verify the Rust signature with it and a reference signature with Rust
#   6. tamper with a file: verify must fail with exit status 1
#   7. restore the file and print the model digest, which must equal the signed subject digest
# Every command is echoed before it runs. Exit 0 only if everything behaved as expected.
#
# Knobs (env): DEMO_KEEP=1 keeps the temp dir; DEMO_REFERENCE=0 skips the reference steps;
#              MODEL_SIGNING_REFERENCE_CLI overrides the reference CLI path;
#              DEMO_BIN=/path/to/model_signing skips the build and demos that binary.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
export RUSTUP_AUTO_INSTALL=0

section() { printf '\n### %s\n' "$*"; }
show() { printf '$'; printf ' %q' "$@"; printf '\n'; }
run() { show "$@"; "$@"; }
# run_sh 'shell text': echo it and run it with bash (for redirections)
run_sh() { printf '$ %s\n' "$1"; bash -c "$1"; }
fail() { printf '\nDEMO FAILED: %s\n' "$*" >&2; exit 1; }
# expect_exit N CMD...: the command must exit with status N
expect_exit() {
  local want=$1 rc
  shift
  show "$@"
  set +e
  "$@"
  rc=$?
  set -e
  [ "$rc" = "$want" ] || fail "expected exit status $want from '$*', got $rc"
  echo "-> exit status $rc, as expected"
}

# ---------------------------------------------------------------- prerequisites
if ! command -v openssl >/dev/null 2>&1; then
  echo "openssl not found: installing it with apt"
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl </dev/null >/dev/null
fi
command -v python3 >/dev/null 2>&1 || fail "python3 is needed to decode the signature"

# ---------------------------------------------------------------- 1. build
if [ -n "${DEMO_BIN:-}" ]; then
  section "1. using the prebuilt binary DEMO_BIN=$DEMO_BIN"
  BIN=$(readlink -f "$DEMO_BIN")
else
  section "1. build the release binary"
  (cd "$REPO" && run cargo build --release --locked -p model-signing-cli)
  BIN=$REPO/target/release/model_signing
fi
[ -x "$BIN" ] || fail "$BIN is missing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/model-signing-demo.XXXXXX")
cleanup() { if [ "${DEMO_KEEP:-0}" = 1 ]; then echo "(kept $WORK)"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
cd "$WORK"
echo "working in $WORK"
# `model_signing` in the commands below is this binary (not any other one on PATH)
mkdir bin
ln -s "$BIN" bin/model_signing
export PATH="$WORK/bin:$PATH"
echo "model_signing -> $BIN"

# ---------------------------------------------------------------- 2. sample model
section "2. a small sample model"
mkdir -p model/tokenizer
cat >model/config.json <<'EOF'
{"architectures": ["DemoForCausalLM"], "hidden_size": 64, "num_layers": 2, "vocab_size": 8}
EOF
head -c 1048576 /dev/urandom >model/model.safetensors
head -c 4096 /dev/urandom >model/optimizer.bin
printf '<pad>\n<s>\n</s>\nhello\nworld\nmodel\nsigning\n!\n' >model/tokenizer/vocab.txt
printf '{"model_max_length": 128}\n' >model/tokenizer/tokenizer_config.json
printf '# Demo model\nRandom weights, for the model_signing demo only.\n' >model/README.md
run_sh 'find model -type f -printf "%8s  %p\n" | sort -k2'

# ---------------------------------------------------------------- 3. keys
section "3. a fresh P-256 key pair"
run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem
run openssl pkey -in key.pem -pubout -out pub.pem
cat pub.pem

# ---------------------------------------------------------------- 4. sign
section "4. sign"
run model_signing sign key model --private-key key.pem --signature model.sig
[ -s model.sig ] || fail "model.sig was not written"
echo
echo "model.sig ($(stat -c %s model.sig) bytes), decoded:"
show python3 - model.sig pub.pem
python3 - model.sig pub.pem <<'PY'
import base64, hashlib, json, sys

bundle = json.load(open(sys.argv[1]))
pub_pem = open(sys.argv[2], "rb").read()
print(f"  mediaType:      {bundle.get('mediaType')}")
vm = bundle.get("verificationMaterial", {})
hint = (vm.get("publicKey") or {}).get("hint")
if hint is not None:
    same = hint == hashlib.sha256(pub_pem).hexdigest()
    print(f"  key hint:       {hint} ({'= sha256(pub.pem)' if same else 'differs from sha256(pub.pem)'})")
else:
    print(f"  verification:   {sorted(vm)}")
env = bundle["dsseEnvelope"]
print(f"  payloadType:    {env.get('payloadType')}")
for s in env.get("signatures", []):
    print(f"  signature:      {len(base64.b64decode(s['sig']))} bytes DER, keyid {s.get('keyid')!r}")
st = json.loads(base64.b64decode(env["payload"]))
print(f"  statement:      {st.get('_type')}")
print(f"  predicateType:  {st.get('predicateType')}")
for sub in st.get("subject", []):
    print(f"  subject:        {sub.get('name')}  sha256:{sub.get('digest', {}).get('sha256')}")
pred = st.get("predicate", {})
print(f"  serialization:  {json.dumps(pred.get('serialization'), sort_keys=True)}")
res = pred.get("resources", [])
print(f"  resources ({len(res)}):")
for r in res:
    print(f"    {r.get('name'):<36} {r.get('algorithm'):<8} {r.get('digest', '')[:16]}...")
subject = st.get("subject", [{}])[0].get("digest", {}).get("sha256", "")
open("subject-digest.txt", "w").write(subject + "\n")
PY

# ---------------------------------------------------------------- 5. verify
section "5. verify (must succeed)"
run model_signing verify key model --public-key pub.pem --signature model.sig

REF_CLI=${MODEL_SIGNING_REFERENCE_CLI:-$REPO/.cache/reference-venv/bin/model_signing}
if [ "${DEMO_REFERENCE:-1}" != 0 ] && [ -x "$REF_CLI" ]; then
  section "5b. interop with the Python reference ($("$REF_CLI" --version))"
  echo "reference CLI = $REF_CLI   (1.1.1 spells the options --private_key/--public_key)"
  run "$REF_CLI" verify key model --signature model.sig --public_key pub.pem
  run "$REF_CLI" sign key model --signature model.ref.sig --private_key key.pem
  run model_signing verify key model --public-key pub.pem --signature model.ref.sig
else
  echo "(reference interop skipped: run scripts/setup-reference.sh to enable it)"
fi

# ---------------------------------------------------------------- 6. tamper
section "6. tamper with a file: verify must fail"
cp model/tokenizer/vocab.txt vocab.txt.orig
run_sh 'printf "backdoor\n" >> model/tokenizer/vocab.txt'
expect_exit 1 model_signing verify key model --public-key pub.pem --signature model.sig

# ---------------------------------------------------------------- 7. digest
section "7. restore the file and compute the model digest"
run cp vocab.txt.orig model/tokenizer/vocab.txt
show model_signing digest model
digest_out=$(model_signing digest model)
echo "$digest_out"
want=$(cat subject-digest.txt)
got=$(printf '%s\n' "$digest_out" | grep -oE 'sha256:[0-9a-f]{64}' | tail -n 1 || true)
[ -n "$got" ] || fail "no sha256:<hex> in the digest output"
[ "$got" = "sha256:$want" ] || fail "digest $got differs from the signed subject digest sha256:$want"
echo "-> equals the subject digest in model.sig"

section "demo OK: sign, verify, tamper detection and digest behave as expected"
