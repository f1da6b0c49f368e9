//! Signing a model: the Rust counterpart of Python's `model_signing.signing.Config`.

use std::path::Path;

use model_signing_core::certificate::certificate_public_key;
use model_signing_core::signing::{
    sign_statement, CertificateSigner, KeySigner, SignError, Signer,
};
use model_signing_core::statement::build_statement;

use crate::atomic::write_atomic;
use crate::hashing::{self, HashedModel};
use crate::keyfile::{load_certificates, load_private_key};
use crate::pkcs11::Pkcs11Signer;
use crate::walk::resolve_lenient;
use crate::Error;

/// Fills `buf` from the operating system's random source.
fn os_random(buf: &mut [u8]) -> Result<(), rand_core::Error> {
    use rand_core::RngCore as _;
    rand_core::OsRng.try_fill_bytes(buf)
}

/// Fails early, before a possibly long hashing run, when `signature` cannot be written:
/// its directory does not exist, or it is itself a directory (which would otherwise be
/// ignored as part of the model, and could even make the model look empty).
fn check_writable_destination(signature: &Path) -> Result<(), Error> {
    let fail = |kind, what: String| Error::WriteSignature {
        path: signature.to_path_buf(),
        source: std::io::Error::new(kind, what),
    };
    if signature.is_dir() {
        return Err(fail(
            std::io::ErrorKind::IsADirectory,
            "it is a directory".into(),
        ));
    }
    match signature.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(fail(
            std::io::ErrorKind::NotFound,
            format!("the directory '{}' does not exist", dir.display()),
        )),
        _ => Ok(()),
    }
}

/// The signing certificate (the first one of its file) followed by the certificates of
/// `certificate_chain`, in order; fails unless the signing certificate has a usable key.
fn signing_chain<P: AsRef<Path>>(
    signing_certificate: &Path,
    certificate_chain: &[P],
) -> Result<Vec<Vec<u8>>, Error> {
    let mut chain = load_certificates(&[signing_certificate])?;
    chain.truncate(1);
    certificate_public_key(&chain[0]).map_err(|source| {
        crate::keyfile::KeyFileError::Certificate {
            path: signing_certificate.to_path_buf(),
            source: Box::new(source),
        }
    })?;
    chain.extend(load_certificates(certificate_chain)?);
    Ok(chain)
}

/// How to sign: the hashing configuration and a signer. Reusable across models.
///
/// ```
/// use model_signing::{hashing, signing, verifying};
/// # let dir = tempfile::tempdir()?;
/// # let model = dir.path().join("model");
/// # std::fs::create_dir(&model)?;
/// # std::fs::write(model.join("weights.bin"), b"weights")?;
/// # let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
/// #     .join("../tests/vectors/model-transparency/generated-v1.1.1/keys");
/// let signature = dir.path().join("model.sig");
/// signing::Config::new()
///     .use_elliptic_key_signer(keys.join("p256.pem"), None)?
///     .sign(&model, &signature)?;
/// verifying::Config::new()
///     .use_elliptic_key_verifier(keys.join("p256-pub.pem"))?
///     .verify(&model, &signature)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Config {
    hashing: hashing::Config,
    signer: Option<Box<dyn Signer + Send + Sync>>,
    keyless: Option<crate::keyless::KeylessSigner>,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// What a signing run produced.
#[derive(Clone, Debug)]
pub struct SignOutcome {
    /// The hashed model.
    pub model: HashedModel,
    /// The bundle as written.
    pub bundle_json: String,
}

impl Config {
    /// The default hashing configuration and no signer yet.
    pub fn new() -> Self {
        Self {
            hashing: hashing::Config::new(),
            signer: None,
            keyless: None,
        }
    }

    /// Sets how the model is hashed.
    pub fn set_hashing_config(mut self, hashing: hashing::Config) -> Self {
        self.hashing = hashing;
        self
    }

    /// Signs with a PEM private key (P-256, P-384 or P-521; PKCS #8 or SEC1, encrypted
    /// ones with `password`).
    pub fn use_elliptic_key_signer(
        mut self,
        private_key: impl AsRef<Path>,
        password: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let key = load_private_key(private_key.as_ref(), password)?;
        self.signer = Some(Box::new(KeySigner::new(key, os_random)));
        Ok(self)
    }

