//! Why a certificate or a chain was rejected.

use alloc::string::String;

use der::asn1::ObjectIdentifier;

use super::rfc3339;
use crate::keys::verifying::MAX_RSA_BITS;
use crate::keys::KeyError;
use crate::oids;

/// Why a certificate, a PEM file of certificates, or a certificate chain was rejected.
///
/// `subject`, `issuer` and `child` fields hold RFC 4514 names; times are seconds since
/// the Unix epoch (messages show them as RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bundle's chain has no certificate at all.
    #[error("the signature's certificate chain is empty: it must contain at least the signing certificate")]
    EmptyChain,
    /// No trusted certificate was given.
    #[error("no trusted certificates were given")]
    NoTrustAnchors,
    /// A certificate of the bundle's chain is not DER X.509.
    #[error("certificate #{index} of the signature's chain (#0 is the signing certificate) is not a valid DER X.509 certificate ({reason}); the signature file is corrupted")]
    InvalidChainCertificate {
        /// Position in the chain, 0 = leaf.
        index: usize,
        /// The decoding error.
        reason: der::Error,
    },
    /// A trusted certificate is not DER X.509.
    #[error("trusted certificate #{index} (counting from 0) is not a valid DER X.509 certificate ({reason}); check the trusted certificate files")]
    InvalidTrustedCertificate {
        /// Position among the trusted certificates.
        index: usize,
        /// The decoding error.
        reason: der::Error,
    },
    /// A single certificate (see [`super::certificate_public_key`]) is not DER X.509.
    #[error("the certificate is not a valid DER X.509 certificate ({reason})")]
    InvalidCertificate {
        /// The decoding error.
        reason: der::Error,
    },
    /// The text holds no `CERTIFICATE` PEM block.
    #[error("no '-----BEGIN CERTIFICATE-----' block found: expected a file of PEM-encoded X.509 certificates")]
    NoPemCertificate,
    /// A `CERTIFICATE` block is not closed.
    #[error("a '-----BEGIN CERTIFICATE-----' block has no '-----END CERTIFICATE-----' line: the PEM file is truncated")]
    UnterminatedPemBlock,
    /// A `CERTIFICATE` block's body is not base64.
    #[error("a CERTIFICATE PEM block is not valid base64: the PEM file is corrupted")]
    InvalidPemBase64,
    /// A `CERTIFICATE` block does not hold a certificate.
    #[error("PEM block #{index} (counting from 0) is not a valid X.509 certificate ({reason}); the PEM file is corrupted")]
    InvalidPemCertificate {
        /// Position of the block in the text.
        index: usize,
        /// The decoding error.
        reason: der::Error,
    },
    /// A certificate with more extensions than [`super::MAX_EXTENSIONS`].
    #[error("certificate '{subject}' has {count} extensions; at most {max} are accepted")]
    TooManyExtensions {
        /// The certificate.
        subject: String,
        /// How many it has.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// A signature's chain with more certificates than [`super::MAX_CHAIN_CERTIFICATES`].
    #[error(
        "the signature's certificate chain has {count} certificates; at most {max} are accepted"
    )]
    TooManyCertificates {
        /// How many it has.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// A certificate lists the same extension twice (RFC 5280 forbids it).
    #[error("certificate '{subject}' has the extension {} more than once, which is invalid", oids::describe(.oid))]
    DuplicateExtension {
        /// The certificate.
        subject: String,
        /// The repeated extension.
        oid: ObjectIdentifier,
    },
    /// An extension this module relies on cannot be decoded.
    #[error("certificate '{subject}' has a malformed {} extension ({reason})", oids::describe(.oid))]
    InvalidExtension {
        /// The certificate.
        subject: String,
        /// The extension.
        oid: ObjectIdentifier,
        /// The decoding error.
        reason: der::Error,
    },
    /// A critical extension that is not understood.
    #[error("certificate '{subject}' has the critical extension {}, which is not supported; certificates with unknown critical extensions must be rejected", oids::describe(.oid))]
    UnknownCriticalExtension {
        /// The certificate.
        subject: String,
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// A critical nameConstraints extension, which this verifier does not enforce.
    #[error("certificate '{subject}' has critical name constraints, which this verifier does not enforce; use a CA without name constraints")]
    NameConstraintsUnsupported {
        /// The certificate.
        subject: String,
    },
    /// A certificate of the path was not yet valid at the verification time (the leaf's
    /// notBefore for `certificate` signatures, a verified signing time for Sigstore).
    #[error("certificate '{subject}' is not yet valid at the verification time {}: it is valid from {}", rfc3339(.at), rfc3339(.not_before))]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Its notBefore.
        not_before: u64,
        /// The verification time.
        at: u64,
    },
    /// A certificate of the path had expired at the verification time.
    #[error("certificate '{subject}' had expired at the verification time {}: it was valid until {}", rfc3339(.at), rfc3339(.not_after))]
    Expired {
        /// The certificate.
        subject: String,
        /// Its notAfter.
        not_after: u64,
        /// The verification time.
        at: u64,
    },
    /// No certificate of the bundle or of the trusted ones issued `subject`
    /// (OpenSSL: "unable to get local issuer certificate").
    #[error("unable to get local issuer certificate: no certificate of the signature's chain or of the trusted certificates issued '{subject}' (issuer '{issuer}')")]
    IssuerNotFound {
        /// The certificate whose issuer is missing.
        subject: String,
        /// The name of the missing issuer.
        issuer: String,
    },
    /// The path reached, above the leaf, a trusted certificate that is not self-signed,
    /// and its issuer is missing (OpenSSL: "unable to get issuer certificate").
    #[error("unable to get issuer certificate: '{subject}' is trusted but not self-signed, and its issuer '{issuer}' was not found; a chain must end at a trusted self-signed root")]
    TrustedIssuerNotFound {
        /// The trusted, not self-signed certificate.
        subject: String,
        /// The name of its missing issuer.
        issuer: String,
    },
    /// The path ends at a self-signed certificate that is not trusted (OpenSSL:
    /// "self-signed certificate (in certificate chain)").
    #[error("the chain ends at the self-signed certificate '{subject}', which is not trusted")]
    UntrustedSelfSigned {
        /// The self-signed certificate.
        subject: String,
    },
    /// Every possible path is longer than [`super::MAX_PATH_LEN`].
    #[error("the certificate path is longer than {max} certificates")]
    PathTooLong {
        /// The limit.
        max: usize,
    },
    /// The bundle has so many look-alike certificates that the search was stopped (too
    /// many partial paths tried, or too many signatures checked).
    #[error("gave up building the certificate path after {steps} attempts and {signatures} signature checks: the signature's chain holds too many certificates with the same names")]
    PathSearchLimit {
        /// Partial paths tried.
        steps: usize,
        /// Signatures checked.
        signatures: usize,
    },
    /// The outer signature algorithm differs from the one inside the signed part.
    #[error("certificate '{subject}' names different signature algorithms inside and outside its signed part, which is invalid")]
    SignatureAlgorithmMismatch {
        /// The certificate.
        subject: String,
    },
    /// The certificate is signed with an algorithm this verifier does not support.
    #[error("certificate '{subject}' is signed with {}, which is not supported (supported: ECDSA, RSA PKCS #1 v1.5 and RSASSA-PSS with SHA-256, SHA-384 or SHA-512)", oids::describe(.oid))]
    UnsupportedSignatureAlgorithm {
        /// The certificate.
        subject: String,
        /// The signature algorithm.
        oid: ObjectIdentifier,
    },
    /// RSASSA-PSS parameters that cannot be decoded.
    #[error("certificate '{subject}' has malformed RSASSA-PSS parameters ({reason})")]
    InvalidPssParameters {
        /// The certificate.
        subject: String,
        /// The decoding error.
        reason: der::Error,
    },
    /// RSASSA-PSS with a hash or mask function this verifier does not support.
    #[error("certificate '{subject}' is signed with RSASSA-PSS using {detail}, which is not supported (supported: SHA-256, SHA-384 or SHA-512 with MGF1 of the same hash)")]
    UnsupportedPssParameters {
        /// The certificate.
        subject: String,
        /// What is unsupported.
        detail: &'static str,
    },
    /// The issuer's key type does not fit the child's signature algorithm.
    #[error("certificate '{subject}' is signed with {}, but the key of its issuer '{issuer}' is of another type", oids::describe(.algorithm))]
    IssuerKeyMismatch {
        /// The signed certificate.
        subject: String,
        /// The issuer.
        issuer: String,
        /// The signature algorithm.
        algorithm: ObjectIdentifier,
    },
    /// The issuer's EC key cannot be used.
    #[error("the key of issuer '{issuer}' cannot be used: {reason}")]
    InvalidIssuerKey {
        /// The issuer.
        issuer: String,
        /// Why.
        reason: KeyError,
    },
    /// The issuer's RSA key cannot be decoded or is out of range.
    #[error("the RSA key of issuer '{issuer}' is malformed or out of the supported range (at most {MAX_RSA_BITS} bits)")]
    InvalidIssuerRsaKey {
        /// The issuer.
        issuer: String,
    },
    /// A signature of the path does not verify.
    #[error("the signature on certificate '{subject}' does not verify with the key of '{issuer}': the certificate was altered or not issued by it")]
    BadSignature {
        /// The signed certificate.
        subject: String,
        /// The issuer whose key was used.
        issuer: String,
    },
    /// An issuer is not a CA.
    #[error("certificate '{subject}' issued '{child}' but is not a CA (basicConstraints CA:TRUE is missing), so it may not issue certificates")]
    IssuerNotCa {
        /// The issuer.
        subject: String,
        /// The certificate it issued.
        child: String,
    },
    /// An issuer's KeyUsage lacks keyCertSign.
    #[error("certificate '{subject}' issued '{child}' but its KeyUsage does not include keyCertSign, so it may not issue certificates")]
    IssuerMissingKeyCertSign {
        /// The issuer.
        subject: String,
        /// The certificate it issued.
        child: String,
    },
    /// An issuer's pathLenConstraint is exceeded.
    #[error("certificate '{subject}' allows at most {limit} intermediate CA certificate(s) below it, but the path has {found}")]
    PathLenExceeded {
        /// The constraining CA.
        subject: String,
        /// Its pathLenConstraint.
        limit: u8,
        /// Intermediate CAs below it (self-issued ones not counted).
        found: usize,
    },
    /// The leaf has neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning.
    #[error("Signing certificate cannot be used for signing: '{subject}' has neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning")]
    NotForSigning {
        /// The leaf.
        subject: String,
    },
    /// The certificate's key is not an elliptic-curve key, so it cannot sign models.
    #[error("the key of certificate '{subject}' is {kind}, but only elliptic curve keys (P-256, P-384, P-521) can sign models")]
    KeyNotEllipticCurve {
        /// The certificate.
        subject: String,
        /// The kind of key found.
        kind: &'static str,
    },
    /// The certificate's EC key is unusable (unsupported curve, invalid point, ...).
    #[error("the key of certificate '{subject}' cannot be used for model signatures: {reason}")]
    UnsupportedKey {
        /// The certificate.
        subject: String,
        /// Why.
        reason: KeyError,
    },
}
