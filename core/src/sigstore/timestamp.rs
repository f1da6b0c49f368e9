//! RFC 3161 timestamps: a timestamp authority's signed statement that a signature
//! existed at `genTime`.
//!
//! The bundle holds DER `TimeStampResp`s whose message imprint is the hash of the
//! signature bytes. A timestamp is accepted when, for one timestamp authority of the
//! trusted root: the CMS `SignedData` is signed by the authority's leaf (named by the
//! signer identifier, and equal to the certificate embedded in the token if there is
//! one), the signed attributes bind the `TSTInfo` (content type and message digest) and
//! the signing certificate (ESS `signingCertificateV2`, when present), the leaf is a
//! non-CA certificate with a critical timeStamping EKU that chains to the authority's
//! anchor at `genTime`, and the authority's `validFor` contains `genTime`.
//!
//! The structure is walked by hand (`asn1.rs`) rather than decoded with `cms`:
//! the signed attributes must be verified exactly as received, and `genTime` may carry
//! fractional seconds, which the `der` crate's `GeneralizedTime` refuses.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectKeyIdentifier};
use x509_cert::Certificate;

use super::asn1::{
    encode, DerReader, Tlv, GENERALIZED_TIME, INTEGER, OCTET_STRING, OID, SEQUENCE, SET,
};
use super::time::UnixTime;
use super::trust_root::CertificateAuthority;
use crate::certificate::{decoded_extension, verify_path_at, CertificateError};
use crate::keys::SignatureHash;
use crate::keys::{CryptoError, Scheme, VerifyingKey};
use crate::oids;

/// Why a timestamp was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The DER structure is not a timestamp response or token.
    #[error("the timestamp is malformed ({0})")]
    Malformed(&'static str),
    /// The response's status is not granted.
    #[error("the timestamp response has status {0}, not granted")]
    NotGranted(u64),
    /// The token is not CMS SignedData over a TSTInfo.
    #[error("the timestamp token is not CMS SignedData over a TSTInfo")]
    WrongContentType,
    /// The message imprint uses a hash other than SHA-256/384/512 (SHA-1 is refused).
    #[error("the timestamp's message imprint uses an unsupported hash ({0})")]
    UnsupportedImprintHash(String),
    /// The timestamp is over other data than the bundle's signature.
    #[error("the timestamp is over other data than the bundle's signature")]
    ImprintMismatch,
    /// Not exactly one signer.
    #[error("the timestamp token has {0} signers, expected 1")]
    SignerCount(usize),
    /// No timestamp authority of the trusted root signed it.
    #[error("the timestamp was not signed by a timestamp authority of the trusted root")]
    UntrustedAuthority,
    /// The certificate embedded in the token for the signer differs from the authority's.
    #[error("the timestamp embeds a signing certificate that differs from the trusted timestamp authority's")]
    EmbeddedCertificateMismatch,
    /// The signed attributes lack the content type, or it is not TSTInfo.
    #[error("the timestamp's signed content-type attribute is missing or not TSTInfo")]
    ContentTypeAttribute,
    /// The signed message-digest attribute is missing or does not match the TSTInfo.
    #[error("the timestamp's signed message digest does not match its TSTInfo")]
    MessageDigestMismatch,
    /// The ESS signing-certificate attribute names another certificate.
    #[error(
        "the timestamp's signing-certificate attribute does not name the authority's certificate"
    )]
    SigningCertificateMismatch,
    /// An unsupported signature or digest algorithm.
    #[error("the timestamp is signed with an unsupported algorithm ({0})")]
    UnsupportedAlgorithm(String),
    /// The signature does not verify with the authority's key.
    #[error("the timestamp's signature does not verify with the authority's key: {0}")]
    BadSignature(CryptoError),
    /// The signing certificate is not a timestamping leaf (critical timeStamping EKU,
    /// not a CA).
    #[error("the timestamp authority's certificate may not sign timestamps: {0}")]
    NotTimestampingCertificate(&'static str),
    /// The authority's chain is not valid at `genTime`.
    #[error("the timestamp authority's certificate chain is not valid at {at}: {reason}")]
    Chain {
        /// `genTime`.
        at: UnixTime,
        /// Why.
        reason: CertificateError,
    },
    /// `genTime` is outside the authority's `validFor` in the trusted root.
    #[error(
        "the timestamp time {0} is outside the timestamp authority's validity in the trusted root"
    )]
    OutsideAuthorityValidity(UnixTime),
    /// Certificates given as a timestamp authority's chain do not form one
    /// ([`authority_from_certificates`]).
    #[error("the timestamp authority's certificates are not a chain: {0}")]
    InvalidAuthorityChain(&'static str),
}

