//! `oms_conformance`, the adapter of the OpenSSF model signing conformance suite, run as
//! the suite's harness runs it: `sign-model` / `verify-model` with `--method`, absolute
//! `--model-path`, `--output-bundle` / `--bundle`, the key material flags and absolute
//! `--ignore-paths`, judged by the exit status alone (0 success, non-zero failure; 2 for
//! a command line the protocol does not allow). The cases follow the suite's: round
//! trips for every method, the model-transparency signatures of past releases, and
//! bundles or models changed after signing, which must fail.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::keyless::{token, Mock, IDENTITY as MOCK_IDENTITY, ISSUER as MOCK_ISSUER};
use common::*;
use serde_json::Value;

/// The identity and issuer of the model-transparency Sigstore vectors.
const IDENTITY: &str = "stefanb@us.ibm.com";
const ISSUER: &str = "https://sigstore.verify.ibm.com/oauth2";

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 test path")
}

/// The suite's `models/simple`: two files to sign and `ignore-me`, which every case
/// passes with `--ignore-paths`.
fn simple_model(root: &Path) -> PathBuf {
    model(
        root,
        &[
            ("signme-1", "signme-1"),
            ("signme-2", "signme-2"),
            ("ignore-me", ""),
        ],
    )
}

/// `--ignore-paths <model>/ignore-me`, absolute as the harness passes it.
fn ignore_me(model: &Path) -> [String; 2] {
    ["--ignore-paths".into(), s(&model.join("ignore-me")).into()]
}

fn sign_model(method: &str, model: &Path, bundle: &Path, extra: &[&str]) -> Run {
    run(oms()
        .args(["sign-model", "--method", method, "--model-path", s(model)])
        .args(["--output-bundle", s(bundle)])
        .args(extra))
}

fn verify_model(method: &str, model: &Path, bundle: &Path, extra: &[&str]) -> Run {
    run(oms()
        .args(["verify-model", "--method", method, "--model-path", s(model)])
        .args(["--bundle", s(bundle)])
        .args(extra))
}

/// Asserts a refusal of the command line itself: exit 2, the reason on stderr.
#[track_caller]
fn usage_error(out: &Run, needle: &str) {
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(out.stderr.contains(needle), "{needle:?} not in {out:#?}");
}

