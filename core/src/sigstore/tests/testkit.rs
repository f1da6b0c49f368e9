//! Test-only PKI: hand-encoded X.509 certificates and RFC 3161 responses signed with
//! deterministic P-256 keys, to exercise checks that real bundles cannot reach (a
//! verified time before a certificate's notBefore, a timestamp authority whose validity
//! or certificate is wrong). Only `core` and `alloc` are used.

use alloc::vec::Vec;

use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest as _, Sha256};

use crate::sigstore::asn1::{encode, INTEGER, OCTET_STRING, OID, SEQUENCE, SET};

/// A deterministic P-256 key.
pub fn key(seed: u8) -> SigningKey {
    let mut bytes = [0x11u8; 32];
    bytes[31] = seed;
    SigningKey::from_bytes(&bytes.into()).expect("valid scalar")
}

/// DER SPKI of a key.
pub fn spki(key: &SigningKey) -> Vec<u8> {
    crate::keys::PublicKey::P256(*key.verifying_key()).to_spki_der()
}

fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let sig: Signature = key.sign_prehash(&Sha256::digest(message)).expect("signs");
    sig.to_der().as_bytes().to_vec()
}

fn oid(text: &str) -> Vec<u8> {
    encode(
        OID,
        const_oid::ObjectIdentifier::new_unwrap(text).as_bytes(),
    )
}

/// `Name` with a single commonName.
pub fn name(cn: &str) -> Vec<u8> {
    let atv = encode(
        SEQUENCE,
        &[oid("2.5.4.3"), encode(0x0c, cn.as_bytes())].concat(),
    );
    encode(SEQUENCE, &encode(SET, &atv))
}

fn ecdsa_sha256() -> Vec<u8> {
    encode(SEQUENCE, &oid("1.2.840.10045.4.3.2"))
}

/// A certificate extension.
pub fn ext(oid_text: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut content = oid(oid_text);
    if critical {
        content.extend_from_slice(&[0x01, 0x01, 0xff]);
    }
    content.extend_from_slice(&encode(OCTET_STRING, value));
    encode(SEQUENCE, &content)
}

/// basicConstraints CA:TRUE (critical) and keyUsage keyCertSign.
pub fn ca_extensions() -> Vec<Vec<u8>> {
    alloc::vec![
        ext("2.5.29.19", true, &encode(SEQUENCE, &[0x01, 0x01, 0xff])),
        ext("2.5.29.15", true, &[0x03, 0x02, 0x02, 0x04]),
    ]
}

/// EKU timeStamping (critical) and keyUsage digitalSignature.
pub fn tsa_extensions() -> Vec<Vec<u8>> {
    alloc::vec![
        ext(
            "2.5.29.37",
            true,
            &encode(SEQUENCE, &oid("1.3.6.1.5.5.7.3.8"))
        ),
        ext("2.5.29.15", true, &[0x03, 0x02, 0x07, 0x80]),
    ]
}

/// A v3 certificate. Times are `YYMMDDHHMMSSZ` (UTCTime).
pub fn certificate(
    serial: u8,
    issuer: &str,
    subject: &str,
    subject_spki: &[u8],
    validity: (&str, &str),
    extensions: &[Vec<u8>],
    signer: &SigningKey,
) -> Vec<u8> {
    let tbs = encode(
        SEQUENCE,
        &[
            encode(0xa0, &encode(INTEGER, &[2])),
            encode(INTEGER, &[serial]),
            ecdsa_sha256(),
            name(issuer),
            encode(
                SEQUENCE,
                &[
                    encode(0x17, validity.0.as_bytes()),
                    encode(0x17, validity.1.as_bytes()),
                ]
                .concat(),
            ),
            name(subject),
            subject_spki.to_vec(),
            encode(0xa3, &encode(SEQUENCE, &extensions.concat())),
        ]
        .concat(),
    );
    let sig = sign(signer, &tbs);
    let mut bits = alloc::vec![0u8];
    bits.extend_from_slice(&sig);
    encode(
        SEQUENCE,
        &[tbs.clone(), ecdsa_sha256(), encode(0x03, &bits)].concat(),
    )
}