/// A timestamp that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    /// `genTime`.
    pub gen_time: UnixTime,
    /// The authority's position in the trusted root.
    pub authority: usize,
    /// Its `commonName`.
    pub authority_name: Option<String>,
}

fn bad(what: &'static str) -> TimestampError {
    TimestampError::Malformed(what)
}

fn oid_of(tlv: Tlv<'_>) -> Result<ObjectIdentifier, TimestampError> {
    if tlv.tag != OID {
        return Err(bad("expected an OID"));
    }
    ObjectIdentifier::from_bytes(tlv.value).map_err(|_| bad("invalid OID"))
}

/// `AlgorithmIdentifier` → its OID.
fn algorithm(tlv: Tlv<'_>) -> Result<ObjectIdentifier, TimestampError> {
    if tlv.tag != SEQUENCE {
        return Err(bad("expected an AlgorithmIdentifier"));
    }
    oid_of(
        DerReader::new(tlv.value)
            .read()
            .ok_or(bad("empty AlgorithmIdentifier"))?,
    )
}

fn small_uint(tlv: Tlv<'_>) -> Result<u64, TimestampError> {
    if tlv.tag != INTEGER || tlv.value.is_empty() || tlv.value.len() > 8 || tlv.value[0] & 0x80 != 0
    {
        return Err(bad("expected a small non-negative INTEGER"));
    }
    Ok(tlv.value.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
}

/// The parts of a timestamp token that verification needs.
struct Token<'a> {
    /// The TSTInfo DER (eContent).
    tst_info: &'a [u8],
    gen_time: UnixTime,
    /// Embedded certificates (DER).
    certificates: Vec<&'a [u8]>,
    /// The signer identifier TLV.
    sid: Tlv<'a>,
    digest_algorithm: ObjectIdentifier,
    /// The `[0] IMPLICIT` signed attributes' content, if present.
    signed_attrs: Option<&'a [u8]>,
    signature_algorithm: ObjectIdentifier,
    signature: &'a [u8],
}

