//! Bad input to the `model_signing` CLI: broken or tampered signature files, wrong or
//! unusable keys and certificates, bad passwords, missing paths and bad options. Each
//! must fail with exit 1 and a clear one-line error naming the file or field, and must
//! write nothing: no signature, no temporary file, no change to an existing signature.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use model_signing::model_signing_core::encoding::{b64decode, b64encode};

/// A model `m` with two files and its P-256 key signature `m.sig`, in `t`.
fn signed_model(t: &Path) -> (PathBuf, PathBuf) {
    let m = model(&t.join("m"), &[("w.bin", "weights"), ("sub/c.json", "{}")]);
    let sig = t.join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    (m, sig)
}

/// Runs `verify`, which must fail with every needle and leave `t` as it was.
#[track_caller]
fn verify_fails_cleanly(t: &Path, verify: impl FnOnce() -> Run, needles: &[&str]) -> String {
    let before = snapshot(t);
    let message = verify().verify_failed(needles);
    assert_eq!(snapshot(t), before, "a failed verify changed the directory");
    message
}

/// Writes a bundle file `name` in `t` made by `edit` from the JSON of `sig`.
fn edited_bundle(
    t: &Path,
    sig: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> PathBuf {
    let mut b = bundle(sig);
    edit(&mut b);
    let path = t.join(name);
    fs::write(&path, serde_json::to_string(&b).unwrap()).unwrap();
    path
}

/// The DSSE signature bytes of a bundle.
fn sig_bytes(b: &serde_json::Value) -> Vec<u8> {
    b64decode(b["dsseEnvelope"]["signatures"][0]["sig"].as_str().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------
// Broken signature files

#[test]
fn malformed_json_bundle() {
    let t = tmp();
    let (m, _) = signed_model(t.path());
    let bad = t.path().join("bad.sig");
    fs::write(&bad, "{not json").unwrap();
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["'", "bad.sig", "not valid JSON"],
    );
    fs::write(&bad, "").unwrap();
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["bad.sig", "not valid JSON"],
    );
    fs::write(&bad, "[1, 2]").unwrap();
    verify_fails_cleanly(t.path(), || verify_key(&m, &bad, &[]), &["bad.sig"]);
}

/// A signature file over the 64 MiB cap is refused from its size, before it is read:
/// a sparse 1 TiB file fails at once, naming the file and the cap.
#[test]
fn oversized_signature_file() {
    let t = tmp();
    let (m, _) = signed_model(t.path());
    // Outside `t`, which the check snapshots by reading every file.
    let elsewhere = tmp();
    let huge = elsewhere.path().join("huge.sig");
    fs::File::create(&huge).unwrap().set_len(1 << 40).unwrap();
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &huge, &[]),
        &["huge.sig", "1099511627776 bytes", "64 MiB"],
    );
    // Just over the cap, with real bytes.
    fs::File::create(&huge)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &huge, &[]),
        &["huge.sig", "64 MiB"],
    );
}

#[test]
fn truncated_bundle() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let data = fs::read(&sig).unwrap();
    let bad = t.path().join("truncated.sig");
    for len in [1, data.len() / 2, data.len() - 1] {
        fs::write(&bad, &data[..len]).unwrap();
        verify_fails_cleanly(
            t.path(),
            || verify_key(&m, &bad, &[]),
            &["truncated.sig", "not valid JSON"],
        );
    }
}

#[test]
fn wrong_media_type() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    for (i, media) in [
        "application/json",
        "application/vnd.dev.sigstore.bundle.v0.4+json",
        // Sigstore's older bundle versions: not what key and certificate signatures use.
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
    ]
    .into_iter()
    .enumerate()
    {
        let bad = edited_bundle(t.path(), &sig, &format!("media{i}.sig"), |b| {
            b["mediaType"] = media.into()
        });
        verify_fails_cleanly(
            t.path(),
            || verify_key(&m, &bad, &[]),
            &["media type", media],
        );
    }
    let bad = edited_bundle(t.path(), &sig, "nomedia.sig", |b| {
        b.as_object_mut().unwrap().remove("mediaType");
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["nomedia.sig", "mediaType"],
    );
}