/// A timestamp authority: a root and a leaf, with their keys.
pub struct TestTsa {
    /// The leaf's key.
    pub leaf_key: SigningKey,
    /// The leaf (DER).
    pub leaf: Vec<u8>,
    /// The root (DER).
    pub root: Vec<u8>,
}

impl TestTsa {
    /// A TSA valid 2000-2049.
    pub fn new() -> Self {
        Self::with_leaf_extensions(tsa_extensions())
    }

    /// A TSA whose leaf has these extensions.
    pub fn with_leaf_extensions(extensions: Vec<Vec<u8>>) -> Self {
        let root_key = key(1);
        let leaf_key = key(2);
        let validity = ("000101000000Z", "491231235959Z");
        let root = certificate(
            1,
            "Test TSA Root",
            "Test TSA Root",
            &spki(&root_key),
            validity,
            &ca_extensions(),
            &root_key,
        );
        let leaf = certificate(
            2,
            "Test TSA Root",
            "Test TSA",
            &spki(&leaf_key),
            validity,
            &extensions,
            &root_key,
        );
        Self {
            leaf_key,
            leaf,
            root,
        }
    }

    /// The trusted-root JSON entry for this TSA.
    pub fn authority_json(&self, valid_from: &str) -> serde_json::Value {
        serde_json::json!({
            "subject": {"organization": "test", "commonName": "Test TSA"},
            "uri": "http://tsa.test",
            "certChain": {"certificates": [
                {"rawBytes": crate::encoding::b64encode(&self.leaf)},
                {"rawBytes": crate::encoding::b64encode(&self.root)},
            ]},
            "validFor": {"start": valid_from},
        })
    }

    /// A granted TimeStampResp over `message` (SHA-256 imprint) at `gen_time`
    /// (`YYYYMMDDHHMMSSZ`).
    pub fn respond(&self, message: &[u8], gen_time: &str) -> Vec<u8> {
        let sha256 = encode(SEQUENCE, &oid("2.16.840.1.101.3.4.2.1"));
        let imprint = encode(
            SEQUENCE,
            &[
                sha256.clone(),
                encode(OCTET_STRING, &Sha256::digest(message)),
            ]
            .concat(),
        );
        let tst = encode(
            SEQUENCE,
            &[
                encode(INTEGER, &[1]),
                oid("1.3.6.1.4.1.57264.2"),
                imprint,
                encode(INTEGER, &[7]),
                encode(0x18, gen_time.as_bytes()),
            ]
            .concat(),
        );
        let attr =
            |o: &str, value: Vec<u8>| encode(SEQUENCE, &[oid(o), encode(SET, &value)].concat());
        let attrs = [
            attr("1.2.840.113549.1.9.3", oid("1.2.840.113549.1.9.16.1.4")),
            attr(
                "1.2.840.113549.1.9.4",
                encode(OCTET_STRING, &Sha256::digest(&tst)),
            ),
        ]
        .concat();
        let signature = sign(&self.leaf_key, &encode(SET, &attrs));
        let signer_info = encode(
            SEQUENCE,
            &[
                encode(INTEGER, &[1]),
                encode(
                    SEQUENCE,
                    &[name("Test TSA Root"), encode(INTEGER, &[2])].concat(),
                ),
                sha256.clone(),
                encode(0xa0, &attrs),
                ecdsa_sha256(),
                encode(OCTET_STRING, &signature),
            ]
            .concat(),
        );
        let signed_data = encode(
            SEQUENCE,
            &[
                encode(INTEGER, &[3]),
                encode(SET, &sha256),
                encode(
                    SEQUENCE,
                    &[
                        oid("1.2.840.113549.1.9.16.1.4"),
                        encode(0xa0, &encode(OCTET_STRING, &tst)),
                    ]
                    .concat(),
                ),
                encode(SET, &signer_info),
            ]
            .concat(),
        );
        let token = encode(
            SEQUENCE,
            &[oid("1.2.840.113549.1.7.2"), encode(0xa0, &signed_data)].concat(),
        );
        encode(
            SEQUENCE,
            &[encode(SEQUENCE, &encode(INTEGER, &[0])), token].concat(),
        )
    }
}