    /// Signs with a private key and its certificate; the bundle carries the signing
    /// certificate followed by every certificate of `certificate_chain`.
    pub fn use_certificate_signer<P: AsRef<Path>>(
        mut self,
        private_key: impl AsRef<Path>,
        password: Option<&[u8]>,
        signing_certificate: impl AsRef<Path>,
        certificate_chain: &[P],
    ) -> Result<Self, Error> {
        let key = load_private_key(private_key.as_ref(), password)?;
        let chain = signing_chain(signing_certificate.as_ref(), certificate_chain)?;
        let signer = CertificateSigner::new(KeySigner::new(key, os_random), chain)?;
        self.signer = Some(Box::new(signer));
        Ok(self)
    }

    /// Signs with a key on a PKCS #11 token, designated by an RFC 7512 URI such as
    /// `pkcs11:token=models;object=release?module-name=softhsm2&pin-source=file:/run/pin`
    /// (see [`crate::pkcs11`]). The token stays logged in while this config lives.
    pub fn use_pkcs11_signer(mut self, pkcs11_uri: &str) -> Result<Self, Error> {
        self.signer = Some(Box::new(Pkcs11Signer::open(pkcs11_uri)?));
        Ok(self)
    }

    /// Signs with a key on a PKCS #11 token and its certificate; the bundle carries the
    /// signing certificate followed by every certificate of `certificate_chain`.
    pub fn use_pkcs11_certificate_signer<P: AsRef<Path>>(
        mut self,
        pkcs11_uri: &str,
        signing_certificate: impl AsRef<Path>,
        certificate_chain: &[P],
    ) -> Result<Self, Error> {
        // The files first: a wrong path should not cost a login attempt on the token.
        let chain = signing_chain(signing_certificate.as_ref(), certificate_chain)?;
        let signer = CertificateSigner::new(Pkcs11Signer::open(pkcs11_uri)?, chain)?;
        self.signer = Some(Box::new(signer));
        Ok(self)
    }

    /// Signs keylessly with Sigstore (Python's `use_sigstore_signer`): the identity
    /// token is obtained now from `token`, the services come from `trust`'s signing
    /// configuration (see [`crate::keyless::signing_trust_config`]), and the bundle is
    /// verified against `trust`'s trusted root before it is written.
    pub fn use_sigstore_signer(
        mut self,
        trust: model_signing_core::sigstore::ClientTrustConfig,
        token: crate::keyless::TokenSource,
    ) -> Result<Self, Error> {
        let signer =
            crate::keyless::KeylessSigner::new(trust, token, crate::keyless::HttpPolicy::default())
                .map_err(Box::new)?;
        self.keyless = Some(signer);
        self.signer = None;
        Ok(self)
    }

    /// Signs with any [`Signer`] (a hardware token, a remote service).
    pub fn use_signer(mut self, signer: Box<dyn Signer + Send + Sync>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Hashes `model` and writes its signature to `signature`, atomically. The signature
    /// file itself is left out of the manifest when it lies inside the model.
    pub fn sign(&self, model: &Path, signature: &Path) -> Result<SignOutcome, Error> {
        if self.signer.is_none() && self.keyless.is_none() {
            return Err(Error::NoSigner);
        }
        check_writable_destination(signature)?;
        let mut hashing = self.hashing.clone();
        hashing.add_ignored_paths([resolve_lenient(signature)]);
        let hashed = {
            let _span = tracing::info_span!("hash", model = %model.display()).entered();
            hashing.hash(model)?
        };
        if hashed.manifest.is_empty() {
            return Err(Error::EmptyModel(model.to_path_buf()));
        }
        let payload = build_statement(
            &hashed.model_name,
            &hashed.manifest,
            &hashed.serialization,
            hashed.allow_symlinks,
            &hashed.ignore_paths,
        );
        // The last use_* call wins: use_sigstore_signer clears `signer`.
        let bundle = match (self.signer.as_deref(), &self.keyless) {
            (Some(signer), _) => {
                sign_statement(signer, payload).map_err(|e: SignError| Error::Sign(e))?
            }
            (None, Some(keyless)) => keyless.sign_payload(payload).map_err(Box::new)?,
            (None, None) => return Err(Error::NoSigner),
        };
        let bundle_json = bundle.to_json();
        write_atomic(signature, bundle_json.as_bytes()).map_err(|source| {
            Error::WriteSignature {
                path: signature.to_path_buf(),
                source,
            }
        })?;
        Ok(SignOutcome {
            model: hashed,
            bundle_json,
        })
    }
}
