//! RFC 3161 timestamps on key, certificate and PKCS #11 signatures (`sign … --tsa-url`,
//! `verify key|certificate --tsa-certificate-chain|--trust-config`), against the TSA of
//! the local Sigstore the keyless tests run (`@sigstore/mock`, an independent
//! implementation), with certificates made here by `openssl ca`, among them a leaf that
//! expires a few seconds after it signs. Timestamped signatures still verify with the
//! Python reference 1.1.1, which ignores the timestamp.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::keyless::Mock;
use common::softhsm::{Hsm, PIN};
use common::*;
use model_signing_core::encoding::{b64decode, b64encode};

/// The mock's TSA endpoint.
fn tsa_url(mock: &Mock) -> String {
    format!("{}/api/v1/timestamp", mock.url)
}

/// The mock TSA's certificates (its signing certificate and root), as one PEM file.
fn tsa_chain(mock: &Mock, dir: &Path) -> PathBuf {
    let trust = mock.trust_json();
    let certificates = trust["trustedRoot"]["timestampAuthorities"][0]["certChain"]["certificates"]
        .as_array()
        .expect("the mock's trust configuration lists a TSA");
    let pem: String = certificates
        .iter()
        .map(|c| {
            let der = b64decode(c["rawBytes"].as_str().unwrap()).unwrap();
            model_signing_core::keys::to_pem("CERTIFICATE", &der)
        })
        .collect();
    let path = dir.join("tsa-chain.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

/// `YYYYMMDDHHMMSSZ`, `offset` seconds from now, for `openssl ca`.
fn openssl_time(offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let t = model_signing_core::sigstore::UnixTime::from_secs(now + offset).to_string();
    // 2026-12-06T15:13:26Z → 20261206151326Z
    t.chars().filter(char::is_ascii_digit).collect::<String>() + "Z"
}

/// A self-signed root (`root.pem`) in `dir`, and a code-signing leaf for `key` issued by
/// it, valid from now for `seconds`. Returns (root, leaf, the leaf's notAfter).
fn pki(dir: &Path, key: &Path, seconds: i64) -> (PathBuf, PathBuf, SystemTime) {
    std::fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = ca\n[ca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n\
         default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n\
         [leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n\
         extendedKeyUsage = codeSigning\n[root]\nbasicConstraints = critical,CA:TRUE\n\
         keyUsage = critical,keyCertSign\n[req]\ndistinguished_name = dn\n[dn]\n",
    )
    .unwrap();
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let o = |args: &[&str]| openssl(dir, args);
    new_p256_key(dir, "root.key");
    o(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "root.key",
        "-subj",
        "/CN=timestamp test root",
        "-days",
        "30",
        "-config",
        "ca.cnf",
        "-extensions",
        "root",
        "-out",
        "root.pem",
    ]);
    o(&[
        "req",
        "-new",
        "-key",
        key.to_str().unwrap(),
        "-subj",
        "/CN=short-lived signer",
        "-config",
        "ca.cnf",
        "-out",
        "leaf.csr",
    ]);
    let not_after = SystemTime::now() + Duration::from_secs(seconds as u64);
    o(&[
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-cert",
        "root.pem",
        "-keyfile",
        "root.key",
        "-in",
        "leaf.csr",
        "-out",
        "leaf.pem",
        "-notext",
        "-extensions",
        "leaf",
        "-startdate",
        &openssl_time(0),
        "-enddate",
        &openssl_time(seconds),
    ]);
    (dir.join("root.pem"), dir.join("leaf.pem"), not_after)
}

/// The bundle's `signedTimestamp`s, DER.
fn timestamps(signature: &Path) -> Vec<Vec<u8>> {
    bundle(signature)["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|t| b64decode(t["signedTimestamp"].as_str().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `signature` with its timestamps replaced by `list`.
fn set_timestamps(signature: &Path, list: &[Vec<u8>]) {
    let mut json = bundle(signature);
    json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] = list
        .iter()
        .map(|t| serde_json::json!({"signedTimestamp": b64encode(t)}))
        .collect();
    std::fs::write(signature, json.to_string()).unwrap();
}

/// The DSSE signature bytes of a bundle (what a timestamp is over).
fn dsse_signature(signature: &Path) -> Vec<u8> {
    b64decode(
        bundle(signature)["dsseEnvelope"]["signatures"][0]["sig"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

/// The reference (1.1.1, which ignores timestamps) verifies the signature.
#[track_caller]
fn reference_verifies(cwd: &Path, args: &[&str]) {
    let out = run(reference("model_signing")
        .current_dir(cwd)
        .args(["verify"])
        .args(args));
    assert!(
        out.success() && out.text().contains("Verification succeeded"),
        "reference: {}",
        out.text()
    );
}

#[test]
fn a_timestamped_key_signature_verifies_with_the_authority_here_and_with_the_reference() {
    let mock = Mock::start();
    let tmp = tmp();
    let model = small_model(&tmp.path().join("model"));
    let sig = tmp.path().join("model.sig");
    let chain = tsa_chain(&mock, tmp.path());
    sign_key(&model, &sig, &["--tsa-url", &tsa_url(&mock)]).signed();
    assert_eq!(timestamps(&sig).len(), 1, "{}", bundle(&sig));

    let chain_arg = chain.to_str().unwrap();
    verify_key(&model, &sig, &["--tsa-certificate-chain", chain_arg]).verified();
    let trust = mock.trust_config.to_str().unwrap();
    verify_key(&model, &sig, &["--trust-config", trust]).verified();
    // Without an authority the timestamp is not checked, and the user is told so.
    let out = verify_key(&model, &sig, &[]);
    out.verified();
    assert!(
        out.stderr
            .contains("1 RFC 3161 timestamp(s), which were not checked"),
        "{}",
        out.stderr
    );
    // Asking for a timestamp of a signature that has none fails.
    let plain = tmp.path().join("plain.sig");
    sign_key(&model, &plain, &[]).signed();
    verify_key(&model, &plain, &["--tsa-certificate-chain", chain_arg])
        .verify_failed(&["carries no RFC 3161 timestamp", "--tsa-url"]);

    reference_verifies(
        tmp.path(),
        &[
            "key",
            "model",
            "--signature",
            "model.sig",
            "--public_key",
            P256_PUB,
        ],
    );
}

#[test]
fn an_expired_leaf_verifies_at_the_time_its_timestamp_proves() {
    let mock = Mock::start();
    let tmp = tmp();
    let dir = tmp.path();
    let model = small_model(&dir.join("model"));
    let chain = tsa_chain(&mock, dir);
    let chain = chain.to_str().unwrap();
    let key = new_p256_key(dir, "leaf.key");
    let (root, leaf, not_after) = pki(dir, &key, 8);
    let root = root.to_str().unwrap();
    let sig = dir.join("model.sig");
    run(ms()
        .args(["sign", "certificate"])
        .arg(&model)
        .arg("--private-key")
        .arg(&key)
        .arg("--signing-certificate")
        .arg(&leaf)
        .args(["--tsa-url", &tsa_url(&mock), "--signature"])
        .arg(&sig))
    .signed();

    // Wait until the leaf has expired.
    let wait = not_after
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        + Duration::from_millis(1500);
    std::thread::sleep(wait);

    verify_cert(&model, &sig, &[root], &["--tsa-certificate-chain", chain]).verified();
    // The reference checks the chain at the leaf's notBefore and ignores the timestamp.
    reference_verifies(
        dir,
        &[
            "certificate",
            "model",
            "--signature",
            "model.sig",
            "--certificate_chain",
            root,
        ],
    );

    // A timestamp of the same signature taken now, after the leaf expired, proves a
    // signing time at which the leaf was no longer valid.
    let late = model_signing::keyless::services::timestamp(
        &tsa_url(&mock),
        &dsse_signature(&sig),
        &model_signing::keyless::HttpPolicy::default(),
    )
    .unwrap();
    let late_sig = dir.join("late.sig");
    std::fs::copy(&sig, &late_sig).unwrap();
    set_timestamps(&late_sig, &[late]);
    verify_cert(
        &model,
        &late_sig,
        &[root],
        &["--tsa-certificate-chain", chain],
    )
    .verify_failed(&[
        "the certificate chain is not valid at",
        "RFC 3161 timestamp #0 proves",
        "short-lived signer",
        "expired",
    ]);
    // Without the authority, the reference's rule applies (and the timestamp is not read).
    verify_cert(&model, &late_sig, &[root], &[]).verified();

    // Signing now would make such a signature: it is refused, and nothing is written.
    let refused = dir.join("refused.sig");
    run(ms()
        .args(["sign", "certificate"])
        .arg(&model)
        .arg("--private-key")
        .arg(&key)
        .arg("--signing-certificate")
        .arg(&leaf)
        .args(["--tsa-url", &tsa_url(&mock), "--signature"])
        .arg(&refused))
    .sign_failed_cleanly(
        &refused,
        &["was not valid at", "renew the certificate", "expired"],
    );
}

#[test]
fn a_timestamp_that_does_not_verify_fails_verification() {
    let mock = Mock::start();
    let tmp = tmp();
    let model = small_model(&tmp.path().join("model"));
    let chain = tsa_chain(&mock, tmp.path());
    let chain = chain.to_str().unwrap();
    let sig = tmp.path().join("model.sig");
    sign_key(&model, &sig, &["--tsa-url", &tsa_url(&mock)]).signed();
    let good = timestamps(&sig).remove(0);

    // Another authority's root: the mock's TSA does not chain to it.
    verify_key(&model, &sig, &["--tsa-certificate-chain", ROOT_CERT])
        .verify_failed(&["RFC 3161 timestamp #0 of the signature does not verify"]);

    // The authority's signature over the timestamp is altered (its last byte).
    let mut altered = good.clone();
    *altered.last_mut().unwrap() ^= 1;
    set_timestamps(&sig, &[altered]);
    verify_key(&model, &sig, &["--tsa-certificate-chain", chain])
        .verify_failed(&["RFC 3161 timestamp #0 of the signature does not verify"]);

    // A good timestamp, but over another signature.
    let other = tmp.path().join("other.sig");
    sign_key(&model, &other, &["--tsa-url", &tsa_url(&mock)]).signed();
    set_timestamps(&sig, &[good.clone(), timestamps(&other).remove(0)]);
    verify_key(&model, &sig, &["--tsa-certificate-chain", chain]).verify_failed(&[
        "RFC 3161 timestamp #1",
        "over other data than the bundle's signature",
    ]);

    // A chain file that is not an authority's chain is named.
    verify_key(&model, &sig, &["--tsa-certificate-chain", INT_CERT])
        .verify_failed(&["int-ca-cert.pem", "no self-signed root certificate"]);
}

#[test]
fn an_unreachable_authority_fails_signing_cleanly() {
    let tmp = tmp();
    let model = small_model(&tmp.path().join("model"));
    let sig = tmp.path().join("model.sig");
    // A port nothing listens on (the mock is not started).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1/timestamp", listener.local_addr().unwrap());
    drop(listener);
    sign_key(&model, &sig, &["--tsa-url", &url]).sign_failed_cleanly(
        &sig,
        &[
            "timestamping the signature failed",
            "the timestamp authority",
            &url,
        ],
    );
}

#[test]
fn pkcs11_key_and_certificate_signatures_are_timestamped() {
    let mock = Mock::start();
    let hsm = Hsm::new("stamped");
    let dir = hsm.dir.path();
    let chain = tsa_chain(&mock, dir);
    let chain = chain.to_str().unwrap();
    let model = hsm.model("model");
    let key = new_p256_key(dir, "leaf.key");
    hsm.import(&key, "0b", "signer");
    openssl(
        dir,
        &["pkey", "-in", "leaf.key", "-pubout", "-out", "leaf.pub"],
    );
    let public = dir.join("leaf.pub");
    let uri = format!("pkcs11:token=stamped;object=signer?module-name=softhsm2&pin-value={PIN}");

    let key_sig = hsm.path("key.sig");
    run(hsm
        .ms()
        .args(["sign", "pkcs11-key"])
        .arg(&model)
        .arg("--signature")
        .arg(&key_sig)
        .args(["--pkcs11-uri", &uri, "--tsa-url", &tsa_url(&mock)]))
    .signed();
    assert_eq!(timestamps(&key_sig).len(), 1);
    verify_key_with(
        &model,
        &public,
        &key_sig,
        &["--tsa-certificate-chain", chain],
    )
    .verified();
    reference_verifies(
        dir,
        &[
            "key",
            "model",
            "--signature",
            "key.sig",
            "--public_key",
            public.to_str().unwrap(),
        ],
    );

    let (root, leaf, _) = pki(dir, &key, 3600);
    let cert_sig = hsm.path("cert.sig");
    run(hsm
        .ms()
        .args(["sign", "pkcs11-certificate"])
        .arg(&model)
        .arg("--signature")
        .arg(&cert_sig)
        .args(["--pkcs11-uri", &uri, "--tsa-url", &tsa_url(&mock)])
        .arg("--signing-certificate")
        .arg(&leaf))
    .signed();
    assert_eq!(timestamps(&cert_sig).len(), 1);
    let root = root.to_str().unwrap();
    verify_cert(
        &model,
        &cert_sig,
        &[root],
        &["--tsa-certificate-chain", chain],
    )
    .verified();
    reference_verifies(
        dir,
        &[
            "certificate",
            "model",
            "--signature",
            "cert.sig",
            "--certificate_chain",
            root,
        ],
    );
}
