//! Stable error codes and the error every caller outside Rust sees.

use alloc::string::{String, ToString};

// utoipa's derive writes std's prelude names; core has no std prelude.
#[cfg(feature = "openapi")]
#[allow(unused_imports)]
use std::{borrow::ToOwned, boxed::Box, format, vec, vec::Vec};

use serde::Serialize;

use crate::bundle::BundleError;
use crate::certificate::CertificateError;
use crate::keys::KeyError;
use crate::manifest::ManifestError;
use crate::model_check::ModelCheckError;
use crate::signing::SignError;
use crate::sigstore::{SigstoreError, TrustRootError};
use crate::statement::StatementError;
use crate::verify::VerifyError;

/// A stable error code. The wasm package's `ModelSigningError.code` and the signing
/// daemon's error answers use exactly these; the text of a code never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// An argument is missing or has the wrong shape.
    InvalidArgument,
    /// A verification policy is malformed (no key, chain or identity; empty identity).
    InvalidPolicy,
    /// A public or private key cannot be used.
    InvalidKey,
    /// A certificate cannot be parsed.
    InvalidCertificate,
    /// A trusted root or client trust configuration is invalid.
    InvalidTrustRoot,
    /// The bundle (signature file) is malformed or of an unsupported media type.
    InvalidBundle,
    /// The bundle holds another kind of material than the policy verifies.
    WrongMaterial,
    /// The bundle names another public key than the policy's.
    KeyMismatch,
    /// The signature does not verify.
    SignatureInvalid,
    /// The certificate chain does not lead to a trusted certificate (`reason`
    /// `at_timestamp`: not at the signing time an RFC 3161 timestamp proves).
    CertificateUntrusted,
    /// An RFC 3161 timestamp of a key or certificate signature does not verify against
    /// the given timestamp authorities (`reason` `missing`: there is none to check).
    TimestampInvalid,
    /// The Sigstore certificate is for another identity or issuer.
    IdentityMismatch,
    /// Another Sigstore check failed (`reason`: tlog, time, certificate, sct, content).
    SigstoreVerificationFailed,
    /// The signed in-toto statement is malformed or inconsistent.
    InvalidStatement,
    /// The signature uses a hashing configuration this implementation does not know.
    UnsupportedSerialization,
    /// The signature was made with other hashing settings than the caller insists on.
    HashingMismatch,
    /// The signature lists no file, so it vouches for nothing.
    EmptySignature,
    /// The model differs from what was signed.
    ModelMismatch,
    /// A manifest given to be signed is not acceptable (`reason` says why).
    InvalidManifest,
    /// A model on disk cannot be read or walked (a symlink, a special file, a name that
    /// is not UTF-8, an I/O error).
    InvalidModel,
    /// Signing failed (a device, a service, a key that does not fit).
    SigningFailed,
    /// A URL could not be fetched (JavaScript only; `reason` is `http_<status>` for an
    /// HTTP status).
    FetchFailed,
    /// Reading a file's content failed midway (JavaScript only).
    ReadFailed,
    /// A file's content was not as long as announced.
    SizeMismatch,
    /// The caller aborted (JavaScript only).
    Aborted,
    /// The wasm module could not be loaded (JavaScript only).
    WasmLoadFailed,
    /// A hashing worker failed (JavaScript only).
    WorkerFailed,
    /// The request's `Host` is not the daemon's own (DNS rebinding).
    MisdirectedHost,
    /// The request's `Origin` may not use the daemon.
    OriginNotAllowed,
    /// A state-changing request that is not `application/json`.
    UnsupportedMediaType,
    /// No valid token for the request's origin.
    Unauthorized,
    /// The request body is larger than the daemon accepts.
    BodyTooLarge,
    /// Too many requests from one origin.
    RateLimited,
    /// A pairing code that is not the one the daemon shows.
    PairingCodeInvalid,
    /// A pairing that expired, was used or was voided by wrong codes.
    PairingExpired,
    /// No signer with that id.
    UnknownSigner,
    /// The user denied the signature.
    ApprovalDenied,
    /// Nobody decided in time.
    ApprovalTimeout,
    /// No such resource or route.
    NotFound,
    /// A bug: please report it.
    Internal,
}

