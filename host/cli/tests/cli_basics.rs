//! The binary's entry points: version, help and usage errors.

mod common;

use common::*;

#[test]
fn version_has_the_reference_shape() {
    let out = run(ms().arg("--version"));
    assert!(out.success());
    assert_eq!(
        out.stdout,
        format!("model_signing, version {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn no_command_prints_help_and_exits_2() {
    let out = run(&mut ms());
    assert_eq!(out.code, Some(2));
    assert!(out.stdout.contains("Usage"));
}

#[test]
fn unknown_option_is_a_usage_error() {
    let out = run(ms().args(["digest", "--nope", "x"]));
    assert_eq!(out.code, Some(2));
}
