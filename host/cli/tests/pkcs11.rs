//! `sign pkcs11-key` and `sign pkcs11-certificate` against a real SoftHSM2 token: P-256,
//! P-384 and P-521 keys generated on the token, several URI forms, verification with our
//! `verify key|certificate` and with the Python reference's, and every failure a user can
//! meet (exit 1, its message, no signature file left).
//!
//! Each test starts its own SoftHSM2 (see `common/softhsm.rs`), so they run in parallel.

mod common;

use std::path::{Path, PathBuf};

use common::softhsm::{pct, Hsm, PIN};
use common::*;
use model_signing_core::keys::PublicKey;

/// Verifies with our `verify key` and the reference's.
fn verify_key_both(hsm: &Hsm, model: &Path, signature: &Path, public_key: &Path, extra: &[&str]) {
    let out = run(hsm
        .ms()
        .args(["verify", "key"])
        .arg(model)
        .arg("--signature")
        .arg(signature)
        .arg("--public-key")
        .arg(public_key)
        .args(extra));
    assert!(out.success(), "our verify key: {}", out.text());
    let out = run(reference("model_signing")
        .current_dir(hsm.dir.path())
        .args(["verify", "key"])
        .arg(model)
        .arg("--signature")
        .arg(signature)
        .arg("--public_key")
        .arg(public_key)
        .args(extra));
    assert!(out.success(), "reference verify key: {}", out.text());
    assert!(
        out.text().contains("Verification succeeded"),
        "{}",
        out.text()
    );
}

/// The bundle names the key as a key signer's does: the hint of `public_key`, no tlog.
fn assert_public_key_bundle(signature: &Path, public_key: &Path) {
    let json = bundle(signature);
    let key = PublicKey::from_pem(&std::fs::read(public_key).unwrap()).unwrap();
    let material = &json["verificationMaterial"];
    assert_eq!(material["publicKey"]["hint"], key.hint().as_str(), "{json}");
    assert_eq!(material["tlogEntries"], serde_json::json!([]), "{json}");
}

/// `sign pkcs11-key MODEL --signature SIGNATURE FLAG URI EXTRA...` (`FLAG`: one spelling
/// of `--pkcs11-uri`).
fn sign_pkcs11_key(
    hsm: &Hsm,
    model: &Path,
    signature: &Path,
    flag: &str,
    uri: &str,
    extra: &[&str],
) -> Run {
    run(hsm
        .ms()
        .args(["sign", "pkcs11-key"])
        .arg(model)
        .arg("--signature")
        .arg(signature)
        .args([flag, uri])
        .args(extra))
}

#[test]
fn p256_token_and_object_with_module_path() {
    let hsm = Hsm::new("models");
    let public = hsm.keygen("EC:prime256v1", "01", "release-p256");
    let model = hsm.model("model");
    std::fs::write(model.join("notes.txt"), b"not signed").unwrap();
    let signature = hsm.path("p256.sig");
    let uri = format!(
        "pkcs11:token=models;object=release-p256?module-path={}&pin-value={PIN}",
        hsm.module.display()
    );
    let ignore = ["--ignore-paths", "model/notes.txt"];
    sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &ignore).signed();
    assert_public_key_bundle(&signature, &public);
    verify_key_both(&hsm, &model, &signature, &public, &ignore);
}

#[test]
fn p384_token_and_id_with_module_name_and_pin_file() {
    let hsm = Hsm::new("models");
    let public = hsm.keygen("EC:secp384r1", "a1b2", "release-p384");
    let model = hsm.model("model");
    let pin = hsm.path("pin.txt");
    std::fs::write(&pin, PIN).unwrap();
    let signature = hsm.path("p384.sig");
    // module-name is found in the Debian directories the reference does not search; the
    // underscore spelling of the option is the reference 1.1.1's.
    let uri = format!(
        "pkcs11:token=models;id=%A1%B2?module-name=softhsm2&pin-source=file:{}",
        pin.display()
    );
    sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11_uri", &uri, &[]).signed();
    verify_key_both(&hsm, &model, &signature, &public, &[]);
}

#[test]
fn p521_slot_id_with_module_directory() {
    let hsm = Hsm::new("models");
    let public = hsm.keygen("EC:secp521r1", "03", "release-p521");
    let model = hsm.model("model");
    // A PIN file written by `echo`, with its newline.
    let pin = hsm.path("pin");
    std::fs::write(&pin, format!("{PIN}\n")).unwrap();
    let signature = hsm.path("p521.sig");
    let uri = format!(
        "pkcs11:slot-id={};object=release-p521;type=private?module-path={}&module-name=libsofthsm2&pin-source={}",
        hsm.slot,
        hsm.module.parent().unwrap().display(),
        pin.display()
    );
    sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]).signed();
    verify_key_both(&hsm, &model, &signature, &public, &[]);
}

