//! `model_signing approve`: the user's side of pairing and approval, talking to the
//! running daemon over its control socket.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::control::{request, Answer, Listing, Request};

/// What `approve` does.
#[derive(Clone, Debug)]
pub enum Action {
    /// Show pairing codes and waiting requests, ask about each request (the default).
    Interactive {
        /// Keep watching for new requests until interrupted.
        watch: bool,
    },
    /// Show what waits, as text or JSON.
    List {
        /// JSON instead of text.
        json: bool,
    },
    /// Approve a sign request.
    Accept(u64),
    /// Deny a sign request.
    Deny(u64),
    /// Approve an origin for a signer ahead, for a time.
    Grant {
        /// The origin.
        origin: String,
        /// The signer's id.
        signer: String,
        /// For how long.
        duration: Duration,
    },
    /// Revoke an origin's tokens and grants.
    Revoke(String),
    /// Give a PKCS #11 signer its PIN (read without echo, or from stdin when it is not
    /// a terminal).
    Pin(String),
}

/// Why `approve` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApproveError {
    /// The daemon cannot be reached.
    #[error("{0}")]
    Unreachable(std::io::Error),
    /// The daemon refused the request.
    #[error("the daemon refused: {0}")]
    Refused(String),
    /// Reading the terminal failed.
    #[error("cannot read the answer: {0}")]
    Input(std::io::Error),
}

fn send(socket: &Path, r: &Request) -> Result<Answer, ApproveError> {
    let answer = request(socket, r).map_err(ApproveError::Unreachable)?;
    if answer.ok {
        Ok(answer)
    } else {
        Err(ApproveError::Refused(answer.error.unwrap_or_default()))
    }
}

fn listing(socket: &Path) -> Result<Listing, ApproveError> {
    send(socket, &Request::List)?
        .listing
        .ok_or_else(|| ApproveError::Refused("no listing in the answer".into()))
}

fn field<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v.get(k).and_then(|x| x.as_str()).unwrap_or("")
}

fn describe_request(r: &serde_json::Value) -> String {
    use model_signing_core::encoding::printable;
    format!(
        "#{} from {}: model '{}', root digest sha256:{}, {} file(s), signer {}",
        r.get("id").and_then(|x| x.as_u64()).unwrap_or(0),
        printable(field(r, "origin")),
        printable(field(r, "modelName")),
        field(r, "rootDigest"),
        r.get("files").and_then(|x| x.as_u64()).unwrap_or(0),
        printable(field(r, "signer")),
    )
}

fn print_listing(l: &Listing, out: &mut impl std::io::Write) -> std::io::Result<()> {
    use model_signing_core::encoding::printable;
    if l.pairings.is_empty() && l.requests.is_empty() {
        writeln!(out, "Nothing is waiting for approval.")?;
    }
    for p in &l.pairings {
        writeln!(
            out,
            "Pairing code for {}{}: {}",
            printable(&p.origin),
            if p.client.is_empty() {
                String::new()
            } else {
                format!(" ({})", printable(&p.client))
            },
            p.code
        )?;
    }
    for r in &l.requests {
        writeln!(out, "Sign request {}", describe_request(r))?;
    }
    for g in &l.grants {
        writeln!(
            out,
            "Approved ahead: {} for signer {} until {}",
            printable(field(g, "origin")),
            field(g, "signer"),
            g.get("until").and_then(|x| x.as_u64()).unwrap_or(0)
        )?;
    }
    Ok(())
}

/// Reads one line of the user's answer.
fn read_line() -> Result<String, ApproveError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(ApproveError::Input)?;
    Ok(line)
}

/// Runs `action` against the daemon whose state directory is `state_dir`, printing to
/// stdout.
pub fn run(state_dir: &Path, action: Action) -> Result<(), ApproveError> {
    let socket = state_dir.join("control.sock");
    let mut out = std::io::stdout().lock();
    match action {
        Action::List { json } => {
            let l = listing(&socket)?;
            if json {
                let text = serde_json::to_string_pretty(&l).unwrap_or_default();
                let _ = writeln!(out, "{text}");
            } else {
                let _ = print_listing(&l, &mut out);
            }
        }
        Action::Accept(id) | Action::Deny(id) => {
            let approve = matches!(action, Action::Accept(_));
            send(
                &socket,
                &Request::Decide {
                    request: id,
                    approve,
                },
            )?;
            let _ = writeln!(
                out,
                "Sign request #{id} {}.",
                if approve { "approved" } else { "denied" }
            );
        }
        Action::Grant {
            origin,
            signer,
            duration,
        } => {
            send(
                &socket,
                &Request::Grant {
                    origin: origin.clone(),
                    signer: signer.clone(),
                    seconds: duration.as_secs(),
                },
            )?;
            let _ = writeln!(
                out,
                "{origin} may sign with {signer} without asking for {} minute(s).",
                duration.as_secs() / 60
            );
        }
        Action::Revoke(origin) => {
            send(
                &socket,
                &Request::Revoke {
                    origin: origin.clone(),
                },
            )?;
            let _ = writeln!(out, "{origin} is no longer paired.");
        }
        Action::Pin(signer) => {
            let pin = if std::io::stdin().is_terminal() {
                Zeroizing::new(
                    rpassword::prompt_password(format!("PIN of {signer}: "))
                        .map_err(ApproveError::Input)?,
                )
            } else {
                let line = Zeroizing::new(read_line()?);
                Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string())
            };
            send(
                &socket,
                &Request::Pin {
                    signer: signer.clone(),
                    pin: pin.to_string(),
                },
            )?;
            let _ = writeln!(out, "{signer} unlocked.");
        }
        Action::Interactive { watch } => {
            let mut asked = std::collections::BTreeSet::new();
            loop {
                let l = listing(&socket)?;
                for p in &l.pairings {
                    if asked.insert(format!("pairing {}", p.code)) {
                        let _ = writeln!(
                            out,
                            "Pairing code for {}: {}",
                            model_signing_core::encoding::printable(&p.origin),
                            p.code
                        );
                    }
                }
                for r in &l.requests {
                    let id = r.get("id").and_then(|x| x.as_u64()).unwrap_or(0);
                    if !asked.insert(format!("request {id}")) {
                        continue;
                    }
                    let _ = write!(out, "Sign request {}. Approve? [y/N] ", describe_request(r));
                    let _ = out.flush();
                    let answer = read_line()?;
                    let approve =
                        matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
                    match send(
                        &socket,
                        &Request::Decide {
                            request: id,
                            approve,
                        },
                    ) {
                        Ok(_) => {
                            let _ = writeln!(
                                out,
                                "#{id} {}.",
                                if approve { "approved" } else { "denied" }
                            );
                        }
                        Err(e) => {
                            let _ = writeln!(out, "#{id}: {e}");
                        }
                    }
                }
                if !watch {
                    if asked.is_empty() {
                        let _ = writeln!(out, "Nothing is waiting for approval.");
                    }
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
    Ok(())
}
