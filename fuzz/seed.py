#!/usr/bin/env python3
"""Seeds the fuzz corpora and dictionaries from the repository's test vectors.

    fuzz/seed.py OUT_DIR

writes OUT_DIR/corpus/<target>/<sha1> (each seed named by its content's SHA-1, as
libFuzzer names its own finds) and OUT_DIR/dict/<target>.dict. Everything comes from
tests/vectors/ (and, for PKCS #11 URIs, the URIs written in the host library's sources
and the docs): nothing is copied by hand, and a new vector becomes a seed the next time
this runs. Only the Python standard library is used.
"""

import base64
import hashlib
import json
import os
import re
import struct
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(REPO, "tests", "vectors")

JSON_TARGETS = ["bundle_verify", "bundle_strict", "tlog_entry", "manifest_spec", "trust_root"]


def vector_files(predicate):
    out = []
    for root, _dirs, files in os.walk(VECTORS):
        for f in files:
            path = os.path.join(root, f)
            if predicate(path):
                out.append(path)
    return sorted(out)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def load_json(path):
    try:
        return json.loads(read(path))
    except (ValueError, UnicodeDecodeError):
        return None


def b64(text):
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if ("-" in text or "_" in text) else None)
    except (ValueError, TypeError):
        return None


def get(obj, *names):
    """obj[name] for the first of the camelCase / snake_case names present."""
    if not isinstance(obj, dict):
        return None
    for n in names:
        if obj.get(n) is not None:
            return obj[n]
    return None


def pem_blocks(text):
    return [
        (m.group(1), base64.b64decode(re.sub(rb"\s+", b"", m.group(2))))
        for m in re.finditer(
            rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", text, re.S
        )
        if b":" not in m.group(2)
    ]


# --------------------------------------------------------------------------- DER


def der_read(data, i):
    """(tag, value_start, end) of the TLV at data[i:], or None."""
    if i + 2 > len(data):
        return None
    tag, first = data[i], data[i + 1]
    j = i + 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or j + n > len(data):
            return None
        length = int.from_bytes(data[j : j + n], "big")
        j += n
    if j + length > len(data):
        return None
    return tag, j, j + length


def der_children(data, start, end):
    out, i = [], start
    while i < end:
        tlv = der_read(data, i)
        if tlv is None:
            return out
        out.append(tlv)
        i = tlv[2]
    return out


SCT_OID = bytes.fromhex("2b06010401d679020402")  # 1.3.6.1.4.1.11129.2.4.2


def sct_list(cert):
    """The TLS SignedCertificateTimestampList embedded in a certificate, if any."""
    top = der_read(cert, 0)
    if not top:
        return None
    tbs = der_read(cert, top[1])
    if not tbs:
        return None
    for tag, s, e in der_children(cert, tbs[1], tbs[2]):
        if tag != 0xA3:
            continue
        exts = der_read(cert, s)
        for _t, es, ee in der_children(cert, exts[1], exts[2]) if exts else []:
            parts = der_children(cert, es, ee)
            if parts and parts[0][0] == 0x06 and cert[parts[0][1] : parts[0][2]] == SCT_OID:
                octet = parts[-1]
                inner = der_read(cert, octet[1])
                if inner and inner[0] == 0x04:
                    return cert[inner[1] : inner[2]]
    return None


# --------------------------------------------------------------------------- bundles


def bundles():
    """(path, parsed JSON) of every Sigstore bundle and model signature."""
    names = (".sig", ".sigstore", ".sigstore.json")
    out = []
    for path in vector_files(lambda p: p.endswith(names)):
        doc = load_json(path)
        if isinstance(doc, dict) and "mediaType" in doc:
            out.append((path, doc))
    return out


def bundle_parts(doc):
    vm = get(doc, "verificationMaterial", "verification_material") or {}
    certs = []
    chain = get(vm, "x509CertificateChain", "x509_certificate_chain")
    for c in get(chain, "certificates") or []:
        der = b64(get(c, "rawBytes", "raw_bytes") or "")
        if der:
            certs.append(der)
    cert = get(vm, "certificate")
    if cert:
        der = b64(get(cert, "rawBytes", "raw_bytes") or "")
        if der:
            certs.append(der)
    entries = get(vm, "tlogEntries", "tlog_entries") or []
    tsd = get(vm, "timestampVerificationData", "timestamp_verification_data") or {}
    stamps = [
        b64(get(t, "signedTimestamp", "signed_timestamp") or "")
        for t in get(tsd, "rfc3161Timestamps", "rfc3161_timestamps") or []
    ]
    sig = None
    env = get(doc, "dsseEnvelope", "dsse_envelope")
    if env and get(env, "signatures"):
        sig = b64(get(env["signatures"][0], "sig") or "")
    ms = get(doc, "messageSignature", "message_signature")
    if ms:
        sig = b64(get(ms, "signature") or "")
    return certs, entries, [s for s in stamps if s], sig


