//! Sign and verify machine-learning models with OpenSSF model signing, compatible with
//! the Python `model_signing` package in both directions.
//!
//! The API mirrors Python's: a [`hashing::Config`] says how a model is hashed, a
//! [`signing::Config`] signs with a key or a certificate, and a [`verifying::Config`]
//! checks a signature and that the model is exactly what was signed. The format itself
//! (statements, bundles, verifiers) lives in the pure [`model_signing_core`] crate; this
//! crate adds the file system, parallel hashing and key files.
//!
//! ```
//! use model_signing::{hashing, signing, verifying};
//! use model_signing_core::HashAlgorithm;
//!
//! # let dir = tempfile::tempdir()?;
//! # let model = dir.path().join("my-model");
//! # std::fs::create_dir_all(model.join("sub"))?;
//! # std::fs::write(model.join("config.json"), b"{}")?;
//! # std::fs::write(model.join("sub/weights.bin"), vec![7u8; 4096])?;
//! # let certs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
//! #     .join("../tests/vectors/model-transparency/scripts/tests/keys/certificate");
//! let signature = dir.path().join("model.sig");
//! // Sign with a P-384 key, BLAKE3 file hashing.
//! signing::Config::new()
//!     .set_hashing_config(hashing::Config::new().use_file_serialization(HashAlgorithm::Blake3))
//!     .use_elliptic_key_signer(certs.join("signing-key.pem"), None)?
//!     .sign(&model, &signature)?;
//! // Verify: the hashing configuration is read from the signature.
//! let report = verifying::Config::new()
//!     .use_elliptic_key_verifier(certs.join("signing-key-pub.pem"))?
//!     .verify(&model, &signature)?;
//! assert_eq!(report.items, 2);
//! // A changed byte fails, naming the file.
//! std::fs::write(model.join("config.json"), b"{ }")?;
//! let err = verifying::Config::new()
//!     .use_elliptic_key_verifier(certs.join("signing-key-pub.pem"))?
//!     .verify(&model, &signature)
//!     .unwrap_err();
//! assert!(err.to_string().contains("Hash mismatch for 'config.json'"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(unsafe_code)]

pub mod atomic;
mod display;
mod error;
pub mod hashing;
pub mod keyfile;
pub mod keyless;
pub mod pkcs11;
pub mod signing;
pub mod sigstore;
pub mod verifying;
pub mod walk;

pub use error::Error;
pub use model_signing_core;
