//! [`Pkcs11Signer`]: a key on a token that signs model signatures, over one logged-in
//! session for its whole life.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use cryptoki::mechanism::Mechanism;
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;
use model_signing_core::bundle::VerificationMaterial;
use model_signing_core::keys::{raw_signature_to_der, PublicKey};
use model_signing_core::signing::{SignError, Signer};

use super::key::designated_key;
use super::module::default_module_dirs;
use super::token::TokenSession;
use super::uri::Pkcs11Uri;
use super::{device, Pkcs11Error};

/// Signs with a private key on a PKCS #11 token: an EC key on P-256, P-384 or P-521.
///
/// The signer keeps its logged-in session open for its whole life, so one signer signs
/// any number of models with a single login; the session is closed when the signer is
/// dropped. It is `Send + Sync`: signatures are serialised on the session.
///
/// ```no_run
/// use model_signing::pkcs11::Pkcs11Signer;
/// use model_signing::signing;
///
/// let signer = Pkcs11Signer::open(
///     "pkcs11:token=models;object=release-key?module-name=softhsm2&pin-source=file:/run/secrets/pin",
/// )?;
/// signing::Config::new()
///     .use_signer(Box::new(signer))
///     .sign("my-model".as_ref(), "model.sig".as_ref())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    public_key: PublicKey,
    token: String,
    key_description: String,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token)
            .field("key", &self.key_description)
            .field("curve", &self.public_key.curve())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Opens the key that `uri` designates, searching [`default_module_dirs`] for a
    /// `module-name`.
    pub fn open(uri: &str) -> Result<Self, Pkcs11Error> {
        Self::from_uri(&Pkcs11Uri::parse(uri)?, &default_module_dirs())
    }

    /// Opens the key that `uri` designates, searching `module_dirs` for a `module-name`
    /// (the reference's `module_paths`).
    pub fn from_uri(uri: &Pkcs11Uri, module_dirs: &[PathBuf]) -> Result<Self, Pkcs11Error> {
        // Checked before anything touches the token, so that a URI without a key never
        // costs a login attempt.
        if uri.id().is_none() && uri.object().is_none() {
            return Err(Pkcs11Error::NoKeySelector);
        }
        let session = TokenSession::open(uri, module_dirs)?;
        let key = designated_key(&session, uri)?;
        tracing::debug!(
            token = %session.token,
            key = %key.attributes.describe(),
            curve = %key.public_key.curve(),
            "PKCS #11 key ready"
        );
        Ok(Self {
            session: Mutex::new(session.session),
            key: key.handle,
            public_key: key.public_key,
            key_description: key.attributes.describe(),
            token: session.token,
        })
    }

    /// The label of the token that holds the key.
    pub fn token_label(&self) -> &str {
        &self.token
    }

    /// The key, as `object='label' id=hex`.
    pub fn key_description(&self) -> &str {
        &self.key_description
    }
}

impl Signer for Pkcs11Signer {
    fn verification_material(&self) -> VerificationMaterial {
        VerificationMaterial::PublicKey {
            hint: Some(self.public_key.hint()),
            legacy_raw_bytes: None,
        }
    }

    fn public_key(&self) -> Option<PublicKey> {
        Some(self.public_key.clone())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let curve = self.public_key.curve();
        // CKM_ECDSA signs a digest: hash on the host with the curve's hash (docs/format.md §4),
        // which also works on tokens without the combined ECDSA-SHA* mechanisms.
        let digest = curve.hash().digest(message);
        // A panic elsewhere while holding the lock leaves the session usable: the next
        // C_Sign starts a new operation.
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let raw = session
            .sign(&Mechanism::Ecdsa, self.key, &digest)
            .map_err(|e| SignError::Backend(Box::new(device(&self.token, "C_Sign", &e))))?;
        drop(session);
        raw_signature_to_der(curve, &raw).map_err(|_| {
            SignError::Backend(Box::new(Pkcs11Error::MalformedSignature {
                len: raw.len(),
                curve,
            }))
        })
    }
}
