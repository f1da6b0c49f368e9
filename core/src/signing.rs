//! Producing signatures: the [`Signer`] trait that every signing backend implements
//! (key files, certificates, and later PKCS #11 devices and Sigstore), and the function
//! that turns a statement into a bundle.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::bundle::{Bundle, VerificationMaterial};
use crate::certificate::{certificate_public_key, CertificateError};
use crate::dsse::{pae, Envelope, EnvelopeSignature, IN_TOTO_PAYLOAD_TYPE};
use crate::keys::{PublicKey, SigningKey};

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The signing certificate's key is not the private key's.
    #[error("the public key from the certificate does not match the public key paired with the private key")]
    CertificateKeyMismatch,
    /// The signing certificate could not be read.
    #[error("the signing certificate is not usable: {0}")]
    Certificate(#[from] CertificateError),
    /// The backend returned a signature that does not verify with its own public key
    /// (a faulty device or a key/certificate mix-up); nothing is written.
    #[error("the signer produced a signature that does not verify with its public key")]
    SelfCheckFailed,
    /// The backend (a device, a service) failed.
    #[error(transparent)]
    Backend(Box<dyn core::error::Error + Send + Sync>),
}

/// A signing backend: it signs the DSSE PAE and says how the bundle identifies it.
pub trait Signer {
    /// The verification material to put in the bundle.
    fn verification_material(&self) -> VerificationMaterial;

    /// The public key that verifies this signer's signatures, when it has a fixed one;
    /// used to check every signature before it is written.
    fn public_key(&self) -> Option<PublicKey>;

    /// Signs `message` (the PAE bytes) and returns a DER ECDSA signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// Fills a buffer with cryptographically secure random bytes (the platform's source:
/// `getrandom` natively, `crypto.getRandomValues` in browsers). Core has none of its own.
pub type FillRandom = fn(&mut [u8]) -> Result<(), rand_core::Error>;

/// Adapts a [`FillRandom`] to the `rand_core` traits the ECDSA crates take.
struct PlatformRng(FillRandom);

impl rand_core::RngCore for PlatformRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // An RNG failure must not yield a weak nonce: stop rather than continue.
        (self.0)(dest).expect("the platform random number generator failed")
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        (self.0)(dest)
    }
}

impl rand_core::CryptoRng for PlatformRng {}

/// Signs with an in-memory private key (`sign key`).
#[derive(Debug, Clone)]
pub struct KeySigner {
    key: SigningKey,
    random: FillRandom,
}

impl KeySigner {
    /// A signer for `key`, drawing nonce randomness from `random`.
    pub fn new(key: SigningKey, random: FillRandom) -> Self {
        Self { key, random }
    }
}

impl Signer for KeySigner {
    fn verification_material(&self) -> VerificationMaterial {
        VerificationMaterial::PublicKey {
            hint: Some(self.key.public_key().hint()),
            legacy_raw_bytes: None,
        }
    }

    fn public_key(&self) -> Option<PublicKey> {
        Some(self.key.public_key())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.key.sign(message, &mut PlatformRng(self.random)))
    }
}

/// Wraps any key-holding signer with a certificate chain (`sign certificate`, and
/// `sign pkcs11-certificate` with a device-backed inner signer).
pub struct CertificateSigner<S> {
    inner: S,
    chain: Vec<Vec<u8>>,
}

impl<S: Signer> CertificateSigner<S> {
    /// `chain` is the signing certificate followed by any further certificates (DER).
    /// Fails unless the signing certificate's key is the signer's key.
    pub fn new(inner: S, chain: Vec<Vec<u8>>) -> Result<Self, SignError> {
        let leaf = chain.first().ok_or(SignError::CertificateKeyMismatch)?;
        let cert_key = certificate_public_key(leaf)?;
        if inner.public_key().as_ref() != Some(&cert_key) {
            return Err(SignError::CertificateKeyMismatch);
        }
        Ok(Self { inner, chain })
    }
}

impl<S: Signer> Signer for CertificateSigner<S> {
    fn verification_material(&self) -> VerificationMaterial {
        VerificationMaterial::X509CertificateChain(self.chain.clone())
    }

    fn public_key(&self) -> Option<PublicKey> {
        self.inner.public_key()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.inner.sign(message)
    }
}

/// Signs a statement (the DSSE payload) and returns the v0.3 bundle.
pub fn sign_statement(signer: &dyn Signer, payload: Vec<u8>) -> Result<Bundle, SignError> {
    let message = pae(IN_TOTO_PAYLOAD_TYPE, &payload);
    let sig = signer.sign(&message)?;
    if let Some(key) = signer.public_key() {
        key.verify(&message, &sig)
            .map_err(|_| SignError::SelfCheckFailed)?;
    }
    Ok(Bundle::dsse(
        signer.verification_material(),
        Envelope {
            payload,
            payload_type: IN_TOTO_PAYLOAD_TYPE.into(),
            signatures: alloc::vec![EnvelopeSignature {
                sig,
                keyid: Some(String::new()),
            }],
        },
    ))
}
