//! The local signing daemon (`model_signing serve`): a loopback HTTP API that signs
//! model manifests with PKCS #11 tokens, Sigstore and key files, for web pages the user
//! paired, each signature approved by the user at the daemon's side.
//!
//! * [`http`]: the API, its guard (Host, Origin, CORS, JSON, tokens, body limits, rate
//!   limits) and the OpenAPI document generated from the handlers;
//! * [`pairing`]: pairing codes and origin-bound tokens;
//! * [`approval`]: sign requests waiting for the user, and timed grants;
//! * [`control`]: the Unix socket `model_signing approve` talks to;
//! * [`signers`]: key files, PKCS #11 keys (PINs never from a page), Sigstore;
//! * [`audit`]: the append-only log; [`state_dir`]: where state lives; [`ui`]: the
//!   embedded web UI.
//!
//! The daemon only ever signs an in-toto statement it built itself from a manifest it
//! checked ([`model_signing_core::api::shapes::ManifestSpec::validate`]), and verifies
//! every bundle before answering.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub mod approval;
pub mod approve;
pub mod audit;
pub mod control;
pub mod http;
pub mod pairing;
pub mod signers;
pub mod state_dir;
pub mod ui;

use approval::{Approvals, Decision};
use audit::{AuditLog, Entry, Event};
use pairing::{Pairings, StoredToken};
use signers::{DaemonSigner, SignerSpec};
use state_dir::StateDir;

/// The daemon's default address: loopback, a fixed port (documented in the README).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7327";

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// `--listen` is not a loopback address.
    #[error("refusing to listen on {0}: the signing daemon listens on loopback only (127.0.0.1 or [::1]), since anything that can reach it can ask for signatures")]
    NotLoopback(SocketAddr),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// An `--allow-origin` that is not a web origin.
    #[error("'{0}' is not a web origin (scheme://host[:port], nothing after it), so it cannot be allowed")]
    BadOrigin(String),
    /// The state directory cannot be used.
    #[error("cannot use the state directory '{path}': {source}")]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The state directory is not private.
    #[error("refusing the state directory '{path}': {reason}")]
    StateDirUnsafe {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No state directory was given and the platform has none.
    #[error("no per-user state directory is known on this platform: give one with --state-dir")]
    NoStateDir,
    /// A signer cannot be opened.
    #[error("cannot open the signer {signer}: {source}")]
    Signer {
        /// Which.
        signer: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The runtime or the server failed.
    #[error("the daemon failed: {0}")]
    Runtime(#[from] std::io::Error),
}

/// How to run the daemon.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The loopback address (port 0: any free port).
    pub listen: SocketAddr,
    /// The state directory; `None`: the platform's per-user one.
    pub state_dir: Option<PathBuf>,
    /// Web origins (besides the daemon's own) allowed to pair.
    pub allowed_origins: Vec<String>,
    /// The signers to offer; none: a key created in the state directory.
    pub signers: Vec<SignerSpec>,
    /// How long a sign request waits for the user.
    pub approval_timeout: Duration,
    /// How long a paired page's token lives.
    pub token_lifetime: Duration,
    /// How long a PKCS #11 signer unlocked by a PIN the user gave stays unlocked idle.
    pub pin_timeout: Duration,
    /// Whether to ask on the daemon's terminal (y/n, PINs) when stdin is a terminal.
    pub interactive: bool,
}

impl ServeOptions {
    /// The defaults, for `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            state_dir: None,
            allowed_origins: Vec::new(),
            signers: Vec::new(),
            approval_timeout: Duration::from_secs(120),
            token_lifetime: Duration::from_secs(30 * 86400),
            pin_timeout: Duration::from_secs(15 * 60),
            interactive: true,
        }
    }
}

