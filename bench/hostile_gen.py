#!/usr/bin/env python3
"""Builds the hostile inputs of bench/hostile-bench.sh: the worst signatures we can make
for each bound the verifier keeps (size, JSON shape, statement size, certificate floods,
payload encodings), each up to the 64 MiB signature cap.

    hostile_gen.py OUT_DIR REPO

Writes OUT_DIR/<case>/{model/, model.sig} and OUT_DIR/cases.tsv: one line per case with
its name, verification method and the arguments to add to `model_signing verify`.
Needs `cryptography` (the reference venv has it).
"""

import base64
import datetime
import hashlib
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CAP = 64 << 20
PAYLOAD_TYPE = "application/vnd.in-toto+json"
MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"

out_dir, repo = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
cases = []


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def pem(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def pae(payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d " % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(payload)) + payload


def case(name: str, method: str, args: list, bundle) -> None:
    """Writes a case: a one-file model and its signature (bytes, or JSON to dump)."""
    d = os.path.join(out_dir, name)
    os.makedirs(os.path.join(d, "model"), exist_ok=True)
    with open(os.path.join(d, "model", "weights.bin"), "wb") as f:
        f.write(b"weights")
    data = bundle if isinstance(bundle, bytes) else json.dumps(bundle).encode()
    with open(os.path.join(d, "model.sig"), "wb") as f:
        f.write(data)
    cases.append((name, method, " ".join(args), len(data)))
    print(f"  {name}: {len(data) / (1 << 20):.1f} MiB", flush=True)


# -- Key signatures ---------------------------------------------------------------------
key = ec.generate_private_key(ec.SECP256R1())
key_pem = os.path.join(out_dir, "key.pub.pem")
with open(key_pem, "wb") as f:
    f.write(pem(key))
hint = hashlib.sha256(pem(key)).hexdigest()
# Arguments name files of the data directory as @DATA@, which the bench replaces.
key_args = ["--public_key", "@DATA@/key.pub.pem"]


def key_bundle(payload: bytes, signed: bool = True, **extra) -> dict:
    sig = key.sign(pae(payload), ec.ECDSA(hashes.SHA256())) if signed else b"\x30\x00"
    b = {
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": hint}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": b64(payload),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": b64(sig), "keyid": ""}],
        },
    }
    b.update(extra)
    return b


def statement(resources: list, **extra_predicate) -> bytes:
    root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
    predicate = {
        "serialization": {
            "method": "files",
            "hash_type": "sha256",
            "allow_symlinks": False,
            "ignore_paths": [],
        },
        "resources": resources,
    }
    predicate.update(extra_predicate)
    return json.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "model", "digest": {"sha256": root}}],
            "predicateType": "https://model_signing/signature/v1.0",
            "predicate": predicate,
        }
    ).encode()


def resources(n: int, name_len: int = 40) -> list:
    return [
        {"name": f"{i:0{name_len}d}.bin", "algorithm": "sha256", "digest": "ab" * 32}
        for i in range(n)
    ]


# The largest payload under the cap: 48 MiB of JSON text, unsigned (refused at the
# signature, after decoding and hashing both encodings).
big = 47 << 20
case("payload-48m-bad-signature", "key", key_args, key_bundle(b"{" + b" " * (big - 2) + b"}", signed=False))
# Bytes outside printable ASCII: the 0.2.x encoding writes each as four characters.
case("payload-48m-binary", "key", key_args, key_bundle(b"\xff" * big, signed=False))
# A signed statement at the resource limit (100,000), none of them on disk.
case("statement-100k-resources", "key", key_args, key_bundle(statement(resources(100_000))))
# One more than the limit.
case("statement-100001-resources", "key", key_args, key_bundle(statement(resources(100_001))))
# A signed statement of 30 MiB with long names at the limit: the most bytes per resource.
case("statement-100k-long-names", "key", key_args, key_bundle(statement(resources(100_000, 250))))
# A signed statement whose unknown field is an array of 12 million zeros.
zeros = "[" + ",".join(["0"] * 12_000_000) + "]"
flood = statement(resources(1))[:-2] + b', "x": ' + zeros.encode() + b"}}"
case("statement-array-flood", "key", key_args, key_bundle(flood))
# A signed statement nested a million levels deep.
deep = statement(resources(1))[:-2] + b', "x": ' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"}}"
case("statement-deep-nesting", "key", key_args, key_bundle(deep))
# Bundles: an unknown field holding 30 million zeros; 4 million members; 60 MiB deep.
b = key_bundle(statement(resources(1)))
text = json.dumps(b).encode()
case("bundle-array-flood", "key", key_args, text[:-1] + b', "x": [' + b"0," * 30_000_000 + b"0]}")
members = b",".join(b'"%x": 0' % i for i in range(4_000_000))
case("bundle-object-flood", "key", key_args, text[:-1] + b', "x": {' + members + b"}}")
case("bundle-deep-nesting", "key", key_args, b"[" * (60 << 20))
# A 60 MiB string where a short one belongs (the media type, echoed in the error).
b = key_bundle(statement(resources(1)))
b["mediaType"] = "x" * (60 << 20)
case("bundle-huge-media-type", "key", key_args, b)
# A 60 MiB key hint (compared, and shown when it differs).
b = key_bundle(statement(resources(1)))
b["verificationMaterial"]["publicKey"]["hint"] = "a" * (60 << 20)
case("bundle-huge-hint", "key", key_args, b)
# Just over the cap.
case("bundle-over-cap", "key", key_args, b"{" + b" " * CAP + b"}")

