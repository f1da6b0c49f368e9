//! The Sigstore bundle JSON that holds a model signature (`model.sig`).
//!
//! Written exactly as the reference writes v0.3 bundles for key and certificate
//! signatures (compact JSON, fixed field order, no trailing newline); read leniently:
//! bundle versions 0.1 to 0.3, camelCase or snake_case names, `keyid` empty, null or
//! absent, the legacy `publicKey {rawBytes, keyDetails}`, a missing `tlogEntries`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};

use crate::dsse::{Envelope, EnvelopeSignature};
use crate::encoding::{b64decode, b64encode};
use crate::json::Json;

/// The media type written for every bundle.
pub const MEDIA_TYPE_V0_3: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Every bundle media type that is read.
pub const KNOWN_MEDIA_TYPES: [&str; 4] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    MEDIA_TYPE_V0_3,
];

/// What the bundle carries to identify the signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerificationMaterial {
    /// A public key, identified by its hint (key and PKCS #11 key signatures).
    PublicKey {
        /// Hex SHA-256 of the key's PEM; `None` in bundles made before 1.1.
        hint: Option<String>,
        /// The legacy `rawBytes` (a PEM public key) of bundles made before 1.1.
        legacy_raw_bytes: Option<Vec<u8>>,
    },
    /// A certificate chain, leaf first (certificate signatures), DER.
    X509CertificateChain(Vec<Vec<u8>>),
    /// A single leaf certificate, DER (Sigstore keyless v0.3 bundles).
    Certificate(Vec<u8>),
}

/// A parsed bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// The media type as written.
    pub media_type: String,
    /// Signer identification.
    pub verification_material: VerificationMaterial,
    /// Transparency-log entries, kept as JSON (used by Sigstore verification).
    pub tlog_entries: Vec<Value>,
    /// `timestampVerificationData`, kept as JSON.
    pub timestamp_verification_data: Option<Value>,
    /// The signed content. Model signatures always use a DSSE envelope.
    pub envelope: Envelope,
}

/// Why a bundle could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Not JSON.
    #[error("the signature file is not valid JSON: {0}")]
    InvalidJson(String),
    /// A required field is missing.
    #[error("the signature bundle has no '{0}' field")]
    MissingField(&'static str),
    /// A field has the wrong type or value.
    #[error("the signature bundle's '{field}' is invalid: {reason}")]
    InvalidField {
        /// Field path.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The media type is not a Sigstore bundle.
    #[error("invalid sigstore bundle, got media type '{0}' but expected {MEDIA_TYPE_V0_3}")]
    UnknownMediaType(String),
    /// The bundle signs a message, not a DSSE envelope.
    #[error("the bundle holds a message signature; model signatures use a DSSE envelope")]
    MessageSignature,
    /// Not exactly one kind of verification material.
    #[error("the bundle must hold exactly one of publicKey, x509CertificateChain or certificate")]
    AmbiguousMaterial,
}

fn field<'a>(
    obj: &'a Map<String, Value>,
    camel: &'static str,
    snake: &'static str,
) -> Option<&'a Value> {
    obj.get(camel)
        .or_else(|| obj.get(snake))
        .filter(|v| !v.is_null())
}

fn object<'a>(v: &'a Value, name: &'static str) -> Result<&'a Map<String, Value>, BundleError> {
    v.as_object().ok_or(BundleError::InvalidField {
        field: name,
        reason: "expected an object".into(),
    })
}

fn string<'a>(v: &'a Value, name: &'static str) -> Result<&'a str, BundleError> {
    v.as_str().ok_or(BundleError::InvalidField {
        field: name,
        reason: "expected a string".into(),
    })
}

fn bytes(v: &Value, name: &'static str) -> Result<Vec<u8>, BundleError> {
    b64decode(string(v, name)?).ok_or(BundleError::InvalidField {
        field: name,
        reason: "not valid base64".into(),
    })
}