fn with(args: &[String], more: &[&str]) -> Vec<String> {
    args.iter()
        .cloned()
        .chain(more.iter().map(|m| m.to_string()))
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn key_round_trip_on_every_curve_is_deterministic_in_its_manifest() {
    let tmp = tmp();
    let model = simple_model(&tmp.path().join("model"));
    let ignore = ignore_me(&model);
    for (private, public) in [(P256, P256_PUB), (CERT_KEY, CERT_KEY_PUB), (P521, P521_PUB)] {
        let bundle = tmp.path().join("bundle.sig");
        let args = with(&ignore, &["--private-key", private]);
        sign_model("key", &model, &bundle, &strs(&args)).signed();
        assert_eq!(resources(&bundle), ["signme-1", "signme-2"]);
        let args = with(&ignore, &["--public-key", public]);
        verify_model("key", &model, &bundle, &strs(&args)).verified();

        // The suite's key-simple-deterministic: a second signature lists the same
        // resources and digests.
        let again = tmp.path().join("bundle2.sig");
        let args = with(&ignore, &["--private-key", private]);
        sign_model("key", &model, &again, &strs(&args)).signed();
        assert_eq!(
            payload(&bundle)["predicate"]["resources"],
            payload(&again)["predicate"]["resources"]
        );
    }
}

#[test]
fn key_verification_fails_for_changed_models_and_other_keys() {
    let tmp = tmp();
    let model = simple_model(&tmp.path().join("model"));
    let ignore = ignore_me(&model);
    let bundle = tmp.path().join("bundle.sig");
    sign_model(
        "key",
        &model,
        &bundle,
        &strs(&with(&ignore, &["--private-key", CERT_KEY])),
    )
    .signed();
    let key = with(&ignore, &["--public-key", CERT_KEY_PUB]);
    let verify = |extra: &[&str]| {
        let args = with(&key, extra);
        verify_model("key", &model, &bundle, &strs(&args))
    };

    fs::write(model.join("signme-1"), "tampered").unwrap();
    verify(&[]).verify_failed(&["signme-1"]);
    fs::write(model.join("signme-1"), "signme-1").unwrap();
    verify(&[]).verified();

    fs::rename(model.join("signme-2"), tmp.path().join("kept")).unwrap();
    verify(&[]).verify_failed(&["signme-2"]);
    fs::rename(tmp.path().join("kept"), model.join("signme-2")).unwrap();

    // key-simple-extra-file / key-ignore-unsigned.
    fs::write(model.join("injected.bin"), "injected after signing\n").unwrap();
    verify(&[]).verify_failed(&["injected.bin"]);
    verify(&["--ignore-unsigned-files"]).verified();
    fs::remove_file(model.join("injected.bin")).unwrap();

    let other = with(&ignore, &["--public-key", P256_PUB]);
    verify_model("key", &model, &bundle, &strs(&other)).verify_failed(&[]);
    // A key bundle checked as another method fails (key-verify-as-certificate).
    let as_cert = with(&ignore, &["--cert-chain", ROOT_CERT]);
    verify_model("certificate", &model, &bundle, &strs(&as_cert)).verify_failed(&[]);
    let as_sigstore = with(
        &ignore,
        &["--identity", IDENTITY, "--identity-provider", ISSUER],
    );
    verify_model("sigstore", &model, &bundle, &strs(&as_sigstore)).verify_failed(&[]);
}

#[test]
fn certificate_round_trip_with_the_chain_given_leaf_to_root() {
    let tmp = tmp();
    let model = simple_model(&tmp.path().join("model"));
    let ignore = ignore_me(&model);
    let bundle = tmp.path().join("bundle.sig");
    // The suite's certificate-simple passes the intermediate and the root.
    let sign = with(
        &ignore,
        &[
            "--private-key",
            CERT_KEY,
            "--signing-cert",
            LEAF_CERT,
            "--cert-chain",
            INT_CERT,
            "--cert-chain",
            ROOT_CERT,
        ],
    );
    sign_model("certificate", &model, &bundle, &strs(&sign)).signed();
    assert_eq!(resources(&bundle), ["signme-1", "signme-2"]);
    let trust = with(&ignore, &["--cert-chain", ROOT_CERT]);
    verify_model("certificate", &model, &bundle, &strs(&trust)).verified();

    // Another root (certificate-simple-wrong-ca), or the key alone, is not enough.
    let pki_root = vectors().join("pki/root.pem");
    let wrong = with(&ignore, &["--cert-chain", s(&pki_root)]);
    verify_model("certificate", &model, &bundle, &strs(&wrong)).verify_failed(&[]);
    let as_key = with(&ignore, &["--public-key", CERT_KEY_PUB]);
    verify_model("key", &model, &bundle, &strs(&as_key)).verify_failed(&[]);
    // The trust anchors are required: no silent fallback to the system's CAs.
    let out = verify_model("certificate", &model, &bundle, &strs(&ignore));
    usage_error(&out, "--cert-chain");

    fs::write(model.join("signme-2"), "tampered").unwrap();
    verify_model("certificate", &model, &bundle, &strs(&trust)).verify_failed(&["signme-2"]);
}

#[test]
fn self_signed_certificate_round_trip() {
    let tmp = tmp();
    let dir = tmp.path();
    fs::write(
        dir.join("req.cnf"),
        "[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = ext\n\
         [dn]\nCN = oms-conformance-self-signed\n\
         [ext]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = codeSigning\nsubjectKeyIdentifier = hash\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "30",
            "-config",
            "req.cnf",
        ],
    );
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let model = simple_model(&dir.join("model"));
    let ignore = ignore_me(&model);
    let bundle = dir.join("bundle.sig");
    // As the suite's certificate-self-signed: the certificate is its own chain.
    let sign = with(
        &ignore,
        &[
            "--private-key",
            s(&key),
            "--signing-cert",
            s(&cert),
            "--cert-chain",
            s(&cert),
        ],
    );
    sign_model("certificate", &model, &bundle, &strs(&sign)).signed();
    let trust = with(&ignore, &["--cert-chain", s(&cert)]);
    verify_model("certificate", &model, &bundle, &strs(&trust)).verified();
}

