//! What crosses to JavaScript (the wasm package) and to HTTP clients (the signing
//! daemon), defined once so that both answer with the same codes and the same shapes:
//!
//! * [`error`]: the stable error codes ([`ErrorCode`]) and the `{code, reason, message}`
//!   error ([`ApiError`]) every core error maps to;
//! * [`shapes`]: the JSON of verified signatures, signers, manifests, per-file reports
//!   and hasher output, and the inputs callers send (serializations, check options,
//!   file lists, manifests to sign).

pub mod error;
pub mod shapes;

pub use error::{ApiError, ErrorCode};
