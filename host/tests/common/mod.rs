//! Helpers shared by the CLI integration tests: running the binary, the key files of
//! the vectors, building models, reading a signature's payload, and checking that a
//! failed command left nothing behind.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use model_signing::model_signing_core::encoding::{b64decode, b64encode};

/// P-256 private key (PKCS #8 PEM).
pub const P256: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/generated-v1.1.1/keys/p256.pem"
);
/// P-256 public key.
pub const P256_PUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/generated-v1.1.1/keys/p256-pub.pem"
);
/// P-521 private key.
pub const P521: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/generated-v1.1.1/keys/p521.pem"
);
/// P-521 public key.
pub const P521_PUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/generated-v1.1.1/keys/p521-pub.pem"
);
/// P-384 private key of the certificate vectors (certtool text before the PEM).
pub const CERT_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key.pem"
);
/// Its public key.
pub const CERT_KEY_PUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key-pub.pem"
);
/// The signing (leaf) certificate for [`CERT_KEY`].
pub const LEAF_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key-cert.pem"
);
/// The intermediate CA that issued [`LEAF_CERT`].
pub const INT_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/scripts/tests/keys/certificate/int-ca-cert.pem"
);
/// The self-signed root CA.
pub const ROOT_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/model-transparency/scripts/tests/keys/certificate/ca-cert.pem"
);

/// The first line of a successful sign.
pub const SIGNED: &str = "Signing succeeded\n";
/// The first line of a successful verify.
pub const VERIFIED: &str = "Verification succeeded\n";

/// The binary, with a clean environment for the variables it reads.
pub fn ms() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_model_signing"));
    c.env_remove("MODEL_SIGNING_LOG_LEVEL")
        .env_remove("MODEL_SIGNING_KEY_PASSWORD")
        .env_remove("NO_COLOR");
    c
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `cmd` to completion.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run model_signing");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// Asserts `Signing succeeded` and exit 0.
    #[track_caller]
    pub fn signed(&self) -> &Self {
        assert_eq!(self.code, Some(0), "sign failed: {self:#?}");
        assert_eq!(self.stdout, SIGNED, "{self:#?}");
        self
    }

    /// Asserts `Verification succeeded` and exit 0.
    #[track_caller]
    pub fn verified(&self) -> &Self {
        assert_eq!(self.code, Some(0), "verify failed: {self:#?}");
        assert_eq!(self.stdout, VERIFIED, "{self:#?}");
        self
    }

    /// Asserts a failed run (exit 1, nothing on stdout) whose stderr is one line
    /// `<prefix><message>` with `message` holding every `needle`; returns the message.
    #[track_caller]
    pub fn failed_with(&self, prefix: &str, needles: &[&str]) -> String {
        assert_eq!(self.code, Some(1), "expected exit 1: {self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting with {prefix:?}: {self:#?}"));
        let message = &line[prefix.len()..];
        assert!(!message.trim().is_empty(), "empty error message: {self:#?}");
        for n in needles {
            assert!(message.contains(n), "{n:?} not in {message:?}");
        }
        message.to_string()
    }

    /// Asserts `Verification failed with error: ...` naming every needle.
    #[track_caller]
    pub fn verify_failed(&self, needles: &[&str]) -> String {
        self.failed_with("Verification failed with error: ", needles)
    }

    /// Asserts `Signing failed with error: ...` naming every needle.
    #[track_caller]
    pub fn sign_failed(&self, needles: &[&str]) -> String {
        self.failed_with("Signing failed with error: ", needles)
    }
}

/// A fresh temporary directory.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Writes `data` to `path`, creating its parent directories.
pub fn put(path: &Path, data: impl AsRef<[u8]>) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).unwrap();
    }
    fs::write(path, data).unwrap();
}

/// Creates `root/<rel>` for each `(rel, content)`; returns `root`.
pub fn model(root: &Path, files: &[(&str, &str)]) -> PathBuf {
    fs::create_dir_all(root).unwrap();
    for (rel, content) in files {
        put(&root.join(rel), content);
    }
    root.to_path_buf()
}

/// A symlink at `link` pointing to `target` (as written).
pub fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// `sign key MODEL --private-key P256 --signature SIG EXTRA...`.
pub fn sign_key(model: &Path, sig: &Path, extra: &[&str]) -> Run {
    run(ms()
        .args(["sign", "key"])
        .arg(model)
        .args(["--private-key", P256, "--signature"])
        .arg(sig)
        .args(extra))
}