fn parse<'a>(resp: &'a [u8], signature: &[u8]) -> Result<Token<'a>, TimestampError> {
    let outer = DerReader::new(resp)
        .expect(SEQUENCE)
        .ok_or(bad("not a SEQUENCE"))?;
    let mut r = DerReader::new(outer.value);
    // A TimeStampResp starts with its PKIStatusInfo; a bare token (ContentInfo) with an
    // OID. Bundles should hold responses, but a token alone carries the same proof.
    let content_info = if r.peek_tag() == Some(SEQUENCE) {
        let status = r.read().ok_or(bad("status"))?;
        let code = small_uint(DerReader::new(status.value).read().ok_or(bad("status"))?)?;
        if code > 1 {
            return Err(TimestampError::NotGranted(code));
        }
        r.expect(SEQUENCE).ok_or(bad("no timestamp token"))?.value
    } else {
        outer.value
    };
    let mut ci = DerReader::new(content_info);
    if oid_of(ci.read().ok_or(bad("content type"))?)? != oids::SIGNED_DATA {
        return Err(TimestampError::WrongContentType);
    }
    let explicit = ci.expect(0xa0).ok_or(bad("content"))?;
    let sd = DerReader::new(explicit.value)
        .expect(SEQUENCE)
        .ok_or(bad("SignedData"))?;
    let mut sd = DerReader::new(sd.value);
    sd.expect(INTEGER).ok_or(bad("SignedData version"))?;
    sd.expect(SET).ok_or(bad("digestAlgorithms"))?;
    let encap = sd.expect(SEQUENCE).ok_or(bad("encapContentInfo"))?;
    let mut encap = DerReader::new(encap.value);
    if oid_of(encap.read().ok_or(bad("eContentType"))?)? != oids::TST_INFO {
        return Err(TimestampError::WrongContentType);
    }
    let econtent = encap.expect(0xa0).ok_or(bad("no eContent"))?;
    let tst_info = DerReader::new(econtent.value)
        .expect(OCTET_STRING)
        .ok_or(bad("eContent"))?
        .value;
    let mut certificates = Vec::new();
    if let Some(certs) = sd.optional(0xa0).ok_or(bad("certificates"))? {
        for c in DerReader::new(certs.value)
            .all()
            .ok_or(bad("certificates"))?
        {
            // Other CertificateChoices (attribute certificates…) are irrelevant here.
            if c.tag == SEQUENCE {
                certificates.push(c.raw);
            }
        }
    }
    sd.optional(0xa1).ok_or(bad("crls"))?;
    let signer_infos = sd.expect(SET).ok_or(bad("signerInfos"))?;
    let signers = DerReader::new(signer_infos.value)
        .all()
        .ok_or(bad("signerInfos"))?;
    if signers.len() != 1 {
        return Err(TimestampError::SignerCount(signers.len()));
    }
    let mut si = DerReader::new(signers[0].value);
    si.expect(INTEGER).ok_or(bad("SignerInfo version"))?;
    let sid = si.read().ok_or(bad("sid"))?;
    let digest_algorithm = algorithm(si.read().ok_or(bad("digestAlgorithm"))?)?;
    let signed_attrs = si
        .optional(0xa0)
        .ok_or(bad("signedAttrs"))?
        .map(|t| t.value);
    let signature_algorithm = algorithm(si.read().ok_or(bad("signatureAlgorithm"))?)?;
    let sig = si.expect(OCTET_STRING).ok_or(bad("signature"))?.value;

    // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, … }
    let tst = DerReader::new(tst_info)
        .expect(SEQUENCE)
        .ok_or(bad("TSTInfo"))?;
    let mut tst = DerReader::new(tst.value);
    tst.expect(INTEGER).ok_or(bad("TSTInfo version"))?;
    tst.expect(OID).ok_or(bad("TSTInfo policy"))?;
    let imprint = tst.expect(SEQUENCE).ok_or(bad("messageImprint"))?;
    let mut imprint = DerReader::new(imprint.value);
    let imprint_alg = algorithm(imprint.read().ok_or(bad("messageImprint"))?)?;
    let hashed = imprint
        .expect(OCTET_STRING)
        .ok_or(bad("hashedMessage"))?
        .value;
    tst.expect(INTEGER).ok_or(bad("TSTInfo serialNumber"))?;
    let gen_time = tst.expect(GENERALIZED_TIME).ok_or(bad("genTime"))?;
    let gen_time = UnixTime::parse_generalized_time(gen_time.value).ok_or(bad("genTime"))?;

    let hash = SignatureHash::from_oid(&imprint_alg)
        .ok_or_else(|| TimestampError::UnsupportedImprintHash(imprint_alg.to_string()))?;
    if hash.digest(signature) != hashed {
        return Err(TimestampError::ImprintMismatch);
    }
    Ok(Token {
        tst_info,
        gen_time,
        certificates,
        sid,
        digest_algorithm,
        signed_attrs,
        signature_algorithm,
        signature: sig,
    })
}

/// Whether `cert` is the one the signer identifier names.
fn sid_matches(sid: Tlv<'_>, cert: &Certificate) -> bool {
    match sid.tag {
        // IssuerAndSerialNumber
        SEQUENCE => {
            let mut r = DerReader::new(sid.value);
            let (Some(issuer), Some(serial)) = (r.expect(SEQUENCE), r.expect(INTEGER)) else {
                return false;
            };
            cert.tbs_certificate.issuer.to_der().ok().as_deref() == Some(issuer.raw)
                && cert.tbs_certificate.serial_number.as_bytes() == serial.value
        }
        // [0] SubjectKeyIdentifier
        0x80 => decoded_extension::<SubjectKeyIdentifier>(cert, oids::SUBJECT_KEY_ID)
            .is_some_and(|(_, ski)| ski.0.as_bytes() == sid.value),
        _ => false,
    }
}

fn is_ca(cert: &Certificate) -> bool {
    decoded_extension::<BasicConstraints>(cert, oids::BASIC_CONSTRAINTS)
        .is_some_and(|(_, bc)| bc.ca)
}

