//! Signing with a key held by a PKCS #11 token (a hardware security module, a smart card,
//! SoftHSM2): `sign pkcs11-key` and `sign pkcs11-certificate`.
//!
//! The token is chosen with an RFC 7512 URI ([`Pkcs11Uri`]), the module that drives it is
//! found by [`locate_module`], and [`Pkcs11Signer`] signs as docs/format.md §4 says: the DSSE
//! PAE is hashed on the host with the curve's hash, the token signs the digest with
//! `CKM_ECDSA`, and its raw `r || s` is converted to DER. [`list_signing_keys`] lists the
//! keys of a token that can sign.
//!
//! Where each step lives:
//!
//! * `uri.rs`: the RFC 7512 URI ([`Pkcs11Uri`]);
//! * `module.rs`: finding the module (`module-path`, `module-name` in
//!   [`default_module_dirs`]) and loading it once per process;
//! * `token.rs`: the token the URI designates (`slot-id`, `token`, `manufacturer`, `model`,
//!   `serial`) and the session on it;
//! * `pin.rs`: the PIN (`pin-value`, `pin-source`) and the login, with each refusal mapped
//!   to its error;
//! * `key.rs`: the private key the URI designates (`id`, `object`), the checks that it can
//!   sign, and its public key;
//! * `signer.rs`: [`Pkcs11Signer`], signing with that key;
//! * `list.rs`: [`list_signing_keys`], the keys of a token that can sign.
//!
//! Errors are [`Pkcs11Error`], here. No error, log line or `Debug` output contains a PIN.

mod key;
mod list;
mod module;
mod pin;
mod signer;
mod token;
mod uri;

use std::path::PathBuf;

use cryptoki::error::RvError;
use model_signing_core::keys::KeyError;

pub use list::{list_signing_keys, list_signing_keys_on, KeyInfo};
pub use module::{default_module_dirs, locate_module};
pub use signer::Pkcs11Signer;
pub use uri::{Component, Pkcs11Uri, UriError};

/// Why PKCS #11 signing or key listing failed: one variant per failure a user can act
/// on. Token labels, key labels and ids appear in messages; PINs never do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The URI is not valid.
    #[error("malformed PKCS #11 URI: {0}")]
    MalformedUri(#[from] UriError),
    /// Neither `module-path` nor `module-name`.
    #[error("the PKCS #11 URI names no module: add module-path=/path/to/module.so or module-name=NAME after '?'")]
    NoModule,
    /// `module-path` does not exist or is neither a file nor a directory.
    #[error("cannot use module-path '{path}': {source}")]
    ModulePath {
        /// The path from the URI.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `module-name` was not found in any directory searched.
    #[error("no PKCS #11 module '{name}' in {}; give its location with module-path=/path/to/module.so", join_paths(.searched))]
    ModuleNotFound {
        /// The name, lowercased.
        name: String,
        /// The directories searched.
        searched: Vec<PathBuf>,
    },
    /// The library could not be loaded, or is not a PKCS #11 module.
    #[error("cannot load the PKCS #11 module '{path}': {reason}")]
    ModuleLoad {
        /// The library.
        path: PathBuf,
        /// What the loader said.
        reason: String,
    },
    /// `C_Initialize` failed.
    #[error("the PKCS #11 module '{path}' failed to initialise ({code}); check its configuration (for SoftHSM2, SOFTHSM2_CONF and its token directory)")]
    ModuleInit {
        /// The library.
        path: PathBuf,
        /// The `CKR_*` code.
        code: String,
    },
    /// The `pin-source` file could not be read.
    #[error("cannot read the PIN file '{path}' (pin-source): {source}")]
    PinSource {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A `pin-source` that is not a local absolute path.
    #[error("pin-source '{0}' is not supported: give an absolute file path, as file:/path/to/pin or /path/to/pin")]
    UnsupportedPinSource(String),
    /// The URI names neither a slot nor a token.
    #[error("the PKCS #11 URI does not say which token to use: add token=LABEL (or slot-id=N) before '?'")]
    NoTokenSelector,
    /// No token matches the URI.
    #[error("no token matches {wanted} in module '{}'; {}", .module.display(), describe_tokens(.available))]
    TokenNotFound {
        /// What the URI asked for, e.g. `token='models'`.
        wanted: String,
        /// The module searched.
        module: PathBuf,
        /// The tokens present, as `'label' (slot-id N)`.
        available: Vec<String>,
    },
    /// `C_Login` refused the PIN.
    #[error("the PIN was rejected by token '{token}' ({code}); check pin-value or the pin-source file (repeated failures may lock the token)")]
    PinIncorrect {
        /// The token's label.
        token: String,
        /// `CKR_PIN_INCORRECT`, `CKR_PIN_LEN_RANGE` or `CKR_PIN_INVALID`.
        code: String,
    },
    /// The user PIN is locked: `C_Login` returned `CKR_PIN_LOCKED`, or the token's flags
    /// say so (`CKF_USER_PIN_LOCKED`), in which case no login is attempted.
    #[error("the user PIN of token '{token}' is locked (too many wrong PINs): the token's security officer must reset it (e.g. `pkcs11-tool --login --login-type so --init-pin`) before it can sign")]
    PinLocked {
        /// The token's label.
        token: String,
    },
    /// Neither `id` nor `object`.
    #[error("the PKCS #11 URI does not say which key to use: add object=LABEL and/or id=BYTES (percent-encoded, e.g. id=%01) before '?'")]
    NoKeySelector,
    /// No private key matches.
    #[error("no private key on token '{token}' matches {wanted}{}", if *.logged_in { "" } else { "; no PIN was given, and tokens show private keys only after login: add pin-value or pin-source" })]
    KeyNotFound {
        /// The token's label.
        token: String,
        /// What the URI asked for.
        wanted: String,
        /// Whether the session was logged in.
        logged_in: bool,
    },
    /// Several private keys match.
    #[error("{count} private keys on token '{token}' match {wanted}; add id=... (or a more precise object=...) to choose one")]
    AmbiguousKey {
        /// The token's label.
        token: String,
        /// What the URI asked for.
        wanted: String,
        /// How many matched.
        count: usize,
    },
    /// The key is not an EC key (RSA, EdDSA…).
    #[error("the key {key} on token '{token}' is of type {key_type}; only EC keys on P-256, P-384 and P-521 can sign model signatures")]
    UnsupportedKeyType {
        /// The token's label.
        token: String,
        /// The key, as `object='l' id=01`.
        key: String,
        /// The `CKK_*` type.
        key_type: String,
    },
    /// An EC key on another curve.
    #[error("the key {key} on token '{token}' is on an unsupported curve ({curve}); supported: secp256r1, secp384r1, secp521r1")]
    UnsupportedCurve {
        /// The token's label.
        token: String,
        /// The key.
        key: String,
        /// The curve's OID or a description of its parameters.
        curve: String,
    },
    /// `CKA_SIGN` is false.
    #[error("the key {key} on token '{token}' is not allowed to sign (CKA_SIGN is false)")]
    KeyCannotSign {
        /// The token's label.
        token: String,
        /// The key.
        key: String,
    },
    /// The key wants the PIN again for every signature (`CKA_ALWAYS_AUTHENTICATE`).
    #[error("the key {key} on token '{token}' requires a login before each signature (CKA_ALWAYS_AUTHENTICATE), which is not supported; use a key without it")]
    AlwaysAuthenticate {
        /// The token's label.
        token: String,
        /// The key.
        key: String,
    },
    /// No public key object, certificate or public point for the key.
    #[error("cannot find the public key of {key} on token '{token}': no public key object or certificate with its id, and the private key does not expose its point")]
    NoPublicKey {
        /// The token's label.
        token: String,
        /// The key.
        key: String,
    },
    /// The token's public key data does not decode.
    #[error("the public key of {key} on token '{token}' is not valid: {source}")]
    InvalidPublicKey {
        /// The token's label.
        token: String,
        /// The key.
        key: String,
        /// The cause.
        source: KeyError,
    },
    /// The token returned something that is not a raw `r || s` of the key's curve.
    #[error(
        "the token returned a {len}-byte signature, which is not a raw ECDSA r||s for {curve}"
    )]
    MalformedSignature {
        /// Its length.
        len: usize,
        /// The key's curve.
        curve: model_signing_core::keys::Curve,
    },
    /// Any other failure of a PKCS #11 call.
    #[error("{function} failed on token '{token}' ({code})")]
    Device {
        /// The token's label (empty before a token was chosen).
        token: String,
        /// The PKCS #11 function.
        function: &'static str,
        /// The `CKR_*` code or the wrapper's message.
        code: String,
    },
}

