//! The library API, tested through the library: signing to a bundle without writing,
//! keys and certificates from PEM bytes, verifying a bundle given as bytes, signing a
//! manifest computed elsewhere (as the signing daemon does for a browser), and verifying
//! a Sigstore bundle offline.

mod common;

use std::fs;

use common::*;
use model_signing::{hashing, signing, verifying};
use model_signing_core::api::shapes::{from_json, ManifestSpec};
use model_signing_core::bundle::{Bundle, Content};
use model_signing_core::verify::SignerIdentity;
use model_signing_core::HashAlgorithm;

fn payload_of(bundle_json: &str) -> Vec<u8> {
    match Bundle::from_json(bundle_json.as_bytes()).unwrap().content {
        Content::Dsse(env) => env.payload,
        other => panic!("{other:?}"),
    }
}

#[test]
fn sign_to_bundle_writes_nothing_and_verifies_from_bytes() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("a", "a"), ("sub/b", "b")]);
    let before = snapshot(t.path());
    let key = fs::read(P256).unwrap();
    let outcome = signing::Config::new()
        .use_elliptic_key_signer_pem(&key, None)
        .unwrap()
        .sign_to_bundle(&m)
        .unwrap();
    assert_eq!(snapshot(t.path()), before, "nothing written");
    assert_eq!(outcome.model.manifest.len(), 2);

    let verifier = verifying::Config::new()
        .use_elliptic_key_verifier_pem(&fs::read(P256_PUB).unwrap())
        .unwrap();
    let report = verifier
        .verify_bytes(&m, outcome.bundle_json.as_bytes())
        .unwrap();
    assert_eq!(report.items, 2);
    let verified = verifier
        .verify_signature(outcome.bundle_json.as_bytes())
        .unwrap();
    assert!(matches!(verified.signer, SignerIdentity::Key { .. }));
    assert_eq!(verified.signed.manifest, outcome.model.manifest);

    // A changed byte fails from bytes too, naming the file.
    put(&m.join("a"), "A");
    let err = verifier
        .verify_bytes(&m, outcome.bundle_json.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("Hash mismatch for 'a'"), "{err}");
    // So does a bundle that is not one.
    let err = verifier.verify_bytes(&m, b"{").unwrap_err();
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

#[test]
fn certificate_signer_from_pem_bytes() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w.bin", "weights")]);
    let outcome = signing::Config::new()
        .use_certificate_signer_pem(
            &fs::read(CERT_KEY).unwrap(),
            None,
            &fs::read(LEAF_CERT).unwrap(),
            &[&fs::read(INT_CERT).unwrap()],
        )
        .unwrap()
        .sign_to_bundle(&m)
        .unwrap();
    let report = verifying::Config::new()
        .use_certificate_verifier_pem(&fs::read(ROOT_CERT).unwrap())
        .unwrap()
        .verify_bytes(&m, outcome.bundle_json.as_bytes())
        .unwrap();
    assert!(matches!(report.signer, SignerIdentity::Certificate { .. }));
    // A key that is not the certificate's is refused before anything is signed.
    let err = signing::Config::new()
        .use_certificate_signer_pem(
            &fs::read(P256).unwrap(),
            None,
            &fs::read(LEAF_CERT).unwrap(),
            &[],
        )
        .err()
        .expect("key and certificate differ");
    assert!(err.to_string().contains("does not match"), "{err}");
}

