//! The operations the bindings expose, as plain Rust over bytes and JSON text, so that
//! they are tested natively. The JSON shapes and error codes are core's
//! ([`model_signing_core::api`]), the same the signing daemon answers with.

use model_signing_core::api::shapes::{
    from_json, to_json, BundleSummary, CheckOptionsSpec, FileSpec, ItemView, PlanView, ReportView,
    SerializationSpec, VerificationView,
};
use model_signing_core::api::{ApiError, ErrorCode};
use model_signing_core::bundle::Bundle;
use model_signing_core::certificate::parse_pem_certificates;
use model_signing_core::identifier::ModelPath;
use model_signing_core::keys::PublicKey;
use model_signing_core::model_check::{InputFile, ModelCheck};
use model_signing_core::serialization::Serialization;
use model_signing_core::sigstore::timestamp::authority_from_certificates;
use model_signing_core::sigstore::trust_root::CertificateAuthority;
use model_signing_core::sigstore::{ClientTrustConfig, IdentityPolicy, TrustedRoot, UnixTime};
use model_signing_core::statement::SignedManifest;
use model_signing_core::verify::{verify_bundle_with, VerifiedSignature, Verifier};

// ------------------------------------------------------------------ policies

/// A key policy: signatures made with the private key of this PEM public key.
pub fn key_verifier(pem: &[u8]) -> Result<Verifier, ApiError> {
    Ok(Verifier::Key(PublicKey::from_pem(pem)?))
}

/// A certificate policy: chains ending in a self-signed certificate of `pem` (one or
/// more `CERTIFICATE` blocks).
pub fn certificate_verifier(pem: &[u8]) -> Result<Verifier, ApiError> {
    Ok(Verifier::Certificate {
        anchors: parse_pem_certificates(pem)?,
    })
}

/// Where a Sigstore policy's trusted root comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustSource<'a> {
    /// The embedded public-good (production) root.
    Production,
    /// The embedded staging root.
    Staging,
    /// A `trusted_root.json`.
    TrustedRoot(&'a [u8]),
    /// A client trust configuration (what `--trust-config` names).
    ClientTrustConfig(&'a [u8]),
}

/// A Sigstore policy: a certificate for `identity` (an email, URI or username SAN,
/// compared exactly) vouched for by the OIDC `issuer`, under the trusted root `trust`;
/// signed times after `now` (the caller's clock) are refused.
pub fn sigstore_verifier(
    identity: &str,
    issuer: &str,
    trust: TrustSource<'_>,
    now: Option<UnixTime>,
) -> Result<Verifier, ApiError> {
    if identity.is_empty() || issuer.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidPolicy,
            "a Sigstore policy needs both an identity and an issuer",
        ));
    }
    let trust_root = match trust {
        TrustSource::Production => TrustedRoot::production(),
        TrustSource::Staging => TrustedRoot::staging(),
        TrustSource::TrustedRoot(json) => TrustedRoot::from_json(json)?,
        TrustSource::ClientTrustConfig(json) => ClientTrustConfig::from_json(json)?.trusted_root,
    };
    Ok(Verifier::Sigstore {
        trust_root: Box::new(trust_root),
        policy: IdentityPolicy::exact(identity, issuer),
        now,
    })
}

/// A JavaScript time (milliseconds since the epoch, `Date.now()`) as core's.
pub fn unix_time_from_millis(ms: f64) -> UnixTime {
    let secs = (ms / 1000.0).floor();
    UnixTime {
        secs: secs as i64,
        nanos: ((ms - secs * 1000.0) * 1_000_000.0) as u32,
    }
}

/// A timestamp authority trusted to date key and certificate signatures: its
/// certificates as PEM (root, intermediates, and its signing certificate unless
/// timestamps embed it).
pub fn timestamp_authority(pem: &[u8]) -> Result<CertificateAuthority, ApiError> {
    let certificates = parse_pem_certificates(pem)?;
    authority_from_certificates(&certificates).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidPolicy,
            format!("the timestamp authority's certificates are not usable: {e}"),
        )
    })
}

/// Parses a bundle and checks its signature against `verifier`; the RFC 3161 timestamps
/// of key and certificate signatures against `timestamp_authorities` (unchecked when
/// there is none).
pub fn verify(
    bundle: &[u8],
    verifier: &Verifier,
    timestamp_authorities: &[CertificateAuthority],
) -> Result<VerifiedSignature, ApiError> {
    let bundle = Bundle::from_json(bundle)?;
    Ok(verify_bundle_with(
        &bundle,
        verifier,
        timestamp_authorities,
    )?)
}

/// What verification established, as JSON.
pub fn verification_json(v: &VerifiedSignature) -> String {
    to_json(&VerificationView::from(v))
}

