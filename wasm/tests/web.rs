//! The bindings as JavaScript calls them, run by wasm-bindgen-test-runner in Node and,
//! with `WASM_BINDGEN_USE_BROWSER=1`, in headless Chromium (`wasm/test.sh` does both).
#![cfg(target_arch = "wasm32")]

use model_signing_core::hashing::{update_sha256_lanes, Sha256};
use model_signing_wasm::{describe_bundle, verify_bundle, FileHasher, HasherGroup, Policy};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

macro_rules! vector {
    ($rel:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/model-transparency/",
            $rel
        ))
    };
}

const P384_PUB: &[u8] = vector!("scripts/tests/keys/certificate/signing-key-pub.pem");
const CA: &[u8] = vector!("scripts/tests/keys/certificate/ca-cert.pem");
const KEY_SHARDS_SIG: &[u8] = vector!("generated-v1.1.1/key-p384-shards-100/model.sig");
const CERT_SIG: &[u8] = vector!("generated-v1.1.1/cert-p384-files-sha256/model.sig");
const SIGSTORE_SIG: &[u8] = vector!("scripts/tests/v1.1.0-sigstore/model.sig");
const WEIGHTS: &[u8] = vector!("generated-v1.1.1/key-p384-shards-100/weights.bin");

/// The `code` of a thrown error (its message is the JSON of an ApiError).
fn code(e: JsValue) -> String {
    let message: String = js_sys::Error::from(e).message().into();
    let v: Value = serde_json::from_str(&message).expect("the error message is JSON");
    v["code"].as_str().unwrap_or_default().to_string()
}

#[wasm_bindgen_test]
fn key_bundle_verifies_and_lists_shards() {
    let policy = Policy::public_key(P384_PUB).unwrap();
    let v: Value =
        serde_json::from_str(&verify_bundle(KEY_SHARDS_SIG, &policy).unwrap().json()).unwrap();
    assert_eq!(v["signer"]["kind"], "key");
    assert_eq!(v["manifest"]["serialization"]["shardSize"], 100);
    assert_eq!(v["manifest"]["resources"].as_array().unwrap().len(), 18);
}

#[wasm_bindgen_test]
fn certificate_and_sigstore_bundles_verify() {
    let policy = Policy::certificate_chain(CA).unwrap();
    let v: Value = serde_json::from_str(&verify_bundle(CERT_SIG, &policy).unwrap().json()).unwrap();
    assert_eq!(v["signer"]["kind"], "certificate");

    let policy = Policy::sigstore(
        "stefanb@us.ibm.com",
        "https://sigstore.verify.ibm.com/oauth2",
        "production",
        None,
    )
    .unwrap();
    let v: Value =
        serde_json::from_str(&verify_bundle(SIGSTORE_SIG, &policy).unwrap().json()).unwrap();
    assert_eq!(v["signer"]["identity"], "stefanb@us.ibm.com");
}

#[wasm_bindgen_test]
fn failures_carry_codes() {
    let policy = Policy::public_key(P384_PUB).unwrap();
    assert_eq!(
        code(verify_bundle(b"{", &policy).err().unwrap().into()),
        "INVALID_BUNDLE"
    );
    assert_eq!(
        code(verify_bundle(CERT_SIG, &policy).err().unwrap().into()),
        "WRONG_MATERIAL"
    );
    let other = Policy::sigstore(
        "x@example.com",
        "https://accounts.google.com",
        "production",
        None,
    )
    .unwrap();
    assert_eq!(
        code(verify_bundle(SIGSTORE_SIG, &other).err().unwrap().into()),
        "IDENTITY_MISMATCH"
    );
    assert_eq!(
        code(Policy::public_key(b"no key").err().unwrap().into()),
        "INVALID_KEY"
    );
    let d: Value = serde_json::from_str(&describe_bundle(CERT_SIG).unwrap()).unwrap();
    assert_eq!(d["material"], "x509CertificateChain");
}

