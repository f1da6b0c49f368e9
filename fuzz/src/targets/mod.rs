//! One module per fuzz target; each has `pub fn run(data: &[u8])`.

pub mod bundle_strict;
pub mod bundle_verify;
pub mod certificate_chain;
pub mod checkpoint;
pub mod manifest_spec;
pub mod model_check;
pub mod pem_keys;
pub mod pkcs11_uri;
pub mod sct;
pub mod timestamp;
pub mod tlog_entry;
pub mod trust_root;

use model_signing_core::bundle::{Bundle, BundleError, VerificationMaterial};
use model_signing_core::statement::{build_statement, parse_statement, SignedManifest};

/// A bundle that was read is written back ([`Bundle::to_json`]) and must read back
/// the same (the legacy `rawBytes` key material is the only thing not written), and be
/// written the same again.
pub(crate) fn check_round_trip(bundle: &Bundle, read: fn(&[u8]) -> Result<Bundle, BundleError>) {
    let json = bundle.to_json();
    let again = read(json.as_bytes())
        .unwrap_or_else(|e| panic!("a bundle written by to_json does not read back: {e}\n{json}"));
    let mut expected = bundle.clone();
    if let VerificationMaterial::PublicKey {
        legacy_raw_bytes, ..
    } = &mut expected.verification_material
    {
        *legacy_raw_bytes = None;
    }
    assert_eq!(
        again, expected,
        "bundle changed through to_json/from_json:\n{json}"
    );
    assert_eq!(again.to_json(), json, "to_json is not stable");
}

/// Parses a DSSE payload as a statement; one that parses is rebuilt with
/// [`build_statement`] and must parse to the same manifest and serialization (what a
/// signer writes from a manifest is what a verifier reads).
pub(crate) fn check_statement(payload: &[u8]) -> Option<SignedManifest> {
    let signed = parse_statement(payload).ok()?;
    if let Ok(serialization) = &signed.serialization.serialization {
        let rebuilt = build_statement(
            &signed.model_name,
            &signed.manifest,
            serialization,
            signed.serialization.allow_symlinks.unwrap_or(false),
            &signed.serialization.ignore_paths,
        );
        let again = parse_statement(&rebuilt).unwrap_or_else(|e| {
            panic!(
                "a statement built from a parsed one does not parse: {e}\n{}",
                String::from_utf8_lossy(&rebuilt)
            )
        });
        assert_eq!(
            again.manifest, signed.manifest,
            "manifest changed when rebuilt"
        );
        assert_eq!(
            again.serialization.serialization, signed.serialization.serialization,
            "serialization changed when rebuilt"
        );
        assert_eq!(again.model_name, signed.model_name);
    }
    Some(signed)
}
