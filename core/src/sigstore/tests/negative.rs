//! One test per check: a real bundle (or trusted root) changed so that exactly that
//! check fails, asserting its own error variant.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::testkit::{self, TestTsa};
use super::*;
use crate::bundle::BundleError;
use crate::keys::VerifyingKey;
use crate::sigstore::checkpoint::CheckpointError;
use crate::sigstore::merkle::MerkleError;

/// v1.0.0: production, Rekor v1 dsse/0.0.1 with SET and proof, no timestamp.
const V1_0_0: &[u8] = MODEL_BUNDLES[1].1;
/// v1.1.0: the same plus one RFC 3161 timestamp.
const V1_1_0: &[u8] = MODEL_BUNDLES[3].1;
/// Staging Rekor v2 hashedrekord/0.0.2 with one timestamp: its only verified time.
const REKOR_V2: &[u8] = vector!("sigstore/sigstore-python/staging-rekor-v2.txt.sigstore.json");
const REKOR_V2_ARTIFACT: &[u8] = vector!("sigstore/sigstore-python/staging-rekor-v2.txt");
const REKOR_V2_ID: &str = "jku@goto.fi";
const GITHUB_ISSUER: &str = "https://github.com/login/oauth";

fn model(bundle: &[u8]) -> Result<VerifiedBundle, SigstoreError> {
    check(
        bundle,
        &TrustedRoot::production(),
        &model_policy(),
        Artifact::None,
    )
}

fn model_with_root(bundle: &[u8], root: &Value) -> Result<VerifiedBundle, SigstoreError> {
    check(
        bundle,
        &TrustedRoot::from_value(root).unwrap(),
        &model_policy(),
        Artifact::None,
    )
}

fn rekor_v2(bundle: &[u8], root: &TrustedRoot) -> Result<VerifiedBundle, SigstoreError> {
    check(
        bundle,
        root,
        &identity(REKOR_V2_ID, GITHUB_ISSUER),
        Artifact::Bytes(REKOR_V2_ARTIFACT),
    )
}

fn production_root() -> Value {
    json(trust_root::PRODUCTION_TRUSTED_ROOT)
}

fn staging_root() -> Value {
    json(trust_root::STAGING_TRUSTED_ROOT)
}

fn flip_last(bytes: &mut [u8]) {
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
}

fn entry(v: &mut Value) -> &mut Value {
    &mut v["verificationMaterial"]["tlogEntries"][0]
}

fn tlog_error(r: Result<VerifiedBundle, SigstoreError>) -> TlogError {
    match r {
        Err(SigstoreError::TransparencyLog { entry: 0, error })
        | Err(SigstoreError::Bundle(BundleError::TlogEntry { entry: 0, error })) => error,
        other => panic!("expected a log entry error, got {other:?}"),
    }
}

#[test]
fn reference_bundles_pass() {
    model(V1_0_0).unwrap();
    let v = model(V1_1_0).unwrap();
    assert_eq!(v.verified_times.len(), 2);
    assert!(v.rejected_timestamps.is_empty());
    let v = rekor_v2(REKOR_V2, &TrustedRoot::staging()).unwrap();
    assert_eq!(v.verified_times.len(), 1);
    assert!(matches!(
        v.verified_times[0].source,
        TimeSource::Timestamp { index: 0, .. }
    ));
    assert_eq!(v.log_entries[0].integrated_time, None);
    for check in [
        Check::Structure,
        Check::InclusionProof { entry: 0 },
        Check::Timestamp { index: 0 },
        Check::VerifiedTimeThreshold { count: 1 },
        Check::SignedCertificateTimestamps { count: 1 },
        Check::CertificateUsage,
        Check::Identity,
        Check::MessageDigest,
        Check::Signature,
        Check::LogEntryBody { entry: 0 },
    ] {
        assert!(v.checks.contains(&check), "{check:?} in {:?}", v.checks);
    }
    let identity = v.identity.unwrap();
    assert_eq!(identity.matched, SubjectName::Email(REKOR_V2_ID.into()));
    assert_eq!(identity.issuer, GITHUB_ISSUER);
}