# -- Certificate signatures ---------------------------------------------------------------
now = datetime.datetime.now(datetime.timezone.utc)


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, issuer, public_key, signer, ca: bool, extensions=()) -> x509.Certificate:
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    for ext in extensions:
        b = b.add_extension(ext, critical=False)
    return b.sign(signer, hashes.SHA256())


ca_key = ec.generate_private_key(ec.SECP256R1())
ca = cert(name("hostile-root"), name("hostile-root"), ca_key.public_key(), ca_key, True)
ca_pem = os.path.join(out_dir, "ca.pem")
with open(ca_pem, "wb") as f:
    f.write(ca.public_bytes(serialization.Encoding.PEM))
cert_args = ["--certificate_chain", "@DATA@/ca.pem"]
leaf_key = ec.generate_private_key(ec.SECP256R1())


def cert_bundle(chain: list) -> dict:
    payload = statement(resources(1))
    sig = leaf_key.sign(pae(payload), ec.ECDSA(hashes.SHA256()))
    return {
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": {
            "x509CertificateChain": {
                "certificates": [{"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))} for c in chain]
            },
            "tlogEntries": [],
        },
        "dsseEnvelope": {
            "payload": b64(payload),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": b64(sig), "keyid": ""}],
        },
    }


# Look-alikes: CA certificates that all carry the name the leaf's issuer has, each with
# its own P-521 key and signed by another look-alike, so every one is a candidate at
# every step of the chain search. 31 fit the certificate limit; 2,000 do not.
lookalike_keys = [ec.generate_private_key(ec.SECP521R1()) for _ in range(8)]
lookalikes = [
    cert(name("hostile-int"), name("hostile-int"), lookalike_keys[i % 8].public_key(), lookalike_keys[(i + 1) % 8], True)
    for i in range(2000)
]
leaf = cert(name("hostile-leaf"), name("hostile-int"), leaf_key.public_key(), lookalike_keys[0], False)
case("lookalike-flood-31", "certificate", cert_args, cert_bundle([leaf] + lookalikes[:31]))
case("lookalike-flood-2000", "certificate", cert_args, cert_bundle([leaf] + lookalikes))
# A leaf with 200,000 extensions (distinct unknown OIDs), under the trusted root. Built
# as DER here: cryptography's builder checks each new extension against all the others.
def der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 128:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def oid(text: str) -> bytes:
    parts = [int(p) for p in text.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return der(0x06, out)


def flooded_leaf(count: int) -> bytes:
    ecdsa_sha256 = der(0x30, oid("1.2.840.10045.4.3.2"))
    validity = der(
        0x30,
        der(0x17, (now - datetime.timedelta(days=1)).strftime("%y%m%d%H%M%SZ").encode())
        + der(0x17, (now + datetime.timedelta(days=3650)).strftime("%y%m%d%H%M%SZ").encode()),
    )
    extensions = b"".join(
        der(0x30, oid(f"1.3.6.1.4.1.99999.{i}") + der(0x04, b"\x05\x00")) for i in range(count)
    )
    tbs = der(
        0x30,
        der(0xA0, der(0x02, b"\x02"))
        + der(0x02, b"\x01\x23")
        + ecdsa_sha256
        + name("hostile-root").public_bytes()
        + validity
        + name("hostile-leaf").public_bytes()
        + leaf_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        + der(0xA3, der(0x30, extensions)),
    )
    signature = ca_key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return der(0x30, tbs + ecdsa_sha256 + der(0x03, b"\x00" + signature))


ext_leaf = x509.load_der_x509_certificate(flooded_leaf(200_000))
case("leaf-200k-extensions", "certificate", cert_args, cert_bundle([ext_leaf]))
# The same leaf in a real Sigstore bundle (v1.0.0 vector), in place of its certificate.
vector = os.path.join(repo, "tests/vectors/model-transparency/scripts/tests/v1.0.0-sigstore/model.sig")
with open(vector) as f:
    sig = json.load(f)
sig["verificationMaterial"]["certificate"]["rawBytes"] = b64(ext_leaf.public_bytes(serialization.Encoding.DER))
case(
    "sigstore-leaf-200k-extensions",
    "sigstore",
    ["--identity", "stefanb@us.ibm.com", "--identity_provider", "https://sigstore.verify.ibm.com/oauth2"],
    sig,
)
# 32 log entries (the limit), each a copy with a 1 MiB body.
with open(vector) as f:
    sig = json.load(f)
entry = sig["verificationMaterial"]["tlogEntries"][0]
entries = []
for i in range(32):
    e = json.loads(json.dumps(entry))
    e["logIndex"] = str(int(e["logIndex"]) + i)
    e["canonicalizedBody"] = b64(b"{" + b" " * (1 << 20) + b"}")
    entries.append(e)
sig["verificationMaterial"]["tlogEntries"] = entries
case(
    "sigstore-32-log-entries",
    "sigstore",
    ["--identity", "stefanb@us.ibm.com", "--identity_provider", "https://sigstore.verify.ibm.com/oauth2"],
    sig,
)

with open(os.path.join(out_dir, "cases.tsv"), "w") as f:
    for name_, method, args, size in cases:
        f.write(f"{name_}\t{method}\t{size}\t{args}\n")
