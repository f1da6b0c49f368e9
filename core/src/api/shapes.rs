//! The JSON shapes of results and requests, with `serde`.
//!
//! Results are views ([`Serialize`]) borrowed from the domain types, so the domain
//! types keep their invariants and this module only decides the field names: camelCase,
//! digests as lowercase hex, certificates and keys as PEM, times as Unix seconds.
//! Requests ([`Deserialize`]) are plain data checked when they are turned into domain
//! values, with an [`ApiError`] naming what is wrong.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

// utoipa's derive writes std's prelude names; core has no std prelude.
#[cfg(feature = "openapi")]
#[allow(unused_imports)]
use std::{borrow::ToOwned, boxed::Box, format, vec};

use serde::{Deserialize, Serialize};

use super::{ApiError, ErrorCode};
use crate::bundle::{Bundle, VerificationMaterial};
use crate::encoding::unhex;
use crate::hashing::{Digest, HashAlgorithm};
use crate::identifier::{ModelPath, ResourceKey};
use crate::keys::to_pem;
use crate::manifest::Manifest;
use crate::model_check::{CheckOptions, FileReport, FileStatus, HashJob, InputFile, Report};
use crate::serialization::{Serialization, DEFAULT_SHARD_SIZE};
use crate::sigstore::{TimeSource, VerifiedTime};
use crate::statement::SignedManifest;
use crate::verify::{SignerIdentity, VerifiedSignature};

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidArgument, message)
}

/// Parses request JSON, naming `what` in the error.
pub fn from_json<'a, T: Deserialize<'a>>(text: &'a str, what: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| invalid(alloc::format!("{what} is invalid: {e}")))
}

/// Writes a result as JSON text.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // The views hold strings, numbers and lists only: serializing cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

// ---------------------------------------------------------------------------- results

/// `{"method", "hashAlgorithm", "shardSize"}`, the algorithm by its recorded name.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SerializationView {
    method: &'static str,
    hash_algorithm: &'static str,
    shard_size: Option<u64>,
}

impl From<&Serialization> for SerializationView {
    fn from(s: &Serialization) -> Self {
        Self {
            method: s.method_name(),
            hash_algorithm: s.algorithm().recorded_name(),
            shard_size: s.shard_size(),
        }
    }
}

/// One manifest item: `{name, path, start, end, algorithm, digest}`.
#[derive(Serialize)]
pub struct ResourceView<'a> {
    name: String,
    path: &'a str,
    start: Option<u64>,
    end: Option<u64>,
    algorithm: &'a str,
    digest: String,
}

impl<'a> ResourceView<'a> {
    fn new(key: &'a ResourceKey, digest: &'a Digest) -> Self {
        let (start, end) = match key {
            ResourceKey::File(_) => (None, None),
            ResourceKey::Shard { start, end, .. } => (Some(*start), Some(*end)),
        };
        Self {
            name: key.name(),
            path: key.path().as_str(),
            start,
            end,
            algorithm: &digest.algorithm,
            digest: digest.hex(),
        }
    }
}

/// What a signature says was signed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestView<'a> {
    model_name: &'a str,
    predicate_type: &'a str,
    root_digest: Option<&'a str>,
    serialization: Option<SerializationView>,
    unsupported_serialization: Option<String>,
    allow_symlinks: Option<bool>,
    ignore_paths: &'a [String],
    files: Vec<&'a str>,
    resources: Vec<ResourceView<'a>>,
}

impl<'a> From<&'a SignedManifest> for ManifestView<'a> {
    fn from(m: &'a SignedManifest) -> Self {
        let (serialization, unsupported_serialization) = match &m.serialization.serialization {
            Ok(s) => (Some(SerializationView::from(s)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let mut files: Vec<&str> = m.manifest.iter().map(|(k, _)| k.path().as_str()).collect();
        files.dedup();
        Self {
            model_name: &m.model_name,
            predicate_type: &m.predicate_type,
            root_digest: m.root_digest.as_deref(),
            serialization,
            unsupported_serialization,
            allow_symlinks: m.serialization.allow_symlinks,
            ignore_paths: &m.serialization.ignore_paths,
            files,
            resources: m
                .manifest
                .iter()
                .map(|(k, d)| ResourceView::new(k, d))
                .collect(),
        }
    }
}

/// Where a verified time comes from.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TimeSourceView<'a> {
    /// A transparency-log entry's integrated time.
    TransparencyLog {
        /// Its position in the bundle.
        entry: usize,
    },
    /// An RFC 3161 timestamp.
    Timestamp {
        /// Its position in the bundle.
        index: usize,
        /// The authority's name.
        authority: Option<&'a str>,
    },
}

/// A verified time: `{time, source}`.
#[derive(Serialize)]
pub struct VerifiedTimeView<'a> {
    time: i64,
    source: TimeSourceView<'a>,
}