#[test]
fn bundle_without_dsse_envelope() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let bad = edited_bundle(t.path(), &sig, "nodsse.sig", |b| {
        b.as_object_mut().unwrap().remove("dsseEnvelope");
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["nodsse.sig", "dsseEnvelope"],
    );
    let bad = edited_bundle(t.path(), &sig, "msg.sig", |b| {
        let env = b.as_object_mut().unwrap().remove("dsseEnvelope").unwrap();
        b["messageSignature"] = serde_json::json!({"signature": env["signatures"][0]["sig"]});
    });
    verify_fails_cleanly(t.path(), || verify_key(&m, &bad, &[]), &["msg.sig"]);
    let bad = edited_bundle(t.path(), &sig, "nosigs.sig", |b| {
        b["dsseEnvelope"]["signatures"] = serde_json::json!([]);
    });
    verify_fails_cleanly(t.path(), || verify_key(&m, &bad, &[]), &["signature"]);
}

#[test]
fn payload_that_is_not_base64() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let bad = edited_bundle(t.path(), &sig, "b64.sig", |b| {
        b["dsseEnvelope"]["payload"] = "!!!not base64***".into();
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["b64.sig", "payload", "base64"],
    );
    let bad = edited_bundle(t.path(), &sig, "sigb64.sig", |b| {
        b["dsseEnvelope"]["signatures"][0]["sig"] = "@@@".into();
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["sigb64.sig", "sig"],
    );
}

#[test]
fn flipped_signature_bytes() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let b = bundle(&sig);
    let raw = sig_bytes(&b);
    // A flipped bit in r or s: well-formed but wrong.
    for (i, at) in [raw.len() - 1, 10].into_iter().enumerate() {
        let bad = edited_bundle(t.path(), &sig, &format!("flip{i}.sig"), |b| {
            let mut s = raw.clone();
            s[at] ^= 0x01;
            b["dsseEnvelope"]["signatures"][0]["sig"] = b64encode(&s).into();
        });
        verify_fails_cleanly(
            t.path(),
            || verify_key(&m, &bad, &[]),
            &["signature does not verify"],
        );
    }
    // A broken DER structure.
    let bad = edited_bundle(t.path(), &sig, "der.sig", |b| {
        let mut s = raw.clone();
        s[0] ^= 0xff;
        b["dsseEnvelope"]["signatures"][0]["sig"] = b64encode(&s).into();
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["signature does not verify", "DER"],
    );
    // No signature bytes.
    let bad = edited_bundle(t.path(), &sig, "empty.sig", |b| {
        b["dsseEnvelope"]["signatures"][0]["sig"] = "".into();
    });
    verify_fails_cleanly(t.path(), || verify_key(&m, &bad, &[]), &[]);
}

/// An envelope with a second signature (here a copy of the first) is refused, for key
/// and certificate signatures alike: a verifier that checked only one would leave the
/// other unchecked.
#[test]
fn two_dsse_signatures() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let bad = edited_bundle(t.path(), &sig, "two.sig", |b| {
        let first = b["dsseEnvelope"]["signatures"][0].clone();
        b["dsseEnvelope"]["signatures"]
            .as_array_mut()
            .unwrap()
            .push(first);
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["exactly one signature", "found 2"],
    );
}

#[test]
fn edited_payload_fails_the_signature() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    // Make the payload match a tampered model: the signature must catch it.
    fs::write(m.join("w.bin"), "evil weights").unwrap();
    let forged = run(ms().arg("digest").arg(&m).arg("--ignore-paths").arg(&sig));
    assert_eq!(forged.code, Some(0));
    let bad = edited_bundle(t.path(), &sig, "edited.sig", |b| {
        edit_payload(b, |p| {
            p["subject"][0]["digest"]["sha256"] =
                forged.stdout.trim().trim_start_matches("sha256:").into();
        });
    });
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["signature does not verify"],
    );
    // Even a change that keeps the JSON's meaning (re-encoding) breaks it.
    fs::write(m.join("w.bin"), "weights").unwrap();
    let bad = edited_bundle(t.path(), &sig, "reencoded.sig", |b| edit_payload(b, |_| {}));
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &bad, &[]),
        &["signature does not verify"],
    );
    // And the original still verifies.
    verify_key(&m, &sig, &[]).verified();
}