/// The daemon's path: a manifest computed elsewhere, checked, and signed. The statement
/// is the one signing the same model from disk gives, byte for byte.
#[test]
fn signing_a_manifest_computed_elsewhere_gives_the_same_statement() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("a", "a"), ("sub/b", "bb")]);
    for hashing in [
        hashing::Config::new(),
        hashing::Config::new()
            .use_shard_serialization(HashAlgorithm::Sha256, 1)
            .unwrap(),
        hashing::Config::new().use_file_serialization(HashAlgorithm::Blake3),
    ] {
        let config = signing::Config::new()
            .use_elliptic_key_signer(P256, None)
            .unwrap()
            .set_hashing_config(hashing.clone());
        let from_disk = config.sign_to_bundle(&m).unwrap();
        let hashed = &from_disk.model;
        // What a browser would send: the manifest as JSON.
        let resources: Vec<serde_json::Value> = hashed
            .manifest
            .iter()
            .map(|(k, d)| {
                serde_json::json!({"name": k.name(), "algorithm": d.algorithm, "digest": d.hex()})
            })
            .collect();
        let spec = serde_json::json!({
            "serialization": {
                "method": hashed.serialization.method_name(),
                "hashAlgorithm": hashed.serialization.algorithm().config_name(),
                "shardSize": hashed.serialization.shard_size(),
            },
            "allowSymlinks": hashed.allow_symlinks,
            "ignorePaths": hashed.ignore_paths,
            "resources": resources,
        });
        let spec: ManifestSpec = from_json(&spec.to_string(), "the manifest").unwrap();
        let bundle = config
            .sign_manifest(&hashed.model_name, &spec.validate().unwrap())
            .unwrap();
        let json = bundle.to_json();
        assert_eq!(payload_of(&json), payload_of(&from_disk.bundle_json));
        verifying::Config::new()
            .use_elliptic_key_verifier(P256_PUB)
            .unwrap()
            .verify_bytes(&m, json.as_bytes())
            .unwrap();
    }
}

#[test]
fn no_signer_and_no_verifier_are_errors() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("a", "a")]);
    assert!(matches!(
        signing::Config::new().sign_to_bundle(&m),
        Err(model_signing::Error::NoSigner)
    ));
    assert!(matches!(
        verifying::Config::new().verify_bytes(&m, b"{}"),
        Err(model_signing::Error::InvalidBundle(_) | model_signing::Error::NoVerifier)
    ));
}

/// A Sigstore bundle of the vectors, verified offline through the library: the report
/// names the identity, the issuer and the verified times (the log's and the timestamp's).
#[test]
fn sigstore_bundle_verifies_through_the_library() {
    const IDENTITY: &str = "stefanb@us.ibm.com";
    const ISSUER: &str = "https://sigstore.verify.ibm.com/oauth2";
    let dir = vectors().join("model-transparency/scripts/tests/v1.1.0-sigstore");
    let report = verifying::Config::new()
        .use_sigstore_verifier(IDENTITY, ISSUER, false, None)
        .unwrap()
        .verify(&dir, &dir.join("model.sig"))
        .unwrap();
    assert_eq!(report.items, 2);
    match report.signer {
        SignerIdentity::Sigstore {
            identity,
            issuer,
            verified_times,
            ..
        } => {
            assert_eq!(identity, IDENTITY);
            assert_eq!(issuer, ISSUER);
            assert_eq!(verified_times.len(), 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn hashing_reuses_the_digests_of_a_verified_previous_signature() {
    use model_signing::hashing::{Changes, Previous};
    use model_signing_core::ModelPath;
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[("README.md", "v1"), ("weights.bin", "weights")],
    );
    let key = fs::read(P256).unwrap();
    let v1 = signing::Config::new()
        .use_elliptic_key_signer_pem(&key, None)
        .unwrap()
        .sign_to_bundle(&m)
        .unwrap()
        .bundle_json;
    put(&m.join("README.md"), "v2, edited");

    // The option takes a verified signature: what core's verifiers return.
    let verified = verifying::Config::new()
        .use_elliptic_key_verifier(P256_PUB)
        .unwrap()
        .verify_signature(v1.as_bytes())
        .unwrap();
    let changes = Changes {
        changed: vec![ModelPath::new("README.md")],
        ..Changes::default()
    };
    let previous = Previous::new(&verified, changes).unwrap();
    let incremental = hashing::Config::new()
        .reuse_previous(previous)
        .hash(&m)
        .unwrap();
    let scratch = hashing::Config::new().hash(&m).unwrap();
    assert_eq!(incremental.manifest, scratch.manifest);

    // Unlisted (and with no signature file whose time the README's could be compared
    // with), the README keeps its old digest: the option trusts the change list.
    let stale = Previous::new(&verified, Changes::default()).unwrap();
    let reused = hashing::Config::new()
        .reuse_previous(stale)
        .hash(&m)
        .unwrap();
    assert_ne!(reused.manifest, scratch.manifest);
}
