//! Errors as the JavaScript side sees them: a stable `code`, a finer `reason` and the
//! message, which is core's own text (the same words the native CLI prints).

use model_signing_core::bundle::BundleError;
use model_signing_core::certificate::CertificateError;
use model_signing_core::keys::KeyError;
use model_signing_core::model_check::ModelCheckError;
use model_signing_core::sigstore::{SigstoreError, TrustRootError};
use model_signing_core::verify::VerifyError;
use serde_json::json;

/// An error with a stable code. The JavaScript wrapper turns it into a
/// `ModelSigningError` with the same `code`, `reason` and `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// Stable, documented code (`INVALID_BUNDLE`, `SIGNATURE_INVALID`, ...).
    pub code: &'static str,
    /// A finer, also stable, distinction inside the code (e.g. the Sigstore check that
    /// failed), or empty.
    pub reason: &'static str,
    /// Human-readable text.
    pub message: String,
}

impl ApiError {
    /// An error with `code` and `message` and no finer reason.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
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
        json!({ "code": self.code, "reason": self.reason, "message": self.message }).to_string()
    }
}

impl core::fmt::Display for ApiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<BundleError> for ApiError {
    fn from(e: BundleError) -> Self {
        Self::new("INVALID_BUNDLE", e.to_string())
    }
}

impl From<KeyError> for ApiError {
    fn from(e: KeyError) -> Self {
        Self::new("INVALID_KEY", e.to_string())
    }
}

impl From<TrustRootError> for ApiError {
    fn from(e: TrustRootError) -> Self {
        Self::new("INVALID_TRUST_ROOT", e.to_string())
    }
}

impl From<CertificateError> for ApiError {
    fn from(e: CertificateError) -> Self {
        Self::new("INVALID_CERTIFICATE", e.to_string())
    }
}

impl From<ModelCheckError> for ApiError {
    fn from(e: ModelCheckError) -> Self {
        use ModelCheckError as M;
        // Exhaustive, so that a new failure gets a code chosen for it.
        let code = match &e {
            M::UnsupportedSerialization(_) => "UNSUPPORTED_SERIALIZATION",
            M::EmptySignature => "EMPTY_SIGNATURE",
            M::SingleFileCount(_)
            | M::PathOutsideModel(_)
            | M::DuplicateFile(_)
            | M::NotPending(_) => "INVALID_ARGUMENT",
        };
        Self::new(code, e.to_string())
    }
}

/// The reason of a failed Sigstore check: one per group of [`SigstoreError`] variants.
fn sigstore_reason(e: &SigstoreError) -> (&'static str, &'static str) {
    use SigstoreError as S;
    match e {
        S::Bundle(_)
        | S::EmptyCertificateChain
        | S::CertificateChainInV03
        | S::DsseSignatureCount(_) => ("INVALID_BUNDLE", "sigstore_structure"),
        S::WrongMaterial { .. } => ("WRONG_MATERIAL", ""),
        S::NoTlogEntries | S::TransparencyLog { .. } => ("SIGSTORE_VERIFICATION_FAILED", "tlog"),
        S::TimestampsWithoutAuthority | S::NoVerifiedTime | S::Timestamp { .. } => {
            ("SIGSTORE_VERIFICATION_FAILED", "time")
        }
        S::InvalidCertificate(_)
        | S::UnsupportedSignerKey(_)
        | S::CertificateNotYetValid { .. }
        | S::CertificateExpired { .. }
        | S::UntrustedCertificate { .. }
        | S::NoCertificateAuthorityAt(_)
        | S::LeafKeyUsage
        | S::LeafExtendedKeyUsage => ("SIGSTORE_VERIFICATION_FAILED", "certificate"),
        S::Sct(_) => ("SIGSTORE_VERIFICATION_FAILED", "sct"),
        S::Identity(_) => ("IDENTITY_MISMATCH", ""),
        S::Signature(_) => ("SIGNATURE_INVALID", ""),
        // What the signature is about: message digest, payload type, in-toto
        // subjects (and any check added to core later).
        _ => ("SIGSTORE_VERIFICATION_FAILED", "content"),
    }
}

impl From<VerifyError> for ApiError {
    fn from(e: VerifyError) -> Self {
        let (code, reason) = match &e {
            VerifyError::WrongMaterial { .. } => ("WRONG_MATERIAL", ""),
            VerifyError::MediaType(_) => ("INVALID_BUNDLE", "media_type"),
            VerifyError::KeyMismatch => ("KEY_MISMATCH", ""),
            VerifyError::SignatureCount(_) => ("INVALID_BUNDLE", "signature_count"),
            VerifyError::MessageSignature => ("INVALID_BUNDLE", "message_signature"),
            VerifyError::BadSignature(_) => ("SIGNATURE_INVALID", ""),
            VerifyError::PayloadType(_) => ("INVALID_STATEMENT", "payload_type"),
            VerifyError::Certificate(_) => ("CERTIFICATE_UNTRUSTED", ""),
            VerifyError::Statement(_) => ("INVALID_STATEMENT", ""),
            VerifyError::Sigstore(s) => sigstore_reason(s),
            VerifyError::ManifestMismatch(_) => ("MODEL_MISMATCH", ""),
        };
        Self::new(code, e.to_string()).with_reason(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape() {
        let e = ApiError::new("INVALID_BUNDLE", "bad \"x\"").with_reason("media_type");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "INVALID_BUNDLE");
        assert_eq!(v["reason"], "media_type");
        assert_eq!(v["message"], "bad \"x\"");
    }

    #[test]
    fn model_check_errors_keep_their_codes_and_text() {
        use model_signing_core::identifier::ModelPath;
        for (e, code, message) in [
            (
                ModelCheckError::UnsupportedSerialization("unknown method 'tar'".into()),
                "UNSUPPORTED_SERIALIZATION",
                "the signature uses an unsupported hashing configuration: unknown method 'tar'",
            ),
            (
                ModelCheckError::EmptySignature,
                "EMPTY_SIGNATURE",
                "the signature covers no files, so it cannot vouch for this model",
            ),
            (
                ModelCheckError::SingleFileCount(2),
                "INVALID_ARGUMENT",
                "a single-file model is one file, 2 were given",
            ),
            (
                ModelCheckError::PathOutsideModel("../a".into()),
                "INVALID_ARGUMENT",
                "'../a' is not a path inside the model",
            ),
            (
                ModelCheckError::DuplicateFile(ModelPath::new("a/b")),
                "INVALID_ARGUMENT",
                "the file 'a/b' is given twice",
            ),
            (
                ModelCheckError::NotPending(ModelPath::new("a")),
                "INVALID_ARGUMENT",
                "'a' is not a file waiting to be hashed",
            ),
        ] {
            let api = ApiError::from(e);
            assert_eq!(
                (api.code, api.reason, api.message.as_str()),
                (code, "", message)
            );
        }
    }

    #[test]
    fn verify_errors_keep_core_text() {
        let e: ApiError = VerifyError::KeyMismatch.into();
        assert_eq!(e.code, "KEY_MISMATCH");
        assert_eq!(e.message, VerifyError::KeyMismatch.to_string());
    }
}