/// What a bundle holds, without verifying it (to tell a user which policy it needs).
pub fn describe_bundle(bundle: &[u8]) -> Result<String, ApiError> {
    let b = Bundle::from_json(bundle)?;
    Ok(to_json(&BundleSummary::from(&b)))
}

/// A serialization from `{"method", "hashAlgorithm", "shardSize"}`, as described.
pub fn serialization_from_json(text: &str) -> Result<Serialization, ApiError> {
    from_json::<SerializationSpec>(text, "the serialization")?.exact()
}

/// A model check, planned and then fed with hashing results, all in JSON.
pub struct JsonCheck {
    check: ModelCheck,
}

impl JsonCheck {
    /// Plans a check of `files_json` (`[{path, size}]`) against a verified manifest.
    pub fn new(
        signed: &SignedManifest,
        files_json: &str,
        options_json: &str,
    ) -> Result<Self, ApiError> {
        let files: Vec<FileSpec> = from_json(files_json, "the file list")?;
        let files: Vec<InputFile> = files.into_iter().map(InputFile::from).collect();
        let options: CheckOptionsSpec = from_json(options_json, "the options")?;
        Ok(Self {
            check: ModelCheck::new(signed, &files, options.into())?,
        })
    }

    /// `{"serialization", "jobs": [{index, path, size}], "mismatch"}`.
    pub fn plan(&self) -> String {
        let serialization = self.check.serialization();
        to_json(&PlanView::new(
            &serialization,
            self.check.jobs(),
            self.check.has_mismatch(),
        ))
    }

