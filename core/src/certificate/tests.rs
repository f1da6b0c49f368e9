//! Chain verification against real and generated certificates.

use super::*;
use crate::keys::Curve;
use alloc::vec;
use der::asn1::ObjectIdentifier;

macro_rules! repo_cert {
    ($name:literal) => {
        include_bytes!(concat!(
            "../../../tests/vectors/model-transparency/scripts/tests/keys/certificate/",
            $name
        ))
    };
}
macro_rules! pki {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/vectors/pki/", $name, ".pem"))
    };
}

const REPO_CA: &[u8] = repo_cert!("ca-cert.pem");
const REPO_INT: &[u8] = repo_cert!("int-ca-cert.pem");
const REPO_LEAF: &[u8] = repo_cert!("signing-key-cert.pem");
const REPO_LEAF_PUB: &[u8] = repo_cert!("signing-key-pub.pem");
const REPO_BUNDLE: &[u8] = include_bytes!(
    "../../../tests/vectors/model-transparency/scripts/tests/v1.1.0-certificate/model.sig"
);

fn der(pem: &[u8]) -> Vec<u8> {
    let mut all = parse_pem_certificates(pem).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

/// The `x509CertificateChain` of the upstream v1.1.0 certificate bundle.
fn bundle_chain() -> Vec<Vec<u8>> {
    let json: serde_json::Value = serde_json::from_slice(REPO_BUNDLE).unwrap();
    json["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| crate::encoding::b64decode(c["rawBytes"].as_str().unwrap()).unwrap())
        .collect()
}

fn verify(chain: &[&[u8]], anchors: &[&[u8]]) -> Result<VerifiedChain, CertificateError> {
    let chain: Vec<Vec<u8>> = chain.iter().map(|p| der(p)).collect();
    let anchors: Vec<Vec<u8>> = anchors.iter().map(|p| der(p)).collect();
    verify_chain(&chain, &anchors)
}

const ROOT: &[u8] = pki!("root");
const INT: &[u8] = pki!("int");
const LEAF: &[u8] = pki!("leaf");

#[test]
fn upstream_bundle_verifies_against_root() {
    let chain = bundle_chain();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0], der(REPO_LEAF));
    assert_eq!(chain[1], der(REPO_INT));
    let verified = verify_chain(&chain, &[der(REPO_CA)]).unwrap();
    assert_eq!(
        verified.leaf_public_key,
        PublicKey::from_pem(REPO_LEAF_PUB).unwrap()
    );
    assert_eq!(verified.leaf_subject, "CN=intermediate-ca");
    assert_eq!(
        verified.path,
        vec![der(REPO_LEAF), der(REPO_INT), der(REPO_CA)]
    );
    // 2025-05-02T23:36:28Z, the leaf's notBefore.
    assert_eq!(verified.verification_time, 1_746_228_988);
    assert!(verified.warnings.is_empty());
    // The root may also travel in the bundle.
    let with_root = [chain[0].clone(), chain[1].clone(), der(REPO_CA)];
    assert_eq!(
        verify_chain(&with_root, &[der(REPO_CA)])
            .unwrap()
            .path
            .len(),
        3
    );
    // Trusting the intermediate too changes nothing.
    assert_eq!(
        verify_chain(&chain, &[der(REPO_INT), der(REPO_CA)])
            .unwrap()
            .path
            .len(),
        3
    );
    // The intermediate may come from the trusted certificates instead of the bundle.
    assert!(verify_chain(&chain[..1], &[der(REPO_INT), der(REPO_CA)]).is_ok());
}

#[test]
fn trusting_only_the_intermediate_fails() {
    let err = verify_chain(&bundle_chain(), &[der(REPO_INT)]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::TrustedIssuerNotFound {
            subject: "CN=intermediate-ca".into(),
            issuer: "CN=root-ca".into()
        }
    );
    assert!(err
        .to_string()
        .starts_with("unable to get issuer certificate"));
}

#[test]
fn trusting_only_the_leaf_fails() {
    let err = verify_chain(&bundle_chain(), &[der(REPO_LEAF)]).unwrap_err();
    // The leaf (trusted, not self-signed) leads to the bundle's intermediate, whose
    // issuer is nowhere.
    assert_eq!(
        err,
        CertificateError::IssuerNotFound {
            subject: "CN=intermediate-ca".into(),
            issuer: "CN=root-ca".into()
        }
    );
    // The same as OpenSSL's "unable to get local issuer certificate" at depth 0.
    let err = verify_chain(&bundle_chain()[..1], &[der(REPO_LEAF)]).unwrap_err();
    assert!(
        matches!(err, CertificateError::IssuerNotFound { .. }),
        "{err}"
    );
}

