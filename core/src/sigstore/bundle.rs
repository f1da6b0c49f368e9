//! The Sigstore bundle (v0.1 to v0.3) as the verifier sees it: signer material, log
//! entries, timestamps, and either a DSSE envelope or a message signature.
//!
//! Model signatures are read by [`crate::bundle::Bundle`] (DSSE only, lenient like the
//! reference) and converted with [`SigstoreBundle::from_model_bundle`]; any other bundle
//! is read strictly with [`SigstoreBundle::from_json`].

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::pjson::{as_array, as_bytes, as_obj, as_str, err, get, require};
use super::tlog::TlogEntry;
use super::SigstoreError;
use crate::bundle::{Bundle, VerificationMaterial};
use crate::dsse::{Envelope, EnvelopeSignature};
use crate::keys::SignatureHash;

/// Bundles may hold at most this many log entries, and at most this many timestamps
/// (sigstore-go's limits; sigstore-python's `MAX_ALLOWED_TIMESTAMP`): every entry and
/// timestamp costs signature checks, and a bundle is untrusted input.
pub const MAX_TLOG_ENTRIES: usize = 32;
/// See [`MAX_TLOG_ENTRIES`].
pub const MAX_TIMESTAMPS: usize = 32;

/// The bundle format version, from the media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleVersion {
    /// `bundle+json;version=0.1`.
    V0_1,
    /// `bundle+json;version=0.2`.
    V0_2,
    /// `bundle+json;version=0.3` or `bundle.v0.3+json`.
    V0_3,
}

impl BundleVersion {
    /// The version of a bundle media type; anything else (including 0.4 and later,
    /// whose rules are unknown) is refused.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(Self::V0_1),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(Self::V0_2),
            "application/vnd.dev.sigstore.bundle+json;version=0.3"
            | "application/vnd.dev.sigstore.bundle.v0.3+json" => Some(Self::V0_3),
            _ => None,
        }
    }
}

/// Who the bundle says signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Material {
    /// A key the verifier must already have (only a hint travels).
    PublicKey {
        /// The key hint.
        hint: Option<String>,
    },
    /// v0.1/v0.2: a chain, leaf first. Only the leaf is used: the path is built from
    /// the trusted root alone, so extra certificates can neither help nor hurt.
    X509CertificateChain(Vec<Vec<u8>>),
    /// v0.3: the leaf alone.
    Certificate(Vec<u8>),
}

impl Material {
    /// The leaf certificate, if any.
    pub fn leaf(&self) -> Option<&[u8]> {
        match self {
            Self::PublicKey { .. } => None,
            Self::X509CertificateChain(c) => c.first().map(Vec::as_slice),
            Self::Certificate(c) => Some(c),
        }
    }
}

/// What the bundle signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A DSSE envelope.
    Dsse(Envelope),
    /// A signature over an artifact (hashedrekord).
    MessageSignature {
        /// `messageDigest`: the signer's claim of the artifact's digest.
        digest: Option<(SignatureHash, Vec<u8>)>,
        /// The signature.
        signature: Vec<u8>,
    },
}

/// A parsed bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigstoreBundle {
    /// The media type.
    pub media_type: String,
    /// Its version.
    pub version: BundleVersion,
    /// The signer.
    pub material: Material,
    /// Transparency-log entries.
    pub tlog_entries: Vec<TlogEntry>,
    /// RFC 3161 `signedTimestamp`s (DER TimeStampResp).
    pub timestamps: Vec<Vec<u8>>,
    /// The signed content.
    pub content: Content,
}

fn format_err(field: &str, reason: &str) -> SigstoreError {
    SigstoreError::Format(err(field, reason))
}

/// Parses `tlogEntries` and `timestampVerificationData`, enforcing the count limits
/// before any parsing work and refusing duplicates.
fn verification_data(
    tlog: &[Value],
    tsv: Option<&Value>,
) -> Result<(Vec<TlogEntry>, Vec<Vec<u8>>), SigstoreError> {
    if tlog.len() > MAX_TLOG_ENTRIES {
        return Err(SigstoreError::TooManyTlogEntries(tlog.len()));
    }
    let mut entries: Vec<TlogEntry> = Vec::with_capacity(tlog.len());
    for (i, v) in tlog.iter().enumerate() {
        let entry = TlogEntry::from_value(v, &format!("tlogEntries[{i}]"))
            .map_err(|error| SigstoreError::TransparencyLog { entry: i, error })?;
        // The same entry twice would count twice towards thresholds (sigstore-go
        // deduplicates by log and index); here it is refused.
        if let Some(first) = entries
            .iter()
            .position(|e| e.log_id == entry.log_id && e.log_index == entry.log_index)
        {
            return Err(SigstoreError::DuplicateTlogEntry { first, second: i });
        }
        entries.push(entry);
    }
    let mut timestamps: Vec<Vec<u8>> = Vec::new();
    if let Some(tsv) = tsv {
        let tsv = as_obj(tsv, "timestampVerificationData")?;
        if let Some(list) = get(tsv, "rfc3161Timestamps", "rfc3161_timestamps") {
            let list = as_array(list, "timestampVerificationData.rfc3161Timestamps")?;
            if list.len() > MAX_TIMESTAMPS {
                return Err(SigstoreError::TooManyTimestamps(list.len()));
            }
            for (i, ts) in list.iter().enumerate() {
                let path = format!("rfc3161Timestamps[{i}]");
                let ts = as_obj(ts, &path)?;
                let bytes = as_bytes(
                    require(ts, "signedTimestamp", "signed_timestamp", &path)?,
                    &path,
                )?;
                if let Some(first) = timestamps.iter().position(|t| *t == bytes) {
                    return Err(SigstoreError::DuplicateTimestamp { first, second: i });
                }
                timestamps.push(bytes);
            }
        }
    }
    Ok((entries, timestamps))
}