impl Bundle {
    /// Parses bundle JSON.
    pub fn from_json(data: &[u8]) -> Result<Self, BundleError> {
        let value: Value =
            serde_json::from_slice(data).map_err(|e| BundleError::InvalidJson(e.to_string()))?;
        let root = object(&value, "bundle")?;
        let media_type = string(
            field(root, "mediaType", "media_type").ok_or(BundleError::MissingField("mediaType"))?,
            "mediaType",
        )?;
        if !KNOWN_MEDIA_TYPES.contains(&media_type) {
            return Err(BundleError::UnknownMediaType(media_type.into()));
        }
        let vm = object(
            field(root, "verificationMaterial", "verification_material")
                .ok_or(BundleError::MissingField("verificationMaterial"))?,
            "verificationMaterial",
        )?;
        let public_key = field(vm, "publicKey", "public_key");
        let chain = field(vm, "x509CertificateChain", "x509_certificate_chain");
        let cert = field(vm, "certificate", "certificate");
        let material = match (public_key, chain, cert) {
            (Some(pk), None, None) => {
                let pk = object(pk, "verificationMaterial.publicKey")?;
                let hint = match pk.get("hint") {
                    None | Some(Value::Null) => None,
                    Some(h) => Some(string(h, "verificationMaterial.publicKey.hint")?.to_string()),
                }
                .filter(|h| !h.is_empty());
                let legacy_raw_bytes = field(pk, "rawBytes", "raw_bytes")
                    .map(|v| bytes(v, "verificationMaterial.publicKey.rawBytes"))
                    .transpose()?;
                VerificationMaterial::PublicKey {
                    hint,
                    legacy_raw_bytes,
                }
            }
            (None, Some(chain), None) => {
                let chain = object(chain, "verificationMaterial.x509CertificateChain")?;
                let certs = field(chain, "certificates", "certificates")
                    .ok_or(BundleError::MissingField(
                        "verificationMaterial.x509CertificateChain.certificates",
                    ))?
                    .as_array()
                    .ok_or(BundleError::InvalidField {
                        field: "verificationMaterial.x509CertificateChain.certificates",
                        reason: "expected a list".into(),
                    })?;
                let certs = certs
                    .iter()
                    .map(|c| {
                        let c = object(c, "x509CertificateChain.certificates[]")?;
                        bytes(
                            field(c, "rawBytes", "raw_bytes").ok_or(BundleError::MissingField(
                                "x509CertificateChain.certificates[].rawBytes",
                            ))?,
                            "x509CertificateChain.certificates[].rawBytes",
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if certs.is_empty() {
                    return Err(BundleError::InvalidField {
                        field: "verificationMaterial.x509CertificateChain.certificates",
                        reason: "the chain is empty".into(),
                    });
                }
                VerificationMaterial::X509CertificateChain(certs)
            }
            (None, None, Some(cert)) => {
                let cert = object(cert, "verificationMaterial.certificate")?;
                VerificationMaterial::Certificate(bytes(
                    field(cert, "rawBytes", "raw_bytes").ok_or(BundleError::MissingField(
                        "verificationMaterial.certificate.rawBytes",
                    ))?,
                    "verificationMaterial.certificate.rawBytes",
                )?)
            }
            _ => return Err(BundleError::AmbiguousMaterial),
        };
        let tlog_entries = match field(vm, "tlogEntries", "tlog_entries") {
            None => Vec::new(),
            Some(v) => v
                .as_array()
                .ok_or(BundleError::InvalidField {
                    field: "verificationMaterial.tlogEntries",
                    reason: "expected a list".into(),
                })?
                .clone(),
        };
        let timestamp_verification_data = field(
            vm,
            "timestampVerificationData",
            "timestamp_verification_data",
        )
        .cloned();

        if field(root, "messageSignature", "message_signature").is_some() {
            return Err(BundleError::MessageSignature);
        }
        let env = object(
            field(root, "dsseEnvelope", "dsse_envelope")
                .ok_or(BundleError::MissingField("dsseEnvelope"))?,
            "dsseEnvelope",
        )?;
        let payload = bytes(
            env.get("payload")
                .ok_or(BundleError::MissingField("dsseEnvelope.payload"))?,
            "dsseEnvelope.payload",
        )?;
        let payload_type = string(
            field(env, "payloadType", "payload_type")
                .ok_or(BundleError::MissingField("dsseEnvelope.payloadType"))?,
            "dsseEnvelope.payloadType",
        )?
        .to_string();
        let sigs = env
            .get("signatures")
            .ok_or(BundleError::MissingField("dsseEnvelope.signatures"))?
            .as_array()
            .ok_or(BundleError::InvalidField {
                field: "dsseEnvelope.signatures",
                reason: "expected a list".into(),
            })?;
        let signatures = sigs
            .iter()
            .map(|s| {
                let s = object(s, "dsseEnvelope.signatures[]")?;
                Ok(EnvelopeSignature {
                    sig: bytes(
                        s.get("sig")
                            .ok_or(BundleError::MissingField("dsseEnvelope.signatures[].sig"))?,
                        "dsseEnvelope.signatures[].sig",
                    )?,
                    keyid: match s.get("keyid") {
                        None | Some(Value::Null) => None,
                        Some(k) => Some(string(k, "dsseEnvelope.signatures[].keyid")?.to_string()),
                    },
                })
            })
            .collect::<Result<Vec<_>, BundleError>>()?;
        Ok(Self {
            media_type: media_type.into(),
            verification_material: material,
            tlog_entries,
            timestamp_verification_data,
            envelope: Envelope {
                payload,
                payload_type,
                signatures,
            },
        })
    }

    /// Writes the bundle as the reference does for key and certificate signatures:
    /// compact JSON, fields in declaration order, `keyid: ""`, `tlogEntries: []`.
    pub fn to_json(&self) -> String {
        let material = match &self.verification_material {
            VerificationMaterial::PublicKey { hint, .. } => (
                "publicKey",
                Json::object([("hint", Json::str(hint.clone().unwrap_or_default()))]),
            ),
            VerificationMaterial::X509CertificateChain(certs) => (
                "x509CertificateChain",
                Json::object([(
                    "certificates",
                    Json::Array(
                        certs
                            .iter()
                            .map(|c| Json::object([("rawBytes", Json::str(b64encode(c)))]))
                            .collect(),
                    ),
                )]),
            ),
            VerificationMaterial::Certificate(c) => (
                "certificate",
                Json::object([("rawBytes", Json::str(b64encode(c)))]),
            ),
        };
        let mut vm = alloc::vec![
            (material.0.to_string(), material.1),
            (
                "tlogEntries".to_string(),
                Json::Array(self.tlog_entries.iter().map(from_value).collect()),
            ),
        ];
        if let Some(ts) = &self.timestamp_verification_data {
            vm.push(("timestampVerificationData".into(), from_value(ts)));
        }
        let signatures = self
            .envelope
            .signatures
            .iter()
            .map(|s| match &s.keyid {
                Some(keyid) => Json::object([
                    ("sig", Json::str(b64encode(&s.sig))),
                    ("keyid", Json::str(keyid.clone())),
                ]),
                // Keyless (Sigstore) bundles carry no key ID, as sigstore-python writes them.
                None => Json::object([("sig", Json::str(b64encode(&s.sig)))]),
            })
            .collect();
        Json::object([
            ("mediaType", Json::str(self.media_type.clone())),
            ("verificationMaterial", Json::Object(vm)),
            (
                "dsseEnvelope",
                Json::object([
                    ("payload", Json::str(b64encode(&self.envelope.payload))),
                    ("payloadType", Json::str(self.envelope.payload_type.clone())),
                    ("signatures", Json::Array(signatures)),
                ]),
            ),
        ])
        .to_compact()
    }
}

/// The protobuf field order of the `TransparencyLogEntry` and
/// `TimestampVerificationData` messages (and their parts), which is the order
/// sigstore-python writes them in; unknown keys follow, in serde_json's order.
const PROTO_FIELD_ORDER: [&str; 18] = [
    "logIndex",
    "logId",
    "kindVersion",
    "integratedTime",
    "inclusionPromise",
    "inclusionProof",
    "canonicalizedBody",
    "keyId",
    "kind",
    "version",
    "signedEntryTimestamp",
    "rootHash",
    "treeSize",
    "hashes",
    "checkpoint",
    "envelope",
    "rfc3161Timestamps",
    "signedTimestamp",
];

/// Converts parsed JSON back for writing: object keys in protobuf field order
/// ([`PROTO_FIELD_ORDER`]), so the entries are written as the reference writes them
/// whatever order serde_json keeps.
fn from_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => n
            .as_u64()
            .map(Json::UInt)
            .unwrap_or_else(|| Json::Str(n.to_string())),
        Value::String(s) => Json::Str(s.clone()),
        Value::Array(a) => Json::Array(a.iter().map(from_value).collect()),
        Value::Object(o) => {
            let rank = |k: &str| {
                PROTO_FIELD_ORDER
                    .iter()
                    .position(|f| *f == k)
                    .unwrap_or(PROTO_FIELD_ORDER.len())
            };
            let mut fields: Vec<(&String, &Value)> = o.iter().collect();
            // Stable: unknown keys keep their relative order.
            fields.sort_by_key(|(k, _)| rank(k));
            Json::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.clone(), from_value(v)))
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_reference_shape() {
        let b = Bundle {
            media_type: MEDIA_TYPE_V0_3.into(),
            verification_material: VerificationMaterial::PublicKey {
                hint: Some("ab".into()),
                legacy_raw_bytes: None,
            },
            tlog_entries: Vec::new(),
            timestamp_verification_data: None,
            envelope: Envelope {
                payload: b"{}".to_vec(),
                payload_type: crate::dsse::IN_TOTO_PAYLOAD_TYPE.into(),
                signatures: alloc::vec![EnvelopeSignature {
                    sig: alloc::vec![1, 2],
                    keyid: Some(String::new()),
                }],
            },
        };
        let json = b.to_json();
        assert_eq!(
            json,
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"ab\"},\"tlogEntries\":[]},\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"AQI=\",\"keyid\":\"\"}]}}"
        );
        assert_eq!(Bundle::from_json(json.as_bytes()).unwrap(), b);
    }

    #[test]
    fn writes_keyless_entries_in_protobuf_order_without_keyid() {
        let entry: Value = serde_json::from_str(
            r#"{"canonicalizedBody":"e30=","inclusionProof":{"checkpoint":{"envelope":"x"},"hashes":[],"treeSize":"1","rootHash":"AA==","logIndex":"0"},"integratedTime":"5","kindVersion":{"version":"0.0.1","kind":"dsse"},"logId":{"keyId":"AA=="},"logIndex":"7","inclusionPromise":{"signedEntryTimestamp":"AA=="}}"#,
        )
        .unwrap();
        let b = Bundle {
            media_type: MEDIA_TYPE_V0_3.into(),
            verification_material: VerificationMaterial::Certificate(alloc::vec![1]),
            tlog_entries: alloc::vec![entry],
            timestamp_verification_data: Some(
                serde_json::from_str(r#"{"rfc3161Timestamps":[{"signedTimestamp":"AQ=="}]}"#)
                    .unwrap(),
            ),
            envelope: Envelope {
                payload: b"{}".to_vec(),
                payload_type: crate::dsse::IN_TOTO_PAYLOAD_TYPE.into(),
                signatures: alloc::vec![EnvelopeSignature {
                    sig: alloc::vec![1, 2],
                    keyid: None,
                }],
            },
        };
        assert_eq!(
            b.to_json(),
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AQ==\"},\"tlogEntries\":[{\"logIndex\":\"7\",\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":\"dsse\",\"version\":\"0.0.1\"},\"integratedTime\":\"5\",\"inclusionPromise\":{\"signedEntryTimestamp\":\"AA==\"},\"inclusionProof\":{\"logIndex\":\"0\",\"rootHash\":\"AA==\",\"treeSize\":\"1\",\"hashes\":[],\"checkpoint\":{\"envelope\":\"x\"}},\"canonicalizedBody\":\"e30=\"}],\"timestampVerificationData\":{\"rfc3161Timestamps\":[{\"signedTimestamp\":\"AQ==\"}]}},\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"AQI=\"}]}}"
        );
    }

    #[test]
    fn reads_legacy_and_rejects_bad() {
        let legacy = br#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {"publicKey": {"rawBytes": "aGk=", "keyDetails": "PKIX_ECDSA_P384_SHA_384"}}, "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "AQI=", "keyid": null}]}}"#;
        let b = Bundle::from_json(legacy).unwrap();
        assert_eq!(
            b.verification_material,
            VerificationMaterial::PublicKey {
                hint: None,
                legacy_raw_bytes: Some(b"hi".to_vec())
            }
        );
        assert_eq!(b.envelope.signatures[0].keyid, None);
        let wrong_type = String::from_utf8_lossy(legacy).replace("bundle.v0.3", "bundle.v9");
        assert!(matches!(
            Bundle::from_json(wrong_type.as_bytes()),
            Err(BundleError::UnknownMediaType(_))
        ));
        assert!(matches!(
            Bundle::from_json(&legacy[..50]),
            Err(BundleError::InvalidJson(_))
        ));
        let no_env = String::from_utf8_lossy(legacy).replace("dsseEnvelope", "other");
        assert_eq!(
            Bundle::from_json(no_env.as_bytes()),
            Err(BundleError::MissingField("dsseEnvelope"))
        );
    }
}