#[test]
fn unrelated_root_fails() {
    let err = verify_chain(&bundle_chain(), &[der(ROOT)]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::IssuerNotFound {
            subject: "CN=intermediate-ca".into(),
            issuer: "CN=root-ca".into()
        }
    );
    assert!(err
        .to_string()
        .starts_with("unable to get local issuer certificate"));
}

#[test]
fn missing_intermediate_fails() {
    let err = verify_chain(&bundle_chain()[..1], &[der(REPO_CA)]).unwrap_err();
    // The leaf's issuer name is "intermediate-ca", like its own subject, but its AKI
    // rules itself out as its issuer.
    assert_eq!(
        err,
        CertificateError::IssuerNotFound {
            subject: "CN=intermediate-ca".into(),
            issuer: "CN=intermediate-ca".into()
        }
    );
}

#[test]
fn tampered_signatures_fail() {
    let mut chain = bundle_chain();
    let last = chain[0].len() - 1;
    chain[0][last] ^= 1;
    let err = verify_chain(&chain, &[der(REPO_CA)]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::BadSignature {
            subject: "CN=intermediate-ca".into(),
            issuer: "CN=intermediate-ca".into()
        }
    );
    // A signed byte of the intermediate (inside its subject key).
    let mut chain = bundle_chain();
    chain[1][200] ^= 1;
    let err = verify_chain(&chain, &[der(REPO_CA)]).unwrap_err();
    assert!(
        matches!(err, CertificateError::BadSignature { .. }),
        "{err}"
    );
}

#[test]
fn empty_inputs_and_garbage() {
    assert_eq!(
        verify_chain(&[], &[der(ROOT)]),
        Err(CertificateError::EmptyChain)
    );
    assert_eq!(
        verify_chain(&[der(LEAF)], &[]),
        Err(CertificateError::NoTrustAnchors)
    );
    assert!(matches!(
        verify_chain(&[der(LEAF), vec![0x30, 0x00]], &[der(ROOT)]),
        Err(CertificateError::InvalidChainCertificate { index: 1, .. })
    ));
    assert!(matches!(
        verify_chain(&[der(LEAF)], &[der(ROOT), b"junk".to_vec()]),
        Err(CertificateError::InvalidTrustedCertificate { index: 1, .. })
    ));
}

#[test]
fn fixture_chain_verifies() {
    let verified = verify(&[LEAF, INT], &[ROOT]).unwrap();
    assert_eq!(verified.leaf_subject, "CN=pki-test-leaf");
    assert_eq!(verified.path, vec![der(LEAF), der(INT), der(ROOT)]);
    assert_eq!(verified.leaf_public_key.curve(), Curve::P256);
    // 2020-01-01T00:00:00Z
    assert_eq!(verified.verification_time, 1_577_836_800);
    assert!(verified.warnings.is_empty());
    // Intermediates in any order, with unrelated extras.
    assert!(verify(
        &[LEAF, pki!("int-p521"), INT, ROOT],
        &[pki!("root-rsa"), ROOT]
    )
    .is_ok());
}

#[test]
fn expired_leaf_verifies_at_its_not_before() {
    let verified = verify(&[pki!("leaf-expired"), INT], &[ROOT]).unwrap();
    assert_eq!(verified.verification_time, 1_577_836_800);
}

#[test]
fn intermediate_not_yet_valid() {
    let err = verify(&[pki!("leaf-early"), INT], &[ROOT]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::NotYetValid {
            subject: "CN=pki-test-int".into(),
            not_before: 978_307_200,
            at: 959_817_600,
        }
    );
    assert!(err.to_string().contains("2000-06-01T00:00:00Z"), "{err}");
    assert!(err.to_string().contains("2001-01-01T00:00:00Z"), "{err}");
}

#[test]
fn intermediate_expired() {
    let err = verify(
        &[pki!("leaf-under-int-expired"), pki!("int-expired")],
        &[ROOT],
    )
    .unwrap_err();
    assert_eq!(
        err,
        CertificateError::Expired {
            subject: "CN=pki-test-int-expired".into(),
            not_after: 1_009_843_200,
            at: 1_577_836_800,
        }
    );
    assert!(err.to_string().contains("2002-01-01T00:00:00Z"), "{err}");
}

