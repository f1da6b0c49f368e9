//! The control socket: how `model_signing approve` talks to the running daemon.
//!
//! A Unix-domain socket in the state directory, mode 0600, answering only processes of
//! the same user: a web page cannot reach it. One JSON request per connection, one JSON
//! answer.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::UnixListener;
use zeroize::Zeroizing;

use crate::approval::{Decision, Grant, SignRequest};
use crate::audit::{Entry, Event};
use crate::signers::SignerInfo;
use crate::AppState;

/// Requests longer than this are refused (a PIN and an origin fit easily).
const MAX_REQUEST: usize = 64 << 10;

/// A request to the daemon.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Request {
    /// What waits for the user: pairing codes, sign requests, grants, signers.
    List,
    /// Approve or deny a sign request.
    Decide {
        /// The request's number.
        request: u64,
        /// Approve (true) or deny.
        approve: bool,
    },
    /// Approve an origin for a signer ahead, for `seconds`.
    Grant {
        /// The web origin.
        origin: String,
        /// The signer's id.
        signer: String,
        /// For how long.
        seconds: u64,
    },
    /// Revoke an origin: its tokens, grants and pending pairings.
    Revoke {
        /// The web origin.
        origin: String,
    },
    /// Unlock a PKCS #11 signer with its PIN.
    Pin {
        /// The signer's id.
        signer: String,
        /// The PIN (never logged; zeroized after use).
        pin: String,
    },
}

/// A pairing as `approve` shows it: the code is for the user to type into the page.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairingView {
    /// The page's origin.
    pub origin: String,
    /// The label the page gave.
    pub client: String,
    /// The code.
    pub code: String,
    /// Its expiry (Unix seconds).
    pub expires_at: u64,
}

/// The answer to [`Request::List`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    /// Pairings waiting for their code.
    pub pairings: Vec<PairingView>,
    /// Sign requests waiting for a decision.
    pub requests: Vec<SignRequestView>,
    /// Grants in force.
    pub grants: Vec<GrantView>,
    /// The signers.
    pub signers: Vec<SignerView>,
    /// Origins with a valid token, and until when.
    pub paired: Vec<(String, u64)>,
}

/// A sign request as `approve` shows it.
pub type SignRequestView = serde_json::Value;
/// A grant as `approve` shows it.
pub type GrantView = serde_json::Value;
/// A signer as `approve` shows it.
pub type SignerView = serde_json::Value;

/// An answer: `{"ok": true, ...}` or `{"ok": false, "error": "..."}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Answer {
    /// Whether the request succeeded.
    pub ok: bool,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The listing, for [`Request::List`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<Listing>,
}

impl Answer {
    fn ok() -> Self {
        Self {
            ok: true,
            error: None,
            listing: None,
        }
    }

    fn error(e: impl Into<String>) -> Self {
        Self {
            ok: false,
            error: Some(e.into()),
            listing: None,
        }
    }
}

fn view<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Serves the control socket at `path` until the daemon stops.
pub async fn serve(path: &Path, state: Arc<AppState>) -> std::io::Result<()> {
    // A socket left by a daemon that died is replaced; a live one means another daemon
    // uses this state directory.
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!(
                    "another daemon is running with this state directory ({} answers)",
                    path.display()
                ),
            ));
        }
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    let uid = crate::state_dir::current_uid();
    loop {
        let (stream, _) = listener.accept().await?;
        // Only this user's processes (the file mode says so too).
        if stream.peer_cred().map(|c| c.uid()).ok() != Some(uid) {
            continue;
        }
        let state = state.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            let mut reader = tokio::io::BufReader::new(read).take(MAX_REQUEST as u64);
            let answer = match reader.read_line(&mut line).await {
                Ok(_) => {
                    let line = Zeroizing::new(line);
                    match serde_json::from_str::<Request>(&line) {
                        Ok(request) => handle(request, &state).await,
                        Err(e) => Answer::error(format!("not a control request: {e}")),
                    }
                }
                Err(e) => Answer::error(e.to_string()),
            };
            let mut out = serde_json::to_vec(&answer).unwrap_or_default();
            out.push(b'\n');
            let _ = write.write_all(&out).await;
        });
    }
}

async fn handle(request: Request, state: &Arc<AppState>) -> Answer {
    match request {
        Request::List => {
            let (pairings, paired) = {
                let p = state.pairings();
                (
                    p.pending()
                        .map(|p| PairingView {
                            origin: p.origin.clone(),
                            client: p.client.clone(),
                            code: p.code().to_string(),
                            expires_at: p.expires_at,
                        })
                        .collect(),
                    p.tokens()
                        .iter()
                        .map(|t| (t.origin.clone(), t.expires_at))
                        .collect(),
                )
            };
            let requests: Vec<SignRequest> = state.approvals.waiting();
            let grants: Vec<Grant> = state.approvals.grants();
            let signers: Vec<SignerInfo> = state.signers.iter().map(|s| s.info()).collect();
            Answer {
                listing: Some(Listing {
                    pairings,
                    requests: requests.iter().map(view).collect(),
                    grants: grants.iter().map(view).collect(),
                    signers: signers.iter().map(view).collect(),
                    paired,
                }),
                ..Answer::ok()
            }
        }
        Request::Decide { request, approve } => {
            let decision = if approve {
                Decision::Approve
            } else {
                Decision::Deny
            };
            if state.approvals.decide(request, decision, "approve") {
                Answer::ok()
            } else {
                Answer::error(format!("no sign request #{request} is waiting"))
            }
        }
        Request::Grant {
            origin,
            signer,
            seconds,
        } => {
            if state.signer(&signer).is_none() {
                return Answer::error(format!("no signer '{signer}'"));
            }
            let grant = state
                .approvals
                .grant(&origin, &signer, Duration::from_secs(seconds));
            state.audit.record(
                Event::Granted,
                Entry {
                    origin: Some(&origin),
                    signer: Some(&signer),
                    detail: Some(&format!("until {}", grant.until)),
                    ..Entry::default()
                },
            );
            Answer::ok()
        }
        Request::Revoke { origin } => {
            let tokens = state.revoke_origin(&origin);
            let grants = state.approvals.revoke_origin(&origin);
            state.audit.record(
                Event::Revoked,
                Entry {
                    origin: Some(&origin),
                    detail: Some(&format!("{tokens} token(s), {grants} grant(s)")),
                    ..Entry::default()
                },
            );
            Answer::ok()
        }
        Request::Pin { signer, pin } => {
            let pin = Zeroizing::new(pin);
            let Some(s) = state.signer(&signer) else {
                return Answer::error(format!("no signer '{signer}'"));
            };
            match tokio::task::spawn_blocking(move || s.unlock(pin)).await {
                Ok(Ok(())) => Answer::ok(),
                Ok(Err(e)) => Answer::error(e.to_string()),
                Err(e) => Answer::error(e.to_string()),
            }
        }
    }
}

/// Sends one request to the daemon whose state directory holds `socket`.
pub fn request(socket: &Path, request: &Request) -> Result<Answer, std::io::Error> {
    let mut stream = UnixStream::connect(socket).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!(
                "cannot reach the signing daemon at {}: {e} (is `model_signing serve` running with this state directory?)",
                socket.display()
            ),
        )
    })?;
    let mut line = Zeroizing::new(serde_json::to_vec(request).unwrap_or_default());
    line.push(b'\n');
    stream.write_all(&line)?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    serde_json::from_str(&answer)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
