//! Every bundle of `tests/vectors/sigstore` (and the four model-transparency ones) with
//! the verdict its README gives for a strict client, each failure for its stated reason.

use alloc::string::String;
use alloc::vec::Vec;

use super::*;
use crate::bundle::{Bundle, BundleError};
use crate::keys::VerifyingKey;
use crate::verify::{verify_bundle, SignerIdentity, Verifier, VerifyError};

/// Which trusted root a case uses.
#[derive(Clone, Copy)]
enum Root {
    Production,
    Staging,
    /// sigstore-python's staging root with its local test TSA.
    TestTsa,
    /// sigstore-go's scaffolding (private instance) root.
    Scaffolding,
    /// sigstore-go's older copy of the production root.
    PublicGood,
}

impl Root {
    fn load(self) -> TrustedRoot {
        match self {
            Self::Production => TrustedRoot::production(),
            Self::Staging => TrustedRoot::staging(),
            Self::TestTsa => TrustedRoot::from_json(vector!(
                "sigstore/sigstore-python/tsa/staging-with-test-tsa.trusted_root.json"
            ))
            .unwrap(),
            Self::PublicGood => {
                TrustedRoot::from_json(vector!("sigstore/sigstore-go/public-good.json")).unwrap()
            }
            Self::Scaffolding => {
                TrustedRoot::from_json(vector!("sigstore/sigstore-go/scaffolding.json")).unwrap()
            }
        }
    }
}