#[test]
fn percent_encoded_labels_and_hashing_options() {
    let token = "ML team/β";
    let object = "key;1 é&x";
    let hsm = Hsm::new(token);
    let public = hsm.keygen("EC:prime256v1", "00ff", object);
    let model = hsm.model("model");
    let uri = format!(
        "pkcs11:token={};object={};id=%00%FF?module-path={}&pin-value={}",
        pct(token.as_bytes()),
        pct(object.as_bytes()),
        pct(hsm.module.to_str().unwrap().as_bytes()),
        pct(PIN.as_bytes())
    );
    let signature = hsm.path("encoded.sig");
    sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]).signed();
    verify_key_both(&hsm, &model, &signature, &public, &[]);

    // Shards and BLAKE2: ours reads them from the signature (the reference's CLI cannot).
    let shards = hsm.path("shards.sig");
    let opts = [
        "--hash-algorithm",
        "blake2",
        "--serialization",
        "shards",
        "--shard-size",
        "1024",
    ];
    sign_pkcs11_key(&hsm, &model, &shards, "--pkcs11-uri", &uri, &opts).signed();
    let out = run(hsm
        .ms()
        .args(["verify", "key"])
        .arg(&model)
        .arg("--signature")
        .arg(&shards)
        .arg("--public-key")
        .arg(&public));
    assert!(out.success(), "{}", out.text());
}

/// openssl: a root CA, an intermediate, and a leaf certificate for `leaf_key`.
fn make_pki(hsm: &Hsm, leaf_key: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ext = hsm.path("ext.cnf");
    std::fs::write(
        &ext,
        "[req]\ndistinguished_name = dn\n[dn]\n\
         [root]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n\
         [int]\nbasicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n\
         [leaf]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = codeSigning\nsubjectAltName = email:signer@example.com\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| openssl(hsm.dir.path(), args);
    for name in ["root", "int"] {
        openssl(&[
            "genpkey",
            "-quiet",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            &format!("{name}.key"),
        ]);
    }
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "root.key",
        "-subj",
        "/CN=PKCS11 test root",
        "-days",
        "30",
        "-config",
        "ext.cnf",
        "-extensions",
        "root",
        "-out",
        "root.pem",
    ]);
    openssl(&[
        "req",
        "-new",
        "-key",
        "int.key",
        "-subj",
        "/CN=PKCS11 test intermediate",
        "-config",
        "ext.cnf",
        "-out",
        "int.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "int.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-set_serial",
        "2",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "int",
        "-out",
        "int.pem",
    ]);
    let leaf_key = leaf_key.to_str().unwrap();
    openssl(&[
        "req",
        "-new",
        "-key",
        leaf_key,
        "-subj",
        "/CN=PKCS11 test signer",
        "-config",
        "ext.cnf",
        "-out",
        "leaf.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "int.pem",
        "-CAkey",
        "int.key",
        "-set_serial",
        "3",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
        "-out",
        "leaf.pem",
    ]);
    (
        hsm.path("root.pem"),
        hsm.path("int.pem"),
        hsm.path("leaf.pem"),
    )
}