impl ErrorCode {
    /// The code as text (`INVALID_BUNDLE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::InvalidPolicy => "INVALID_POLICY",
            Self::InvalidKey => "INVALID_KEY",
            Self::InvalidCertificate => "INVALID_CERTIFICATE",
            Self::TimestampInvalid => "TIMESTAMP_INVALID",
            Self::InvalidTrustRoot => "INVALID_TRUST_ROOT",
            Self::InvalidBundle => "INVALID_BUNDLE",
            Self::WrongMaterial => "WRONG_MATERIAL",
            Self::KeyMismatch => "KEY_MISMATCH",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::CertificateUntrusted => "CERTIFICATE_UNTRUSTED",
            Self::IdentityMismatch => "IDENTITY_MISMATCH",
            Self::SigstoreVerificationFailed => "SIGSTORE_VERIFICATION_FAILED",
            Self::InvalidStatement => "INVALID_STATEMENT",
            Self::UnsupportedSerialization => "UNSUPPORTED_SERIALIZATION",
            Self::HashingMismatch => "HASHING_MISMATCH",
            Self::EmptySignature => "EMPTY_SIGNATURE",
            Self::ModelMismatch => "MODEL_MISMATCH",
            Self::InvalidManifest => "INVALID_MANIFEST",
            Self::InvalidModel => "INVALID_MODEL",
            Self::SigningFailed => "SIGNING_FAILED",
            Self::FetchFailed => "FETCH_FAILED",
            Self::ReadFailed => "READ_FAILED",
            Self::SizeMismatch => "SIZE_MISMATCH",
            Self::Aborted => "ABORTED",
            Self::WasmLoadFailed => "WASM_LOAD_FAILED",
            Self::WorkerFailed => "WORKER_FAILED",
            Self::MisdirectedHost => "MISDIRECTED_HOST",
            Self::OriginNotAllowed => "ORIGIN_NOT_ALLOWED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::BodyTooLarge => "BODY_TOO_LARGE",
            Self::RateLimited => "RATE_LIMITED",
            Self::PairingCodeInvalid => "PAIRING_CODE_INVALID",
            Self::PairingExpired => "PAIRING_EXPIRED",
            Self::UnknownSigner => "UNKNOWN_SIGNER",
            Self::ApprovalDenied => "APPROVAL_DENIED",
            Self::ApprovalTimeout => "APPROVAL_TIMEOUT",
            Self::NotFound => "NOT_FOUND",
            Self::Internal => "INTERNAL",
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as JavaScript and HTTP callers see it: a stable [`ErrorCode`], a finer and
/// also stable `reason` inside some codes (empty otherwise), and the message, which is
/// the library's own text (never a command-line flag).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// A finer distinction (`tlog`, `media_type`, `duplicate_resource`), or empty.
    pub reason: &'static str,
    /// Human-readable text.
    pub message: String,
}

impl ApiError {
    /// An error with `code` and `message` and no finer reason.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: "",
            message: message.into(),
        }
    }

    /// The same error with a finer reason.
    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = reason;
        self
    }

    /// `{"code", "reason", "message"}` as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            // Serializing plain strings cannot fail; keep a valid answer regardless.
            String::from(r#"{"code":"INTERNAL","reason":"","message":"error"}"#)
        })
    }
}

impl core::fmt::Display for ApiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

// The matches below are exhaustive on purpose: a failure added to core must be given
// a code here, or core does not compile.

impl From<BundleError> for ApiError {
    fn from(e: BundleError) -> Self {
        let reason = match &e {
            BundleError::InvalidJson(_) => "json",
            BundleError::TooLarge(_) => "too_large",
            BundleError::UnknownMediaType(_) => "media_type",
            BundleError::TooManyTlogEntries(_)
            | BundleError::DuplicateTlogEntry { .. }
            | BundleError::TlogEntry { .. }
            | BundleError::TooManyTimestamps(_)
            | BundleError::DuplicateTimestamp { .. } => "sigstore_structure",
            BundleError::Field(_)
            | BundleError::MessageSignature
            | BundleError::AmbiguousMaterial
            | BundleError::AmbiguousContent => "",
        };
        Self::new(ErrorCode::InvalidBundle, e.to_string()).with_reason(reason)
    }
}

