//! Incremental re-signing (`sign … --previous-signature OLD.sig` with `--changed`,
//! `--deleted` or `--changed-since`): only what changed is hashed, the payload is byte
//! for byte the one signing from scratch gives (and verifies, here and with the Python
//! reference), and every way a stale digest could be signed is refused, naming the file,
//! with nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::keyless::{jwt, now, token, Mock, ISSUER};
use common::*;
use model_signing_core::encoding::b64decode;

/// The signed statement's exact bytes.
fn payload_bytes(signature: &Path) -> Vec<u8> {
    b64decode(
        bundle(signature)["dsseEnvelope"]["payload"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

/// A model with a few files, one of them large enough for several small shards.
fn model_dir(root: &Path) -> PathBuf {
    let model = model(
        root,
        &[
            ("README.md", "v1\n"),
            ("config.json", "{\"layers\": 2}"),
            ("sub/tokenizer.json", "{}"),
            ("old.txt", "to be deleted"),
        ],
    );
    put(&model.join("weights.bin"), vec![7u8; 10_000]);
    model
}

/// "hashed=N reused=M" from the run's log line.
fn counts(out: &Run) -> (usize, usize) {
    let field = |name: &str| {
        let at = out
            .stderr
            .find(&format!("{name}="))
            .unwrap_or_else(|| panic!("no {name}= in {}", out.stderr));
        out.stderr[at + name.len() + 1..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (field("hashed"), field("reused"))
}

/// Signs from scratch, edits (one file changed, one added, one deleted), re-signs
/// incrementally and from scratch with `hashing`, and compares.
fn edit_and_resign(hashing: &[&str]) {
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    let (v1, v2, scratch) = (
        tmp.path().join("v1.sig"),
        tmp.path().join("v2.sig"),
        tmp.path().join("scratch.sig"),
    );
    sign_key(&model, &v1, hashing).signed();
    put(&model.join("README.md"), "v2, a longer readme\n");
    put(&model.join("sub/new.txt"), "added");
    std::fs::remove_file(model.join("old.txt")).unwrap();
    let readme = model.join("README.md");
    let added = model.join("sub/new.txt");
    let old = model.join("old.txt");
    let mut args = vec!["--previous-signature", v1.to_str().unwrap()];
    args.extend([
        "--changed",
        readme.to_str().unwrap(),
        added.to_str().unwrap(),
    ]);
    args.extend(["--deleted", old.to_str().unwrap()]);
    args.extend(hashing);
    let out = sign_key(&model, &v2, &args);
    out.signed();
    assert_eq!(counts(&out), (2, 3), "{hashing:?}: {}", out.stderr);
    sign_key(&model, &scratch, hashing).signed();
    assert_eq!(payload_bytes(&v2), payload_bytes(&scratch), "{hashing:?}");
    verify_key(&model, &v2, &[]).verified();
}

#[test]
fn re_signing_after_an_edit_gives_the_payload_of_signing_from_scratch() {
    edit_and_resign(&[]);
    edit_and_resign(&["--hash-algorithm", "blake2"]);
    edit_and_resign(&["--hash-algorithm", "blake3"]);
    // Small shards: the weights have several, the changed README one.
    edit_and_resign(&["--serialization", "shards", "--shard-size", "4096"]);
}

#[test]
fn the_previous_hashing_options_are_kept_and_verified_by_the_reference() {
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    let v1 = tmp.path().join("v1.sig");
    let v2 = tmp.path().join("model.sig");
    sign_key(
        &model,
        &v1,
        &["--serialization", "shards", "--shard-size", "4096"],
    )
    .signed();
    put(&model.join("config.json"), "{\"layers\": 3}");
    let config = model.join("config.json");
    // No hashing flags: the previous signature's (shards of 4096 bytes) are used.
    sign_key(
        &model,
        &v2,
        &[
            "--previous-signature",
            v1.to_str().unwrap(),
            "--changed",
            config.to_str().unwrap(),
        ],
    )
    .signed();
    assert!(
        resources(&v2).iter().any(|r| r == "weights.bin:8192:10000"),
        "{:?}",
        resources(&v2)
    );
    // Given flags must be the previous signature's.
    assert_sign_fails(
        &tmp.path().join("other.sig"),
        &[
            "the previous signature cannot be reused",
            "serialization method shards, not files",
        ],
        sign_with(
            &model,
            Path::new(P256),
            &tmp.path().join("other.sig"),
            &[
                "--previous-signature",
                v1.to_str().unwrap(),
                "--serialization",
                "files",
            ],
        ),
    );

    // Files + SHA-256, the reference's default: its verifier accepts the result.
    let v3 = tmp.path().join("v3.sig");
    let v4 = tmp.path().join("v4.sig");
    sign_key(&model, &v3, &[]).signed();
    put(&model.join("README.md"), "v3\n");
    let readme = model.join("README.md");
    sign_key(
        &model,
        &v4,
        &[
            "--previous-signature",
            v3.to_str().unwrap(),
            "--changed",
            readme.to_str().unwrap(),
        ],
    )
    .signed();
    let out = run(reference("model_signing").current_dir(tmp.path()).args([
        "verify",
        "key",
        "model",
        "--signature",
        "v4.sig",
        "--public_key",
        P256_PUB,
    ]));
    assert!(
        out.success() && out.text().contains("Verification succeeded"),
        "{}",
        out.text()
    );
}

#[test]
fn a_forgotten_change_is_never_signed_with_a_stale_digest() {
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    let (files, shards) = (tmp.path().join("files.sig"), tmp.path().join("shards.sig"));
    sign_key(&model, &files, &[]).signed();
    sign_key(
        &model,
        &shards,
        &["--serialization", "shards", "--shard-size", "4096"],
    )
    .signed();
    let new = tmp.path().join("new.sig");
    let resign = |previous: &Path, extra: &[&str]| {
        let mut args = vec![
            "--previous-signature".to_string(),
            previous.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sign_with(&model, Path::new(P256), &new, &args)
    };

    // A file modified after the previous signature, not listed.
    std::thread::sleep(std::time::Duration::from_millis(20));
    put(&model.join("README.md"), "edited\n");
    assert_sign_fails(
        &new,
        &[
            "'README.md' was modified after the previous signature",
            "--changed",
        ],
        resign(&files, &[]),
    );
    // For shards, a length that differs from the signed one is named first.
    put(&model.join("weights.bin"), vec![7u8; 10_001]);
    let readme = model.join("README.md");
    assert_sign_fails(
        &new,
        &["'weights.bin' is 10001 bytes long but the previous signature covers 10000"],
        resign(&shards, &["--changed", readme.to_str().unwrap()]),
    );
    // A signed file that is gone, not listed as deleted.
    std::fs::remove_file(model.join("weights.bin")).unwrap();
    assert_sign_fails(
        &new,
        &[
            "'weights.bin' is covered by the previous signature but is no longer in the model",
            "--deleted",
        ],
        resign(&files, &["--changed", readme.to_str().unwrap()]),
    );
    // Lists that contradict the model.
    let config = model.join("config.json");
    let missing = model.join("missing.txt");
    assert_sign_fails(
        &new,
        &["'config.json' is listed as deleted but is still in the model"],
        resign(&files, &["--deleted", config.to_str().unwrap()]),
    );
    assert_sign_fails(
        &new,
        &["'missing.txt' is listed as deleted but the previous signature does not cover it"],
        resign(&files, &["--deleted", missing.to_str().unwrap()]),
    );
    assert_sign_fails(
        &new,
        &["'missing.txt' is listed as changed but is not a file of the model"],
        resign(&files, &["--changed", missing.to_str().unwrap()]),
    );
    assert_sign_fails(
        &new,
        &["--changed '/' is not inside the model"],
        resign(&files, &["--changed", "/"]),
    );
}

#[test]
fn the_previous_signature_must_verify_with_the_signing_key() {
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    let v1 = tmp.path().join("v1.sig");
    sign_key(&model, &v1, &[]).signed();
    let new = tmp.path().join("new.sig");
    let previous = ["--previous-signature", v1.to_str().unwrap()];
    // Another key.
    assert_sign_fails(
        &new,
        &[
            "the previous signature",
            "does not verify with the key or identity signing now",
            "key mismatch",
        ],
        sign_with(&model, Path::new(P521), &new, &previous),
    );
    // A tampered statement (another digest for a file).
    let mut json = bundle(&v1);
    edit_payload(&mut json, |p| {
        p["predicate"]["resources"][0]["digest"] = serde_json::json!("00".repeat(32));
    });
    std::fs::write(&v1, json.to_string()).unwrap();
    assert_sign_fails(
        &new,
        &["does not verify with the key or identity signing now"],
        sign_with(&model, Path::new(P256), &new, &previous),
    );
}

#[test]
fn a_certificate_signature_is_reused_by_a_signer_with_the_same_key() {
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    let v1 = tmp.path().join("v1.sig");
    sign_cert(&model, &v1, &[]).signed();
    put(&model.join("README.md"), "v2\n");
    let readme = model.join("README.md");
    let v2 = tmp.path().join("v2.sig");
    sign_cert(
        &model,
        &v2,
        &[
            "--previous-signature",
            v1.to_str().unwrap(),
            "--changed",
            readme.to_str().unwrap(),
        ],
    )
    .signed();
    verify_cert(&model, &v2, &[ROOT_CERT], &[]).verified();
    // The same key without its certificate may re-sign it too.
    let v3 = tmp.path().join("v3.sig");
    sign_key_with(
        &model,
        Path::new(CERT_KEY),
        &v3,
        &["--previous-signature", v2.to_str().unwrap()],
    )
    .signed();
}

fn git(dir: &Path, args: &[&str]) {
    check(
        Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args),
    );
}

#[test]
fn git_says_what_changed_since_a_revision() {
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    git(&model, &["init", "-q", "."]);
    put(&model.join("untracked-at-signing.txt"), "not in git");
    git(
        &model,
        &[
            "add",
            "README.md",
            "config.json",
            "sub",
            "old.txt",
            "weights.bin",
        ],
    );
    git(&model, &["commit", "-q", "-m", "v1"]);
    git(&model, &["tag", "v1"]);
    let v1 = tmp.path().join("v1.sig");
    sign_key(&model, &v1, &[]).signed();

    // A committed edit, an unstaged one, a deletion and a new untracked file.
    put(&model.join("README.md"), "v2\n");
    git(&model, &["commit", "-q", "-am", "v2"]);
    put(&model.join("config.json"), "{\"layers\": 4}");
    git(&model, &["rm", "-q", "old.txt"]);
    put(&model.join("sub/new.txt"), "new");
    let v2 = tmp.path().join("v2.sig");
    let out = sign_key(
        &model,
        &v2,
        &[
            "--previous-signature",
            v1.to_str().unwrap(),
            "--changed-since",
            "v1",
        ],
    );
    out.signed();
    // README, config, the new file and the file git does not track are hashed.
    assert_eq!(counts(&out), (4, 2), "{}", out.stderr);
    let scratch = tmp.path().join("scratch.sig");
    sign_key(&model, &scratch, &[]).signed();
    assert_eq!(payload_bytes(&v2), payload_bytes(&scratch));

    let new = tmp.path().join("new.sig");
    assert_sign_fails(
        &new,
        &[
            "cannot ask git what changed",
            "'no-such-tag'",
            "not a commit",
        ],
        sign_with(
            &model,
            Path::new(P256),
            &new,
            &[
                "--previous-signature",
                v1.to_str().unwrap(),
                "--changed-since",
                "no-such-tag",
            ],
        ),
    );
}

#[test]
fn a_sigstore_signature_is_reused_by_the_same_identity_only() {
    let mock = Mock::start();
    let tmp = tmp();
    let model = model_dir(&tmp.path().join("model"));
    let sign = |sig: &str, token: &str, extra: &[&str]| {
        run(ms()
            .current_dir(tmp.path())
            .args(["sign", "sigstore", "model", "--trust-config"])
            .arg(&mock.trust_config)
            .args(["--signature", sig, "--identity-token", token])
            .args(extra))
    };
    sign("v1.sig", &token(), &[]).signed();
    put(&model.join("README.md"), "v2\n");
    let readme = model.join("README.md");
    let incremental = [
        "--previous-signature",
        "v1.sig",
        "--changed",
        readme.to_str().unwrap(),
    ];
    let out = sign("v2.sig", &token(), &incremental);
    out.signed();
    assert_eq!(counts(&out), (1, 4), "{}", out.stderr);

    let t = now();
    let someone_else = jwt(
        &serde_json::json!({"iss": ISSUER, "sub": "other@example.com",
        "email": "other@example.com", "email_verified": true, "aud": "sigstore",
        "iat": t, "nbf": t, "exp": t + 600}),
    );
    sign("v3.sig", &someone_else, &incremental).sign_failed_cleanly(
        &tmp.path().join("v3.sig"),
        &[
            "the new certificate's identity is not the previous signature's",
            "other@example.com",
        ],
    );
}