/// A managed-key fixture: a message signature by a P-256 key, logged in a test Rekor v1
/// log (SET, one-leaf tree, signed checkpoint), with its trusted root. Deterministic
/// (RFC 6979 signatures), so the files in `tests/vectors/sigstore/managed-key/` are
/// exactly what this returns.
pub struct ManagedKeyFixture {
    /// The bundle JSON.
    pub bundle: Vec<u8>,
    /// The trusted root JSON.
    pub trusted_root: Vec<u8>,
    /// The signer's public key, PEM.
    pub public_key: Vec<u8>,
    /// The signed artifact.
    pub artifact: Vec<u8>,
}

/// Builds the [`ManagedKeyFixture`].
pub fn managed_key_fixture() -> ManagedKeyFixture {
    managed_key_bundle(b"hello, managed key\n")
}

/// A [`ManagedKeyFixture`] whose signature is over `signed` while the bundle, and its
/// faithfully logged entry, claim the fixture's artifact: everything binds, only the
/// signature itself is wrong.
pub fn managed_key_bad_signature() -> ManagedKeyFixture {
    managed_key_bundle(b"something else\n")
}

fn managed_key_bundle(signed: &[u8]) -> ManagedKeyFixture {
    use crate::encoding::{b64encode, hex};
    use serde_json::json;
    let artifact = b"hello, managed key\n".to_vec();
    let signer = key(21);
    let public_key = crate::keys::PublicKey::P256(*signer.verifying_key()).to_pem();
    let digest = Sha256::digest(&artifact);
    let signature = {
        let sig: Signature = signer.sign_prehash(&Sha256::digest(signed)).expect("signs");
        sig.to_der().as_bytes().to_vec()
    };
    let rekor = key(20);
    let rekor_spki = spki(&rekor);
    let log_id: [u8; 32] = Sha256::digest(&rekor_spki).into();
    // serde_json's map is sorted: this is the canonical body.
    let body = serde_json::to_vec(&json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex(&digest)}},
            "signature": {
                "content": b64encode(&signature),
                "publicKey": {"content": b64encode(public_key.as_bytes())},
            },
        },
    }))
    .expect("serialises");
    let integrated_time = 1_767_225_600u64; // 2026-01-01T00:00:00Z
    let set_payload = alloc::format!(
        "{{\"body\":\"{}\",\"integratedTime\":{integrated_time},\"logID\":\"{}\",\"logIndex\":0}}",
        b64encode(&body),
        hex(&log_id)
    );
    let set = sign(&rekor, set_payload.as_bytes());
    let root_hash = crate::sigstore::merkle::leaf_hash(&body);
    let note = alloc::format!("rekor.test - 42\n1\n{}\n", b64encode(&root_hash));
    let mut hint_sig = log_id[..4].to_vec();
    hint_sig.extend_from_slice(&sign(&rekor, note.as_bytes()));
    let checkpoint = alloc::format!("{note}\n\u{2014} rekor.test {}\n", b64encode(&hint_sig));
    let bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": {"hint": "test-key"},
            "tlogEntries": [{
                "logIndex": "0",
                "logId": {"keyId": b64encode(&log_id)},
                "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
                "integratedTime": alloc::format!("{integrated_time}"),
                "inclusionPromise": {"signedEntryTimestamp": b64encode(&set)},
                "inclusionProof": {
                    "logIndex": "0",
                    "rootHash": b64encode(&root_hash),
                    "treeSize": "1",
                    "hashes": [],
                    "checkpoint": {"envelope": checkpoint},
                },
                "canonicalizedBody": b64encode(&body),
            }],
        },
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64encode(&digest)},
            "signature": b64encode(&signature),
        },
    });
    let trusted_root = json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [{
            "baseUrl": "https://rekor.test",
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": b64encode(&rekor_spki),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": "2025-01-01T00:00:00Z"},
            },
            "logId": {"keyId": b64encode(&log_id)},
        }],
        "certificateAuthorities": [],
        "ctlogs": [],
        "timestampAuthorities": [],
    });
    ManagedKeyFixture {
        bundle: serde_json::to_vec_pretty(&bundle).expect("serialises"),
        trusted_root: serde_json::to_vec_pretty(&trusted_root).expect("serialises"),
        public_key: public_key.into_bytes(),
        artifact,
    }
}
