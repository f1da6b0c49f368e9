//! Reading bundle JSON.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::{
    Bundle, BundleError, BundleVersion, Content, VerificationMaterial, MAX_BUNDLE_BYTES,
    MAX_TIMESTAMPS, MAX_TLOG_ENTRIES,
};
use crate::dsse::{Envelope, EnvelopeSignature};
use crate::encoding::excerpt;
use crate::json::read::{self as json, invalid, FieldError};
use crate::keys::SignatureHash;
use crate::sigstore::tlog::TlogEntry;

/// How strictly a bundle is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A model signature, read as the reference reads it: base64 of the material and
    /// the envelope as Python decodes it, a DSSE envelope required, a certificate chain
    /// never empty.
    Model,
    /// Any Sigstore bundle, read as Sigstore clients read it.
    Strict,
}

impl Mode {
    fn bytes(self, v: &Value, path: &str) -> Result<Vec<u8>, FieldError> {
        match self {
            Self::Model => json::bytes_lenient(v, path),
            Self::Strict => json::bytes(v, path),
        }
    }
}

impl Bundle {
    /// Reads a model signature (see the module documentation for what is accepted).
    pub fn from_json(data: &[u8]) -> Result<Self, BundleError> {
        read(data, Mode::Model)
    }

    /// Reads any Sigstore bundle strictly, as Sigstore clients do: proto3 JSON with
    /// strict base64, and message signatures as well as DSSE envelopes.
    pub fn from_json_strict(data: &[u8]) -> Result<Self, BundleError> {
        read(data, Mode::Strict)
    }
}

fn read(data: &[u8], mode: Mode) -> Result<Bundle, BundleError> {
    if data.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge(data.len() as u64));
    }
    let value = json::parse(data, json::Limits::SMALL).map_err(BundleError::InvalidJson)?;
    let root = json::object(&value, "bundle")?;
    let media_type = json::string(
        json::require(root, "mediaType", "media_type", "")?,
        "mediaType",
    )?;
    let version = BundleVersion::from_media_type(media_type)
        .ok_or_else(|| BundleError::UnknownMediaType(excerpt(media_type)))?;
    let vm_path = "verificationMaterial";
    let vm = json::object(
        json::require(root, vm_path, "verification_material", "")?,
        vm_path,
    )?;
    let verification_material = material(vm, mode)?;
    let tlog_entries = match json::get(vm, "tlogEntries", "tlog_entries") {
        Some(v) => tlog_entries(json::array(v, "verificationMaterial.tlogEntries")?)?,
        None => Vec::new(),
    };
    let timestamps = match json::get(
        vm,
        "timestampVerificationData",
        "timestamp_verification_data",
    ) {
        Some(v) => timestamps(v)?,
        None => Vec::new(),
    };
    let content = match (
        json::get(root, "messageSignature", "message_signature"),
        json::get(root, "dsseEnvelope", "dsse_envelope"),
    ) {
        (Some(_), _) if mode == Mode::Model => return Err(BundleError::MessageSignature),
        (Some(ms), None) => message_signature(ms)?,
        (None, Some(env)) => Content::Dsse(envelope(env, mode)?),
        (None, None) if mode == Mode::Model => {
            return Err(FieldError::Missing("dsseEnvelope".into()).into())
        }
        _ => return Err(BundleError::AmbiguousContent),
    };
    Ok(Bundle {
        media_type: media_type.into(),
        version,
        verification_material,
        tlog_entries,
        timestamps,
        content,
    })
}

