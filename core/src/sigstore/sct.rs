//! Signed certificate timestamps (RFC 6962 §3.2) embedded in Fulcio certificates.
//!
//! Fulcio submits a *precertificate* to a CT log and embeds the log's SCT in the final
//! certificate (extension 1.3.6.1.4.1.11129.2.4.2). The SCT signs the precertificate's
//! TBSCertificate, which is the final one without the SCT extension, so it is rebuilt by
//! removing that extension from the DER (nothing else changes: the poison extension of
//! the precertificate is not part of what is signed).

use alloc::string::String;
use alloc::vec::Vec;

use der::{Decode, Encode};
use sha2::{Digest as _, Sha256};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::Certificate;

use crate::oids;

use super::asn1::{encode, DerReader, OCTET_STRING, SEQUENCE};
use super::time::UnixTime;
use super::trust_root::TrustedRoot;
use crate::encoding::b64encode;
use crate::keys::SignatureHash;
use crate::keys::{CryptoError, Scheme};

/// One parsed SCT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sct {
    /// The log's ID: SHA-256 of its SPKI.
    pub log_id: [u8; 32],
    /// Milliseconds since the epoch.
    pub timestamp_ms: u64,
    /// `CtExtensions` (empty for most logs; Static CT logs put the leaf index here).
    pub extensions: Vec<u8>,
    /// TLS `HashAlgorithm`.
    pub hash_algorithm: u8,
    /// TLS `SignatureAlgorithm`.
    pub signature_algorithm: u8,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Why the certificate's SCTs were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SctError {
    /// The certificate carries no SCT.
    #[error("the signing certificate has no embedded signed certificate timestamp (SCT)")]
    Missing,
    /// The SCT list or the certificate cannot be decoded.
    #[error("the certificate's SCT list is malformed: {0}")]
    Malformed(&'static str),
    /// No SCT is from a CT log of the trusted root.
    #[error(
        "no SCT of the signing certificate is from a CT log of the trusted root (log ID {log_id})"
    )]
    UnknownLog {
        /// The first unknown log ID, base64.
        log_id: String,
    },
    /// An SCT uses a signature or hash algorithm this verifier does not support.
    #[error("an SCT uses the unsupported TLS algorithm pair (hash {hash}, signature {signature})")]
    UnsupportedAlgorithm {
        /// TLS HashAlgorithm.
        hash: u8,
        /// TLS SignatureAlgorithm.
        signature: u8,
    },
    /// The CT log's key is unusable.
    #[error("the key of CT log {0} cannot be used")]
    UnusableLogKey(String),
    /// An SCT's timestamp is outside the CT log key's validity in the trusted root.
    #[error(
        "the SCT timestamp {time} is outside the validity of CT log {log} in the trusted root"
    )]
    OutsideLogValidity {
        /// The log's base URL.
        log: String,
        /// The SCT time.
        time: UnixTime,
    },
    /// An SCT's signature does not verify.
    #[error("the SCT from CT log {log} does not verify over the precertificate: the certificate was altered or the SCT forged")]
    BadSignature {
        /// The log's base URL.
        log: String,
        /// The crypto failure.
        reason: CryptoError,
    },
}

fn malformed(what: &'static str) -> SctError {
    SctError::Malformed(what)
}

/// Reads the TLS-encoded `SignedCertificateTimestampList`.
pub fn parse_sct_list(tls: &[u8]) -> Result<Vec<Sct>, SctError> {
    let mut r = Tls(tls);
    let total = r.u16()?;
    if usize::from(total) != r.0.len() {
        return Err(malformed("list length"));
    }
    let mut out = Vec::new();
    while !r.0.is_empty() {
        let len = usize::from(r.u16()?);
        let mut s = Tls(r.take(len)?);
        if s.u8()? != 0 {
            return Err(malformed("unknown SCT version"));
        }
        let log_id: [u8; 32] = s.take(32)?.try_into().map_err(|_| malformed("log ID"))?;
        let timestamp_ms =
            u64::from_be_bytes(s.take(8)?.try_into().map_err(|_| malformed("timestamp"))?);
        let ext_len = usize::from(s.u16()?);
        let extensions = s.take(ext_len)?.to_vec();
        let hash_algorithm = s.u8()?;
        let signature_algorithm = s.u8()?;
        let sig_len = usize::from(s.u16()?);
        let signature = s.take(sig_len)?.to_vec();
        if !s.0.is_empty() {
            return Err(malformed("trailing bytes in an SCT"));
        }
        out.push(Sct {
            log_id,
            timestamp_ms,
            extensions,
            hash_algorithm,
            signature_algorithm,
            signature,
        });
    }
    Ok(out)
}

struct Tls<'a>(&'a [u8]);