/// Checks a web origin: `scheme://host[:port]`, lowercased, no path.
pub fn normalize_origin(origin: &str) -> Result<String, DaemonError> {
    let bad = || DaemonError::BadOrigin(origin.into());
    let lower = origin.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    if rest.is_empty()
        || rest.contains(['/', '?', '#', '@', ' ', '*'])
        || rest.chars().any(|c| c.is_control())
    {
        return Err(bad());
    }
    Ok(lower)
}

/// What every handler shares.
pub struct AppState {
    signers: Vec<Arc<DaemonSigner>>,
    pairings: Mutex<Pairings>,
    approvals: Approvals,
    audit: AuditLog,
    rate: Mutex<http::RateLimiter>,
    state_dir: StateDir,
    own_origins: Vec<String>,
    hosts: Vec<String>,
    allowed_origins: Vec<String>,
    approval_timeout: Duration,
    token_lifetime: Duration,
    terminal_approval: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    fn pairings(&self) -> MutexGuard<'_, Pairings> {
        lock(&self.pairings)
    }

    fn rate_limiter(&self) -> MutexGuard<'_, http::RateLimiter> {
        lock(&self.rate)
    }

    fn signer(&self, id: &str) -> Option<Arc<DaemonSigner>> {
        self.signers.iter().find(|s| s.id() == id).cloned()
    }

    /// Persists the token hashes.
    fn save_tokens(&self) {
        let tokens: Vec<StoredToken> = self.pairings().tokens().to_vec();
        let data = serde_json::to_vec_pretty(&tokens).unwrap_or_default();
        if let Err(e) = self
            .state_dir
            .write_private(&self.state_dir.tokens(), &data)
        {
            tracing::error!("cannot save the paired origins: {e}");
        }
    }

    fn revoke_origin(&self, origin: &str) -> usize {
        let n = self.pairings().revoke_origin(origin);
        self.save_tokens();
        n
    }

    /// Shows the user something on the daemon's terminal.
    fn terminal(&self, text: &str) {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

fn load_tokens(dir: &StateDir) -> Vec<StoredToken> {
    std::fs::read(dir.tokens())
        .ok()
        .and_then(|d| serde_json::from_slice(&d).ok())
        .unwrap_or_default()
}

/// Reads `y N` / `n N` (or `y`/`n` when one request waits) on the daemon's terminal.
fn terminal_approvals(state: Arc<AppState>) {
    use std::io::BufRead as _;
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let mut words = line.split_whitespace();
        let decision = match words.next().map(str::to_ascii_lowercase).as_deref() {
            Some("y" | "yes") => Decision::Approve,
            Some("n" | "no") => Decision::Deny,
            _ => continue,
        };
        let waiting = state.approvals.waiting();
        let id = match words
            .next()
            .and_then(|w| w.trim_start_matches('#').parse().ok())
        {
            Some(id) => id,
            None if waiting.len() == 1 => waiting[0].id,
            None => {
                state.terminal("Several requests wait: say which, e.g. 'y 3'.");
                continue;
            }
        };
        if !state.approvals.decide(id, decision, "terminal") {
            state.terminal(&format!("No sign request #{id} is waiting."));
        }
    }
}

/// Asks on the terminal for the PINs of PKCS #11 signers that have none.
fn ask_pins(state: &AppState) {
    for s in &state.signers {
        let info = s.info();
        if !info.locked {
            continue;
        }
        let prompt = format!("PIN of {} ({}), empty to skip: ", info.id, info.label);
        let Ok(pin) = rpassword::prompt_password(prompt) else {
            return;
        };
        let pin = zeroize::Zeroizing::new(pin);
        if pin.is_empty() {
            continue;
        }
        match s.unlock(pin) {
            Ok(()) => state.terminal(&format!("{} unlocked.", info.id)),
            Err(e) => state.terminal(&format!("{} stays locked: {e}", info.id)),
        }
    }
}

