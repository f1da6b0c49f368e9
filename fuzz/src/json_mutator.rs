//! A structure-aware mutator for the JSON targets (bundles, log entries, trusted roots,
//! manifests), used through libfuzzer-sys's `fuzz_mutator!`.
//!
//! Byte mutations of JSON mostly make invalid JSON, which the parsers refuse at once.
//! This mutator parses the input, changes one to three nodes of the document and writes
//! it back, so nearly every input reaches the code past `serde_json`:
//!
//! * strings: a base64 string (certificates, signatures, DSSE payloads, log entry
//!   bodies) is decoded, and its bytes mutated with libFuzzer's own byte mutator, or, if
//!   they are JSON themselves (a DSSE payload is an in-toto statement, a log entry body
//!   is a Rekor entry), mutated structurally in turn, then encoded again; other strings
//!   are byte-mutated, emptied, truncated, doubled, or replaced with a value that
//!   matters to these formats (a media type, a hash name, a path that escapes the model);
//! * numbers: boundary values (0, -1, 2^53, `u64::MAX`, …), as numbers or as the decimal
//!   strings proto3 JSON uses for 64-bit integers;
//! * objects: a field deleted, renamed between camelCase and snake_case (both are
//!   read), set to `null`, or added under a name these formats use;
//! * arrays: an element deleted, duplicated, moved or swapped; the array emptied;
//! * any node: replaced by a copy of another node of the document, by `null`, or
//!   wrapped in an array.
//!
//! One time in eight, and whenever the input is not JSON, the plain byte mutator runs
//! instead, so malformed JSON keeps being tried too.

use base64::Engine as _;
use serde_json::{Map, Number, Value};

/// libFuzzer's byte mutator (`libfuzzer_sys::fuzzer_mutate`): mutates `data[..size]`
/// in place within `data.len()` (at most `max_size`) bytes and returns the new size.
pub type ByteMutator = fn(&mut [u8], usize, usize) -> usize;

/// Names used by the JSON documents the targets read (bundles, log entries, trusted
/// roots, signing configurations, in-toto statements, manifest requests).
const FIELD_NAMES: &[&str] = &[
    "mediaType",
    "verificationMaterial",
    "publicKey",
    "hint",
    "rawBytes",
    "x509CertificateChain",
    "certificates",
    "certificate",
    "tlogEntries",
    "logIndex",
    "logId",
    "keyId",
    "kindVersion",
    "kind",
    "version",
    "integratedTime",
    "inclusionPromise",
    "signedEntryTimestamp",
    "inclusionProof",
    "rootHash",
    "treeSize",
    "hashes",
    "checkpoint",
    "envelope",
    "canonicalizedBody",
    "timestampVerificationData",
    "rfc3161Timestamps",
    "signedTimestamp",
    "dsseEnvelope",
    "payload",
    "payloadType",
    "signatures",
    "sig",
    "keyid",
    "messageSignature",
    "messageDigest",
    "algorithm",
    "digest",
    "signature",
    "_type",
    "subject",
    "name",
    "predicateType",
    "predicate",
    "serialization",
    "method",
    "hash_type",
    "allow_symlinks",
    "shard_size",
    "ignore_paths",
    "resources",
    "tlogs",
    "ctlogs",
    "certificateAuthorities",
    "timestampAuthorities",
    "baseUrl",
    "hashAlgorithm",
    "keyDetails",
    "validFor",
    "start",
    "end",
    "certChain",
    "uri",
    "operator",
    "trustedRoot",
    "signingConfig",
    "caUrls",
    "oidcUrls",
    "rekorTlogUrls",
    "tsaUrls",
    "rekorTlogConfig",
    "tsaConfig",
    "selector",
    "count",
    "url",
    "majorApiVersion",
    "shardSize",
    "allowSymlinks",
    "ignorePaths",
    "checkpointKeyId",
    "spec",
    "data",
    "hash",
    "value",
    "apiVersion",
    "organization",
    "commonName",
    "path",
    "size",
];

