//! X.509 certificate chains of `certificate` signatures (docs/format.md §8.4).
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

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use der::Decode;
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::keys::{KeyError, PublicKey};
use crate::oids;
use crate::verify::Warning;

mod error;
mod parsed;
mod path;

pub use error::CertificateError;
use parsed::{Extensions, Parsed};
use path::Search;

/// The longest accepted path, leaf and trust anchor included. Real code-signing chains
/// have three or four certificates; the bound stops loops and absurd chains.
pub const MAX_PATH_LEN: usize = 10;

/// How many partial paths the search may try before giving up. Bundles are untrusted
/// input: many same-named certificates signed by one key would otherwise make the
/// backtracking search exponential.
const MAX_SEARCH_STEPS: usize = 1000;

/// How many certificate signatures one path search may check. A real path needs a
/// handful; a bundle of look-alike certificates (same names, valid-looking keys) would
/// otherwise cost one check per look-alike at every step.
const MAX_SIGNATURE_CHECKS: usize = 100;

/// Extensions a certificate may have (real ones have about a dozen).
pub const MAX_EXTENSIONS: usize = 64;

/// Certificates a signature's chain may hold (real chains have two to four).
pub const MAX_CHAIN_CERTIFICATES: usize = 32;

/// The outcome of a successful chain check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The leaf's public key (EC only).
    pub leaf_public_key: PublicKey,
    /// The time the chain was checked at (seconds since the epoch): the leaf's notBefore,
    /// or the time given to [`verify_chain_at`].
    pub verification_time: u64,
    /// The leaf's subject, RFC 4514 text.
    pub leaf_subject: String,
    /// Every certificate of the path, leaf first, ending with the trust anchor (DER).
    pub path: Vec<Vec<u8>>,
    /// Warnings (e.g. missing KeyUsage) to show the user.
    pub warnings: Vec<Warning>,
}

/// Verifies `chain` (leaf first, then untrusted intermediates, DER) against `anchors`
/// (trusted certificates, DER) at the leaf's notBefore, as the module documentation
/// describes, and returns the leaf's key.
pub fn verify_chain(
    chain: &[Vec<u8>],
    anchors: &[Vec<u8>],
) -> Result<VerifiedChain, CertificateError> {
    verify_chain_when(chain, anchors, None)
}

/// [`verify_chain`] at `time` (seconds since the epoch) instead of the leaf's notBefore:
/// for a signature whose signing time an RFC 3161 timestamp proves, the leaf and every
/// certificate of the path must have been valid then (docs/format.md §8.8).
pub fn verify_chain_at(
    chain: &[Vec<u8>],
    anchors: &[Vec<u8>],
    time: u64,
) -> Result<VerifiedChain, CertificateError> {
    verify_chain_when(chain, anchors, Some(time))
}

/// Whether the certificate `der` was valid at `time` (seconds since the epoch): for a
/// signer checking its own certificate at the time a timestamp authority stated.
pub fn check_valid_at(der: &[u8], time: u64) -> Result<(), CertificateError> {
    let parsed =
        Parsed::new(der).map_err(|reason| CertificateError::InvalidCertificate { reason })?;
    check_validity(&parsed, time)
}

fn verify_chain_when(
    chain: &[Vec<u8>],
    anchors: &[Vec<u8>],
    time: Option<u64>,
) -> Result<VerifiedChain, CertificateError> {
    if chain.is_empty() {
        return Err(CertificateError::EmptyChain);
    }
    if chain.len() > MAX_CHAIN_CERTIFICATES {
        return Err(CertificateError::TooManyCertificates {
            count: chain.len(),
            max: MAX_CHAIN_CERTIFICATES,
        });
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
    let time = time.unwrap_or(leaf.not_before);
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
fn leaf_usage(
    leaf: &Parsed<'_>,
    extensions: &Extensions,
) -> Result<Vec<Warning>, CertificateError> {
    let mut warnings = Vec::new();
    let mut can_sign = false;
    match &extensions.key_usage {
        Some(usage) => can_sign = usage.digital_signature(),
        None => warnings.push(Warning::CertificateWithoutKeyUsage),
    }
    if !can_sign {
        match &extensions.ext_key_usage {
            Some(usage) => can_sign = usage.0.contains(&oids::KP_CODE_SIGNING),
            None => warnings.push(Warning::CertificateWithoutExtendedKeyUsage),
        }
    }
    if !can_sign {
        return Err(CertificateError::NotForSigning {
            subject: leaf.subject.clone(),
        });
    }
    Ok(warnings)
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

/// The extension `oid` of a decoded certificate: whether it is critical, and its value
/// decoded as `T`. `None` when the certificate lacks it or its value is not a `T` (for
/// the Sigstore and timestamp checks, which read one extension each, both mean "not as
/// required").
pub(crate) fn decoded_extension<T: for<'a> Decode<'a>>(
    cert: &Certificate,
    oid: der::asn1::ObjectIdentifier,
) -> Option<(bool, T)> {
    let ext = cert
        .tbs_certificate
        .extensions
        .as_deref()?
        .iter()
        .find(|e| e.extn_id == oid)?;
    Some((ext.critical, T::from_der(ext.extn_value.as_bytes()).ok()?))
}

#[cfg(test)]
mod tests;