# --------------------------------------------------------------------------- seeds


def seeds():
    s = {t: [] for t in [
        "bundle_verify", "bundle_strict", "certificate_chain", "tlog_entry", "checkpoint",
        "timestamp", "sct", "pem_keys", "pkcs11_uri", "model_check", "manifest_spec",
        "trust_root",
    ]}
    compact = lambda v: json.dumps(v, separators=(",", ":")).encode()

    for path, doc in bundles():
        raw = read(path)
        if os.path.getsize(path) > 32768:
            # bundle.many_timestamp (61 kB) makes every execution slow; one timestamp
            # of it is enough, below.
            raw = None
        if raw:
            s["bundle_verify"].append(raw)
            s["bundle_strict"].append(raw)
        certs, entries, stamps, sig = bundle_parts(doc)
        for e in entries:
            s["tlog_entry"].append(compact(e))
            proof = get(e, "inclusionProof", "inclusion_proof") or {}
            env = get(get(proof, "checkpoint") or {}, "envelope")
            if env:
                s["checkpoint"].append(env.encode())
        if sig:
            for t in stamps[:2]:
                s["timestamp"].append(struct.pack(">H", len(sig)) + sig + t)
        if certs:
            s["sct"].append(b"\x01" + certs[0])
            tls = sct_list(certs[0])
            if tls:
                s["sct"].append(b"\x00" + tls)
            if len(certs) > 1:
                # The bundle's chain, its last certificate as the anchor.
                s["certificate_chain"].append(b"\x01" + b"".join(certs))

    # Certificate chains: tests/vectors/pki as its README pairs them, and the upstream
    # chain. Control byte 0: anchors are the fuzz crate's (the vectors' roots).
    pki = os.path.join(VECTORS, "pki")
    der = lambda name: pem_blocks(read(os.path.join(pki, name)))[0][1]
    for f in sorted(os.listdir(pki)):
        if not f.startswith(("leaf", "selfsigned")) or not f.endswith(".pem"):
            continue
        leaf = der(f)
        ints = []
        m = re.match(r"leaf-under-int-(.*)\.pem", f)
        if m:
            ints = ["int-%s.pem" % m.group(1)]
            if m.group(1) == "below-pathlen0":
                ints.append("int-pathlen0.pem")
        elif f == "leaf-no-aki.pem":
            ints = ["int-twin.pem", "int.pem"]
        elif not f.startswith(("leaf-under-root", "selfsigned")):
            ints = ["int.pem"]
        chain = leaf + b"".join(der(i) for i in ints)
        s["certificate_chain"].append(b"\x00" + chain)
        s["certificate_chain"].append(b"\x05" + chain + der("root.pem"))
    s["certificate_chain"].append(b"\x01" + der("selfsigned-leaf.pem") * 2)
    flood = [d for _l, d in pem_blocks(read(os.path.join(pki, "lookalike-flood.pem")))]
    s["certificate_chain"].append(b"\x00" + b"".join(flood))
    up = os.path.join(VECTORS, "model-transparency", "scripts", "tests", "keys", "certificate")
    upd = lambda name: pem_blocks(read(os.path.join(up, name)))[0][1]
    s["certificate_chain"].append(b"\x00" + upd("signing-key-cert.pem") + upd("int-ca-cert.pem"))
    s["certificate_chain"].append(
        b"\x01" + upd("signing-key-cert.pem") + upd("int-ca-cert.pem") + upd("ca-cert.pem")
    )

    # PEM and keys: every PEM file, and the DER of each block.
    for path in vector_files(lambda p: p.endswith(".pem")):
        text = read(path)
        if len(text) > 16384:
            continue
        s["pem_keys"].append(text)
        for _label, d in pem_blocks(text)[:2]:
            s["pem_keys"].append(d)

    # Trusted roots, signing configurations and client trust configurations.
    for path in vector_files(lambda p: p.endswith(".json")):
        doc = load_json(path)
        media = doc.get("mediaType", doc.get("media_type", "")) if isinstance(doc, dict) else ""
        if "trustedroot" in media or "signingconfig" in media or "clienttrustconfig" in media:
            s["trust_root"].append(read(path))

    # Manifests to sign, made from the signed statements of the vectors.
    for path in vector_files(lambda p: "/_meta/" in p or "/TestPayload/" in p):
        doc = load_json(path)
        if not isinstance(doc, dict) or "predicate" not in doc:
            continue
        pred = doc["predicate"]
        ser = pred.get("serialization", {})
        spec = {
            "serialization": {
                "method": ser.get("method"),
                "hashAlgorithm": ser.get("hash_type"),
            },
            "allowSymlinks": ser.get("allow_symlinks", False),
            "ignorePaths": ser.get("ignore_paths", []),
            "resources": pred.get("resources", []),
        }
        if "shard_size" in ser:
            spec["serialization"]["shardSize"] = int(ser["shard_size"])
        s["manifest_spec"].append(json.dumps(spec, indent=1).encode())

    # PKCS #11 URIs as the host library, its tests and the docs write them.
    uris = set()
    for base in ("host", "docs", "README.md"):
        top = os.path.join(REPO, base)
        files = [top] if os.path.isfile(top) else [
            os.path.join(r, f) for r, _d, fs in os.walk(top) for f in fs
            if f.endswith((".rs", ".md", ".sh"))
        ]
        for f in files:
            for m in re.finditer(rb"pkcs11:[^\s\"'`)\]<>,]*", read(f)):
                uris.add(m.group(0))
    s["pkcs11_uri"].extend(sorted(uris))

    # ModelCheck inputs are `arbitrary` structures: the bytes of the vector models'
    # files make varied starting points (the fuzzer finds the rest).
    for path in vector_files(lambda p: "/generated-v1.1.1/key-p384-files-sha256/" in p):
        if not path.endswith("model.sig"):
            s["model_check"].append(read(path)[:512])
    return s