/// Runs the daemon until Ctrl-C or SIGTERM. Prints its URL, state directory and
/// signers first; `ready` is called with the bound address (for tests and embedders).
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), DaemonError> {
    if !options.listen.ip().is_loopback() {
        return Err(DaemonError::NotLoopback(options.listen));
    }
    let allowed_origins = options
        .allowed_origins
        .iter()
        .map(|o| normalize_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    let dir = match &options.state_dir {
        Some(d) => d.clone(),
        None => state_dir::default_state_dir().ok_or(DaemonError::NoStateDir)?,
    };
    let state_dir = StateDir::open(&dir)?;
    let signers = signers::open_signers(&options.signers, &state_dir.default_key())?;
    let audit = AuditLog::open(&state_dir.audit_log()).map_err(|source| DaemonError::StateDir {
        path: state_dir.audit_log(),
        source,
    })?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|source| DaemonError::Bind {
                addr: options.listen,
                source,
            })?;
        let addr = listener.local_addr()?;
        let interactive =
            options.interactive && std::io::IsTerminal::is_terminal(&std::io::stdin());
        let state = Arc::new(AppState {
            signers,
            pairings: Mutex::new(Pairings::with_tokens(load_tokens(&state_dir))),
            approvals: Approvals::default(),
            audit,
            rate: Mutex::new(http::RateLimiter::default()),
            own_origins: http::own_origins(addr),
            hosts: http::own_hosts(addr),
            allowed_origins,
            approval_timeout: options.approval_timeout,
            token_lifetime: options.token_lifetime,
            terminal_approval: interactive,
            state_dir: state_dir.clone(),
        });
        let socket = state_dir.control_socket();
        let control = {
            let state = state.clone();
            let socket = socket.clone();
            tokio::spawn(async move {
                if let Err(e) = control::serve(&socket, state).await {
                    tracing::error!("the control socket stopped: {e}");
                }
            })
        };
        {
            // Idle PKCS #11 sessions whose PIN the user gave are closed.
            let state = state.clone();
            let idle = options.pin_timeout;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    for s in &state.signers {
                        if s.lock_if_idle(idle) {
                            state.terminal(&format!("{} locked again (idle).", s.id()));
                        }
                    }
                }
            });
        }
        state.terminal(&format!(
            "Signing daemon listening on http://{addr}/ (web UI{}).",
            if ui::embedded() {
                ""
            } else {
                " not built: API only"
            }
        ));
        state.terminal(&format!("State directory: {}", state_dir.path().display()));
        for s in &state.signers {
            let i = s.info();
            state.terminal(&format!(
                "Signer {}: {} ({}){}",
                i.id,
                i.label,
                if i.algorithm.is_empty() {
                    "key not read yet"
                } else {
                    &i.algorithm
                },
                if i.locked {
                    ", locked: give its PIN with model_signing approve --pin"
                } else {
                    ""
                }
            ));
        }
        if !state.allowed_origins.is_empty() {
            state.terminal(&format!(
                "Origins allowed to pair: {}",
                state.allowed_origins.join(", ")
            ));
        }
        state.terminal("Approve pairing codes and signatures with `model_signing approve`.");
        state.audit.record(Event::Started, Entry::default());
        if interactive {
            let s = state.clone();
            std::thread::spawn(move || {
                ask_pins(&s);
                terminal_approvals(s);
            });
        }
        ready(addr);
        let app = http::router(state.clone());
        let shutdown = async {
            let ctrl_c = tokio::signal::ctrl_c();
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        };
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        control.abort();
        let _ = std::fs::remove_file(&socket);
        Ok::<(), DaemonError>(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            normalize_origin("https://Hub.Example:8443").unwrap(),
            "https://hub.example:8443"
        );
        for bad in [
            "hub.example",
            "https://hub.example/",
            "http://*",
            "ftp://x",
            "https://a b",
            "http://",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_loopback_is_refused() {
        let mut o = ServeOptions::new("0.0.0.0:0".parse().unwrap());
        o.state_dir = Some(tempfile::tempdir().unwrap().path().join("s"));
        let e = serve(o, |_| {}).unwrap_err();
        assert!(matches!(e, DaemonError::NotLoopback(_)), "{e}");
    }
}