/// A model layout of the suite: its name, its files and contents, and the resource
/// names a signature must list.
type Layout<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn layouts_of_the_suite_sign_with_the_expected_resources() {
    let tmp = tmp();
    let key = ["--private-key", CERT_KEY];
    let public = ["--public-key", CERT_KEY_PUB];
    let cases: &[Layout] = &[
        (
            "multi-file",
            &[
                ("weights.bin", "w"),
                ("config.json", "{}"),
                ("subdir/adapter.bin", "a"),
            ],
            &["config.json", "subdir/adapter.bin", "weights.bin"],
        ),
        (
            "default-ignores",
            &[
                ("model.bin", "m"),
                (".git/HEAD", "ref"),
                (".github/ci.yml", "on: push"),
                (".gitignore", "*.tmp"),
                (".gitattributes", "* text=auto"),
            ],
            &["model.bin"],
        ),
        (
            "dotfiles-and-hidden-dirs",
            &[
                ("model.bin", "m"),
                (".config", "c"),
                (".cache/weights.bin", "w"),
                ("empty.bin", ""),
            ],
            &[".cache/weights.bin", ".config", "empty.bin", "model.bin"],
        ),
        (
            "names",
            &[
                ("模型.bin", "u"),
                ("file (copy).bin", "p"),
                ("path with spaces/model.bin", "s"),
            ],
            &["file (copy).bin", "path with spaces/model.bin", "模型.bin"],
        ),
    ];
    for (name, files, expected) in cases {
        let model = model(&tmp.path().join(name), files);
        let bundle = tmp.path().join(format!("{name}.sig"));
        sign_model("key", &model, &bundle, &key).signed();
        assert_eq!(resources(&bundle), *expected, "{name}");
        verify_model("key", &model, &bundle, &public).verified();
    }

    // key-sig-inside-model: the bundle written into the model is not part of it.
    let model = simple_model(&tmp.path().join("inside"));
    let bundle = model.join("bundle.sig");
    let ignore = ignore_me(&model);
    sign_model("key", &model, &bundle, &strs(&with(&ignore, &key))).signed();
    assert_eq!(resources(&bundle), ["signme-1", "signme-2"]);
    verify_model("key", &model, &bundle, &strs(&with(&ignore, &public))).verified();
}

#[test]
fn models_the_specification_refuses_are_not_signed() {
    let tmp = tmp();
    let key = ["--private-key", CERT_KEY];
    // key-empty-model-rejected: nothing left after the default exclusions.
    let empty = model(&tmp.path().join("empty"), &[(".gitignore", "*.tmp")]);
    let bundle = tmp.path().join("empty.sig");
    sign_model("key", &empty, &bundle, &key).sign_failed(&[]);
    assert!(!bundle.exists());

    // key-symlink-default-rejected, key-symlink-outside-root, key-symlink-cycle.
    let links: [(&str, PathBuf); 3] = [
        ("link-inside", PathBuf::from("signme-1")),
        ("link-outside", PathBuf::from("/tmp/nonexistent-target")),
        ("loop", PathBuf::from(".")),
    ];
    for (name, target) in links {
        let model = simple_model(&tmp.path().join(name));
        symlink(&target, &model.join(name));
        let bundle = tmp.path().join(format!("{name}.sig"));
        sign_model("key", &model, &bundle, &key).sign_failed(&[name]);
        assert!(!bundle.exists(), "{name}");
    }
}

/// A model-transparency vector folder.
fn vector(name: &str) -> PathBuf {
    vectors().join("model-transparency").join(name)
}

