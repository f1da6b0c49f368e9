//! The Sigstore bundle: the JSON document that carries a signature (`model.sig`), and
//! every other Sigstore bundle the verifier reads.
//!
//! One type, [`Bundle`], for bundle versions 0.1 to 0.3, whatever they carry: the
//! signer's material (a key hint, a certificate chain or a single certificate), the
//! transparency-log entries and RFC 3161 timestamps that keyless signatures add, and the
//! signed content (a DSSE envelope, as model signatures use, or a message signature).
//!
//! * Reading ([`Bundle::from_json`]) is lenient where the reference is: camelCase or
//!   snake_case names, `keyid` empty, null or absent, the legacy `publicKey {rawBytes}`,
//!   a missing `tlogEntries`, base64 read as Python reads it. Log entries and timestamps
//!   are read strictly, with count limits. [`Bundle::from_json_strict`] reads any
//!   Sigstore bundle as Sigstore clients do (proto3 JSON, strict base64, message
//!   signatures allowed).
//! * Writing ([`Bundle::to_json`]) is exactly the reference's layout: compact JSON,
//!   protobuf field order, no trailing newline.

use alloc::string::String;
use alloc::vec::Vec;

use crate::dsse::Envelope;
use crate::json::read::FieldError;
use crate::keys::SignatureHash;
use crate::sigstore::tlog::{TlogEntry, TlogError};

mod read;
mod write;

/// The media type written for every bundle.
pub const MEDIA_TYPE_V0_3: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Bundles may hold at most this many log entries, and at most this many timestamps
/// (sigstore-go's limits; sigstore-python's `MAX_ALLOWED_TIMESTAMP`): every entry and
/// timestamp costs signature checks, and a bundle is untrusted input.
pub const MAX_TLOG_ENTRIES: usize = 32;
/// The largest bundle read, in bytes: generous for real signatures (a manifest of a
/// hundred thousand files is about 15 MiB), and a bound on the memory and time a
/// hostile one can cost.
pub const MAX_BUNDLE_BYTES: usize = 64 << 20;
/// See [`MAX_TLOG_ENTRIES`].
pub const MAX_TIMESTAMPS: usize = 32;

/// The bundle format version, from the media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleVersion {
    /// `bundle+json;version=0.1`.
    V0_1,
    /// `bundle+json;version=0.2`.
    V0_2,
    /// `bundle+json;version=0.3` or `bundle.v0.3+json`.
    V0_3,
}

impl BundleVersion {
    /// The version of a bundle media type; anything else (including 0.4 and later,
    /// whose rules are unknown) is refused.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(Self::V0_1),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(Self::V0_2),
            "application/vnd.dev.sigstore.bundle+json;version=0.3" | MEDIA_TYPE_V0_3 => {
                Some(Self::V0_3)
            }
            _ => None,
        }
    }
}

/// What the bundle carries to identify the signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerificationMaterial {
    /// A public key the verifier must already have, identified by its hint (key and
    /// PKCS #11 key signatures).
    PublicKey {
        /// Hex SHA-256 of the key's PEM; `None` in bundles made before 1.1.
        hint: Option<String>,
        /// The legacy `rawBytes` (a PEM public key) of bundles made before 1.1.
        legacy_raw_bytes: Option<Vec<u8>>,
    },
    /// A certificate chain, leaf first, DER (certificate signatures; keyless v0.1/v0.2
    /// bundles).
    X509CertificateChain(Vec<Vec<u8>>),
    /// A single leaf certificate, DER (keyless v0.3 bundles).
    Certificate(Vec<u8>),
}

impl VerificationMaterial {
    /// The leaf certificate, if any.
    pub fn leaf(&self) -> Option<&[u8]> {
        match self {
            Self::PublicKey { .. } => None,
            Self::X509CertificateChain(c) => c.first().map(Vec::as_slice),
            Self::Certificate(c) => Some(c),
        }
    }
}