#[test]
fn anchor_expired() {
    let err = verify(&[pki!("leaf-under-root-old")], &[pki!("root-old")]).unwrap_err();
    assert!(
        matches!(&err, CertificateError::Expired { subject, .. } if subject == "CN=pki-test-root-old"),
        "{err}"
    );
}

#[test]
fn issuer_not_ca() {
    let err = verify(
        &[pki!("leaf-under-int-not-ca"), pki!("int-not-ca")],
        &[ROOT],
    )
    .unwrap_err();
    assert_eq!(
        err,
        CertificateError::IssuerNotCa {
            subject: "CN=pki-test-int-not-ca".into(),
            child: "CN=pki-test-leaf-under-int-not-ca".into(),
        }
    );
}

#[test]
fn issuer_without_key_cert_sign() {
    let err = verify(
        &[
            pki!("leaf-under-int-no-keycertsign"),
            pki!("int-no-keycertsign"),
        ],
        &[ROOT],
    )
    .unwrap_err();
    assert!(
        matches!(&err, CertificateError::IssuerMissingKeyCertSign { subject, .. } if subject == "CN=pki-test-int-no-keycertsign"),
        "{err}"
    );
}

#[test]
fn path_len_constraint() {
    assert!(verify(
        &[pki!("leaf-under-int-pathlen0"), pki!("int-pathlen0")],
        &[ROOT]
    )
    .is_ok());
    let err = verify(
        &[
            pki!("leaf-under-int-below-pathlen0"),
            pki!("int-below-pathlen0"),
            pki!("int-pathlen0"),
        ],
        &[ROOT],
    )
    .unwrap_err();
    assert_eq!(
        err,
        CertificateError::PathLenExceeded {
            subject: "CN=pki-test-int-pathlen0".into(),
            limit: 0,
            found: 1,
        }
    );
}

#[test]
fn critical_name_constraints_refused() {
    let err = verify(
        &[
            pki!("leaf-under-int-name-constraints"),
            pki!("int-name-constraints"),
        ],
        &[ROOT],
    )
    .unwrap_err();
    assert_eq!(
        err,
        CertificateError::NameConstraintsUnsupported {
            subject: "CN=pki-test-int-name-constraints".into()
        }
    );
}

#[test]
fn unknown_critical_extension_refused() {
    let err = verify(&[pki!("leaf-unknown-critical"), INT], &[ROOT]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::UnknownCriticalExtension {
            subject: "CN=pki-test-leaf-unknown-critical".into(),
            oid: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55555.1"),
        }
    );
}

#[test]
fn leaf_usage_rules() {
    let err = verify(&[pki!("leaf-no-signing-usage"), INT], &[ROOT]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::NotForSigning {
            subject: "CN=pki-test-leaf-no-signing-usage".into()
        }
    );
    assert!(err
        .to_string()
        .starts_with("Signing certificate cannot be used for signing"));
    assert!(matches!(
        verify(&[pki!("leaf-no-usage"), INT], &[ROOT]),
        Err(CertificateError::NotForSigning { .. })
    ));
    let verified = verify(&[pki!("leaf-eku-only"), INT], &[ROOT]).unwrap();
    assert_eq!(verified.warnings, vec![Warning::CertificateWithoutKeyUsage]);
}

#[test]
fn leaf_key_must_be_ec() {
    let err = verify(&[pki!("leaf-rsa"), INT], &[ROOT]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::KeyNotEllipticCurve {
            subject: "CN=pki-test-leaf-rsa".into(),
            kind: "an RSA key"
        }
    );
    assert!(err.to_string().contains("only elliptic curve keys"));
    assert_eq!(certificate_public_key(&der(pki!("leaf-rsa"))), Err(err));
    assert_eq!(
        certificate_public_key(&der(LEAF)).unwrap().curve(),
        Curve::P256
    );
    assert!(matches!(
        certificate_public_key(b"junk"),
        Err(CertificateError::InvalidCertificate { .. })
    ));
    assert_eq!(
        certificate_public_key(&der(REPO_LEAF)).unwrap(),
        PublicKey::from_pem(REPO_LEAF_PUB).unwrap()
    );
}

#[test]
fn self_signed_leaf() {
    let leaf = pki!("selfsigned-leaf");
    let verified = verify(&[leaf], &[leaf]).unwrap();
    assert_eq!(verified.path, vec![der(leaf)]);
    assert_eq!(
        verify(&[leaf], &[ROOT]).unwrap_err(),
        CertificateError::UntrustedSelfSigned {
            subject: "CN=pki-test-selfsigned-leaf".into()
        }
    );
}