#[test]
fn signatures_of_past_releases_verify() {
    let v = |n: &str| vector(&format!("scripts/tests/{n}"));
    let g = |n: &str| vector(&format!("generated-v1.1.1/{n}"));
    let root = ["--cert-chain", ROOT_CERT];
    let p384 = ["--public-key", CERT_KEY_PUB];
    // (model, bundle, method, material)
    let cases: Vec<(PathBuf, PathBuf, &str, &[&str])> = vec![
        (
            v("v0.2.0-certificate"),
            v("v0.2.0-certificate/model.sig"),
            "certificate",
            &root,
        ),
        (
            v("v0.3.1-certificate"),
            v("v0.3.1-certificate/model.sig"),
            "certificate",
            &root,
        ),
        (
            v("v1.0.0-certificate"),
            v("v1.0.0-certificate/model.sig"),
            "certificate",
            &root,
        ),
        (
            v("v1.0.1-certificate"),
            v("v1.0.1-certificate/model.sig"),
            "certificate",
            &root,
        ),
        (
            v("v1.1.0-certificate"),
            v("v1.1.0-certificate/model.sig"),
            "certificate",
            &root,
        ),
        (
            v("v0.3.1-elliptic-key/signme-1"),
            v("v0.3.1-elliptic-key/model.sig"),
            "key",
            &p384,
        ),
        (
            v("v1.0.0-elliptic-key/signme-1"),
            v("v1.0.0-elliptic-key/model.sig"),
            "key",
            &p384,
        ),
        (
            v("v1.0.1-elliptic-key"),
            v("v1.0.1-elliptic-key/model.sig"),
            "key",
            &p384,
        ),
        (
            v("v1.1.0-elliptic-key"),
            v("v1.1.0-elliptic-key/model.sig"),
            "key",
            &p384,
        ),
        (
            g("key-p384-files-sha256"),
            g("key-p384-files-sha256/model.sig"),
            "key",
            &p384,
        ),
        (
            g("key-p256-files-sha256"),
            g("key-p256-files-sha256/model.sig"),
            "key",
            &["--public-key", P256_PUB],
        ),
        (
            g("key-p521-files-sha256"),
            g("key-p521-files-sha256/model.sig"),
            "key",
            &["--public-key", P521_PUB],
        ),
        (
            g("cert-p384-files-sha256"),
            g("cert-p384-files-sha256/model.sig"),
            "certificate",
            &root,
        ),
        (
            g("key-p384-files-blake2"),
            g("key-p384-files-blake2/model.sig"),
            "key",
            &p384,
        ),
        (
            g("key-p384-files-blake3"),
            g("key-p384-files-blake3/model.sig"),
            "key",
            &p384,
        ),
        (
            g("key-p384-shards-100"),
            g("key-p384-shards-100/model.sig"),
            "key",
            &p384,
        ),
        (
            g("key-p384-shards-64-blake2"),
            g("key-p384-shards-64-blake2/model.sig"),
            "key",
            &p384,
        ),
        (
            g("key-p384-singlefile/model.bin"),
            g("key-p384-singlefile/model.sig"),
            "key",
            &p384,
        ),
    ];
    for (model, bundle, method, material) in &cases {
        // The harness passes the case's ignore list, absolute, whether or not the file
        // exists (v1.0.1 records none, so `ignore-me` must be ignored here).
        let dir = if model.is_dir() {
            model.clone()
        } else {
            model.parent().unwrap().to_path_buf()
        };
        let args = with(&ignore_me(&dir), material);
        let out = verify_model(method, model, bundle, &strs(&args));
        assert!(out.success(), "{}: {}", model.display(), out.text());
    }
    // Without the ignore list, v1.0.1's `ignore-me` is an unsigned file.
    let model = v("v1.0.1-certificate");
    verify_model("certificate", &model, &model.join("model.sig"), &root)
        .verify_failed(&["ignore-me"]);
}

/// Copies a vector folder's files (not recursive: the vectors used here are flat).
fn copy_flat(from: &Path, to: &Path) -> PathBuf {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    to.to_path_buf()
}

#[test]
fn broken_bundles_fail_without_a_crash() {
    let tmp = tmp();
    let model = copy_flat(
        &vector("scripts/tests/v1.1.0-elliptic-key"),
        &tmp.path().join("model"),
    );
    let original = bundle(&model.join("model.sig"));
    let raw = fs::read(model.join("model.sig")).unwrap();
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut b = original.clone();
        edit(&mut b);
        serde_json::to_vec(&b).unwrap()
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("corrupted", b"{this is not JSON".to_vec()),
        ("truncated", raw[..100].to_vec()),
        (
            "wrong-mediatype",
            edited(&|b| b["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.1+json".into()),
        ),
        (
            "no-signature",
            edited(&|b| b["dsseEnvelope"]["signatures"] = Value::Array(vec![])),
        ),
        (
            "missing-envelope",
            edited(&|b| {
                b.as_object_mut().unwrap().remove("dsseEnvelope");
            }),
        ),
        (
            "wrong-predicate",
            edited(&|b| {
                edit_payload(b, |p| {
                    p["predicateType"] = "https://example.com/other".into()
                })
            }),
        ),
        (
            "no-subject",
            edited(&|b| edit_payload(b, |p| p["subject"] = Value::Array(vec![]))),
        ),
        (
            "wrong-payload-type",
            edited(&|b| b["dsseEnvelope"]["payloadType"] = "application/json".into()),
        ),
    ];
    let args = with(&ignore_me(&model), &["--public-key", CERT_KEY_PUB]);
    verify_model("key", &model, &model.join("model.sig"), &strs(&args)).verified();
    for (name, data) in cases {
        let bad = tmp.path().join(format!("{name}.sig"));
        fs::write(&bad, data).unwrap();
        let out = verify_model("key", &model, &bad, &strs(&args));
        assert_eq!(out.code, Some(1), "{name}: {out:#?}");
        assert!(!out.text().contains("panicked"), "{name}: {out:#?}");
    }
}