#[test]
fn edited_verification_material() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let bad = edited_bundle(t.path(), &sig, "hint.sig", |b| {
        b["verificationMaterial"]["publicKey"]["hint"] = "00".repeat(32).into();
    });
    verify_fails_cleanly(t.path(), || verify_key(&m, &bad, &[]), &["key mismatch"]);
    let bad = edited_bundle(t.path(), &sig, "payloadtype.sig", |b| {
        b["dsseEnvelope"]["payloadType"] = "text/plain".into();
    });
    verify_fails_cleanly(t.path(), || verify_key(&m, &bad, &[]), &["text/plain"]);
}

// ---------------------------------------------------------------------------------
// Wrong or unusable keys

#[test]
fn wrong_key_is_a_key_mismatch() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("p384.sig");
    sign_key_with(&m, Path::new(CERT_KEY), &sig, &[]).signed();
    verify_key_with(&m, Path::new(CERT_KEY_PUB), &sig, &[]).verified();
    // A P-256 key for a P-384 signature, and a P-521 one.
    verify_fails_cleanly(t.path(), || verify_key(&m, &sig, &[]), &["key mismatch"]);
    verify_fails_cleanly(
        t.path(),
        || verify_key_with(&m, Path::new(P521_PUB), &sig, &[]),
        &["key mismatch"],
    );
}

#[test]
fn public_key_on_an_unsupported_curve() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    openssl(
        t.path(),
        &[
            "ecparam",
            "-name",
            "secp256k1",
            "-genkey",
            "-noout",
            "-out",
            "k1.pem",
        ],
    );
    openssl(
        t.path(),
        &["ec", "-in", "k1.pem", "-pubout", "-out", "k1-pub.pem"],
    );
    let k1 = t.path().join("k1-pub.pem");
    verify_fails_cleanly(
        t.path(),
        || verify_key_with(&m, &k1, &sig, &[]),
        &["k1-pub.pem", "curve"],
    );
    // And signing with its private key.
    let out = t.path().join("k1.sig");
    assert_sign_fails(
        &out,
        &["k1.pem", "curve"],
        sign_with(&m, &t.path().join("k1.pem"), &out, &[]),
    );
}

#[test]
fn public_key_file_that_is_not_a_public_key() {
    let t = tmp();
    let (m, sig) = signed_model(t.path());
    let garbage = t.path().join("garbage.pem");
    fs::write(&garbage, "this is not a key\n").unwrap();
    let broken = t.path().join("broken.pem");
    fs::write(
        &broken,
        "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let wrong_der = t.path().join("wrong-der.pem");
    fs::write(
        &wrong_der,
        "-----BEGIN PUBLIC KEY-----\naGVsbG8gd29ybGQ=\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    for (key, what) in [
        (Path::new(LEAF_CERT), "signing-key-cert.pem"),
        (Path::new(P256), "p256.pem"),
        (garbage.as_path(), "garbage.pem"),
        (broken.as_path(), "broken.pem"),
        (wrong_der.as_path(), "wrong-der.pem"),
        (t.path().join("absent.pem").as_path(), "absent.pem"),
    ] {
        verify_fails_cleanly(t.path(), || verify_key_with(&m, key, &sig, &[]), &[what]);
    }
}

#[test]
fn rsa_keys_are_refused() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    openssl(t.path(), &["genrsa", "-out", "rsa.pem", "2048"]);
    openssl(
        t.path(),
        &["genrsa", "-traditional", "-out", "rsa-trad.pem", "2048"],
    );
    openssl(
        t.path(),
        &["rsa", "-in", "rsa.pem", "-pubout", "-out", "rsa-pub.pem"],
    );
    let sig = t.path().join("rsa.sig");
    for key in ["rsa.pem", "rsa-trad.pem"] {
        let msg = assert_sign_fails(
            &sig,
            &[key, "RSA"],
            sign_with(&m, &t.path().join(key), &sig, &[]),
        );
        assert!(msg.contains("elliptic curve"), "{msg}");
        assert_eq!(
            msg.matches("elliptic curve").count(),
            1,
            "the cause is printed once: {msg}"
        );
    }
    let good = t.path().join("good.sig");
    sign_key(&m, &good, &[]).signed();
    let rsa_pub = t.path().join("rsa-pub.pem");
    verify_fails_cleanly(
        t.path(),
        || verify_key_with(&m, &rsa_pub, &good, &[]),
        &["rsa-pub.pem", "RSA"],
    );
}

