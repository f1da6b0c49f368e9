//! X.509 certificate chains of `certificate` signatures (FORMAT.md §8.4).
//!
//! The Python reference hands the bundle's chain to an OpenSSL `X509Store` with default
//! flags, at the time of the leaf's notBefore, then checks the leaf's usage itself. This
//! module makes the same decision without a clock or any I/O:
//!
//! * **Path building.** `chain[0]` is the leaf; `chain[1..]` are untrusted intermediates;
//!   every certificate of `anchors` is trusted. Issuers are found by name (the issuer
//!   field equal to the candidate's subject), skipping candidates whose
//!   subjectKeyIdentifier contradicts the child's authorityKeyIdentifier, and are only
//!   accepted once the child's signature verifies with their key. When several
//!   candidates fit, trusted ones are tried first and the search backtracks, so a bundle
//!   holding look-alike certificates cannot hide the real path. A path is complete when
//!   it reaches a **self-signed certificate that is trusted**: as with OpenSSL without
//!   `X509_V_FLAG_PARTIAL_CHAIN`, trusting only an intermediate (or only the leaf) is not
//!   enough. Paths are at most [`MAX_PATH_LEN`] certificates long.
//! * **Time.** Everything is checked at the leaf's notBefore, so an expired leaf still
//!   verifies as long as every certificate of the path was valid when it was issued.
//! * **Issuers** (every certificate above the leaf, including the anchor) need
//!   basicConstraints `CA:TRUE` (or be a self-signed v1 certificate, as OpenSSL allows),
//!   keyCertSign when they carry KeyUsage, and must respect pathLenConstraint.
//! * **Signatures**: RSA PKCS #1 v1.5 and RSASSA-PSS (MGF1 with the same hash) with
//!   SHA-256/384/512, and ECDSA with SHA-256/384/512 on P-256/P-384/P-521 keys. SHA-1
//!   and other algorithms are refused.
//! * **Critical extensions**: the ones OpenSSL understands and this module either
//!   enforces or, like OpenSSL's default verification, may ignore: basicConstraints,
//!   keyUsage, extendedKeyUsage, subjectAltName, certificatePolicies, policyMappings,
//!   policyConstraints and inhibitAnyPolicy (no policy is required, as in OpenSSL without
//!   `X509_V_FLAG_POLICY_CHECK`). A critical nameConstraints extension is refused because
//!   it is not enforced here (OpenSSL enforces it, so accepting it would verify more than
//!   the reference). Any other critical extension is refused, including a critical
//!   authority/subject key identifier, which OpenSSL refuses too.
//! * **Leaf usage** (the reference's own check, after OpenSSL's): KeyUsage
//!   digitalSignature, or else ExtendedKeyUsage codeSigning, with the reference's warnings
//!   when either extension is missing. The leaf may be a CA. Its key must be an EC key,
//!   since it verifies the model signature.
//!
//! Deliberate differences from OpenSSL. Refusing more: critical nameConstraints (see
//! above); names are compared as encoded (issuers copy their subject byte for byte in
//! practice, while OpenSSL also accepts case and whitespace variants); a trusted
//! certificate only counts as self-signed if its own signature verifies, when its
//! algorithm is supported; SHA-1 and other legacy signature algorithms. Accepting more:
//! when same-named issuers have no key identifiers to tell them apart, OpenSSL commits to
//! the first name match and fails if its signature does not verify, whereas this module
//! goes on to the next candidate; the path it accepts is still fully verified.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Header, Reader, SliceReader};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::keys::verifying::MAX_RSA_BITS;
use crate::keys::{AlgorithmError, CryptoError, KeyError, PublicKey, Scheme, VerifyingKey};
use crate::oids;

/// The longest accepted path, leaf and trust anchor included. Real code-signing chains
/// have three or four certificates; the bound stops loops and absurd chains.
pub const MAX_PATH_LEN: usize = 10;

/// How many partial paths the search may try before giving up. Bundles are untrusted
/// input: many same-named certificates signed by one key would otherwise make the
/// backtracking search exponential.
const MAX_SEARCH_STEPS: usize = 1000;

/// Why a certificate, a PEM file of certificates, or a certificate chain was rejected.
///
/// `subject`, `issuer` and `child` fields hold RFC 4514 names; times are seconds since
/// the Unix epoch (messages show them as RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The bundle's chain has no certificate at all.
    #[error("the signature's certificate chain is empty: it must contain at least the signing certificate")]
    EmptyChain,
    /// No trusted certificate was given.
    #[error(
        "no trusted certificates were given: pass the root CA certificate that should be trusted"
    )]
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
    /// A single certificate (see [`certificate_public_key`]) is not DER X.509.
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
    #[error("unable to get local issuer certificate: no certificate of the signature's chain or of the trusted certificates issued '{subject}' (issuer '{issuer}'); pass the CA certificates that issued it")]
    IssuerNotFound {
        /// The certificate whose issuer is missing.
        subject: String,
        /// The name of the missing issuer.
        issuer: String,
    },
    /// The path reached, above the leaf, a trusted certificate that is not self-signed,
    /// and its issuer is missing (OpenSSL: "unable to get issuer certificate").
    #[error("unable to get issuer certificate: '{subject}' is trusted but not self-signed, and its issuer '{issuer}' was not found; a chain must end at a trusted self-signed root, so also pass the root CA certificate")]
    TrustedIssuerNotFound {
        /// The trusted, not self-signed certificate.
        subject: String,
        /// The name of its missing issuer.
        issuer: String,
    },
    /// The path ends at a self-signed certificate that is not trusted (OpenSSL:
    /// "self-signed certificate (in certificate chain)").
    #[error("the chain ends at the self-signed certificate '{subject}', which is not trusted; pass it with the trusted certificates if it is the root CA to trust")]
    UntrustedSelfSigned {
        /// The self-signed certificate.
        subject: String,
    },
    /// Every possible path is longer than [`MAX_PATH_LEN`].
    #[error("the certificate path is longer than {max} certificates")]
    PathTooLong {
        /// The limit.
        max: usize,
    },
    /// The bundle has so many look-alike certificates that the search was stopped.
    #[error("gave up building the certificate path after {steps} attempts: the signature's chain holds too many certificates with the same names")]
    PathSearchLimit {
        /// Attempts made.
        steps: usize,
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

/// The outcome of a successful chain check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The leaf's public key (EC only).
    pub leaf_public_key: PublicKey,
    /// The time the chain was checked at: the leaf's notBefore, seconds since the epoch.
    pub verification_time: u64,
    /// The leaf's subject, RFC 4514 text.
    pub leaf_subject: String,
    /// Every certificate of the path, leaf first, ending with the trust anchor (DER).
    pub path: Vec<Vec<u8>>,
    /// Warnings (e.g. missing KeyUsage) to show the user.
    pub warnings: Vec<String>,
}