    /// Records a file's items (`[{start, end, algorithm, digest}]`); returns its status.
    pub fn record(&mut self, path: &str, items_json: &str) -> Result<&'static str, ApiError> {
        let path = ModelPath::new(path);
        let items: Vec<ItemView> = from_json(items_json, "the items")?;
        let items = ItemView::into_items(items, &self.check.serialization(), &path)?;
        Ok(self.check.record(&path, items)?.name())
    }

    /// Whether a difference has been found.
    pub fn has_mismatch(&self) -> bool {
        self.check.has_mismatch()
    }

    /// The report so far.
    pub fn report(&self) -> String {
        to_json(&ReportView::from(&self.check.report()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::path::{Path, PathBuf};

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn vectors() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/model-transparency")
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(vectors().join(rel)).unwrap()
    }

    const P384_PUB: &str = "scripts/tests/keys/certificate/signing-key-pub.pem";

    #[test]
    fn key_vector_verifies_and_describes_its_manifest() {
        let v = key_verifier(&read(P384_PUB)).unwrap();
        let sig = read("generated-v1.1.1/key-p384-shards-100/model.sig");
        let verified = verify(&sig, &v, &[]).unwrap();
        let j = parse(&verification_json(&verified));
        assert_eq!(j["signer"]["kind"], "key");
        let m = &j["manifest"];
        assert_eq!(m["serialization"]["method"], "shards");
        assert_eq!(m["serialization"]["shardSize"], 100);
        assert_eq!(m["resources"].as_array().unwrap().len(), 18);
        assert_eq!(
            m["rootDigest"],
            "6fee86ff2232b16d267170dcf64d6c4e41bc552b80ea76386298756c378ddb33"
        );
        assert!(m["ignorePaths"]
            .as_array()
            .unwrap()
            .contains(&json!("ignored.txt")));
        assert_eq!(
            parse(&describe_bundle(&sig).unwrap())["material"],
            "publicKey"
        );
    }

    #[test]
    fn certificate_vector_names_the_chain() {
        let v = certificate_verifier(&read("scripts/tests/keys/certificate/ca-cert.pem")).unwrap();
        let verified = verify(
            &read("generated-v1.1.1/cert-p384-files-sha256/model.sig"),
            &v,
            &[],
        )
        .unwrap();
        let j = parse(&verification_json(&verified));
        assert_eq!(j["signer"]["kind"], "certificate");
        assert!(j["signer"]["chain"][0]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn sigstore_vector_with_embedded_root() {
        let v = sigstore_verifier(
            "stefanb@us.ibm.com",
            "https://sigstore.verify.ibm.com/oauth2",
            TrustSource::Production,
            Some(unix_time_from_millis(1_796_515_200_000.0)), // 2026-12-06
        )
        .unwrap();
        let verified = verify(&read("scripts/tests/v1.1.0-sigstore/model.sig"), &v, &[]).unwrap();
        let j = parse(&verification_json(&verified));
        assert_eq!(j["signer"]["kind"], "sigstore");
        assert_eq!(j["signer"]["identity"], "stefanb@us.ibm.com");
        assert!(!j["signer"]["verifiedTimes"].as_array().unwrap().is_empty());

        let other = sigstore_verifier(
            "someone@else.com",
            "https://sigstore.verify.ibm.com/oauth2",
            TrustSource::Production,
            None,
        )
        .unwrap();
        let e = verify(
            &read("scripts/tests/v1.1.0-sigstore/model.sig"),
            &other,
            &[],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::IdentityMismatch);
        assert_eq!(
            sigstore_verifier("", "x", TrustSource::Production, None)
                .unwrap_err()
                .code,
            ErrorCode::InvalidPolicy
        );
        // A clock before the signature: its signed times lie in the future.
        let early = sigstore_verifier(
            "stefanb@us.ibm.com",
            "https://sigstore.verify.ibm.com/oauth2",
            TrustSource::Production,
            Some(unix_time_from_millis(1_700_000_000_000.0)), // 2023-11-14
        )
        .unwrap();
        let e = verify(
            &read("scripts/tests/v1.1.0-sigstore/model.sig"),
            &early,
            &[],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::SigstoreVerificationFailed);
        assert!(
            e.message.contains("after the current time"),
            "{}",
            e.message
        );
        assert_eq!(
            unix_time_from_millis(1_700_000_000_123.0),
            UnixTime {
                secs: 1_700_000_000,
                nanos: 123_000_000
            }
        );
    }

    #[test]
    fn timestamps_of_key_and_certificate_signatures_are_checked_by_core() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/timestamped");
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
        let tsa = [timestamp_authority(&read("tsa-chain.pem")).unwrap()];
        let key = key_verifier(
            &std::fs::read(vectors().join("generated-v1.1.1/keys/p256-pub.pem")).unwrap(),
        )
        .unwrap();
        let j = parse(&verification_json(
            &verify(&read("key-p256.sig"), &key, &tsa).unwrap(),
        ));
        assert_eq!(
            j["signer"]["verifiedTimes"][0]["source"]["kind"],
            "timestamp"
        );
        // Unchecked without an authority, and said so.
        let j = parse(&verification_json(
            &verify(&read("key-p256.sig"), &key, &[]).unwrap(),
        ));
        assert!(j["warnings"][0].as_str().unwrap().contains("not checked"));

        // The leaf expired long ago; it was valid when the timestamp says it signed.
        let cert = certificate_verifier(&read("root.pem")).unwrap();
        let j = parse(&verification_json(
            &verify(&read("cert-expired-leaf.sig"), &cert, &tsa).unwrap(),
        ));
        let at = j["signer"]["verifiedTimes"][0]["time"].as_i64().unwrap();
        assert_eq!(j["signer"]["verificationTime"].as_i64().unwrap(), at);
        // A timestamp taken after it expired fails.
        let e = verify(&read("cert-expired-leaf-late-timestamp.sig"), &cert, &tsa).unwrap_err();
        assert_eq!(
            (e.code, e.reason),
            (ErrorCode::CertificateUntrusted, "at_timestamp")
        );
        // An authority that did not sign the timestamp.
        let other = [timestamp_authority(&read("root.pem")).unwrap()];
        let e = verify(&read("key-p256.sig"), &key, &other).unwrap_err();
        assert_eq!(e.code, ErrorCode::TimestampInvalid);
        // A signature without a timestamp, checked with an authority.
        let plain =
            std::fs::read(vectors().join("generated-v1.1.1/key-p256-files-sha256/model.sig"))
                .unwrap();
        let e = verify(&plain, &key, &tsa).unwrap_err();
        assert_eq!((e.code, e.reason), (ErrorCode::TimestampInvalid, "missing"));
    }

    #[test]
    fn errors_have_codes() {
        let v = key_verifier(&read(P384_PUB)).unwrap();
        assert_eq!(
            verify(b"{", &v, &[]).unwrap_err().code,
            ErrorCode::InvalidBundle
        );
        let cert_sig = read("generated-v1.1.1/cert-p384-files-sha256/model.sig");
        assert_eq!(
            verify(&cert_sig, &v, &[]).unwrap_err().code,
            ErrorCode::WrongMaterial
        );
        let other = key_verifier(&read("generated-v1.1.1/keys/p256-pub.pem")).unwrap();
        let key_sig = read("generated-v1.1.1/key-p384-files-sha256/model.sig");
        assert_eq!(
            verify(&key_sig, &other, &[]).unwrap_err().code,
            ErrorCode::KeyMismatch
        );
        assert_eq!(
            key_verifier(b"nope").unwrap_err().code,
            ErrorCode::InvalidKey
        );
        assert_eq!(
            certificate_verifier(b"nope").unwrap_err().code,
            ErrorCode::InvalidCertificate
        );
    }

    #[test]
    fn serialization_json_of_javascript_numbers() {
        let s = serialization_from_json(
            r#"{"method":"shards","hashAlgorithm":"blake2","shardSize":64}"#,
        )
        .unwrap();
        assert_eq!(s.shard_size(), Some(64));
        let _ = json!(null);
    }
}
