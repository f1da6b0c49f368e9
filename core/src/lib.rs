//! Pure core of OpenSSF model signing (the format of `sigstore/model-transparency`).
//!
//! This crate holds everything that does not touch the outside world: streaming
//! hashers, file and shard serialization, manifests and their root digest, the in-toto
//! statement, DSSE, the Sigstore bundle JSON, and the key and certificate verifiers.
//! It does no I/O, reads no clock and starts no threads: callers pass bytes (and, where
//! a time matters, the time), which is what lets the same code run natively, in
//! browsers and in edge runtimes.
//!
//! It is `no_std` + `alloc`; the additive `std` feature only adds
//! `std::error::Error` implementations and conveniences.
//!
//! The layering of a signature, outermost first:
//!
//! ```text
//! model.sig = Sigstore bundle JSON ([`bundle`])
//!   └─ DSSE envelope ([`dsse`])
//!        └─ in-toto statement ([`statement`]) whose predicate lists every file's digest
//!           ([`manifest`]), hashed as [`serialization`] says with [`hashing`]
//! ```
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod api;
pub mod bundle;
pub mod certificate;
pub mod dsse;
pub mod encoding;
pub mod hashing;
pub mod identifier;
pub mod json;
pub mod keys;
pub mod manifest;
pub mod model_check;
pub mod oids;
pub mod serialization;
pub mod signing;
pub mod sigstore;
pub mod statement;
pub mod verify;

pub use hashing::{Digest, HashAlgorithm};
pub use identifier::{ModelPath, ResourceKey};
pub use manifest::{Manifest, ManifestDiff};
pub use serialization::Serialization;
