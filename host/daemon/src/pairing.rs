//! Pairing web pages with the daemon, and the bearer tokens they get.
//!
//! A page from an allowed origin asks to pair; the daemon shows a six-digit code to the
//! user only (its terminal and `model_signing approve`); the user types it into the
//! page, which then gets a token bound to its origin. Codes are single-use, expire after
//! two minutes and are voided after three wrong tries; tokens are 256 random bits, kept
//! only as SHA-256 hashes (on disk too), expire, and can be revoked per origin.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rand_core::{OsRng, RngCore as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// How long a code may be typed.
pub const PAIRING_LIFETIME: Duration = Duration::from_secs(120);
/// Wrong codes before a pairing is voided.
pub const MAX_TRIES: u32 = 3;
/// Pending pairings per origin, and in all (bounds memory under floods).
pub const MAX_PENDING_PER_ORIGIN: usize = 3;
/// See [`MAX_PENDING_PER_ORIGIN`].
pub const MAX_PENDING: usize = 64;

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A uniformly random six-digit code (rejection sampling: no modulo bias).
fn random_code() -> Zeroizing<String> {
    loop {
        let n = OsRng.next_u32();
        // 4_294_000_000 is the largest multiple of 10^6 below 2^32.
        if n < 4_294_000_000 {
            return Zeroizing::new(format!("{:06}", n % 1_000_000));
        }
    }
}

/// A pairing waiting for its code.
#[derive(Debug)]
pub struct Pairing {
    /// Its id (given to the page).
    pub id: String,
    /// The origin that asked.
    pub origin: String,
    /// The label the page gave (shown to the user, sanitised).
    pub client: String,
    code: Zeroizing<String>,
    /// When it expires.
    pub expires_at: u64,
    tries: u32,
}

impl Pairing {
    /// The code, for the user's eyes only (terminal, `approve`).
    pub fn code(&self) -> &str {
        &self.code
    }
}

/// Why a code was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmError {
    /// No such pairing (never, expired, used, voided) or from another origin.
    Gone,
    /// A wrong code; this many tries are left.
    WrongCode {
        /// Tries left before the pairing is voided.
        left: u32,
    },
    /// The last try was wrong: the pairing is voided.
    Voided,
}

/// A token as stored: its hash, its origin, its expiry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StoredToken {
    /// Hex SHA-256 of the token.
    pub hash: String,
    /// The origin it was issued to.
    pub origin: String,
    /// Issued at.
    pub created_at: u64,
    /// Expires at.
    pub expires_at: u64,
}

/// The pairings in progress and the tokens issued.
#[derive(Debug, Default)]
pub struct Pairings {
    pending: BTreeMap<String, Pairing>,
    tokens: Vec<StoredToken>,
}

