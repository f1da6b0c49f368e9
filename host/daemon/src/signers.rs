//! The signers the daemon offers: key files, PKCS #11 keys (unlocked by a PIN from the
//! URI's `pin-source` or given by the user, never by a page), and Sigstore keyless
//! signing (the daemon runs the OIDC flow itself, in the system browser).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use model_signing::keyless::{signing_trust_config, TokenSource};
use model_signing::pkcs11::{Pkcs11Signer, Pkcs11Uri};
use model_signing::signing;
use model_signing_core::keys::{Curve, PublicKey};
use serde::Serialize;
use utoipa::ToSchema;
use zeroize::Zeroizing;

use crate::DaemonError;

/// What kind of signer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignerKind {
    /// A private key file.
    Key,
    /// A key on a PKCS #11 token.
    Pkcs11,
    /// Sigstore keyless signing.
    Sigstore,
}

/// A signer as `GET /api/v1/signers` lists it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignerInfo {
    /// Stable id (`key-1`, `pkcs11-1`, `sigstore`).
    pub id: String,
    /// What kind.
    pub kind: SignerKind,
    /// A label for people (file, token and key, Sigstore instance).
    pub label: String,
    /// `ecdsa-p256-sha256`, `ecdsa-p384-sha384` or `ecdsa-p521-sha512`.
    pub algorithm: String,
    /// The public key (PEM), when known (a locked token's is known once unlocked).
    pub public_key: Option<String>,
    /// The certificate chain (PEM), for certificate signers.
    pub certificate_chain: Option<Vec<String>>,
    /// The PKCS #11 URI, without any PIN.
    pub pkcs11_uri: Option<String>,
    /// Whether it needs a PIN before it can sign.
    pub locked: bool,
}

/// How a signer was asked for on the command line.
#[derive(Clone, Debug)]
pub enum SignerSpec {
    /// `--private-key FILE`.
    KeyFile(PathBuf),
    /// `--pkcs11-uri URI`.
    Pkcs11(String),
    /// `--sigstore`, with `--use-staging` / `--trust-config`.
    Sigstore {
        /// Staging instead of production.
        use_staging: bool,
        /// A private instance's client trust configuration.
        trust_config: Option<PathBuf>,
    },
}

fn algorithm(curve: Curve) -> &'static str {
    match curve {
        Curve::P256 => "ecdsa-p256-sha256",
        Curve::P384 => "ecdsa-p384-sha384",
        Curve::P521 => "ecdsa-p521-sha512",
    }
}

/// A PKCS #11 signer's session: open while unlocked.
struct Token {
    uri: Pkcs11Uri,
    /// The URI carries its PIN (`pin-source`, `pin-value`): never locked.
    has_pin: bool,
    open: Option<(Arc<signing::Config>, Instant)>,
}

enum Backend {
    Ready(Arc<signing::Config>),
    Token(Mutex<Token>),
    Sigstore {
        use_staging: bool,
        trust_config: Option<PathBuf>,
    },
}

/// One signer the daemon offers.
pub struct DaemonSigner {
    info: Mutex<SignerInfo>,
    backend: Backend,
}

impl std::fmt::Debug for DaemonSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DaemonSigner")
            .field("info", &self.info())
            .finish_non_exhaustive()
    }
}

/// Why a signer cannot sign now.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// A PKCS #11 signer without a PIN yet.
    #[error("the signer '{0}' is locked: give its PIN with `model_signing approve --pin {0}`")]
    Locked(String),
    /// The library failed (opening the token, the keyless flow).
    #[error(transparent)]
    Library(#[from] model_signing::Error),
}

impl DaemonSigner {
    fn ready(info: SignerInfo, config: signing::Config) -> Self {
        Self {
            info: Mutex::new(info),
            backend: Backend::Ready(Arc::new(config)),
        }
    }

