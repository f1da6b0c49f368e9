//! Listing the keys of a token that [`super::Pkcs11Signer`] can use, each with a URI
//! that selects it.

use std::path::{Path, PathBuf};

use model_signing_core::encoding::hex;
use model_signing_core::keys::Curve;

use super::key::{private_keys, signing_key, KeyAttributes};
use super::module::default_module_dirs;
use super::token::TokenSession;
use super::uri::Pkcs11Uri;
use super::Pkcs11Error;

/// A key of a token that can sign model signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// `CKA_LABEL` (lossy UTF-8).
    pub label: String,
    /// `CKA_ID`, lowercase hex.
    pub id: String,
    /// The curve.
    pub curve: Curve,
    /// The public key, PEM (SubjectPublicKeyInfo).
    pub public_key_pem: String,
    /// A URI that selects this key on its token, without a PIN: the listing URI's module
    /// and token attributes plus this key's `id` (and `object` when it has a label).
    pub uri: String,
}

/// Lists the keys of the token `uri` designates that [`Pkcs11Signer`] can use: EC private
/// keys on P-256, P-384 or P-521 that may sign, with their public keys. `id` and `object`
/// in the URI narrow the list. Other keys (RSA, other curves, keys without a public key)
/// are left out.
///
/// [`Pkcs11Signer`]: super::Pkcs11Signer
///
/// Most tokens show private keys only after login, so without a PIN in the URI the list
/// is usually empty.
pub fn list_signing_keys(uri: &str) -> Result<Vec<KeyInfo>, Pkcs11Error> {
    list_keys(&Pkcs11Uri::parse(uri)?, &default_module_dirs())
}

/// [`list_signing_keys`] for the token labelled `token` of the module at `module`,
/// logging in with `pin` when given.
pub fn list_signing_keys_on(
    module: &Path,
    token: &str,
    pin: Option<&[u8]>,
) -> Result<Vec<KeyInfo>, Pkcs11Error> {
    let mut uri = Pkcs11Uri::new().with_path_attribute("token", token);
    uri = uri.with_query_attribute("module-path", module.as_os_str().as_encoded_bytes());
    if let Some(pin) = pin {
        uri = uri.with_query_attribute("pin-value", pin);
    }
    list_keys(&uri, &default_module_dirs())
}

fn list_keys(uri: &Pkcs11Uri, module_dirs: &[PathBuf]) -> Result<Vec<KeyInfo>, Pkcs11Error> {
    let session = TokenSession::open(uri, module_dirs)?;
    let handles = private_keys(&session, uri)?;
    let mut keys = Vec::new();
    for handle in handles {
        let key = match signing_key(&session, handle) {
            Ok(key) => key,
            // Keys this signer cannot use are not listed.
            Err(e @ Pkcs11Error::Device { .. }) => return Err(e),
            Err(e) => {
                tracing::debug!("not listed: {e}");
                continue;
            }
        };
        let KeyAttributes { id, label, .. } = key.attributes;
        let mut key_uri = Pkcs11Uri::new();
        for name in ["token", "manufacturer", "model", "serial", "slot-id"] {
            if let Some(v) = uri.path_attribute(name) {
                key_uri = key_uri.with_path_attribute(name, v);
            }
        }
        if !label.is_empty() {
            key_uri = key_uri.with_path_attribute("object", label.as_slice());
        }
        key_uri = key_uri.with_path_attribute("id", id.as_slice());
        for name in ["module-path", "module-name"] {
            if let Some(v) = uri.query_attribute(name) {
                key_uri = key_uri.with_query_attribute(name, v);
            }
        }
        keys.push(KeyInfo {
            label: String::from_utf8_lossy(&label).into_owned(),
            id: hex(&id),
            curve: key.public_key.curve(),
            public_key_pem: key.public_key.to_pem(),
            uri: key_uri.format(),
        });
    }
    keys.sort_by(|a, b| (&a.id, &a.label).cmp(&(&b.id, &b.label)));
    Ok(keys)
}