#[test]
fn untrusted_root_in_bundle_fails() {
    let err = verify(&[LEAF, INT, ROOT], &[pki!("root-rsa")]).unwrap_err();
    assert_eq!(
        err,
        CertificateError::UntrustedSelfSigned {
            subject: "CN=pki-test-root".into()
        }
    );
}

#[test]
fn same_named_issuers_are_told_apart() {
    // int-twin has int's subject but another key; the leaf's AKI excludes it.
    assert!(verify(&[LEAF, pki!("int-twin"), INT], &[ROOT]).is_ok());
    // Without AKI, the signature check picks the right one.
    let verified = verify(&[pki!("leaf-no-aki"), pki!("int-twin"), INT], &[ROOT]).unwrap();
    assert_eq!(verified.path[1], der(INT));
    // With only the twin, the signature does not verify.
    let err = verify(&[pki!("leaf-no-aki"), pki!("int-twin")], &[ROOT]).unwrap_err();
    assert!(
        matches!(err, CertificateError::BadSignature { .. }),
        "{err}"
    );
}

#[test]
fn other_signature_algorithms() {
    // ECDSA-SHA512 by P-256, then ECDSA-SHA256 by P-521.
    assert!(verify(&[pki!("leaf-under-int-p521"), pki!("int-p521")], &[ROOT]).is_ok());
    // RSA PKCS #1 v1.5 SHA-512 and SHA-256 (self-signature), RSASSA-PSS SHA-384.
    assert!(verify(&[pki!("leaf-under-root-rsa-sha512")], &[pki!("root-rsa")]).is_ok());
    assert!(verify(&[pki!("leaf-under-root-rsa-pss")], &[pki!("root-rsa")]).is_ok());
}

#[test]
fn pem_parsing() {
    let mut text = b"Certificate:\n    Data: (certtool text)\n".to_vec();
    text.extend_from_slice(REPO_CA);
    text.extend_from_slice(b"\nsome text\n");
    text.extend_from_slice(REPO_INT);
    let certs = parse_pem_certificates(&text).unwrap();
    assert_eq!(certs, vec![der(REPO_CA), der(REPO_INT)]);

    assert_eq!(
        parse_pem_certificates(b"nothing"),
        Err(CertificateError::NoPemCertificate)
    );
    assert_eq!(
        parse_pem_certificates(REPO_LEAF_PUB),
        Err(CertificateError::NoPemCertificate)
    );
    assert_eq!(
        parse_pem_certificates(b"-----BEGIN CERTIFICATE-----\nMIIB\n"),
        Err(CertificateError::UnterminatedPemBlock)
    );
    assert_eq!(
        parse_pem_certificates(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
        Err(CertificateError::InvalidPemBase64)
    );
    let mut bad = REPO_CA.to_vec();
    bad.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    assert!(matches!(
        parse_pem_certificates(&bad),
        Err(CertificateError::InvalidPemCertificate { index: 1, .. })
    ));
}

#[test]
fn hostile_sizes_are_refused_early() {
    let leaf = der(LEAF);
    let chain: Vec<Vec<u8>> = (0..MAX_CHAIN_CERTIFICATES + 1)
        .map(|_| leaf.clone())
        .collect();
    assert_eq!(
        verify_chain(&chain, &[der(ROOT)]).unwrap_err(),
        CertificateError::TooManyCertificates {
            count: MAX_CHAIN_CERTIFICATES + 1,
            max: MAX_CHAIN_CERTIFICATES
        }
    );
}

#[test]
fn fingerprint_format() {
    let fp = fingerprint_sha256(&der(REPO_CA));
    assert_eq!(fp.len(), 32 * 3 - 1);
    assert!(fp
        .chars()
        .all(|c| c == ':' || c.is_ascii_digit() || c.is_ascii_uppercase()));
}

#[test]
fn look_alike_flood_is_bounded() {
    let chain = parse_pem_certificates(pki!("lookalike-flood")).unwrap();
    assert_eq!(chain.len(), 13);
    let err = verify_chain(&chain, &[der(ROOT)]).unwrap_err();
    assert!(
        matches!(err, CertificateError::PathSearchLimit { signatures, steps }
            if signatures <= MAX_SIGNATURE_CHECKS + 1 && steps <= MAX_SEARCH_STEPS + 1),
        "{err}"
    );
    // Fewer look-alikes: the search ends and reports the deepest failure.
    let err = verify_chain(&chain[..5], &[der(ROOT)]).unwrap_err();
    assert!(
        matches!(err, CertificateError::IssuerNotFound { .. }),
        "{err}"
    );
}