impl SigstoreBundle {
    /// Parses bundle JSON strictly (proto3 JSON; base64 without whitespace).
    pub fn from_json(data: &[u8]) -> Result<Self, SigstoreError> {
        let value: Value =
            serde_json::from_slice(data).map_err(|e| format_err("bundle", &e.to_string()))?;
        let root = as_obj(&value, "bundle")?;
        let media_type = as_str(
            require(root, "mediaType", "media_type", "bundle")?,
            "mediaType",
        )?;
        let version = BundleVersion::from_media_type(media_type)
            .ok_or_else(|| SigstoreError::UnsupportedMediaType(media_type.into()))?;
        let vm = as_obj(
            require(
                root,
                "verificationMaterial",
                "verification_material",
                "bundle",
            )?,
            "verificationMaterial",
        )?;
        let material = match (
            get(vm, "publicKey", "public_key"),
            get(vm, "x509CertificateChain", "x509_certificate_chain"),
            get(vm, "certificate", "certificate"),
        ) {
            (Some(pk), None, None) => {
                let pk = as_obj(pk, "publicKey")?;
                Material::PublicKey {
                    hint: get(pk, "hint", "hint")
                        .map(|h| as_str(h, "publicKey.hint").map(String::from))
                        .transpose()?
                        .filter(|h| !h.is_empty()),
                }
            }
            (None, Some(chain), None) => {
                let chain = as_obj(chain, "x509CertificateChain")?;
                let certs = match get(chain, "certificates", "certificates") {
                    Some(list) => as_array(list, "x509CertificateChain.certificates")?
                        .iter()
                        .map(|c| {
                            let c = as_obj(c, "x509CertificateChain.certificates[]")?;
                            as_bytes(
                                require(c, "rawBytes", "raw_bytes", "certificates[]")?,
                                "x509CertificateChain.certificates[].rawBytes",
                            )
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    None => Vec::new(),
                };
                Material::X509CertificateChain(certs)
            }
            (None, None, Some(cert)) => {
                let cert = as_obj(cert, "certificate")?;
                Material::Certificate(as_bytes(
                    require(cert, "rawBytes", "raw_bytes", "certificate")?,
                    "certificate.rawBytes",
                )?)
            }
            _ => {
                return Err(format_err(
                    "verificationMaterial",
                    "must hold exactly one of publicKey, x509CertificateChain and certificate",
                ))
            }
        };
        let tlog = match get(vm, "tlogEntries", "tlog_entries") {
            Some(v) => as_array(v, "verificationMaterial.tlogEntries")?.clone(),
            None => Vec::new(),
        };
        let (tlog_entries, timestamps) = verification_data(
            &tlog,
            get(
                vm,
                "timestampVerificationData",
                "timestamp_verification_data",
            ),
        )?;
        let content = match (
            get(root, "messageSignature", "message_signature"),
            get(root, "dsseEnvelope", "dsse_envelope"),
        ) {
            (Some(ms), None) => {
                let ms = as_obj(ms, "messageSignature")?;
                let digest = get(ms, "messageDigest", "message_digest")
                    .map(|d| {
                        let d = as_obj(d, "messageSignature.messageDigest")?;
                        let alg = match as_str(
                            require(d, "algorithm", "algorithm", "messageDigest")?,
                            "messageDigest.algorithm",
                        )? {
                            "SHA2_256" => SignatureHash::Sha256,
                            "SHA2_384" => SignatureHash::Sha384,
                            "SHA2_512" => SignatureHash::Sha512,
                            _ => {
                                return Err(format_err(
                                    "messageSignature.messageDigest.algorithm",
                                    "is not SHA2_256, SHA2_384 or SHA2_512",
                                ))
                            }
                        };
                        let digest = as_bytes(
                            require(d, "digest", "digest", "messageDigest")?,
                            "messageDigest.digest",
                        )?;
                        Ok((alg, digest))
                    })
                    .transpose()?;
                Content::MessageSignature {
                    digest,
                    signature: as_bytes(
                        require(ms, "signature", "signature", "messageSignature")?,
                        "messageSignature.signature",
                    )?,
                }
            }
            (None, Some(env)) => {
                let env = as_obj(env, "dsseEnvelope")?;
                let signatures = as_array(
                    require(env, "signatures", "signatures", "dsseEnvelope")?,
                    "signatures",
                )?
                .iter()
                .map(|s| {
                    let s = as_obj(s, "dsseEnvelope.signatures[]")?;
                    Ok(EnvelopeSignature {
                        sig: as_bytes(
                            require(s, "sig", "sig", "signatures[]")?,
                            "dsseEnvelope.signatures[].sig",
                        )?,
                        keyid: get(s, "keyid", "keyid")
                            .map(|k| as_str(k, "keyid").map(String::from))
                            .transpose()?,
                    })
                })
                .collect::<Result<Vec<_>, SigstoreError>>()?;
                Content::Dsse(Envelope {
                    payload: as_bytes(
                        require(env, "payload", "payload", "dsseEnvelope")?,
                        "dsseEnvelope.payload",
                    )?,
                    payload_type: as_str(
                        require(env, "payloadType", "payload_type", "dsseEnvelope")?,
                        "dsseEnvelope.payloadType",
                    )?
                    .into(),
                    signatures,
                })
            }
            _ => {
                return Err(format_err(
                    "bundle",
                    "must hold exactly one of messageSignature and dsseEnvelope",
                ))
            }
        };
        Ok(Self {
            media_type: media_type.into(),
            version,
            material,
            tlog_entries,
            timestamps,
            content,
        })
    }

    /// Converts a model signature read by [`Bundle::from_json`].
    pub fn from_model_bundle(bundle: &Bundle) -> Result<Self, SigstoreError> {
        let version = BundleVersion::from_media_type(&bundle.media_type)
            .ok_or_else(|| SigstoreError::UnsupportedMediaType(bundle.media_type.clone()))?;
        let material = match &bundle.verification_material {
            VerificationMaterial::PublicKey { hint, .. } => {
                Material::PublicKey { hint: hint.clone() }
            }
            VerificationMaterial::X509CertificateChain(c) => {
                Material::X509CertificateChain(c.clone())
            }
            VerificationMaterial::Certificate(c) => Material::Certificate(c.clone()),
        };
        let (tlog_entries, timestamps) = verification_data(
            &bundle.tlog_entries,
            bundle.timestamp_verification_data.as_ref(),
        )?;
        Ok(Self {
            media_type: bundle.media_type.clone(),
            version,
            material,
            tlog_entries,
            timestamps,
            content: Content::Dsse(bundle.envelope.clone()),
        })
    }

    /// The signature bytes that timestamps cover: the message signature, or the DSSE
    /// envelope's single signature.
    pub fn signature(&self) -> Result<&[u8], SigstoreError> {
        match &self.content {
            Content::MessageSignature { signature, .. } => Ok(signature),
            Content::Dsse(env) if env.signatures.len() == 1 => Ok(&env.signatures[0].sig),
            Content::Dsse(env) => Err(SigstoreError::DsseSignatureCount(env.signatures.len())),
        }
    }

    /// The structure rules that do not need trust material (docs/sigstore.md §A.2).
    pub fn check_structure(&self) -> Result<(), SigstoreError> {
        match &self.material {
            Material::X509CertificateChain(_) if self.version >= BundleVersion::V0_3 => {
                // v0.3 carries the leaf alone (sigstore-go refuses chains there).
                return Err(SigstoreError::CertificateChainInV03);
            }
            Material::X509CertificateChain(c) if c.is_empty() => {
                return Err(SigstoreError::EmptyCertificateChain)
            }
            _ => {}
        }
        self.signature()?;
        // At least one entry: keyless signatures are only trusted once logged (the
        // sigstore-python and sigstore-go defaults; nothing here opts out).
        if self.tlog_entries.is_empty() {
            return Err(SigstoreError::NoTlogEntries);
        }
        for (entry, e) in self.tlog_entries.iter().enumerate() {
            let fail = |error| Err(SigstoreError::TransparencyLog { entry, error });
            if e.is_rekor_v2() || self.version >= BundleVersion::V0_2 {
                // From v0.2 on, and for every Rekor v2 entry, the proof is what binds
                // the entry to the log; a SET alone is not enough.
                if e.inclusion_proof.is_none() {
                    return fail(super::tlog::TlogError::MissingInclusionProof);
                }
            } else if e.inclusion_promise.is_none() {
                // v0.1: the SET is required; an inclusion proof is optional (as in
                // sigstore-go and sigstore-js; sigstore-python wants both).
                return fail(super::tlog::TlogError::MissingInclusionPromise);
            }
            if e.inclusion_proof
                .as_ref()
                .is_some_and(|p| p.checkpoint.is_none())
            {
                return fail(super::tlog::TlogError::MissingCheckpoint);
            }
        }
        Ok(())
    }
}
