//! Sigstore verification: keyless (Fulcio certificate + Rekor + timestamps) and
//! managed-key bundles, without a clock, I/O or `std`.
//!
//! [`verify`] takes a parsed bundle, a [`TrustedRoot`], a [`Policy`] and what the
//! signature is about ([`Artifact`]) and follows the step order the reference clients
//! share (see `verifier.rs` for each step and the strict choice made where clients
//! differ):
//!
//! 1. bundle structure (material, entries, timestamps; the media type and limits are
//!    checked when [`crate::bundle::Bundle`] reads it);
//! 2. each transparency-log entry: the log by ID, its signed entry timestamp (SET), its
//!    inclusion proof and signed checkpoint ([`tlog`], [`merkle`], [`checkpoint`]);
//! 3. RFC 3161 timestamps ([`timestamp`]); verified times come only from SETs and
//!    timestamps, at least one is required, and the current time is never used;
//! 4. the Fulcio certificate at every verified time: path to a certificate authority of
//!    the trusted root, validity, SCT ([`sct`]), usage, and the identity policy
//!    ([`identity`]);
//! 5. the signature over the DSSE PAE or the artifact digest;
//! 6. every log entry's body against the bundle;
//! 7. the artifact against the message digest or the in-toto subjects.
//!
//! Each failing check has its own error variant ([`SigstoreError`] and the nested
//! enums), and [`VerifiedBundle`] lists the checks that passed, the identity and the
//! verified times.
//!
//! For signing, [`requests`] builds what a keyless signer sends to Fulcio (the PKCS #10
//! request) and to a timestamp authority (the RFC 3161 request), and reads the status of
//! the authority's answer.

pub(crate) mod asn1;
pub mod checkpoint;
pub mod identity;
pub mod merkle;
pub mod requests;
pub mod sct;
pub mod time;
pub mod timestamp;
pub mod tlog;
pub mod trust_root;
pub mod verifier;

use alloc::string::String;

use crate::keys::CryptoError;
pub use identity::{IdentityError, IdentityPolicy, Matcher, SubjectName};
pub use sct::SctError;
pub use time::{TimeSource, UnixTime, VerifiedTime};
pub use timestamp::TimestampError;
pub use tlog::{BodyError, TlogError};
pub use trust_root::{ClientTrustConfig, SigningConfig, TrustRootError, TrustedRoot};
pub use verifier::{
    verify, verify_at, verify_json, Artifact, Check, Policy, VerifiedBundle, CLOCK_SKEW_SECS,
};

use crate::certificate::CertificateError;