#[test]
fn set_bit_flip() {
    let b = mutate(V1_0_0, |v| {
        edit_b64(
            &mut entry(v)["inclusionPromise"]["signedEntryTimestamp"],
            flip_last,
        )
    });
    assert!(matches!(
        tlog_error(model(&b)),
        TlogError::SetSignature { .. }
    ));
    // The SET covers the integrated time.
    let b = mutate(V1_0_0, |v| {
        let t = entry(v)["integratedTime"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap();
        entry(v)["integratedTime"] = alloc::format!("{}", t + 1).into();
    });
    assert!(matches!(
        tlog_error(model(&b)),
        TlogError::SetSignature { .. }
    ));
}

#[test]
fn proof_bit_flip() {
    let b = mutate(V1_0_0, |v| {
        edit_b64(&mut entry(v)["inclusionProof"]["hashes"][0], flip_last)
    });
    assert_eq!(
        tlog_error(model(&b)),
        TlogError::InclusionProof(MerkleError::RootMismatch)
    );
    let b = mutate(V1_0_0, |v| {
        entry(v)["inclusionProof"]["hashes"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
    assert!(matches!(
        tlog_error(model(&b)),
        TlogError::InclusionProof(MerkleError::WrongProofLength { .. })
    ));
    // Rekor v2 too.
    let b = mutate(REKOR_V2, |v| {
        edit_b64(&mut entry(v)["inclusionProof"]["hashes"][0], flip_last)
    });
    assert_eq!(
        tlog_error(rekor_v2(&b, &TrustedRoot::staging())),
        TlogError::InclusionProof(MerkleError::RootMismatch)
    );
}

/// Flips a bit of the first signature line's signature.
fn flip_checkpoint_signature(envelope: &str) -> String {
    let (text, sigs) = envelope.split_once("\n\n").unwrap();
    let mut lines: Vec<String> = sigs.lines().map(Into::into).collect();
    let (prefix, b64) = lines[0].rsplit_once(' ').unwrap();
    let mut bytes = crate::encoding::b64decode_strict(b64).unwrap();
    flip_last(&mut bytes);
    lines[0] = alloc::format!("{prefix} {}", crate::encoding::b64encode(&bytes));
    alloc::format!("{text}\n\n{}\n", lines.join("\n"))
}

#[test]
fn checkpoint_bit_flip() {
    let run = |bundle: &[u8], b: &[u8]| {
        if bundle == V1_0_0 {
            tlog_error(model(b))
        } else {
            tlog_error(rekor_v2(b, &TrustedRoot::staging()))
        }
    };
    for bundle in [V1_0_0, REKOR_V2] {
        let b = mutate(bundle, |v| {
            let cp = &mut entry(v)["inclusionProof"]["checkpoint"]["envelope"];
            *cp = flip_checkpoint_signature(cp.as_str().unwrap()).into();
        });
        let error = run(bundle, &b);
        assert!(
            matches!(
                error,
                TlogError::Checkpoint(CheckpointError::BadSignature { .. })
            ),
            "{error:?}"
        );
        // A changed tree size: the signature no longer covers the text.
        let b = mutate(bundle, |v| {
            let cp = &mut entry(v)["inclusionProof"]["checkpoint"]["envelope"];
            let text = cp.as_str().unwrap();
            let (origin, rest) = text.split_once('\n').unwrap();
            *cp = alloc::format!("{origin}\n1{rest}").into();
        });
        let error = run(bundle, &b);
        assert!(
            matches!(
                error,
                TlogError::Checkpoint(CheckpointError::BadSignature { .. })
            ),
            "{error:?}"
        );
    }
}

#[test]
fn checkpoint_must_match_the_proof() {
    let b = mutate(V1_0_0, |v| {
        let size = entry(v)["inclusionProof"]["treeSize"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap();
        entry(v)["inclusionProof"]["treeSize"] = alloc::format!("{}", size + 1).into();
    });
    assert!(matches!(
        tlog_error(model(&b)),
        TlogError::Checkpoint(CheckpointError::SizeMismatch { .. })
    ));
    let b = mutate(V1_0_0, |v| {
        edit_b64(&mut entry(v)["inclusionProof"]["rootHash"], flip_last)
    });
    assert_eq!(
        tlog_error(model(&b)),
        TlogError::Checkpoint(CheckpointError::RootHashMismatch)
    );
    let b = mutate(V1_0_0, |v| {
        entry(v)["inclusionProof"]
            .as_object_mut()
            .unwrap()
            .remove("checkpoint");
    });
    assert!(matches!(
        model(&b),
        Err(SigstoreError::TransparencyLog {
            error: TlogError::MissingCheckpoint,
            ..
        })
    ));
}

#[test]
fn rekor_v2_checkpoint_origin_and_index() {
    let mut root = staging_root();
    root["tlogs"][1]["baseUrl"] = "https://log2025-alpha9.rekor.sigstage.dev".into();
    let root = TrustedRoot::from_value(&root).unwrap();
    assert!(matches!(
        tlog_error(rekor_v2(REKOR_V2, &root)),
        TlogError::Checkpoint(CheckpointError::OriginMismatch { .. })
    ));
    let b = mutate(REKOR_V2, |v| entry(v)["logIndex"] = "644".into());
    assert!(matches!(
        tlog_error(rekor_v2(&b, &TrustedRoot::staging())),
        TlogError::ProofIndexMismatch {
            entry: 644,
            proof: 645
        }
    ));
}

/// The SCT's signature, inside the leaf certificate.
fn leaf_with_flipped_sct(leaf: &[u8]) -> Vec<u8> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(leaf).unwrap();
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == crate::oids::SCT_LIST)
        .unwrap();
    let value = ext.extn_value.as_bytes();
    let at = leaf.windows(value.len()).position(|w| w == value).unwrap() + value.len() - 1;
    let mut out = leaf.to_vec();
    out[at] ^= 1;
    out
}

#[test]
fn sct_bit_flip() {
    let bundle = crate::bundle::Bundle::from_json_strict(V1_0_0).unwrap();
    let root = TrustedRoot::production();
    let verified = verify(&bundle, &root, &model_policy(), &Artifact::None).unwrap();
    let mut path = verified.certificate_path.clone();
    assert_eq!(sct::verify_embedded_scts(&path, &root), Ok(1));
    path[0] = leaf_with_flipped_sct(&path[0]);
    assert!(matches!(
        sct::verify_embedded_scts(&path, &root),
        Err(SctError::BadSignature { .. })
    ));
    // End to end, a flipped SCT bit breaks the certificate's own signature first; with
    // the CT log's key replaced by another log's, only the SCT check fails.
    let mut root = production_root();
    let other = root["ctlogs"][0]["publicKey"].clone();
    root["ctlogs"][1]["publicKey"]["rawBytes"] = other["rawBytes"].clone();
    assert!(matches!(
        model_with_root(V1_0_0, &root),
        Err(SigstoreError::Sct(SctError::BadSignature { .. }))
    ));
    // Without the CT log.
    let mut root = production_root();
    root["ctlogs"].as_array_mut().unwrap().remove(1);
    assert!(matches!(
        model_with_root(V1_0_0, &root),
        Err(SigstoreError::Sct(SctError::UnknownLog { .. }))
    ));
    // The CT log's key not valid when the SCT was issued.
    let mut root = production_root();
    root["ctlogs"][1]["publicKey"]["validFor"]["start"] = "2030-01-01T00:00:00Z".into();
    assert!(matches!(
        model_with_root(V1_0_0, &root),
        Err(SigstoreError::Sct(SctError::OutsideLogValidity { .. }))
    ));
}

#[test]
fn signature_bit_flip() {
    let b = mutate(V1_0_0, |v| {
        edit_b64(&mut v["dsseEnvelope"]["signatures"][0]["sig"], flip_last)
    });
    // The log entry records the signature, so a changed one no longer binds to it; that
    // is found before any certificate path is built.
    assert!(
        matches!(
            model(&b),
            Err(SigstoreError::TransparencyLog {
                entry: 0,
                error: TlogError::Inconsistent(BodyError::Signature)
            })
        ),
        "{:?}",
        model(&b)
    );
    // A changed payload.
    let b = mutate(V1_0_0, |v| {
        edit_b64(&mut v["dsseEnvelope"]["payload"], |p| p[10] ^= 1)
    });
    assert!(
        matches!(
            model(&b),
            Err(SigstoreError::TransparencyLog {
                entry: 0,
                error: TlogError::Inconsistent(BodyError::PayloadHash)
            })
        ),
        "{:?}",
        model(&b)
    );
    // A message signature.
    let github = vector!("sigstore/sigstore-python/bundle_v3_github.whl.sigstore");
    let artifact = vector!("sigstore/sigstore-python/bundle_v3_github.whl");
    let policy = identity(
        "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
        "https://token.actions.githubusercontent.com",
    );
    check(
        github,
        &TrustedRoot::production(),
        &policy,
        Artifact::Bytes(artifact),
    )
    .unwrap();
    let b = mutate(github, |v| {
        edit_b64(&mut v["messageSignature"]["signature"], flip_last)
    });
    assert!(matches!(
        check(
            &b,
            &TrustedRoot::production(),
            &policy,
            Artifact::Bytes(artifact)
        ),
        Err(SigstoreError::TransparencyLog {
            entry: 0,
            error: TlogError::Inconsistent(BodyError::Signature)
        })
    ));
    // Another artifact: the bundle's digest is not its digest.
    assert!(matches!(
        check(
            github,
            &TrustedRoot::production(),
            &policy,
            Artifact::Bytes(b"other")
        ),
        Err(SigstoreError::MessageDigestMismatch)
    ));
    let d = SignatureHash::Sha256.digest(b"other");
    assert!(matches!(
        check(
            github,
            &TrustedRoot::production(),
            &policy,
            digest(SignatureHash::Sha256, &d)
        ),
        Err(SigstoreError::MessageDigestMismatch)
    ));
    assert!(matches!(
        check(github, &TrustedRoot::production(), &policy, Artifact::None),
        Err(SigstoreError::ArtifactRequired)
    ));
    // A DSSE statement whose subjects do not include the artifact.
    let d = SignatureHash::Sha256.digest(b"other");
    assert!(matches!(
        check(
            V1_0_0,
            &TrustedRoot::production(),
            &model_policy(),
            digest(SignatureHash::Sha256, &d)
        ),
        Err(SigstoreError::SubjectMismatch)
    ));
}

#[test]
fn certificate_bit_flip() {
    let b = mutate(V1_0_0, |v| {
        edit_b64(
            &mut v["verificationMaterial"]["certificate"]["rawBytes"],
            flip_last,
        )
    });
    // The entry logs the certificate byte for byte: the changed one is not the logged
    // signer, refused before its path is built.
    let err = model(&b).unwrap_err();
    assert!(
        matches!(
            &err,
            SigstoreError::TransparencyLog {
                entry: 0,
                error: TlogError::Inconsistent(BodyError::Verifier)
            }
        ),
        "{err:?}"
    );
}

#[test]
fn timestamp_bit_flip() {
    let b = mutate(REKOR_V2, |v| {
        edit_b64(
            &mut v["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"],
            flip_last,
        )
    });
    assert!(matches!(
        rekor_v2(&b, &TrustedRoot::staging()),
        Err(SigstoreError::Timestamp {
            index: 0,
            error: TimestampError::BadSignature(_)
        })
    ));
    // With a SET as well, the bad timestamp is skipped and reported.
    let b = mutate(V1_1_0, |v| {
        edit_b64(
            &mut v["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"],
            flip_last,
        )
    });
    let v = model(&b).unwrap();
    assert_eq!(v.verified_times.len(), 1);
    assert!(matches!(
        v.rejected_timestamps[..],
        [(0, TimestampError::BadSignature(_))]
    ));
}

/// The staging Rekor v2 bundle with its timestamps replaced, checked against staging
/// with its TSAs replaced by `tsa`.
fn with_test_tsa(
    tsa: &TestTsa,
    timestamps: &[Vec<u8>],
    tsa_valid_from: &str,
) -> Result<VerifiedBundle, SigstoreError> {
    let b = mutate(REKOR_V2, |v| {
        v["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] = timestamps
            .iter()
            .map(|t| serde_json::json!({"signedTimestamp": crate::encoding::b64encode(t)}))
            .collect();
    });
    let mut root = staging_root();
    root["timestampAuthorities"] = Value::Array(alloc::vec![tsa.authority_json(tsa_valid_from)]);
    rekor_v2(&b, &TrustedRoot::from_value(&root).unwrap())
}

fn rekor_v2_signature() -> Vec<u8> {
    let bundle = crate::bundle::Bundle::from_json_strict(REKOR_V2).unwrap();
    crate::sigstore::verifier::signature(&bundle)
        .unwrap()
        .to_vec()
}

#[test]
fn certificate_validity_at_verified_time() {
    // The leaf is valid 2025-06-09T11:57:35Z to 12:07:35Z.
    let tsa = TestTsa::new();
    let sig = rekor_v2_signature();
    let v = with_test_tsa(
        &tsa,
        &[tsa.respond(&sig, "20250609120000Z")],
        "2020-01-01T00:00:00Z",
    )
    .unwrap();
    assert_eq!(v.verified_times[0].time.to_string(), "2025-06-09T12:00:00Z");
    assert!(matches!(
        with_test_tsa(
            &tsa,
            &[tsa.respond(&sig, "20250609115000Z")],
            "2020-01-01T00:00:00Z"
        ),
        Err(SigstoreError::CertificateNotYetValid { .. })
    ));
    assert!(matches!(
        with_test_tsa(
            &tsa,
            &[tsa.respond(&sig, "20250609121000Z")],
            "2020-01-01T00:00:00Z"
        ),
        Err(SigstoreError::CertificateExpired { .. })
    ));
    // Fractional seconds are accepted; one past the last second is after it.
    assert!(matches!(
        with_test_tsa(
            &tsa,
            &[tsa.respond(&sig, "20250609120735.5Z")],
            "2020-01-01T00:00:00Z"
        ),
        Err(SigstoreError::CertificateExpired { .. })
    ));
    with_test_tsa(
        &tsa,
        &[tsa.respond(&sig, "20250609120735Z")],
        "2020-01-01T00:00:00Z",
    )
    .unwrap();
}

#[test]
fn timestamp_authority_checks() {
    let tsa = TestTsa::new();
    let sig = rekor_v2_signature();
    let ok = tsa.respond(&sig, "20250609120000Z");
    let fail = |r: Result<VerifiedBundle, SigstoreError>| match r {
        Err(SigstoreError::Timestamp { error, .. }) => error,
        other => panic!("{other:?}"),
    };
    // The authority's validity in the trusted root.
    assert_eq!(
        fail(with_test_tsa(
            &tsa,
            core::slice::from_ref(&ok),
            "2025-06-10T00:00:00Z"
        )),
        TimestampError::OutsideAuthorityValidity(
            UnixTime::parse_rfc3339("2025-06-09T12:00:00Z").unwrap()
        )
    );
    // Over other data.
    assert_eq!(
        fail(with_test_tsa(
            &tsa,
            &[tsa.respond(b"other", "20250609120000Z")],
            "2020-01-01T00:00:00Z"
        )),
        TimestampError::ImprintMismatch
    );
    // Not from a trusted authority: the real staging TSA's timestamp with only ours trusted.
    let real = crate::bundle::Bundle::from_json_strict(REKOR_V2)
        .unwrap()
        .timestamps[0]
        .clone();
    assert_eq!(
        fail(with_test_tsa(&tsa, &[real], "2020-01-01T00:00:00Z")),
        TimestampError::UntrustedAuthority
    );
    // A leaf whose timeStamping EKU is not critical.
    let lax = TestTsa::with_leaf_extensions(alloc::vec![testkit::ext(
        "2.5.29.37",
        false,
        &asn1::encode(
            asn1::SEQUENCE,
            &asn1::encode(
                asn1::OID,
                const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8").as_bytes()
            )
        ),
    )]);
    assert!(matches!(
        fail(with_test_tsa(
            &lax,
            &[lax.respond(&sig, "20250609120000Z")],
            "2020-01-01T00:00:00Z"
        )),
        TimestampError::NotTimestampingCertificate(_)
    ));
    // More than 32 timestamps, and duplicates.
    let many: Vec<Vec<u8>> = (0..33)
        .map(|i| tsa.respond(&sig, &alloc::format!("202506091200{i:02}Z")))
        .collect();
    assert_eq!(
        with_test_tsa(&tsa, &many, "2020-01-01T00:00:00Z").unwrap_err(),
        SigstoreError::Bundle(BundleError::TooManyTimestamps(33))
    );
    assert_eq!(
        with_test_tsa(&tsa, &many[..32], "2020-01-01T00:00:00Z")
            .unwrap()
            .verified_times
            .len(),
        32
    );
    assert_eq!(
        with_test_tsa(&tsa, &[ok.clone(), ok.clone()], "2020-01-01T00:00:00Z").unwrap_err(),
        SigstoreError::Bundle(BundleError::DuplicateTimestamp {
            first: 0,
            second: 1
        })
    );
    // Timestamps with no TSA in the trusted root.
    let mut root = production_root();
    root["timestampAuthorities"] = Value::Array(Vec::new());
    assert_eq!(
        model_with_root(V1_1_0, &root).unwrap_err(),
        SigstoreError::TimestampsWithoutAuthority
    );
}

#[test]
fn untrusted_root() {
    // Production's Fulcio CAs replaced by staging's.
    let mut root = production_root();
    root["certificateAuthorities"] = staging_root()["certificateAuthorities"].clone();
    assert!(matches!(
        model_with_root(V1_0_0, &root),
        Err(SigstoreError::UntrustedCertificate { .. })
    ));
    // No CA valid then.
    let mut root = production_root();
    for ca in root["certificateAuthorities"].as_array_mut().unwrap() {
        ca["validFor"]["end"] = "2023-01-01T00:00:00Z".into();
    }
    assert!(matches!(
        model_with_root(V1_0_0, &root),
        Err(SigstoreError::NoCertificateAuthorityAt(_))
    ));
}

#[test]
fn wrong_log_id() {
    let b = mutate(V1_0_0, |v| {
        edit_b64(&mut entry(v)["logId"]["keyId"], flip_last)
    });
    assert!(matches!(tlog_error(model(&b)), TlogError::UnknownLog(_)));
    // The log's key not valid at the integrated time.
    let mut root = production_root();
    root["tlogs"][0]["publicKey"]["validFor"]["end"] = "2022-01-01T00:00:00Z".into();
    assert!(matches!(
        model_with_root(V1_0_0, &root),
        Err(SigstoreError::TransparencyLog {
            error: TlogError::OutsideLogValidity { .. },
            ..
        })
    ));
    // A Rekor v2 log (no SET) not valid at the verified time.
    let mut root = staging_root();
    root["tlogs"][1]["publicKey"]["validFor"]["end"] = "2025-05-01T00:00:00Z".into();
    assert!(matches!(
        tlog_error(rekor_v2(REKOR_V2, &TrustedRoot::from_value(&root).unwrap())),
        TlogError::OutsideLogValidity { .. }
    ));
}

#[test]
fn entry_limits() {
    let b = mutate(V1_0_0, |v| {
        let e = entry(v).clone();
        let entries: Vec<Value> = (0..33)
            .map(|i| {
                let mut e = e.clone();
                e["logIndex"] = alloc::format!("{i}").into();
                e
            })
            .collect();
        v["verificationMaterial"]["tlogEntries"] = Value::Array(entries);
    });
    assert_eq!(
        model(&b).unwrap_err(),
        SigstoreError::Bundle(BundleError::TooManyTlogEntries(33))
    );
    let b = mutate(V1_0_0, |v| {
        let e = entry(v).clone();
        v["verificationMaterial"]["tlogEntries"] = Value::Array(alloc::vec![e.clone(), e]);
    });
    assert_eq!(
        model(&b).unwrap_err(),
        SigstoreError::Bundle(BundleError::DuplicateTlogEntry {
            first: 0,
            second: 1
        })
    );
}

#[test]
fn structure_rules() {
    // v0.1 needs the SET.
    let v01 = vector!("sigstore/sigstore-js/tests-bundles/bundleV01-dsse-no-proof.sigstore");
    let b = mutate(v01, |v| {
        entry(v).as_object_mut().unwrap().remove("inclusionPromise");
    });
    assert!(matches!(
        check(
            &b,
            &TrustedRoot::production(),
            &identity("brian@dehamer.com", GITHUB_ISSUER),
            Artifact::None
        ),
        Err(SigstoreError::TransparencyLog {
            error: TlogError::MissingInclusionPromise,
            ..
        })
    ));
    // v0.2 needs the proof.
    let v02 = vector!("sigstore/sigstore-js/tests-bundles/bundleV02-dsse.sigstore");
    let b = mutate(v02, |v| {
        entry(v).as_object_mut().unwrap().remove("inclusionProof");
    });
    assert!(matches!(
        check(
            &b,
            &TrustedRoot::production(),
            &identity("brian@dehamer.com", GITHUB_ISSUER),
            Artifact::None
        ),
        Err(SigstoreError::TransparencyLog {
            error: TlogError::MissingInclusionProof,
            ..
        })
    ));
    // v0.3 may not carry a chain.
    let full_chain =
        vector!("sigstore/sigstore-js/tests-bundles/bundleV01-full-cert-chain.sigstore");
    let b = mutate(full_chain, |v| {
        v["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.3+json".into()
    });
    assert_eq!(
        check(
            &b,
            &TrustedRoot::production(),
            &identity("brian@dehamer.com", GITHUB_ISSUER),
            Artifact::None
        )
        .unwrap_err(),
        SigstoreError::CertificateChainInV03
    );
    // Negative indexes, invalid base64, unknown media types.
    let b = mutate(V1_0_0, |v| entry(v)["logIndex"] = "-1".into());
    assert!(matches!(
        tlog_error(model(&b)),
        TlogError::Negative("logIndex")
    ));
    let b = mutate(V1_0_0, |v| {
        v["dsseEnvelope"]["signatures"][0]["sig"] = "MEUC IQ==".into()
    });
    assert!(matches!(
        model(&b),
        Err(SigstoreError::Bundle(BundleError::Field(_)))
    ));
    let b = mutate(V1_0_0, |v| {
        v["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.4".into()
    });
    assert!(matches!(
        model(&b),
        Err(SigstoreError::Bundle(BundleError::UnknownMediaType(_)))
    ));
    // The entry's declared kind differs from its body (kindVersion is not signed).
    let b = mutate(V1_0_0, |v| {
        entry(v)["kindVersion"]["version"] = "0.0.3".into()
    });
    assert!(matches!(
        tlog_error(model(&b)),
        TlogError::KindVersionMismatch { .. }
    ));
}

#[test]
fn identity_rules() {
    use crate::sigstore::identity::certificate_identity;
    use der::Decode;
    let key = testkit::key(9);
    let ext_v1 = testkit::ext("1.3.6.1.4.1.57264.1.1", false, b"https://one.example");
    let ext_v2 = testkit::ext(
        "1.3.6.1.4.1.57264.1.8",
        false,
        &asn1::encode(0x0c, b"https://two.example"),
    );
    let san = testkit::ext(
        "2.5.29.17",
        true,
        &asn1::encode(asn1::SEQUENCE, &asn1::encode(0x81, b"me@example.com")),
    );
    let cert = |exts: &[Vec<u8>]| {
        let der = testkit::certificate(
            3,
            "CA",
            "",
            &testkit::spki(&key),
            ("250101000000Z", "260101000000Z"),
            exts,
            &key,
        );
        x509_cert::Certificate::from_der(&der).unwrap()
    };
    let both = certificate_identity(&cert(&[san.clone(), ext_v1.clone(), ext_v2.clone()]));
    assert!(matches!(
        both,
        Err(IdentityError::ConflictingIssuers { .. })
    ));
    let legacy = certificate_identity(&cert(&[san.clone(), ext_v1])).unwrap();
    assert_eq!(legacy.issuer.as_deref(), Some("https://one.example"));
    let current = certificate_identity(&cert(&[san, ext_v2])).unwrap();
    assert_eq!(current.issuer.as_deref(), Some("https://two.example"));
    assert_eq!(
        current.names,
        alloc::vec![SubjectName::Email("me@example.com".into())]
    );
    let policy = IdentityPolicy::exact("me@example.com", "https://two.example");
    assert_eq!(
        policy.check(&current),
        Ok(SubjectName::Email("me@example.com".into()))
    );
    let no_issuer = certificate_identity(&cert(&[])).unwrap();
    assert!(matches!(
        IdentityPolicy::exact("x", "y").check(&no_issuer),
        Err(IdentityError::SanMismatch { .. })
    ));
    // A predicate (the host compiles regular expressions into one).
    let policy = IdentityPolicy {
        identity: Matcher::Predicate {
            description: "any example.com address".into(),
            matches: alloc::sync::Arc::new(|s: &str| s.ends_with("@example.com")),
        },
        issuer: Matcher::Exact("https://two.example".into()),
    };
    assert!(policy.check(&current).is_ok());
}

#[test]
fn managed_key() {
    let fixture = testkit::managed_key_fixture();
    // The checked-in files are exactly what the fixture builds.
    assert_eq!(
        fixture.bundle,
        vector!("sigstore/managed-key/bundle.sigstore.json")
    );
    assert_eq!(
        fixture.trusted_root,
        vector!("sigstore/managed-key/trusted_root.json")
    );
    assert_eq!(
        fixture.public_key,
        vector!("sigstore/managed-key/key.pub.pem")
    );
    assert_eq!(
        fixture.artifact,
        vector!("sigstore/managed-key/artifact.txt")
    );
    let root = TrustedRoot::from_json(&fixture.trusted_root).unwrap();
    let key = crate::keys::key_from_pem(&fixture.public_key).unwrap();
    let v = check(
        &fixture.bundle,
        &root,
        &Policy::Key(key.clone()),
        Artifact::Bytes(&fixture.artifact),
    )
    .unwrap();
    assert_eq!(v.identity, None);
    assert!(v.checks.contains(&Check::SignedEntryTimestamp { entry: 0 }));
    assert!(v.checks.contains(&Check::InclusionProof { entry: 0 }));
    assert!(v.checks.contains(&Check::LogEntryBody { entry: 0 }));
    let d = SignatureHash::Sha256.digest(&fixture.artifact);
    check(
        &fixture.bundle,
        &root,
        &Policy::Key(key.clone()),
        digest(SignatureHash::Sha256, &d),
    )
    .unwrap();
    // Another key.
    let other = VerifyingKey::Ecdsa(crate::keys::PublicKey::P256(
        *testkit::key(22).verifying_key(),
    ));
    assert!(matches!(
        check(
            &fixture.bundle,
            &root,
            &Policy::Key(other),
            Artifact::Bytes(&fixture.artifact)
        ),
        Err(SigstoreError::TransparencyLog {
            entry: 0,
            error: TlogError::Inconsistent(BodyError::Verifier)
        })
    ));
    // A signature that its entry records faithfully but that is not over the artifact:
    // every binding holds, the signature check itself refuses it.
    let bad = testkit::managed_key_bad_signature();
    assert!(matches!(
        check(
            &bad.bundle,
            &root,
            &Policy::Key(key.clone()),
            Artifact::Bytes(&bad.artifact)
        ),
        Err(SigstoreError::Signature(CryptoError::BadSignature))
    ));
    // A keyless policy for a key bundle.
    assert!(matches!(
        check(
            &fixture.bundle,
            &root,
            &model_policy(),
            Artifact::Bytes(&fixture.artifact)
        ),
        Err(SigstoreError::WrongMaterial { .. })
    ));
    // Another artifact.
    assert_eq!(
        check(
            &fixture.bundle,
            &root,
            &Policy::Key(key),
            Artifact::Bytes(b"other")
        )
        .unwrap_err(),
        SigstoreError::MessageDigestMismatch
    );
}