/// Who signed: `{kind: "key" | "certificate" | "sigstore", ...}`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignerView<'a> {
    /// A key signature.
    #[serde(rename_all = "camelCase")]
    Key {
        /// The key hint.
        key_hint: &'a str,
        /// Signing times proved by RFC 3161 timestamps (empty unless checked).
        verified_times: Vec<VerifiedTimeView<'a>>,
    },
    /// A certificate signature.
    #[serde(rename_all = "camelCase")]
    Certificate {
        /// The leaf's subject.
        subject: &'a str,
        /// The verified path, leaf first (PEM).
        chain: Vec<String>,
        /// When the chain was checked (Unix seconds).
        verification_time: u64,
        /// Signing times proved by RFC 3161 timestamps (empty unless checked); the chain
        /// was checked at each.
        verified_times: Vec<VerifiedTimeView<'a>>,
    },
    /// A Sigstore keyless signature.
    #[serde(rename_all = "camelCase")]
    Sigstore {
        /// The SAN that matched.
        identity: &'a str,
        /// The OIDC issuer.
        issuer: &'a str,
        /// Times vouched for by logs and timestamp authorities.
        verified_times: Vec<VerifiedTimeView<'a>>,
        /// The Fulcio certificate (PEM).
        certificate: String,
    },
}

impl<'a> From<&'a SignerIdentity> for SignerView<'a> {
    fn from(s: &'a SignerIdentity) -> Self {
        match s {
            SignerIdentity::Key {
                hint,
                verified_times,
            } => Self::Key {
                key_hint: hint,
                verified_times: time_views(verified_times),
            },
            SignerIdentity::Certificate {
                subject,
                path,
                verification_time,
                verified_times,
            } => Self::Certificate {
                subject,
                chain: path.iter().map(|der| to_pem("CERTIFICATE", der)).collect(),
                verification_time: *verification_time,
                verified_times: time_views(verified_times),
            },
            SignerIdentity::Sigstore {
                identity,
                issuer,
                verified_times,
                certificate,
                ..
            } => Self::Sigstore {
                identity,
                issuer,
                verified_times: time_views(verified_times),
                certificate: to_pem("CERTIFICATE", certificate),
            },
        }
    }
}

fn time_views(times: &[VerifiedTime]) -> Vec<VerifiedTimeView<'_>> {
    times
        .iter()
        .map(|t| VerifiedTimeView {
            time: t.time.secs,
            source: match &t.source {
                TimeSource::TransparencyLog { entry } => {
                    TimeSourceView::TransparencyLog { entry: *entry }
                }
                TimeSource::Timestamp { index, authority } => TimeSourceView::Timestamp {
                    index: *index,
                    authority: authority.as_deref(),
                },
            },
        })
        .collect()
}

/// What verification established: `{manifest, signer, warnings, legacyPae}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationView<'a> {
    manifest: ManifestView<'a>,
    signer: SignerView<'a>,
    warnings: Vec<String>,
    legacy_pae: bool,
}

impl<'a> From<&'a VerifiedSignature> for VerificationView<'a> {
    fn from(v: &'a VerifiedSignature) -> Self {
        Self {
            manifest: ManifestView::from(&v.signed),
            signer: SignerView::from(&v.signer),
            warnings: v.warnings.iter().map(ToString::to_string).collect(),
            legacy_pae: v.legacy_pae,
        }
    }
}

/// What a bundle holds, unverified: `{mediaType, material}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleSummary<'a> {
    media_type: &'a str,
    material: &'static str,
}

impl<'a> From<&'a Bundle> for BundleSummary<'a> {
    fn from(b: &'a Bundle) -> Self {
        Self {
            media_type: &b.media_type,
            material: match b.verification_material {
                VerificationMaterial::PublicKey { .. } => "publicKey",
                VerificationMaterial::X509CertificateChain(_) => "x509CertificateChain",
                VerificationMaterial::Certificate(_) => "certificate",
            },
        }
    }
}

