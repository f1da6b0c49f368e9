//! Sigstore trust material: the trusted root (`trustedroot+json;version=0.1` and
//! `trustedroot.v0.2+json`), the client trust configuration
//! (`clienttrustconfig.v0.1+json`) that pairs it with a signing configuration, and the
//! embedded production and staging roots.
//!
//! The embedded roots are the public Sigstore TUF targets (`trusted_root.json`,
//! Apache-2.0), copied into `core/trust/`; `core/trust/README.md` says where they come
//! from and how to refresh them. Nothing here fetches anything.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use super::time::UnixTime;
use crate::json::read::{self as json, invalid, FieldError};
use crate::keys::{CryptoError, Scheme, VerifyingKey};

/// The trusted-root media type deployed today.
pub const TRUSTED_ROOT_MEDIA_TYPE_V0_1: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
/// The newer trusted-root media type (adds `checkpointKeyId` and `operator`).
pub const TRUSTED_ROOT_MEDIA_TYPE_V0_2: &str = "application/vnd.dev.sigstore.trustedroot.v0.2+json";
/// The client trust configuration media type.
pub const CLIENT_TRUST_CONFIG_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";
/// Signing configuration media types that are read.
pub const SIGNING_CONFIG_MEDIA_TYPES: [&str; 2] = [
    "application/vnd.dev.sigstore.signingconfig.v0.2+json",
    "application/vnd.dev.sigstore.signingconfig.v0.1+json",
];

/// The public-good (production) trusted root, embedded.
pub const PRODUCTION_TRUSTED_ROOT: &[u8] =
    include_bytes!("../../trust/production.trusted_root.json");
/// The public-good (production) signing configuration, embedded.
pub const PRODUCTION_SIGNING_CONFIG: &[u8] =
    include_bytes!("../../trust/production.signing_config.v0.2.json");
/// The staging trusted root, embedded.
pub const STAGING_TRUSTED_ROOT: &[u8] = include_bytes!("../../trust/staging.trusted_root.json");
/// The staging signing configuration, embedded.
pub const STAGING_SIGNING_CONFIG: &[u8] =
    include_bytes!("../../trust/staging.signing_config.v0.2.json");

/// Why trust material could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootError {
    /// Not JSON.
    #[error("the trust material is not valid JSON: {0}")]
    InvalidJson(String),
    /// An unknown media type.
    #[error("unsupported media type '{0}' for Sigstore trust material")]
    MediaType(String),
    /// A malformed field.
    #[error("the trust material's {0}")]
    Format(#[from] FieldError),
    /// A transparency or CT log without `validFor.start` (sigstore-go refuses these too:
    /// a key without a start could vouch for entries from before it existed).
    #[error("the log {0} has no validFor.start in the trusted root")]
    MissingValidityStart(String),
    /// A certificate authority with an empty chain.
    #[error("certificate authority #{0} of the trusted root has no certificates")]
    EmptyCertificateChain(usize),
}

/// A closed interval of validity; an absent end means "still valid".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ValidityPeriod {
    /// The first instant (inclusive); `None` only for CAs and TSAs, which may omit it.
    pub start: Option<UnixTime>,
    /// The last instant (inclusive).
    pub end: Option<UnixTime>,
}

impl ValidityPeriod {
    /// Whether `t` lies in `[start, end]`. Both ends are inclusive, as sigstore-go and
    /// sigstore-js treat them (the conformance suite's `*-validity-end-inclusive` cases).
    pub fn contains(&self, t: UnixTime) -> bool {
        self.start.is_none_or(|s| s <= t) && self.end.is_none_or(|e| t <= e)
    }
}