# --------------------------------------------------------------------------- dicts


def dict_entry(b):
    out = []
    for c in b:
        ch = chr(c)
        if ch in '\\"' or c < 0x20 or c > 0x7E:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def json_tokens(doc, keys, values):
    if isinstance(doc, dict):
        for k, v in doc.items():
            keys.add(k)
            json_tokens(v, keys, values)
    elif isinstance(doc, list):
        for v in doc:
            json_tokens(v, keys, values)
    elif isinstance(doc, str) and len(doc) <= 64:
        values.add(doc)


def dicts(corpora):
    out = {}
    for target in JSON_TARGETS:
        keys, values = set(), set()
        for seed in corpora[target]:
            try:
                json_tokens(json.loads(seed), keys, values)
            except ValueError:
                pass
        tokens = sorted({('"%s":' % k).encode() for k in keys} | {json.dumps(v).encode() for v in values})
        tokens += [b"null", b"true", b"false", b"[]", b"{}"]
        out[target] = tokens
    out["checkpoint"] = [b"\n\n", "\u2014 ".encode(), b" - ", b"Timestamp: "]
    out["pkcs11_uri"] = [
        b"pkcs11:", b"token=", b"object=", b"id=", b"slot-id=", b"type=", b"serial=",
        b"manufacturer=", b"model=", b"library-version=", b"?module-name=", b"&module-path=",
        b"&pin-value=", b"&pin-source=", b"file:", b"%00", b"%2F", b"%3B", b";", b"&", b"?",
    ]
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "fuzz")
    corpora = seeds()
    total = 0
    for target, items in corpora.items():
        d = os.path.join(out, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for item in items:
            name = hashlib.sha1(item).hexdigest()
            p = os.path.join(d, name)
            if not os.path.exists(p):
                with open(p, "wb") as f:
                    f.write(item)
        total += len(set(items))
        print("%-18s %4d seeds" % (target, len(set(items))))
    ddir = os.path.join(out, "dict")
    os.makedirs(ddir, exist_ok=True)
    for target, tokens in dicts(corpora).items():
        with open(os.path.join(ddir, target + ".dict"), "w") as f:
            for t in tokens:
                f.write(dict_entry(t) + "\n")
    print("%-18s %4d seeds in %s" % ("total", total, os.path.join(out, "corpus")))


if __name__ == "__main__":
    main()