#[test]
fn sigstore_vector_verifies_offline_for_its_identity_only() {
    let tmp = tmp();
    let model = copy_flat(
        &vector("scripts/tests/v1.1.0-sigstore"),
        &tmp.path().join("model"),
    );
    let bundle = model.join("model.sig");
    let ignore = ignore_me(&model);
    let policy = |identity: &str, issuer: &str| {
        with(
            &ignore,
            &["--identity", identity, "--identity-provider", issuer],
        )
    };
    verify_model(
        "sigstore",
        &model,
        &bundle,
        &strs(&policy(IDENTITY, ISSUER)),
    )
    .verified();
    let wrong_identity = policy("someone@else.com", ISSUER);
    verify_model("sigstore", &model, &bundle, &strs(&wrong_identity)).verify_failed(&[]);
    let wrong_issuer = policy(IDENTITY, "https://accounts.google.com");
    verify_model("sigstore", &model, &bundle, &strs(&wrong_issuer)).verify_failed(&[]);
    // The Fulcio certificate checked as a key or a private CA fails
    // (sigstore-verify-as-key).
    let as_key = with(&ignore, &["--public-key", CERT_KEY_PUB]);
    verify_model("key", &model, &bundle, &strs(&as_key)).verify_failed(&[]);
    // No identity policy, no verification.
    let out = verify_model("sigstore", &model, &bundle, &strs(&ignore));
    usage_error(&out, "--identity");

    fs::write(model.join("signme-1"), "tampered").unwrap();
    verify_model(
        "sigstore",
        &model,
        &bundle,
        &strs(&policy(IDENTITY, ISSUER)),
    )
    .verify_failed(&["signme-1"]);
}

#[test]
fn sigstore_round_trip_against_a_local_sigstore() {
    let mock = Mock::start();
    let tmp = tmp();
    let model = simple_model(&tmp.path().join("model"));
    let ignore = ignore_me(&model);
    let trust = s(&mock.trust_config);
    let policy = |identity: &str| {
        with(
            &ignore,
            &[
                "--identity",
                identity,
                "--identity-provider",
                MOCK_ISSUER,
                "--trust-config",
                trust,
            ],
        )
    };

    // The harness passes the token with --identity-token.
    let bundle = tmp.path().join("bundle.sig");
    let token = token();
    let sign = with(
        &ignore,
        &["--identity-token", &token, "--trust-config", trust],
    );
    let out = sign_model("sigstore", &model, &bundle, &strs(&sign));
    out.signed();
    assert!(!out.text().contains(&token), "the token was printed");
    assert_eq!(resources(&bundle), ["signme-1", "signme-2"]);
    verify_model("sigstore", &model, &bundle, &strs(&policy(MOCK_IDENTITY))).verified();
    verify_model(
        "sigstore",
        &model,
        &bundle,
        &strs(&policy("someone@else.com")),
    )
    .verify_failed(&[]);

    // Without it, the environment's token (never an interactive flow).
    let from_env = tmp.path().join("env.sig");
    let sign = with(&ignore, &["--trust-config", trust]);
    run(oms()
        .args([
            "sign-model",
            "--method",
            "sigstore",
            "--model-path",
            s(&model),
        ])
        .args(["--output-bundle", s(&from_env)])
        .args(strs(&sign))
        .env("SIGSTORE_ID_TOKEN", &token))
    .signed();
    verify_model("sigstore", &model, &from_env, &strs(&policy(MOCK_IDENTITY))).verified();
    let none = tmp.path().join("none.sig");
    sign_model("sigstore", &model, &none, &strs(&sign)).sign_failed(&["SIGSTORE_ID_TOKEN"]);
    assert!(!none.exists());
}