/// Verifies `chain` (leaf first, then untrusted intermediates, DER) against `anchors`
/// (trusted certificates, DER) at the leaf's notBefore, as the module documentation
/// describes, and returns the leaf's key.
pub fn verify_chain(
    chain: &[Vec<u8>],
    anchors: &[Vec<u8>],
) -> Result<VerifiedChain, CertificateError> {
    if chain.is_empty() {
        return Err(CertificateError::EmptyChain);
    }
    if anchors.is_empty() {
        return Err(CertificateError::NoTrustAnchors);
    }
    let mut certs: Vec<Parsed<'_>> = Vec::with_capacity(chain.len() + anchors.len());
    for (index, der) in chain.iter().enumerate() {
        let parsed = Parsed::new(der)
            .map_err(|reason| CertificateError::InvalidChainCertificate { index, reason })?;
        // A repeated certificate adds nothing to path building.
        if !certs.iter().any(|c| c.der == der.as_slice()) {
            certs.push(parsed);
        }
    }
    for (index, der) in anchors.iter().enumerate() {
        let mut parsed = Parsed::new(der)
            .map_err(|reason| CertificateError::InvalidTrustedCertificate { index, reason })?;
        // The bundle may carry a trusted certificate (typically the root) itself.
        match certs.iter_mut().find(|c| c.der == der.as_slice()) {
            Some(known) => known.trusted = true,
            None => {
                parsed.trusted = true;
                certs.push(parsed);
            }
        }
    }

    let leaf = &certs[0];
    let time = leaf.not_before;
    let leaf_extensions = leaf.extensions.clone()?;
    check_validity(leaf, time)?;
    let path = Search::new(&certs, time, false).run()?;
    let warnings = leaf_usage(leaf, &leaf_extensions)?;
    let leaf_public_key = leaf.ec_key()?;
    Ok(VerifiedChain {
        leaf_public_key,
        verification_time: time,
        leaf_subject: leaf.subject.clone(),
        path: path.iter().map(|&i| certs[i].der.to_vec()).collect(),
        warnings,
    })
}

/// Validates the certification path of `leaf` (DER) at `time` (seconds since the epoch)
/// and returns it, leaf first, ending with the trust anchor (DER).
///
/// This is the path building of [`verify_chain`] for callers whose intermediates are
/// trusted configuration rather than part of the signature, such as the certificate
/// authorities of a Sigstore trusted root: `intermediates` may be used to build the
/// path, and the path ends at the first certificate of `anchors` it reaches. Unlike
/// [`verify_chain`], an anchor need not be self-signed (a trusted root names its anchor
/// explicitly, as Go's `x509.Verify` roots do), and nothing is checked about the leaf's
/// usage or key type: the caller applies its own policy. Validity, CA constraints,
/// critical extensions and signatures are checked as for [`verify_chain`].
pub fn verify_path_at(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    time: u64,
) -> Result<Vec<Vec<u8>>, CertificateError> {
    if anchors.is_empty() {
        return Err(CertificateError::NoTrustAnchors);
    }
    let leaf = Parsed::new(leaf)
        .map_err(|reason| CertificateError::InvalidChainCertificate { index: 0, reason })?;
    let mut certs: Vec<Parsed<'_>> = alloc::vec![leaf];
    for (index, der) in intermediates.iter().chain(anchors).enumerate() {
        let mut parsed = Parsed::new(der)
            .map_err(|reason| CertificateError::InvalidTrustedCertificate { index, reason })?;
        parsed.trusted = index >= intermediates.len();
        match certs.iter_mut().skip(1).find(|c| c.der == der.as_slice()) {
            Some(known) => known.trusted |= parsed.trusted,
            None => certs.push(parsed),
        }
    }
    certs[0].extensions.clone()?;
    check_validity(&certs[0], time)?;
    let path = Search::new(&certs, time, true).run()?;
    Ok(path.iter().map(|&i| certs[i].der.to_vec()).collect())
}

/// Every `CERTIFICATE` PEM block in `text` (surrounding text allowed), as DER. Fails if
/// there is none, or if a block is not a valid certificate.
pub fn parse_pem_certificates(text: &[u8]) -> Result<Vec<Vec<u8>>, CertificateError> {
    let blocks = crate::keys::pem_blocks(text, "CERTIFICATE").map_err(|e| match e {
        KeyError::NoPemBlock(_) => CertificateError::UnterminatedPemBlock,
        _ => CertificateError::InvalidPemBase64,
    })?;
    if blocks.is_empty() {
        return Err(CertificateError::NoPemCertificate);
    }
    for (index, der) in blocks.iter().enumerate() {
        Certificate::from_der(der)
            .map_err(|reason| CertificateError::InvalidPemCertificate { index, reason })?;
    }
    Ok(blocks)
}