/// The signed attribute `oid`'s single value.
fn attribute<'a>(
    attrs: &'a [u8],
    oid: ObjectIdentifier,
) -> Result<Option<Tlv<'a>>, TimestampError> {
    for attr in DerReader::new(attrs).all().ok_or(bad("signedAttrs"))? {
        let mut a = DerReader::new(attr.value);
        if oid_of(a.read().ok_or(bad("attribute"))?)? != oid {
            continue;
        }
        let values = a.expect(SET).ok_or(bad("attribute values"))?;
        let values = DerReader::new(values.value)
            .all()
            .ok_or(bad("attribute values"))?;
        if values.len() != 1 {
            return Err(bad("attribute with several values"));
        }
        return Ok(Some(values[0]));
    }
    Ok(None)
}

/// The scheme the signer used, from the signature and digest algorithms.
fn scheme(token: &Token<'_>) -> Result<Scheme, TimestampError> {
    let digest = SignatureHash::from_oid(&token.digest_algorithm);
    Scheme::from_cms(&token.signature_algorithm, digest)
        .map_err(|_| TimestampError::UnsupportedAlgorithm(token.signature_algorithm.to_string()))
}

/// Checks the token against one authority.
fn verify_with(token: &Token<'_>, tsa: &CertificateAuthority) -> Result<(), TimestampError> {
    let untrusted = TimestampError::UntrustedAuthority;
    let chain: Vec<Certificate> = tsa
        .chain
        .iter()
        .map(|c| Certificate::from_der(c))
        .collect::<Result<_, _>>()
        .map_err(|_| untrusted.clone())?;
    // The trusted root lists the TSA's leaf first, unless its first certificate is a CA
    // (then the leaf must come from the token and chain to the listed certificates).
    let trusted_leaf = (!is_ca(&chain[0])).then_some(0);
    let embedded = token
        .certificates
        .iter()
        .filter_map(|der| Some((*der, Certificate::from_der(der).ok()?)))
        .find(|(_, c)| sid_matches(token.sid, c));
    let (signer_der, signer): (&[u8], &Certificate) = match (trusted_leaf, &embedded) {
        (Some(i), embedded) => {
            if !sid_matches(token.sid, &chain[i]) {
                return Err(untrusted);
            }
            // sigstore-go: an embedded signer certificate must be the trusted leaf.
            if embedded
                .as_ref()
                .is_some_and(|(der, _)| *der != tsa.chain[i].as_slice())
            {
                return Err(TimestampError::EmbeddedCertificateMismatch);
            }
            (&tsa.chain[i], &chain[i])
        }
        (None, Some((der, cert))) => (der, cert),
        (None, None) => return Err(untrusted),
    };

    // Signed attributes: content type and message digest bind the TSTInfo.
    let scheme = scheme(token)?;
    let message: Vec<u8> = match token.signed_attrs {
        Some(attrs) => {
            let ct = attribute(attrs, oids::CONTENT_TYPE)?
                .ok_or(TimestampError::ContentTypeAttribute)?;
            if oid_of(ct).ok() != Some(oids::TST_INFO) {
                return Err(TimestampError::ContentTypeAttribute);
            }
            let digest_hash =
                SignatureHash::from_oid(&token.digest_algorithm).ok_or_else(|| {
                    TimestampError::UnsupportedAlgorithm(token.digest_algorithm.to_string())
                })?;
            let md = attribute(attrs, oids::MESSAGE_DIGEST)?
                .ok_or(TimestampError::MessageDigestMismatch)?;
            if md.tag != OCTET_STRING || md.value != digest_hash.digest(token.tst_info) {
                return Err(TimestampError::MessageDigestMismatch);
            }
            // ESS signingCertificateV2 (RFC 5035), when present, must name the signer.
            // The SHA-1 `signingCertificate` (v1) is not checked: the signer is already
            // pinned to the trusted root's certificate by the signer identifier.
            if let Some(v2) = attribute(attrs, oids::SIGNING_CERTIFICATE_V2)? {
                check_ess_v2(v2, signer_der)?;
            }
            // The signature covers the attributes re-tagged as a SET OF (RFC 5652 §5.4).
            encode(SET, attrs)
        }
        None => token.tst_info.to_vec(),
    };
    let spki = signer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| bad("signer key"))?;
    let key = VerifyingKey::from_spki_der(&spki).map_err(TimestampError::BadSignature)?;
    key.verify(scheme, &message, token.signature)
        .map_err(TimestampError::BadSignature)?;

    // The signer must be a timestamping leaf (RFC 3161 §2.3: EKU timeStamping only, critical).
    match decoded_extension::<ExtendedKeyUsage>(signer, oids::EXT_KEY_USAGE) {
        Some((true, eku)) if eku.0.contains(&oids::KP_TIME_STAMPING) => {}
        Some((false, _)) => {
            return Err(TimestampError::NotTimestampingCertificate(
                "its ExtendedKeyUsage is not critical",
            ))
        }
        _ => {
            return Err(TimestampError::NotTimestampingCertificate(
                "it lacks ExtendedKeyUsage timeStamping",
            ))
        }
    }
    if is_ca(signer) {
        return Err(TimestampError::NotTimestampingCertificate(
            "it is a CA certificate",
        ));
    }

    // Hybrid model: the chain is checked at genTime, so an expired TSA still vouches for
    // the times it signed while valid.
    let at = token.gen_time;
    let first_intermediate = if trusted_leaf.is_some() { 1 } else { 0 };
    let last = tsa.chain.len() - 1;
    let intermediates = if first_intermediate < last {
        &tsa.chain[first_intermediate..last]
    } else {
        &[]
    };
    verify_path_at(
        signer_der,
        intermediates,
        &tsa.chain[last..],
        at.floor_secs().unwrap_or(0),
    )
    .map_err(|reason| TimestampError::Chain { at, reason })?;
    if !tsa.valid_for.contains(at) {
        return Err(TimestampError::OutsideAuthorityValidity(at));
    }
    Ok(())
}

