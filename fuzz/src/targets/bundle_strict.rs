//! `bundle_strict`: any Sigstore bundle, as `verify sigstore` and the Sigstore verifier
//! entry read it.
//!
//! Input: bundle JSON (structure-aware mutator). [`Bundle::from_json_strict`], the round
//! trip through `to_json`, then `sigstore::verify` against the trusted root that knows
//! the bundle's first log (production, staging, sigstore-python's test TSA root, the
//! managed-key root, sigstore-go's scaffolding), with an identity policy that accepts
//! every identity (so the fuzzer can reach the signature and log-body checks) or, for
//! key material, the managed-key vector's key. The artifact is the bundle's own message
//! digest claim for message signatures. When that verifies, `verify_bundle` with a
//! Sigstore verifier checks the model-signature path on the same bundle.
//!
//! Properties: the round trip; a bundle that verifies carries a signature and signed
//! content of a test vector (anything else is a forgery), has at least one verified
//! time, and, when keyless, a certificate path starting at its leaf.

use std::sync::{Arc, OnceLock};

use model_signing_core::bundle::{Bundle, Content, VerificationMaterial};
use model_signing_core::sigstore::{self, Artifact, IdentityPolicy, Matcher, Policy};
use model_signing_core::verify::{verify_bundle, Verifier};

use crate::known::{forgery, signed_content, sigstore_signed};
use crate::targets::check_round_trip;
use crate::trace;
use crate::vectors::{managed_key, root_for_log};

/// An identity policy that accepts everyone.
pub fn any_identity() -> IdentityPolicy {
    let any = || Matcher::Predicate {
        description: "anything".into(),
        matches: Arc::new(|_| true),
    };
    IdentityPolicy {
        identity: any(),
        issuer: any(),
    }
}

fn policies() -> &'static (Policy, Policy) {
    static P: OnceLock<(Policy, Policy)> = OnceLock::new();
    P.get_or_init(|| {
        (
            Policy::Identity(any_identity()),
            Policy::Key(managed_key().clone()),
        )
    })
}

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let bundle = match Bundle::from_json_strict(data) {
        Ok(b) => b,
        Err(e) => {
            trace!("bundle_strict: not read: {e}");
            return;
        }
    };
    check_round_trip(&bundle, Bundle::from_json_strict);
    let root = root_for_log(bundle.tlog_entries.first().map(|e| e.log_id.as_slice()));
    let (identity, key) = policies();
    let policy = match bundle.verification_material {
        VerificationMaterial::PublicKey { .. } => key,
        _ => identity,
    };
    let artifact = match &bundle.content {
        Content::MessageSignature {
            digest: Some((algorithm, digest)),
            ..
        } => Artifact::Digest {
            algorithm: *algorithm,
            digest,
        },
        _ => Artifact::None,
    };
    let verified = match sigstore::verify(&bundle, root, policy, &artifact) {
        Ok(v) => v,
        Err(e) => {
            trace!("bundle_strict: {e}");
            return;
        }
    };
    trace!("bundle_strict: verified");
    let signed = signed_content(&bundle);
    if signed.len() != 1 || !sigstore_signed().contains(&signed[0]) {
        forgery("a Sigstore bundle");
    }
    assert!(
        !verified.verified_times.is_empty(),
        "verified without a verified time"
    );
    if let Some(leaf) = bundle.verification_material.leaf() {
        assert_eq!(
            verified.certificate_path.first().map(Vec::as_slice),
            Some(leaf)
        );
        assert!(verified.identity.is_some());
    }
    if matches!(bundle.content, Content::Dsse(_)) && verified.identity.is_some() {
        let verifier = Verifier::Sigstore {
            trust_root: Box::new(root.clone()),
            policy: any_identity(),
            now: None,
        };
        match verify_bundle(&bundle, &verifier) {
            Ok(v) => assert!(!v.legacy_pae),
            Err(e) => trace!("bundle_strict: verify_bundle: {e}"),
        }
    }
}