/// The public key of a certificate, which must be an EC key on P-256, P-384 or P-521
/// since it is used to verify model signatures.
pub fn certificate_public_key(der: &[u8]) -> Result<PublicKey, CertificateError> {
    let parsed =
        Parsed::new(der).map_err(|reason| CertificateError::InvalidCertificate { reason })?;
    parsed.ec_key()
}

/// SHA-256 fingerprint as `AA:BB:…` (uppercase, colon separated).
pub fn fingerprint_sha256(der: &[u8]) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(der);
    let parts: Vec<String> = d.iter().map(|b| alloc::format!("{b:02X}")).collect();
    parts.join(":")
}

/// A decoded certificate with what path validation needs precomputed.
struct Parsed<'a> {
    der: &'a [u8],
    /// The signed bytes exactly as received: re-encoding the decoded structure could
    /// differ from what the issuer signed.
    tbs: &'a [u8],
    cert: Certificate,
    subject: String,
    not_before: u64,
    not_after: u64,
    /// Kept as a result so that a broken extension only fails verification when the
    /// certificate is actually used (a large trust store may hold odd certificates).
    extensions: Result<Extensions, CertificateError>,
    trusted: bool,
}

impl<'a> Parsed<'a> {
    fn new(der: &'a [u8]) -> Result<Self, der::Error> {
        let cert = Certificate::from_der(der)?;
        let mut reader = SliceReader::new(der)?;
        Header::decode(&mut reader)?;
        let tbs = reader.tlv_bytes()?;
        let subject = name_text(&cert.tbs_certificate.subject);
        let validity = &cert.tbs_certificate.validity;
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();
        let extensions = Extensions::parse(&cert, &subject);
        Ok(Self {
            der,
            tbs,
            cert,
            subject,
            not_before,
            not_after,
            extensions,
            trusted: false,
        })
    }

    fn issuer_name(&self) -> &Name {
        &self.cert.tbs_certificate.issuer
    }

