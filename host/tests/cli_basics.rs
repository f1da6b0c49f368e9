//! The binary's entry points: version, help and usage errors.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_model_signing"))
}

#[test]
fn version_has_the_reference_shape() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        format!("model_signing, version {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn no_command_prints_help_and_exits_2() {
    let out = bin().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
}

#[test]
fn unknown_option_is_a_usage_error() {
    let out = bin().args(["digest", "--nope", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
