//! Signing a model: the Rust counterpart of Python's `model_signing.signing.Config`.

use std::path::{Path, PathBuf};

use model_signing_core::api::shapes::ValidatedManifest;
use model_signing_core::bundle::{Bundle, Content, VerificationMaterial};
use model_signing_core::certificate::{certificate_public_key, check_valid_at};
use model_signing_core::keys::PublicKey;
use model_signing_core::manifest::MAX_RESOURCES;
use model_signing_core::signing::{sign_statement, CertificateSigner, KeySigner, Signer};
use model_signing_core::sigstore::identity::Matcher;
use model_signing_core::sigstore::timestamp::stated_time;
use model_signing_core::sigstore::IdentityPolicy;
use model_signing_core::statement::build_statement;
use model_signing_core::verify::{
    verify_bundle, verify_bundle_signed_by, SignerIdentity, VerifiedSignature, Verifier,
    VerifyError,
};

use crate::atomic::write_atomic;
use crate::hashing::{self, Changes, HashedModel, Previous};
use crate::keyfile::{
    certificates_from_pem, load_certificates, load_private_key, private_key_from_pem, KeyFileError,
};
use crate::keyless::KeylessSigner;
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

/// `leaf` (the first certificate of its PEM) followed by every certificate of `chain`;
/// fails unless the leaf has a usable key. `leaf_name` names the leaf in errors.
fn signing_chain(
    mut leaf: Vec<Vec<u8>>,
    leaf_name: &Path,
    chain: Vec<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, Error> {
    leaf.truncate(1);
    certificate_public_key(&leaf[0]).map_err(|source| KeyFileError::Certificate {
        path: leaf_name.to_path_buf(),
        source: Box::new(source),
    })?;
    leaf.extend(chain);
    Ok(leaf)
}

/// A signing backend: what signs the statement, and how the bundle names it.
pub enum Backend {
    /// A private key (`sign key`).
    Key(KeySigner),
    /// A private key and its certificate chain (`sign certificate`).
    Certificate(CertificateSigner<KeySigner>),
    /// A key on a PKCS #11 token (`sign pkcs11-key`).
    Pkcs11(Pkcs11Signer),
    /// A key on a PKCS #11 token and its certificate chain (`sign pkcs11-certificate`).
    Pkcs11Certificate(CertificateSigner<Pkcs11Signer>),
    /// Sigstore keyless signing (`sign sigstore`).
    Sigstore(Box<KeylessSigner>),
    /// Any other [`Signer`] (a remote service, a test double).
    Other(Box<dyn Signer + Send + Sync>),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never key material: only which kind of backend.
        f.write_str(match self {
            Self::Key(_) => "Backend::Key",
            Self::Certificate(_) => "Backend::Certificate",
            Self::Pkcs11(_) => "Backend::Pkcs11",
            Self::Pkcs11Certificate(_) => "Backend::Pkcs11Certificate",
            Self::Sigstore(_) => "Backend::Sigstore",
            Self::Other(_) => "Backend::Other",
        })
    }
}

impl Backend {
    /// Signs a statement (the DSSE payload) and returns the bundle.
    pub fn sign_statement(&self, payload: Vec<u8>) -> Result<Bundle, Error> {
        self.sign_statement_as(payload, None)
    }

    /// [`Backend::sign_statement`]; a Sigstore backend also requires its certificate's
    /// identity to be accepted by `identity` (the previous signature's, when re-signing).
    fn sign_statement_as(
        &self,
        payload: Vec<u8>,
        identity: Option<&IdentityPolicy>,
    ) -> Result<Bundle, Error> {
        let signer: &dyn Signer = match self {
            Self::Key(s) => s,
            Self::Certificate(s) => s,
            Self::Pkcs11(s) => s,
            Self::Pkcs11Certificate(s) => s,
            Self::Sigstore(keyless) => {
                return Ok(keyless
                    .sign_payload_as(payload, identity)
                    .map_err(Box::new)?)
            }
            Self::Other(s) => s.as_ref(),
        };
        Ok(sign_statement(signer, payload)?)
    }