/// Makes a label safe to print on a terminal: printable characters only, 80 at most.
pub fn sanitize(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(80).collect()
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Pairings {
    /// Starts from previously issued tokens (expired ones are dropped).
    pub fn with_tokens(tokens: Vec<StoredToken>) -> Self {
        let now = now();
        Self {
            pending: BTreeMap::new(),
            tokens: tokens.into_iter().filter(|t| t.expires_at > now).collect(),
        }
    }

    /// The tokens to persist.
    pub fn tokens(&self) -> &[StoredToken] {
        &self.tokens
    }

    fn expire(&mut self, now: u64) {
        self.pending.retain(|_, p| p.expires_at > now);
        self.tokens.retain(|t| t.expires_at > now);
    }

    /// Starts a pairing for `origin`; `None` when too many are pending.
    pub fn start(&mut self, origin: &str, client: &str) -> Option<&Pairing> {
        let now = now();
        self.expire(now);
        let for_origin = self.pending.values().filter(|p| p.origin == origin).count();
        if for_origin >= MAX_PENDING_PER_ORIGIN || self.pending.len() >= MAX_PENDING {
            return None;
        }
        let id = random_hex(16);
        let pairing = Pairing {
            id: id.clone(),
            origin: origin.into(),
            client: sanitize(client),
            code: random_code(),
            expires_at: now + PAIRING_LIFETIME.as_secs(),
            tries: 0,
        };
        Some(self.pending.entry(id).or_insert(pairing))
    }

    /// The pairings waiting for their code.
    pub fn pending(&self) -> impl Iterator<Item = &Pairing> {
        let now = now();
        self.pending.values().filter(move |p| p.expires_at > now)
    }

    /// Checks `code` for the pairing `id` from `origin`; on success the pairing is used
    /// up and a new token (returned once, never stored) is issued for `lifetime`.
    pub fn confirm(
        &mut self,
        id: &str,
        origin: &str,
        code: &str,
        lifetime: Duration,
    ) -> Result<(Zeroizing<String>, StoredToken), ConfirmError> {
        let now = now();
        self.expire(now);
        let pairing = match self.pending.get_mut(id) {
            Some(p) if p.origin == origin => p,
            _ => return Err(ConfirmError::Gone),
        };
        let right: bool = pairing.code.as_bytes().ct_eq(code.trim().as_bytes()).into();
        if !right {
            pairing.tries += 1;
            if pairing.tries >= MAX_TRIES {
                self.pending.remove(id);
                return Err(ConfirmError::Voided);
            }
            return Err(ConfirmError::WrongCode {
                left: MAX_TRIES - pairing.tries,
            });
        }
        self.pending.remove(id);
        let mut raw = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(raw.as_mut());
        let token = Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(*raw));
        let stored = StoredToken {
            hash: hex(&token_hash(&token)),
            origin: origin.into(),
            created_at: now,
            expires_at: now + lifetime.as_secs(),
        };
        self.tokens.push(stored.clone());
        Ok((token, stored))
    }

    /// Whether `token` is valid for `origin`. Every stored hash is compared in constant
    /// time, whatever matches.
    pub fn check_token(&self, token: &str, origin: &str) -> bool {
        let now = now();
        let hash = hex(&token_hash(token));
        let mut found = subtle::Choice::from(0);
        for t in &self.tokens {
            let same = t.hash.as_bytes().ct_eq(hash.as_bytes());
            let valid = subtle::Choice::from(u8::from(t.origin == origin && t.expires_at > now));
            found |= same & valid;
        }
        found.into()
    }

    /// Revokes one token (the caller's own).
    pub fn revoke_token(&mut self, token: &str) -> bool {
        let hash = hex(&token_hash(token));
        let before = self.tokens.len();
        self.tokens.retain(|t| t.hash != hash);
        self.tokens.len() != before
    }

    /// Revokes every token of `origin` and drops its pending pairings; returns how many
    /// tokens were revoked.
    pub fn revoke_origin(&mut self, origin: &str) -> usize {
        let before = self.tokens.len();
        self.tokens.retain(|t| t.origin != origin);
        self.pending.retain(|_, p| p.origin != origin);
        before - self.tokens.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "http://a.example";
    const B: &str = "http://b.example";
    const DAY: Duration = Duration::from_secs(86400);

    #[test]
    fn a_code_pairs_once_and_only_its_origin() {
        let mut p = Pairings::default();
        let (id, code) = {
            let pairing = p.start(A, "hub\u{1b}[31m").unwrap();
            assert_eq!(pairing.client, "hub[31m");
            assert_eq!(pairing.code().len(), 6);
            (pairing.id.clone(), pairing.code().to_string())
        };
        assert_eq!(
            p.confirm(&id, B, &code, DAY).unwrap_err(),
            ConfirmError::Gone
        );
        let (token, stored) = p.confirm(&id, A, &code, DAY).unwrap();
        assert_eq!(stored.origin, A);
        assert!(!stored.hash.contains(token.as_str()));
        assert_eq!(token.len(), 43);
        // Replayed: gone.
        assert_eq!(
            p.confirm(&id, A, &code, DAY).unwrap_err(),
            ConfirmError::Gone
        );
        assert!(p.check_token(&token, A));
        assert!(
            !p.check_token(&token, B),
            "a token of one origin is useless from another"
        );
        assert!(!p.check_token("forged", A));
        assert_eq!(p.revoke_origin(A), 1);
        assert!(!p.check_token(&token, A));
    }

    #[test]
    fn wrong_codes_void_the_pairing() {
        let mut p = Pairings::default();
        let (id, code) = {
            let pairing = p.start(A, "").unwrap();
            (pairing.id.clone(), pairing.code().to_string())
        };
        let wrong = if code == "000000" { "000001" } else { "000000" };
        assert_eq!(
            p.confirm(&id, A, wrong, DAY).unwrap_err(),
            ConfirmError::WrongCode { left: 2 }
        );
        assert_eq!(
            p.confirm(&id, A, wrong, DAY).unwrap_err(),
            ConfirmError::WrongCode { left: 1 }
        );
        assert_eq!(
            p.confirm(&id, A, wrong, DAY).unwrap_err(),
            ConfirmError::Voided
        );
        // Even the right code is useless now.
        assert_eq!(
            p.confirm(&id, A, &code, DAY).unwrap_err(),
            ConfirmError::Gone
        );
    }

    #[test]
    fn pending_pairings_are_bounded() {
        let mut p = Pairings::default();
        for _ in 0..MAX_PENDING_PER_ORIGIN {
            assert!(p.start(A, "").is_some());
        }
        assert!(p.start(A, "").is_none());
        assert!(p.start(B, "").is_some());
    }

    #[test]
    fn expired_tokens_are_dropped_on_load() {
        let old = StoredToken {
            hash: "00".into(),
            origin: A.into(),
            created_at: 1,
            expires_at: 2,
        };
        assert!(Pairings::with_tokens(vec![old]).tokens().is_empty());
    }
}
