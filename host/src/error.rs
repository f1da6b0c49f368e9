//! The library's error type: one variant per way an operation can fail, each naming the
//! file or field involved.

use std::path::PathBuf;

use model_signing_core::bundle::BundleError;
use model_signing_core::signing::SignError;
use model_signing_core::verify::VerifyError;

use model_signing_core::manifest::MAX_RESOURCES;
use model_signing_core::model_check::ModelCheckError;

use crate::display::shown;
use crate::hashing::HashError;
use crate::keyfile::KeyFileError;
use crate::walk::WalkError;

/// Why signing, verifying or hashing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The model could not be walked.
    #[error(transparent)]
    Walk(#[from] WalkError),
    /// A file could not be hashed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// A previous signature's digests cannot be reused (incremental re-signing).
    #[error(transparent)]
    Incremental(#[from] crate::hashing::IncrementalError),
    /// A key or certificate file is unusable.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// Nothing to sign after exclusions (OpenSSF Model Signing v1.0 requires at least one file).
    #[error("the model '{}' has no files to sign (after ignored paths are left out)", shown(.0))]
    EmptyModel(PathBuf),
    /// More items than a signature may list.
    #[error("the model '{}' has {items} items to sign; a signature lists at most {MAX_RESOURCES} (for shards, choose a larger --shard-size)", shown(.model))]
    TooManyResources {
        /// The model.
        model: PathBuf,
        /// Its files or shards.
        items: usize,
    },
    /// A shard size of zero.
    #[error("the shard size must be greater than zero")]
    InvalidShardSize,
    /// No signer was configured.
    #[error(
        "no signer is configured: call use_elliptic_key_signer, use_certificate_signer, use_pkcs11_signer or use_signer first"
    )]
    NoSigner,
    /// No verifier was configured.
    #[error("no verifier is configured: call use_elliptic_key_verifier, use_certificate_verifier or use_sigstore_verifier first")]
    NoVerifier,
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A PKCS #11 token or key could not be used (boxed: it is large, and rare).
    #[error(transparent)]
    Pkcs11(#[from] Box<crate::pkcs11::Pkcs11Error>),
    /// The signature file could not be read.
    #[error("cannot read the signature '{}': {source}", shown(.path))]
    ReadSignature {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The signature file is not a valid bundle.
    #[error("the signature '{}' is not a valid model signature: {source}", shown(.path))]
    Bundle {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: BundleError,
    },
    /// The signature could not be written.
    #[error("cannot write the signature '{}': {source}", shown(.path))]
    WriteSignature {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Verification failed.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A signature given as bytes is not a valid bundle.
    #[error("not a valid model signature: {0}")]
    InvalidBundle(BundleError),
    /// The model cannot be checked against the signature (an unsupported or unexpected
    /// hashing configuration, a signature that lists nothing).
    #[error(transparent)]
    ModelCheck(#[from] ModelCheckError),
    /// Sigstore trust material or policy could not be set up.
    #[error(transparent)]
    SigstoreSetup(#[from] crate::sigstore::SigstoreSetupError),
    /// Keyless Sigstore signing failed (boxed: it is large, and rare).
    #[error(transparent)]
    Keyless(#[from] Box<crate::keyless::KeylessError>),
    /// No trust anchors were given and the system has no CA bundle.
    #[error("no trusted certificates were given, and no system CA bundle was found")]
    NoTrustAnchors,
    /// A timestamp authority could not be reached or refused (boxed: it is large).
    #[error("timestamping the signature failed: {0}")]
    TimestampAuthority(Box<crate::keyless::ServiceError>),
    /// A timestamp authority answered with something that is not a timestamp over the
    /// signature.
    #[error("the timestamp from {url} is not usable: {source}")]
    InvalidTimestamp {
        /// The authority's URL.
        url: String,
        /// Why.
        source: model_signing_core::sigstore::TimestampError,
    },
    /// The signing certificate was not valid at the time the authority stated.
    #[error("the signing certificate was not valid at {time}, the time the timestamp authority {url} states, so the signature would not verify and was not written: {source}; renew the certificate, or sign without --tsa-url")]
    CertificateAtTimestamp {
        /// The authority's URL.
        url: String,
        /// The stated time (RFC 3339).
        time: String,
        /// Why.
        source: model_signing_core::certificate::CertificateError,
    },
    /// Timestamp authorities were configured for a Sigstore signer.
    #[error("a timestamp authority URL applies to key, certificate and PKCS #11 signatures; Sigstore signatures use the signing configuration's timestamp authorities")]
    TimestampWithSigstore,
    /// A timestamp authority's certificate chain file is unusable.
    #[error("the timestamp authority chain '{path}' is not usable: {source}")]
    TimestampAuthorityChain {
        /// The file.
        path: PathBuf,
        /// Why.
        source: model_signing_core::sigstore::TimestampError,
    },
    /// The previous signature of an incremental re-signing does not verify with the new
    /// signature's trust.
    #[error("the previous signature '{path}' does not verify with the key or identity signing now, so its digests cannot be reused: {source}")]
    PreviousSignature {
        /// The file.
        path: PathBuf,
        /// Why.
        source: VerifyError,
    },
    /// A trust configuration given for its timestamp authorities lists none.
    #[error("the trust configuration '{0}' lists no timestamp authority (timestampAuthorities)")]
    NoTimestampAuthority(PathBuf),
}
