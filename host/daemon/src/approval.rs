//! Approving signatures at the daemon's side: every sign request waits for the user's
//! decision (the daemon's terminal or `model_signing approve`), unless the user approved
//! that origin for that signer ahead, for a limited time. A denial or a timeout signs
//! nothing.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::oneshot;

use crate::pairing::now;

/// Sign requests waiting at once, in all (bounds memory and the user's attention).
pub const MAX_PENDING: usize = 32;

/// What a sign request shows the user.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    /// Its number.
    pub id: u64,
    /// The web origin asking.
    pub origin: String,
    /// The model's name.
    pub model_name: String,
    /// The root digest (hex SHA-256) that will be signed.
    pub root_digest: String,
    /// Files in the manifest.
    pub files: usize,
    /// Manifest items (files or shards).
    pub resources: usize,
    /// The signer's id.
    pub signer: String,
    /// When it arrived.
    pub received_at: u64,
}

/// The user's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Sign.
    Approve,
    /// Do not sign.
    Deny,
}

/// How a request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Approved by the user (`by` says where) or by a grant.
    Approved {
        /// `terminal`, `approve` or `grant`.
        by: &'static str,
    },
    /// Denied.
    Denied,
    /// Nobody decided in time.
    TimedOut,
}

/// An origin approved ahead for a signer.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// The origin.
    pub origin: String,
    /// The signer's id.
    pub signer: String,
    /// Until when (Unix seconds).
    pub until: u64,
}

struct Waiting {
    request: SignRequest,
    reply: oneshot::Sender<(Decision, &'static str)>,
}

/// The requests waiting for a decision, and the grants.
#[derive(Default)]
pub struct Approvals {
    next_id: Mutex<u64>,
    waiting: Mutex<BTreeMap<u64, Waiting>>,
    grants: Mutex<Vec<Grant>>,
}

impl std::fmt::Debug for Approvals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approvals").finish_non_exhaustive()
    }
}

/// Removes a waiting request from the list when dropped.
struct Listed<'a> {
    approvals: &'a Approvals,
    id: u64,
}

impl Drop for Listed<'_> {
    fn drop(&mut self) {
        lock(&self.approvals.waiting).remove(&self.id);
    }
}

/// A request could not be queued.
#[derive(Debug, PartialEq, Eq)]
pub struct TooManyPending;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Approvals {
    /// Numbers a new request (before it is shown).
    pub fn next_id(&self) -> u64 {
        let mut n = lock(&self.next_id);
        *n += 1;
        *n
    }

    /// Whether a grant covers `origin` and `signer` now.
    pub fn granted(&self, origin: &str, signer: &str) -> bool {
        let now = now();
        let mut grants = lock(&self.grants);
        grants.retain(|g| g.until > now);
        grants
            .iter()
            .any(|g| g.origin == origin && g.signer == signer)
    }

    /// Approves `origin` for `signer` for `duration`.
    pub fn grant(&self, origin: &str, signer: &str, duration: Duration) -> Grant {
        let grant = Grant {
            origin: origin.into(),
            signer: signer.into(),
            until: now() + duration.as_secs(),
        };
        let mut grants = lock(&self.grants);
        grants.retain(|g| !(g.origin == origin && g.signer == signer));
        grants.push(grant.clone());
        grant
    }

    /// Drops every grant of `origin`; returns how many.
    pub fn revoke_origin(&self, origin: &str) -> usize {
        let mut grants = lock(&self.grants);
        let before = grants.len();
        grants.retain(|g| g.origin != origin);
        before - grants.len()
    }

    /// The grants in force.
    pub fn grants(&self) -> Vec<Grant> {
        let now = now();
        lock(&self.grants)
            .iter()
            .filter(|g| g.until > now)
            .cloned()
            .collect()
    }

    /// The requests waiting, oldest first.
    pub fn waiting(&self) -> Vec<SignRequest> {
        lock(&self.waiting)
            .values()
            .map(|w| w.request.clone())
            .collect()
    }

