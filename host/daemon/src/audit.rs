//! The append-only audit log: one JSON line per pairing and signature event, with the
//! time, the origin, the model, its root digest, the signer and the outcome. Never a
//! PIN, a token or key material.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::approval::SignRequest;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The daemon started.
    Started,
    /// A page asked to pair.
    PairingRequested,
    /// A page typed the right code and got a token.
    Paired,
    /// A wrong code was typed.
    PairingCodeRejected,
    /// A pairing was voided (too many wrong codes, or expired).
    PairingVoided,
    /// An origin's tokens were revoked.
    Revoked,
    /// An origin was approved ahead for a signer, for a time.
    Granted,
    /// A signature was asked for.
    SignRequested,
    /// The user approved it (or a grant did).
    Approved,
    /// The user denied it.
    Denied,
    /// Nobody decided in time.
    TimedOut,
    /// The page stopped waiting (its connection closed) before anyone decided.
    Withdrawn,
    /// The signature was made (and verified).
    Signed,
    /// Signing failed after approval.
    SignFailed,
}

/// One line of the log.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry<'a> {
    /// Seconds since the Unix epoch.
    pub time: u64,
    /// What happened.
    pub event: Option<Event>,
    /// The web origin concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'a str>,
    /// The sign request's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<u64>,
    /// The model's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<&'a str>,
    /// Its root digest (hex SHA-256).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_digest: Option<&'a str>,
    /// The signer's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<&'a str>,
    /// A detail (who decided, why it failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
}

impl<'a> Entry<'a> {
    /// The line of an event of sign request `r`, with `detail`.
    pub fn of_request(r: &'a SignRequest, detail: Option<&'a str>) -> Self {
        Self {
            origin: Some(&r.origin),
            request: Some(r.id),
            model: Some(&r.model_name),
            root_digest: Some(&r.root_digest),
            signer: Some(&r.signer),
            detail,
            ..Self::default()
        }
    }
}

/// The log file, opened for appending only.
#[derive(Debug)]
pub struct AuditLog {
    file: Mutex<File>,
}

impl AuditLog {
    /// Opens (or creates, mode 0600) the log.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)?;
        Ok(Self {
            file: Mutex::new(file),
        })
    }

    /// Appends one entry; a failure to write is reported on stderr, not fatal.
    pub fn record(&self, event: Event, mut entry: Entry<'_>) {
        entry.event = Some(event);
        entry.time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut line = serde_json::to_vec(&entry).unwrap_or_default();
        line.push(b'\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One write per line: O_APPEND keeps lines whole even with several writers.
        if let Err(e) = file.write_all(&line) {
            tracing::error!("cannot write the audit log: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_json_lines() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("audit.log");
        std::fs::write(&path, b"{\"earlier\":1}\n").unwrap();
        let log = AuditLog::open(&path).unwrap();
        log.record(
            Event::Signed,
            Entry {
                origin: Some("http://localhost:8080"),
                request: Some(3),
                root_digest: Some("ab"),
                ..Entry::default()
            },
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "{\"earlier\":1}");
        let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(v["event"], "signed");
        assert_eq!(v["request"], 3);
        assert!(v.get("model").is_none());
    }
}