/// What the bundle signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A DSSE envelope (every model signature).
    Dsse(Envelope),
    /// A signature over an artifact (hashedrekord).
    MessageSignature {
        /// `messageDigest`: the signer's claim of the artifact's digest.
        digest: Option<(SignatureHash, Vec<u8>)>,
        /// The signature.
        signature: Vec<u8>,
    },
}

/// A bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The media type as written.
    pub media_type: String,
    /// Its version.
    pub version: BundleVersion,
    /// The signer.
    pub verification_material: VerificationMaterial,
    /// Transparency-log entries (keyless signatures).
    pub tlog_entries: Vec<TlogEntry>,
    /// RFC 3161 `signedTimestamp`s (DER `TimeStampResp`s).
    pub timestamps: Vec<Vec<u8>>,
    /// The signed content.
    pub content: Content,
}

/// Why a bundle could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Not JSON.
    #[error("the signature file is not valid JSON: {0}")]
    InvalidJson(String),
    /// Larger than [`MAX_BUNDLE_BYTES`].
    #[error("the signature is {0} bytes; bundles over 64 MiB are refused (model signatures are kilobytes to a few megabytes)")]
    TooLarge(u64),
    /// A field is missing or malformed.
    #[error("{}", .0.describe_in("the signature bundle"))]
    Field(FieldError),
    /// The media type is not a Sigstore bundle v0.1 to v0.3.
    #[error("invalid sigstore bundle, got media type '{0}' but expected {MEDIA_TYPE_V0_3}")]
    UnknownMediaType(String),
    /// A model signature that signs a message, not a DSSE envelope.
    #[error("the bundle holds a message signature; model signatures use a DSSE envelope")]
    MessageSignature,
    /// Not exactly one kind of verification material.
    #[error("the bundle must hold exactly one of publicKey, x509CertificateChain or certificate")]
    AmbiguousMaterial,
    /// Not exactly one of a DSSE envelope and a message signature.
    #[error("the bundle must hold exactly one of messageSignature and dsseEnvelope")]
    AmbiguousContent,
    /// More than [`MAX_TLOG_ENTRIES`] entries.
    #[error("the bundle has {0} transparency log entries; at most {MAX_TLOG_ENTRIES} are allowed")]
    TooManyTlogEntries(usize),
    /// The same log entry twice, which would count twice towards thresholds.
    #[error("transparency log entries #{first} and #{second} are the same entry")]
    DuplicateTlogEntry {
        /// The first occurrence.
        first: usize,
        /// The repetition.
        second: usize,
    },
    /// A log entry that cannot be read.
    #[error("transparency log entry #{entry}: {error}")]
    TlogEntry {
        /// Its position.
        entry: usize,
        /// Why.
        error: TlogError,
    },
    /// More than [`MAX_TIMESTAMPS`] timestamps.
    #[error("the bundle has {0} RFC 3161 timestamps; at most {MAX_TIMESTAMPS} are allowed")]
    TooManyTimestamps(usize),
    /// The same timestamp twice.
    #[error("RFC 3161 timestamps #{first} and #{second} are identical")]
    DuplicateTimestamp {
        /// The first occurrence.
        first: usize,
        /// The repetition.
        second: usize,
    },
}

// Not `#[from]`: the field error is part of this error's message, not a cause to print
// after it.
impl From<FieldError> for BundleError {
    fn from(e: FieldError) -> Self {
        Self::Field(e)
    }
}

impl Bundle {
    /// A v0.3 bundle of a DSSE envelope signed by `material`, with no log entry or
    /// timestamp yet.
    pub fn dsse(verification_material: VerificationMaterial, envelope: Envelope) -> Self {
        Self {
            media_type: MEDIA_TYPE_V0_3.into(),
            version: BundleVersion::V0_3,
            verification_material,
            tlog_entries: Vec::new(),
            timestamps: Vec::new(),
            content: Content::Dsse(envelope),
        }
    }

    /// The DSSE envelope, if the bundle signs one.
    pub fn envelope(&self) -> Option<&Envelope> {
        match &self.content {
            Content::Dsse(envelope) => Some(envelope),
            Content::MessageSignature { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests;
