//! The upstream and generated vectors of `tests/vectors/model-transparency/` (see its
//! INDEX.md), checked against our CLI, our host library and our core:
//!
//! 1. every `scripts/tests/v*` signature (except the `-sigstore` ones) verifies or fails
//!    exactly as INDEX §1.3 says, and tampered copies fail naming the file;
//! 2. every `generated-v1.1.1` case verifies (INDEX §5), `digest` reproduces its subject
//!    digest, and the git-path and wrong-key cases fail as they must;
//! 3. the serializer goldens (INDEX §2) are reproduced by `model_signing::hashing`;
//! 4. the payload goldens (INDEX §3.1) are reproduced by `build_statement`;
//! 5. every `generated-v1.1.1/_meta/*.payload.json` parses with `parse_statement`.
//!
//! The tables collect every failing row before panicking, so one run reports them all.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use model_signing::hashing;
use model_signing::hashing::Progress;
use model_signing_core::encoding::hex;
use model_signing_core::statement::{build_statement, parse_statement};
use model_signing_core::{HashAlgorithm, Manifest, Serialization};
use model_signing_tests::{copy_tree, mt_vectors, run_ours, text, write_model};
use serde_json::Value;

/// The line our CLI (like the reference) prints on success.
const SUCCESS: &str = "Verification succeeded";
/// What the reference prints on stdout for a bundle whose public key has no hint.
const LEGACY_WARNING: &str =
    "WARNING: This model's signature uses an older verification material format. \
Please re-sign with an updated signer to use a public key identifier hash.";
/// The prefix of every verification failure.
const FAILED: &str = "Verification failed with error: ";
/// The root digest of an empty manifest (SHA-256 of nothing).
const EMPTY_ROOT: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn scripts_tests() -> PathBuf {
    mt_vectors().join("scripts/tests")
}

fn generated() -> PathBuf {
    mt_vectors().join("generated-v1.1.1")
}

fn repo_keys() -> PathBuf {
    scripts_tests().join("keys/certificate")
}

/// Splits a command line (no argument of these tables contains a space).
fn words(cmd: &str) -> Vec<String> {
    cmd.split_whitespace().map(str::to_owned).collect()
}

/// Fails with every collected problem, one per paragraph.
fn report(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} of the {what} failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// How a command must end.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 0, stdout exactly `Verification succeeded`.
    Verified,
    /// Exit 0, stdout = the legacy-key WARNING line, then `Verification succeeded`.
    VerifiedLegacyKey,
    /// Exit 1, `Verification failed with error: ` and every fragment in the output.
    Fails(&'static [&'static str]),
}

/// Checks one finished command against `expect`; `Err` describes the difference.
fn check(out: &Output, expect: Expect) -> Result<(), String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = text(out);
    let mismatch = |why: &str| {
        Err(format!(
            "{why}\n  exit: {:?}\n  output: {}",
            out.status.code(),
            all.trim_end()
        ))
    };
    match expect {
        Expect::Verified | Expect::VerifiedLegacyKey => {
            if out.status.code() != Some(0) {
                return mismatch("expected exit 0");
            }
            let want = match expect {
                Expect::Verified => format!("{SUCCESS}\n"),
                _ => format!("{LEGACY_WARNING}\n{SUCCESS}\n"),
            };
            if stdout != want {
                return mismatch(&format!("expected stdout {want:?}, got {stdout:?}"));
            }
        }
        Expect::Fails(fragments) => {
            if out.status.code() != Some(1) {
                return mismatch("expected exit 1");
            }
            if stdout.contains(SUCCESS) {
                return mismatch("a failure printed the success line");
            }
            if !String::from_utf8_lossy(&out.stderr).contains(FAILED) {
                return mismatch(&format!("expected {FAILED:?} on stderr"));
            }
            for f in fragments {
                if !all.contains(f) {
                    return mismatch(&format!("expected the output to contain {f:?}"));
                }
            }
        }
    }
    Ok(())
}

/// Runs `cmd` (without the program name) in `cwd` and checks it.
fn run_and_check(cwd: &Path, cmd: &[String], expect: Expect) -> Result<(), String> {
    let out = run_ours(cwd, cmd);
    check(&out, expect).map_err(|e| {
        format!(
            "`model_signing {}` in {}: {e}",
            cmd.join(" "),
            cwd.display()
        )
    })
}

// ---------------------------------------------------------------------------------
// 1. scripts/tests/v* (INDEX §1.3)
// ---------------------------------------------------------------------------------

/// One row of INDEX §1.3: the vector folder, the working directory below
/// `scripts/tests` (empty for itself), the command and its outcome.
struct ScriptCase {
    folder: &'static str,
    cwd: &'static str,
    cmd: &'static str,
    expect: Expect,
}

const V101_CERT_EXTRA: &[&str] = &[
    "Signature mismatch",
    "Extra files found in model 'v1.0.1-certificate': ignore-me",
];
const V101_KEY_EXTRA: &[&str] = &[
    "Signature mismatch",
    "Extra files found in model 'v1.0.1-elliptic-key': ignore-me",
];