#[test]
fn pkcs11_certificate_with_an_imported_key() {
    let hsm = Hsm::new("pki");
    // A software key, imported into the token, so that openssl can issue its certificate.
    let key = hsm.path("leaf.key");
    new_p256_key(hsm.dir.path(), "leaf.key");
    hsm.import(&key, "0a", "signer");
    let (root, int, leaf) = make_pki(&hsm, &key);
    let model = hsm.model("model");
    let signature = hsm.path("cert.sig");
    let uri = format!("pkcs11:token=pki;object=signer?module-name=softhsm2&pin-value={PIN}");
    run(hsm
        .ms()
        .args(["sign", "pkcs11-certificate"])
        .arg(&model)
        .arg("--signature")
        .arg(&signature)
        .args(["--pkcs11_uri", &uri])
        .arg("--signing_certificate")
        .arg(&leaf)
        .arg("--certificate-chain")
        .arg(&int))
    .signed();
    let json = bundle(&signature);
    let certs = json["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array()
        .unwrap_or_else(|| panic!("no certificate chain: {json}"));
    assert_eq!(certs.len(), 2, "leaf and intermediate: {json}");

    let out = run(hsm
        .ms()
        .args(["verify", "certificate"])
        .arg(&model)
        .arg("--signature")
        .arg(&signature)
        .arg("--certificate-chain")
        .arg(&root));
    assert!(out.success(), "our verify certificate: {}", out.text());
    let out = run(reference("model_signing")
        .current_dir(hsm.dir.path())
        .args(["verify", "certificate"])
        .arg(&model)
        .arg("--signature")
        .arg(&signature)
        .arg("--certificate_chain")
        .arg(&root));
    assert!(
        out.success(),
        "reference verify certificate: {}",
        out.text()
    );

    // Without its public key object, the key's public key comes from a certificate with
    // its id on the token; without either, signing stops before anything is written.
    check(hsm.pkcs11_tool().args([
        "--login",
        "--pin",
        PIN,
        "--delete-object",
        "--type",
        "pubkey",
        "--id",
        "0a",
    ]));
    let bare = hsm.path("bare.sig");
    let out = sign_pkcs11_key(&hsm, &model, &bare, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &bare,
        &["cannot find the public key of object='signer' id=0a"],
    );
    let leaf_der = hsm.path("leaf.der");
    openssl(
        hsm.dir.path(),
        &[
            "x509", "-outform", "DER", "-in", "leaf.pem", "-out", "leaf.der",
        ],
    );
    check(
        hsm.pkcs11_tool()
            .args(["--login", "--pin", PIN, "--write-object"])
            .arg(&leaf_der)
            .args(["--type", "cert", "--id", "0a", "--label", "signer"]),
    );
    let leaf_pub = hsm.path("leaf-pub.pem");
    openssl(
        hsm.dir.path(),
        &["pkey", "-pubout", "-in", "leaf.key", "-out", "leaf-pub.pem"],
    );
    let from_cert = hsm.path("from-cert.sig");
    sign_pkcs11_key(&hsm, &model, &from_cert, "--pkcs11-uri", &uri, &[]).signed();
    verify_key_both(&hsm, &model, &from_cert, &leaf_pub, &[]);

    // A certificate for another key is refused before anything is signed.
    new_p256_key(hsm.dir.path(), "other.key");
    openssl(
        hsm.dir.path(),
        &[
            "req",
            "-x509",
            "-new",
            "-subj",
            "/CN=other",
            "-days",
            "1",
            "-config",
            "ext.cnf",
            "-key",
            "other.key",
            "-out",
            "other.pem",
        ],
    );
    let wrong = hsm.path("wrong.sig");
    let out = run(hsm
        .ms()
        .args(["sign", "pkcs11-certificate"])
        .arg(&model)
        .arg("--signature")
        .arg(&wrong)
        .args(["--pkcs11-uri", &uri])
        .arg("--signing-certificate")
        .arg(hsm.path("other.pem")));
    out.sign_failed_cleanly(&wrong, &["does not match the public key"]);
}

#[test]
fn module_that_cannot_be_loaded() {
    let hsm = Hsm::new("models");
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let fake = hsm.path("libfake-pkcs11.so");
    std::fs::write(&fake, b"this is not a shared library").unwrap();
    let uri = format!(
        "pkcs11:token=models;object=k?module-path={}&pin-value={PIN}",
        fake.display()
    );
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &["cannot load the PKCS #11 module", "libfake-pkcs11.so"],
    );

    let uri = format!("pkcs11:token=models;object=k?module-name=no-such-module&pin-value={PIN}");
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &[
            "no PKCS #11 module 'no-such-module'",
            "/usr/lib/pkcs11",
            "module-path=",
        ],
    );
}

#[test]
fn no_matching_token() {
    let hsm = Hsm::new("models");
    hsm.keygen("EC:prime256v1", "01", "k");
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let module = hsm.module.display();
    let absent_slot = if hsm.slot == 12345 { 12346 } else { 12345 };
    let uri = format!("pkcs11:token=absent;object=k?module-path={module}&pin-value={PIN}");
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &["no token matches token='absent'", "'models' (slot-id"],
    );

    let uri = format!("pkcs11:slot-id={absent_slot};object=k?module-path={module}&pin-value={PIN}");
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &[&format!("no token matches slot-id={absent_slot}")],
    );
}

#[test]
fn no_matching_key() {
    let hsm = Hsm::new("models");
    hsm.keygen("EC:prime256v1", "01", "k");
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let module = hsm.module.display();
    let uri = format!("pkcs11:token=models;object=nope?module-path={module}&pin-value={PIN}");
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &["no private key on token 'models' matches object='nope'"],
    );

    // The key exists, but without a PIN the token hides it: the message says why.
    let uri = format!("pkcs11:token=models;object=k;id=%01?module-path={module}");
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &["matches object='k' and id=01", "no PIN was given"],
    );

    let uri = format!("pkcs11:token=models?module-path={module}&pin-value={PIN}");
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(&signature, &["does not say which key", "object=LABEL"]);
}