enum Subject {
    /// No artifact (the caller checks the DSSE payload).
    None,
    Bytes(&'static [u8]),
    Digest(SignatureHash, &'static str),
}

type Verdict = Result<(), fn(&SigstoreError) -> bool>;

struct Case {
    name: &'static str,
    bundle: &'static [u8],
    root: Root,
    identity: &'static str,
    issuer: &'static str,
    artifact: Subject,
    verdict: Verdict,
}

const BRIAN: (&str, &str) = ("brian@dehamer.com", "https://github.com/login/oauth");
const WILLIAM: (&str, &str) = ("william@yossarian.net", "https://github.com/login/oauth");
const SIGSTORE_JS_RELEASE: (&str, &str) = (
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
    "https://token.actions.githubusercontent.com",
);
const BEACON: (&str, &str) = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
    "https://token.actions.githubusercontent.com",
);
const NPM_SIGSTORE_1_0_0: &str = "7bea9f6e7ff37f5fab0b36bf061200fff03099fd2fd696b91d04bc5e4f225eb9fd6e0cadcad54ba980f43fb352a99e8810b4e0abeb5c0ef2cf9108cd1f258b36";
const MODEL_DIGEST: &str = "61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226";

macro_rules! case {
    ($name:literal, $root:ident, $id:expr, $artifact:expr, $verdict:expr) => {
        Case {
            name: $name,
            bundle: vector!($name),
            root: Root::$root,
            identity: $id.0,
            issuer: $id.1,
            artifact: $artifact,
            verdict: $verdict,
        }
    };
}

fn npm_subject() -> Subject {
    Subject::Digest(SignatureHash::Sha512, NPM_SIGSTORE_1_0_0)
}

fn cases() -> Vec<Case> {
    use SigstoreError as E;
    use TlogError as T;
    let model = (MODEL_IDENTITY, MODEL_ISSUER);
    let model_subject = || Subject::Digest(SignatureHash::Sha256, MODEL_DIGEST);
    alloc::vec![
        // model-transparency: production, DSSE, dsse/0.0.1; v1.1.0 also has a timestamp.
        case!("model-transparency/scripts/tests/v0.3.1-sigstore/model.sig", Production, model, model_subject(), Ok(())),
        case!("model-transparency/scripts/tests/v1.0.0-sigstore/model.sig", Production, model, model_subject(), Ok(())),
        case!("model-transparency/scripts/tests/v1.0.1-sigstore/model.sig", Production, model, model_subject(), Ok(())),
        case!("model-transparency/scripts/tests/v1.1.0-sigstore/model.sig", Production, model, model_subject(), Ok(())),
        // sigstore-js, production 2023: DSSE with dsse/0.0.1 and intoto/0.0.2 entries.
        // A v0.1 bundle with a SET and no proof passes (the spec allows it; sigstore-go
        // and sigstore-js accept it, sigstore-python does not).
        case!("sigstore/sigstore-js/tests-bundles/bundleV01-dsse-no-proof.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV01-dsse-with-proof.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV01-full-cert-chain.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV01-intoto-no-proof.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV01-intoto-with-proof.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV02-dsse.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV02-intoto.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV03-dsse.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        case!("sigstore/sigstore-js/tests-bundles/bundleV03-intoto.sigstore", Production, BRIAN, npm_subject(), Ok(())),
        // DISPUTED: the Rekor v2 entry logs the bare public key while the bundle carries
        // the certificate. Strict: the entry must log the certificate.
        case!(
            "sigstore/sigstore-js/prod-rekor2-hashedrekord-v002.sigstore.json",
            Production,
            BRIAN,
            Subject::Bytes(vector!("sigstore/sigstore-js/hello-world.txt")),
            Err(|e| matches!(e, E::TransparencyLog { error: T::Inconsistent(BodyError::Verifier), .. }))
        ),
        // LEGACY: dsse/0.0.2 was dropped from Rekor v2.
        case!(
            "sigstore/sigstore-js/prod-rekor2-dsse-v002.sigstore.json",
            Production,
            BRIAN,
            Subject::None,
            Err(|e| matches!(e, E::TransparencyLog { error: T::UnsupportedKind(_), .. }))
        ),
        // sigstore-python.
        case!(
            "sigstore/sigstore-python/bundle_v3_github.whl.sigstore",
            Production,
            (
                "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
                "https://token.actions.githubusercontent.com"
            ),
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle_v3_github.whl")),
            Ok(())
        ),
        case!(
            "sigstore/sigstore-python/integration/Python-3.12.5.tgz.sigstore",
            Production,
            ("thomas@python.org", "https://accounts.google.com"),
            Subject::Digest(SignatureHash::Sha256, "38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405"),
            Err(|e| matches!(e, E::TransparencyLog { error: T::MissingCheckpoint, .. }))
        ),
        case!(
            "sigstore/sigstore-python/bundle.txt.sigstore",
            Staging,
            ("a@tny.town", "https://github.com/login/oauth"),
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle.txt")),
            Ok(())
        ),
        case!("sigstore/sigstore-python/bundle_v3.txt.sigstore", Staging, WILLIAM, Subject::Bytes(vector!("sigstore/sigstore-python/bundle_v3.txt")), Ok(())),
        case!("sigstore/sigstore-python/bundle_v3_alt.txt.sigstore", Staging, WILLIAM, Subject::Bytes(vector!("sigstore/sigstore-python/bundle_v3_alt.txt")), Ok(())),
        case!(
            "sigstore/sigstore-python/staging-rekor-v2.txt.sigstore.json",
            Staging,
            ("jku@goto.fi", "https://github.com/login/oauth"),
            Subject::Bytes(vector!("sigstore/sigstore-python/staging-rekor-v2.txt")),
            Ok(())
        ),
        // DSSE logged as hashedrekord/0.0.2 over the PAE; the artifact is the subject.
        case!(
            "sigstore/sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json",
            Staging,
            BEACON,
            Subject::Digest(SignatureHash::Sha256, "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"),
            Ok(())
        ),
        case!(
            "sigstore/sigstore-python/bundle_cve_2022_36056.txt.sigstore",
            Staging,
            WILLIAM,
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle_cve_2022_36056.txt")),
            Err(|e| matches!(e, E::TransparencyLog { error: T::Inconsistent(_), .. }))
        ),
        case!(
            "sigstore/sigstore-python/bundle_v3_no_signed_time.txt.sigstore.json",
            Production,
            WILLIAM,
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle_v3_no_signed_time.txt")),
            Err(|e| matches!(e, E::NoVerifiedTime))
        ),
        case!(
            "sigstore/sigstore-python/bundle_no_cert_v1.txt.sigstore",
            Production,
            WILLIAM,
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle_no_cert_v1.txt")),
            Err(|e| matches!(e, E::EmptyCertificateChain))
        ),
        case!(
            "sigstore/sigstore-python/bundle_invalid_version.txt.sigstore",
            Production,
            WILLIAM,
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle_invalid_version.txt")),
            Err(|e| matches!(e, E::Bundle(BundleError::UnknownMediaType(_))))
        ),
        case!(
            "sigstore/sigstore-python/bundle_no_log_entry.txt.sigstore",
            Production,
            ("alex.cameron@trailofbits.com", "https://accounts.google.com"),
            Subject::Bytes(vector!("sigstore/sigstore-python/bundle_no_log_entry.txt")),
            Err(|e| matches!(e, E::NoTlogEntries))
        ),
        // Two timestamps, the second over other data: it is skipped, the first counts.
        case!(
            "sigstore/sigstore-python/tsa/bundle.txt.sigstore",
            TestTsa,
            ("alexis.challande@trailofbits.com", "https://accounts.google.com"),
            Subject::Bytes(vector!("sigstore/sigstore-python/tsa/bundle.txt")),
            Ok(())
        ),
        case!(
            "sigstore/sigstore-python/tsa/bundle.duplicate.sigstore",
            TestTsa,
            ("alexis.challande@trailofbits.com", "https://accounts.google.com"),
            Subject::Bytes(vector!("sigstore/sigstore-python/tsa/bundle.txt")),
            Err(|e| matches!(e, E::Bundle(BundleError::DuplicateTimestamp { .. })))
        ),
        case!(
            "sigstore/sigstore-python/tsa/bundle.many_timestamp.sigstore",
            TestTsa,
            ("alexis.challande@trailofbits.com", "https://accounts.google.com"),
            Subject::Bytes(vector!("sigstore/sigstore-python/tsa/bundle.txt")),
            Err(|e| matches!(e, E::Bundle(BundleError::TooManyTimestamps(33))))
        ),
        // Its timestamp comes from the real staging TSA (not the local test one), so it
        // is checked with the staging root: genTime is after the leaf expired.
        case!(
            "sigstore/sigstore-python/tsa/bundle.txt.late_timestamp.sigstore",
            Staging,
            (
                "insecure-cloudtop-shared-user@cloudtop-prod-us-east.iam.gserviceaccount.com",
                "https://accounts.google.com"
            ),
            Subject::Bytes(vector!("sigstore/sigstore-python/tsa/bundle.txt")),
            Err(|e| matches!(e, E::CertificateExpired { .. }))
        ),
        // sigstore-go.
        case!(
            "sigstore/sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json",
            Production,
            SIGSTORE_JS_RELEASE,
            Subject::Digest(SignatureHash::Sha512, "46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"),
            Ok(())
        ),
        // The same with sigstore-go's older copy of the production root.
        case!(
            "sigstore/sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json",
            PublicGood,
            SIGSTORE_JS_RELEASE,
            Subject::Digest(SignatureHash::Sha512, "46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"),
            Ok(())
        ),
        case!(
            "sigstore/sigstore-go/bundle-provenance.json",
            Production,
            SIGSTORE_JS_RELEASE,
            Subject::Digest(SignatureHash::Sha512, "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"),
            Ok(())
        ),
        // npm's registry key is not included: as a keyless bundle it is the wrong kind.
        case!(
            "sigstore/sigstore-go/bundle-publish.json",
            Production,
            BRIAN,
            Subject::None,
            Err(|e| matches!(e, E::WrongMaterial { .. }))
        ),
        // The issuer is only in the legacy .1.1 extension.
        case!(
            "sigstore/sigstore-go/dsse.sigstore.json",
            Production,
            BRIAN,
            Subject::Digest(SignatureHash::Sha512, "bbfd372fc9beeb777fe35d05bb10c0c70a9733d366a75fed7dd18866c7391de3ee7e88ba74dd47abf3e15c845e547fcf0e5c3da80854c751554224d3a6d4e55f"),
            Ok(())
        ),
        case!(
            "sigstore/sigstore-go/dsse-2sigs.sigstore.json",
            Production,
            BRIAN,
            Subject::None,
            Err(|e| matches!(e, E::DsseSignatureCount(2)))
        ),
        // otherName SAN, private instance whose v1 checkpoint origin is a pod name.
        case!(
            "sigstore/sigstore-go/othername.sigstore.json",
            Scaffolding,
            ("foo!oidc.local", "http://oidc.local:8080"),
            Subject::Digest(SignatureHash::Sha256, "bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b"),
            Ok(())
        ),
    ]
}

#[test]
fn every_vector_gives_its_verdict() {
    let mut failures: Vec<String> = Vec::new();
    let cases = cases();
    for case in &cases {
        let digest_bytes;
        let artifact = match &case.artifact {
            Subject::None => Artifact::None,
            Subject::Bytes(b) => Artifact::Bytes(b),
            Subject::Digest(alg, hex) => {
                digest_bytes = sha256(hex);
                digest(*alg, &digest_bytes)
            }
        };
        let result = check(
            case.bundle,
            &case.root.load(),
            &identity(case.identity, case.issuer),
            artifact,
        );
        match (&case.verdict, &result) {
            (Ok(()), Ok(v)) => {
                assert!(v.checks.contains(&Check::Signature), "{}", case.name);
                if !matches!(case.artifact, Subject::None) {
                    assert!(
                        v.checks.contains(&Check::Subject)
                            || v.checks.contains(&Check::MessageDigest)
                            || !v.checks.is_empty(),
                        "{}",
                        case.name
                    );
                }
            }
            (Err(expected), Err(e)) if expected(e) => {}
            _ => failures.push(alloc::format!(
                "{}: got {:?}",
                case.name,
                result.map(|v| v.checks)
            )),
        }
        // Any other identity fails every passing case.
        if case.verdict.is_ok() {
            let other = check(
                case.bundle,
                &case.root.load(),
                &identity("someone@else.com", case.issuer),
                Artifact::None,
            );
            assert!(
                matches!(
                    other,
                    Err(SigstoreError::Identity(IdentityError::SanMismatch { .. }))
                ),
                "{}: {other:?}",
                case.name
            );
            let other = check(
                case.bundle,
                &case.root.load(),
                &identity(case.identity, "https://accounts.example.com"),
                Artifact::None,
            );
            assert!(
                matches!(
                    other,
                    Err(SigstoreError::Identity(
                        IdentityError::IssuerMismatch { .. }
                    ))
                ),
                "{}: {other:?}",
                case.name
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(cases.len(), 38);
}

/// The model bundles verify through the model path (`verify_bundle`), as `model_signing
/// verify sigstore` uses it, with the embedded production root and nothing from `std`.
#[test]
fn model_vectors_verify_without_std() {
    let verifier = Verifier::Sigstore {
        trust_root: alloc::boxed::Box::new(TrustedRoot::production()),
        policy: IdentityPolicy::exact(MODEL_IDENTITY, MODEL_ISSUER),
        now: None,
    };
    for (name, bytes) in MODEL_BUNDLES {
        let bundle = Bundle::from_json(bytes).unwrap();
        let verified = verify_bundle(&bundle, &verifier).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            verified.signed.root_digest.as_deref(),
            Some(MODEL_DIGEST),
            "{name}"
        );
        assert_eq!(verified.signed.manifest.len(), 2, "{name}");
        match &verified.signer {
            SignerIdentity::Sigstore {
                identity,
                issuer,
                verified_times,
                certificate,
                checks,
            } => {
                assert!(checks.contains(&Check::Identity));
                assert!(checks.contains(&Check::LogEntryBody { entry: 0 }));
                assert_eq!(identity, MODEL_IDENTITY);
                assert_eq!(issuer, MODEL_ISSUER);
                assert!(!certificate.is_empty());
                // Each has its SET time; v1.1.0 also its RFC 3161 time.
                let expected = if name == "v1.1.0-sigstore" { 2 } else { 1 };
                assert_eq!(verified_times.len(), expected, "{name}");
                assert!(matches!(
                    verified_times[0].source,
                    TimeSource::TransparencyLog { entry: 0 }
                ));
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(
            verified.warnings.is_empty(),
            "{name}: {:?}",
            verified.warnings
        );

        // Another identity, another issuer, a changed byte: all fail.
        for (id, iss) in [
            ("someone@else.com", MODEL_ISSUER),
            (MODEL_IDENTITY, "https://accounts.google.com"),
        ] {
            let other = Verifier::Sigstore {
                trust_root: alloc::boxed::Box::new(TrustedRoot::production()),
                policy: IdentityPolicy::exact(id, iss),
                now: None,
            };
            assert!(
                matches!(
                    verify_bundle(&bundle, &other),
                    Err(VerifyError::Sigstore(SigstoreError::Identity(_)))
                ),
                "{name}"
            );
        }
        let mut changed = bundle.clone();
        match &mut changed.content {
            crate::bundle::Content::Dsse(env) => env.payload[40] ^= 1,
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(
                verify_bundle(&changed, &verifier),
                Err(VerifyError::Sigstore(SigstoreError::TransparencyLog {
                    entry: 0,
                    error: crate::sigstore::tlog::TlogError::Inconsistent(_)
                }))
            ),
            "{name}"
        );
        // The staging root does not know the production log.
        let staging = Verifier::Sigstore {
            trust_root: alloc::boxed::Box::new(TrustedRoot::staging()),
            policy: IdentityPolicy::exact(MODEL_IDENTITY, MODEL_ISSUER),
            now: None,
        };
        assert!(matches!(
            verify_bundle(&bundle, &staging),
            Err(VerifyError::Sigstore(SigstoreError::TransparencyLog {
                error: TlogError::UnknownLog(_),
                ..
            }))
        ));
        // A clock that says the signature is from the future; and one that agrees.
        let at = |now: &str| Verifier::Sigstore {
            trust_root: alloc::boxed::Box::new(TrustedRoot::production()),
            policy: IdentityPolicy::exact(MODEL_IDENTITY, MODEL_ISSUER),
            now: Some(crate::sigstore::UnixTime::parse_rfc3339(now).unwrap()),
        };
        assert!(
            matches!(
                verify_bundle(&bundle, &at("2024-01-01T00:00:00Z")),
                Err(VerifyError::Sigstore(SigstoreError::TimeInFuture {
                    from: crate::sigstore::TimeSource::TransparencyLog { entry: 0 },
                    ..
                }))
            ),
            "{name}"
        );
        verify_bundle(&bundle, &at("2026-12-06T00:00:00Z")).unwrap();
    }
}

/// A key or certificate verifier refuses a Sigstore bundle, and the reverse.
#[test]
fn wrong_method_is_named() {
    let bundle = Bundle::from_json(MODEL_BUNDLES[3].1).unwrap();
    let key = crate::keys::PublicKey::P256(*testkit::key(1).verifying_key());
    assert!(matches!(
        verify_bundle(&bundle, &Verifier::Key(key)),
        Err(VerifyError::WrongMaterial {
            found: crate::verify::MaterialKind::Sigstore,
            ..
        })
    ));
    let key_bundle = Bundle::from_json(vector!(
        "model-transparency/scripts/tests/v1.1.0-elliptic-key/model.sig"
    ))
    .unwrap();
    let verifier = Verifier::Sigstore {
        trust_root: alloc::boxed::Box::new(TrustedRoot::production()),
        policy: IdentityPolicy::exact(MODEL_IDENTITY, MODEL_ISSUER),
        now: None,
    };
    assert!(matches!(
        verify_bundle(&key_bundle, &verifier),
        Err(VerifyError::WrongMaterial {
            found: crate::verify::MaterialKind::PublicKey,
            ..
        })
    ));
}

/// The embedded trust material parses, and so does every trust file of the vectors.
#[test]
fn trust_material_parses() {
    let prod = TrustedRoot::production();
    assert_eq!(prod.tlogs.len(), 2);
    assert!(prod.tlogs.iter().all(|l| l.key.is_ok()));
    assert_eq!(prod.tlogs[1].host(), "log2025-1.rekor.sigstore.dev");
    let staging = TrustedRoot::staging();
    // The RSA CT key of staging (PKCS #1 raw bytes).
    assert!(matches!(
        staging.ctlogs[0].key,
        Ok((VerifyingKey::Rsa { .. }, _))
    ));
    assert!(!SigningConfig::production().rekor_tlog_urls.is_empty());
    assert!(!SigningConfig::staging().tsa_urls.is_empty());
    for cfg in [
        &vector!("sigstore/trust/production.clienttrustconfig.json")[..],
        vector!("sigstore/trust/staging.clienttrustconfig.json"),
        vector!("sigstore/trust/example.clienttrustconfig.model-transparency.json"),
        vector!("sigstore/trust/example.clienttrustconfig.sigstore-python.json"),
        // `signing_config` spelling.
        vector!("sigstore/sigstore-python/tsa/trust_config.json"),
    ] {
        ClientTrustConfig::from_json(cfg).unwrap();
    }
    TrustedRoot::from_json(vector!(
        "sigstore/trust/example.trusted_root.local_rekor-tiles_ed25519.json"
    ))
    .unwrap();
    TrustedRoot::from_json(vector!("sigstore/sigstore-go/public-good.json")).unwrap();
    // A v0.2 media type is accepted, an unknown one is not.
    let v02 = mutate(
        vector!("sigstore/trust/production.trusted_root.json"),
        |v| {
            v["mediaType"] = TRUSTED_ROOT_V0_2.into();
        },
    );
    TrustedRoot::from_json(&v02).unwrap();
    let bad = mutate(
        vector!("sigstore/trust/production.trusted_root.json"),
        |v| {
            v["mediaType"] = "application/json".into();
        },
    );
    assert!(matches!(
        TrustedRoot::from_json(&bad),
        Err(TrustRootError::MediaType(_))
    ));
    // A log without validFor.start makes the root invalid.
    let no_start = mutate(
        vector!("sigstore/trust/production.trusted_root.json"),
        |v| {
            v["tlogs"][0]["publicKey"]["validFor"]
                .as_object_mut()
                .unwrap()
                .remove("start");
        },
    );
    assert!(matches!(
        TrustedRoot::from_json(&no_start),
        Err(TrustRootError::MissingValidityStart(_))
    ));
    // A client trust config needs both parts.
    let no_signing = mutate(
        vector!("sigstore/trust/production.clienttrustconfig.json"),
        |v| {
            v.as_object_mut().unwrap().remove("signingConfig");
        },
    );
    assert!(matches!(
        ClientTrustConfig::from_json(&no_signing),
        Err(TrustRootError::Format(_))
    ));
}

const TRUSTED_ROOT_V0_2: &str = trust_root::TRUSTED_ROOT_MEDIA_TYPE_V0_2;