const SCRIPT_CASES: &[ScriptCase] = &[
    // The commands exactly as INDEX §1.3 writes them (1.1.1 underscore spellings).
    ScriptCase {
        folder: "v0.2.0-certificate",
        cwd: "",
        cmd: "verify certificate --signature ./v0.2.0-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v0.2.0-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v0.3.1-certificate",
        cwd: "",
        cmd: "verify certificate --signature ./v0.3.1-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v0.3.1-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v0.3.1-elliptic-key",
        cwd: "",
        cmd: "verify key --signature ./v0.3.1-elliptic-key/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v0.3.1-elliptic-key/signme-1",
        expect: Expect::VerifiedLegacyKey,
    },
    ScriptCase {
        folder: "v1.0.0-certificate",
        cwd: "",
        cmd: "verify certificate --signature ./v1.0.0-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v1.0.0-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.0.0-elliptic-key",
        cwd: "",
        cmd: "verify key --signature ./v1.0.0-elliptic-key/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v1.0.0-elliptic-key/signme-1",
        expect: Expect::VerifiedLegacyKey,
    },
    ScriptCase {
        folder: "v1.0.1-certificate",
        cwd: "",
        cmd: "verify certificate --ignore-paths ./v1.0.1-certificate/ignore-me --signature ./v1.0.1-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v1.0.1-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.0.1-certificate",
        cwd: "",
        cmd: "verify certificate --signature ./v1.0.1-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v1.0.1-certificate/",
        expect: Expect::Fails(V101_CERT_EXTRA),
    },
    ScriptCase {
        folder: "v1.0.1-elliptic-key",
        cwd: "",
        cmd: "verify key --ignore-paths ./v1.0.1-elliptic-key/ignore-me --signature ./v1.0.1-elliptic-key/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v1.0.1-elliptic-key",
        expect: Expect::VerifiedLegacyKey,
    },
    ScriptCase {
        folder: "v1.0.1-elliptic-key",
        cwd: "",
        cmd: "verify key --signature ./v1.0.1-elliptic-key/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v1.0.1-elliptic-key",
        expect: Expect::Fails(V101_KEY_EXTRA),
    },
    ScriptCase {
        folder: "v1.1.0-certificate",
        cwd: "",
        cmd: "verify certificate --ignore-paths ./v1.1.0-certificate/ignore-me --signature ./v1.1.0-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v1.1.0-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.1.0-certificate",
        cwd: "",
        cmd: "verify certificate --signature ./v1.1.0-certificate/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v1.1.0-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.1.0-elliptic-key",
        cwd: "",
        cmd: "verify key --ignore-paths ./v1.1.0-elliptic-key/ignore-me --signature ./v1.1.0-elliptic-key/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v1.1.0-elliptic-key",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.1.0-elliptic-key",
        cwd: "",
        cmd: "verify key --signature ./v1.1.0-elliptic-key/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v1.1.0-elliptic-key",
        expect: Expect::Verified,
    },
    // Hyphen spellings (HEAD's), the `--opt=value` form and underscore `--ignore_paths`.
    ScriptCase {
        folder: "v0.2.0-certificate",
        cwd: "",
        cmd: "verify certificate --signature ./v0.2.0-certificate/model.sig --certificate-chain ./keys/certificate/ca-cert.pem ./v0.2.0-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.0.0-elliptic-key",
        cwd: "",
        cmd: "verify key --signature ./v1.0.0-elliptic-key/model.sig --public-key ./keys/certificate/signing-key-pub.pem ./v1.0.0-elliptic-key/signme-1",
        expect: Expect::VerifiedLegacyKey,
    },
    ScriptCase {
        folder: "v1.0.1-certificate",
        cwd: "",
        cmd: "verify certificate --ignore_paths ./v1.0.1-certificate/ignore-me --signature ./v1.0.1-certificate/model.sig --certificate-chain ./keys/certificate/ca-cert.pem ./v1.0.1-certificate/",
        expect: Expect::Verified,
    },
    ScriptCase {
        folder: "v1.0.1-elliptic-key",
        cwd: "",
        cmd: "verify key --ignore-paths ./v1.0.1-elliptic-key/ignore-me --signature ./v1.0.1-elliptic-key/model.sig --public-key ./keys/certificate/signing-key-pub.pem ./v1.0.1-elliptic-key",
        expect: Expect::VerifiedLegacyKey,
    },
    ScriptCase {
        folder: "v1.1.0-elliptic-key",
        cwd: "",
        cmd: "verify key --signature=./v1.1.0-elliptic-key/model.sig --public-key=./keys/certificate/signing-key-pub.pem ./v1.1.0-elliptic-key",
        expect: Expect::Verified,
    },
    // From inside the folder (model `.`, signature `model.sig`), as upstream's
    // test-sign-verify.sh does.
    ScriptCase {
        folder: "v1.0.1-elliptic-key",
        cwd: "v1.0.1-elliptic-key",
        cmd: "verify key --ignore-paths ignore-me --signature model.sig --public_key ../keys/certificate/signing-key-pub.pem .",
        expect: Expect::VerifiedLegacyKey,
    },
    ScriptCase {
        folder: "v1.0.1-certificate",
        cwd: "v1.0.1-certificate",
        cmd: "verify certificate --signature model.sig --certificate_chain ../keys/certificate/ca-cert.pem .",
        expect: Expect::Fails(V101_CERT_EXTRA),
    },
    ScriptCase {
        folder: "v1.1.0-certificate",
        cwd: "v1.1.0-certificate",
        cmd: "verify certificate --signature model.sig --certificate_chain ../keys/certificate/ca-cert.pem .",
        expect: Expect::Verified,
    },
];

fn run_script_cases(filter: impl Fn(&ScriptCase) -> bool) -> Vec<String> {
    SCRIPT_CASES
        .iter()
        .filter(|c| filter(c))
        .filter_map(|c| {
            let cwd = if c.cwd.is_empty() {
                scripts_tests()
            } else {
                scripts_tests().join(c.cwd)
            };
            run_and_check(&cwd, &words(c.cmd), c.expect).err()
        })
        .collect()
}

#[test]
fn script_vectors_table_covers_every_non_sigstore_folder() {
    let on_disk: BTreeSet<String> = fs::read_dir(scripts_tests())
        .expect("read scripts/tests")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('v') && !n.ends_with("-sigstore"))
        .collect();
    let in_table: BTreeSet<String> = SCRIPT_CASES.iter().map(|c| c.folder.to_owned()).collect();
    assert_eq!(on_disk, in_table);
    assert_eq!(
        on_disk.len(),
        9,
        "INDEX §1.3 lists 9 key/certificate folders"
    );
}

#[test]
fn script_key_vectors_verify_as_index_says() {
    report(
        "key vector commands",
        run_script_cases(|c| c.cmd.starts_with("verify key")),
    );
}

#[test]
fn script_certificate_vectors_verify_as_index_says() {
    report(
        "certificate vector commands",
        run_script_cases(|c| c.cmd.starts_with("verify certificate")),
    );
}

#[test]
fn script_vectors_reject_the_wrong_method() {
    let cwd = scripts_tests();
    let cases: [(&str, Expect); 2] = [
        // A certificate bundle checked as a key bundle (1.1.1 crashes on this one).
        (
            "verify key --signature ./v1.1.0-certificate/model.sig --public_key ./keys/certificate/signing-key-pub.pem ./v1.1.0-certificate",
            Expect::Fails(&["verify certificate"]),
        ),
        // A key bundle checked as a certificate bundle.
        (
            "verify certificate --signature ./v1.1.0-elliptic-key/model.sig --certificate_chain ./keys/certificate/ca-cert.pem ./v1.1.0-elliptic-key",
            Expect::Fails(&["verify key"]),
        ),
    ];
    report(
        "wrong-method commands",
        cases
            .iter()
            .filter_map(|(cmd, expect)| run_and_check(&cwd, &words(cmd), *expect).err())
            .collect(),
    );
}

#[test]
fn script_certificate_vectors_need_their_root() {
    let cwd = scripts_tests();
    let cases: [(&str, Expect); 3] = [
        // An unrelated self-signed root (tests/vectors/pki).
        (
            "verify certificate --signature ./v1.1.0-certificate/model.sig --certificate_chain ../../../pki/root.pem ./v1.1.0-certificate",
            Expect::Fails(&["CN=root-ca"]),
        ),
        (
            "verify certificate --signature ./v0.2.0-certificate/model.sig --certificate_chain ../../../pki/root.pem ./v0.2.0-certificate",
            Expect::Fails(&["CN=root-ca"]),
        ),
        // The intermediate alone: a chain must end at a trusted self-signed root.
        (
            "verify certificate --signature ./v1.1.0-certificate/model.sig --certificate_chain ./keys/certificate/int-ca-cert.pem ./v1.1.0-certificate",
            Expect::Fails(&["CN=root-ca"]),
        ),
    ];
    report(
        "wrong-root commands",
        cases
            .iter()
            .filter_map(|(cmd, expect)| run_and_check(&cwd, &words(cmd), *expect).err())
            .collect(),
    );
}

// ---------------------------------------------------------------------------------
// Tampered copies
// ---------------------------------------------------------------------------------

