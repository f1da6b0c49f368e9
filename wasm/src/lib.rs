//! WebAssembly bindings of `model-signing-core`: verify OpenSSF model signatures and hash
//! models in browsers, Node, Deno and Cloudflare's workerd.
//!
//! This crate is deliberately thin: every decision is core's (bundle parsing, the key,
//! certificate and Sigstore verifiers, serializations, streaming hashers, manifests and
//! their comparison, and the check of a model given as a file list, in
//! [`model_signing_core::model_check`]). The bindings move bytes in and JSON out; the
//! JavaScript package in `wasm/npm/` wraps them into its documented API
//! (`ModelSigningError`, `verifyBundle`, `verifyModel`, `createHasher`, workers).
//!
//! Errors are thrown as `Error`s whose message is the JSON of an [`ApiError`]
//! (`{"code", "reason", "message"}`); the package turns them into
//! `ModelSigningError`s.

pub mod api;

use model_signing_core::identifier::ModelPath;
use model_signing_core::serialization;
use model_signing_core::sigstore::trust_root::CertificateAuthority;
use model_signing_core::verify::{VerifiedSignature, Verifier};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Date.now()`: the runtime's clock, in milliseconds (every JS runtime has it).
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
}

use crate::api::{JsonCheck, TrustSource};
use model_signing_core::api::shapes::{to_json, ItemView};
use model_signing_core::api::{ApiError, ErrorCode};

fn throw(e: ApiError) -> JsError {
    JsError::new(&e.to_json())
}

/// The package version (the crate's).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// Who is trusted to have signed: a public key, certificate trust anchors, or a
/// Sigstore identity and issuer under a trusted root.
#[wasm_bindgen]
pub struct Policy {
    verifier: Verifier,
    timestamp_authorities: Vec<CertificateAuthority>,
}

#[wasm_bindgen]
impl Policy {
    /// Signatures made with the private key of this PEM public key (P-256/384/521).
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(pem: &[u8]) -> Result<Policy, JsError> {
        let verifier = api::key_verifier(pem).map_err(throw)?;
        Ok(Policy {
            verifier,
            timestamp_authorities: Vec::new(),
        })
    }

    /// Certificate signatures whose chain ends in a self-signed certificate among these
    /// PEM `CERTIFICATE` blocks.
    #[wasm_bindgen(js_name = certificateChain)]
    pub fn certificate_chain(pem: &[u8]) -> Result<Policy, JsError> {
        let verifier = api::certificate_verifier(pem).map_err(throw)?;
        Ok(Policy {
            verifier,
            timestamp_authorities: Vec::new(),
        })
    }

    /// Also checks the RFC 3161 timestamps of key and certificate signatures against the
    /// timestamp authority of these PEM certificates (its root, any intermediates, and
    /// its signing certificate unless timestamps embed it); may be called for several
    /// authorities. Every timestamp must then verify, and a certificate chain is checked
    /// at each timestamped time (as `verify … --tsa-certificate-chain`).
    #[wasm_bindgen(js_name = addTimestampAuthority)]
    pub fn add_timestamp_authority(&mut self, pem: &[u8]) -> Result<(), JsError> {
        self.timestamp_authorities
            .push(api::timestamp_authority(pem).map_err(throw)?);
        Ok(())
    }

    /// Sigstore signatures by `identity` (email, URI or username SAN, exact) vouched for
    /// by the OIDC `issuer`. `trust` is `production` or `staging` (embedded roots), or
    /// `trustedRoot` / `clientTrustConfig` with that JSON in `material`.
    pub fn sigstore(
        identity: &str,
        issuer: &str,
        trust: &str,
        material: Option<Vec<u8>>,
    ) -> Result<Policy, JsError> {
        let source = match (trust, material.as_deref()) {
            ("production", _) => TrustSource::Production,
            ("staging", _) => TrustSource::Staging,
            ("trustedRoot", Some(m)) => TrustSource::TrustedRoot(m),
            ("clientTrustConfig", Some(m)) => TrustSource::ClientTrustConfig(m),
            _ => {
                return Err(throw(ApiError::new(
                    ErrorCode::InvalidPolicy,
                    format!("unknown Sigstore trust root '{trust}' (or its JSON is missing)"),
                )))
            }
        };
        let now = api::unix_time_from_millis(date_now());
        let verifier =
            api::sigstore_verifier(identity, issuer, source, Some(now)).map_err(throw)?;
        Ok(Policy {
            verifier,
            timestamp_authorities: Vec::new(),
        })
    }
}

/// A bundle whose signature checked out against a policy.
#[wasm_bindgen]
pub struct Verification {
    inner: VerifiedSignature,
}

#[wasm_bindgen]
impl Verification {
    /// `{manifest, signer, warnings, legacyPae}` as JSON.
    pub fn json(&self) -> String {
        api::verification_json(&self.inner)
    }

    /// Plans the check of a model given as `[{path, size}]` (JSON) with options
    /// `{ignorePaths, ignoreGitPaths, ignoreUnsignedFiles, signaturePath, modelName,
    /// singleFile}` (JSON).
    #[wasm_bindgen(js_name = checkModel)]
    pub fn check_model(&self, files_json: &str, options_json: &str) -> Result<ModelCheck, JsError> {
        let inner = JsonCheck::new(&self.inner.signed, files_json, options_json).map_err(throw)?;
        Ok(ModelCheck { inner })
    }
}

