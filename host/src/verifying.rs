//! Verifying a model: the Rust counterpart of Python's `model_signing.verifying.Config`.

use std::fs;
use std::path::{Path, PathBuf};

use model_signing_core::bundle::{Bundle, VerificationMaterial, MAX_BUNDLE_BYTES};
use model_signing_core::certificate::fingerprint_sha256;
pub use model_signing_core::model_check::ExpectedSerialization;
use model_signing_core::model_check::{CheckOptions, CheckPlan, InputFile};
use model_signing_core::sigstore::timestamp::authority_from_certificates;
use model_signing_core::sigstore::trust_root::CertificateAuthority;
use model_signing_core::verify::{
    verify_bundle_with, SignerIdentity, VerifiedSignature, Verifier, VerifyError, Warning,
};
use model_signing_core::{ModelPath, Serialization};

use crate::hashing;
use crate::keyfile::{
    certificates_from_pem, load_certificates, load_public_key, public_key_from_pem,
};
use crate::walk::{self, relative_inside, resolve_lenient, ModelFile, WalkOptions};
use crate::Error;

/// Where the system's CA bundle usually is (used when no chain is given, as the
/// reference falls back to the Mozilla bundle).
const SYSTEM_CA_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// How to verify: a verifier, the hashing options, and whether files the signature
/// does not list are tolerated. Reusable across models.
#[derive(Clone, Debug, Default)]
pub struct Config {
    verifier: Option<Verifier>,
    timestamp_authorities: Vec<CertificateAuthority>,
    hashing: Option<hashing::Config>,
    expected_serialization: ExpectedSerialization,
    ignore_unsigned_files: bool,
    log_fingerprints: bool,
}

/// A successful verification.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerificationReport {
    /// Who signed.
    pub signer: SignerIdentity,
    /// How the model was hashed (read from the signature).
    pub serialization: Serialization,
    /// Number of manifest items checked.
    pub items: usize,
    /// Notes for the user.
    pub warnings: Vec<Warning>,
}
impl Config {
    /// No verifier yet; hashing options come from the signature.
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies signatures made with the private key of this PEM public key.
    pub fn use_elliptic_key_verifier(
        mut self,
        public_key: impl AsRef<Path>,
    ) -> Result<Self, Error> {
        self.verifier = Some(Verifier::Key(load_public_key(public_key.as_ref())?));
        Ok(self)
    }

    /// [`Config::use_elliptic_key_verifier`] with the key's PEM text.
    pub fn use_elliptic_key_verifier_pem(mut self, public_key: &[u8]) -> Result<Self, Error> {
        self.verifier = Some(Verifier::Key(public_key_from_pem(public_key)?));
        Ok(self)
    }

    /// Verifies certificate signatures whose chain ends in a self-signed certificate of
    /// this PEM text (one or more certificates).
    pub fn use_certificate_verifier_pem(mut self, certificate_chain: &[u8]) -> Result<Self, Error> {
        self.verifier = Some(Verifier::Certificate {
            anchors: certificates_from_pem(certificate_chain)?,
        });
        Ok(self)
    }

    /// Verifies certificate signatures whose chain ends in a self-signed certificate from
    /// these PEM files (the system's CA bundle when none is given).
    pub fn use_certificate_verifier<P: AsRef<Path>>(
        mut self,
        certificate_chain: &[P],
        log_fingerprints: bool,
    ) -> Result<Self, Error> {
        let anchors = if certificate_chain.is_empty() {
            let bundle = SYSTEM_CA_BUNDLES
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
                .ok_or(Error::NoTrustAnchors)?;
            load_certificates(&[bundle])?
        } else {
            load_certificates(certificate_chain)?
        };
        if log_fingerprints {
            for a in &anchors {
                tracing::info!("[  init  ] sha256 Fingerprint: {}", fingerprint_sha256(a));
            }
        }
        self.verifier = Some(Verifier::Certificate { anchors });
        self.log_fingerprints = log_fingerprints;
        Ok(self)
    }

    /// Verifies Sigstore (keyless) signatures made by `identity` (a SAN of the Fulcio
    /// certificate: email, URI or username, compared exactly) as vouched for by the OIDC
    /// issuer `oidc_issuer`, as Python's `use_sigstore_verifier(identity, oidc_issuer,
    /// use_staging, trust_config)`. The trusted root is the client trust configuration
    /// `trust_config` if given, else the embedded staging root with `use_staging`, else
    /// the embedded production root; nothing is fetched.
    pub fn use_sigstore_verifier(
        self,
        identity: &str,
        oidc_issuer: &str,
        use_staging: bool,
        trust_config: Option<&Path>,
    ) -> Result<Self, Error> {
        let root = crate::sigstore::load_trusted_root(trust_config, use_staging)?;
        let policy = crate::sigstore::identity_policy(identity, oidc_issuer, false)?;
        Ok(self.use_sigstore_verifier_with(root, policy))
    }