/// A change to a copied vector.
#[derive(Clone, Copy, Debug)]
enum Tamper {
    /// Flip the byte at this offset of the file.
    ChangeByte(&'static str, u64),
    /// Write a new file.
    Add(&'static str, &'static [u8]),
    /// Delete a file.
    Remove(&'static str),
    /// Rename a file.
    Rename(&'static str, &'static str),
}

impl Tamper {
    fn apply(self, model: &Path) {
        match self {
            Tamper::ChangeByte(file, offset) => {
                let p = model.join(file);
                make_writable(&p);
                let mut bytes = fs::read(&p).expect("read");
                bytes[offset as usize] ^= 0x01;
                fs::write(&p, bytes).expect("write");
            }
            Tamper::Add(file, content) => {
                let p = model.join(file);
                if p.exists() {
                    make_writable(&p);
                }
                write_model(model, &[(file, content)]);
            }
            Tamper::Remove(file) => fs::remove_file(model.join(file)).expect("remove"),
            Tamper::Rename(from, to) => {
                fs::rename(model.join(from), model.join(to)).expect("rename")
            }
        }
    }
}

/// The vectors are read-only on disk and `copy_tree` keeps the permissions.
fn make_writable(p: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let mut perms = fs::metadata(p).expect("metadata").permissions();
    perms.set_mode(perms.mode() | 0o200);
    fs::set_permissions(p, perms).expect("chmod");
}

/// A vector to tamper with: where it is, and how to verify the copy (with `{keys}` for
/// `scripts/tests/keys/certificate` and `{gen}` for `generated-v1.1.1/keys`); the copy
/// is verified from its parent directory, so the model is `./<folder>`.
struct TamperTarget {
    origin: fn() -> PathBuf,
    folder: &'static str,
    cmd: &'static str,
}

const TAMPER_CASES: &[(TamperTarget, Tamper, Expect)] = {
    const V110_KEY: TamperTarget = TamperTarget {
        origin: scripts_tests,
        folder: "v1.1.0-elliptic-key",
        cmd: "verify key --signature ./v1.1.0-elliptic-key/model.sig --public_key {keys}/signing-key-pub.pem ./v1.1.0-elliptic-key",
    };
    const V101_CERT: TamperTarget = TamperTarget {
        origin: scripts_tests,
        folder: "v1.0.1-certificate",
        cmd: "verify certificate --ignore-paths ./v1.0.1-certificate/ignore-me --signature ./v1.0.1-certificate/model.sig --certificate_chain {keys}/ca-cert.pem ./v1.0.1-certificate",
    };
    const V020_CERT: TamperTarget = TamperTarget {
        origin: scripts_tests,
        folder: "v0.2.0-certificate",
        cmd: "verify certificate --signature ./v0.2.0-certificate/model.sig --certificate_chain {keys}/ca-cert.pem ./v0.2.0-certificate",
    };
    const V100_KEY_FILE: TamperTarget = TamperTarget {
        origin: scripts_tests,
        folder: "v1.0.0-elliptic-key",
        cmd: "verify key --signature ./v1.0.0-elliptic-key/model.sig --public_key {keys}/signing-key-pub.pem ./v1.0.0-elliptic-key/signme-1",
    };
    const GEN_P256: TamperTarget = TamperTarget {
        origin: generated,
        folder: "key-p256-files-sha256",
        cmd: "verify key --signature ./key-p256-files-sha256/model.sig --public_key {gen}/p256-pub.pem ./key-p256-files-sha256",
    };
    const GEN_SHARDS: TamperTarget = TamperTarget {
        origin: generated,
        folder: "key-p384-shards-100",
        cmd: "verify key --signature ./key-p384-shards-100/model.sig --public_key {keys}/signing-key-pub.pem ./key-p384-shards-100",
    };
    &[
        (
            V110_KEY,
            Tamper::ChangeByte("signme-2", 3),
            Expect::Fails(&["Hash mismatch for 'signme-2'"]),
        ),
        (
            V110_KEY,
            Tamper::Add("extra.bin", b"x"),
            Expect::Fails(&["Extra files found in model 'v1.1.0-elliptic-key': extra.bin"]),
        ),
        (
            V110_KEY,
            Tamper::Add("sub/nested.bin", b""),
            Expect::Fails(&["Extra files found in model 'v1.1.0-elliptic-key': sub/nested.bin"]),
        ),
        (
            V110_KEY,
            Tamper::Remove("signme-1"),
            Expect::Fails(&["Missing files in model 'v1.1.0-elliptic-key': signme-1"]),
        ),
        (
            V110_KEY,
            Tamper::Rename("signme-2", "signme-3"),
            Expect::Fails(&[
                "Extra files found in model 'v1.1.0-elliptic-key': signme-3",
                "Missing files in model 'v1.1.0-elliptic-key': signme-2",
            ]),
        ),
        // ignore-me is recorded as ignored in the v1.1.0 signature.
        (
            V110_KEY,
            Tamper::Add("ignore-me", b"changed"),
            Expect::Verified,
        ),
        (
            V101_CERT,
            Tamper::ChangeByte("signme-1", 0),
            Expect::Fails(&["Hash mismatch for 'signme-1'"]),
        ),
        (
            V101_CERT,
            Tamper::Add("extra", b"1"),
            Expect::Fails(&["Extra files found in model 'v1.0.1-certificate': extra"]),
        ),
        (
            V101_CERT,
            Tamper::Remove("signme-2"),
            Expect::Fails(&["Missing files in model 'v1.0.1-certificate': signme-2"]),
        ),
        (
            V101_CERT,
            Tamper::Rename("signme-1", "signme-1.bak"),
            Expect::Fails(&[
                "Extra files found in model 'v1.0.1-certificate': signme-1.bak",
                "Missing files in model 'v1.0.1-certificate': signme-1",
            ]),
        ),
        // The v0.1 predicate (one subject per file) is compared the same way.
        (
            V020_CERT,
            Tamper::ChangeByte("signme-2", 7),
            Expect::Fails(&["Hash mismatch for 'signme-2'"]),
        ),
        (
            V020_CERT,
            Tamper::Remove("signme-1"),
            Expect::Fails(&["Missing files in model 'v0.2.0-certificate': signme-1"]),
        ),
        (
            V020_CERT,
            Tamper::Add("signme-3", b"signme-3"),
            Expect::Fails(&["Extra files found in model 'v0.2.0-certificate': signme-3"]),
        ),
        // A single-file model's only identifier is `.` (INDEX §1.2, SPEC §1.4).
        (
            V100_KEY_FILE,
            Tamper::ChangeByte("signme-1", 8),
            Expect::Fails(&["Hash mismatch for '.'"]),
        ),
        (
            GEN_P256,
            Tamper::ChangeByte("sub/deeper/x.bin", 2),
            Expect::Fails(&["Hash mismatch for 'sub/deeper/x.bin'"]),
        ),
        (
            GEN_P256,
            Tamper::Add("empty.txt", b"no longer empty"),
            Expect::Fails(&["Hash mismatch for 'empty.txt'"]),
        ),
        (
            GEN_P256,
            Tamper::Remove("empty.txt"),
            Expect::Fails(&["Missing files in model 'key-p256-files-sha256': empty.txt"]),
        ),
        (
            GEN_P256,
            Tamper::Rename("café.txt", "cafe\u{301}.txt"),
            Expect::Fails(&[
                "Extra files found in model 'key-p256-files-sha256': cafe\u{301}.txt",
                "Missing files in model 'key-p256-files-sha256': café.txt",
            ]),
        ),
        (
            GEN_P256,
            Tamper::Rename("a b.txt", "a_b.txt"),
            Expect::Fails(&[
                "Extra files found in model 'key-p256-files-sha256': a_b.txt",
                "Missing files in model 'key-p256-files-sha256': a b.txt",
            ]),
        ),
        // Recorded ignore_paths and the git names are not covered by the signature.
        (
            GEN_P256,
            Tamper::ChangeByte("ignored.txt", 0),
            Expect::Verified,
        ),
        (
            GEN_P256,
            Tamper::Add(".gitignore", b"*.bak\n"),
            Expect::Verified,
        ),
        (
            GEN_P256,
            Tamper::Add(".github/workflow.yml", b"on: push\n"),
            Expect::Verified,
        ),
        (
            GEN_SHARDS,
            Tamper::ChangeByte("weights.bin", 950),
            Expect::Fails(&["Hash mismatch for 'weights.bin:900:1000'"]),
        ),
        (
            GEN_SHARDS,
            Tamper::Add("new.bin", b"abc"),
            Expect::Fails(&["Extra files found in model 'key-p384-shards-100': new.bin:0:3"]),
        ),
        (
            GEN_SHARDS,
            Tamper::Remove("config.json"),
            Expect::Fails(&["Missing files in model 'key-p384-shards-100': config.json:0:27"]),
        ),
        (
            GEN_SHARDS,
            Tamper::Rename("a.txt", "b.txt"),
            Expect::Fails(&[
                "Extra files found in model 'key-p384-shards-100': b.txt:0:3",
                "Missing files in model 'key-p384-shards-100': a.txt:0:3",
            ]),
        ),
        // Empty files have no shards, so they are not in a shard signature at all.
        (GEN_SHARDS, Tamper::Remove("empty.txt"), Expect::Verified),
    ]
};

#[test]
fn tampered_vector_copies_fail_naming_the_file() {
    let keys = repo_keys();
    let gen_keys = generated().join("keys");
    let mut failures = Vec::new();
    for (target, tamper, expect) in TAMPER_CASES {
        let tmp = tempfile::tempdir().expect("tempdir");
        let copy = tmp.path().join(target.folder);
        copy_tree(&(target.origin)().join(target.folder), &copy);
        // The untouched copy verifies (so the failure below is the tamper's doing).
        let cmd: Vec<String> = words(target.cmd)
            .into_iter()
            .map(|w| {
                w.replace("{keys}", &keys.to_string_lossy())
                    .replace("{gen}", &gen_keys.to_string_lossy())
            })
            .collect();
        let pristine = run_ours(tmp.path(), &cmd);
        if !pristine.status.success() {
            failures.push(format!(
                "{}: the untouched copy does not verify: {}",
                target.folder,
                text(&pristine).trim_end()
            ));
            continue;
        }
        tamper.apply(&copy);
        if let Err(e) = run_and_check(tmp.path(), &cmd, *expect) {
            failures.push(format!("{} after {tamper:?}: {e}", target.folder));
        }
    }
    report("tamper cases", failures);
}

// ---------------------------------------------------------------------------------
// 2. generated-v1.1.1 (INDEX §5)
// ---------------------------------------------------------------------------------

/// A generated case: its directory, the files it signs, how it was hashed (the
/// `digest` options that reproduce it), its subject digest and resource count.
struct GeneratedCase {
    case: &'static str,
    /// The `verify` command, cwd = `tests/vectors/model-transparency`.
    verify: &'static str,
    /// `digest` options before the model path (which is `generated-v1.1.1/<case>`,
    /// or `.../model.bin` for the single file).
    digest: &'static str,
    serialization: Serialization,
    root: &'static str,
    resources: usize,
}

const fn files(algorithm: HashAlgorithm) -> Serialization {
    Serialization::Files { algorithm }
}

const fn shards(algorithm: HashAlgorithm, shard_size: u64) -> Serialization {
    Serialization::Shards {
        algorithm,
        shard_size,
    }
}

const FILES_ROOT: &str = "058c5c16bc92b27686f8f091b9f83682fa38a0951edc28a2a10fc23630375b1b";

const GENERATED_CASES: &[GeneratedCase] = &[
    GeneratedCase {
        case: "key-p384-files-sha256",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-files-sha256/model.sig generated-v1.1.1/key-p384-files-sha256",
        digest: "--ignore-paths generated-v1.1.1/key-p384-files-sha256/model.sig --ignore-paths generated-v1.1.1/key-p384-files-sha256/ignored.txt",
        serialization: files(HashAlgorithm::Sha256),
        root: FILES_ROOT,
        resources: 9,
    },
    GeneratedCase {
        case: "key-p256-files-sha256",
        verify: "verify key --public_key generated-v1.1.1/keys/p256-pub.pem --signature generated-v1.1.1/key-p256-files-sha256/model.sig generated-v1.1.1/key-p256-files-sha256",
        digest: "--ignore_paths generated-v1.1.1/key-p256-files-sha256/model.sig --ignore_paths generated-v1.1.1/key-p256-files-sha256/ignored.txt",
        serialization: files(HashAlgorithm::Sha256),
        root: FILES_ROOT,
        resources: 9,
    },
    GeneratedCase {
        case: "key-p521-files-sha256",
        verify: "verify key --public_key generated-v1.1.1/keys/p521-pub.pem --signature generated-v1.1.1/key-p521-files-sha256/model.sig generated-v1.1.1/key-p521-files-sha256",
        digest: "--ignore-paths generated-v1.1.1/key-p521-files-sha256/model.sig --ignore-paths generated-v1.1.1/key-p521-files-sha256/ignored.txt",
        serialization: files(HashAlgorithm::Sha256),
        root: FILES_ROOT,
        resources: 9,
    },
    GeneratedCase {
        case: "cert-p384-files-sha256",
        verify: "verify certificate --certificate_chain scripts/tests/keys/certificate/ca-cert.pem --signature generated-v1.1.1/cert-p384-files-sha256/model.sig generated-v1.1.1/cert-p384-files-sha256",
        digest: "--ignore-paths generated-v1.1.1/cert-p384-files-sha256/model.sig --ignore-paths generated-v1.1.1/cert-p384-files-sha256/ignored.txt",
        serialization: files(HashAlgorithm::Sha256),
        root: FILES_ROOT,
        resources: 9,
    },
    GeneratedCase {
        case: "key-p384-files-nogitignore",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --no-ignore-git-paths --signature generated-v1.1.1/key-p384-files-nogitignore/model.sig generated-v1.1.1/key-p384-files-nogitignore",
        digest: "--no-ignore-git-paths --ignore-paths generated-v1.1.1/key-p384-files-nogitignore/model.sig",
        serialization: files(HashAlgorithm::Sha256),
        root: "29833796a3725bd73b7c3a8c3a880d0db07769f0787010b6dfa108d1fb857d6a",
        resources: 12,
    },
    GeneratedCase {
        case: "key-p384-singlefile",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-singlefile/model.sig generated-v1.1.1/key-p384-singlefile/model.bin",
        digest: "",
        serialization: files(HashAlgorithm::Sha256),
        root: "9c084c441121257dea8c577597a29c09b63303cef9e541be1c2222eecdb66ff9",
        resources: 1,
    },
    // Python's CLI cannot verify the rest (it hashes with its defaults); ours reads the
    // hashing configuration from the signature, so plain `verify key` works.
    GeneratedCase {
        case: "key-p384-files-blake3",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-files-blake3/model.sig generated-v1.1.1/key-p384-files-blake3",
        digest: "--hash-algorithm blake3 --ignore-paths generated-v1.1.1/key-p384-files-blake3/model.sig --ignore-paths generated-v1.1.1/key-p384-files-blake3/ignored.txt",
        serialization: files(HashAlgorithm::Blake3),
        root: "28a9700d89ff6cabfe8c113cc5c33207c9aff8c0abde1b5b5909bf8f036ed47a",
        resources: 9,
    },
    GeneratedCase {
        case: "key-p384-files-blake2",
        verify: "verify key --public-key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-files-blake2/model.sig generated-v1.1.1/key-p384-files-blake2",
        digest: "--hash_algorithm blake2 --ignore-paths generated-v1.1.1/key-p384-files-blake2/model.sig --ignore-paths generated-v1.1.1/key-p384-files-blake2/ignored.txt",
        serialization: files(HashAlgorithm::Blake2b),
        root: "cef0d0a456ede087d578476f5c25071733baa4daa4a481fa9f2b751cfb686eb8",
        resources: 9,
    },
    GeneratedCase {
        case: "key-p384-shards-default",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-shards-default/model.sig generated-v1.1.1/key-p384-shards-default",
        digest: "--serialization shards --ignore-paths generated-v1.1.1/key-p384-shards-default/model.sig --ignore-paths generated-v1.1.1/key-p384-shards-default/ignored.txt",
        serialization: shards(HashAlgorithm::Sha256, 1_000_000_000),
        root: "1c8d80ad345ae2daa7cb531dc31bba25c6e66d8872733322b5770e10d737f0b0",
        resources: 8,
    },
    GeneratedCase {
        case: "key-p384-shards-100",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-shards-100/model.sig generated-v1.1.1/key-p384-shards-100",
        digest: "--serialization shards --shard-size 100 --ignore-paths generated-v1.1.1/key-p384-shards-100/model.sig --ignore-paths generated-v1.1.1/key-p384-shards-100/ignored.txt",
        serialization: shards(HashAlgorithm::Sha256, 100),
        root: "6fee86ff2232b16d267170dcf64d6c4e41bc552b80ea76386298756c378ddb33",
        resources: 18,
    },
    GeneratedCase {
        case: "key-p384-shards-64-blake2",
        verify: "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-shards-64-blake2/model.sig generated-v1.1.1/key-p384-shards-64-blake2",
        digest: "--serialization shards --shard_size 64 --hash-algorithm blake2 --ignore-paths generated-v1.1.1/key-p384-shards-64-blake2/model.sig --ignore-paths generated-v1.1.1/key-p384-shards-64-blake2/ignored.txt",
        serialization: shards(HashAlgorithm::Blake2b, 64),
        root: "a7f1941db849302fd3047b2e6ff3b0b287feb5f996a77348e11d31b0f7de2b7a",
        resources: 24,
    },
];

impl GeneratedCase {
    /// The model path, relative to `tests/vectors/model-transparency`.
    fn model(&self) -> String {
        if self.resources == 1 {
            format!("generated-v1.1.1/{}/model.bin", self.case)
        } else {
            format!("generated-v1.1.1/{}", self.case)
        }
    }

    fn payload_path(&self) -> PathBuf {
        generated()
            .join("_meta")
            .join(format!("{}.payload.json", self.case))
    }

    fn payload(&self) -> Value {
        serde_json::from_slice(&fs::read(self.payload_path()).expect("read payload"))
            .expect("payload is JSON")
    }

    /// `ignore_paths` as the signature records them.
    fn recorded_ignores(&self) -> BTreeSet<String> {
        let names: &[&str] = match self.case {
            "key-p384-files-nogitignore" => &["model.sig"],
            "key-p384-singlefile" => &[".git", ".gitattributes", ".github", ".gitignore"],
            _ => &[
                ".git",
                ".gitattributes",
                ".github",
                ".gitignore",
                "ignored.txt",
                "model.sig",
            ],
        };
        names.iter().map(|s| s.to_string()).collect()
    }
}

#[test]
fn generated_table_covers_every_case() {
    let on_disk: BTreeSet<String> = fs::read_dir(generated())
        .expect("read generated-v1.1.1")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "_meta" && n != "keys")
        .collect();
    let in_table: BTreeSet<String> = GENERATED_CASES.iter().map(|c| c.case.to_owned()).collect();
    assert_eq!(on_disk, in_table);
    let payloads: BTreeSet<String> = fs::read_dir(generated().join("_meta"))
        .expect("read _meta")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = in_table
        .iter()
        .map(|c| format!("{c}.payload.json"))
        .collect();
    assert_eq!(payloads, expected);
}

#[test]
fn generated_key_cases_verify() {
    let cwd = mt_vectors();
    report(
        "generated key cases",
        GENERATED_CASES
            .iter()
            .filter(|c| c.verify.starts_with("verify key"))
            .filter_map(|c| run_and_check(&cwd, &words(c.verify), Expect::Verified).err())
            .collect(),
    );
}

#[test]
fn generated_certificate_case_verifies() {
    let cwd = mt_vectors();
    report(
        "generated certificate cases",
        GENERATED_CASES
            .iter()
            .filter(|c| c.verify.starts_with("verify certificate"))
            .filter_map(|c| run_and_check(&cwd, &words(c.verify), Expect::Verified).err())
            .collect(),
    );
}

#[test]
fn generated_negative_cases_fail_as_index_says() {
    let cwd = mt_vectors();
    let cases: &[(&str, Expect)] = &[
        // The git names are signed here, so ignoring them (the default) loses them.
        (
            "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-files-nogitignore/model.sig generated-v1.1.1/key-p384-files-nogitignore",
            Expect::Fails(&[
                "Signature mismatch",
                "Missing files in model 'key-p384-files-nogitignore': .gitattributes, .gitignore",
            ]),
        ),
        (
            "verify key --public_key generated-v1.1.1/keys/p256-pub.pem --signature generated-v1.1.1/key-p384-files-sha256/model.sig generated-v1.1.1/key-p384-files-sha256",
            Expect::Fails(&["key mismatch"]),
        ),
        (
            "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p521-files-sha256/model.sig generated-v1.1.1/key-p521-files-sha256",
            Expect::Fails(&["key mismatch"]),
        ),
        (
            "verify key --public_key generated-v1.1.1/keys/p521-pub.pem --signature generated-v1.1.1/key-p256-files-sha256/model.sig generated-v1.1.1/key-p256-files-sha256",
            Expect::Fails(&["key mismatch"]),
        ),
        // Hashing options given to verify must agree with the signature.
        (
            "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --serialization shards --shard-size 64 --signature generated-v1.1.1/key-p384-shards-100/model.sig generated-v1.1.1/key-p384-shards-100",
            Expect::Fails(&["--shard-size 64"]),
        ),
        (
            "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --hash-algorithm sha256 --signature generated-v1.1.1/key-p384-files-blake3/model.sig generated-v1.1.1/key-p384-files-blake3",
            Expect::Fails(&["--hash-algorithm sha256"]),
        ),
        // A signature of a single file is not a signature of its directory.
        (
            "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --signature generated-v1.1.1/key-p384-singlefile/model.sig generated-v1.1.1/key-p384-singlefile",
            Expect::Fails(&["Signature mismatch"]),
        ),
    ];
    report(
        "generated negative cases",
        cases
            .iter()
            .filter_map(|(cmd, expect)| run_and_check(&cwd, &words(cmd), *expect).err())
            .collect(),
    );
}

#[test]
fn generated_consistent_hashing_options_are_accepted() {
    let cwd = mt_vectors();
    let cmds = [
        "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --serialization shards --shard-size 100 --hash-algorithm sha256 --signature generated-v1.1.1/key-p384-shards-100/model.sig generated-v1.1.1/key-p384-shards-100",
        "verify key --public_key scripts/tests/keys/certificate/signing-key-pub.pem --hash_algorithm blake2 --signature generated-v1.1.1/key-p384-files-blake2/model.sig generated-v1.1.1/key-p384-files-blake2",
    ];
    report(
        "consistent-option commands",
        cmds.iter()
            .filter_map(|cmd| run_and_check(&cwd, &words(cmd), Expect::Verified).err())
            .collect(),
    );
}

#[test]
fn digest_reproduces_generated_subject_digests() {
    let cwd = mt_vectors();
    let mut failures = Vec::new();
    for c in GENERATED_CASES {
        let payload = c.payload();
        let signed = payload["subject"][0]["digest"]["sha256"]
            .as_str()
            .expect("subject[0].digest.sha256")
            .to_owned();
        if signed != c.root {
            failures.push(format!(
                "{}: payload subject {signed}, INDEX {}",
                c.case, c.root
            ));
        }
        let mut args = vec!["digest".to_owned()];
        args.extend(words(c.digest));
        args.push(c.model());
        let out = run_ours(&cwd, &args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || stdout != format!("sha256:{signed}\n") {
            failures.push(format!(
                "{}: `model_signing {}` gave exit {:?}, {}, expected sha256:{signed}",
                c.case,
                args.join(" "),
                out.status.code(),
                text(&out).trim_end()
            ));
        }
    }
    report("digest commands", failures);
}

/// Our own statement for each generated model equals the signed payload (resource order,
/// names, algorithms, digests, serialization block).
#[test]
fn generated_models_rebuild_their_signed_statements() {
    let mut failures = Vec::new();
    for c in GENERATED_CASES {
        let model = mt_vectors().join(c.model());
        // As signed (INDEX §5): ignored.txt and model.sig, git names on; the
        // nogitignore case ignored only model.sig.
        let nogit = c.case == "key-p384-files-nogitignore";
        let ignored: &[&str] = if nogit {
            &["model.sig"]
        } else {
            &["ignored.txt", "model.sig"]
        };
        let config = hashing::Config::new()
            .use_serialization(c.serialization)
            .set_ignored_paths(ignored.iter().copied(), !nogit)
            .set_progress(Progress::Hidden);
        let hashed = match config.hash(&model) {
            Ok(h) => h,
            Err(e) => {
                failures.push(format!("{}: hashing failed: {e}", c.case));
                continue;
            }
        };
        let recorded: Vec<String> = c.recorded_ignores().into_iter().collect();
        let ours = build_statement(
            &hashed.model_name,
            &hashed.manifest,
            &c.serialization,
            false,
            &recorded,
        );
        let ours: Value = serde_json::from_slice(&ours).expect("our statement is JSON");
        if let Err(e) = compare_statements(&ours, &c.payload()) {
            failures.push(format!("{}: {e}", c.case));
        }
    }
    report("generated statements", failures);
}

// ---------------------------------------------------------------------------------
// 5. generated-v1.1.1/_meta payloads through parse_statement
// ---------------------------------------------------------------------------------

#[test]
fn generated_payloads_parse() {
    let mut failures = Vec::new();
    for c in GENERATED_CASES {
        let bytes = fs::read(c.payload_path()).expect("read payload");
        let signed = match parse_statement(&bytes) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: parse_statement failed: {e}", c.case));
                continue;
            }
        };
        let mut problems = Vec::new();
        if listed_names(&bytes).len() != c.resources {
            problems.push(format!(
                "{} resources, expected {}",
                listed_names(&bytes).len(),
                c.resources
            ));
        }
        if signed.manifest.len() != c.resources {
            problems.push(format!(
                "{} manifest items, expected {}",
                signed.manifest.len(),
                c.resources
            ));
        }
        if signed.root_digest.as_deref() != Some(c.root) {
            problems.push(format!(
                "root {:?}, expected {}",
                signed.root_digest, c.root
            ));
        }
        if hex(&signed.manifest.root_digest()) != c.root {
            problems.push("the manifest does not hash to the root".into());
        }
        if signed.predicate_type != "https://model_signing/signature/v1.0" {
            problems.push(format!("predicate type {}", signed.predicate_type));
        }
        if signed.serialization.serialization != Ok(c.serialization) {
            problems.push(format!(
                "serialization {:?}",
                signed.serialization.serialization
            ));
        }
        if signed.serialization.allow_symlinks != Some(false) {
            problems.push(format!(
                "allow_symlinks {:?}",
                signed.serialization.allow_symlinks
            ));
        }
        let ignores: BTreeSet<String> = signed.serialization.ignore_paths.iter().cloned().collect();
        if ignores != c.recorded_ignores() {
            problems.push(format!("ignore_paths {ignores:?}"));
        }
        let expected_name = if c.resources == 1 {
            "model.bin"
        } else {
            c.case
        };
        if signed.model_name != expected_name {
            problems.push(format!("subject name {}", signed.model_name));
        }
        let item = c.serialization.item_algorithm_name();
        if let Some((key, digest)) = signed.manifest.iter().find(|(_, d)| d.algorithm != item) {
            problems.push(format!(
                "{} has algorithm {}, expected {item}",
                key.name(),
                digest.algorithm
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", c.case, problems.join("; ")));
        }
    }
    report("payload parses", failures);
}

#[test]
fn generated_payload_resources_are_in_canonical_order() {
    // INDEX §5: component-wise order, numeric shard offsets.
    let files = GENERATED_CASES
        .iter()
        .find(|c| c.case == "key-p384-files-sha256")
        .expect("case");
    let names = listed_names(&fs::read(files.payload_path()).expect("read"));
    assert_eq!(
        names,
        [
            "a/b.txt",
            "a b.txt",
            "a-b.txt",
            "a.txt",
            "café.txt",
            "config.json",
            "empty.txt",
            "sub/deeper/x.bin",
            "weights.bin"
        ]
    );
    let sharded = GENERATED_CASES
        .iter()
        .find(|c| c.case == "key-p384-shards-100")
        .expect("case");
    let payload = fs::read(sharded.payload_path()).expect("read");
    let signed = parse_statement(&payload).expect("parse");
    let listed = listed_names(&payload);
    let weights: Vec<String> = listed
        .iter()
        .filter(|n| n.starts_with("weights.bin:"))
        .cloned()
        .collect();
    let expected: Vec<String> = (0..11)
        .map(|i| format!("weights.bin:{}:{}", i * 100, (i * 100 + 100).min(1028)))
        .collect();
    assert_eq!(weights, expected);
    // Our manifest iterates in the same order.
    let ours: Vec<String> = signed.manifest.iter().map(|(k, _)| k.name()).collect();
    assert_eq!(ours, listed);
}

/// The resource names of a v1.0 statement in document order.
fn listed_names(payload: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(payload).expect("JSON");
    v["predicate"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------
// 3. and 4. Serializer and payload goldens (INDEX §2, §3.1)
// ---------------------------------------------------------------------------------

/// The fixture models of upstream's `tests/conftest.py`: fixture name, model root name.
const FIXTURES: [(&str, &str); 7] = [
    ("sample_model_file", "file_model"),
    ("empty_model_file", "empty_file_model"),
    ("sample_model_folder", "sample_model"),
    ("deep_model_folder", "deep_model"),
    ("empty_model_folder", "empty_folder_model"),
    ("model_folder_with_empty_file", "empty_file_inside_model"),
    ("symlink_model_folder", "symlink_model"),
];

const SIMPLE_MODEL: &[u8] = b"This is a simple model";

/// Where the in-model symlink variant keeps the symlink's target.
const INSIDE_TARGET_DIR: &str = "real";

/// Where a symlink fixture's link points.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LinkTarget {
    /// A file outside the model, as upstream's fixture does.
    Outside,
    /// `real/file_model` inside the model.
    Inside,
}

/// Builds fixture `fixture` under `base`; returns the model path.
fn build_fixture(fixture: &str, root: &str, base: &Path, link: LinkTarget) -> PathBuf {
    let model = base.join(root);
    match fixture {
        "sample_model_file" => write_model(base, &[(root, SIMPLE_MODEL)]),
        "empty_model_file" => write_model(base, &[(root, b"")]),
        "sample_model_folder" => {
            let mut files = Vec::new();
            for i in 0..2 {
                for j in 0..3 {
                    files.push((
                        format!("d{i}/f{i}{j}"),
                        format!("This is file f{i}{j} in d{i}."),
                    ));
                }
            }
            for i in 0..4 {
                files.push((format!("f{i}"), format!("This is file f{i} in root.")));
            }
            let files: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(p, c)| (p.as_str(), c.as_bytes()))
                .collect();
            write_model(&model, &files);
        }
        "deep_model_folder" => {
            let files: Vec<(String, String)> = (0..4)
                .map(|i| {
                    (
                        format!("d0/d1/d2/d3/d4/f{i}"),
                        format!("This is file f{i}."),
                    )
                })
                .collect();
            let files: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(p, c)| (p.as_str(), c.as_bytes()))
                .collect();
            write_model(&model, &files);
        }
        "empty_model_folder" => fs::create_dir_all(&model).expect("mkdir"),
        "model_folder_with_empty_file" => write_model(&model, &[("empty_file", b"")]),
        "symlink_model_folder" => {
            fs::create_dir_all(&model).expect("mkdir");
            let target = match link {
                LinkTarget::Outside => base.join("outside").join("file_model"),
                LinkTarget::Inside => model.join(INSIDE_TARGET_DIR).join("file_model"),
            };
            fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            fs::write(&target, SIMPLE_MODEL).expect("write target");
            // Absolute, like upstream's fixture.
            std::os::unix::fs::symlink(&target, model.join("symlink_file")).expect("symlink");
        }
        other => panic!("unknown fixture {other}"),
    }
    model
}

/// The three hashings of INDEX §2/§3.1: (payload golden suffix, serializer golden
/// directory and suffix, serialization).
fn golden_kinds() -> [(&'static str, &'static str, &'static str, Serialization); 3] {
    [
        ("", "file", "", Serialization::files(HashAlgorithm::Sha256)),
        (
            "_shard",
            "file_shard",
            "",
            Serialization::shards(HashAlgorithm::Sha256, 1_000_000_000).expect("valid"),
        ),
        (
            "_small_shards",
            "file_shard",
            "_small_shards",
            Serialization::shards(HashAlgorithm::Sha256, 8).expect("valid"),
        ),
    ]
}

/// The host library's hashing as upstream's serializer tests do it.
fn golden_hashing(serialization: Serialization) -> hashing::Config {
    hashing::Config::new()
        .use_serialization(serialization)
        .set_ignored_paths(Vec::<PathBuf>::new(), false)
        .set_allow_symlinks(true)
        .set_progress(Progress::Hidden)
}

/// Reads a serializer golden: `name:hex` lines (the name may hold `:start:end`).
fn read_serializer_golden(path: &Path) -> BTreeMap<String, String> {
    let content =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut map = BTreeMap::new();
    for line in content.lines().filter(|l| !l.is_empty()) {
        let (name, digest) = line.rsplit_once(':').expect("name:digest");
        assert!(
            map.insert(name.to_owned(), digest.to_owned()).is_none(),
            "duplicate {name} in {}",
            path.display()
        );
    }
    map
}

fn manifest_map(manifest: &Manifest) -> BTreeMap<String, String> {
    manifest.iter().map(|(k, d)| (k.name(), d.hex())).collect()
}

/// Hashes a fixture with the host library; for the symlink fixture (built with the
/// target inside the model) the target's own items are split off and checked to carry
/// the same digests as the link's, so the rest is the golden's manifest.
fn hash_fixture(
    fixture: &str,
    model: &Path,
    serialization: Serialization,
) -> Result<Manifest, String> {
    let hashed = golden_hashing(serialization)
        .hash(model)
        .map_err(|e| format!("hashing failed: {e}"))?;
    let item_algorithm = serialization.item_algorithm_name();
    if let Some((k, d)) = hashed
        .manifest
        .iter()
        .find(|(_, d)| d.algorithm != item_algorithm)
    {
        return Err(format!(
            "{} has algorithm {}, expected {item_algorithm}",
            k.name(),
            d.algorithm
        ));
    }
    if fixture != "symlink_model_folder" {
        return Ok(hashed.manifest);
    }
    let prefix = format!("{INSIDE_TARGET_DIR}/file_model");
    let (target, rest): (Vec<_>, Vec<_>) = hashed
        .manifest
        .iter()
        .map(|(k, d)| (k.clone(), d.clone()))
        .partition(|(k, _)| k.path().as_str() == prefix);
    let via_link: BTreeMap<String, String> = rest
        .iter()
        .map(|(k, d)| (k.name().replacen("symlink_file", "", 1), d.hex()))
        .collect();
    let direct: BTreeMap<String, String> = target
        .iter()
        .map(|(k, d)| (k.name().replacen(&prefix, "", 1), d.hex()))
        .collect();
    if target.is_empty() || via_link != direct {
        return Err(format!(
            "the link's items {via_link:?} differ from its target's {direct:?}"
        ));
    }
    Ok(rest.into_iter().collect())
}

fn golden_root() -> PathBuf {
    mt_vectors().join("tests")
}

#[test]
fn serializer_goldens_are_reproduced() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for (fixture, root) in FIXTURES {
        for (_, dir, suffix, serialization) in golden_kinds() {
            let golden_path = golden_root()
                .join("_serialization/testdata")
                .join(dir)
                .join("TestSerializer")
                .join(format!("{fixture}{suffix}"));
            let golden = read_serializer_golden(&golden_path);
            let tmp = tempfile::tempdir().expect("tempdir");
            let model = build_fixture(fixture, root, tmp.path(), LinkTarget::Inside);
            match hash_fixture(fixture, &model, serialization) {
                Ok(manifest) => {
                    let ours = manifest_map(&manifest);
                    if ours != golden {
                        failures.push(format!(
                            "{dir}/{fixture}{suffix}: ours {ours:#?}\ngolden {golden:#?}"
                        ));
                    }
                }
                Err(e) => failures.push(format!("{dir}/{fixture}{suffix}: {e}")),
            }
            compared += 1;
        }
    }
    report("serializer goldens", failures);
    assert_eq!(compared, 21);
}

/// The spot checks INDEX §2 spells out, so a wrong golden parse cannot go unnoticed.
#[test]
fn serializer_golden_spot_checks() {
    let small =
        read_serializer_golden(&golden_root().join(
            "_serialization/testdata/file_shard/TestSerializer/sample_model_file_small_shards",
        ));
    let names: BTreeSet<&str> = small.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from([".:0:8", ".:8:16", ".:16:22"]));
    for empty in [
        "empty_model_file",
        "model_folder_with_empty_file",
        "empty_model_folder",
    ] {
        let golden = read_serializer_golden(
            &golden_root()
                .join("_serialization/testdata/file_shard/TestSerializer")
                .join(empty),
        );
        assert!(golden.is_empty(), "{empty} has no shards");
    }
    let file = read_serializer_golden(
        &golden_root().join("_serialization/testdata/file/TestSerializer/sample_model_file"),
    );
    assert_eq!(
        file.get("."),
        Some(&"3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b".to_owned())
    );
    let empty_file = read_serializer_golden(
        &golden_root()
            .join("_serialization/testdata/file/TestSerializer/model_folder_with_empty_file"),
    );
    assert_eq!(
        empty_file.get("empty_file").map(String::as_str),
        Some(EMPTY_ROOT)
    );
}

