//! Shared helpers for the cross-part tests: where the vectors are, how to run our CLI
//! and the Python reference, and small model builders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `tests/vectors/` in the repository.
pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// `tests/vectors/model-transparency/`.
pub fn mt_vectors() -> PathBuf {
    vectors().join("model-transparency")
}

/// The `model_signing` binary built by cargo for this test run.
///
/// `cargo test` builds it because the `model-signing` package has integration tests;
/// `MODEL_SIGNING_BIN` overrides the location.
pub fn our_cli() -> PathBuf {
    if let Some(p) = std::env::var_os("MODEL_SIGNING_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test>-<hash> -> target/<profile>/model_signing
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("model_signing{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: run the tests with `cargo test --workspace` (which builds it) or set MODEL_SIGNING_BIN",
        bin.display()
    );
    bin
}

/// Runs our CLI with `args` in `cwd`.
pub fn run_ours<I, S>(cwd: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(our_cli())
        .current_dir(cwd)
        .args(args)
        .env_remove("MODEL_SIGNING_LOG_LEVEL")
        .output()
        .expect("run model_signing")
}

/// The Python interpreter of the reference virtualenv (`model-signing==1.1.1`).
///
/// `scripts/test.sh` creates it with `scripts/setup-reference.sh` and exports
/// `MODEL_SIGNING_REFERENCE_PYTHON`; without it the interop tests fail, saying so.
pub fn reference_python() -> PathBuf {
    if let Some(p) = std::env::var_os("MODEL_SIGNING_REFERENCE_PYTHON") {
        return PathBuf::from(p);
    }
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/reference-venv/bin/python");
    assert!(
        default.exists(),
        "the Python reference is not installed: run scripts/setup-reference.sh (scripts/test.sh does) or set MODEL_SIGNING_REFERENCE_PYTHON"
    );
    default
}

/// The reference's `model_signing` CLI, next to its Python.
pub fn reference_cli() -> PathBuf {
    if let Some(p) = std::env::var_os("MODEL_SIGNING_REFERENCE_CLI") {
        return PathBuf::from(p);
    }
    reference_python().with_file_name("model_signing")
}

/// Text of stdout and stderr together, for assertions on messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Writes `files` (relative path, content) under `root`, creating directories.
pub fn write_model(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, content) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&p, content).expect("write file");
    }
}

/// Copies a directory tree (files and directories; symlinks are not expected).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}
