//! The PKCS #11 library API in-process, on a real SoftHSM2 token: `list_signing_keys`,
//! `signing::Config::use_pkcs11_signer` / `use_pkcs11_certificate_signer`, and a signer
//! reused for several models.
//!
//! SoftHSM2 reads SOFTHSM2_CONF from this process's environment when the module is first
//! initialised, and a module is initialised once per process. This file therefore holds a
//! single test, which sets the variable before any other thread could read the
//! environment; the CLI tests live in `pkcs11.rs`.

mod common;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, KeyType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::RawAuthPin;

use model_signing::pkcs11::{list_signing_keys, list_signing_keys_on, Pkcs11Error, Pkcs11Signer};
use model_signing::{signing, verifying};
use model_signing_core::keys::{Curve, PublicKey};
use model_signing_core::signing::Signer;

use common::softhsm::{Hsm, PIN};
use common::*;

#[test]
fn list_keys_and_sign_in_process() {
    let hsm = Hsm::new("library");
    // The only test of this binary: no other thread reads the environment meanwhile.
    std::env::set_var("SOFTHSM2_CONF", &hsm.conf);

    let p256 = hsm.keygen("EC:prime256v1", "01", "alpha");
    let p384 = hsm.keygen("EC:secp384r1", "02", "beta");
    let p521 = hsm.keygen("EC:secp521r1", "03", "gamma");
    check(hsm.pkcs11_tool().args([
        "--login",
        "--pin",
        PIN,
        "--keypairgen",
        "--key-type",
        "rsa:1024",
        "--id",
        "04",
        "--label",
        "rsa",
    ]));
    let module = hsm.module.display().to_string();

    // Both forms list the three EC keys, not the RSA one, with the exported public keys.
    let keys = list_signing_keys(&format!(
        "pkcs11:token=library?module-path={module}&pin-value={PIN}"
    ))
    .unwrap();
    let same = list_signing_keys_on(&hsm.module, "library", Some(PIN.as_bytes())).unwrap();
    assert_eq!(keys, same);
    let summary: Vec<(&str, &str, Curve)> = keys
        .iter()
        .map(|k| (k.label.as_str(), k.id.as_str(), k.curve))
        .collect();
    assert_eq!(
        summary,
        [
            ("alpha", "01", Curve::P256),
            ("beta", "02", Curve::P384),
            ("gamma", "03", Curve::P521)
        ]
    );
    for (key, exported) in keys.iter().zip([&p256, &p384, &p521]) {
        let exported = PublicKey::from_pem(&std::fs::read(exported).unwrap()).unwrap();
        assert_eq!(
            PublicKey::from_pem(key.public_key_pem.as_bytes()).unwrap(),
            exported
        );
        assert!(!key.uri.contains("pin-"), "{}", key.uri);
    }
    assert_eq!(
        keys[1].uri,
        format!("pkcs11:token=library;object=beta;id=%02?module-path={module}")
    );
    // id and object narrow the list; without a PIN, SoftHSM2 shows no private key.
    let one = list_signing_keys(&format!(
        "pkcs11:token=library;id=%03?module-path={module}&pin-value={PIN}"
    ))
    .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].label, "gamma");
    assert!(list_signing_keys_on(&hsm.module, "library", None)
        .unwrap()
        .is_empty());
    assert!(matches!(
        list_signing_keys_on(&hsm.module, "library", Some(b"0000")),
        Err(Pkcs11Error::PinIncorrect { .. })
    ));

    // Sign with the URI a listing gave (plus the PIN), twice with one config.
    let model_a = hsm.model("model-a");
    let model_b = hsm.model("model-b");
    std::fs::write(model_b.join("config.json"), b"{}").unwrap();
    let config = signing::Config::new()
        .use_pkcs11_signer(&format!("{}&pin-value={PIN}", keys[1].uri))
        .unwrap();
    for model in [&model_a, &model_b] {
        let signature = model.with_extension("sig");
        config.sign(model, &signature).unwrap();
        let report = verifying::Config::new()
            .use_elliptic_key_verifier(&p384)
            .unwrap()
            .verify(model, &signature)
            .unwrap();
        assert_eq!(report.items, 3);
    }

    // The Signer directly: its description, and its errors as library values.
    let signer = Pkcs11Signer::open(&format!(
        "pkcs11:token=library;object=gamma?module-path={module}&pin-value={PIN}"
    ))
    .unwrap();
    assert_eq!(signer.token_label(), "library");
    assert_eq!(signer.key_description(), "object='gamma' id=03");
    let debug = format!("{signer:?}");
    assert!(debug.contains("gamma") && !debug.contains(PIN), "{debug}");
    match Pkcs11Signer::open(&format!(
        "pkcs11:token=library;object=rsa?module-path={module}&pin-value={PIN}"
    )) {
        Err(Pkcs11Error::UnsupportedKeyType { key_type, .. }) => assert_eq!(key_type, "CKK_RSA"),
        other => panic!("{other:?}"),
    }
    // While `config` and `signer` keep the token logged in, another signer gets
    // CKR_USER_ALREADY_LOGGED_IN from the token whatever its PIN: the right PIN still
    // works, a wrong one is refused.
    let alpha = |pin: &str| {
        Pkcs11Signer::open(&format!(
            "pkcs11:token=library;object=alpha?module-path={module}&pin-value={pin}"
        ))
    };
    alpha(PIN).unwrap();
    match alpha("0000") {
        Err(Pkcs11Error::PinIncorrect { code, .. }) => {
            assert!(code.contains("already in force"), "{code}")
        }
        other => panic!("{other:?}"),
    }
    drop(config);
    drop(signer);
    // With every session closed the token is logged out and checks PINs itself again.
    // This also shows that the failed opens above (RSA key, wrong PIN) closed their
    // sessions: one left open would keep the login, and the error would differ.
    match alpha("0000") {
        Err(Pkcs11Error::PinIncorrect { code, .. }) => assert_eq!(code, "CKR_PIN_INCORRECT"),
        other => panic!("{other:?}"),
    }

    // use_pkcs11_certificate_signer with a self-signed certificate of an imported key.
    let key = hsm.path("imported.key");
    new_p256_key(hsm.dir.path(), "imported.key");
    hsm.import(&key, "05", "imported");
    let cert = hsm.path("imported.pem");
    std::fs::write(
        hsm.path("req.cnf"),
        "[req]\ndistinguished_name = dn\n[dn]\n",
    )
    .unwrap();
    openssl(
        hsm.dir.path(),
        &[
            "req",
            "-x509",
            "-new",
            "-subj",
            "/CN=imported",
            "-days",
            "1",
            "-config",
            "req.cnf",
            "-key",
            "imported.key",
            "-out",
            "imported.pem",
        ],
    );
    let signature = hsm.path("cert.sig");
    signing::Config::new()
        .use_pkcs11_certificate_signer(
            &format!("pkcs11:token=library;id=%05?module-path={module}&pin-value={PIN}"),
            &cert,
            &[] as &[&std::path::Path],
        )
        .unwrap()
        .sign(&model_a, &signature)
        .unwrap();
    let json = bundle(&signature);
    let chain = &json["verificationMaterial"]["x509CertificateChain"]["certificates"];
    assert_eq!(chain.as_array().map(Vec::len), Some(1), "{json}");

    private_key_with_public_key_info(&hsm, &model_a);
}