fn payload_golden(fixture: &str, suffix: &str) -> Value {
    let p = golden_root()
        .join("_signing/testdata/signing/TestPayload")
        .join(format!("{fixture}{suffix}"));
    serde_json::from_slice(&fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())))
        .expect("golden is JSON")
}

fn object_keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Compares two statements the way upstream compares protos: `_type`, `subject`,
/// `predicateType`, the serialization block as a map (numbers numerically,
/// `ignore_paths` as a set) and the resources as an ordered list.
fn compare_statements(ours: &Value, golden: &Value) -> Result<(), String> {
    if object_keys(ours) != object_keys(golden) {
        return Err(format!(
            "top-level keys {:?} vs {:?}",
            object_keys(ours),
            object_keys(golden)
        ));
    }
    for key in ["_type", "subject", "predicateType"] {
        if ours[key] != golden[key] {
            return Err(format!("{key}: ours {}, golden {}", ours[key], golden[key]));
        }
    }
    let (p_ours, p_golden) = (&ours["predicate"], &golden["predicate"]);
    if object_keys(p_ours) != object_keys(p_golden) {
        return Err(format!(
            "predicate keys {:?} vs {:?}",
            object_keys(p_ours),
            object_keys(p_golden)
        ));
    }
    let (s_ours, s_golden) = (&p_ours["serialization"], &p_golden["serialization"]);
    if object_keys(s_ours) != object_keys(s_golden) {
        return Err(format!(
            "serialization keys {:?} vs {:?}",
            object_keys(s_ours),
            object_keys(s_golden)
        ));
    }
    for key in object_keys(s_golden) {
        let (a, b) = (&s_ours[&key], &s_golden[&key]);
        let same = match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            (Value::Array(x), Value::Array(y)) if key == "ignore_paths" => {
                let x: BTreeSet<String> = x.iter().map(Value::to_string).collect();
                let y: BTreeSet<String> = y.iter().map(Value::to_string).collect();
                x == y
            }
            _ => a == b,
        };
        if !same {
            return Err(format!("serialization.{key}: ours {a}, golden {b}"));
        }
    }
    let (r_ours, r_golden) = (&p_ours["resources"], &p_golden["resources"]);
    if !r_golden.is_array() || r_ours != r_golden {
        return Err(format!("resources: ours {r_ours:#}\ngolden {r_golden:#}"));
    }
    Ok(())
}

