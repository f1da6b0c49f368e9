//! The timestamped vectors of `tests/vectors/timestamped/` (see its README): a key
//! signature and certificate signatures whose leaf expired seconds after it signed, with
//! RFC 3161 timestamps. Checked with our CLI (with and without the timestamp authority)
//! and with the Python reference 1.1.1, which must verify them while ignoring the
//! timestamps (docs/format.md §8.8).

use std::path::{Path, PathBuf};
use std::process::Command;

use model_signing_tests::{mt_vectors, reference_cli, run_ours, text, vectors};

fn dir() -> PathBuf {
    vectors().join("timestamped")
}

fn p256_pub() -> PathBuf {
    mt_vectors().join("generated-v1.1.1/keys/p256-pub.pem")
}

/// Runs our `verify METHOD model --signature SIG EXTRA...` in the vectors' folder.
fn ours(method: &str, signature: &str, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["verify", method, "model", "--signature", signature];
    args.extend(extra);
    let out = run_ours(&dir(), &args);
    (out.status.success(), text(&out))
}

/// (method, signature, further arguments, expected: success or a text of the failure).
type Case<'a> = (&'a str, &'a str, Vec<&'a str>, Result<(), &'a str>);

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn timestamped_vectors_verify_with_the_authority_as_their_readme_says() {
    let key = p256_pub();
    let tsa = ["--tsa-certificate-chain", "tsa-chain.pem"];
    let cases: [Case<'_>; 6] = [
        (
            "key",
            "key-p256.sig",
            vec!["--public-key", path(&key), tsa[0], tsa[1]],
            Ok(()),
        ),
        (
            "key",
            "key-p256.sig",
            vec!["--public-key", path(&key)],
            Ok(()),
        ),
        (
            "certificate",
            "cert-expired-leaf.sig",
            vec!["--certificate-chain", "root.pem", tsa[0], tsa[1]],
            Ok(()),
        ),
        (
            "certificate",
            "cert-expired-leaf-late-timestamp.sig",
            vec!["--certificate-chain", "root.pem", tsa[0], tsa[1]],
            Err("had expired at the verification time"),
        ),
        // Without the authority, the reference's rule: the chain at the leaf's notBefore.
        (
            "certificate",
            "cert-expired-leaf-late-timestamp.sig",
            vec!["--certificate-chain", "root.pem"],
            Ok(()),
        ),
        // Another authority (the vectors' own root) did not sign the timestamps.
        (
            "certificate",
            "cert-expired-leaf.sig",
            vec!["--certificate-chain", "root.pem", tsa[0], "root.pem"],
            Err("RFC 3161 timestamp #0 of the signature does not verify"),
        ),
    ];
    let mut failures = Vec::new();
    for (method, signature, extra, expect) in &cases {
        let (ok, out) = ours(method, signature, extra);
        let right = match expect {
            Ok(()) => ok && out.contains("Verification succeeded"),
            Err(needle) => !ok && out.contains(needle),
        };
        if !right {
            failures.push(format!(
                "{method} {signature} {extra:?}: expected {expect:?}, got: {out}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_reference_verifies_timestamped_signatures_ignoring_the_timestamps() {
    let key = p256_pub();
    let cases = [
        vec![
            "key",
            "model",
            "--signature",
            "key-p256.sig",
            "--public_key",
            path(&key),
        ],
        vec![
            "certificate",
            "model",
            "--signature",
            "cert-expired-leaf.sig",
            "--certificate_chain",
            "root.pem",
        ],
        vec![
            "certificate",
            "model",
            "--signature",
            "cert-expired-leaf-late-timestamp.sig",
            "--certificate_chain",
            "root.pem",
        ],
    ];
    for args in cases {
        let out = Command::new(reference_cli())
            .current_dir(dir())
            .arg("verify")
            .args(&args)
            .output()
            .expect("run the reference");
        assert!(
            out.status.success() && text(&out).contains("Verification succeeded"),
            "reference verify {args:?}: {}",
            text(&out)
        );
    }
}