/// `verify key MODEL --public-key P256_PUB --signature SIG EXTRA...`.
pub fn verify_key(model: &Path, sig: &Path, extra: &[&str]) -> Run {
    run(ms()
        .args(["verify", "key"])
        .arg(model)
        .args(["--public-key", P256_PUB, "--signature"])
        .arg(sig)
        .args(extra))
}

/// `sign certificate` with the P-384 vector key, its leaf and the intermediate.
pub fn sign_cert(model: &Path, sig: &Path, extra: &[&str]) -> Run {
    run(ms()
        .args(["sign", "certificate"])
        .arg(model)
        .args([
            "--private-key",
            CERT_KEY,
            "--signing-certificate",
            LEAF_CERT,
            "--certificate-chain",
            INT_CERT,
            "--signature",
        ])
        .arg(sig)
        .args(extra))
}

/// `verify certificate MODEL --signature SIG --certificate-chain C...`.
pub fn verify_cert(model: &Path, sig: &Path, chain: &[&str], extra: &[&str]) -> Run {
    let mut c = ms();
    c.args(["verify", "certificate"])
        .arg(model)
        .arg("--signature")
        .arg(sig);
    for p in chain {
        c.args(["--certificate-chain", p]);
    }
    run(c.args(extra))
}

/// The bundle JSON of a signature file.
pub fn bundle(sig: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(sig).unwrap()).expect("bundle JSON")
}

/// The in-toto statement a signature file carries.
pub fn payload(sig: &Path) -> serde_json::Value {
    let b = bundle(sig);
    let text = b["dsseEnvelope"]["payload"].as_str().expect("payload");
    serde_json::from_slice(&b64decode(text).expect("base64 payload")).expect("payload JSON")
}

/// The payload of `b` re-encoded after `edit` changed it.
pub fn edit_payload(b: &mut serde_json::Value, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = b["dsseEnvelope"]["payload"].as_str().unwrap();
    let mut p: serde_json::Value = serde_json::from_slice(&b64decode(text).unwrap()).unwrap();
    edit(&mut p);
    b["dsseEnvelope"]["payload"] = b64encode(serde_json::to_string(&p).unwrap().as_bytes()).into();
}

/// The resource names a signature lists, in order.
pub fn resources(sig: &Path) -> Vec<String> {
    payload(sig)["predicate"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// The `ignore_paths` a signature records.
pub fn recorded_ignores(sig: &Path) -> Vec<String> {
    payload(sig)["predicate"]["serialization"]["ignore_paths"]
        .as_array()
        .expect("ignore_paths")
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

/// Temporary files the atomic writer could leave in `dir`.
pub fn temp_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".model-signing-") && n.ends_with(".tmp"))
        .collect()
}

/// Every path under `dir` (recursively, not following symlinks), with file contents,
/// to compare a directory before and after a command.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
                out.push((p, None));
            } else if meta.is_file() {
                out.push((p.clone(), Some(fs::read(&p).unwrap())));
            } else {
                out.push((p, None));
            }
        }
    }
    out.sort();
    out
}

/// Runs a sign command that must fail, twice: once with no file at `sig` (none may be
/// created) and once with an existing signature there (it must be left as it was).
/// Neither run may leave a temporary file next to `sig`. `cmd` builds the command.
/// Returns the error message.
#[track_caller]
pub fn assert_sign_fails(sig: &Path, needles: &[&str], cmd: impl Fn() -> Command) -> String {
    let dir = sig.parent().map(Path::to_path_buf).unwrap_or_default();
    let _ = fs::remove_file(sig);
    let first = run(&mut cmd());
    let message = first.sign_failed(needles);
    assert!(!sig.exists(), "a failed sign created {}", sig.display());
    assert_eq!(
        temp_files(&dir),
        Vec::<String>::new(),
        "temporary files left behind"
    );
    if dir.is_dir() {
        let old = "{\"previous\": \"signature\"}";
        fs::write(sig, old).unwrap();
        let second = run(&mut cmd());
        second.sign_failed(needles);
        assert_eq!(
            fs::read_to_string(sig).unwrap(),
            old,
            "a failed sign changed {}",
            sig.display()
        );
        assert_eq!(
            temp_files(&dir),
            Vec::<String>::new(),
            "temporary files left behind"
        );
        fs::remove_file(sig).unwrap();
    }
    message
}

/// Runs `openssl` with `args` in `cwd`, panicking with its stderr on failure.
pub fn openssl(cwd: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the openssl CLI is needed for these tests (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