impl From<KeyError> for ApiError {
    fn from(e: KeyError) -> Self {
        Self::new(ErrorCode::InvalidKey, e.to_string())
    }
}

impl From<TrustRootError> for ApiError {
    fn from(e: TrustRootError) -> Self {
        Self::new(ErrorCode::InvalidTrustRoot, e.to_string())
    }
}

impl From<CertificateError> for ApiError {
    fn from(e: CertificateError) -> Self {
        Self::new(ErrorCode::InvalidCertificate, e.to_string())
    }
}

impl From<StatementError> for ApiError {
    fn from(e: StatementError) -> Self {
        Self::new(ErrorCode::InvalidStatement, e.to_string())
    }
}

impl From<ManifestError> for ApiError {
    fn from(e: ManifestError) -> Self {
        let reason = match &e {
            ManifestError::Empty => "empty",
            ManifestError::TooMany => "too_many_resources",
            ManifestError::InvalidName { .. } => "invalid_name",
            ManifestError::InvalidShard(_) => "invalid_shard",
            ManifestError::Duplicate(_) => "duplicate_resource",
            ManifestError::WrongAlgorithm { .. } => "wrong_algorithm",
            ManifestError::DigestNotHex(_) | ManifestError::DigestLength { .. } => "invalid_digest",
        };
        Self::new(ErrorCode::InvalidManifest, e.to_string()).with_reason(reason)
    }
}

