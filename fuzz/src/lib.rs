//! The fuzz targets of model-signing-rs, as plain functions.
//!
//! Each `fuzz_targets/<name>.rs` is a thin libFuzzer entry point that calls
//! `targets::<name>::run`; keeping the logic here lets the regression test
//! (`tests/regressions.rs`) replay every recorded input without libFuzzer, and keeps
//! the harnesses themselves testable.
//!
//! A target does more than look for panics: where it is cheap, it asserts a property
//! (a parsed document written back reads back the same; a signature that verifies is
//! one of the test vectors' signatures, since nobody but the key holder can make a new
//! one; what a validated manifest names is what a statement built from it lists). A
//! broken property is a panic, which libFuzzer reports as a crash.

pub mod json_mutator;
pub mod known;
pub mod split;
pub mod targets;
pub mod vectors;

/// A target's entry point.
pub type Target = fn(&[u8]);

/// Every target, by name, for the regression replay.
pub const TARGETS: &[(&str, Target)] = &[
    ("bundle_verify", targets::bundle_verify::run),
    ("bundle_strict", targets::bundle_strict::run),
    ("certificate_chain", targets::certificate_chain::run),
    ("tlog_entry", targets::tlog_entry::run),
    ("checkpoint", targets::checkpoint::run),
    ("timestamp", targets::timestamp::run),
    ("sct", targets::sct::run),
    ("pem_keys", targets::pem_keys::run),
    ("pkcs11_uri", targets::pkcs11_uri::run),
    ("model_check", targets::model_check::run),
    ("manifest_spec", targets::manifest_spec::run),
    ("trust_root", targets::trust_root::run),
];

/// Whether `FUZZ_DEBUG` is set: targets then print what happened to each input (used
/// by `fuzz.sh seed --check` to see how deep the seeds go).
pub fn debug() -> bool {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}

/// Prints a line when [`debug`] is on.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)*) => {
        if $crate::debug() {
            eprintln!($($arg)*);
        }
    };
}

#[cfg(test)]
mod regressions;
