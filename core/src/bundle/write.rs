//! Writing bundle JSON as sigstore-python and the reference write it: compact, fields
//! in protobuf declaration order, 64-bit integers as strings, proto3 defaults omitted
//! where those writers omit them.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::{Bundle, Content, VerificationMaterial};
use crate::encoding::b64encode;
use crate::json::Json;
use crate::keys::SignatureHash;
use crate::sigstore::tlog::TlogEntry;

fn bytes(b: &[u8]) -> Json {
    Json::str(b64encode(b))
}

fn int(n: impl ToString) -> Json {
    Json::str(n.to_string())
}

fn tlog_entry(e: &TlogEntry) -> Json {
    let mut fields = alloc::vec![
        ("logIndex", int(e.log_index)),
        ("logId", Json::object([("keyId", bytes(&e.log_id))])),
        (
            "kindVersion",
            Json::object([
                ("kind", Json::str(e.kind.clone())),
                ("version", Json::str(e.version.clone())),
            ]),
        ),
    ];
    // Rekor v2 entries have no integrated time: proto3 leaves the zero out.
    if e.integrated_time != 0 {
        fields.push(("integratedTime", int(e.integrated_time)));
    }
    if let Some(set) = &e.inclusion_promise {
        fields.push((
            "inclusionPromise",
            Json::object([("signedEntryTimestamp", bytes(set))]),
        ));
    }
    if let Some(p) = &e.inclusion_proof {
        let mut proof = alloc::vec![
            ("logIndex", int(p.log_index)),
            ("rootHash", bytes(&p.root_hash)),
            ("treeSize", int(p.tree_size)),
            (
                "hashes",
                Json::Array(p.hashes.iter().map(|h| bytes(h)).collect()),
            ),
        ];
        if let Some(envelope) = &p.checkpoint {
            proof.push((
                "checkpoint",
                Json::object([("envelope", Json::str(envelope.clone()))]),
            ));
        }
        fields.push(("inclusionProof", Json::object(proof)));
    }
    fields.push(("canonicalizedBody", bytes(&e.canonicalized_body)));
    Json::object(fields)
}

fn hash_name(h: SignatureHash) -> &'static str {
    match h {
        SignatureHash::Sha256 => "SHA2_256",
        SignatureHash::Sha384 => "SHA2_384",
        SignatureHash::Sha512 => "SHA2_512",
    }
}

impl Bundle {
    /// Writes the bundle as the reference does: compact JSON, fields in protobuf order,
    /// `keyid: ""` for key and certificate signatures, `tlogEntries: []` when there is
    /// none, no key ID for keyless signatures.
    pub fn to_json(&self) -> alloc::string::String {
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
                            .map(|c| Json::object([("rawBytes", bytes(c))]))
                            .collect(),
                    ),
                )]),
            ),
            VerificationMaterial::Certificate(c) => {
                ("certificate", Json::object([("rawBytes", bytes(c))]))
            }
        };
        let mut vm: Vec<(&str, Json)> = alloc::vec![
            material,
            (
                "tlogEntries",
                Json::Array(self.tlog_entries.iter().map(tlog_entry).collect()),
            ),
        ];
        if !self.timestamps.is_empty() {
            let list = self
                .timestamps
                .iter()
                .map(|t| Json::object([("signedTimestamp", bytes(t))]))
                .collect();
            vm.push((
                "timestampVerificationData",
                Json::object([("rfc3161Timestamps", Json::Array(list))]),
            ));
        }
        let content = match &self.content {
            Content::Dsse(envelope) => {
                let signatures = envelope
                    .signatures
                    .iter()
                    .map(|s| match &s.keyid {
                        Some(keyid) => Json::object([
                            ("sig", bytes(&s.sig)),
                            ("keyid", Json::str(keyid.clone())),
                        ]),
                        None => Json::object([("sig", bytes(&s.sig))]),
                    })
                    .collect();
                (
                    "dsseEnvelope",
                    Json::object([
                        ("payload", bytes(&envelope.payload)),
                        ("payloadType", Json::str(envelope.payload_type.clone())),
                        ("signatures", Json::Array(signatures)),
                    ]),
                )
            }
            Content::MessageSignature { digest, signature } => {
                let mut fields = Vec::new();
                if let Some((hash, value)) = digest {
                    fields.push((
                        "messageDigest",
                        Json::object([
                            ("algorithm", Json::str(hash_name(*hash))),
                            ("digest", bytes(value)),
                        ]),
                    ));
                }
                fields.push(("signature", bytes(signature)));
                ("messageSignature", Json::object(fields))
            }
        };
        Json::object([
            ("mediaType", Json::str(self.media_type.clone())),
            ("verificationMaterial", Json::object(vm)),
            content,
        ])
        .to_compact()
    }
}