/// A transparency log (Rekor) or certificate-transparency log (CT) instance.
#[derive(Clone, Debug)]
pub struct TransparencyLog {
    /// `baseUrl`, e.g. `https://rekor.sigstore.dev`.
    pub base_url: String,
    /// `hashAlgorithm` (always `SHA2_256` today).
    pub hash_algorithm: String,
    /// The raw key bytes.
    pub key_bytes: Vec<u8>,
    /// `keyDetails`.
    pub key_details: String,
    /// The key and its scheme, or why it is unusable (kept rather than failing the whole
    /// root, so that one exotic log does not make every other log unusable).
    pub key: Result<(VerifyingKey, Scheme), CryptoError>,
    /// When the key may sign.
    pub valid_for: ValidityPeriod,
    /// `logId.keyId`: SHA-256 of the SPKI for Rekor v1 and CT logs, the C2SP checkpoint
    /// key ID for Rekor v2.
    pub log_id: Vec<u8>,
    /// `checkpointKeyId` (trusted root v0.2).
    pub checkpoint_key_id: Option<Vec<u8>>,
    /// `operator` (trusted root v0.2).
    pub operator: Option<String>,
}

impl TransparencyLog {
    /// The host of `baseUrl` (no scheme, port or path).
    pub fn host(&self) -> &str {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(&*self.base_url, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        match host.rsplit_once(':') {
            Some((h, port)) if !h.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        }
    }
}

/// A certificate authority: Fulcio, or an RFC 3161 timestamp authority.
#[derive(Clone, Debug)]
pub struct CertificateAuthority {
    /// `subject.organization`.
    pub organization: Option<String>,
    /// `subject.commonName`.
    pub common_name: Option<String>,
    /// `uri`.
    pub uri: Option<String>,
    /// `certChain.certificates`, DER, leaf-most first; the last one is the trust anchor.
    pub chain: Vec<Vec<u8>>,
    /// When the authority may issue.
    pub valid_for: ValidityPeriod,
    /// `operator` (trusted root v0.2).
    pub operator: Option<String>,
}

/// A parsed trusted root.
#[derive(Clone, Debug)]
pub struct TrustedRoot {
    /// The media type.
    pub media_type: String,
    /// Rekor logs.
    pub tlogs: Vec<TransparencyLog>,
    /// CT logs that Fulcio submits precertificates to.
    pub ctlogs: Vec<TransparencyLog>,
    /// Fulcio instances.
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// Timestamp authorities.
    pub timestamp_authorities: Vec<CertificateAuthority>,
}

fn parse_json(data: &[u8]) -> Result<Value, TrustRootError> {
    json::parse(data, json::Limits::SMALL).map_err(TrustRootError::InvalidJson)
}

fn validity(obj: &json::Object, path: &str) -> Result<ValidityPeriod, FieldError> {
    let Some(v) = json::get(obj, "validFor", "valid_for") else {
        return Ok(ValidityPeriod::default());
    };
    let v = json::object(v, &format!("{path}.validFor"))?;
    let time = |name: &str| -> Result<Option<UnixTime>, FieldError> {
        json::get(v, name, name)
            .map(|t| {
                let field = format!("{path}.validFor.{name}");
                UnixTime::parse_rfc3339(json::string(t, &field)?)
                    .ok_or_else(|| invalid(&field, "not an RFC 3339 time"))
            })
            .transpose()
    };
    Ok(ValidityPeriod {
        start: time("start")?,
        end: time("end")?,
    })
}

fn optional_string(
    obj: &json::Object,
    camel: &str,
    snake: &str,
    path: &str,
) -> Result<Option<String>, FieldError> {
    json::get(obj, camel, snake)
        .map(|v| json::string(v, &format!("{path}.{camel}")).map(String::from))
        .transpose()
}

fn key_id(
    obj: &json::Object,
    camel: &str,
    snake: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, FieldError> {
    json::get(obj, camel, snake)
        .map(|v| {
            let path = format!("{path}.{camel}");
            let v = json::object(v, &path)?;
            json::bytes(
                json::require(v, "keyId", "key_id", &path)?,
                &format!("{path}.keyId"),
            )
        })
        .transpose()
}

fn parse_log(v: &Value, path: &str) -> Result<TransparencyLog, TrustRootError> {
    let obj = json::object(v, path)?;
    let base_url = optional_string(obj, "baseUrl", "base_url", path)?.unwrap_or_default();
    let hash_algorithm =
        optional_string(obj, "hashAlgorithm", "hash_algorithm", path)?.unwrap_or_default();
    let key_path = format!("{path}.publicKey");
    let pk = json::object(
        json::require(obj, "publicKey", "public_key", path)?,
        &key_path,
    )?;
    let key_bytes = json::bytes(
        json::require(pk, "rawBytes", "raw_bytes", &key_path)?,
        &format!("{key_path}.rawBytes"),
    )?;
    let key_details =
        optional_string(pk, "keyDetails", "key_details", &key_path)?.unwrap_or_default();
    let valid_for = validity(pk, &key_path)?;
    if valid_for.start.is_none() {
        return Err(TrustRootError::MissingValidityStart(base_url));
    }
    let key = VerifyingKey::from_key_details(&key_bytes, &key_details);
    let log_id = key_id(obj, "logId", "log_id", path)?
        .ok_or_else(|| FieldError::Missing(format!("{path}.logId")))?;
    Ok(TransparencyLog {
        base_url,
        hash_algorithm,
        key_bytes,
        key_details,
        key,
        valid_for,
        log_id,
        checkpoint_key_id: key_id(obj, "checkpointKeyId", "checkpoint_key_id", path)?,
        operator: optional_string(obj, "operator", "operator", path)?,
    })
}

fn parse_authority(
    v: &Value,
    index: usize,
    path: &str,
) -> Result<CertificateAuthority, TrustRootError> {
    let obj = json::object(v, path)?;
    let (organization, common_name) = match json::get(obj, "subject", "subject") {
        Some(s) => {
            let s = json::object(s, &format!("{path}.subject"))?;
            (
                optional_string(s, "organization", "organization", path)?,
                optional_string(s, "commonName", "common_name", path)?,
            )
        }
        None => (None, None),
    };
    let chain_path = format!("{path}.certChain");
    let chain = match json::get(obj, "certChain", "cert_chain") {
        Some(c) => {
            let c = json::object(c, &chain_path)?;
            match json::get(c, "certificates", "certificates") {
                Some(list) => json::array(list, &format!("{chain_path}.certificates"))?
                    .iter()
                    .map(|cert| {
                        let cert = json::object(cert, &chain_path)?;
                        json::bytes(
                            json::require(cert, "rawBytes", "raw_bytes", &chain_path)?,
                            &chain_path,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    if chain.is_empty() {
        return Err(TrustRootError::EmptyCertificateChain(index));
    }
    Ok(CertificateAuthority {
        organization,
        common_name,
        uri: optional_string(obj, "uri", "uri", path)?,
        chain,
        valid_for: validity(obj, path)?,
        operator: optional_string(obj, "operator", "operator", path)?,
    })
}

impl TrustedRoot {
    /// Parses trusted-root JSON.
    pub fn from_json(data: &[u8]) -> Result<Self, TrustRootError> {
        Self::from_value(&parse_json(data)?)
    }

    /// Parses an already decoded trusted root.
    pub(crate) fn from_value(value: &Value) -> Result<Self, TrustRootError> {
        let root = json::object(value, "trustedRoot")?;
        let media_type = json::string(
            json::require(root, "mediaType", "media_type", "trustedRoot")?,
            "trustedRoot.mediaType",
        )?;
        if media_type != TRUSTED_ROOT_MEDIA_TYPE_V0_1 && media_type != TRUSTED_ROOT_MEDIA_TYPE_V0_2
        {
            return Err(TrustRootError::MediaType(media_type.into()));
        }
        let list = |camel: &str, snake: &str| -> Result<Vec<Value>, FieldError> {
            match json::get(root, camel, snake) {
                Some(v) => json::array(v, &format!("trustedRoot.{camel}")).cloned(),
                None => Ok(Vec::new()),
            }
        };
        let logs = |camel: &str, snake: &str| -> Result<Vec<TransparencyLog>, TrustRootError> {
            list(camel, snake)?
                .iter()
                .enumerate()
                .map(|(i, v)| parse_log(v, &format!("trustedRoot.{camel}[{i}]")))
                .collect()
        };
        let authorities =
            |camel: &str, snake: &str| -> Result<Vec<CertificateAuthority>, TrustRootError> {
                list(camel, snake)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| parse_authority(v, i, &format!("trustedRoot.{camel}[{i}]")))
                    .collect()
            };
        Ok(Self {
            media_type: media_type.into(),
            tlogs: logs("tlogs", "tlogs")?,
            ctlogs: logs("ctlogs", "ctlogs")?,
            certificate_authorities: authorities(
                "certificateAuthorities",
                "certificate_authorities",
            )?,
            timestamp_authorities: authorities("timestampAuthorities", "timestamp_authorities")?,
        })
    }

    /// The embedded public-good (production) trusted root.
    pub fn production() -> Self {
        Self::from_json(PRODUCTION_TRUSTED_ROOT)
            .expect("the embedded production trusted root is valid")
    }

    /// The embedded staging trusted root.
    pub fn staging() -> Self {
        Self::from_json(STAGING_TRUSTED_ROOT).expect("the embedded staging trusted root is valid")
    }

    /// The Rekor log with this `logId`.
    pub fn tlog(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.tlogs.iter().find(|l| l.log_id == log_id)
    }

    /// The CT log with this log ID.
    pub fn ctlog(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.ctlogs.iter().find(|l| l.log_id == log_id)
    }
}

/// A service endpoint of a signing configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// `url`.
    pub url: String,
    /// `majorApiVersion`.
    pub major_api_version: u32,
    /// `validFor`.
    pub valid_for: ValidityPeriod,
    /// `operator`.
    pub operator: Option<String>,
}

/// How many services of a kind to use (`ServiceConfiguration`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceSelector {
    /// `ANY` (or none given): one service.
    Any,
    /// `ALL`: every service.
    All,
    /// `EXACT` with its `count` (1 when absent).
    Exact(u32),
    /// A selector this client does not know; signing with it fails, verification does
    /// not use it.
    Unknown(String),
}

/// A signing configuration (`signingconfig.v0.2+json`). Verification does not use it;
/// it is parsed so that a client trust configuration is checked whole and is ready for
/// signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningConfig {
    /// The media type.
    pub media_type: String,
    /// Fulcio instances.
    pub ca_urls: Vec<Service>,
    /// OIDC providers.
    pub oidc_urls: Vec<Service>,
    /// Rekor logs.
    pub rekor_tlog_urls: Vec<Service>,
    /// Timestamp authorities (full RFC 3161 endpoint URLs).
    pub tsa_urls: Vec<Service>,
    /// Which Rekor logs to use.
    pub rekor_tlog_config: Option<ServiceSelector>,
    /// Which TSAs to use.
    pub tsa_config: Option<ServiceSelector>,
}

impl SigningConfig {
    /// Parses signing-configuration JSON.
    pub fn from_json(data: &[u8]) -> Result<Self, TrustRootError> {
        Self::from_value(&parse_json(data)?)
    }

    /// Parses an already decoded signing configuration.
    pub(crate) fn from_value(value: &Value) -> Result<Self, TrustRootError> {
        let p = "signingConfig";
        let obj = json::object(value, p)?;
        let media_type = json::string(
            json::require(obj, "mediaType", "media_type", p)?,
            "signingConfig.mediaType",
        )?;
        if !SIGNING_CONFIG_MEDIA_TYPES.contains(&media_type) {
            return Err(TrustRootError::MediaType(media_type.into()));
        }
        let services = |camel: &str, snake: &str| -> Result<Vec<Service>, FieldError> {
            let Some(list) = json::get(obj, camel, snake) else {
                return Ok(Vec::new());
            };
            json::array(list, &format!("{p}.{camel}"))?
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let path = format!("{p}.{camel}[{i}]");
                    let s = json::object(s, &path)?;
                    let version = match json::get(s, "majorApiVersion", "major_api_version") {
                        Some(v) => u32::try_from(json::int64(v, &path)?).map_err(|_| {
                            invalid(
                                &format!("{path}.majorApiVersion"),
                                "not a 32-bit unsigned integer",
                            )
                        })?,
                        None => 0,
                    };
                    Ok(Service {
                        url: json::string(json::require(s, "url", "url", &path)?, &path)?.into(),
                        major_api_version: version,
                        valid_for: validity(s, &path)?,
                        operator: optional_string(s, "operator", "operator", &path)?,
                    })
                })
                .collect()
        };
        let selector = |camel: &str, snake: &str| -> Result<Option<ServiceSelector>, FieldError> {
            json::get(obj, camel, snake)
                .map(|v| {
                    let path = format!("{p}.{camel}");
                    let v = json::object(v, &path)?;
                    let count = json::get(v, "count", "count")
                        .map(|c| json::int64(c, &path).map(|c| c as u32))
                        .transpose()?;
                    let name = optional_string(v, "selector", "selector", &path)?;
                    Ok(match name.as_deref().unwrap_or("ANY") {
                        "" | "ANY" => ServiceSelector::Any,
                        "ALL" => ServiceSelector::All,
                        "EXACT" => ServiceSelector::Exact(count.unwrap_or(1)),
                        other => ServiceSelector::Unknown(other.into()),
                    })
                })
                .transpose()
        };
        Ok(Self {
            media_type: media_type.into(),
            ca_urls: services("caUrls", "ca_urls")?,
            oidc_urls: services("oidcUrls", "oidc_urls")?,
            rekor_tlog_urls: services("rekorTlogUrls", "rekor_tlog_urls")?,
            tsa_urls: services("tsaUrls", "tsa_urls")?,
            rekor_tlog_config: selector("rekorTlogConfig", "rekor_tlog_config")?,
            tsa_config: selector("tsaConfig", "tsa_config")?,
        })
    }

    /// The embedded production signing configuration.
    pub fn production() -> Self {
        Self::from_json(PRODUCTION_SIGNING_CONFIG)
            .expect("the embedded production signing config is valid")
    }

    /// The embedded staging signing configuration.
    pub fn staging() -> Self {
        Self::from_json(STAGING_SIGNING_CONFIG)
            .expect("the embedded staging signing config is valid")
    }
}

/// A client trust configuration: what `--trust-config` names.
#[derive(Clone, Debug)]
pub struct ClientTrustConfig {
    /// The trusted root, the only part verification uses.
    pub trusted_root: TrustedRoot,
    /// The signing configuration.
    pub signing_config: SigningConfig,
}

impl ClientTrustConfig {
    /// Parses client-trust-configuration JSON. Both parts are required; the signing
    /// configuration is read from `signingConfig` or, as sigstore-python's own test
    /// configurations spell it, `signing_config`.
    pub fn from_json(data: &[u8]) -> Result<Self, TrustRootError> {
        let value = parse_json(data)?;
        let p = "clientTrustConfig";
        let obj = json::object(&value, p)?;
        let media_type = json::string(
            json::require(obj, "mediaType", "media_type", p)?,
            "clientTrustConfig.mediaType",
        )?;
        if media_type != CLIENT_TRUST_CONFIG_MEDIA_TYPE {
            return Err(TrustRootError::MediaType(media_type.into()));
        }
        Ok(Self {
            trusted_root: TrustedRoot::from_value(json::require(
                obj,
                "trustedRoot",
                "trusted_root",
                p,
            )?)?,
            signing_config: SigningConfig::from_value(json::require(
                obj,
                "signingConfig",
                "signing_config",
                p,
            )?)?,
        })
    }

    /// The embedded production configuration.
    pub fn production() -> Self {
        Self {
            trusted_root: TrustedRoot::production(),
            signing_config: SigningConfig::production(),
        }
    }

    /// The embedded staging configuration.
    pub fn staging() -> Self {
        Self {
            trusted_root: TrustedRoot::staging(),
            signing_config: SigningConfig::staging(),
        }
    }
}