#[test]
fn payload_goldens_are_reproduced() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for (fixture, root) in FIXTURES {
        for (suffix, _, _, serialization) in golden_kinds() {
            let golden = payload_golden(fixture, suffix);
            let tmp = tempfile::tempdir().expect("tempdir");
            let model = build_fixture(fixture, root, tmp.path(), LinkTarget::Inside);
            let manifest = match hash_fixture(fixture, &model, serialization) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{fixture}{suffix}: {e}"));
                    continue;
                }
            };
            let ours = build_statement(root, &manifest, &serialization, true, &[]);
            let ours: Value = serde_json::from_slice(&ours).expect("our statement is JSON");
            if let Err(e) = compare_statements(&ours, &golden) {
                failures.push(format!("{fixture}{suffix}: {e}"));
            }
            // And our parser reads the golden back to the same manifest.
            let golden_bytes = serde_json::to_vec(&golden).expect("serialize");
            match parse_statement(&golden_bytes) {
                Ok(signed) => {
                    if signed.manifest != manifest {
                        failures.push(format!("{fixture}{suffix}: parsed golden manifest differs"));
                    }
                    if signed.serialization.serialization != Ok(serialization) {
                        failures.push(format!(
                            "{fixture}{suffix}: parsed serialization {:?}",
                            signed.serialization.serialization
                        ));
                    }
                }
                Err(e) => failures.push(format!("{fixture}{suffix}: parse_statement: {e}")),
            }
            compared += 1;
        }
    }
    report("payload goldens", failures);
    assert_eq!(compared, 21);
}