/// String values that matter to these formats.
const STRINGS: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "1e3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.4",
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
    "application/vnd.dev.sigstore.signingconfig.v0.2+json",
    "application/vnd.in-toto+json",
    "https://in-toto.io/Statement/v1",
    "https://model_signing/signature/v1.0",
    "https://model_signing/Digests/v0.1",
    "files",
    "shards",
    "sha256",
    "blake2b",
    "blake2",
    "blake3",
    "sha256-sharded-1",
    "SHA2_256",
    "SHA2_384",
    "SHA2_512",
    "PKIX_ECDSA_P256_SHA_256",
    "PKIX_ECDSA_P384_SHA_384",
    "PKIX_ED25519",
    "PKCS1_RSA_PKCS1V5",
    "PKIX_RSA_PKCS1V15_2048_SHA256",
    "dsse",
    "intoto",
    "hashedrekord",
    "0.0.1",
    "0.0.2",
    "0.0.3",
    "2021-01-12T11:53:27.000Z",
    "2099-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999+23:59",
    "https://rekor.sigstore.dev",
    "https://log2025-1.rekor.sigstore.dev",
    "a",
    "a/b",
    "/a",
    "../a",
    "a/../b",
    "a//b",
    "./a",
    ".",
    "a\\b",
    "a\u{0}b",
    ".git",
    "model.sig",
    "a:0:1",
    "a:1:0",
    "a:0:18446744073709551615",
    "AA==",
    "AAAA",
    "====",
    "-_-_",
];

/// Integers that matter.
const INTEGERS: &[i128] = &[
    0,
    1,
    -1,
    2,
    255,
    256,
    65535,
    65536,
    1 << 31,
    (1 << 32) - 1,
    1 << 32,
    1 << 53,
    (1 << 53) + 1,
    i64::MAX as i128,
    i64::MIN as i128,
    u64::MAX as i128,
];

/// A small deterministic generator (SplitMix64), seeded by libFuzzer.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Mutates the JSON document in `data[..size]` (see the module documentation) and
/// returns the new size, at most `max_size` (and `data.len()`).
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    bytes: ByteMutator,
) -> usize {
    let max_size = max_size.min(data.len());
    let mut rng = Rng(u64::from(seed) ^ 0x5eed_f022);
    if rng.below(8) == 0 {
        return bytes(data, size, max_size);
    }
    let Ok(mut doc) = serde_json::from_slice::<Value>(&data[..size]) else {
        return bytes(data, size, max_size);
    };
    for _ in 0..1 + rng.below(3) {
        mutate_document(&mut doc, &mut rng, bytes, 0);
    }
    let out = if rng.below(16) == 0 {
        serde_json::to_vec_pretty(&doc)
    } else {
        serde_json::to_vec(&doc)
    }
    .unwrap_or_default();
    if out.is_empty() || out.len() > max_size {
        return bytes(data, size, max_size);
    }
    data[..out.len()].copy_from_slice(&out);
    out.len()
}