    fn subject_name(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    fn self_issued(&self) -> bool {
        self.subject_name() == self.issuer_name()
    }

    fn spki_der(&self) -> Vec<u8> {
        // Re-encoding a decoded SPKI is lossless for keys, and `PublicKey` reads DER.
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap_or_default()
    }

    fn ec_key(&self) -> Result<PublicKey, CertificateError> {
        PublicKey::from_spki_der(&self.spki_der()).map_err(|reason| match reason {
            KeyError::NotEllipticCurve(kind) => CertificateError::KeyNotEllipticCurve {
                subject: self.subject.clone(),
                kind,
            },
            reason => CertificateError::UnsupportedKey {
                subject: self.subject.clone(),
                reason,
            },
        })
    }
}

/// The extensions path validation uses.
#[derive(Clone)]
struct Extensions {
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    ext_key_usage: Option<ExtendedKeyUsage>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
}

impl Extensions {
    fn parse(cert: &Certificate, subject: &str) -> Result<Self, CertificateError> {
        let mut out = Self {
            basic_constraints: None,
            key_usage: None,
            ext_key_usage: None,
            subject_key_id: None,
            authority_key_id: None,
        };
        let list = cert
            .tbs_certificate
            .extensions
            .as_deref()
            .unwrap_or_default();
        for (i, ext) in list.iter().enumerate() {
            let oid = ext.extn_id;
            if list[..i].iter().any(|e| e.extn_id == oid) {
                return Err(CertificateError::DuplicateExtension {
                    subject: subject.into(),
                    oid,
                });
            }
            let value = ext.extn_value.as_bytes();
            let invalid = |reason| CertificateError::InvalidExtension {
                subject: subject.into(),
                oid,
                reason,
            };
            match oid {
                oids::BASIC_CONSTRAINTS => {
                    out.basic_constraints =
                        Some(BasicConstraints::from_der(value).map_err(invalid)?);
                }
                oids::KEY_USAGE => {
                    out.key_usage = Some(KeyUsage::from_der(value).map_err(invalid)?)
                }
                oids::EXT_KEY_USAGE => {
                    out.ext_key_usage = Some(ExtendedKeyUsage::from_der(value).map_err(invalid)?);
                }
                oids::SUBJECT_KEY_ID => {
                    let id = SubjectKeyIdentifier::from_der(value).map_err(invalid)?;
                    out.subject_key_id = Some(id.0.as_bytes().to_vec());
                }
                oids::AUTHORITY_KEY_ID => {
                    let id = AuthorityKeyIdentifier::from_der(value).map_err(invalid)?;
                    out.authority_key_id = id.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                _ => {}
            }
            if ext.critical {
                match oid {
                    oids::BASIC_CONSTRAINTS
                    | oids::KEY_USAGE
                    | oids::EXT_KEY_USAGE
                    | oids::SUBJECT_ALT_NAME
                    | oids::CERTIFICATE_POLICIES
                    | oids::POLICY_MAPPINGS
                    | oids::POLICY_CONSTRAINTS
                    | oids::INHIBIT_ANY_POLICY => {}
                    oids::NAME_CONSTRAINTS => {
                        return Err(CertificateError::NameConstraintsUnsupported {
                            subject: subject.into(),
                        })
                    }
                    _ => {
                        return Err(CertificateError::UnknownCriticalExtension {
                            subject: subject.into(),
                            oid,
                        })
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Whether `issuer`'s subjectKeyIdentifier is compatible with `child`'s
/// authorityKeyIdentifier (either missing counts as compatible, as in OpenSSL).
fn key_ids_match(child: &Parsed<'_>, issuer: &Parsed<'_>) -> bool {
    let aki = child
        .extensions
        .as_ref()
        .ok()
        .and_then(|e| e.authority_key_id.as_ref());
    let ski = issuer
        .extensions
        .as_ref()
        .ok()
        .and_then(|e| e.subject_key_id.as_ref());
    match (aki, ski) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

fn check_validity(cert: &Parsed<'_>, at: u64) -> Result<(), CertificateError> {
    if at < cert.not_before {
        return Err(CertificateError::NotYetValid {
            subject: cert.subject.clone(),
            not_before: cert.not_before,
            at,
        });
    }
    if at > cert.not_after {
        return Err(CertificateError::Expired {
            subject: cert.subject.clone(),
            not_after: cert.not_after,
            at,
        });
    }
    Ok(())
}

/// The reference's own leaf check, with its exact warnings: ExtendedKeyUsage is only
/// looked at when KeyUsage does not already allow signing.
fn leaf_usage(leaf: &Parsed<'_>, extensions: &Extensions) -> Result<Vec<String>, CertificateError> {
    let mut warnings = Vec::new();
    let mut can_sign = false;
    match &extensions.key_usage {
        Some(usage) => can_sign = usage.digital_signature(),
        None => warnings.push("Certificate does not specify 'KeyUsage'.".to_string()),
    }
    if !can_sign {
        match &extensions.ext_key_usage {
            Some(usage) => can_sign = usage.0.contains(&oids::KP_CODE_SIGNING),
            None => warnings.push("Certificate does not specify 'ExtendedKeyUsage'.".to_string()),
        }
    }
    if !can_sign {
        return Err(CertificateError::NotForSigning {
            subject: leaf.subject.clone(),
        });
    }
    Ok(warnings)
}

/// A failed branch of the search; the deepest one explains the failure best.
struct Failure {
    depth: usize,
    error: Box<CertificateError>,
}

impl Failure {
    fn new(depth: usize, error: CertificateError) -> Self {
        Self {
            depth,
            error: Box::new(error),
        }
    }

    fn rank(&self) -> (usize, bool) {
        // At equal depth, a same-named certificate that merely did not sign the child
        // is less interesting than a real issuer that failed a check.
        (
            self.depth,
            !matches!(*self.error, CertificateError::BadSignature { .. }),
        )
    }
}

/// Depth-first path building with backtracking, from the leaf (index 0) upwards.
struct Search<'c, 'a> {
    certs: &'c [Parsed<'a>],
    time: u64,
    /// Whether a trusted certificate above the leaf ends the path even when it is not
    /// self-signed (OpenSSL's `X509_V_FLAG_PARTIAL_CHAIN`; see [`verify_path_at`]).
    partial_chain: bool,
    /// Signature results by (child, issuer), since backtracking revisits pairs.
    signatures: BTreeMap<(usize, usize), Result<(), CertificateError>>,
    self_signed: Vec<Option<bool>>,
    steps: usize,
}

impl<'c, 'a> Search<'c, 'a> {
    fn new(certs: &'c [Parsed<'a>], time: u64, partial_chain: bool) -> Self {
        Self {
            certs,
            time,
            partial_chain,
            signatures: BTreeMap::new(),
            self_signed: alloc::vec![None; certs.len()],
            steps: 0,
        }
    }

    fn run(mut self) -> Result<Vec<usize>, CertificateError> {
        let mut path = alloc::vec![0];
        self.extend(&mut path).map_err(|f| *f.error)?;
        Ok(path)
    }

    fn exhausted(&self) -> bool {
        self.steps > MAX_SEARCH_STEPS
    }

    /// Completes `path` (whose last element still needs an issuer) or explains why no
    /// completion exists. On success `path` holds the full path.
    fn extend(&mut self, path: &mut Vec<usize>) -> Result<(), Failure> {
        self.steps += 1;
        let depth = path.len();
        if self.exhausted() {
            let error = CertificateError::PathSearchLimit {
                steps: MAX_SEARCH_STEPS,
            };
            return Err(Failure::new(usize::MAX, error));
        }
        let current = path[depth - 1];
        let cert = &self.certs[current];
        if self.partial_chain && cert.trusted && depth > 1 {
            return Ok(());
        }
        if self.is_self_signed(current) {
            return if cert.trusted {
                Ok(())
            } else {
                let subject = cert.subject.clone();
                Err(Failure::new(
                    depth,
                    CertificateError::UntrustedSelfSigned { subject },
                ))
            };
        }
        if depth >= MAX_PATH_LEN {
            let error = CertificateError::PathTooLong { max: MAX_PATH_LEN };
            return Err(Failure::new(depth, error));
        }
        let mut candidates: Vec<usize> = (0..self.certs.len())
            .filter(|i| !path.contains(i))
            .filter(|&i| {
                let issuer = &self.certs[i];
                issuer.subject_name() == cert.issuer_name() && key_ids_match(cert, issuer)
            })
            .collect();
        candidates.sort_by_key(|&i| (!self.certs[i].trusted, i));
        if candidates.is_empty() {
            let subject = cert.subject.clone();
            let issuer = name_text(cert.issuer_name());
            // OpenSSL reports "unable to get issuer certificate" only for a trusted
            // certificate it reached as an issuer; the leaf, trusted or not, gets the
            // "local" variant.
            let error = if cert.trusted && depth > 1 {
                CertificateError::TrustedIssuerNotFound { subject, issuer }
            } else {
                CertificateError::IssuerNotFound { subject, issuer }
            };
            return Err(Failure::new(depth, error));
        }
        let mut best: Option<Failure> = None;
        for candidate in candidates {
            let failure = match self.check_issuer(path, candidate) {
                Err(error) => Failure::new(depth, error),
                Ok(()) => {
                    path.push(candidate);
                    match self.extend(path) {
                        Ok(()) => return Ok(()),
                        Err(failure) => {
                            path.pop();
                            failure
                        }
                    }
                }
            };
            if self.exhausted() {
                return Err(failure);
            }
            if best.as_ref().is_none_or(|b| failure.rank() > b.rank()) {
                best = Some(failure);
            }
        }
        Err(best.expect("there was at least one candidate"))
    }

    /// Whether `issuer` may be the next certificate of `path`.
    fn check_issuer(&mut self, path: &[usize], issuer: usize) -> Result<(), CertificateError> {
        let child = path[path.len() - 1];
        self.signature(child, issuer)?;
        let cert = &self.certs[issuer];
        let child_subject = || self.certs[child].subject.clone();
        let extensions = cert.extensions.as_ref().map_err(Clone::clone)?;
        check_validity(cert, self.time)?;
        let is_ca = match &extensions.basic_constraints {
            Some(bc) => bc.ca,
            // OpenSSL's exception for old self-signed v1 roots without extensions.
            None => cert.cert.tbs_certificate.version == Version::V1 && self.is_self_signed(issuer),
        };
        if !is_ca {
            return Err(CertificateError::IssuerNotCa {
                subject: cert.subject.clone(),
                child: child_subject(),
            });
        }
        if extensions
            .key_usage
            .as_ref()
            .is_some_and(|ku| !ku.key_cert_sign())
        {
            return Err(CertificateError::IssuerMissingKeyCertSign {
                subject: cert.subject.clone(),
                child: child_subject(),
            });
        }
        if let Some(limit) = extensions
            .basic_constraints
            .as_ref()
            .and_then(|bc| bc.path_len_constraint)
        {
            // Intermediates below this issuer: the path minus the leaf, not counting
            // self-issued ones (RFC 5280 §6.1.4 (l)).
            let found = path[1..]
                .iter()
                .filter(|&&i| !self.certs[i].self_issued())
                .count();
            if found > usize::from(limit) {
                return Err(CertificateError::PathLenExceeded {
                    subject: cert.subject.clone(),
                    limit,
                    found,
                });
            }
        }
        Ok(())
    }

    fn signature(&mut self, child: usize, issuer: usize) -> Result<(), CertificateError> {
        let certs = self.certs;
        self.signatures
            .entry((child, issuer))
            .or_insert_with(|| verify_signature(&certs[child], &certs[issuer]))
            .clone()
    }

    /// Self-issued, with consistent key identifiers, and signed by its own key. When the
    /// algorithm is not supported the signature cannot tell, and OpenSSL never checks a
    /// root's own signature anyway, so names and key identifiers decide.
    fn is_self_signed(&mut self, index: usize) -> bool {
        if let Some(known) = self.self_signed[index] {
            return known;
        }
        let cert = &self.certs[index];
        let result = cert.self_issued()
            && key_ids_match(cert, cert)
            && match self.signature(index, index) {
                Ok(()) => true,
                Err(e) => matches!(
                    e,
                    CertificateError::UnsupportedSignatureAlgorithm { .. }
                        | CertificateError::UnsupportedPssParameters { .. }
                ),
            };
        self.self_signed[index] = Some(result);
        result
    }
}

/// Checks the signature of `child` with the key of `issuer`.
fn verify_signature(child: &Parsed<'_>, issuer: &Parsed<'_>) -> Result<(), CertificateError> {
    let algorithm = &child.cert.signature_algorithm;
    if *algorithm != child.cert.tbs_certificate.signature {
        return Err(CertificateError::SignatureAlgorithmMismatch {
            subject: child.subject.clone(),
        });
    }
    let subject = || child.subject.clone();
    let scheme = Scheme::from_x509(algorithm).map_err(|e| match e {
        AlgorithmError::InvalidPssParameters(reason) => CertificateError::InvalidPssParameters {
            subject: subject(),
            reason,
        },
        AlgorithmError::UnsupportedPss(detail) => CertificateError::UnsupportedPssParameters {
            subject: subject(),
            detail,
        },
        _ => CertificateError::UnsupportedSignatureAlgorithm {
            subject: subject(),
            oid: algorithm.oid,
        },
    })?;
    // The issuer's key must be of the algorithm's family before it is decoded; an
    // `id-RSASSA-PSS` key may only make PSS signatures (RFC 4055).
    let key_oid = issuer
        .cert
        .tbs_certificate
        .subject_public_key_info
        .algorithm
        .oid;
    let fits = match scheme {
        Scheme::Ecdsa(_) => key_oid == oids::EC_PUBLIC_KEY,
        Scheme::RsaPkcs1(_) => key_oid == oids::RSA_ENCRYPTION,
        Scheme::RsaPss { .. } => key_oid == oids::RSA_ENCRYPTION || key_oid == oids::RSASSA_PSS,
        Scheme::Ed25519 => key_oid == oids::ED25519,
    };
    if !fits {
        return Err(CertificateError::IssuerKeyMismatch {
            subject: subject(),
            issuer: issuer.subject.clone(),
            algorithm: algorithm.oid,
        });
    }
    let key = VerifyingKey::from_spki_der(&issuer.spki_der()).map_err(|e| match e {
        CryptoError::InvalidEcKey(reason) => CertificateError::InvalidIssuerKey {
            issuer: issuer.subject.clone(),
            reason,
        },
        _ => CertificateError::InvalidIssuerRsaKey {
            issuer: issuer.subject.clone(),
        },
    })?;
    let bad = || CertificateError::BadSignature {
        subject: subject(),
        issuer: issuer.subject.clone(),
    };
    let signature = child.cert.signature.as_bytes().ok_or_else(bad)?;
    key.verify(scheme, child.tbs, signature).map_err(|_| bad())
}

fn name_text(name: &Name) -> String {
    let text = name.to_string();
    if text.is_empty() {
        "(empty name)".into()
    } else {
        text
    }
}

fn rfc3339(seconds: &u64) -> String {
    der::DateTime::from_unix_duration(Duration::from_secs(*seconds))
        .map(|t| t.to_string())
        .unwrap_or_else(|_| alloc::format!("{seconds} seconds after the Unix epoch"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Curve;
    use alloc::vec;

    macro_rules! repo_cert {
        ($name:literal) => {
            include_bytes!(concat!(
                "../../tests/vectors/model-transparency/scripts/tests/keys/certificate/",
                $name
            ))
        };
    }
    macro_rules! pki {
        ($name:literal) => {
            include_bytes!(concat!("../../tests/vectors/pki/", $name, ".pem"))
        };
    }

    const REPO_CA: &[u8] = repo_cert!("ca-cert.pem");
    const REPO_INT: &[u8] = repo_cert!("int-ca-cert.pem");
    const REPO_LEAF: &[u8] = repo_cert!("signing-key-cert.pem");
    const REPO_LEAF_PUB: &[u8] = repo_cert!("signing-key-pub.pem");
    const REPO_BUNDLE: &[u8] = include_bytes!(
        "../../tests/vectors/model-transparency/scripts/tests/v1.1.0-certificate/model.sig"
    );

    fn der(pem: &[u8]) -> Vec<u8> {
        let mut all = parse_pem_certificates(pem).unwrap();
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    /// The `x509CertificateChain` of the upstream v1.1.0 certificate bundle.
    fn bundle_chain() -> Vec<Vec<u8>> {
        let json: serde_json::Value = serde_json::from_slice(REPO_BUNDLE).unwrap();
        json["verificationMaterial"]["x509CertificateChain"]["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| crate::encoding::b64decode(c["rawBytes"].as_str().unwrap()).unwrap())
            .collect()
    }

    fn verify(chain: &[&[u8]], anchors: &[&[u8]]) -> Result<VerifiedChain, CertificateError> {
        let chain: Vec<Vec<u8>> = chain.iter().map(|p| der(p)).collect();
        let anchors: Vec<Vec<u8>> = anchors.iter().map(|p| der(p)).collect();
        verify_chain(&chain, &anchors)
    }

    const ROOT: &[u8] = pki!("root");
    const INT: &[u8] = pki!("int");
    const LEAF: &[u8] = pki!("leaf");

    #[test]
    fn upstream_bundle_verifies_against_root() {
        let chain = bundle_chain();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0], der(REPO_LEAF));
        assert_eq!(chain[1], der(REPO_INT));
        let verified = verify_chain(&chain, &[der(REPO_CA)]).unwrap();
        assert_eq!(
            verified.leaf_public_key,
            PublicKey::from_pem(REPO_LEAF_PUB).unwrap()
        );
        assert_eq!(verified.leaf_subject, "CN=intermediate-ca");
        assert_eq!(
            verified.path,
            vec![der(REPO_LEAF), der(REPO_INT), der(REPO_CA)]
        );
        // 2025-05-02T23:36:28Z, the leaf's notBefore.
        assert_eq!(verified.verification_time, 1_746_228_988);
        assert!(verified.warnings.is_empty());
        // The root may also travel in the bundle.
        let with_root = [chain[0].clone(), chain[1].clone(), der(REPO_CA)];
        assert_eq!(
            verify_chain(&with_root, &[der(REPO_CA)])
                .unwrap()
                .path
                .len(),
            3
        );
        // Trusting the intermediate too changes nothing.
        assert_eq!(
            verify_chain(&chain, &[der(REPO_INT), der(REPO_CA)])
                .unwrap()
                .path
                .len(),
            3
        );
        // The intermediate may come from the trusted certificates instead of the bundle.
        assert!(verify_chain(&chain[..1], &[der(REPO_INT), der(REPO_CA)]).is_ok());
    }

    #[test]
    fn trusting_only_the_intermediate_fails() {
        let err = verify_chain(&bundle_chain(), &[der(REPO_INT)]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::TrustedIssuerNotFound {
                subject: "CN=intermediate-ca".into(),
                issuer: "CN=root-ca".into()
            }
        );
        assert!(err
            .to_string()
            .starts_with("unable to get issuer certificate"));
    }

    #[test]
    fn trusting_only_the_leaf_fails() {
        let err = verify_chain(&bundle_chain(), &[der(REPO_LEAF)]).unwrap_err();
        // The leaf (trusted, not self-signed) leads to the bundle's intermediate, whose
        // issuer is nowhere.
        assert_eq!(
            err,
            CertificateError::IssuerNotFound {
                subject: "CN=intermediate-ca".into(),
                issuer: "CN=root-ca".into()
            }
        );
        // The same as OpenSSL's "unable to get local issuer certificate" at depth 0.
        let err = verify_chain(&bundle_chain()[..1], &[der(REPO_LEAF)]).unwrap_err();
        assert!(
            matches!(err, CertificateError::IssuerNotFound { .. }),
            "{err}"
        );
    }

    #[test]
    fn unrelated_root_fails() {
        let err = verify_chain(&bundle_chain(), &[der(ROOT)]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::IssuerNotFound {
                subject: "CN=intermediate-ca".into(),
                issuer: "CN=root-ca".into()
            }
        );
        assert!(err
            .to_string()
            .starts_with("unable to get local issuer certificate"));
    }

    #[test]
    fn missing_intermediate_fails() {
        let err = verify_chain(&bundle_chain()[..1], &[der(REPO_CA)]).unwrap_err();
        // The leaf's issuer name is "intermediate-ca", like its own subject, but its AKI
        // rules itself out as its issuer.
        assert_eq!(
            err,
            CertificateError::IssuerNotFound {
                subject: "CN=intermediate-ca".into(),
                issuer: "CN=intermediate-ca".into()
            }
        );
    }

    #[test]
    fn tampered_signatures_fail() {
        let mut chain = bundle_chain();
        let last = chain[0].len() - 1;
        chain[0][last] ^= 1;
        let err = verify_chain(&chain, &[der(REPO_CA)]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::BadSignature {
                subject: "CN=intermediate-ca".into(),
                issuer: "CN=intermediate-ca".into()
            }
        );
        // A signed byte of the intermediate (inside its subject key).
        let mut chain = bundle_chain();
        chain[1][200] ^= 1;
        let err = verify_chain(&chain, &[der(REPO_CA)]).unwrap_err();
        assert!(
            matches!(err, CertificateError::BadSignature { .. }),
            "{err}"
        );
    }

    #[test]
    fn empty_inputs_and_garbage() {
        assert_eq!(
            verify_chain(&[], &[der(ROOT)]),
            Err(CertificateError::EmptyChain)
        );
        assert_eq!(
            verify_chain(&[der(LEAF)], &[]),
            Err(CertificateError::NoTrustAnchors)
        );
        assert!(matches!(
            verify_chain(&[der(LEAF), vec![0x30, 0x00]], &[der(ROOT)]),
            Err(CertificateError::InvalidChainCertificate { index: 1, .. })
        ));
        assert!(matches!(
            verify_chain(&[der(LEAF)], &[der(ROOT), b"junk".to_vec()]),
            Err(CertificateError::InvalidTrustedCertificate { index: 1, .. })
        ));
    }

    #[test]
    fn fixture_chain_verifies() {
        let verified = verify(&[LEAF, INT], &[ROOT]).unwrap();
        assert_eq!(verified.leaf_subject, "CN=pki-test-leaf");
        assert_eq!(verified.path, vec![der(LEAF), der(INT), der(ROOT)]);
        assert_eq!(verified.leaf_public_key.curve(), Curve::P256);
        // 2020-01-01T00:00:00Z
        assert_eq!(verified.verification_time, 1_577_836_800);
        assert!(verified.warnings.is_empty());
        // Intermediates in any order, with unrelated extras.
        assert!(verify(
            &[LEAF, pki!("int-p521"), INT, ROOT],
            &[pki!("root-rsa"), ROOT]
        )
        .is_ok());
    }

    #[test]
    fn expired_leaf_verifies_at_its_not_before() {
        let verified = verify(&[pki!("leaf-expired"), INT], &[ROOT]).unwrap();
        assert_eq!(verified.verification_time, 1_577_836_800);
    }

    #[test]
    fn intermediate_not_yet_valid() {
        let err = verify(&[pki!("leaf-early"), INT], &[ROOT]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::NotYetValid {
                subject: "CN=pki-test-int".into(),
                not_before: 978_307_200,
                at: 959_817_600,
            }
        );
        assert!(err.to_string().contains("2000-06-01T00:00:00Z"), "{err}");
        assert!(err.to_string().contains("2001-01-01T00:00:00Z"), "{err}");
    }

    #[test]
    fn intermediate_expired() {
        let err = verify(
            &[pki!("leaf-under-int-expired"), pki!("int-expired")],
            &[ROOT],
        )
        .unwrap_err();
        assert_eq!(
            err,
            CertificateError::Expired {
                subject: "CN=pki-test-int-expired".into(),
                not_after: 1_009_843_200,
                at: 1_577_836_800,
            }
        );
        assert!(err.to_string().contains("2002-01-01T00:00:00Z"), "{err}");
    }

    #[test]
    fn anchor_expired() {
        let err = verify(&[pki!("leaf-under-root-old")], &[pki!("root-old")]).unwrap_err();
        assert!(
            matches!(&err, CertificateError::Expired { subject, .. } if subject == "CN=pki-test-root-old"),
            "{err}"
        );
    }

    #[test]
    fn issuer_not_ca() {
        let err = verify(
            &[pki!("leaf-under-int-not-ca"), pki!("int-not-ca")],
            &[ROOT],
        )
        .unwrap_err();
        assert_eq!(
            err,
            CertificateError::IssuerNotCa {
                subject: "CN=pki-test-int-not-ca".into(),
                child: "CN=pki-test-leaf-under-int-not-ca".into(),
            }
        );
    }

    #[test]
    fn issuer_without_key_cert_sign() {
        let err = verify(
            &[
                pki!("leaf-under-int-no-keycertsign"),
                pki!("int-no-keycertsign"),
            ],
            &[ROOT],
        )
        .unwrap_err();
        assert!(
            matches!(&err, CertificateError::IssuerMissingKeyCertSign { subject, .. } if subject == "CN=pki-test-int-no-keycertsign"),
            "{err}"
        );
    }

    #[test]
    fn path_len_constraint() {
        assert!(verify(
            &[pki!("leaf-under-int-pathlen0"), pki!("int-pathlen0")],
            &[ROOT]
        )
        .is_ok());
        let err = verify(
            &[
                pki!("leaf-under-int-below-pathlen0"),
                pki!("int-below-pathlen0"),
                pki!("int-pathlen0"),
            ],
            &[ROOT],
        )
        .unwrap_err();
        assert_eq!(
            err,
            CertificateError::PathLenExceeded {
                subject: "CN=pki-test-int-pathlen0".into(),
                limit: 0,
                found: 1,
            }
        );
    }

    #[test]
    fn critical_name_constraints_refused() {
        let err = verify(
            &[
                pki!("leaf-under-int-name-constraints"),
                pki!("int-name-constraints"),
            ],
            &[ROOT],
        )
        .unwrap_err();
        assert_eq!(
            err,
            CertificateError::NameConstraintsUnsupported {
                subject: "CN=pki-test-int-name-constraints".into()
            }
        );
    }

    #[test]
    fn unknown_critical_extension_refused() {
        let err = verify(&[pki!("leaf-unknown-critical"), INT], &[ROOT]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnknownCriticalExtension {
                subject: "CN=pki-test-leaf-unknown-critical".into(),
                oid: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55555.1"),
            }
        );
    }

    #[test]
    fn leaf_usage_rules() {
        let err = verify(&[pki!("leaf-no-signing-usage"), INT], &[ROOT]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::NotForSigning {
                subject: "CN=pki-test-leaf-no-signing-usage".into()
            }
        );
        assert!(err
            .to_string()
            .starts_with("Signing certificate cannot be used for signing"));
        assert!(matches!(
            verify(&[pki!("leaf-no-usage"), INT], &[ROOT]),
            Err(CertificateError::NotForSigning { .. })
        ));
        let verified = verify(&[pki!("leaf-eku-only"), INT], &[ROOT]).unwrap();
        assert_eq!(
            verified.warnings,
            vec!["Certificate does not specify 'KeyUsage'.".to_string()]
        );
    }

    #[test]
    fn leaf_key_must_be_ec() {
        let err = verify(&[pki!("leaf-rsa"), INT], &[ROOT]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::KeyNotEllipticCurve {
                subject: "CN=pki-test-leaf-rsa".into(),
                kind: "an RSA key"
            }
        );
        assert!(err.to_string().contains("only elliptic curve keys"));
        assert_eq!(certificate_public_key(&der(pki!("leaf-rsa"))), Err(err));
        assert_eq!(
            certificate_public_key(&der(LEAF)).unwrap().curve(),
            Curve::P256
        );
        assert!(matches!(
            certificate_public_key(b"junk"),
            Err(CertificateError::InvalidCertificate { .. })
        ));
        assert_eq!(
            certificate_public_key(&der(REPO_LEAF)).unwrap(),
            PublicKey::from_pem(REPO_LEAF_PUB).unwrap()
        );
    }

    #[test]
    fn self_signed_leaf() {
        let leaf = pki!("selfsigned-leaf");
        let verified = verify(&[leaf], &[leaf]).unwrap();
        assert_eq!(verified.path, vec![der(leaf)]);
        assert_eq!(
            verify(&[leaf], &[ROOT]).unwrap_err(),
            CertificateError::UntrustedSelfSigned {
                subject: "CN=pki-test-selfsigned-leaf".into()
            }
        );
    }

    #[test]
    fn untrusted_root_in_bundle_fails() {
        let err = verify(&[LEAF, INT, ROOT], &[pki!("root-rsa")]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::UntrustedSelfSigned {
                subject: "CN=pki-test-root".into()
            }
        );
    }

    #[test]
    fn same_named_issuers_are_told_apart() {
        // int-twin has int's subject but another key; the leaf's AKI excludes it.
        assert!(verify(&[LEAF, pki!("int-twin"), INT], &[ROOT]).is_ok());
        // Without AKI, the signature check picks the right one.
        let verified = verify(&[pki!("leaf-no-aki"), pki!("int-twin"), INT], &[ROOT]).unwrap();
        assert_eq!(verified.path[1], der(INT));
        // With only the twin, the signature does not verify.
        let err = verify(&[pki!("leaf-no-aki"), pki!("int-twin")], &[ROOT]).unwrap_err();
        assert!(
            matches!(err, CertificateError::BadSignature { .. }),
            "{err}"
        );
    }

    #[test]
    fn other_signature_algorithms() {
        // ECDSA-SHA512 by P-256, then ECDSA-SHA256 by P-521.
        assert!(verify(&[pki!("leaf-under-int-p521"), pki!("int-p521")], &[ROOT]).is_ok());
        // RSA PKCS #1 v1.5 SHA-512 and SHA-256 (self-signature), RSASSA-PSS SHA-384.
        assert!(verify(&[pki!("leaf-under-root-rsa-sha512")], &[pki!("root-rsa")]).is_ok());
        assert!(verify(&[pki!("leaf-under-root-rsa-pss")], &[pki!("root-rsa")]).is_ok());
    }

    #[test]
    fn pem_parsing() {
        let mut text = b"Certificate:\n    Data: (certtool text)\n".to_vec();
        text.extend_from_slice(REPO_CA);
        text.extend_from_slice(b"\nsome text\n");
        text.extend_from_slice(REPO_INT);
        let certs = parse_pem_certificates(&text).unwrap();
        assert_eq!(certs, vec![der(REPO_CA), der(REPO_INT)]);

        assert_eq!(
            parse_pem_certificates(b"nothing"),
            Err(CertificateError::NoPemCertificate)
        );
        assert_eq!(
            parse_pem_certificates(REPO_LEAF_PUB),
            Err(CertificateError::NoPemCertificate)
        );
        assert_eq!(
            parse_pem_certificates(b"-----BEGIN CERTIFICATE-----\nMIIB\n"),
            Err(CertificateError::UnterminatedPemBlock)
        );
        assert_eq!(
            parse_pem_certificates(
                b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"
            ),
            Err(CertificateError::InvalidPemBase64)
        );
        let mut bad = REPO_CA.to_vec();
        bad.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
        assert!(matches!(
            parse_pem_certificates(&bad),
            Err(CertificateError::InvalidPemCertificate { index: 1, .. })
        ));
    }

    #[test]
    fn fingerprint_format() {
        let fp = fingerprint_sha256(&der(REPO_CA));
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(fp
            .chars()
            .all(|c| c == ':' || c.is_ascii_digit() || c.is_ascii_uppercase()));
    }

    #[test]
    fn look_alike_flood_is_bounded() {
        let chain = parse_pem_certificates(pki!("lookalike-flood")).unwrap();
        assert_eq!(chain.len(), 13);
        let err = verify_chain(&chain, &[der(ROOT)]).unwrap_err();
        assert_eq!(
            err,
            CertificateError::PathSearchLimit {
                steps: MAX_SEARCH_STEPS
            }
        );
        // Fewer look-alikes: the search ends and reports the deepest failure.
        let err = verify_chain(&chain[..5], &[der(ROOT)]).unwrap_err();
        assert!(
            matches!(err, CertificateError::IssuerNotFound { .. }),
            "{err}"
        );
    }
}