    /// Verifies a previous signature with this backend's trust, for incremental
    /// re-signing: a fixed key must have made it (named by its hint or held by its
    /// certificate); for Sigstore it must verify against the signer's trusted root, and
    /// the identity and issuer it establishes are returned, which the new certificate must
    /// then have too.
    fn verify_previous(
        &self,
        bundle: &Bundle,
    ) -> Result<(VerifiedSignature, Option<IdentityPolicy>), VerifyError> {
        if let Self::Sigstore(keyless) = self {
            // Any identity verifies here; the one found is required of the new signature.
            let anyone = || Matcher::Predicate {
                description: "any identity".into(),
                matches: std::sync::Arc::new(|_: &str| true),
            };
            let verifier = Verifier::Sigstore {
                trust_root: Box::new(keyless.trust().trusted_root.clone()),
                policy: IdentityPolicy {
                    identity: anyone(),
                    issuer: anyone(),
                },
                now: Some(crate::sigstore::now()),
            };
            let verified = verify_bundle(bundle, &verifier)?;
            let required = match &verified.signer {
                SignerIdentity::Sigstore {
                    identity, issuer, ..
                } => Some(IdentityPolicy::exact(identity.clone(), issuer.clone())),
                _ => None,
            };
            return Ok((verified, required));
        }
        // A signer without a fixed key (some `Other` backends) cannot vouch for anything.
        let key = self.public_key().ok_or(VerifyError::KeyMismatch)?;
        Ok((verify_bundle_signed_by(bundle, &key)?, None))
    }

    /// The public key that verifies this backend's signatures, when it has a fixed one
    /// (not for Sigstore, whose key is ephemeral).
    pub fn public_key(&self) -> Option<PublicKey> {
        match self {
            Self::Key(s) => s.public_key(),
            Self::Certificate(s) => s.public_key(),
            Self::Pkcs11(s) => s.public_key(),
            Self::Pkcs11Certificate(s) => s.public_key(),
            Self::Sigstore(_) => None,
            Self::Other(s) => s.public_key(),
        }
    }
}

/// How to sign: the hashing configuration and a signing backend. Reusable across models.
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
///
/// // In memory: keys as PEM bytes, the bundle as bytes, nothing written.
/// let key = std::fs::read(keys.join("p256.pem"))?;
/// let outcome = signing::Config::new()
///     .use_elliptic_key_signer_pem(&key, None)?
///     .sign_to_bundle(&model)?;
/// verifying::Config::new()
///     .use_elliptic_key_verifier_pem(&std::fs::read(keys.join("p256-pub.pem"))?)?
///     .verify_bytes(&model, outcome.bundle_json.as_bytes())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Config {
    hashing: hashing::Config,
    backend: Option<Backend>,
    /// RFC 3161 timestamp authorities to timestamp key and certificate signatures with.
    timestamp_urls: Vec<String>,
    http: crate::keyless::HttpPolicy,
    /// Incremental re-signing: a previous signature and what changed since.
    previous: Option<(PreviousSignature, Changes)>,
}

/// Where a previous signature comes from.
#[derive(Clone, Debug)]
enum PreviousSignature {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// What a signing run produced.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignOutcome {
    /// The hashed model.
    pub model: HashedModel,
    /// The bundle, as written.
    pub bundle_json: String,
}

impl Config {
    /// The default hashing configuration and no signer yet.
    pub fn new() -> Self {
        Self {
            hashing: hashing::Config::new(),
            backend: None,
            timestamp_urls: Vec::new(),
            http: crate::keyless::HttpPolicy::default(),
            previous: None,
        }
    }

    /// Sets how the model is hashed.
    pub fn set_hashing_config(mut self, hashing: hashing::Config) -> Self {
        self.hashing = hashing;
        self
    }

    /// Signs with a PEM private key file (P-256, P-384 or P-521; PKCS #8 or SEC1,
    /// encrypted ones with `password`).
    pub fn use_elliptic_key_signer(
        self,
        private_key: impl AsRef<Path>,
        password: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let key = load_private_key(private_key.as_ref(), password)?;
        Ok(self.use_backend(Backend::Key(KeySigner::new(key, os_random))))
    }

    /// [`Config::use_elliptic_key_signer`] with the key's PEM text.
    pub fn use_elliptic_key_signer_pem(
        self,
        private_key: &[u8],
        password: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let key = private_key_from_pem(private_key, password)?;
        Ok(self.use_backend(Backend::Key(KeySigner::new(key, os_random))))
    }

    /// Signs with a private key file and its certificate; the bundle carries the
    /// signing certificate followed by every certificate of `certificate_chain`.
    pub fn use_certificate_signer<P: AsRef<Path>>(
        self,
        private_key: impl AsRef<Path>,
        password: Option<&[u8]>,
        signing_certificate: impl AsRef<Path>,
        certificate_chain: &[P],
    ) -> Result<Self, Error> {
        let key = load_private_key(private_key.as_ref(), password)?;
        let leaf = signing_certificate.as_ref();
        let chain = signing_chain(
            load_certificates(&[leaf])?,
            leaf,
            load_certificates(certificate_chain)?,
        )?;
        let signer = CertificateSigner::new(KeySigner::new(key, os_random), chain)?;
        Ok(self.use_backend(Backend::Certificate(signer)))
    }