/// JSON pointers of every node of `v`.
fn pointers(v: &Value, at: &mut String, out: &mut Vec<String>) {
    out.push(at.clone());
    let len = at.len();
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                pointers(child, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push('/');
                at.push_str(&i.to_string());
                pointers(child, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// Applies one mutation to a random node of `doc`.
fn mutate_document(doc: &mut Value, rng: &mut Rng, bytes: ByteMutator, depth: usize) {
    let mut all = Vec::new();
    pointers(doc, &mut String::new(), &mut all);
    let target: String = rng.pick(&all).clone();
    let donor_at: &String = rng.pick(&all);
    let donor = doc.pointer(donor_at).cloned().unwrap_or(Value::Null);
    let Some(node) = doc.pointer_mut(&target) else {
        return;
    };
    // Now and then, anything can become anything.
    if rng.below(12) == 0 {
        *node = match rng.below(4) {
            0 => donor,
            1 => Value::Null,
            2 => Value::Array(vec![node.take()]),
            _ => Value::String(node.to_string()),
        };
        return;
    }
    match node {
        Value::String(s) => mutate_string(s, rng, bytes, &donor, depth),
        Value::Number(_) => *node = number(rng),
        Value::Bool(b) => *b = !*b,
        Value::Null => *node = donor,
        Value::Array(items) => mutate_array(items, rng, donor),
        Value::Object(map) => mutate_object(map, rng, donor),
    }
}

fn number(rng: &mut Rng) -> Value {
    let n = *rng.pick(INTEGERS);
    let n = match rng.below(4) {
        0 => n.wrapping_add(1),
        1 => n.wrapping_sub(1),
        _ => n,
    };
    match rng.below(5) {
        // proto3 JSON writes 64-bit integers as strings.
        0 => Value::String(n.to_string()),
        1 => Number::from_f64(n as f64 + 0.5).map_or(Value::Null, Value::Number),
        2 => Number::from_f64(n as f64).map_or(Value::Null, Value::Number),
        _ => i64::try_from(n)
            .map(Value::from)
            .or_else(|_| u64::try_from(n).map(Value::from))
            .unwrap_or(Value::Null),
    }
}

fn mutate_string(s: &mut String, rng: &mut Rng, bytes: ByteMutator, donor: &Value, depth: usize) {
    let engine = &base64::engine::general_purpose::STANDARD;
    match rng.below(10) {
        // Base64 content (most strings of a bundle): mutate what it encodes.
        0..=4 => match engine.decode(s.as_bytes()) {
            Ok(decoded) if !decoded.is_empty() => {
                let mutated = mutate_bytes_or_json(decoded, rng, bytes, depth);
                *s = engine.encode(mutated);
            }
            _ => *s = String::from_utf8_lossy(&byte_mutate(s.as_bytes(), bytes)).into_owned(),
        },
        5 => *s = String::from_utf8_lossy(&byte_mutate(s.as_bytes(), bytes)).into_owned(),
        6 => *s = (*rng.pick(STRINGS)).to_owned(),
        7 => match donor {
            Value::String(d) => *s = d.clone(),
            _ => s.clear(),
        },
        8 => {
            let cut = rng.below(s.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0);
            s.truncate(cut);
        }
        _ => *s = s.repeat(2),
    }
}

/// Mutates decoded bytes: structurally if they are a JSON document (DSSE payloads, log
/// entry bodies), with libFuzzer's byte mutator otherwise.
fn mutate_bytes_or_json(
    decoded: Vec<u8>,
    rng: &mut Rng,
    bytes: ByteMutator,
    depth: usize,
) -> Vec<u8> {
    if depth < 2 && rng.below(4) != 0 {
        if let Ok(mut inner) = serde_json::from_slice::<Value>(&decoded) {
            if inner.is_object() || inner.is_array() {
                mutate_document(&mut inner, rng, bytes, depth + 1);
                return serde_json::to_vec(&inner).unwrap_or(decoded);
            }
        }
    }
    byte_mutate(&decoded, bytes)
}

/// libFuzzer's byte mutator on a copy of `data`, with room to grow.
fn byte_mutate(data: &[u8], bytes: ByteMutator) -> Vec<u8> {
    let mut buf = data.to_vec();
    let max = data.len() * 2 + 64;
    buf.resize(max, 0);
    let n = bytes(&mut buf, data.len(), max);
    buf.truncate(n.min(max));
    buf
}

fn mutate_array(items: &mut Vec<Value>, rng: &mut Rng, donor: Value) {
    if items.is_empty() {
        items.push(donor);
        return;
    }
    let i = rng.below(items.len());
    match rng.below(6) {
        0 => {
            items.remove(i);
        }
        1 => {
            let copy = items[i].clone();
            items.insert(i, copy);
        }
        2 => {
            let j = rng.below(items.len());
            items.swap(i, j);
        }
        3 => items.clear(),
        4 => items.insert(i, donor),
        _ => items.reverse(),
    }
}

/// `fieldName` ↔ `field_name`.
fn other_case(name: &str) -> String {
    if name.contains('_') {
        let mut out = String::new();
        let mut upper = false;
        for c in name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    } else {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_uppercase() {
                out.push('_');
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

fn mutate_object(map: &mut Map<String, Value>, rng: &mut Rng, donor: Value) {
    let keys: Vec<String> = map.keys().cloned().collect();
    if keys.is_empty() || rng.below(5) == 0 {
        map.insert((*rng.pick(FIELD_NAMES)).to_owned(), donor);
        return;
    }
    let key = rng.pick(&keys).clone();
    match rng.below(4) {
        0 => {
            map.remove(&key);
        }
        1 => {
            // Both spellings are read: move the value to the other one, or have both.
            let value = if rng.below(2) == 0 {
                map.remove(&key)
            } else {
                map.get(&key).cloned()
            };
            if let Some(value) = value {
                map.insert(other_case(&key), value);
            }
        }
        2 => {
            map.insert(key, Value::Null);
        }
        _ => {
            map.insert(key, donor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for libFuzzer's byte mutator: flips the first byte.
    fn flip(data: &mut [u8], size: usize, _max: usize) -> usize {
        if size > 0 {
            data[0] ^= 1;
        }
        size
    }

    #[test]
    fn mutates_json_into_json() {
        let doc = br#"{"mediaType":"x","payload":"eyJhIjogWzEsIDJdfQ==","n":1,"list":[1,2,3],"snake_case":true}"#;
        let mut changed = 0;
        for seed in 0..500 {
            let mut buf = doc.to_vec();
            buf.resize(4096, 0);
            let n = mutate(&mut buf, doc.len(), 4096, seed, flip);
            assert!(n <= 4096);
            if buf[..n] != doc[..] {
                changed += 1;
            }
        }
        assert!(
            changed > 400,
            "only {changed} of 500 mutations changed the document"
        );
        assert_eq!(other_case("log_index"), "logIndex");
        assert_eq!(other_case("logIndex"), "log_index");
    }
}