#[test]
fn command_lines_outside_the_protocol_exit_2() {
    let tmp = tmp();
    let model = simple_model(&tmp.path().join("model"));
    let bundle = tmp.path().join("bundle.sig");
    usage_error(&sign_model("key", &model, &bundle, &[]), "--private-key");
    usage_error(
        &sign_model("certificate", &model, &bundle, &["--private-key", CERT_KEY]),
        "--signing-cert",
    );
    usage_error(&sign_model("ecdsa", &model, &bundle, &[]), "ecdsa");
    usage_error(&verify_model("key", &model, &bundle, &[]), "--public-key");
    usage_error(&run(oms().arg("sign-bundle")), "sign-bundle");
    usage_error(
        &run(oms().args(["sign-model", "--method", "key", "--model-path", s(&model)])),
        "--output-bundle",
    );
    assert!(!bundle.exists());
}

#[test]
fn benchmark_harness_calls_are_accepted() {
    let tmp = tmp();
    let model = simple_model(&tmp.path().join("model"));
    let bundle = tmp.path().join("bundle.sig");

    let caps = run(oms().arg("capabilities"));
    assert!(caps.success(), "{caps:#?}");
    let caps: Value = serde_json::from_str(&caps.stdout).expect("capabilities JSON");
    assert_eq!(caps["benchmark_model"], true);
    assert!(caps["flags"]
        .as_array()
        .unwrap()
        .contains(&"--hash-algorithm".into()));

    // Its subprocess mode: the swept flags on sign-model, and every method's material
    // on every call (an empty --public-key for certificates, --signing-cert on verify).
    sign_model(
        "certificate",
        &model,
        &bundle,
        &[
            "--private-key",
            CERT_KEY,
            "--signing-cert",
            LEAF_CERT,
            "--cert-chain",
            INT_CERT,
            "--hash-algorithm",
            "blake2b",
            "--shard-size",
            "4",
            "--max-workers",
            "1",
        ],
    )
    .signed();
    let serialization = &payload(&bundle)["predicate"]["serialization"];
    assert_eq!(serialization["method"], "shards");
    assert_eq!(serialization["hash_type"], "blake2b");
    let out = verify_model(
        "certificate",
        &model,
        &bundle,
        &[
            "--public-key",
            "",
            "--signing-cert",
            LEAF_CERT,
            "--cert-chain",
            ROOT_CERT,
            "--hash-algorithm",
            "blake2b",
            "--shard-size",
            "4",
        ],
    );
    out.verified();
    assert!(
        out.stderr.contains("--signing-cert is not used"),
        "{out:#?}"
    );

    // Its in-process mode: one JSON line of `repeat` times.
    let key_bundle = tmp.path().join("key.sig");
    for (operation, extra) in [
        (
            "sign",
            vec!["--private-key", CERT_KEY, "--output-bundle", s(&key_bundle)],
        ),
        (
            "verify",
            vec!["--public-key", CERT_KEY_PUB, "--bundle", s(&key_bundle)],
        ),
        ("hash", vec!["--hash-algorithm", "blake3"]),
    ] {
        let out = run(oms()
            .args([
                "benchmark-model",
                "--operation",
                operation,
                "--method",
                "key",
            ])
            .args(["--model-path", s(&model), "--repeat", "3"])
            .args(extra));
        assert!(out.success(), "{operation}: {out:#?}");
        let times: Value = serde_json::from_str(&out.stdout).expect("benchmark JSON");
        assert_eq!(times["times_ms"].as_array().unwrap().len(), 3, "{out:#?}");
    }
    let out = run(oms()
        .args([
            "benchmark-model",
            "--operation",
            "verify",
            "--method",
            "key",
        ])
        .args(["--model-path", s(&model), "--public-key", P256_PUB])
        .args(["--bundle", s(&key_bundle)]));
    assert_eq!(out.code, Some(1), "{out:#?}");
    let error: Value = serde_json::from_str(&out.stdout).expect("error JSON");
    assert!(error["error"].is_string(), "{out:#?}");
}