    /// [`Config::use_certificate_signer`] with PEM texts: the key, the signing
    /// certificate, and further certificates.
    pub fn use_certificate_signer_pem(
        self,
        private_key: &[u8],
        password: Option<&[u8]>,
        signing_certificate: &[u8],
        certificate_chain: &[&[u8]],
    ) -> Result<Self, Error> {
        let key = private_key_from_pem(private_key, password)?;
        let chain = signing_chain(
            certificates_from_pem(signing_certificate)?,
            Path::new(crate::keyfile::IN_MEMORY),
            pem_chain(certificate_chain)?,
        )?;
        let signer = CertificateSigner::new(KeySigner::new(key, os_random), chain)?;
        Ok(self.use_backend(Backend::Certificate(signer)))
    }

    /// Signs with a key on a PKCS #11 token, designated by an RFC 7512 URI such as
    /// `pkcs11:token=models;object=release?module-name=softhsm2&pin-source=file:/run/pin`
    /// (see [`crate::pkcs11`]). The token stays logged in while this config lives.
    pub fn use_pkcs11_signer(self, pkcs11_uri: &str) -> Result<Self, Error> {
        let signer = Pkcs11Signer::open(pkcs11_uri).map_err(Box::new)?;
        Ok(self.use_backend(Backend::Pkcs11(signer)))
    }

    /// Signs with a key on a PKCS #11 token and its certificate; the bundle carries the
    /// signing certificate followed by every certificate of `certificate_chain`.
    pub fn use_pkcs11_certificate_signer<P: AsRef<Path>>(
        self,
        pkcs11_uri: &str,
        signing_certificate: impl AsRef<Path>,
        certificate_chain: &[P],
    ) -> Result<Self, Error> {
        // The files first: a wrong path should not cost a login attempt on the token.
        let leaf = signing_certificate.as_ref();
        let chain = signing_chain(
            load_certificates(&[leaf])?,
            leaf,
            load_certificates(certificate_chain)?,
        )?;
        let token = Pkcs11Signer::open(pkcs11_uri).map_err(Box::new)?;
        let signer = CertificateSigner::new(token, chain)?;
        Ok(self.use_backend(Backend::Pkcs11Certificate(signer)))
    }

    /// Signs keylessly with Sigstore (Python's `use_sigstore_signer`): the identity
    /// token is obtained now from `token`, the services come from `trust`'s signing
    /// configuration (see [`crate::keyless::signing_trust_config`]), and the bundle is
    /// verified against `trust`'s trusted root before it is returned.
    pub fn use_sigstore_signer(
        self,
        trust: model_signing_core::sigstore::ClientTrustConfig,
        token: crate::keyless::TokenSource,
    ) -> Result<Self, Error> {
        let signer =
            crate::keyless::KeylessSigner::new(trust, token, crate::keyless::HttpPolicy::default())
                .map_err(Box::new)?;
        Ok(self.use_backend(Backend::Sigstore(Box::new(signer))))
    }

    /// Signs with any [`Signer`] (a hardware token, a remote service).
    pub fn use_signer(self, signer: Box<dyn Signer + Send + Sync>) -> Self {
        self.use_backend(Backend::Other(signer))
    }

    /// Signs with a prepared backend (the last `use_*` call wins).
    pub fn use_backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Timestamps every key, certificate and PKCS #11 signature with the RFC 3161
    /// timestamp authority at `url` (its full endpoint, e.g.
    /// `https://timestamp.sigstore.dev/api/v1/timestamp`); may be called again for more
    /// authorities. The timestamp, over the signature bytes, goes into the bundle's
    /// `timestampVerificationData` (as keyless signatures carry theirs), so verifiers that
    /// trust the authority check a certificate at the signing time rather than at its
    /// notBefore ([`crate::verifying::Config::use_timestamp_authority_chain`]). A
    /// certificate that was not valid at the stated time is refused before anything is
    /// written. Sigstore signatures take their authorities from the signing configuration
    /// instead, so signing fails with [`Error::TimestampWithSigstore`].
    pub fn use_timestamp_authority(mut self, url: impl Into<String>) -> Self {
        self.timestamp_urls.push(url.into());
        self
    }

