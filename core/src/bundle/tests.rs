//! Bundles as written and as read.

use alloc::string::String;

use super::*;
use crate::dsse::EnvelopeSignature;
use crate::sigstore::tlog::InclusionProof;

fn envelope(keyid: Option<String>) -> Envelope {
    Envelope {
        payload: b"{}".to_vec(),
        payload_type: crate::dsse::IN_TOTO_PAYLOAD_TYPE.into(),
        signatures: alloc::vec![EnvelopeSignature {
            sig: alloc::vec![1, 2],
            keyid,
        }],
    }
}

#[test]
fn writes_reference_shape() {
    let b = Bundle::dsse(
        VerificationMaterial::PublicKey {
            hint: Some("ab".into()),
            legacy_raw_bytes: None,
        },
        envelope(Some(String::new())),
    );
    let json = b.to_json();
    assert_eq!(
        json,
        "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"ab\"},\"tlogEntries\":[]},\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"AQI=\",\"keyid\":\"\"}]}}"
    );
    assert_eq!(Bundle::from_json(json.as_bytes()).unwrap(), b);
}

#[test]
fn writes_keyless_entries_in_protobuf_order_without_keyid() {
    let mut b = Bundle::dsse(
        VerificationMaterial::Certificate(alloc::vec![1]),
        envelope(None),
    );
    b.tlog_entries.push(TlogEntry {
        log_index: 7,
        log_id: alloc::vec![0],
        kind: "dsse".into(),
        version: "0.0.1".into(),
        integrated_time: 5,
        inclusion_promise: Some(alloc::vec![0]),
        inclusion_proof: Some(InclusionProof {
            log_index: 0,
            root_hash: alloc::vec![0],
            tree_size: 1,
            hashes: alloc::vec![],
            checkpoint: Some("x".into()),
        }),
        canonicalized_body: b"{}".to_vec(),
    });
    b.timestamps.push(alloc::vec![1]);
    let json = b.to_json();
    assert_eq!(
        json,
        "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AQ==\"},\"tlogEntries\":[{\"logIndex\":\"7\",\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":\"dsse\",\"version\":\"0.0.1\"},\"integratedTime\":\"5\",\"inclusionPromise\":{\"signedEntryTimestamp\":\"AA==\"},\"inclusionProof\":{\"logIndex\":\"0\",\"rootHash\":\"AA==\",\"treeSize\":\"1\",\"hashes\":[],\"checkpoint\":{\"envelope\":\"x\"}},\"canonicalizedBody\":\"e30=\"}],\"timestampVerificationData\":{\"rfc3161Timestamps\":[{\"signedTimestamp\":\"AQ==\"}]}},\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"AQI=\"}]}}"
    );
    assert_eq!(Bundle::from_json(json.as_bytes()).unwrap(), b);
}

#[test]
fn a_keyless_vector_is_written_back_as_read() {
    // What is read is written back unchanged (field order, defaults), so a bundle
    // passed through this crate stays the bundle that was verified.
    let original: &[u8] = include_bytes!(
        "../../../tests/vectors/model-transparency/scripts/tests/v1.1.0-sigstore/model.sig"
    );
    let b = Bundle::from_json(original).unwrap();
    let again = Bundle::from_json(b.to_json().as_bytes()).unwrap();
    assert_eq!(again, b);
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
    assert_eq!(b.envelope().unwrap().signatures[0].keyid, None);
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
        Err(BundleError::Field(FieldError::Missing(
            "dsseEnvelope".into()
        )))
    );
    // Model signatures never sign a message; any Sigstore bundle may.
    let message = String::from_utf8_lossy(legacy).replace(
        r#""dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "AQI=", "keyid": null}]}"#,
        r#""messageSignature": {"signature": "AQI="}"#,
    );
    assert_eq!(
        Bundle::from_json(message.as_bytes()),
        Err(BundleError::MessageSignature)
    );
    assert!(matches!(
        Bundle::from_json_strict(message.as_bytes())
            .unwrap()
            .content,
        Content::MessageSignature { .. }
    ));
}