#[wasm_bindgen_test]
fn model_check_matches_the_signature_and_names_a_tampered_shard() {
    let policy = Policy::public_key(P384_PUB).unwrap();
    let verification = verify_bundle(KEY_SHARDS_SIG, &policy).unwrap();
    let files = format!(r#"[{{"path":"weights.bin","size":{}}}]"#, WEIGHTS.len());
    let options = r#"{"ignoreUnsignedFiles":true,"modelName":"m"}"#;
    for tamper in [false, true] {
        let mut check = verification.check_model(&files, options).unwrap();
        let plan: Value = serde_json::from_str(&check.plan()).unwrap();
        assert_eq!(plan["jobs"].as_array().unwrap().len(), 1);
        let mut data = WEIGHTS.to_vec();
        if tamper {
            data[150] ^= 1;
        }
        let mut h = FileHasher::new(
            &plan["serialization"].to_string(),
            "weights.bin",
            Some(data.len() as f64),
        )
        .unwrap();
        for chunk in data.chunks(37) {
            h.update(chunk);
        }
        let status = check.record("weights.bin", &h.finish().unwrap()).unwrap();
        assert_eq!(status, if tamper { "changed" } else { "verified" });
        let report: Value = serde_json::from_str(&check.report()).unwrap();
        assert_eq!(
            report["files"].as_array().unwrap().len(),
            8,
            "signed files are listed (empty.txt has no shard)"
        );
        if tamper {
            assert!(report["messages"].as_array().unwrap().iter().any(|m| m
                .as_str()
                .unwrap()
                .starts_with("Hash mismatch for 'weights.bin:100:200'")));
        }
    }
}

#[wasm_bindgen_test]
fn file_hasher_checks_the_announced_length() {
    let mut h = FileHasher::new(
        r#"{"method":"files","hashAlgorithm":"blake3"}"#,
        "f",
        Some(4.0),
    )
    .unwrap();
    h.update(b"abc");
    assert_eq!(code(h.finish().err().unwrap().into()), "SIZE_MISMATCH");
    let mut h =
        FileHasher::new(r#"{"method":"files","hashAlgorithm":"sha256"}"#, "f", None).unwrap();
    h.update(b"signme-1");
    let items: Value = serde_json::from_str(&h.finish().unwrap()).unwrap();
    assert_eq!(
        items[0]["digest"],
        "f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1"
    );
}

/// Deterministic bytes (xorshift), different per seed.
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// The 4-lane SIMD128 compression (built only for wasm32) against one stream at a time
/// through sha2's: lane counts below, at and above four, unequal lengths, chunks that leave
/// partial blocks, and lanes dropping out as their input ends.
#[wasm_bindgen_test]
fn sha256_lanes_equal_one_stream_at_a_time() {
    let mut abc = Sha256::new();
    abc.update(b"abc");
    assert_eq!(
        abc.finalize()[..4],
        [0xba, 0x78, 0x16, 0xbf],
        "SHA-256('abc') (FIPS 180-4 example)"
    );
    for lanes in 1..=9usize {
        let inputs: Vec<Vec<u8>> = (0..lanes)
            .map(|i| noise(3000 + 640 * (i % 4) + 17 * i, i as u32))
            .collect();
        let expected: Vec<[u8; 32]> = inputs
            .iter()
            .map(|d| {
                let mut h = Sha256::new();
                h.update(d);
                h.finalize()
            })
            .collect();
        for chunk in [1usize, 64, 65, 640, 1000, 8192] {
            let mut hashers: Vec<Sha256> = (0..lanes).map(|_| Sha256::new()).collect();
            let mut offset = 0;
            while inputs.iter().any(|d| offset < d.len()) {
                let pieces: Vec<&[u8]> = inputs
                    .iter()
                    .map(|d| &d[offset.min(d.len())..(offset + chunk).min(d.len())])
                    .collect();
                let mut refs: Vec<&mut Sha256> = hashers.iter_mut().collect();
                update_sha256_lanes(&mut refs, &pieces);
                offset += chunk;
            }
            let got: Vec<[u8; 32]> = hashers.into_iter().map(Sha256::finalize).collect();
            assert_eq!(got, expected, "{lanes} lanes, chunks of {chunk}");
        }
    }
}

/// A HasherGroup gives each file the items a FileHasher gives it alone.
#[wasm_bindgen_test]
fn hasher_group_equals_one_file_hasher_per_file() {
    for ser in [
        r#"{"method":"files","hashAlgorithm":"sha256"}"#,
        r#"{"method":"shards","hashAlgorithm":"sha256","shardSize":1000}"#,
        r#"{"method":"files","hashAlgorithm":"blake3"}"#,
    ] {
        let files: Vec<Vec<u8>> = (0..5)
            .map(|i| noise(4096 + 1000 * i, 40 + i as u32))
            .collect();
        let mut group = HasherGroup::new();
        let slots: Vec<u32> = files
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let size = (i != 2).then_some(d.len() as f64);
                group.open(ser, &format!("f{i}"), size).unwrap()
            })
            .collect();
        for offset in (0..8192).step_by(1024) {
            for (slot, d) in slots.iter().zip(&files) {
                if offset < d.len() {
                    let piece = &d[offset..(offset + 1024).min(d.len())];
                    group.stage(*slot, piece.to_vec()).unwrap();
                }
            }
            group.run();
        }
        for (i, (slot, d)) in slots.iter().zip(&files).enumerate() {
            assert_eq!(group.bytes(*slot).unwrap(), d.len() as f64);
            let mut alone = FileHasher::new(ser, &format!("f{i}"), Some(d.len() as f64)).unwrap();
            alone.update(d);
            assert_eq!(
                group.finish(*slot).unwrap(),
                alone.finish().unwrap(),
                "{ser} f{i}"
            );
        }
        // A finished slot is free (its number is reused) and no longer answers.
        assert_eq!(
            code(group.bytes(slots[0]).unwrap_err().into()),
            "INVALID_ARGUMENT"
        );
    }
}