fn check_ess_v2(value: Tlv<'_>, signer_der: &[u8]) -> Result<(), TimestampError> {
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … }
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }
    let certs = DerReader::new(value.value)
        .expect(SEQUENCE)
        .ok_or(bad("signingCertificateV2"))?;
    let first = DerReader::new(certs.value)
        .expect(SEQUENCE)
        .ok_or(bad("ESSCertIDv2"))?;
    let mut id = DerReader::new(first.value);
    let hash = match id.peek_tag() {
        Some(SEQUENCE) => {
            let oid = algorithm(id.read().ok_or(bad("ESSCertIDv2"))?)?;
            SignatureHash::from_oid(&oid)
                .ok_or_else(|| TimestampError::UnsupportedAlgorithm(oid.to_string()))?
        }
        _ => SignatureHash::Sha256,
    };
    let cert_hash = id.expect(OCTET_STRING).ok_or(bad("ESSCertIDv2 certHash"))?;
    if cert_hash.value != hash.digest(signer_der) {
        return Err(TimestampError::SigningCertificateMismatch);
    }
    Ok(())
}

/// Verifies one `signedTimestamp` (DER TimeStampResp) over `signature` against
/// `authorities` (a trusted root's timestamp authorities, or the ones given for key and
/// certificate signatures).
///
/// Each authority is tried; the error reported is the first from an authority whose
/// certificate the token names (the most specific), or [`TimestampError::UntrustedAuthority`].
pub fn verify_timestamp(
    resp: &[u8],
    signature: &[u8],
    authorities: &[CertificateAuthority],
) -> Result<VerifiedTimestamp, TimestampError> {
    let token = parse(resp, signature)?;
    let mut error = TimestampError::UntrustedAuthority;
    for (index, tsa) in authorities.iter().enumerate() {
        match verify_with(&token, tsa) {
            Ok(()) => {
                return Ok(VerifiedTimestamp {
                    gen_time: token.gen_time,
                    authority: index,
                    authority_name: tsa.common_name.clone(),
                })
            }
            Err(TimestampError::UntrustedAuthority) => {}
            Err(e) => {
                if error == TimestampError::UntrustedAuthority {
                    error = e;
                }
            }
        }
    }
    Err(error)
}