#[test]
fn missing_private_key_file_is_named() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("m.sig");
    let key = t.path().join("no-such-key.pem");
    let msg = assert_sign_fails(
        &sig,
        &["no-such-key.pem", "No such file"],
        sign_with(&m, &key, &sig, &[]),
    );
    assert_eq!(
        msg.matches("No such file").count(),
        1,
        "the cause is printed once: {msg}"
    );
    // A directory is not a key file either.
    assert_sign_fails(&sig, &["m"], sign_with(&m, &m, &sig, &[]));
    // Nor is a certificate or a public key.
    assert_sign_fails(
        &sig,
        &["signing-key-cert.pem", "no PEM private key"],
        sign_with(&m, Path::new(LEAF_CERT), &sig, &[]),
    );
    assert_sign_fails(
        &sig,
        &["p256-pub.pem", "no PEM private key"],
        sign_with(&m, Path::new(P256_PUB), &sig, &[]),
    );
}

// ---------------------------------------------------------------------------------
// Passwords

/// Two encrypted copies of the P-256 key in `dir`: PKCS #8 and legacy PEM.
fn encrypted_keys(dir: &Path) -> [PathBuf; 2] {
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:right",
            "-in",
            P256,
            "-out",
            "pkcs8.pem",
        ],
    );
    openssl(
        dir,
        &[
            "ec",
            "-aes256",
            "-passout",
            "pass:right",
            "-in",
            P256,
            "-out",
            "legacy.pem",
        ],
    );
    [dir.join("pkcs8.pem"), dir.join("legacy.pem")]
}

#[test]
fn wrong_password() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("m.sig");
    for key in encrypted_keys(t.path()) {
        let name = key.file_name().unwrap().to_str().unwrap().to_string();
        for pw in ["wrong", "", "right "] {
            assert_sign_fails(
                &sig,
                &[&name, "cannot decrypt", "wrong password"],
                sign_with(&m, &key, &sig, &["--password", pw]),
            );
        }
        let key2 = key.clone();
        let sig2 = sig.clone();
        let m2 = m.clone();
        assert_sign_fails(&sig, &[&name, "wrong password"], move || {
            let mut c = sign_with(&m2, &key2, &sig2, &[])();
            c.env("MODEL_SIGNING_KEY_PASSWORD", "wrong");
            c
        });
    }
}

#[test]
fn missing_password_for_an_encrypted_key() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("m.sig");
    for key in encrypted_keys(t.path()) {
        let name = key.file_name().unwrap().to_str().unwrap().to_string();
        assert_sign_fails(
            &sig,
            &[&name, "encrypted", "--password"],
            sign_with(&m, &key, &sig, &[]),
        );
    }
}

#[test]
fn password_for_a_key_that_is_not_encrypted() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("m.sig");
    assert_sign_fails(
        &sig,
        &["p256.pem", "not encrypted"],
        sign_with(&m, Path::new(P256), &sig, &["--password", "x"]),
    );
}

// ---------------------------------------------------------------------------------
// Certificates

/// A self-signed P-256 CA certificate with subject `CN=<cn>`, in `dir/<file>`.
fn self_signed_root(dir: &Path, cn: &str, file: &str) -> PathBuf {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{file}.key"),
            "-out",
            file,
            "-subj",
            &format!("/CN={cn}"),
            "-days",
            "36500",
            "-set_serial",
            "1",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    dir.join(file)
}