/// Why a Sigstore bundle did not verify: one variant per check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigstoreError {
    /// The bundle cannot be read (only from [`verify_json`]).
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    /// The bundle's material does not fit the policy (a key bundle checked for an
    /// identity, or the reverse).
    #[error("the bundle is signed with {found}, but verification expects {expected}")]
    WrongMaterial {
        /// What the policy needs.
        expected: &'static str,
        /// What the bundle holds.
        found: &'static str,
    },
    /// An empty `x509CertificateChain`.
    #[error("the bundle's certificate chain is empty")]
    EmptyCertificateChain,
    /// A v0.3 bundle with `x509CertificateChain` instead of `certificate`.
    #[error("a v0.3 bundle must carry a single certificate, not a certificate chain")]
    CertificateChainInV03,
    /// No transparency-log entry.
    #[error("the bundle has no transparency log entry")]
    NoTlogEntries,
    /// A DSSE envelope without exactly one signature.
    #[error("the DSSE envelope must have exactly one signature, it has {0}")]
    DsseSignatureCount(usize),
    /// A transparency-log entry failed a check.
    #[error("transparency log entry #{entry}: {error}")]
    TransparencyLog {
        /// Its position in the bundle.
        entry: usize,
        /// The failed check.
        error: TlogError,
    },
    /// The bundle has timestamps but the trusted root has no timestamp authority (as
    /// sigstore-python, this is an error rather than silently ignoring them).
    #[error("the bundle has RFC 3161 timestamps, but the trusted root has no timestamp authority")]
    TimestampsWithoutAuthority,
    /// No verified time at all: no SET-backed log entry and no timestamp.
    #[error("the bundle has no verified time (no signed entry timestamp and no RFC 3161 timestamp): it cannot be verified without trusting the current time, which is never done")]
    NoVerifiedTime,
    /// No verified time because the bundle's timestamps were rejected (the first
    /// rejection is reported).
    #[error("the bundle has no verified time: RFC 3161 timestamp #{index} was rejected: {error}")]
    Timestamp {
        /// Its position.
        index: usize,
        /// Why.
        error: TimestampError,
    },
    /// The leaf certificate cannot be decoded.
    #[error("the signing certificate is not a valid X.509 certificate ({0})")]
    InvalidCertificate(String),
    /// The leaf's key cannot verify signatures.
    #[error("the signing certificate's key cannot be used: {0}")]
    UnsupportedSignerKey(CryptoError),
    /// A verified time (a log's `integratedTime`, a timestamp's `genTime`) lies after
    /// the verifier's clock: the log or the authority misbehaves, or the clock is wrong.
    #[error("the verified time {time} from {} is after the current time {now}; check this machine's clock", describe_source(.from))]
    TimeInFuture {
        /// Where the time comes from.
        from: TimeSource,
        /// The time.
        time: UnixTime,
        /// The verifier's current time.
        now: UnixTime,
    },
    /// The leaf was not yet valid at a verified time.
    #[error("the signing certificate was not yet valid at the verified time {at} (valid from {not_before})")]
    CertificateNotYetValid {
        /// notBefore.
        not_before: UnixTime,
        /// The verified time.
        at: UnixTime,
    },
    /// The leaf had expired at a verified time.
    #[error(
        "the signing certificate had expired at the verified time {at} (valid until {not_after})"
    )]
    CertificateExpired {
        /// notAfter.
        not_after: UnixTime,
        /// The verified time.
        at: UnixTime,
    },
    /// The leaf does not chain to a certificate authority of the trusted root at a
    /// verified time.
    #[error("the signing certificate does not chain to a certificate authority of the trusted root at {at}: {reason}")]
    UntrustedCertificate {
        /// The verified time.
        at: UnixTime,
        /// Why (for the authority that came closest).
        reason: CertificateError,
    },
    /// No certificate authority of the trusted root is valid (`validFor`) at a verified
    /// time.
    #[error("no certificate authority of the trusted root is valid at {0}")]
    NoCertificateAuthorityAt(UnixTime),
    /// The certificate's SCTs fail.
    #[error("{0}")]
    Sct(#[from] SctError),
    /// The leaf lacks KeyUsage digitalSignature.
    #[error("the signing certificate's KeyUsage does not allow digital signatures")]
    LeafKeyUsage,
    /// The leaf lacks ExtendedKeyUsage codeSigning.
    #[error("the signing certificate's ExtendedKeyUsage does not include code signing")]
    LeafExtendedKeyUsage,
    /// The identity policy rejects the certificate.
    #[error("{0}")]
    Identity(#[from] IdentityError),
    /// The signature over the content does not verify.
    #[error("the bundle's signature does not verify with the signer's key: {0}")]
    Signature(CryptoError),
    /// The bundle's `messageDigest` is not the artifact's digest.
    #[error("the bundle's message digest is not the artifact's digest")]
    MessageDigestMismatch,
    /// A message signature needs the artifact or its digest.
    #[error("a message signature can only be verified against an artifact or its digest")]
    ArtifactRequired,
    /// The artifact was given in a form the signature cannot be checked with.
    #[error("cannot check the signature with the artifact given: {0}")]
    DigestUnavailable(&'static str),
    /// The DSSE payload is not an in-toto statement (needed to match the artifact).
    #[error("the DSSE payload type is '{0}', not application/vnd.in-toto+json")]
    PayloadType(String),
    /// The in-toto statement is malformed.
    #[error("the DSSE payload is not a valid in-toto statement: {0}")]
    InvalidStatement(String),
    /// No in-toto subject has the artifact's digest.
    #[error("the artifact's digest is not among the in-toto statement's subjects")]
    SubjectMismatch,
}
#[cfg(test)]
mod tests;

/// How an error names where a verified time comes from.
fn describe_source(source: &TimeSource) -> String {
    match source {
        TimeSource::TransparencyLog { entry } => alloc::format!("transparency log entry #{entry}"),
        TimeSource::Timestamp { index, .. } => alloc::format!("RFC 3161 timestamp #{index}"),
    }
}