/// One item as a hasher produced it: `{start, end, algorithm, digest}`.
#[derive(Serialize, Deserialize)]
pub struct ItemView {
    /// First byte (shards), or null.
    #[serde(default)]
    pub start: Option<u64>,
    /// End, exclusive (shards), or null.
    #[serde(default)]
    pub end: Option<u64>,
    /// The recorded algorithm name.
    pub algorithm: String,
    /// Lowercase hex.
    pub digest: String,
}

impl ItemView {
    /// The items of one file as views.
    pub fn list(items: &[(ResourceKey, Digest)]) -> Vec<Self> {
        items
            .iter()
            .map(|(k, d)| {
                let (start, end) = match k {
                    ResourceKey::File(_) => (None, None),
                    ResourceKey::Shard { start, end, .. } => (Some(*start), Some(*end)),
                };
                Self {
                    start,
                    end,
                    algorithm: d.algorithm.clone(),
                    digest: d.hex(),
                }
            })
            .collect()
    }

    /// Back into manifest items of `path`.
    pub fn into_items(
        list: Vec<Self>,
        serialization: &Serialization,
        path: &ModelPath,
    ) -> Result<Vec<(ResourceKey, Digest)>, ApiError> {
        list.into_iter()
            .map(|i| {
                let digest = unhex(&i.digest)
                    .ok_or_else(|| invalid("an item's digest must be hexadecimal"))?;
                Ok((
                    serialization.key(path, i.start.unwrap_or_default(), i.end.unwrap_or_default()),
                    Digest::new(i.algorithm, digest),
                ))
            })
            .collect()
    }
}

/// One file's verdict: `{path, status, differences?}`.
#[derive(Serialize)]
pub struct FileReportView<'a> {
    path: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    differences: Option<Vec<DifferenceView<'a>>>,
}

/// A changed item: `{name, expected, actual}` (digests as `algorithm:hex`).
#[derive(Serialize)]
pub struct DifferenceView<'a> {
    name: &'a str,
    expected: Option<&'a str>,
    actual: Option<&'a str>,
}

impl<'a> From<&'a FileReport> for FileReportView<'a> {
    fn from(f: &'a FileReport) -> Self {
        Self {
            path: &f.path,
            status: f.status.name(),
            differences: (f.status == FileStatus::Changed).then(|| {
                f.differences
                    .iter()
                    .map(|d| DifferenceView {
                        name: &d.name,
                        expected: d.expected.as_deref(),
                        actual: d.actual.as_deref(),
                    })
                    .collect()
            }),
        }
    }
}

/// A model check's outcome: `{verified, complete, files, messages, error}`.
#[derive(Serialize)]
pub struct ReportView<'a> {
    verified: bool,
    complete: bool,
    files: Vec<FileReportView<'a>>,
    messages: &'a [String],
    error: Option<&'a str>,
}

impl<'a> From<&'a Report> for ReportView<'a> {
    fn from(r: &'a Report) -> Self {
        Self {
            verified: r.verified,
            complete: r.complete,
            files: r.files.iter().map(FileReportView::from).collect(),
            messages: &r.messages,
            error: r.error.as_deref(),
        }
    }
}

/// A file to hash: `{index, path, size}`.
#[derive(Serialize)]
pub struct JobView<'a> {
    index: usize,
    path: &'a str,
    size: Option<u64>,
}

/// A check's plan: `{serialization, jobs, mismatch}`.
#[derive(Serialize)]
pub struct PlanView<'a> {
    serialization: SerializationView,
    jobs: Vec<JobView<'a>>,
    mismatch: bool,
}

impl<'a> PlanView<'a> {
    /// The plan of a check: how to hash, what, and whether it already fails.
    pub fn new(serialization: &Serialization, jobs: &'a [HashJob], mismatch: bool) -> Self {
        Self {
            serialization: SerializationView::from(serialization),
            jobs: jobs
                .iter()
                .map(|j| JobView {
                    index: j.index,
                    path: j.path.as_str(),
                    size: j.size,
                })
                .collect(),
            mismatch,
        }
    }
}

// ---------------------------------------------------------------------------- requests

