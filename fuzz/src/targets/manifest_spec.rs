//! `manifest_spec`: a manifest computed elsewhere and sent to be signed (the signing
//! daemon's and the wasm package's `ManifestSpec` JSON).
//!
//! Input: the request JSON (structure-aware mutator). `api::shapes::from_json` into a
//! [`ManifestSpec`], then `validate`.
//!
//! Properties: every name a validated manifest holds is canonical (`check_resource_path`
//! gives it back unchanged; shard names read back as the same shard); ignore paths are
//! canonical, sorted, unique and never the whole model; digests have the
//! serialization's algorithm and length; and the statement a signer builds from it
//! parses back to the same manifest, serialization, ignore paths and symlink flag (what
//! is signed is what a verifier reads).

use model_signing_core::api::shapes::{from_json, ManifestSpec};
use model_signing_core::manifest::check_resource_path;
use model_signing_core::statement::{build_statement, parse_statement};
use model_signing_core::ResourceKey;

use crate::trace;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let spec: ManifestSpec = match from_json(text, "the manifest") {
        Ok(s) => s,
        Err(e) => {
            trace!("manifest_spec: {}", e.message);
            return;
        }
    };
    let v = match spec.validate() {
        Ok(v) => v,
        Err(e) => {
            trace!("manifest_spec: invalid: {}", e.message);
            return;
        }
    };
    trace!("manifest_spec: valid, {} items", v.manifest.len());
    let algorithm = v.serialization.item_algorithm_name();
    for (key, digest) in v.manifest.iter() {
        let path = key.path();
        let canonical = check_resource_path(path.as_str())
            .unwrap_or_else(|e| panic!("a validated name is not canonical: {e}"));
        assert_eq!(
            canonical.as_str(),
            path.as_str(),
            "a validated name changes when checked"
        );
        if let ResourceKey::Shard { .. } = key {
            assert_eq!(ResourceKey::parse_shard(&key.name()).as_ref(), Some(key));
        }
        assert_eq!(digest.algorithm, algorithm);
        assert_eq!(digest.value.len(), v.serialization.algorithm().digest_len());
    }
    let mut sorted = v.ignore_paths.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, v.ignore_paths, "ignore paths not sorted and unique");
    for p in &v.ignore_paths {
        let c = check_resource_path(p).expect("a validated ignore path is canonical");
        assert!(!c.is_root() && c.as_str() == p);
    }

    let statement = build_statement(
        "model",
        &v.manifest,
        &v.serialization,
        v.allow_symlinks,
        &v.ignore_paths,
    );
    let signed = parse_statement(&statement).unwrap_or_else(|e| {
        panic!(
            "the statement of a validated manifest does not parse: {e}\n{}",
            String::from_utf8_lossy(&statement)
        )
    });
    assert_eq!(
        signed.manifest, v.manifest,
        "the manifest changed through its statement"
    );
    assert_eq!(signed.serialization.serialization, Ok(v.serialization));
    assert_eq!(signed.serialization.ignore_paths, v.ignore_paths);
    assert_eq!(signed.serialization.allow_symlinks, Some(v.allow_symlinks));
}