/// A timestamp authority from its certificates (DER, in any order), as a user gives them
/// for key and certificate signatures (`--tsa-certificate-chain`): exactly one
/// self-signed CA certificate (the trust anchor), any intermediate CA certificates, and
/// at most one non-CA certificate, the authority's signing certificate (without it,
/// timestamps must embed that certificate). The authority is valid at all times: its
/// certificates' own validity is checked at each timestamp's `genTime`. Its name, shown
/// with verified times, is the subject of its signing certificate, else of the anchor.
pub fn authority_from_certificates(
    certificates: &[Vec<u8>],
) -> Result<CertificateAuthority, TimestampError> {
    let mut leaf = None;
    let mut anchor = None;
    let mut intermediates = Vec::new();
    for der in certificates {
        let cert = Certificate::from_der(der).map_err(|_| {
            TimestampError::InvalidAuthorityChain("a certificate cannot be decoded")
        })?;
        let tbs = &cert.tbs_certificate;
        let slot = if !is_ca(&cert) {
            &mut leaf
        } else if tbs.issuer == tbs.subject {
            &mut anchor
        } else {
            intermediates.push(der.clone());
            continue;
        };
        if slot.is_some() {
            return Err(TimestampError::InvalidAuthorityChain(if is_ca(&cert) {
                "it has more than one self-signed root certificate (give each authority in its own file)"
            } else {
                "it has more than one non-CA (timestamp signing) certificate (give each authority in its own file)"
            }));
        }
        *slot = Some((der.clone(), tbs.subject.to_string()));
    }
    let (anchor, anchor_name) = anchor.ok_or(TimestampError::InvalidAuthorityChain(
        "it has no self-signed root certificate",
    ))?;
    let name = leaf.as_ref().map_or(anchor_name, |(_, n)| n.clone());
    let mut chain: Vec<Vec<u8>> = leaf.into_iter().map(|(der, _)| der).collect();
    chain.extend(intermediates);
    chain.push(anchor);
    Ok(CertificateAuthority {
        organization: None,
        common_name: Some(name),
        uri: None,
        chain,
        valid_for: super::trust_root::ValidityPeriod::default(),
        operator: None,
    })
}

/// The `genTime` a timestamp response states for `signature`, **without** checking who
/// signed it: only its form, its status and that its message imprint is the hash of
/// `signature`. For a signer that has just received the response and wants to check its
/// own certificate at that time before writing anything; verification uses
/// [`verify_timestamp`].
pub fn stated_time(resp: &[u8], signature: &[u8]) -> Result<UnixTime, TimestampError> {
    Ok(parse(resp, signature)?.gen_time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::parse_pem_certificates;

    /// The test TSA's signing certificate and root (tests/vectors/timestamped).
    const TSA_CHAIN: &[u8] = include_bytes!("../../../tests/vectors/timestamped/tsa-chain.pem");
    /// A self-signed root of another authority.
    const OTHER_ROOT: &[u8] = include_bytes!("../../../tests/vectors/timestamped/root.pem");

    #[test]
    fn an_authority_is_ordered_leaf_first_whatever_the_file_order() {
        let certs = parse_pem_certificates(TSA_CHAIN).unwrap();
        let reversed: Vec<Vec<u8>> = certs.iter().rev().cloned().collect();
        for given in [&certs, &reversed] {
            let authority = authority_from_certificates(given).unwrap();
            assert_eq!(authority.chain, certs);
            assert_eq!(
                authority.common_name.as_deref(),
                Some("O=sigstore.mock,CN=tsa signing")
            );
        }
        // Without its signing certificate, the root alone (timestamps must embed it).
        let root_only = authority_from_certificates(&certs[1..]).unwrap();
        assert_eq!(root_only.chain, certs[1..]);
    }

    #[test]
    fn certificates_that_are_not_one_authority_are_refused() {
        let certs = parse_pem_certificates(TSA_CHAIN).unwrap();
        let other = parse_pem_certificates(OTHER_ROOT).unwrap();
        let two_roots = [certs.clone(), other].concat();
        for (given, needle) in [
            (&certs[..1], "no self-signed root"),
            (&two_roots[..], "more than one self-signed root"),
            (
                &[certs[0].clone(), certs[0].clone(), certs[1].clone()][..],
                "more than one non-CA",
            ),
        ] {
            let e = authority_from_certificates(given).unwrap_err();
            assert!(e.to_string().contains(needle), "{e}");
        }
    }
}