impl From<SignError> for ApiError {
    fn from(e: SignError) -> Self {
        let code = match &e {
            SignError::CertificateKeyMismatch | SignError::Certificate(_) => {
                ErrorCode::InvalidCertificate
            }
            SignError::SelfCheckFailed | SignError::Backend(_) => ErrorCode::SigningFailed,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ModelCheckError> for ApiError {
    fn from(e: ModelCheckError) -> Self {
        let code = match &e {
            ModelCheckError::UnsupportedSerialization(_) => ErrorCode::UnsupportedSerialization,
            ModelCheckError::SerializationMismatch { .. } => ErrorCode::HashingMismatch,
            ModelCheckError::EmptySignature => ErrorCode::EmptySignature,
            ModelCheckError::SingleFileCount(_)
            | ModelCheckError::PathOutsideModel(_)
            | ModelCheckError::DuplicateFile(_)
            | ModelCheckError::NotPending(_) => ErrorCode::InvalidArgument,
        };
        Self::new(code, e.to_string())
    }
}

/// The code and reason of a failed Sigstore check: one per group of variants.
fn sigstore_code(e: &SigstoreError) -> (ErrorCode, &'static str) {
    use ErrorCode as C;
    use SigstoreError as S;
    match e {
        S::Bundle(_)
        | S::EmptyCertificateChain
        | S::CertificateChainInV03
        | S::DsseSignatureCount(_) => (C::InvalidBundle, "sigstore_structure"),
        S::WrongMaterial { .. } => (C::WrongMaterial, ""),
        S::NoTlogEntries | S::TransparencyLog { .. } => (C::SigstoreVerificationFailed, "tlog"),
        S::TimestampsWithoutAuthority
        | S::NoVerifiedTime
        | S::Timestamp { .. }
        | S::TimeInFuture { .. } => (C::SigstoreVerificationFailed, "time"),
        S::InvalidCertificate(_)
        | S::UnsupportedSignerKey(_)
        | S::CertificateNotYetValid { .. }
        | S::CertificateExpired { .. }
        | S::UntrustedCertificate { .. }
        | S::NoCertificateAuthorityAt(_)
        | S::LeafKeyUsage
        | S::LeafExtendedKeyUsage => (C::SigstoreVerificationFailed, "certificate"),
        S::Sct(_) => (C::SigstoreVerificationFailed, "sct"),
        S::Identity(_) => (C::IdentityMismatch, ""),
        S::Signature(_) => (C::SignatureInvalid, ""),
        S::MessageDigestMismatch
        | S::ArtifactRequired
        | S::DigestUnavailable(_)
        | S::PayloadType(_)
        | S::InvalidStatement(_)
        | S::SubjectMismatch => (C::SigstoreVerificationFailed, "content"),
    }
}

impl From<SigstoreError> for ApiError {
    fn from(e: SigstoreError) -> Self {
        let (code, reason) = sigstore_code(&e);
        Self::new(code, e.to_string()).with_reason(reason)
    }
}

impl From<VerifyError> for ApiError {
    fn from(e: VerifyError) -> Self {
        use ErrorCode as C;
        let (code, reason) = match &e {
            VerifyError::WrongMaterial { .. } => (C::WrongMaterial, ""),
            VerifyError::MediaType(_) => (C::InvalidBundle, "media_type"),
            VerifyError::KeyMismatch => (C::KeyMismatch, ""),
            VerifyError::SignatureCount(_) => (C::InvalidBundle, "signature_count"),
            VerifyError::MessageSignature => (C::InvalidBundle, "message_signature"),
            VerifyError::BadSignature(_) => (C::SignatureInvalid, ""),
            VerifyError::PayloadType(_) => (C::InvalidStatement, "payload_type"),
            VerifyError::Certificate(_) => (C::CertificateUntrusted, ""),
            VerifyError::Statement(_) => (C::InvalidStatement, ""),
            VerifyError::Sigstore(s) => sigstore_code(s),
            VerifyError::ManifestMismatch(_) => (C::ModelMismatch, ""),
            VerifyError::NoTimestamp => (C::TimestampInvalid, "missing"),
            VerifyError::Timestamp { .. } => (C::TimestampInvalid, ""),
            VerifyError::CertificateAtTimestamp { .. } => (C::CertificateUntrusted, "at_timestamp"),
        };
        Self::new(code, e.to_string()).with_reason(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::ModelPath;

    #[test]
    fn json_shape() {
        let e = ApiError::new(ErrorCode::InvalidBundle, "bad \"x\"").with_reason("media_type");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "INVALID_BUNDLE");
        assert_eq!(v["reason"], "media_type");
        assert_eq!(v["message"], "bad \"x\"");
        // The serialized code is the documented text of every code.
        for code in [
            ErrorCode::SigstoreVerificationFailed,
            ErrorCode::PairingCodeInvalid,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
    }

    #[test]
    fn model_check_errors_keep_their_codes_and_text() {
        for (e, code, message) in [
            (
                ModelCheckError::UnsupportedSerialization(crate::hashing::UnknownHashAlgorithm(
                    "md5".into(),
                )),
                ErrorCode::UnsupportedSerialization,
                "the signature uses an unsupported hashing configuration: unsupported hash algorithm 'md5' (expected sha256, blake2 or blake3)",
            ),
            (
                ModelCheckError::EmptySignature,
                ErrorCode::EmptySignature,
                "the signature covers no files, so it cannot vouch for this model",
            ),
            (
                ModelCheckError::SingleFileCount(2),
                ErrorCode::InvalidArgument,
                "a single-file model is one file, 2 were given",
            ),
            (
                ModelCheckError::PathOutsideModel("../a".into()),
                ErrorCode::InvalidArgument,
                "'../a' is not a path inside the model",
            ),
            (
                ModelCheckError::DuplicateFile(ModelPath::new("a/b")),
                ErrorCode::InvalidArgument,
                "the file 'a/b' is given twice",
            ),
            (
                ModelCheckError::NotPending(ModelPath::new("a")),
                ErrorCode::InvalidArgument,
                "'a' is not a file waiting to be hashed",
            ),
        ] {
            let api = ApiError::from(e);
            assert_eq!((api.code, api.reason, api.message.as_str()), (code, "", message));
        }
    }

    #[test]
    fn verify_errors_keep_core_text() {
        let e: ApiError = VerifyError::KeyMismatch.into();
        assert_eq!(e.code, ErrorCode::KeyMismatch);
        assert_eq!(e.message, VerifyError::KeyMismatch.to_string());
    }
}