/// A private key object that carries its public key in CKA_PUBLIC_KEY_INFO (PKCS #11 3.0)
/// and has no public key object: the signer takes the public key from it. SoftHSM2's own
/// key generation does not set the attribute, so the key is created here through cryptoki.
fn private_key_with_public_key_info(hsm: &Hsm, model: &std::path::Path) {
    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let point =
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false);
    let public = PublicKey::from_sec1_point(Curve::P256, point.as_bytes()).unwrap();

    // The library has loaded and initialised the module already: this context shares it.
    let ctx = Pkcs11::new(&hsm.module).unwrap();
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => panic!("C_Initialize: {e}"),
    }
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| s.id() == hsm.slot)
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    session
        .login_with_raw(
            UserType::User,
            &RawAuthPin::new(Box::new(PIN.as_bytes().to_vec())),
        )
        .unwrap();
    session
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Sign(true),
            Attribute::Id(vec![0x06]),
            Attribute::Label(b"with-info".to_vec()),
            // DER OID of P-256.
            Attribute::EcParams(vec![
                0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
            ]),
            Attribute::Value(secret.to_bytes().to_vec()),
            Attribute::PublicKeyInfo(public.to_spki_der()),
        ])
        .unwrap();
    drop(session);

    let signer = Pkcs11Signer::open(&format!(
        "pkcs11:token=library;object=with-info?module-path={}&pin-value={PIN}",
        hsm.module.display()
    ))
    .unwrap();
    assert_eq!(Signer::public_key(&signer), Some(public.clone()));
    let signature = hsm.path("with-info.sig");
    signing::Config::new()
        .use_signer(Box::new(signer))
        .sign(model, &signature)
        .unwrap();
    let public_pem = hsm.path("with-info.pub");
    std::fs::write(&public_pem, public.to_pem()).unwrap();
    verifying::Config::new()
        .use_elliptic_key_verifier(&public_pem)
        .unwrap()
        .verify(model, &signature)
        .unwrap();
}
