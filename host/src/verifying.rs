//! Verifying a model: the Rust counterpart of Python's `model_signing.verifying.Config`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use model_signing_core::bundle::Bundle;
use model_signing_core::certificate::fingerprint_sha256;
use model_signing_core::verify::{check_manifest, verify_bundle, SignerIdentity, Verifier};
use model_signing_core::{Manifest, ModelPath, Serialization};

use crate::hashing;
use crate::keyfile::{load_certificates, load_public_key};
use crate::walk::resolve_lenient;
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
    hashing: Option<hashing::Config>,
    expected_serialization: Option<ExpectedSerialization>,
    ignore_unsigned_files: bool,
    log_fingerprints: bool,
}

/// Hashing options a caller insists on; verification fails if the signature disagrees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpectedSerialization {
    /// `files` or `shards`.
    pub method: Option<&'static str>,
    /// The hash.
    pub algorithm: Option<model_signing_core::HashAlgorithm>,
    /// The shard size.
    pub shard_size: Option<u64>,
}

/// A successful verification.
#[derive(Clone, Debug)]
pub struct VerificationReport {
    /// Who signed.
    pub signer: SignerIdentity,
    /// How the model was hashed (read from the signature).
    pub serialization: Serialization,
    /// Number of manifest items checked.
    pub items: usize,
    /// Notes for the user.
    pub warnings: Vec<String>,
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
        });
        self
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
        self.expected_serialization = Some(expected);
        self
    }

    /// Only the files the signature lists are checked; others on disk are tolerated.
    pub fn set_ignore_unsigned_files(mut self, ignore: bool) -> Self {
        self.ignore_unsigned_files = ignore;
        self
    }

    /// Checks `signature` and then that `model` is exactly what it signed.
    pub fn verify(&self, model: &Path, signature: &Path) -> Result<VerificationReport, Error> {
        let verifier = self.verifier.as_ref().ok_or(Error::NoVerifier)?;
        let data = fs::read(signature).map_err(|source| Error::ReadSignature {
            path: signature.to_path_buf(),
            source,
        })?;
        let bundle = Bundle::from_json(&data).map_err(|source| Error::Bundle {
            path: signature.to_path_buf(),
            source,
        })?;
        if self.log_fingerprints {
            if let model_signing_core::bundle::VerificationMaterial::X509CertificateChain(chain) =
                &bundle.verification_material
            {
                for c in chain.iter().skip(1).chain(chain.first()) {
                    tracing::info!("[ verify ] sha256 Fingerprint: {}", fingerprint_sha256(c));
                }
            }
        }
        let verified = verify_bundle(&bundle, verifier)?;
        let signed = &verified.signed;
        let serialization = signed
            .serialization
            .serialization
            .clone()
            .map_err(Error::UnsupportedSignedSerialization)?;
        if let Some(expected) = self.expected_serialization {
            check_expected(&expected, &serialization)?;
        }
        if signed.manifest.is_empty() {
            return Err(Error::EmptySignature);
        }

        let base = self.hashing.clone().unwrap_or_default();
        let allow_symlinks =
            base.allow_symlinks() || signed.serialization.allow_symlinks == Some(true);
        let mut hashing = base
            .use_serialization(serialization)
            .set_allow_symlinks(allow_symlinks);
        hashing.add_ignored_paths(
            signed
                .serialization
                .ignore_paths
                .iter()
                .map(PathBuf::from)
                .filter(|p| p.is_relative() || p.starts_with(model)),
        );
        hashing.add_ignored_paths([resolve_lenient(signature)]);

        let expected = single_file_compat(model, &signed.manifest);
        let actual = if self.ignore_unsigned_files {
            let ids: BTreeSet<ModelPath> = expected.iter().map(|(k, _)| k.path().clone()).collect();
            hashing.hash_selected(model, ids)?.0
        } else {
            hashing.hash(model)?
        };
        check_manifest(&expected, &actual.manifest, &actual.model_name)?;
        Ok(VerificationReport {
            signer: verified.signer,
            serialization,
            items: expected.len(),
            warnings: verified.warnings,
        })
    }
}

/// OpenSSF Model Signing names a single-file model's resource after the file, while the
/// reference writes `.`; both are accepted by mapping the file's name to `.`.
fn single_file_compat(model: &Path, signed: &Manifest) -> Manifest {
    let Some(name) = model.file_name().and_then(|n| n.to_str()) else {
        return signed.clone();
    };
    if !model.is_file() {
        return signed.clone();
    }
    model_signing_core::model_check::single_file_compat(signed, name)
}

fn check_expected(expected: &ExpectedSerialization, signed: &Serialization) -> Result<(), Error> {
    // BLAKE3 with shards is recorded as files by every signer (the reference turns it
    // into the file method), so asking for it must match such a signature.
    let blake3_shards = expected.algorithm == Some(model_signing_core::HashAlgorithm::Blake3)
        && expected.method == Some("shards");
    if let Some(method) = expected.method.filter(|_| !blake3_shards) {
        if method != signed.method_name() {
            return Err(Error::HashingMismatch {
                option: "serialization",
                given: method.into(),
                signed: signed.method_name().into(),
            });
        }
    }
    if let Some(alg) = expected.algorithm {
        if alg != signed.algorithm() {
            return Err(Error::HashingMismatch {
                option: "hash-algorithm",
                given: alg.config_name().into(),
                signed: signed.algorithm().config_name().into(),
            });
        }
    }
    match (
        expected.shard_size.filter(|_| !blake3_shards),
        signed.shard_size(),
    ) {
        (Some(size), Some(signed_size)) if size != signed_size => {
            return Err(Error::HashingMismatch {
                option: "shard-size",
                given: size.to_string(),
                signed: signed_size.to_string(),
            });
        }
        (Some(size), None) => {
            return Err(Error::HashingMismatch {
                option: "shard-size",
                given: size.to_string(),
                signed: "none (the file method)".into(),
            });
        }
        _ => {}
    }
    Ok(())
}