    /// What the API lists.
    pub fn info(&self) -> SignerInfo {
        self.info
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The id.
    pub fn id(&self) -> String {
        self.info().id
    }

    /// The public key its signatures verify with, when fixed and known.
    pub fn public_key(&self) -> Option<PublicKey> {
        match &self.backend {
            Backend::Ready(c) => c.backend().and_then(|b| b.public_key()),
            Backend::Token(t) => t
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .open
                .as_ref()
                .and_then(|(c, _)| c.backend().and_then(|b| b.public_key())),
            Backend::Sigstore { .. } => None,
        }
    }

    /// Whether this is the keyless signer.
    pub fn is_sigstore(&self) -> bool {
        matches!(self.backend, Backend::Sigstore { .. })
    }

    /// Unlocks a PKCS #11 signer with `pin` (logs in and keeps the session; the PIN
    /// itself is not kept). Blocking.
    pub fn unlock(&self, pin: Zeroizing<String>) -> Result<(), SignerError> {
        let Backend::Token(token) = &self.backend else {
            return Ok(());
        };
        let mut token = token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let uri = token
            .uri
            .clone()
            .with_query_attribute("pin-value", pin.as_bytes());
        let signer = Pkcs11Signer::from_uri(&uri, &model_signing::pkcs11::default_module_dirs())
            .map_err(|e| model_signing::Error::from(Box::new(e)))?;
        let config = signing::Config::new().use_backend(signing::Backend::Pkcs11(signer));
        let public = config.backend().and_then(|b| b.public_key());
        token.open = Some((Arc::new(config), Instant::now()));
        drop(token);
        let mut info = self
            .info
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        info.locked = false;
        if let Some(key) = public {
            info.algorithm = algorithm(key.curve()).into();
            info.public_key = Some(key.to_pem());
        }
        Ok(())
    }

    /// Locks a PKCS #11 signer whose PIN the user gave and that was idle for `idle`
    /// (the session is closed; the next signature needs the PIN again).
    pub fn lock_if_idle(&self, idle: Duration) -> bool {
        let Backend::Token(token) = &self.backend else {
            return false;
        };
        let mut token = token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let expired = !token.has_pin
            && token
                .open
                .as_ref()
                .is_some_and(|(_, used)| used.elapsed() >= idle);
        if expired {
            token.open = None;
            drop(token);
            self.info
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .locked = true;
        }
        expired
    }

    /// The signing configuration to sign with now. For Sigstore this gets an identity
    /// token (ambient credentials, else the browser flow): blocking, and only called
    /// once the user approved.
    pub fn config(&self) -> Result<Arc<signing::Config>, SignerError> {
        match &self.backend {
            Backend::Ready(c) => Ok(c.clone()),
            Backend::Token(t) => {
                let mut t = t.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match &mut t.open {
                    Some((config, used)) => {
                        *used = Instant::now();
                        Ok(config.clone())
                    }
                    None => Err(SignerError::Locked(self.id())),
                }
            }
            Backend::Sigstore {
                use_staging,
                trust_config,
            } => {
                let trust = signing_trust_config(trust_config.as_deref(), *use_staging)
                    .map_err(model_signing::Error::from)?;
                let source = if std::env::var_os("SIGSTORE_ID_TOKEN").is_some()
                    || std::env::var_os("ACTIONS_ID_TOKEN_REQUEST_URL").is_some()
                {
                    TokenSource::Ambient
                } else {
                    TokenSource::Interactive {
                        force_oob: false,
                        client_id: "sigstore".into(),
                        client_secret: String::new(),
                    }
                };
                Ok(Arc::new(
                    signing::Config::new().use_sigstore_signer(trust, source)?,
                ))
            }
        }
    }
}

/// Opens every signer asked for; with none, the default key of the state directory
/// (created on first run).
pub fn open_signers(
    specs: &[SignerSpec],
    default_key: &Path,
) -> Result<Vec<Arc<DaemonSigner>>, DaemonError> {
    let mut specs = specs.to_vec();
    if specs.is_empty() {
        ensure_default_key(default_key)?;
        specs.push(SignerSpec::KeyFile(default_key.to_path_buf()));
    }
    let mut out = Vec::new();
    let (mut keys, mut tokens) = (0, 0);
    for spec in specs {
        let signer = match spec {
            SignerSpec::KeyFile(path) => {
                keys += 1;
                let password = std::env::var("MODEL_SIGNING_KEY_PASSWORD").ok();
                let config = signing::Config::new()
                    .use_elliptic_key_signer(&path, password.as_deref().map(str::as_bytes))
                    .map_err(|source| DaemonError::Signer {
                        signer: path.display().to_string(),
                        source: Box::new(source),
                    })?;
                let key = config
                    .backend()
                    .and_then(|b| b.public_key())
                    .expect("a key signer has a public key");
                DaemonSigner::ready(
                    SignerInfo {
                        id: format!("key-{keys}"),
                        kind: SignerKind::Key,
                        label: path.display().to_string(),
                        algorithm: algorithm(key.curve()).into(),
                        public_key: Some(key.to_pem()),
                        certificate_chain: None,
                        pkcs11_uri: None,
                        locked: false,
                    },
                    config,
                )
            }
            SignerSpec::Pkcs11(uri_text) => {
                tokens += 1;
                let bad = |source: Box<dyn std::error::Error + Send + Sync>| DaemonError::Signer {
                    signer: format!("pkcs11-{tokens}"),
                    source,
                };
                let uri = Pkcs11Uri::parse(&uri_text).map_err(|e| bad(Box::new(e)))?;
                let has_pin = uri.pin_source().is_some() || uri.pin_value().is_some();
                let label = format!(
                    "{} / {}",
                    String::from_utf8_lossy(uri.token().unwrap_or(b"(any token)")),
                    String::from_utf8_lossy(uri.object().unwrap_or(b"(by id)"))
                );
                let signer = DaemonSigner {
                    info: Mutex::new(SignerInfo {
                        id: format!("pkcs11-{tokens}"),
                        kind: SignerKind::Pkcs11,
                        label,
                        algorithm: String::new(),
                        public_key: None,
                        certificate_chain: None,
                        pkcs11_uri: Some(uri.without_pin().format()),
                        locked: true,
                    }),
                    backend: Backend::Token(Mutex::new(Token {
                        uri: uri.clone(),
                        has_pin,
                        open: None,
                    })),
                };
                if has_pin {
                    let opened =
                        Pkcs11Signer::from_uri(&uri, &model_signing::pkcs11::default_module_dirs())
                            .map_err(|e| bad(Box::new(e)))?;
                    let config =
                        signing::Config::new().use_backend(signing::Backend::Pkcs11(opened));
                    let key = config.backend().and_then(|b| b.public_key());
                    if let Backend::Token(t) = &signer.backend {
                        t.lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .open = Some((Arc::new(config), Instant::now()));
                    }
                    let mut info = signer
                        .info
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    info.locked = false;
                    if let Some(key) = key {
                        info.algorithm = algorithm(key.curve()).into();
                        info.public_key = Some(key.to_pem());
                    }
                }
                signer
            }
            SignerSpec::Sigstore {
                use_staging,
                trust_config,
            } => {
                let instance = match (&trust_config, use_staging) {
                    (_, true) => "staging".to_string(),
                    (Some(p), false) => p.display().to_string(),
                    (None, false) => "production".to_string(),
                };
                // Checked now, so that a bad trust configuration fails at start.
                signing_trust_config(trust_config.as_deref(), use_staging).map_err(|e| {
                    DaemonError::Signer {
                        signer: "sigstore".into(),
                        source: Box::new(e),
                    }
                })?;
                DaemonSigner {
                    info: Mutex::new(SignerInfo {
                        id: "sigstore".into(),
                        kind: SignerKind::Sigstore,
                        label: format!("Sigstore ({instance})"),
                        algorithm: algorithm(Curve::P256).into(),
                        public_key: None,
                        certificate_chain: None,
                        pkcs11_uri: None,
                        locked: false,
                    }),
                    backend: Backend::Sigstore {
                        use_staging,
                        trust_config,
                    },
                }
            }
        };
        out.push(Arc::new(signer));
    }
    Ok(out)
}

/// Creates the default P-256 key (mode 0600) unless it exists.
fn ensure_default_key(path: &Path) -> Result<(), DaemonError> {
    if path.exists() {
        return Ok(());
    }
    use p256::pkcs8::EncodePrivateKey as _;
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    let pem = key
        .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
        .map_err(|e| DaemonError::Signer {
            signer: path.display().to_string(),
            source: Box::new(e),
        })?;
    let dir = crate::state_dir::StateDir::open(path.parent().unwrap_or(Path::new(".")))?;
    dir.write_private(path, pem.as_bytes())
        .map_err(|source| DaemonError::StateDir {
            path: path.to_path_buf(),
            source,
        })?;
    tracing::info!("created a signing key in {}", path.display());
    Ok(())
}