    /// Re-signs incrementally: `signature` is a signature of an earlier state of the model
    /// made with the same trust as this one (the same key, or a certificate holding it;
    /// for Sigstore, the same identity and issuer, checked once the new certificate is
    /// issued). It is verified first; then only what `changes` and the model say changed
    /// is hashed, and every other digest is taken from it after a cheap check, which
    /// includes that the file was not modified after `signature` was (see
    /// [`crate::hashing::incremental`]). The hashing configuration must be the previous
    /// signature's. The signed payload is the one signing from scratch gives.
    ///
    /// ```
    /// use model_signing::hashing::Changes;
    /// use model_signing::signing;
    /// use model_signing_core::ModelPath;
    /// # let dir = tempfile::tempdir()?;
    /// # let model = dir.path().join("model");
    /// # std::fs::create_dir(&model)?;
    /// # std::fs::write(model.join("weights.bin"), b"weights")?;
    /// # std::fs::write(model.join("README.md"), b"v1")?;
    /// # let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
    /// #     .join("../tests/vectors/model-transparency/generated-v1.1.1/keys");
    /// let (v1, v2) = (dir.path().join("v1.sig"), dir.path().join("v2.sig"));
    /// let signer = || signing::Config::new().use_elliptic_key_signer(keys.join("p256.pem"), None);
    /// signer()?.sign(&model, &v1)?;
    /// std::fs::write(model.join("README.md"), b"v2, edited")?;
    /// let changes = Changes {
    ///     changed: vec![ModelPath::new("README.md")],
    ///     ..Changes::default()
    /// };
    /// signer()?.set_previous_signature(&v1, changes).sign(&model, &v2)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_previous_signature(mut self, signature: impl AsRef<Path>, changes: Changes) -> Self {
        self.previous = Some((
            PreviousSignature::File(signature.as_ref().to_path_buf()),
            changes,
        ));
        self
    }

    /// [`Config::set_previous_signature`] with the previous signature's bytes (files
    /// modified after it was written cannot be told then: only presence and shard
    /// lengths are checked for the files not listed as changed).
    pub fn set_previous_signature_bytes(mut self, bundle: &[u8], changes: Changes) -> Self {
        self.previous = Some((PreviousSignature::Bytes(bundle.to_vec()), changes));
        self
    }

    /// The previous signature verified with the backend's trust, as a hashing option,
    /// and the identity a Sigstore signature must keep.
    fn previous(&self) -> Result<Option<(Previous, Option<IdentityPolicy>)>, Error> {
        let Some((source, changes)) = &self.previous else {
            return Ok(None);
        };
        let backend = self.require_backend()?;
        let (path, bundle, written) = match source {
            PreviousSignature::File(path) => {
                let read_error = |source| Error::ReadSignature {
                    path: path.clone(),
                    source,
                };
                let data = std::fs::read(path).map_err(read_error)?;
                let written = std::fs::metadata(path)
                    .and_then(|m| m.modified())
                    .map_err(read_error)?;
                let bundle = Bundle::from_json(&data).map_err(|source| Error::Bundle {
                    path: path.clone(),
                    source,
                })?;
                (path.clone(), bundle, Some(written))
            }
            PreviousSignature::Bytes(data) => (
                PathBuf::from(crate::keyfile::IN_MEMORY),
                Bundle::from_json(data).map_err(Error::InvalidBundle)?,
                None,
            ),
        };
        let (verified, identity) =
            backend
                .verify_previous(&bundle)
                .map_err(|source| Error::PreviousSignature {
                    path: path.clone(),
                    source,
                })?;
        let mut previous = Previous::new(&verified, changes.clone())?;
        if let Some(time) = written {
            previous = previous.written_at(time);
        }
        Ok(Some((previous, identity)))
    }

    /// The backend, once one is set.
    pub fn backend(&self) -> Option<&Backend> {
        self.backend.as_ref()
    }

    fn require_backend(&self) -> Result<&Backend, Error> {
        self.backend.as_ref().ok_or(Error::NoSigner)
    }

    /// Hashes `model` and writes its signature to `signature`, atomically. The signature
    /// file itself is left out of the manifest when it lies inside the model.
    pub fn sign(&self, model: &Path, signature: &Path) -> Result<SignOutcome, Error> {
        self.require_backend()?;
        check_writable_destination(signature)?;
        let outcome = self.sign_with_ignored(model, Some(resolve_lenient(signature)))?;
        write_atomic(signature, outcome.bundle_json.as_bytes()).map_err(|source| {
            Error::WriteSignature {
                path: signature.to_path_buf(),
                source,
            }
        })?;
        Ok(outcome)
    }

    /// Hashes `model` and signs it, returning the bundle; nothing is written.
    pub fn sign_to_bundle(&self, model: &Path) -> Result<SignOutcome, Error> {
        self.sign_with_ignored(model, None)
    }

    fn sign_with_ignored(
        &self,
        model: &Path,
        also_ignored: Option<std::path::PathBuf>,
    ) -> Result<SignOutcome, Error> {
        self.require_backend()?;
        let mut hashing = self.hashing.clone();
        hashing.add_ignored_paths(also_ignored);
        let previous = self.previous()?;
        let mut identity = None;
        if let Some((previous, required)) = previous {
            hashing = hashing.reuse_previous(previous);
            identity = required;
        }
        let hashed = {
            let _span = tracing::info_span!("hash", model = %model.display()).entered();
            hashing.hash(model)?
        };
        if hashed.manifest.is_empty() {
            return Err(Error::EmptyModel(model.to_path_buf()));
        }
        let bundle_json = self
            .sign_payload_as(statement_of(&hashed), identity.as_ref())?
            .to_json();
        Ok(SignOutcome {
            model: hashed,
            bundle_json,
        })
    }

    /// Signs a model hashed already (by [`hashing::Config::hash`]); `model` names it in
    /// errors. Refuses an empty model.
    pub fn sign_hashed(&self, model: &Path, hashed: &HashedModel) -> Result<Bundle, Error> {
        self.require_backend()?;
        if hashed.manifest.is_empty() {
            return Err(Error::EmptyModel(model.to_path_buf()));
        }
        if hashed.manifest.len() > MAX_RESOURCES {
            return Err(Error::TooManyResources {
                model: model.to_path_buf(),
                items: hashed.manifest.len(),
            });
        }
        self.sign_payload_as(statement_of(hashed), None)
    }

    /// Signs a manifest computed elsewhere (for instance by a browser that hashed the
    /// model with the wasm package, checked with
    /// [`ManifestSpec::validate`](model_signing_core::api::shapes::ManifestSpec::validate)).
    /// The statement is built here from the manifest, never taken from the caller.
    pub fn sign_manifest(
        &self,
        model_name: &str,
        manifest: &ValidatedManifest,
    ) -> Result<Bundle, Error> {
        let payload = build_statement(
            model_name,
            &manifest.manifest,
            &manifest.serialization,
            manifest.allow_symlinks,
            &manifest.ignore_paths,
        );
        self.sign_payload_as(payload, None)
    }

    /// Signs the statement with the backend (a Sigstore one keeping `identity`, if
    /// given), then timestamps the signature with each configured authority.
    fn sign_payload_as(
        &self,
        payload: Vec<u8>,
        identity: Option<&IdentityPolicy>,
    ) -> Result<Bundle, Error> {
        let backend = self.require_backend()?;
        if !self.timestamp_urls.is_empty() && matches!(backend, Backend::Sigstore(_)) {
            return Err(Error::TimestampWithSigstore);
        }
        let mut bundle = backend.sign_statement_as(payload, identity)?;
        if self.timestamp_urls.is_empty() {
            return Ok(bundle);
        }
        let signature = match &bundle.content {
            Content::Dsse(envelope) => envelope.signatures[0].sig.clone(),
            Content::MessageSignature { signature, .. } => signature.clone(),
        };
        for url in &self.timestamp_urls {
            let _span = tracing::info_span!("tsa.timestamp", url = %url).entered();
            let response = crate::keyless::services::timestamp(url, &signature, &self.http)
                .map_err(|e| Error::TimestampAuthority(Box::new(e)))?;
            let time =
                stated_time(&response, &signature).map_err(|source| Error::InvalidTimestamp {
                    url: url.clone(),
                    source,
                })?;
            // A certificate that was not valid when the authority says it signed makes a
            // signature that every timestamp-aware verifier rejects: write nothing.
            if let VerificationMaterial::X509CertificateChain(chain) = &bundle.verification_material
            {
                check_valid_at(&chain[0], time.floor_secs().unwrap_or(0)).map_err(|source| {
                    Error::CertificateAtTimestamp {
                        url: url.clone(),
                        time: time.to_string(),
                        source,
                    }
                })?;
            }
            tracing::debug!(%url, %time, "timestamped the signature");
            bundle.timestamps.push(response);
        }
        Ok(bundle)
    }
}

fn pem_chain(pems: &[&[u8]]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for pem in pems {
        out.extend(certificates_from_pem(pem)?);
    }
    Ok(out)
}

/// The statement (DSSE payload) of a hashed model.
fn statement_of(hashed: &HashedModel) -> Vec<u8> {
    build_statement(
        &hashed.model_name,
        &hashed.manifest,
        &hashed.serialization,
        hashed.allow_symlinks,
        &hashed.ignore_paths,
    )
}