#[test]
fn certificate_signature_with_a_foreign_root() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("c.sig");
    sign_cert(&m, &sig, &[]).signed();
    let foreign = self_signed_root(t.path(), "foreign-root", "foreign.pem");
    let msg = verify_fails_cleanly(
        t.path(),
        || verify_cert(&m, &sig, &[foreign.to_str().unwrap()], &[]),
        &[],
    );
    assert!(
        msg.contains("root-ca") || msg.contains("intermediate-ca"),
        "{msg}"
    );
    // A look-alike root with the real root's name but another key.
    let lookalike = self_signed_root(t.path(), "root-ca", "lookalike.pem");
    let msg = verify_fails_cleanly(
        t.path(),
        || verify_cert(&m, &sig, &[lookalike.to_str().unwrap()], &[]),
        &["root-ca"],
    );
    assert!(!msg.is_empty());
    // The real root still works.
    verify_cert(&m, &sig, &[ROOT_CERT], &[]).verified();
}

#[test]
fn certificate_signature_with_only_the_intermediate() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("c.sig");
    sign_cert(&m, &sig, &[]).signed();
    verify_fails_cleanly(
        t.path(),
        || verify_cert(&m, &sig, &[INT_CERT], &[]),
        &["intermediate-ca", "self-signed"],
    );
    // The leaf alone is not a trust anchor either.
    verify_fails_cleanly(t.path(), || verify_cert(&m, &sig, &[LEAF_CERT], &[]), &[]);
}

#[test]
fn certificate_chain_file_that_is_not_a_certificate() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("c.sig");
    sign_cert(&m, &sig, &[]).signed();
    let garbage = t.path().join("garbage.pem");
    fs::write(&garbage, "garbage").unwrap();
    verify_fails_cleanly(
        t.path(),
        || verify_cert(&m, &sig, &[garbage.to_str().unwrap()], &[]),
        &["garbage.pem", "CERTIFICATE"],
    );
    let absent = t.path().join("absent.pem");
    verify_fails_cleanly(
        t.path(),
        || verify_cert(&m, &sig, &[absent.to_str().unwrap()], &[]),
        &["absent.pem"],
    );
    // Signing with a certificate file that holds no certificate.
    let out = t.path().join("out.sig");
    let g = garbage.clone();
    let (m2, out2) = (m.clone(), out.clone());
    assert_sign_fails(&out, &["garbage.pem"], move || {
        let mut c = ms();
        c.args(["sign", "certificate"])
            .arg(&m2)
            .args(["--private-key", CERT_KEY, "--signing-certificate"])
            .arg(&g)
            .args(["--certificate-chain", INT_CERT, "--signature"])
            .arg(&out2);
        c
    });
}

#[test]
fn certificate_that_does_not_match_the_private_key() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("c.sig");
    let (m2, sig2) = (m.clone(), sig.clone());
    assert_sign_fails(&sig, &["does not match"], move || {
        let mut c = ms();
        c.args(["sign", "certificate"])
            .arg(&m2)
            .args([
                "--private-key",
                P256,
                "--signing-certificate",
                LEAF_CERT,
                "--certificate-chain",
                INT_CERT,
            ])
            .arg("--signature")
            .arg(&sig2);
        c
    });
}

#[test]
fn key_and_certificate_bundles_need_their_own_verify_method() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let key_sig = t.path().join("key.sig");
    sign_key(&m, &key_sig, &[]).signed();
    let cert_sig = t.path().join("cert.sig");
    sign_cert(&m, &cert_sig, &[]).signed();

    verify_fails_cleanly(
        t.path(),
        || verify_cert(&m, &key_sig, &[ROOT_CERT], &[]),
        &["made with a public key", "use `verify key`"],
    );
    verify_fails_cleanly(
        t.path(),
        || verify_key_with(&m, Path::new(CERT_KEY_PUB), &cert_sig, &[]),
        &["made with a certificate chain", "use `verify certificate`"],
    );
}

// ---------------------------------------------------------------------------------
// Missing paths and bad options

