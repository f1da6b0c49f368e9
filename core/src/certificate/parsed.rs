//! A decoded certificate with what path validation needs precomputed, and its
//! extensions.

use alloc::string::String;
use alloc::vec::Vec;

use der::{Decode, Encode, Header, Reader, SliceReader};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::{name_text, CertificateError, MAX_EXTENSIONS};
use crate::keys::{KeyError, PublicKey};
use crate::oids;

/// A decoded certificate with what path validation needs precomputed.
pub(super) struct Parsed<'a> {
    pub(super) der: &'a [u8],
    /// The signed bytes exactly as received: re-encoding the decoded structure could
    /// differ from what the issuer signed.
    pub(super) tbs: &'a [u8],
    pub(super) cert: Certificate,
    pub(super) subject: String,
    pub(super) not_before: u64,
    pub(super) not_after: u64,
    /// Kept as a result so that a broken extension only fails verification when the
    /// certificate is actually used (a large trust store may hold odd certificates).
    pub(super) extensions: Result<Extensions, CertificateError>,
    pub(super) trusted: bool,
}

impl<'a> Parsed<'a> {
    pub(super) fn new(der: &'a [u8]) -> Result<Self, der::Error> {
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

    pub(super) fn issuer_name(&self) -> &Name {
        &self.cert.tbs_certificate.issuer
    }

    pub(super) fn subject_name(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    pub(super) fn self_issued(&self) -> bool {
        self.subject_name() == self.issuer_name()
    }

    pub(super) fn spki_der(&self) -> Vec<u8> {
        // Re-encoding a decoded SPKI is lossless for keys, and `PublicKey` reads DER.
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap_or_default()
    }

    pub(super) fn ec_key(&self) -> Result<PublicKey, CertificateError> {
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
pub(super) struct Extensions {
    pub(super) basic_constraints: Option<BasicConstraints>,
    pub(super) key_usage: Option<KeyUsage>,
    pub(super) ext_key_usage: Option<ExtendedKeyUsage>,
    pub(super) subject_key_id: Option<Vec<u8>>,
    pub(super) authority_key_id: Option<Vec<u8>>,
}

impl Extensions {
    pub(super) fn parse(cert: &Certificate, subject: &str) -> Result<Self, CertificateError> {
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
        // Real certificates have a dozen extensions; a bound keeps hostile ones cheap.
        if list.len() > MAX_EXTENSIONS {
            return Err(CertificateError::TooManyExtensions {
                subject: subject.into(),
                count: list.len(),
                max: MAX_EXTENSIONS,
            });
        }
        let mut seen = alloc::collections::BTreeSet::new();
        for ext in list {
            let oid = ext.extn_id;
            if !seen.insert(oid) {
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
pub(super) fn key_ids_match(child: &Parsed<'_>, issuer: &Parsed<'_>) -> bool {
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
