//! `model_signing verify sigstore` on the model-transparency vectors, offline, and the
//! `sigstore_conformance` client on every Sigstore vector bundle (exit status only; the
//! core's unit tests assert the error variant of each failure).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const IDENTITY: &str = "stefanb@us.ibm.com";
const ISSUER: &str = "https://sigstore.verify.ibm.com/oauth2";

fn model_dir(version: &str) -> PathBuf {
    vectors().join(format!(
        "model-transparency/scripts/tests/{version}-sigstore"
    ))
}

fn model_signing(args: &[&str], cwd: &Path) -> Run {
    run(ms().args(args).current_dir(cwd))
}

/// Runs `verify sigstore` from inside the vector folder, as INDEX.md does.
fn verify_model(version: &str, extra: &[&str]) -> Run {
    verify_model_in(&model_dir(version), version, extra)
}

/// Runs `verify sigstore` on a copy of a vector folder in `dir`.
fn verify_model_in(dir: &Path, version: &str, extra: &[&str]) -> Run {
    let mut args = vec!["verify", "sigstore", "--signature", "model.sig"];
    if matches!(version, "v1.0.1" | "v1.1.0") {
        args.extend(["--ignore-paths", "ignore-me"]);
    }
    args.extend(extra);
    args.push(".");
    model_signing(&args, dir)
}

const VERSIONS: [&str; 4] = ["v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"];

#[test]
fn model_vectors_verify_offline() {
    for v in VERSIONS {
        let out = verify_model(v, &["--identity", IDENTITY, "--identity_provider", ISSUER]);
        assert!(out.success(), "{v}: {}", out.text());
        assert_eq!(out.stdout, "Verification succeeded\n");
    }
}