#[test]
fn missing_model_path() {
    let t = tmp();
    let (_, sig) = signed_model(t.path());
    let nowhere = t.path().join("no-such-model");
    let out = t.path().join("out.sig");
    let msg = assert_sign_fails(
        &out,
        &["no-such-model"],
        sign_with(&nowhere, Path::new(P256), &out, &[]),
    );
    assert_eq!(
        msg.matches("No such file").count(),
        1,
        "the cause is printed once: {msg}"
    );
    verify_fails_cleanly(
        t.path(),
        || verify_key(&nowhere, &sig, &[]),
        &["no-such-model"],
    );
}

#[test]
fn missing_signature_file() {
    let t = tmp();
    let (m, _) = signed_model(t.path());
    let absent = t.path().join("absent.sig");
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &absent, &[]),
        &["absent.sig", "cannot read the signature"],
    );
    // A directory is not a signature either.
    let dir = t.path().join("m");
    verify_fails_cleanly(
        t.path(),
        || verify_key(&m, &dir, &[]),
        &["cannot read the signature"],
    );
}

#[test]
fn shard_size_zero() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("m.sig");
    assert_sign_fails(
        &sig,
        &["shard size", "greater than zero"],
        sign_with(
            &m,
            Path::new(P256),
            &sig,
            &["--serialization", "shards", "--shard-size", "0"],
        ),
    );
    // --shard-size needs --serialization shards.
    assert_sign_fails(
        &sig,
        &["--shard-size", "shards"],
        sign_with(&m, Path::new(P256), &sig, &["--shard-size", "7"]),
    );
    // A negative or non-numeric size is a usage error (exit 2), with nothing written.
    for bad in ["-1", "seven"] {
        let r = run(&mut sign_with(
            &m,
            Path::new(P256),
            &sig,
            &["--serialization", "shards", "--shard-size", bad],
        )());
        assert_eq!(r.code, Some(2), "{r:?}");
        assert!(!sig.exists());
    }
    let digest =
        run(ms()
            .arg("digest")
            .arg(&m)
            .args(["--serialization", "shards", "--shard-size", "0"]));
    digest.failed_with("Computing digest failed: ", &["greater than zero"]);
}

#[test]
fn signature_path_in_a_missing_directory() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("no/such/dir/m.sig");
    assert_sign_fails(
        &sig,
        &[
            "no/such/dir/m.sig",
            "cannot write the signature",
            "does not exist",
        ],
        sign_with(&m, Path::new(P256), &sig, &[]),
    );
    assert!(!t.path().join("no").exists(), "no directory was created");
    // The destination is checked before the model is hashed: the model's own problem
    // (a symlink) is not what gets reported.
    symlink("w", &m.join("link"));
    assert_sign_fails(
        &sig,
        &["no/such/dir/m.sig", "does not exist"],
        sign_with(&m, Path::new(P256), &sig, &[]),
    );
    fs::remove_file(m.join("link")).unwrap();
    // A file where a directory should be.
    put(&t.path().join("file"), "f");
    let under_file = t.path().join("file/m.sig");
    assert_sign_fails(
        &under_file,
        &["file/m.sig", "cannot write the signature"],
        sign_with(&m, Path::new(P256), &under_file, &[]),
    );
    assert_eq!(fs::read_to_string(t.path().join("file")).unwrap(), "f");
}

#[test]
fn signature_path_that_is_a_directory() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let dir = t.path().join("sigdir");
    fs::create_dir(&dir).unwrap();
    let r = run(&mut sign_with(&m, Path::new(P256), &dir, &[])());
    r.sign_failed(&["sigdir", "cannot write the signature", "is a directory"]);
    assert!(dir.is_dir());
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    assert_eq!(temp_files(t.path()), Vec::<String>::new());
    // The model directory itself: not "the model is empty".
    let before = snapshot(t.path());
    let r = run(&mut sign_with(&m, Path::new(P256), &m, &[])());
    let msg = r.sign_failed(&["cannot write the signature", "is a directory"]);
    assert!(!msg.contains("no files"), "{msg}");
    assert_eq!(snapshot(t.path()), before);
}
