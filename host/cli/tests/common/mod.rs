//! The one helper set of the host's integration tests, so that each test reads as a
//! specification of what the product does:
//!
//! * [`cli`]: running our binary (one way: [`ms`] and [`run`]; the conformance adapter
//!   with [`oms`]), the Python reference and other tools, and [`Run`], whose assertions
//!   say what a run must show and leave;
//! * [`model`]: temporary directories, models built from a list of files, and snapshots
//!   of a directory;
//! * [`keys`]: the key and certificate files of the vectors, and `openssl`;
//! * [`signature`]: what a signature file holds (its bundle, statement, resources);
//! * [`softhsm`]: a SoftHSM2 token of its own for each test;
//! * [`keyless`]: a local Sigstore, identity tokens, and stand-ins for the services.
//!
//! Library behaviour is tested through the library (`library.rs`, `pkcs11_library.rs`),
//! the command line through the binary (every other file).

#![allow(dead_code, unused_imports)]

pub mod cli;
pub mod daemon;
pub mod keyless;
pub mod keys;
pub mod model;
pub mod signature;
pub mod softhsm;

use std::path::{Path, PathBuf};

pub use cli::*;
pub use keys::*;
pub use model::*;
pub use signature::*;

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The test vectors (`tests/vectors`: model-transparency and Sigstore).
pub fn vectors() -> PathBuf {
    repo().join("tests/vectors")
}