#[test]
fn model_vectors_fail_for_another_identity_or_issuer() {
    for v in VERSIONS {
        let out = verify_model(
            v,
            &[
                "--identity",
                "someone@else.com",
                "--identity-provider",
                ISSUER,
            ],
        );
        assert_eq!(out.code, Some(1), "{v}");
        assert!(
            out.text().contains("does not match 'someone@else.com'"),
            "{v}: {}",
            out.text()
        );
        let out = verify_model(
            v,
            &[
                "--identity",
                IDENTITY,
                "--identity-provider",
                "https://accounts.google.com",
            ],
        );
        assert_eq!(out.code, Some(1), "{v}");
        assert!(out.text().contains("OIDC issuer"), "{v}: {}", out.text());
        // The staging root does not know the production log.
        let out = verify_model(
            v,
            &[
                "--identity",
                IDENTITY,
                "--identity-provider",
                ISSUER,
                "--use-staging",
            ],
        );
        assert_eq!(out.code, Some(1), "{v}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn model_vectors_fail_after_a_changed_byte() {
    let tmp = tempfile::tempdir().unwrap();
    for v in VERSIONS {
        let dir = tmp.path().join(v);
        copy_dir(&model_dir(v), &dir);
        let out = verify_model_in(
            &dir,
            v,
            &["--identity", IDENTITY, "--identity-provider", ISSUER],
        );
        assert!(out.success(), "{v}: {}", out.text());
        let mut data = fs::read(dir.join("signme-1")).unwrap();
        data[0] ^= 1;
        fs::write(dir.join("signme-1"), data).unwrap();
        let out = verify_model_in(
            &dir,
            v,
            &["--identity", IDENTITY, "--identity-provider", ISSUER],
        );
        assert_eq!(out.code, Some(1), "{v}");
        assert!(
            out.text().contains("Hash mismatch for 'signme-1'"),
            "{v}: {}",
            out.text()
        );
        // A changed byte of the signature itself.
        fs::copy(model_dir(v).join("signme-1"), dir.join("signme-1")).unwrap();
        let sig = fs::read_to_string(dir.join("model.sig")).unwrap();
        let changed = sig
            .replacen("\"payload\": \"ew", "\"payload\": \"eW", 1)
            .replacen("\"payload\":\"ew", "\"payload\":\"eW", 1);
        assert_ne!(sig, changed, "{v}");
        fs::write(dir.join("model.sig"), changed).unwrap();
        let out = verify_model_in(
            &dir,
            v,
            &["--identity", IDENTITY, "--identity-provider", ISSUER],
        );
        assert_eq!(out.code, Some(1), "{v}: {}", out.text());
    }
}

#[test]
fn ignore_me_is_needed_where_unsigned() {
    // v1.0.1 did not record its ignored paths; v1.1.0 did.
    let out = model_signing(
        &[
            "verify",
            "sigstore",
            "--identity",
            IDENTITY,
            "--identity-provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        &model_dir("v1.0.1"),
    );
    assert_eq!(out.code, Some(1));
    assert!(
        out.text().contains("Extra files found in model"),
        "{}",
        out.text()
    );
    // --ignore-unsigned-files tolerates it.
    let out = model_signing(
        &[
            "verify",
            "sigstore",
            "--identity",
            IDENTITY,
            "--identity-provider",
            ISSUER,
            "--ignore-unsigned-files",
            "--signature",
            "model.sig",
            ".",
        ],
        &model_dir("v1.0.1"),
    );
    assert!(out.success(), "{}", out.text());
}

#[test]
fn verify_defaults_to_sigstore_and_reference_spellings() {
    let dir = model_dir("v1.0.0");
    let trust = vectors().join("sigstore/trust/production.clienttrustconfig.json");
    let trust = trust.to_str().unwrap();
    // No method: sigstore, as in the reference. Underscore spellings.
    for args in [
        vec![
            "verify",
            "--identity",
            IDENTITY,
            "--identity_provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        vec![
            "--log-level",
            "DEBUG",
            "verify",
            "--signature",
            "model.sig",
            "--identity",
            IDENTITY,
            "--identity-provider",
            ISSUER,
            ".",
        ],
        vec![
            "verify",
            "sigstore",
            "--trust_config",
            trust,
            "--identity",
            IDENTITY,
            "--identity_provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        // The trust configuration wins over --use-staging.
        vec![
            "verify",
            "sigstore",
            "--use_staging",
            "--trust-config",
            trust,
            "--identity",
            IDENTITY,
            "--identity-provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        vec![
            "verify",
            "sigstore",
            "--identity-regex",
            "--identity",
            "stefanb@[a-z.]+",
            "--identity-provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
    ] {
        let out = model_signing(&args, &dir);
        assert!(out.success(), "{args:?}: {}", out.text());
    }
    // The regular expression must match the whole identity.
    let out = model_signing(
        &[
            "verify",
            "sigstore",
            "--identity-regex",
            "--identity",
            "stefanb",
            "--identity-provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        &dir,
    );
    assert_eq!(out.code, Some(1), "{}", out.text());
    // A staging trust configuration does not know the production log.
    let staging = vectors().join("sigstore/trust/staging.clienttrustconfig.json");
    let out = model_signing(
        &[
            "verify",
            "sigstore",
            "--trust-config",
            staging.to_str().unwrap(),
            "--identity",
            IDENTITY,
            "--identity-provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        &dir,
    );
    assert_eq!(out.code, Some(1));
    // `verify --help` still lists the methods; key bundles are refused by sigstore.
    let out = model_signing(&["verify", "--help"], &dir);
    assert!(out.success());
    assert!(out.text().contains("sigstore"));
    let key_dir = vectors().join("model-transparency/scripts/tests/v1.1.0-elliptic-key");
    let out = model_signing(
        &[
            "verify",
            "--identity",
            IDENTITY,
            "--identity-provider",
            ISSUER,
            "--signature",
            "model.sig",
            ".",
        ],
        &key_dir,
    );
    assert_eq!(out.code, Some(1));
    assert!(out.text().contains("use `verify key`"), "{}", out.text());
}

// The conformance client.

struct Case {
    bundle: &'static str,
    root: &'static str,
    identity: (&'static str, &'static str),
    artifact: &'static str,
    pass: bool,
}

const BRIAN: (&str, &str) = ("brian@dehamer.com", "https://github.com/login/oauth");
const WILLIAM: (&str, &str) = ("william@yossarian.net", "https://github.com/login/oauth");
const RELEASE: (&str, &str) = (
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
    "https://token.actions.githubusercontent.com",
);
const TSA_ID: (&str, &str) = (
    "alexis.challande@trailofbits.com",
    "https://accounts.google.com",
);

/// Every keyless vector bundle. DSSE bundles whose subject is not SHA-256 are left out
/// (the protocol's digests are SHA-256; the core table covers them).
fn cases() -> Vec<Case> {
    let c = |bundle, root, identity, artifact, pass| Case {
        bundle,
        root,
        identity,
        artifact,
        pass,
    };
    vec![
        c("sigstore-python/bundle_v3_github.whl.sigstore", "production",
          ("https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", "https://token.actions.githubusercontent.com"),
          "sigstore-python/bundle_v3_github.whl", true),
        c("sigstore-python/bundle.txt.sigstore", "staging", ("a@tny.town", "https://github.com/login/oauth"), "sigstore-python/bundle.txt", true),
        c("sigstore-python/bundle_v3.txt.sigstore", "staging", WILLIAM, "sigstore-python/bundle_v3.txt", true),
        c("sigstore-python/bundle_v3_alt.txt.sigstore", "staging", WILLIAM, "sigstore-python/bundle_v3_alt.txt", true),
        c("sigstore-python/staging-rekor-v2.txt.sigstore.json", "staging", ("jku@goto.fi", "https://github.com/login/oauth"), "sigstore-python/staging-rekor-v2.txt", true),
        c("sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json", "staging",
          ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main", "https://token.actions.githubusercontent.com"),
          "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", true),
        // The file next to it is not the in-toto subject.
        c("sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json", "staging",
          ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main", "https://token.actions.githubusercontent.com"),
          "sigstore-python/a.dsse.staging-rekor-v2.txt", false),
        c("sigstore-python/bundle_cve_2022_36056.txt.sigstore", "staging", WILLIAM, "sigstore-python/bundle_cve_2022_36056.txt", false),
        c("sigstore-python/bundle_v3_no_signed_time.txt.sigstore.json", "production", WILLIAM, "sigstore-python/bundle_v3_no_signed_time.txt", false),
        c("sigstore-python/bundle_no_cert_v1.txt.sigstore", "production", WILLIAM, "sigstore-python/bundle_no_cert_v1.txt", false),
        c("sigstore-python/bundle_invalid_version.txt.sigstore", "production", WILLIAM, "sigstore-python/bundle_invalid_version.txt", false),
        c("sigstore-python/bundle_no_log_entry.txt.sigstore", "production", ("alex.cameron@trailofbits.com", "https://accounts.google.com"), "sigstore-python/bundle_no_log_entry.txt", false),
        c("sigstore-python/integration/Python-3.12.5.tgz.sigstore", "production", ("thomas@python.org", "https://accounts.google.com"),
          "sha256:38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405", false),
        c("sigstore-python/tsa/bundle.txt.sigstore", "sigstore-python/tsa/staging-with-test-tsa.trusted_root.json", TSA_ID, "sigstore-python/tsa/bundle.txt", true),
        c("sigstore-python/tsa/bundle.duplicate.sigstore", "sigstore-python/tsa/staging-with-test-tsa.trusted_root.json", TSA_ID, "sigstore-python/tsa/bundle.txt", false),
        c("sigstore-python/tsa/bundle.many_timestamp.sigstore", "sigstore-python/tsa/staging-with-test-tsa.trusted_root.json", TSA_ID, "sigstore-python/tsa/bundle.txt", false),
        c("sigstore-python/tsa/bundle.txt.late_timestamp.sigstore", "staging",
          ("insecure-cloudtop-shared-user@cloudtop-prod-us-east.iam.gserviceaccount.com", "https://accounts.google.com"),
          "sigstore-python/tsa/bundle.txt", false),
        c("sigstore-js/prod-rekor2-hashedrekord-v002.sigstore.json", "production", BRIAN, "sigstore-js/hello-world.txt", false),
        c("sigstore-js/prod-rekor2-dsse-v002.sigstore.json", "production", BRIAN, "sigstore-js/hello-world.txt", false),
        c("sigstore-go/othername.sigstore.json", "sigstore-go/scaffolding.json", ("foo!oidc.local", "http://oidc.local:8080"),
          "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b", true),
        c("sigstore-go/dsse-2sigs.sigstore.json", "production", BRIAN, "sha256:0000000000000000000000000000000000000000000000000000000000000000", false),
        // The model bundles sign the model's manifest digest.
        c("../model-transparency/scripts/tests/v1.1.0-sigstore/model.sig", "production", (IDENTITY, ISSUER),
          "sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226", true),
        c("../model-transparency/scripts/tests/v0.3.1-sigstore/model.sig", "production", (IDENTITY, ISSUER),
          "sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226", true),
        c("sigstore-js/tests-bundles/bundleV03-dsse.sigstore", "production", RELEASE, "sigstore-js/hello-world.txt", false),
    ]
}

fn conformance(args: &[&str]) -> Run {
    run(Command::new(env!("CARGO_BIN_EXE_sigstore_conformance")).args(args))
}

#[test]
fn conformance_client_on_every_vector() {
    let base = vectors().join("sigstore");
    let path = |p: &str| base.join(p).to_str().unwrap().to_string();
    for case in cases() {
        let bundle = path(case.bundle);
        let artifact = if case.artifact.starts_with("sha256:") {
            case.artifact.to_string()
        } else {
            path(case.artifact)
        };
        let mut args = vec!["verify-bundle".to_string()];
        let mut root_args = Vec::new();
        match case.root {
            "production" => {}
            "staging" => args.push("--staging".into()),
            file => root_args = vec!["--trusted-root".to_string(), path(file)],
        }
        args.extend(["--bundle".into(), bundle]);
        args.extend([
            "--certificate-identity".into(),
            case.identity.0.into(),
            "--certificate-oidc-issuer".into(),
            case.identity.1.into(),
        ]);
        args.extend(root_args);
        args.push(artifact);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = conformance(&args);
        assert_eq!(
            out.code,
            Some(if case.pass { 0 } else { 1 }),
            "{}: {}",
            case.bundle,
            out.text()
        );
    }
}

#[test]
fn conformance_client_with_a_managed_key() {
    let dir = vectors().join("sigstore/managed-key");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let digest = "sha256:".to_string()
        + &model_signing::model_signing_core::encoding::hex(
            &model_signing::model_signing_core::keys::SignatureHash::Sha256
                .digest(&fs::read(dir.join("artifact.txt")).unwrap()),
        );
    for artifact in [p("artifact.txt"), digest] {
        let out = conformance(&[
            "verify-bundle",
            "--bundle",
            &p("bundle.sigstore.json"),
            "--key",
            &p("key.pub.pem"),
            "--trusted-root",
            &p("trusted_root.json"),
            &artifact,
        ]);
        assert!(out.success(), "{}", out.text());
    }
    // Without the test log's trusted root, the log is unknown.
    let out = conformance(&[
        "verify-bundle",
        "--bundle",
        &p("bundle.sigstore.json"),
        "--key",
        &p("key.pub.pem"),
        &p("artifact.txt"),
    ]);
    assert_eq!(out.code, Some(1));
    // Another key.
    let other = vectors().join("model-transparency/generated-v1.1.1/keys/p256-pub.pem");
    let out = conformance(&[
        "verify-bundle",
        "--bundle",
        &p("bundle.sigstore.json"),
        "--key",
        other.to_str().unwrap(),
        "--trusted-root",
        &p("trusted_root.json"),
        &p("artifact.txt"),
    ]);
    assert_eq!(out.code, Some(1));
}

#[test]
fn conformance_client_usage() {
    assert_eq!(conformance(&[]).code, Some(2));
    assert_eq!(conformance(&["sign-bundle"]).code, Some(2));
    assert_eq!(
        conformance(&["verify-bundle", "--bundle", "x"]).code,
        Some(2)
    );
    // A malformed digest.
    let out = conformance(&[
        "verify-bundle",
        "--bundle",
        "x",
        "--certificate-identity",
        "a",
        "--certificate-oidc-issuer",
        "b",
        "sha256:zz",
    ]);
    assert_eq!(out.code, Some(1));
}