#[test]
fn payload_golden_spot_checks() {
    let sample = payload_golden("sample_model_file", "");
    assert_eq!(sample["subject"][0]["name"], "file_model");
    assert_eq!(
        sample["subject"][0]["digest"]["sha256"],
        "002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178"
    );
    for fixture in [
        "empty_model_file",
        "empty_model_folder",
        "model_folder_with_empty_file",
    ] {
        for suffix in ["_shard", "_small_shards"] {
            let g = payload_golden(fixture, suffix);
            assert_eq!(
                g["subject"][0]["digest"]["sha256"], EMPTY_ROOT,
                "{fixture}{suffix}"
            );
            assert_eq!(
                g["predicate"]["resources"],
                serde_json::json!([]),
                "{fixture}{suffix}"
            );
        }
    }
}

/// The CLI's `digest` reproduces each payload golden's subject digest (git names
/// ignored by default, which no fixture has). For the symlink fixture the link points
/// inside the model and its target is passed with `--ignore-paths`.
#[test]
fn digest_reproduces_payload_golden_roots() {
    let mut failures = Vec::new();
    for (fixture, root) in FIXTURES {
        for (suffix, _, _, serialization) in golden_kinds() {
            let golden = payload_golden(fixture, suffix);
            let want = format!(
                "sha256:{}\n",
                golden["subject"][0]["digest"]["sha256"]
                    .as_str()
                    .expect("digest")
            );
            let tmp = tempfile::tempdir().expect("tempdir");
            build_fixture(fixture, root, tmp.path(), LinkTarget::Inside);
            let mut args = words("digest --allow-symlinks");
            if fixture == "symlink_model_folder" {
                args.extend([
                    "--ignore-paths".to_owned(),
                    format!("{root}/{INSIDE_TARGET_DIR}"),
                ]);
            }
            if let Some(size) = serialization.shard_size() {
                args.extend(words(&format!(
                    "--serialization shards --shard-size {size}"
                )));
            }
            args.push(root.to_owned());
            let out = run_ours(tmp.path(), &args);
            if !out.status.success() || String::from_utf8_lossy(&out.stdout) != want {
                failures.push(format!(
                    "{fixture}{suffix}: `model_signing {}` gave {:?}: {}, expected {}",
                    args.join(" "),
                    out.status.code(),
                    text(&out).trim_end(),
                    want.trim_end()
                ));
            }
        }
    }
    report("fixture digests", failures);
}