/// Parses `bundle` (the signature file's bytes) and verifies it against `policy`.
#[wasm_bindgen(js_name = verifyBundle)]
pub fn verify_bundle(bundle: &[u8], policy: &Policy) -> Result<Verification, JsError> {
    let inner =
        api::verify(bundle, &policy.verifier, &policy.timestamp_authorities).map_err(throw)?;
    Ok(Verification { inner })
}

/// `{mediaType, material}` of a bundle, without verifying it.
#[wasm_bindgen(js_name = describeBundle)]
pub fn describe_bundle(bundle: &[u8]) -> Result<String, JsError> {
    api::describe_bundle(bundle).map_err(throw)
}

/// A model being compared with a verified manifest.
#[wasm_bindgen]
pub struct ModelCheck {
    inner: JsonCheck,
}

#[wasm_bindgen]
impl ModelCheck {
    /// `{serialization, jobs: [{index, path, size}], mismatch}` as JSON: the files to
    /// hash, and whether a difference is already known (missing or unsigned files).
    pub fn plan(&self) -> String {
        self.inner.plan()
    }

    /// Records what a file hashed to (the JSON a `FileHasher` finishes with); returns
    /// its status (`verified`, `changed` or `unsigned`).
    pub fn record(&mut self, path: &str, items_json: &str) -> Result<String, JsError> {
        Ok(self.inner.record(path, items_json).map_err(throw)?.into())
    }

    /// Whether a difference has been found.
    #[wasm_bindgen(js_name = hasMismatch)]
    pub fn has_mismatch(&self) -> bool {
        self.inner.has_mismatch()
    }

    /// `{verified, complete, files, messages, error}` as JSON.
    pub fn report(&self) -> String {
        self.inner.report()
    }
}

/// Hashes one file, fed in chunks of any size, into its manifest items (whole file or
/// shards) for a serialization given as JSON `{method, hashAlgorithm, shardSize}`.
#[wasm_bindgen]
pub struct FileHasher {
    inner: Option<serialization::FileHasher>,
}

#[wasm_bindgen]
impl FileHasher {
    /// Starts hashing `path`; `size` is its length when known (it is then checked).
    #[wasm_bindgen(constructor)]
    pub fn new(
        serialization_json: &str,
        path: &str,
        size: Option<f64>,
    ) -> Result<FileHasher, JsError> {
        Ok(FileHasher {
            inner: Some(stream_hasher(serialization_json, path, size)?),
        })
    }

    /// Feeds the next chunk.
    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = self.inner.as_mut() {
            h.update(chunk);
        }
    }

    /// Bytes fed so far.
    pub fn bytes(&self) -> f64 {
        self.inner
            .as_ref()
            .map_or(0, serialization::FileHasher::bytes) as f64
    }

    /// Finishes and returns the items as JSON `[{start, end, algorithm, digest}]`.
    pub fn finish(&mut self) -> Result<String, JsError> {
        let h = self.inner.take().ok_or_else(|| {
            throw(ApiError::new(
                ErrorCode::InvalidArgument,
                "this hasher has already finished",
            ))
        })?;
        finish_json(h)
    }
}

