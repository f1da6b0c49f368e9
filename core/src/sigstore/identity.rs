//! Who a Fulcio certificate was issued to: its subject alternative names and the OIDC
//! issuer that vouched for them, and the policy they are checked against.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use der::asn1::Utf8StringRef;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use crate::oids;

/// A subject alternative name that can identify a signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectName {
    /// `rfc822Name`.
    Email(String),
    /// `uniformResourceIdentifier` (CI workflow, SPIFFE ID, …).
    Uri(String),
    /// `otherName` of type 1.3.6.1.4.1.57264.1.7.
    Username(String),
}

impl SubjectName {
    /// The name's text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(s) | Self::Uri(s) | Self::Username(s) => s,
        }
    }
}

/// The identity a certificate states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateIdentity {
    /// Every email, URI and username SAN, in certificate order.
    pub names: Vec<SubjectName>,
    /// The OIDC issuer: extension .1.8, else .1.1.
    pub issuer: Option<String>,
}

/// Why a certificate's identity is unacceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The SAN or issuer extension cannot be decoded.
    #[error("the signing certificate's {0} extension is malformed")]
    Malformed(&'static str),
    /// No SAN matches.
    #[error("the signing certificate's identity does not match {expected}; it was issued to {}", fmt_names(.actual))]
    SanMismatch {
        /// The policy's identity.
        expected: String,
        /// Every SAN found.
        actual: Vec<String>,
    },
    /// The certificate names no OIDC issuer.
    #[error(
        "the signing certificate names no OIDC issuer (extension 1.3.6.1.4.1.57264.1.8 or .1.1)"
    )]
    NoIssuer,
    /// The issuer differs.
    #[error("the signing certificate's OIDC issuer '{actual}' does not match {expected}")]
    IssuerMismatch {
        /// The policy's issuer.
        expected: String,
        /// The certificate's.
        actual: String,
    },
    /// The two issuer extensions disagree.
    #[error("the signing certificate names two different OIDC issuers: '{v2}' (1.3.6.1.4.1.57264.1.8) and '{v1}' (1.3.6.1.4.1.57264.1.1)")]
    ConflictingIssuers {
        /// Extension .1.1.
        v1: String,
        /// Extension .1.8.
        v2: String,
    },
}

fn fmt_names(names: &[String]) -> String {
    if names.is_empty() {
        "no email, URI or username".into()
    } else {
        let quoted: Vec<String> = names.iter().map(|n| alloc::format!("'{n}'")).collect();
        quoted.join(", ")
    }
}

/// Reads the identity of a certificate.
///
/// The issuer is read from .1.8 (DER UTF8String) and falls back to the deprecated .1.1
/// (raw bytes), which pre-2023 certificates carry alone. When both are present they
/// must agree: the clients differ here (sigstore-python reads only .1.1, sigstore-js
/// prefers .1.8, sigstore-go keeps the last it sees), and a certificate whose two
/// issuer claims differ is not trusted to mean either.
pub fn certificate_identity(cert: &Certificate) -> Result<CertificateIdentity, IdentityError> {
    let mut names = Vec::new();
    let mut v1 = None;
    let mut v2 = None;
    for ext in cert
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default()
    {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id {
            oids::SUBJECT_ALT_NAME => {
                let san = SubjectAltName::from_der(value)
                    .map_err(|_| IdentityError::Malformed("subjectAltName"))?;
                for name in san.0 {
                    match name {
                        GeneralName::Rfc822Name(s) => names.push(SubjectName::Email(s.to_string())),
                        GeneralName::UniformResourceIdentifier(s) => {
                            names.push(SubjectName::Uri(s.to_string()))
                        }
                        GeneralName::OtherName(other)
                            if other.type_id == oids::FULCIO_OTHERNAME_USERNAME =>
                        {
                            let s: Utf8StringRef<'_> = other.value.decode_as().map_err(|_| {
                                IdentityError::Malformed("subjectAltName otherName")
                            })?;
                            names.push(SubjectName::Username(s.as_str().into()));
                        }
                        _ => {}
                    }
                }
            }
            oids::FULCIO_ISSUER_V1 => {
                v1 = Some(
                    core::str::from_utf8(value)
                        .map_err(|_| {
                            IdentityError::Malformed("OIDC issuer (1.3.6.1.4.1.57264.1.1)")
                        })?
                        .to_string(),
                );
            }
            oids::FULCIO_ISSUER_V2 => {
                let s = Utf8StringRef::from_der(value)
                    .map_err(|_| IdentityError::Malformed("OIDC issuer (1.3.6.1.4.1.57264.1.8)"))?;
                v2 = Some(s.as_str().to_string());
            }
            _ => {}
        }
    }
    let issuer = match (v1, v2) {
        (Some(v1), Some(v2)) if v1 != v2 => {
            return Err(IdentityError::ConflictingIssuers { v1, v2 })
        }
        (v1, v2) => v2.or(v1),
    };
    Ok(CertificateIdentity { names, issuer })
}

/// How a value is matched.
#[derive(Clone)]
pub enum Matcher {
    /// Byte-for-byte equality.
    Exact(String),
    /// A caller-supplied predicate, e.g. an anchored regular expression compiled by the
    /// host (the core has no regex engine). `description` is shown in errors.
    Predicate {
        /// Shown in errors, e.g. `the regular expression '^…$'`.
        description: String,
        /// The test.
        matches: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    },
}

impl Matcher {
    /// Whether `value` is accepted.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Exact(s) => s == value,
            Self::Predicate { matches, .. } => matches(value),
        }
    }

    /// How errors name the expectation.
    pub fn describe(&self) -> String {
        match self {
            Self::Exact(s) => alloc::format!("'{s}'"),
            Self::Predicate { description, .. } => description.clone(),
        }
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(s) => f.debug_tuple("Exact").field(s).finish(),
            Self::Predicate { description, .. } => {
                f.debug_tuple("Predicate").field(description).finish()
            }
        }
    }
}

/// The keyless identity policy: who must have signed.
#[derive(Clone, Debug)]
pub struct IdentityPolicy {
    /// Must match at least one email, URI or username SAN (all of them are candidates,
    /// as in sigstore-python, which model_signing uses).
    pub identity: Matcher,
    /// Must match the OIDC issuer.
    pub issuer: Matcher,
}

impl IdentityPolicy {
    /// Exact identity and issuer, as `model_signing verify sigstore` takes them.
    pub fn exact(identity: impl Into<String>, issuer: impl Into<String>) -> Self {
        Self {
            identity: Matcher::Exact(identity.into()),
            issuer: Matcher::Exact(issuer.into()),
        }
    }

    /// Checks `identity` against the policy and returns the matching SAN.
    pub fn check(&self, identity: &CertificateIdentity) -> Result<SubjectName, IdentityError> {
        let matched = identity
            .names
            .iter()
            .find(|n| self.identity.matches(n.as_str()))
            .cloned()
            .ok_or_else(|| IdentityError::SanMismatch {
                expected: self.identity.describe(),
                actual: identity
                    .names
                    .iter()
                    .map(|n| n.as_str().to_string())
                    .collect(),
            })?;
        let issuer = identity.issuer.as_deref().ok_or(IdentityError::NoIssuer)?;
        if !self.issuer.matches(issuer) {
            return Err(IdentityError::IssuerMismatch {
                expected: self.issuer.describe(),
                actual: issuer.into(),
            });
        }
        Ok(matched)
    }
}