/// A serialization as callers give it: `{"method", "hashAlgorithm", "shardSize"}`, with
/// the CLI's defaults (files, sha256, 10^9-byte shards); `blake2` and `blake2b` both
/// name BLAKE2b.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SerializationSpec {
    /// `files` or `shards`.
    #[serde(default)]
    pub method: Option<String>,
    /// `sha256`, `blake2`, `blake2b` or `blake3`.
    #[serde(default)]
    pub hash_algorithm: Option<String>,
    /// Bytes per shard.
    #[serde(default)]
    pub shard_size: Option<u64>,
}

impl SerializationSpec {
    fn algorithm(&self) -> Result<HashAlgorithm, ApiError> {
        self.hash_algorithm
            .as_deref()
            .unwrap_or("sha256")
            .parse()
            .map_err(|e: crate::hashing::UnknownHashAlgorithm| invalid(e.to_string()))
    }

    /// The serialization exactly as described (BLAKE3 with shards is kept: this hashes
    /// what a signature says).
    pub fn exact(&self) -> Result<Serialization, ApiError> {
        let algorithm = self.algorithm()?;
        match self.method.as_deref().unwrap_or("files") {
            "files" => Ok(Serialization::files(algorithm)),
            "shards" => {
                let shard_size = self.shard_size.unwrap_or(DEFAULT_SHARD_SIZE);
                if shard_size == 0 {
                    return Err(invalid("'shardSize' must be greater than zero"));
                }
                Ok(Serialization::Shards {
                    algorithm,
                    shard_size,
                })
            }
            other => Err(invalid(alloc::format!(
                "unknown serialization method '{other}' (expected files or shards)"
            ))),
        }
    }

    /// The serialization a signer uses for this description (BLAKE3 with shards
    /// becomes the file method, as in the reference).
    pub fn for_signing(&self) -> Result<Serialization, ApiError> {
        match self.exact()? {
            Serialization::Shards {
                algorithm,
                shard_size,
            } => Serialization::shards(algorithm, shard_size)
                .ok_or_else(|| invalid("'shardSize' must be greater than zero")),
            files => Ok(files),
        }
    }
}

/// Check options as callers give them: `{ignorePaths, ignoreGitPaths,
/// ignoreUnsignedFiles, signaturePath, modelName, singleFile}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOptionsSpec {
    /// More paths to ignore.
    #[serde(default)]
    pub ignore_paths: Option<Vec<String>>,
    /// Ignore the top-level git names (default true).
    #[serde(default)]
    pub ignore_git_paths: Option<bool>,
    /// Tolerate unsigned files (default false).
    #[serde(default)]
    pub ignore_unsigned_files: Option<bool>,
    /// Where the signature lies inside the model.
    #[serde(default)]
    pub signature_path: Option<String>,
    /// The model's name in messages.
    #[serde(default)]
    pub model_name: Option<String>,
    /// The model is one file.
    #[serde(default)]
    pub single_file: Option<bool>,
}

impl From<CheckOptionsSpec> for CheckOptions {
    fn from(o: CheckOptionsSpec) -> Self {
        let defaults = CheckOptions::default();
        CheckOptions {
            ignore_paths: o.ignore_paths.unwrap_or_default(),
            ignore_git_paths: o.ignore_git_paths.unwrap_or(defaults.ignore_git_paths),
            ignore_unsigned_files: o
                .ignore_unsigned_files
                .unwrap_or(defaults.ignore_unsigned_files),
            signature_path: o.signature_path,
            model_name: o.model_name.unwrap_or_default(),
            single_file: o.single_file.unwrap_or(defaults.single_file),
            ..defaults
        }
    }
}

/// A file of a model: `{path, size}`.
#[derive(Clone, Debug, Deserialize)]
pub struct FileSpec {
    /// Relative path (or the file's name for a single-file model).
    pub path: String,
    /// Length, when known.
    #[serde(default)]
    pub size: Option<u64>,
}

impl From<FileSpec> for InputFile {
    fn from(f: FileSpec) -> Self {
        InputFile {
            path: f.path,
            size: f.size,
        }
    }
}

/// One resource of a manifest to sign: `{name, algorithm, digest}`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceSpec {
    /// `path`, or `path:start:end` for shards.
    pub name: String,
    /// The recorded algorithm (`sha256`, `sha256-sharded-1000`).
    pub algorithm: String,
    /// Hex.
    pub digest: String,
}