/// A [`serialization::FileHasher`] for a serialization given as JSON and a size given by JavaScript.
fn stream_hasher(
    serialization_json: &str,
    path: &str,
    size: Option<f64>,
) -> Result<serialization::FileHasher, JsError> {
    let serialization = api::serialization_from_json(serialization_json).map_err(throw)?;
    let size = match size {
        None => None,
        Some(s) if s >= 0.0 && s.fract() == 0.0 && s < 9.007_199_254_740_992e15 => Some(s as u64),
        Some(s) => {
            return Err(throw(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("a file size must be a non-negative integer, not {s}"),
            )))
        }
    };
    Ok(serialization::FileHasher::new(
        serialization,
        ModelPath::new(path),
        size,
    ))
}

/// The items of a finished file as JSON `[{start, end, algorithm, digest}]`.
fn finish_json(h: serialization::FileHasher) -> Result<String, JsError> {
    let items = h
        .finish()
        .map_err(|e| throw(ApiError::new(ErrorCode::SizeMismatch, e.to_string())))?;
    Ok(to_json(&ItemView::list(&items)))
}

/// Several files hashed side by side: chunks are staged per file, then [`Self::run`]
/// feeds them all at once through [`serialization::FileHasher::update_lanes`] (SHA-256 blocks of up to
/// four files in one SIMD pass).
#[wasm_bindgen]
#[derive(Default)]
pub struct HasherGroup {
    slots: Vec<Option<Slot>>,
}

struct Slot {
    hasher: serialization::FileHasher,
    staged: Vec<u8>,
}

#[wasm_bindgen]
impl HasherGroup {
    /// An empty group.
    #[wasm_bindgen(constructor)]
    pub fn new() -> HasherGroup {
        HasherGroup::default()
    }

    /// Starts hashing a file (as [`FileHasher::new`]); returns its slot number.
    pub fn open(
        &mut self,
        serialization_json: &str,
        path: &str,
        size: Option<f64>,
    ) -> Result<u32, JsError> {
        let slot = Slot {
            hasher: stream_hasher(serialization_json, path, size)?,
            staged: Vec::new(),
        };
        let free = self.slots.iter().position(Option::is_none);
        let index = free.unwrap_or(self.slots.len());
        if free.is_none() {
            self.slots.push(None);
        }
        self.slots[index] = Some(slot);
        Ok(index as u32)
    }

    fn slot(&mut self, slot: u32) -> Result<&mut Slot, JsError> {
        self.slots
            .get_mut(slot as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| {
                throw(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("no open file in slot {slot}"),
                ))
            })
    }

    /// Stages the next chunk of the file in `slot` (hashed by the next [`Self::run`]).
    pub fn stage(&mut self, slot: u32, chunk: Vec<u8>) -> Result<(), JsError> {
        let s = self.slot(slot)?;
        if s.staged.is_empty() {
            s.staged = chunk;
        } else {
            s.staged.extend_from_slice(&chunk);
        }
        Ok(())
    }

    /// Hashes every staged chunk.
    pub fn run(&mut self) {
        let mut hashers: Vec<&mut serialization::FileHasher> = Vec::new();
        let mut chunks: Vec<&[u8]> = Vec::new();
        for s in self.slots.iter_mut().flatten() {
            if !s.staged.is_empty() {
                hashers.push(&mut s.hasher);
                chunks.push(&s.staged);
            }
        }
        serialization::FileHasher::update_lanes(&mut hashers, &chunks);
        for s in self.slots.iter_mut().flatten() {
            s.staged = Vec::new();
        }
    }

    /// Bytes hashed so far of the file in `slot`.
    pub fn bytes(&mut self, slot: u32) -> Result<f64, JsError> {
        Ok(self.slot(slot)?.hasher.bytes() as f64)
    }

    /// Finishes the file in `slot` (frees the slot) and returns its items as JSON.
    pub fn finish(&mut self, slot: u32) -> Result<String, JsError> {
        self.slot(slot)?;
        let s = self.slots[slot as usize].take().expect("checked above");
        if !s.staged.is_empty() {
            return Err(throw(ApiError::new(
                ErrorCode::Internal,
                "a file was finished with a chunk still staged",
            )));
        }
        finish_json(s.hasher)
    }

    /// Drops the file in `slot` without finishing it.
    pub fn discard(&mut self, slot: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = None;
        }
    }
}
