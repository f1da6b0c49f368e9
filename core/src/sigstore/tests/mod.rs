//! Tests of the Sigstore verifier on real bundles (`tests/vectors/`), written with
//! `core` and `alloc` only: they also run with `--no-default-features`, proving the
//! verifier works without `std`.

mod attacks;
mod negative;
mod testkit;
mod vectors;

use alloc::vec::Vec;

use serde_json::Value;

use super::*;
use crate::keys::SignatureHash;

macro_rules! vector {
    ($path:literal) => {
        include_bytes!(concat!("../../../../tests/vectors/", $path))
    };
}
pub(crate) use vector;

/// The four model-transparency bundles, by folder name.
pub(crate) const MODEL_BUNDLES: [(&str, &[u8]); 4] = [
    (
        "v0.3.1-sigstore",
        vector!("model-transparency/scripts/tests/v0.3.1-sigstore/model.sig"),
    ),
    (
        "v1.0.0-sigstore",
        vector!("model-transparency/scripts/tests/v1.0.0-sigstore/model.sig"),
    ),
    (
        "v1.0.1-sigstore",
        vector!("model-transparency/scripts/tests/v1.0.1-sigstore/model.sig"),
    ),
    (
        "v1.1.0-sigstore",
        vector!("model-transparency/scripts/tests/v1.1.0-sigstore/model.sig"),
    ),
];
pub(crate) const MODEL_IDENTITY: &str = "stefanb@us.ibm.com";
pub(crate) const MODEL_ISSUER: &str = "https://sigstore.verify.ibm.com/oauth2";

pub(crate) fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("test JSON")
}

pub(crate) fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("serialises")
}

/// The bundle after `f` changed its JSON.
pub(crate) fn mutate(bundle: &[u8], f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = json(bundle);
    f(&mut v);
    to_bytes(&v)
}

/// Decodes a base64 JSON string field, changes the bytes, and writes it back.
pub(crate) fn edit_b64(field: &mut Value, f: impl FnOnce(&mut [u8])) {
    let mut bytes =
        crate::encoding::b64decode_strict(field.as_str().expect("string")).expect("base64");
    f(&mut bytes);
    *field = Value::String(crate::encoding::b64encode(&bytes));
}

pub(crate) fn identity(identity: &str, issuer: &str) -> Policy {
    Policy::Identity(IdentityPolicy::exact(identity, issuer))
}

pub(crate) fn model_policy() -> Policy {
    identity(MODEL_IDENTITY, MODEL_ISSUER)
}

/// Parses and verifies.
pub(crate) fn check(
    bundle: &[u8],
    root: &TrustedRoot,
    policy: &Policy,
    artifact: Artifact<'_>,
) -> Result<VerifiedBundle, SigstoreError> {
    verify_json(bundle, root, policy, &artifact)
}

pub(crate) fn sha256(digest_hex: &str) -> Vec<u8> {
    crate::encoding::unhex(digest_hex).expect("hex")
}

pub(crate) fn digest(algorithm: SignatureHash, d: &[u8]) -> Artifact<'_> {
    Artifact::Digest {
        algorithm,
        digest: d,
    }
}