    /// Verifies Sigstore signatures against a prepared trusted root and identity policy
    /// (for instance one from [`crate::sigstore::identity_policy`] with a regular
    /// expression).
    pub fn use_sigstore_verifier_with(
        mut self,
        trust_root: model_signing_core::sigstore::TrustedRoot,
        policy: model_signing_core::sigstore::IdentityPolicy,
    ) -> Self {
        self.verifier = Some(Verifier::Sigstore {
            trust_root: Box::new(trust_root),
            policy,
            now: Some(crate::sigstore::now()),
        });
        self
    }

    /// Checks the RFC 3161 timestamps of key and certificate signatures against these
    /// timestamp authorities, one per PEM file (its root certificate, any intermediates,
    /// and its signing certificate unless timestamps embed it; in any order). Every
    /// timestamp must then verify and there must be one, and a certificate chain is
    /// checked at each timestamped time instead of the leaf's notBefore, so a certificate
    /// that has expired since still verifies. May be called again to add authorities.
    pub fn use_timestamp_authority_chain<P: AsRef<Path>>(
        mut self,
        chains: &[P],
    ) -> Result<Self, Error> {
        for path in chains {
            let path = path.as_ref();
            let certificates = load_certificates(&[path])?;
            let authority = authority_from_certificates(&certificates).map_err(|source| {
                Error::TimestampAuthorityChain {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
            self.timestamp_authorities.push(authority);
        }
        Ok(self)
    }

    /// [`Config::use_timestamp_authority_chain`] with one authority's PEM text.
    pub fn use_timestamp_authority_chain_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let certificates = certificates_from_pem(pem)?;
        let authority = authority_from_certificates(&certificates).map_err(|source| {
            Error::TimestampAuthorityChain {
                path: PathBuf::from(crate::keyfile::IN_MEMORY),
                source,
            }
        })?;
        self.timestamp_authorities.push(authority);
        Ok(self)
    }

    /// Trusts the timestamp authorities of a Sigstore client trust configuration for the
    /// timestamps of key and certificate signatures, as
    /// [`Config::use_timestamp_authority_chain`] does for chain files.
    pub fn use_timestamp_authorities_from_trust_config(
        mut self,
        trust_config: &Path,
    ) -> Result<Self, Error> {
        let root = crate::sigstore::load_trusted_root(Some(trust_config), false)?;
        if root.timestamp_authorities.is_empty() {
            return Err(Error::NoTimestampAuthority(trust_config.to_path_buf()));
        }
        self.timestamp_authorities
            .extend(root.timestamp_authorities.iter().cloned());
        Ok(self)
    }

    /// Uses a prepared [`Verifier`].
    pub fn use_verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Sets the ignored paths, git paths and symlink options. The serialization method,
    /// hash and shard size are always taken from the signature.
    pub fn set_hashing_config(mut self, hashing: hashing::Config) -> Self {
        self.hashing = Some(hashing);
        self
    }

    /// Fails verification when the signature's hashing options differ from these.
    pub fn expect_serialization(mut self, expected: ExpectedSerialization) -> Self {
        self.expected_serialization = expected;
        self
    }

    /// Only the files the signature lists are checked; others on disk are tolerated.
    pub fn set_ignore_unsigned_files(mut self, ignore: bool) -> Self {
        self.ignore_unsigned_files = ignore;
        self
    }

    /// Checks `signature` and then that `model` is exactly what it signed.
    pub fn verify(&self, model: &Path, signature: &Path) -> Result<VerificationReport, Error> {
        // The file's bytes are dropped once read into the bundle.
        let bundle =
            Bundle::from_json(&read_signature(signature)?).map_err(|source| Error::Bundle {
                path: signature.to_path_buf(),
                source,
            })?;
        let signature_in_model = relative_inside(
            &resolve_lenient(signature),
            &fs::canonicalize(model).unwrap_or_default(),
        );
        self.verify_bundle_for(model, &bundle, signature_in_model)
    }

    /// Checks a signature given as bytes (the bundle JSON, read from anywhere) and then
    /// that `model` is exactly what it signed.
    pub fn verify_bytes(&self, model: &Path, bundle: &[u8]) -> Result<VerificationReport, Error> {
        let bundle = Bundle::from_json(bundle).map_err(Error::InvalidBundle)?;
        self.verify_bundle_for(model, &bundle, None)
    }

    /// Checks a bundle's signature alone (no model): what it signs and who signed.
    pub fn verify_signature(&self, bundle: &[u8]) -> Result<VerifiedSignature, Error> {
        let verifier = self.verifier.as_ref().ok_or(Error::NoVerifier)?;
        let bundle = Bundle::from_json(bundle).map_err(Error::InvalidBundle)?;
        Ok(verify_bundle_with(
            &bundle,
            verifier,
            &self.timestamp_authorities,
        )?)
    }

    /// The one pass of verification: the signature, then the rules of the check in
    /// core ([`CheckPlan`]), the walk those rules prune, hashing, and core's verdict.
    fn verify_bundle_for(
        &self,
        model: &Path,
        bundle: &Bundle,
        signature_in_model: Option<ModelPath>,
    ) -> Result<VerificationReport, Error> {
        let verifier = self.verifier.as_ref().ok_or(Error::NoVerifier)?;
        if self.log_fingerprints {
            if let VerificationMaterial::X509CertificateChain(chain) = &bundle.verification_material
            {
                for c in chain.iter().skip(1).chain(chain.first()) {
                    tracing::info!("[ verify ] sha256 Fingerprint: {}", fingerprint_sha256(c));
                }
            }
        }
        let verified = verify_bundle_with(bundle, verifier, &self.timestamp_authorities)?;
        let signed = &verified.signed;

        let hashing = self.hashing.clone().unwrap_or_default();
        let single_file = fs::metadata(model).is_ok_and(|m| m.is_file());
        let mut model_roots = vec![
            resolve_lenient(model),
            fs::canonicalize(model).unwrap_or_default(),
        ];
        model_roots.dedup();
        let options = CheckOptions {
            ignore_paths: hashing
                .caller_ignore_paths(model)
                .iter()
                .map(ToString::to_string)
                .collect(),
            ignore_git_paths: hashing.ignore_git_paths(),
            ignore_unsigned_files: self.ignore_unsigned_files,
            signature_path: signature_in_model.map(|p| p.to_string()),
            model_name: hashing::model_name(model),
            single_file,
            expected_serialization: self.expected_serialization,
            model_roots: model_roots
                .iter()
                .filter_map(|p| p.to_str().map(String::from))
                .filter(|p| !p.is_empty())
                .collect(),
        };
        let file_name = model.file_name().and_then(|n| n.to_str());
        let plan = CheckPlan::new(signed, options, file_name)?;
        let serialization = plan.serialization();
        let allow_symlinks =
            hashing.allow_symlinks() || signed.serialization.allow_symlinks == Some(true);
        let walk_options = WalkOptions {
            ignore: plan.ignore_list().clone(),
            allow_symlinks,
        };
        let files = if self.ignore_unsigned_files {
            walk::select(model, plan.signed_paths(), &walk_options)?.0
        } else {
            walk::walk(model, &walk_options)?
        };
        let inputs: Vec<InputFile> = files
            .iter()
            .map(|f| InputFile {
                path: match (single_file, file_name) {
                    (true, Some(name)) => name.to_string(),
                    _ => f.id.to_string(),
                },
                size: Some(f.len),
            })
            .collect();
        let mut check = plan.check(&inputs)?;
        let to_hash: Vec<ModelFile> = check
            .jobs()
            .iter()
            .map(|job| files[job.index].clone())
            .collect();
        let hashed = hashing.hash_files(model, &to_hash, serialization)?;
        for file in &to_hash {
            let items: Vec<_> = hashed
                .iter()
                .filter(|(k, _)| *k.path() == file.id)
                .map(|(k, d)| (k.clone(), d.clone()))
                .collect();
            check.record(&file.id, items)?;
        }
        let report = check.report();
        if !report.verified {
            return Err(VerifyError::ManifestMismatch(report.messages).into());
        }
        Ok(VerificationReport {
            signer: verified.signer,
            serialization,
            items: check.signed_items(),
            warnings: verified.warnings,
        })
    }
}

/// Reads a signature file, refusing one larger than a bundle can be
/// ([`MAX_BUNDLE_BYTES`]) before reading it, so a huge file costs neither time nor
/// memory.
fn read_signature(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let fail = |source| Error::ReadSignature {
        path: path.to_path_buf(),
        source,
    };
    let too_large = |size| Error::Bundle {
        path: path.to_path_buf(),
        source: model_signing_core::bundle::BundleError::TooLarge(size),
    };
    let file = fs::File::open(path).map_err(fail)?;
    let size = file.metadata().map_err(fail)?.len();
    if size > MAX_BUNDLE_BYTES as u64 {
        return Err(too_large(size));
    }
    // The length can grow after the check (or be wrong, for special files).
    let mut data = Vec::with_capacity(size as usize);
    file.take(MAX_BUNDLE_BYTES as u64 + 1)
        .read_to_end(&mut data)
        .map_err(fail)?;
    if data.len() > MAX_BUNDLE_BYTES {
        return Err(too_large(data.len() as u64));
    }
    Ok(data)
}