/// Upstream's symlink fixture points outside the model. OpenSSF Model Signing requires
/// reporting such links, so we refuse them, naming the link, in the CLI and the library.
#[test]
fn symlink_outside_the_model_is_refused_naming_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = build_fixture(
        "symlink_model_folder",
        "symlink_model",
        tmp.path(),
        LinkTarget::Outside,
    );
    let mut failures = Vec::new();
    for cmd in [
        "digest --allow-symlinks symlink_model",
        "digest --allow_symlinks --serialization shards --shard-size 8 symlink_model",
        "digest symlink_model",
    ] {
        let out = run_ours(tmp.path(), words(cmd));
        let all = text(&out);
        if out.status.code() != Some(1)
            || !all.contains("Computing digest failed")
            || !all.contains("symlink_model/symlink_file")
        {
            failures.push(format!(
                "`model_signing {cmd}`: exit {:?}: {}",
                out.status.code(),
                all.trim_end()
            ));
        }
        if cmd.contains("allow") && !all.contains("outside the model") {
            failures.push(format!(
                "`model_signing {cmd}` does not say why: {}",
                all.trim_end()
            ));
        }
    }
    // Signing refuses it too (the signature is not written).
    let key = repo_keys().join("signing-key.pem");
    let sign = vec![
        "sign".to_owned(),
        "key".to_owned(),
        "--allow-symlinks".to_owned(),
        "--private-key".to_owned(),
        key.to_string_lossy().into_owned(),
        "--signature".to_owned(),
        "model.sig".to_owned(),
        "symlink_model".to_owned(),
    ];
    let out = run_ours(tmp.path(), &sign);
    if out.status.code() != Some(1)
        || !text(&out).contains("symlink_file")
        || tmp.path().join("model.sig").exists()
    {
        failures.push(format!(
            "sign: exit {:?}: {}",
            out.status.code(),
            text(&out).trim_end()
        ));
    }
    for (_, _, _, serialization) in golden_kinds() {
        match golden_hashing(serialization).hash(&model) {
            Ok(h) => failures.push(format!(
                "library hashed it: {:?}",
                manifest_map(&h.manifest)
            )),
            Err(e) => {
                let msg = e.to_string();
                if !msg.contains("symlink_file") || !msg.contains("outside the model") {
                    failures.push(format!("library error does not name the link: {msg}"));
                }
            }
        }
    }
    report("outside-symlink checks", failures);
}