    /// Queues `request` and waits for the decision, at most `timeout`.
    pub async fn wait(
        &self,
        request: SignRequest,
        timeout: Duration,
    ) -> Result<Outcome, TooManyPending> {
        let id = request.id;
        let receiver = {
            let mut waiting = lock(&self.waiting);
            if waiting.len() >= MAX_PENDING {
                return Err(TooManyPending);
            }
            let (reply, receiver) = oneshot::channel();
            waiting.insert(id, Waiting { request, reply });
            receiver
        };
        // The request leaves the list however the wait ends, also when this future is
        // dropped because the page went away (its connection closed): a request nobody
        // waits for must neither be shown to the user nor hold one of the pending places.
        let _listed = Listed {
            approvals: self,
            id,
        };
        let outcome = match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok((Decision::Approve, by))) => Outcome::Approved { by },
            Ok(Ok((Decision::Deny, _))) => Outcome::Denied,
            // Dropped without an answer (cannot happen while the daemon runs): deny.
            Ok(Err(_)) => Outcome::Denied,
            Err(_) => Outcome::TimedOut,
        };
        Ok(outcome)
    }

    /// Decides request `id`; false when no such request waits.
    pub fn decide(&self, id: u64, decision: Decision, by: &'static str) -> bool {
        match lock(&self.waiting).remove(&id) {
            Some(w) => w.reply.send((decision, by)).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn request(a: &Approvals) -> SignRequest {
        SignRequest {
            id: a.next_id(),
            origin: "http://o".into(),
            model_name: "m".into(),
            root_digest: "00".into(),
            files: 1,
            resources: 1,
            signer: "s".into(),
            received_at: 0,
        }
    }

    #[tokio::test]
    async fn decisions_and_timeouts() {
        let a = Arc::new(Approvals::default());
        let r = request(&a);
        let id = r.id;
        let waiter = {
            let a = a.clone();
            tokio::spawn(async move { a.wait(r, Duration::from_secs(5)).await })
        };
        while a.waiting().is_empty() {
            tokio::task::yield_now().await;
        }
        assert!(a.decide(id, Decision::Approve, "approve"));
        assert_eq!(
            waiter.await.unwrap().unwrap(),
            Outcome::Approved { by: "approve" }
        );
        assert!(!a.decide(id, Decision::Deny, "approve"), "decided once");
        let r = request(&a);
        assert_eq!(
            a.wait(r, Duration::from_millis(20)).await.unwrap(),
            Outcome::TimedOut
        );
        assert!(a.waiting().is_empty(), "a timed-out request is gone");
    }

    #[tokio::test]
    async fn a_request_nobody_waits_for_leaves_the_list() {
        let a = Arc::new(Approvals::default());
        let r = request(&a);
        let id = r.id;
        let waiter = {
            let a = a.clone();
            tokio::spawn(async move { a.wait(r, Duration::from_secs(60)).await })
        };
        while a.waiting().is_empty() {
            tokio::task::yield_now().await;
        }
        // The page's connection closed: the server drops the handler, and with it the wait.
        waiter.abort();
        assert!(waiter.await.unwrap_err().is_cancelled());
        assert!(a.waiting().is_empty(), "an abandoned request is gone");
        assert!(
            !a.decide(id, Decision::Approve, "approve"),
            "nothing left to approve"
        );
        // Its place is free again: MAX_PENDING requests still fit.
        let mut held = Vec::new();
        for _ in 0..MAX_PENDING {
            let r = request(&a);
            let a = a.clone();
            held.push(tokio::spawn(async move {
                a.wait(r, Duration::from_secs(60)).await
            }));
        }
        while a.waiting().len() < MAX_PENDING {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            a.wait(request(&a), Duration::from_secs(1)).await,
            Err(TooManyPending)
        );
        for h in held {
            h.abort();
        }
    }

    #[test]
    fn grants_expire_and_are_revoked() {
        let a = Approvals::default();
        a.grant("http://o", "s", Duration::from_secs(60));
        assert!(a.granted("http://o", "s"));
        assert!(!a.granted("http://o", "other"));
        assert!(!a.granted("http://p", "s"));
        assert_eq!(a.revoke_origin("http://o"), 1);
        assert!(!a.granted("http://o", "s"));
        a.grant("http://o", "s", Duration::from_secs(0));
        assert!(!a.granted("http://o", "s"), "expired at once");
    }
}
