//! `trust_root`: trusted roots, client trust configurations and signing
//! configurations (what `--trust-config` and `--trusted-root` read).
//!
//! Input: JSON (structure-aware mutator). `TrustedRoot::from_json`,
//! `ClientTrustConfig::from_json`, `SigningConfig::from_json`. A root that parses is
//! then used: every log's host and lookup by ID, and a real keyless model signature
//! (model-transparency v1.1.0, production) verified against it, so that fuzzed keys,
//! validity windows and chains reach the verifier.
//!
//! Properties: no panic, and a root's logs are found by their own IDs.

use model_signing_core::bundle::Bundle;
use model_signing_core::sigstore::{
    self, Artifact, ClientTrustConfig, Policy, SigningConfig, TrustedRoot,
};

use crate::targets::bundle_strict::any_identity;
use crate::trace;
use crate::vectors::MODEL_SIGSTORE_V1_1_0;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(config) = ClientTrustConfig::from_json(data) {
        use_root(&config.trusted_root);
    }
    let _ = SigningConfig::from_json(data);
    match TrustedRoot::from_json(data) {
        Ok(root) => use_root(&root),
        Err(e) => trace!("trust_root: {e}"),
    }
}

fn use_root(root: &TrustedRoot) {
    for log in root.tlogs.iter().chain(&root.ctlogs) {
        let _ = log.host();
    }
    for log in &root.tlogs {
        assert!(
            root.tlog(&log.log_id).is_some(),
            "a log is not found by its ID"
        );
    }
    for log in &root.ctlogs {
        assert!(
            root.ctlog(&log.log_id).is_some(),
            "a CT log is not found by its ID"
        );
    }
    let bundle = Bundle::from_json_strict(MODEL_SIGSTORE_V1_1_0).expect("vector");
    let policy = Policy::Identity(any_identity());
    match sigstore::verify(&bundle, root, &policy, &Artifact::None) {
        Ok(_) => trace!("trust_root: the vector verifies"),
        Err(e) => trace!("trust_root: the vector does not verify: {e}"),
    }
}