impl From<Pkcs11Error> for crate::Error {
    fn from(e: Pkcs11Error) -> Self {
        Self::Pkcs11(Box::new(e))
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_tokens(available: &[String]) -> String {
    if available.is_empty() {
        "the module reports no token at all".into()
    } else {
        format!("tokens present: {}", available.join(", "))
    }
}

/// The `CKR_*` name of a return value (`PinIncorrect` → `CKR_PIN_INCORRECT`); cryptoki's
/// own `Display` is a paragraph from the specification, too long for a message.
pub(crate) fn rv_name(rv: RvError) -> String {
    match rv {
        RvError::VendorDefined(code) => format!("vendor-defined CKR 0x{code:08X}"),
        RvError::UnknownErrorCode(code) => format!("CKR 0x{code:08X}"),
        other => {
            let camel = format!("{other:?}");
            let mut out = String::from("CKR");
            for c in camel.chars() {
                if c.is_ascii_uppercase() {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
            }
            out
        }
    }
}

/// A failed PKCS #11 `function` on `token` (empty before a token was chosen).
fn device(token: &str, function: &'static str, e: &cryptoki::error::Error) -> Pkcs11Error {
    Pkcs11Error::Device {
        token: token.to_string(),
        function,
        code: ck_code(e),
    }
}

/// A cryptoki error as a code for messages.
pub(crate) fn ck_code(e: &cryptoki::error::Error) -> String {
    match e {
        cryptoki::error::Error::Pkcs11(rv, _) => rv_name(*rv),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rv_names() {
        assert_eq!(rv_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(rv_name(RvError::PinLocked), "CKR_PIN_LOCKED");
        assert_eq!(rv_name(RvError::SlotIdInvalid), "CKR_SLOT_ID_INVALID");
        assert_eq!(
            rv_name(RvError::UserPinNotInitialized),
            "CKR_USER_PIN_NOT_INITIALIZED"
        );
        assert_eq!(rv_name(RvError::UnknownErrorCode(0x1234)), "CKR 0x00001234");
    }
}
