//! Sigstore trust material and policies for the host: the trusted root chosen as the
//! reference chooses it (`--trust-config`, else `--use-staging`, else production, all
//! embedded or local: nothing is fetched), identity policies including the opt-in
//! regular-expression form, and artifacts given as a file or as `sha256:<hex>`.
//!
//! The verification itself is [`model_signing_core::sigstore`].

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use model_signing_core::keys::SignatureHash;
use model_signing_core::sigstore::{
    ClientTrustConfig, IdentityPolicy, Matcher, TrustRootError, TrustedRoot, UnixTime,
};

/// This machine's clock as core's [`UnixTime`], for the check that no signed time lies
/// in the future.
pub fn now() -> UnixTime {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixTime {
        secs: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        nanos: since.subsec_nanos(),
    }
}

/// Why Sigstore trust material or a policy could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigstoreSetupError {
    /// A trust file could not be read.
    #[error("cannot read '{path}': {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A trust file is not valid trust material.
    #[error("'{path}' is not a valid Sigstore {what}: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// `client trust configuration` or `trusted root`.
        what: &'static str,
        /// The cause.
        source: TrustRootError,
    },
    /// The identity regular expression does not compile.
    #[error("invalid identity regular expression: {0}")]
    Regex(String),
    /// An artifact digest that is not `sha256:<64 hex digits>`.
    #[error("invalid digest '{0}': expected sha256:<64 hexadecimal digits>")]
    Digest(String),
}

fn read(path: &Path) -> Result<Vec<u8>, SigstoreSetupError> {
    fs::read(path).map_err(|source| SigstoreSetupError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The trusted root to verify with, by the reference's precedence when verifying
/// (model_signing `sign_sigstore.Verifier`): a client trust configuration
/// (`--trust-config`) wins over `--use-staging`, which wins over production. The
/// production and staging roots are the embedded copies (see `core/trust/README.md`).
pub fn load_trusted_root(
    trust_config: Option<&Path>,
    use_staging: bool,
) -> Result<TrustedRoot, SigstoreSetupError> {
    match trust_config {
        Some(path) => {
            let config = ClientTrustConfig::from_json(&read(path)?).map_err(|source| {
                SigstoreSetupError::Invalid {
                    path: path.to_path_buf(),
                    what: "client trust configuration",
                    source,
                }
            })?;
            Ok(config.trusted_root)
        }
        None if use_staging => Ok(TrustedRoot::staging()),
        None => Ok(TrustedRoot::production()),
    }
}

/// A trusted root from a `trusted_root.json` file (what the conformance protocol's
/// `--trusted-root` names).
pub fn load_trusted_root_file(path: &Path) -> Result<TrustedRoot, SigstoreSetupError> {
    TrustedRoot::from_json(&read(path)?).map_err(|source| SigstoreSetupError::Invalid {
        path: path.to_path_buf(),
        what: "trusted root",
        source,
    })
}

/// The identity policy: the identity exactly, or, with `identity_regex`, as a regular
/// expression that must match the whole SAN (it is anchored: `^(?:…)$`, since an
/// unanchored pattern such as `alice@example.com` would also accept
/// `alice@example.com.evil.org`). The issuer is always compared exactly.
pub fn identity_policy(
    identity: &str,
    oidc_issuer: &str,
    identity_regex: bool,
) -> Result<IdentityPolicy, SigstoreSetupError> {
    if !identity_regex {
        return Ok(IdentityPolicy::exact(identity, oidc_issuer));
    }
    let re = regex::Regex::new(&format!("^(?:{identity})$"))
        .map_err(|e| SigstoreSetupError::Regex(e.to_string()))?;
    Ok(IdentityPolicy {
        identity: Matcher::Predicate {
            description: format!("the regular expression '{identity}'"),
            matches: Arc::new(move |s| re.is_match(s)),
        },
        issuer: Matcher::Exact(oidc_issuer.into()),
    })
}

/// An artifact named on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactArg {
    /// `sha256:<hex>`: the digest, no file is read.
    Digest(SignatureHash, Vec<u8>),
    /// A file to read.
    File(PathBuf),
}

impl ArtifactArg {
    /// `sha256:<64 hex>` is a digest (so is anything else starting with `sha256:`, and
    /// it must then be valid); everything else is a path.
    pub fn parse(arg: &str) -> Result<Self, SigstoreSetupError> {
        match arg.strip_prefix("sha256:") {
            Some(hex) => match model_signing_core::encoding::unhex(hex) {
                Some(d) if d.len() == 32 => Ok(Self::Digest(SignatureHash::Sha256, d)),
                _ => Err(SigstoreSetupError::Digest(arg.into())),
            },
            None => Ok(Self::File(arg.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model_signing_core::sigstore::identity::{CertificateIdentity, SubjectName};

    #[test]
    fn precedence() {
        let prod = load_trusted_root(None, false).unwrap();
        let staging = load_trusted_root(None, true).unwrap();
        assert!(prod.tlogs[0].base_url.contains("sigstore.dev"));
        assert!(staging.tlogs[0].base_url.contains("sigstage.dev"));
        let cfg = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/sigstore/trust/staging.clienttrustconfig.json");
        // The trust configuration wins over --use-staging=false and =true alike.
        for staging_flag in [false, true] {
            let root = load_trusted_root(Some(&cfg), staging_flag).unwrap();
            assert!(root.tlogs[0].base_url.contains("sigstage.dev"));
        }
        assert!(matches!(
            load_trusted_root(Some(Path::new("/nonexistent")), false),
            Err(SigstoreSetupError::Read { .. })
        ));
    }

    #[test]
    fn regex_is_anchored() {
        let stated = |s: &str| CertificateIdentity {
            names: vec![SubjectName::Email(s.into())],
            issuer: Some("https://issuer".into()),
        };
        let policy = identity_policy(r"[a-z]+@example\.com", "https://issuer", true).unwrap();
        assert!(policy.check(&stated("alice@example.com")).is_ok());
        assert!(policy.check(&stated("alice@example.com.evil.org")).is_err());
        assert!(policy.check(&stated("evil-alice@example.com ")).is_err());
        let exact = identity_policy("a.b@example.com", "https://issuer", false).unwrap();
        assert!(exact.check(&stated("aXb@example.com")).is_err());
        assert!(matches!(
            identity_policy("(", "x", true),
            Err(SigstoreSetupError::Regex(_))
        ));
    }

    #[test]
    fn artifacts() {
        let hex = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
        assert!(matches!(
            ArtifactArg::parse(&format!("sha256:{hex}")).unwrap(),
            ArtifactArg::Digest(SignatureHash::Sha256, d) if d.len() == 32
        ));
        assert!(ArtifactArg::parse("sha256:abc").is_err());
        assert_eq!(
            ArtifactArg::parse("a.txt").unwrap(),
            ArtifactArg::File("a.txt".into())
        );
    }
}