impl<'a> Tls<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SctError> {
        if self.0.len() < n {
            return Err(malformed("truncated"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, SctError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, SctError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
}

/// The leaf's TBSCertificate without the SCT-list extension, re-encoded.
pub fn precertificate_tbs(leaf: &[u8]) -> Result<Vec<u8>, SctError> {
    let cert = DerReader::new(leaf)
        .expect(SEQUENCE)
        .ok_or(malformed("certificate"))?;
    let tbs = DerReader::new(cert.value)
        .expect(SEQUENCE)
        .ok_or(malformed("TBSCertificate"))?;
    let mut content = Vec::with_capacity(tbs.value.len());
    let mut fields = DerReader::new(tbs.value);
    let mut removed = false;
    while !fields.is_empty() {
        let field = fields.read().ok_or(malformed("TBSCertificate field"))?;
        // extensions [3] EXPLICIT Extensions
        if field.tag != 0xa3 {
            content.extend_from_slice(field.raw);
            continue;
        }
        let list = DerReader::new(field.value)
            .expect(SEQUENCE)
            .ok_or(malformed("extensions"))?;
        let mut kept = Vec::with_capacity(list.value.len());
        for ext in DerReader::new(list.value)
            .all()
            .ok_or(malformed("extension"))?
        {
            let oid = DerReader::new(ext.value)
                .expect(super::asn1::OID)
                .ok_or(malformed("extension OID"))?;
            if oid.value == oids::SCT_LIST.as_bytes() {
                removed = true;
            } else {
                kept.extend_from_slice(ext.raw);
            }
        }
        content.extend_from_slice(&encode(0xa3, &encode(SEQUENCE, &kept)));
    }
    if !removed {
        return Err(SctError::Missing);
    }
    Ok(encode(SEQUENCE, &content))
}

/// The SPKI (DER) whose hash the SCT covers: that of the leaf's issuer, or of the
/// issuer's issuer when the issuer is a precertificate-signing certificate.
fn issuer_key(path: &[Vec<u8>]) -> Result<Vec<u8>, SctError> {
    let issuer = Certificate::from_der(path.get(1).ok_or(malformed("no issuer"))?)
        .map_err(|_| malformed("issuer"))?;
    let precert_signer = issuer
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|e| e.extn_id == oids::EXT_KEY_USAGE)
        .filter_map(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .any(|eku| eku.0.contains(&oids::KP_PRECERT_SIGNING));
    let issuer = if precert_signer {
        Certificate::from_der(
            path.get(2)
                .ok_or(malformed("no issuer above the precertificate signer"))?,
        )
        .map_err(|_| malformed("issuer"))?
    } else {
        issuer
    };
    issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| malformed("issuer key"))
}

/// Verifies the SCTs embedded in the leaf of `path` (leaf first, DER) against the CT
/// logs of `root`, returning how many verified.
///
/// Strict choice (the clients differ: sigstore-python wants exactly one SCT,
/// sigstore-go at least one verified from a known log): every SCT from a CT log of the
/// trusted root must verify, at least one must, and SCTs from logs the root does not
/// know are ignored (they cannot be checked, and another log's SCT vouches for nothing
/// here). The SCT time must lie in the log key's `validFor`, as sigstore-go requires.
pub fn verify_embedded_scts(path: &[Vec<u8>], root: &TrustedRoot) -> Result<usize, SctError> {
    let leaf = Certificate::from_der(&path[0]).map_err(|_| malformed("leaf"))?;
    let ext = leaf
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|e| e.extn_id == oids::SCT_LIST)
        .ok_or(SctError::Missing)?;
    let inner = DerReader::new(ext.extn_value.as_bytes())
        .expect(OCTET_STRING)
        .ok_or(malformed("extension value"))?;
    let scts = parse_sct_list(inner.value)?;
    if scts.is_empty() {
        return Err(SctError::Missing);
    }
    let tbs = precertificate_tbs(&path[0])?;
    let issuer_key_hash: [u8; 32] = Sha256::digest(issuer_key(path)?).into();
    let mut verified = 0;
    for sct in &scts {
        let Some(log) = root.ctlog(&sct.log_id) else {
            continue;
        };
        let (key, _) = log
            .key
            .as_ref()
            .map_err(|_| SctError::UnusableLogKey(log.base_url.clone()))?;
        let time = UnixTime {
            secs: (sct.timestamp_ms / 1000) as i64,
            nanos: (sct.timestamp_ms % 1000) as u32 * 1_000_000,
        };
        if !log.valid_for.contains(time) {
            return Err(SctError::OutsideLogValidity {
                log: log.base_url.clone(),
                time,
            });
        }
        let hash = match sct.hash_algorithm {
            4 => SignatureHash::Sha256,
            5 => SignatureHash::Sha384,
            6 => SignatureHash::Sha512,
            _ => return Err(unsupported(sct)),
        };
        let scheme = match sct.signature_algorithm {
            1 => Scheme::RsaPkcs1(hash),
            3 => Scheme::Ecdsa(hash),
            _ => return Err(unsupported(sct)),
        };
        // digitally-signed struct of RFC 6962 §3.2, precert_entry.
        let mut msg = Vec::with_capacity(tbs.len() + 64);
        msg.extend_from_slice(&[0, 0]); // v1, certificate_timestamp
        msg.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
        msg.extend_from_slice(&[0, 1]); // precert_entry
        msg.extend_from_slice(&issuer_key_hash);
        let len = tbs.len() as u32;
        msg.extend_from_slice(&len.to_be_bytes()[1..]);
        msg.extend_from_slice(&tbs);
        msg.extend_from_slice(&(sct.extensions.len() as u16).to_be_bytes());
        msg.extend_from_slice(&sct.extensions);
        key.verify(scheme, &msg, &sct.signature)
            .map_err(|reason| SctError::BadSignature {
                log: log.base_url.clone(),
                reason,
            })?;
        verified += 1;
    }
    if verified == 0 {
        return Err(SctError::UnknownLog {
            log_id: b64encode(&scts[0].log_id),
        });
    }
    Ok(verified)
}

fn unsupported(sct: &Sct) -> SctError {
    SctError::UnsupportedAlgorithm {
        hash: sct.hash_algorithm,
        signature: sct.signature_algorithm,
    }
}
