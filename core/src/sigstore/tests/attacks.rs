//! The attack classes of recent Sigstore advisories, each with a bundle built for it.
//! Classes tested elsewhere, by the failure they show:
//! - one log or authority counted twice: `negative::entry_limits` (the same entry
//!   twice) and `negative::timestamp_authority_checks` (the same timestamp twice);
//! - a log key or TSA outside its validity window: `negative::wrong_log_id` and
//!   `negative::timestamp_authority_checks`;
//! - two DSSE signatures: `vectors` (`DsseSignatureCount(2)`) and, for key and
//!   certificate signatures, `host/cli/tests/bad_input.rs::two_dsse_signatures`;
//! - an endless or oversized response body: `host/src/keyless/http.rs`.

use alloc::string::ToString;

use super::testkit;
use super::*;
use crate::sigstore::tlog::TlogError;
use crate::sigstore::BodyError;

const V1_0_0: &[u8] = MODEL_BUNDLES[1].1;
const V1_1_0: &[u8] = MODEL_BUNDLES[3].1;

fn model(bundle: &[u8], root: &TrustedRoot) -> Result<VerifiedBundle, SigstoreError> {
    check(bundle, root, &model_policy(), Artifact::None)
}

/// cosign CVE-2026-22703: a real, valid log entry of another signature (same signer,
/// same log) attached to this bundle. Its SET and inclusion proof hold; what it records
/// is not this bundle's signature.
#[test]
fn log_entry_of_another_signature() {
    let other = json(V1_1_0)["verificationMaterial"]["tlogEntries"][0].clone();
    let b = mutate(V1_0_0, |v| {
        v["verificationMaterial"]["tlogEntries"][0] = other;
    });
    let e = model(&b, &TrustedRoot::production()).unwrap_err();
    assert!(
        matches!(
            e,
            SigstoreError::TransparencyLog {
                entry: 0,
                error: TlogError::Inconsistent(_)
            }
        ),
        "{e:?}"
    );
}

/// The same class for a message signature: another artifact whose digest the bundle
/// claims. The signature and the entry both hold for the first artifact, which the
/// entry records; the bundle is not for this one.
#[test]
fn log_entry_of_another_artifact() {
    use crate::encoding::b64encode;
    let fixture = testkit::managed_key_fixture();
    let root = TrustedRoot::from_json(&fixture.trusted_root).unwrap();
    let key = crate::keys::key_from_pem(&fixture.public_key).unwrap();
    let other = b"another artifact\n";
    let b = mutate(&fixture.bundle, |v| {
        v["messageSignature"]["messageDigest"]["digest"] =
            b64encode(&SignatureHash::Sha256.digest(other)).into();
    });
    assert_eq!(
        check(&b, &root, &Policy::Key(key), Artifact::Bytes(other)).unwrap_err(),
        SigstoreError::TransparencyLog {
            entry: 0,
            error: TlogError::Inconsistent(BodyError::ArtifactDigest)
        }
    );
}

/// CVE-2026-24122: a chain judged at the wrong time. The v1.0.0 leaf expired ten
/// minutes after it was issued, years ago: it verifies because it is checked at the
/// log's verified time, never now. A Fulcio CA that the trusted root makes valid only
/// after that time (valid now) must not vouch for it.
#[test]
fn chain_is_checked_at_the_verified_time() {
    let v = model(V1_0_0, &TrustedRoot::production()).unwrap();
    let signed_at = v.verified_times[0].time;
    assert!(v
        .checks
        .contains(&Check::CertificateChain { at: signed_at }));
    let mut root = json(trust_root::PRODUCTION_TRUSTED_ROOT);
    let after = UnixTime::from_secs(signed_at.secs + 1).to_string();
    for ca in root["certificateAuthorities"].as_array_mut().unwrap() {
        ca["validFor"]["start"] = after.clone().into();
        ca["validFor"].as_object_mut().unwrap().remove("end");
    }
    let root = TrustedRoot::from_value(&root).unwrap();
    let e = model(V1_0_0, &root).unwrap_err();
    assert!(
        matches!(e, SigstoreError::NoCertificateAuthorityAt(t) if t == signed_at),
        "{e:?}"
    );
}

/// An `integratedTime` in the future: the managed-key fixture's log (our own key)
/// signs 2026-01-01. A verifier whose clock says 2025-12-31 refuses it; 60 s of skew
/// are allowed; without a clock the check cannot be made and is not reported.
#[test]
fn integrated_time_in_the_future() {
    let fixture = testkit::managed_key_fixture();
    let root = TrustedRoot::from_json(&fixture.trusted_root).unwrap();
    let key = crate::keys::key_from_pem(&fixture.public_key).unwrap();
    let bundle = crate::bundle::Bundle::from_json_strict(&fixture.bundle).unwrap();
    let at = |now: &str| {
        verify_at(
            &bundle,
            &root,
            &Policy::Key(key.clone()),
            &Artifact::Bytes(&fixture.artifact),
            Some(UnixTime::parse_rfc3339(now).unwrap()),
        )
    };
    let e = at("2025-12-31T00:00:00Z").unwrap_err();
    assert_eq!(
        e,
        SigstoreError::TimeInFuture {
            from: TimeSource::TransparencyLog { entry: 0 },
            time: UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap(),
            now: UnixTime::parse_rfc3339("2025-12-31T00:00:00Z").unwrap(),
        }
    );
    assert!(e.to_string().contains("after the current time"));
    // Within the skew, and later: accepted.
    assert!(at("2025-12-31T23:59:01Z")
        .unwrap()
        .checks
        .contains(&Check::NotInFuture));
    at("2026-06-01T00:00:00Z").unwrap();
    assert_eq!(
        at("2025-12-31T23:58:59Z").unwrap_err().to_string(),
        SigstoreError::TimeInFuture {
            from: TimeSource::TransparencyLog { entry: 0 },
            time: UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap(),
            now: UnixTime::parse_rfc3339("2025-12-31T23:58:59Z").unwrap(),
        }
        .to_string()
    );
    let unchecked = verify(
        &bundle,
        &root,
        &Policy::Key(key),
        &Artifact::Bytes(&fixture.artifact),
    )
    .unwrap();
    assert!(!unchecked.checks.contains(&Check::NotInFuture));
}