#[test]
fn wrong_pin_is_reported_and_never_echoed() {
    let hsm = Hsm::new("models");
    hsm.keygen("EC:prime256v1", "01", "k");
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let module = hsm.module.display();
    let wrong = "918273";
    let uri = format!("pkcs11:token=models;object=k?module-path={module}&pin-value={wrong}");
    let out = sign_pkcs11_key(
        &hsm,
        &model,
        &signature,
        "--pkcs11-uri",
        &uri,
        &["--log-level", "DEBUG"],
    );
    out.sign_failed_cleanly(
        &signature,
        &["PIN was rejected by token 'models'", "CKR_PIN_INCORRECT"],
    );
    assert!(
        !out.text().contains(wrong),
        "the PIN was printed: {}",
        out.text()
    );

    let pin = hsm.path("pin");
    std::fs::write(&pin, wrong).unwrap();
    let uri = format!(
        "pkcs11:token=models;object=k?module-path={module}&pin-source=file://{}",
        pin.display()
    );
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(&signature, &["CKR_PIN_INCORRECT"]);
    assert!(
        !out.text().contains(wrong),
        "the PIN was printed: {}",
        out.text()
    );

    let uri = format!(
        "pkcs11:token=models;object=k?module-path={module}&pin-source={}",
        hsm.path("absent").display()
    );
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(&signature, &["cannot read the PIN file"]);
}

#[test]
fn locked_token() {
    let hsm = Hsm::new("models");
    hsm.keygen("EC:prime256v1", "01", "k");
    hsm.lock_user_pin();
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let uri = format!(
        "pkcs11:token=models;object=k?module-path={}&pin-value={PIN}",
        hsm.module.display()
    );
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(&signature, &["user PIN of token 'models' is locked"]);
}

#[test]
fn key_of_an_unsupported_type() {
    let hsm = Hsm::new("models");
    check(hsm.pkcs11_tool().args([
        "--login",
        "--pin",
        PIN,
        "--keypairgen",
        "--key-type",
        "rsa:1024",
        "--id",
        "09",
        "--label",
        "rsa",
    ]));
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let uri = format!(
        "pkcs11:token=models;object=rsa?module-path={}&pin-value={PIN}",
        hsm.module.display()
    );
    let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
    out.sign_failed_cleanly(
        &signature,
        &[
            "object='rsa' id=09",
            "CKK_RSA",
            "only EC keys on P-256, P-384 and P-521",
        ],
    );
}

#[test]
fn malformed_uris() {
    let hsm = Hsm::new("models");
    let model = hsm.model("model");
    let signature = hsm.path("model.sig");
    let module = hsm.module.display().to_string();
    let cases = [
        ("token=models;object=k".to_string(), "starts with 'pkcs11:'"),
        (
            format!("pkcs11:token=My Token;object=k?module-path={module}"),
            "must be percent-encoded",
        ),
        (
            format!("pkcs11:token=a;token=b?module-path={module}"),
            "duplicate path attribute 'token'",
        ),
        (
            format!("pkcs11:token=a;object=%4?module-path={module}"),
            "invalid percent-encoding",
        ),
        (
            format!("pkcs11:slot-id=x1;object=k?module-path={module}"),
            "slot-id must be a decimal number",
        ),
        (
            format!("pkcs11:token=a;object=k?module-path={module}&pin-value=1&pin-source=/p"),
            "mutually exclusive",
        ),
        (
            "pkcs11:token=a;object=k?module-path=relative/lib.so".to_string(),
            "module-path must be an absolute path",
        ),
        (
            format!("pkcs11:token=a;object=k;pin-value=1?module-path={module}"),
            "'pin-value' is a query attribute",
        ),
        (
            format!("pkcs11:token=a;object=k?module-path={module}&"),
            "malformed query attribute #2",
        ),
    ];
    for (uri, needle) in cases {
        let out = sign_pkcs11_key(&hsm, &model, &signature, "--pkcs11-uri", &uri, &[]);
        out.sign_failed_cleanly(&signature, &["malformed PKCS #11 URI", needle]);
    }
    // A malformed PIN is not shown either.
    let out = sign_pkcs11_key(
        &hsm,
        &model,
        &signature,
        "--pkcs11-uri",
        "pkcs11:token=a;object=k?pin-value=53 71",
        &[],
    );
    out.sign_failed_cleanly(&signature, &["'pin-value' contains a character"]);
    assert!(
        !out.text().contains("53") && !out.text().contains("71"),
        "{}",
        out.text()
    );
}