fn material(vm: &json::Object, mode: Mode) -> Result<VerificationMaterial, BundleError> {
    Ok(
        match (
            json::get(vm, "publicKey", "public_key"),
            json::get(vm, "x509CertificateChain", "x509_certificate_chain"),
            json::get(vm, "certificate", "certificate"),
        ) {
            (Some(pk), None, None) => {
                let path = "verificationMaterial.publicKey";
                let pk = json::object(pk, path)?;
                let hint = json::get(pk, "hint", "hint")
                    .map(|h| json::string(h, &format!("{path}.hint")).map(String::from))
                    .transpose()?
                    .filter(|h| !h.is_empty());
                let legacy_raw_bytes = json::get(pk, "rawBytes", "raw_bytes")
                    .map(|v| mode.bytes(v, &format!("{path}.rawBytes")))
                    .transpose()?;
                VerificationMaterial::PublicKey {
                    hint,
                    legacy_raw_bytes,
                }
            }
            (None, Some(chain), None) => {
                let path = "verificationMaterial.x509CertificateChain";
                let chain = json::object(chain, path)?;
                let certs_path = format!("{path}.certificates");
                let certs = match json::get(chain, "certificates", "certificates") {
                    Some(list) => json::array(list, &certs_path)?
                        .iter()
                        .map(|c| {
                            let c = json::object(c, &format!("{certs_path}[]"))?;
                            let raw = json::require(
                                c,
                                "rawBytes",
                                "raw_bytes",
                                &format!("{certs_path}[]"),
                            )?;
                            mode.bytes(raw, &format!("{certs_path}[].rawBytes"))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    None if mode == Mode::Model => {
                        return Err(FieldError::Missing(certs_path).into())
                    }
                    None => Vec::new(),
                };
                // The reference cannot verify an empty chain; Sigstore bundles are
                // refused for it later, with their own error.
                if certs.is_empty() && mode == Mode::Model {
                    return Err(invalid(&certs_path, "the chain is empty").into());
                }
                VerificationMaterial::X509CertificateChain(certs)
            }
            (None, None, Some(cert)) => {
                let path = "verificationMaterial.certificate";
                let cert = json::object(cert, path)?;
                let raw = json::require(cert, "rawBytes", "raw_bytes", path)?;
                VerificationMaterial::Certificate(mode.bytes(raw, &format!("{path}.rawBytes"))?)
            }
            _ => return Err(BundleError::AmbiguousMaterial),
        },
    )
}

/// `tlogEntries`, with the count limit enforced before any parsing work and
/// duplicates refused.
fn tlog_entries(list: &[Value]) -> Result<Vec<TlogEntry>, BundleError> {
    if list.len() > MAX_TLOG_ENTRIES {
        return Err(BundleError::TooManyTlogEntries(list.len()));
    }
    let mut entries: Vec<TlogEntry> = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let entry = TlogEntry::from_value(v, &format!("tlogEntries[{i}]"))
            .map_err(|error| BundleError::TlogEntry { entry: i, error })?;
        // The same entry twice would count twice towards thresholds (sigstore-go
        // deduplicates by log and index); here it is refused.
        if let Some(first) = entries
            .iter()
            .position(|e| e.log_id == entry.log_id && e.log_index == entry.log_index)
        {
            return Err(BundleError::DuplicateTlogEntry { first, second: i });
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// `timestampVerificationData.rfc3161Timestamps`, limited and without duplicates.
fn timestamps(tsv: &Value) -> Result<Vec<Vec<u8>>, BundleError> {
    let tsv = json::object(tsv, "timestampVerificationData")?;
    let Some(list) = json::get(tsv, "rfc3161Timestamps", "rfc3161_timestamps") else {
        return Ok(Vec::new());
    };
    let list = json::array(list, "timestampVerificationData.rfc3161Timestamps")?;
    if list.len() > MAX_TIMESTAMPS {
        return Err(BundleError::TooManyTimestamps(list.len()));
    }
    let mut timestamps: Vec<Vec<u8>> = Vec::with_capacity(list.len());
    for (i, ts) in list.iter().enumerate() {
        let path = format!("rfc3161Timestamps[{i}]");
        let ts = json::object(ts, &path)?;
        let bytes = json::bytes(
            json::require(ts, "signedTimestamp", "signed_timestamp", &path)?,
            &format!("{path}.signedTimestamp"),
        )?;
        if let Some(first) = timestamps.iter().position(|t| *t == bytes) {
            return Err(BundleError::DuplicateTimestamp { first, second: i });
        }
        timestamps.push(bytes);
    }
    Ok(timestamps)
}

fn message_signature(ms: &Value) -> Result<Content, BundleError> {
    let path = "messageSignature";
    let ms = json::object(ms, path)?;
    let digest = json::get(ms, "messageDigest", "message_digest")
        .map(|d| {
            let d_path = "messageSignature.messageDigest";
            let d = json::object(d, d_path)?;
            let alg = match json::string(
                json::require(d, "algorithm", "algorithm", d_path)?,
                "messageSignature.messageDigest.algorithm",
            )? {
                "SHA2_256" => SignatureHash::Sha256,
                "SHA2_384" => SignatureHash::Sha384,
                "SHA2_512" => SignatureHash::Sha512,
                _ => {
                    return Err(invalid(
                        "messageSignature.messageDigest.algorithm",
                        "not SHA2_256, SHA2_384 or SHA2_512",
                    ))
                }
            };
            let digest = json::bytes(
                json::require(d, "digest", "digest", d_path)?,
                "messageSignature.messageDigest.digest",
            )?;
            Ok((alg, digest))
        })
        .transpose()?;
    let signature = json::bytes(
        json::require(ms, "signature", "signature", path)?,
        "messageSignature.signature",
    )?;
    Ok(Content::MessageSignature { digest, signature })
}

fn envelope(env: &Value, mode: Mode) -> Result<Envelope, BundleError> {
    let path = "dsseEnvelope";
    let env = json::object(env, path)?;
    let sigs_path = "dsseEnvelope.signatures";
    let signatures = json::array(
        json::require(env, "signatures", "signatures", path)?,
        sigs_path,
    )?
    .iter()
    .map(|s| {
        let s_path = "dsseEnvelope.signatures[]";
        let s = json::object(s, s_path)?;
        Ok(EnvelopeSignature {
            sig: mode.bytes(
                json::require(s, "sig", "sig", s_path)?,
                "dsseEnvelope.signatures[].sig",
            )?,
            keyid: json::get(s, "keyid", "keyid")
                .map(|k| json::string(k, "dsseEnvelope.signatures[].keyid").map(String::from))
                .transpose()?,
        })
    })
    .collect::<Result<Vec<_>, FieldError>>()?;
    Ok(Envelope {
        payload: mode.bytes(
            json::require(env, "payload", "payload", path)?,
            "dsseEnvelope.payload",
        )?,
        payload_type: json::string(
            json::require(env, "payloadType", "payload_type", path)?,
            "dsseEnvelope.payloadType",
        )?
        .to_string(),
        signatures,
    })
}
