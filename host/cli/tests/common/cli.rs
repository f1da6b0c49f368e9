//! Running programs: our binary (one way, [`ms`], run by [`run`]), the Python reference
//! ([`reference`]) and other tools ([`check`]). Every run is a [`Run`], whose assertions
//! say what a successful or failed command must print and leave behind.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::keys::{CERT_KEY, INT_CERT, LEAF_CERT, P256, P256_PUB};
use super::model::temp_files;
use super::repo;

/// The first line of a successful sign.
pub const SIGNED: &str = "Signing succeeded\n";
/// The first line of a successful verify.
pub const VERIFIED: &str = "Verification succeeded\n";

/// Our binary, with a clean environment for the variables it reads (log level, key
/// password, colour, identity tokens, GitHub Actions, OpenTelemetry), and no proxy for
/// the services the tests start on the loopback interface.
pub fn ms() -> Command {
    clean(env!("CARGO_BIN_EXE_model_signing"))
}

/// The OMS conformance suite's adapter (`oms_conformance`), with the same clean
/// environment as [`ms`].
pub fn oms() -> Command {
    clean(env!("CARGO_BIN_EXE_oms_conformance"))
}

fn clean(program: &str) -> Command {
    let mut c = Command::new(program);
    for v in [
        "MODEL_SIGNING_LOG_LEVEL",
        "MODEL_SIGNING_KEY_PASSWORD",
        "NO_COLOR",
        "SIGSTORE_ID_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ] {
        c.env_remove(v);
    }
    c.env("NO_PROXY", "127.0.0.1,localhost");
    c
}

/// A program of the Python reference's environment (`model_signing` 1.1.1, or
/// sigstore-python's `sigstore`): the one beside MODEL_SIGNING_REFERENCE_CLI, which
/// `scripts/test.sh` exports, or the project's venv.
pub fn reference(program: &str) -> Command {
    let cli = std::env::var_os("MODEL_SIGNING_REFERENCE_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache/reference-venv/bin/model_signing"));
    assert!(
        cli.exists(),
        "the Python reference is not installed: run scripts/setup-reference.sh (scripts/test.sh does) or set MODEL_SIGNING_REFERENCE_CLI"
    );
    Command::new(cli.parent().unwrap().join(program))
}

/// What a run of a program did.
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
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()))
        .into()
}

/// Runs a tool (openssl, pkcs11-tool, softhsm2-util…) that must succeed, failing the test
/// with its output otherwise.
pub fn check(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?} ({e}): install it (scripts/setup-softhsm.sh installs softhsm2, opensc and p11-kit; apt-get install -y openssl)",
            cmd.get_program()
        )
    });
    let out = Run::from(out);
    assert!(out.success(), "{cmd:?} failed: {}", out.text());
    out
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Standard output followed by standard error.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

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

    /// Asserts a failed sign that left nothing behind: exit 1, the failure line, every
    /// needle somewhere in the output, no panic, no file at `signature` and no temporary
    /// file beside it. For signers whose messages may take several lines (devices,
    /// services); [`Run::sign_failed`] checks the one-line form.
    #[track_caller]
    pub fn sign_failed_cleanly(&self, signature: &Path, needles: &[&str]) -> &Self {
        let all = self.text();
        assert_eq!(self.code, Some(1), "{all}");
        assert!(all.contains("Signing failed with error: "), "{all}");
        for needle in needles {
            assert!(all.contains(needle), "missing {needle:?} in: {all}");
        }
        assert!(!all.contains("panicked"), "{all}");
        assert!(!signature.exists(), "{} was written", signature.display());
        let leftovers = temp_files(signature.parent().unwrap());
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        self
    }
}

/// The command `sign key MODEL --private-key KEY --signature SIG EXTRA...`, as a builder
/// that [`assert_sign_fails`] can run twice.
pub fn sign_with(model: &Path, key: &Path, sig: &Path, extra: &[&str]) -> impl Fn() -> Command {
    let (model, key, sig) = (model.to_path_buf(), key.to_path_buf(), sig.to_path_buf());
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    move || {
        let mut c = ms();
        c.args(["sign", "key"])
            .arg(&model)
            .arg("--private-key")
            .arg(&key)
            .arg("--signature")
            .arg(&sig)
            .args(&extra);
        c
    }
}

/// `sign key MODEL --private-key KEY --signature SIG EXTRA...`.
pub fn sign_key_with(model: &Path, key: &Path, sig: &Path, extra: &[&str]) -> Run {
    run(&mut sign_with(model, key, sig, extra)())
}

/// `sign key MODEL --private-key P256 --signature SIG EXTRA...`.
pub fn sign_key(model: &Path, sig: &Path, extra: &[&str]) -> Run {
    sign_key_with(model, Path::new(P256), sig, extra)
}

/// `verify key MODEL --public-key KEY --signature SIG EXTRA...`.
pub fn verify_key_with(model: &Path, key: &Path, sig: &Path, extra: &[&str]) -> Run {
    run(ms()
        .args(["verify", "key"])
        .arg(model)
        .arg("--public-key")
        .arg(key)
        .arg("--signature")
        .arg(sig)
        .args(extra))
}

/// `verify key MODEL --public-key P256_PUB --signature SIG EXTRA...`.
pub fn verify_key(model: &Path, sig: &Path, extra: &[&str]) -> Run {
    verify_key_with(model, Path::new(P256_PUB), sig, extra)
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