/// A manifest computed elsewhere (a browser) to be signed: `{serialization,
/// allowSymlinks, ignorePaths, resources}`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ManifestSpec {
    /// How it was hashed.
    pub serialization: SerializationSpec,
    /// Whether symlinks were followed.
    #[serde(default)]
    pub allow_symlinks: bool,
    /// What was left out, relative to the model.
    #[serde(default)]
    pub ignore_paths: Vec<String>,
    /// Every item.
    pub resources: Vec<ResourceSpec>,
}

/// A manifest that passed every check of [`ManifestSpec::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedManifest {
    /// How it was hashed.
    pub serialization: Serialization,
    /// The items.
    pub manifest: Manifest,
    /// Whether symlinks were followed.
    pub allow_symlinks: bool,
    /// What was left out, as a statement records it (canonical, sorted).
    pub ignore_paths: Vec<String>,
}

impl ManifestSpec {
    /// Checks everything a signature will vouch for: a serialization this signer
    /// writes, canonical and unique resource names, the serialization's algorithm and
    /// digest length, shards cut where the shard size cuts them, canonical ignore paths.
    pub fn validate(&self) -> Result<ValidatedManifest, ApiError> {
        let serialization = self.serialization.for_signing().map_err(|e| {
            ApiError::new(ErrorCode::InvalidManifest, e.message).with_reason("serialization")
        })?;
        let manifest = Manifest::from_resources(
            &serialization,
            self.resources
                .iter()
                .map(|r| (r.name.as_str(), r.algorithm.as_str(), r.digest.as_str())),
        )?;
        let mut ignore_paths = Vec::with_capacity(self.ignore_paths.len());
        for p in &self.ignore_paths {
            let path = crate::manifest::check_resource_path(p)?;
            if path.is_root() {
                return Err(ApiError::new(
                    ErrorCode::InvalidManifest,
                    "an ignore path cannot be the whole model",
                )
                .with_reason("invalid_name"));
            }
            ignore_paths.push(path.to_string());
        }
        ignore_paths.sort();
        ignore_paths.dedup();
        Ok(ValidatedManifest {
            serialization,
            manifest,
            allow_symlinks: self.allow_symlinks,
            ignore_paths,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serialization::FileHasher;

    #[test]
    fn serialization_and_items_round_trip() {
        for s in [
            Serialization::files(HashAlgorithm::Blake2b),
            Serialization::shards(HashAlgorithm::Sha256, 64).unwrap(),
        ] {
            let text = to_json(&SerializationView::from(&s));
            let spec: SerializationSpec = from_json(&text, "the serialization").unwrap();
            assert_eq!(spec.exact().unwrap(), s);
            let mut h = FileHasher::new(s, ModelPath::new("f"), None);
            h.update(&[7u8; 200]);
            let items = h.finish().unwrap();
            let json = to_json(&ItemView::list(&items));
            let back: Vec<ItemView> = from_json(&json, "the items").unwrap();
            assert_eq!(
                ItemView::into_items(back, &s, &ModelPath::new("f")).unwrap(),
                items
            );
        }
        let spec: SerializationSpec = from_json(r#"{"method": "tar"}"#, "x").unwrap();
        assert_eq!(spec.exact().unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(
            from_json::<SerializationSpec>(r#"{"shardSize": -1}"#, "x")
                .unwrap_err()
                .code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn manifests_to_sign_are_validated() {
        let d = "00".repeat(32);
        let text = alloc::format!(
            r#"{{"serialization": {{"method": "files", "hashAlgorithm": "sha256"}}, "ignorePaths": ["b", ".git", "b"], "resources": [{{"name": "a", "algorithm": "sha256", "digest": "{d}"}}]}}"#
        );
        let spec: ManifestSpec = from_json(&text, "the manifest").unwrap();
        let v = spec.validate().unwrap();
        assert_eq!(v.manifest.len(), 1);
        assert_eq!(v.ignore_paths, [".git", "b"]);
        let bad = text.replace("\"a\"", "\"../a\"");
        let e = from_json::<ManifestSpec>(&bad, "m")
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(
            (e.code, e.reason),
            (ErrorCode::InvalidManifest, "invalid_name")
        );
        let bad = text.replace("\"b\", ", "\"/etc\", ");
        let e = from_json::<ManifestSpec>(&bad, "m")
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e.reason, "invalid_name");
    }
}
