//! `tlog_entry`: one transparency-log entry (`TransparencyLogEntry` proto3 JSON), as a
//! bundle holds it and Rekor v2 returns it.
//!
//! Input: entry JSON (structure-aware mutator). [`TlogEntry::from_json`]; the entry put
//! in a bundle, written and read back; then, against the trusted root that knows its
//! log, the signed entry timestamp (`verify_set`) and the inclusion proof with its
//! signed checkpoint (`verify_inclusion`).
//!
//! Properties: the round trip; a SET that verifies covers a `(log, index, time, body)`
//! of a test vector, and an inclusion proof that verifies proves a body of a test
//! vector (anything else is a forgery).

use model_signing_core::bundle::{Bundle, VerificationMaterial};
use model_signing_core::dsse::Envelope;
use model_signing_core::sigstore::tlog::TlogEntry;

use crate::known::{forgery, set_claims, tlog_bodies};
use crate::trace;
use crate::vectors::root_for_log;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let entry = match TlogEntry::from_json(data) {
        Ok(e) => e,
        Err(e) => {
            trace!("tlog_entry: not read: {e}");
            return;
        }
    };
    let _ = (entry.kind_version(), entry.is_rekor_v2());

    let mut bundle = Bundle::dsse(
        VerificationMaterial::Certificate(vec![0x30, 0]),
        Envelope {
            payload: b"{}".to_vec(),
            payload_type: "application/vnd.in-toto+json".into(),
            signatures: Vec::new(),
        },
    );
    bundle.tlog_entries.push(entry.clone());
    let json = bundle.to_json();
    let again = Bundle::from_json_strict(json.as_bytes())
        .unwrap_or_else(|e| panic!("an entry written back does not read back: {e}\n{json}"));
    assert_eq!(
        again.tlog_entries,
        std::slice::from_ref(&entry),
        "entry changed through JSON"
    );

    let root = root_for_log(Some(&entry.log_id));
    let Some(log) = root.tlog(&entry.log_id) else {
        return;
    };
    if let Some(set) = &entry.inclusion_promise {
        match entry.verify_set(log, set) {
            Ok(_) => {
                trace!("tlog_entry: SET verified");
                let claim = (
                    entry.log_id.clone(),
                    entry.log_index,
                    entry.integrated_time,
                    entry.canonicalized_body.clone(),
                );
                if !set_claims().contains(&claim) {
                    forgery("a signed entry timestamp");
                }
            }
            Err(e) => trace!("tlog_entry: SET: {e}"),
        }
    }
    match entry.verify_inclusion(log) {
        Ok(()) => {
            trace!("tlog_entry: inclusion verified");
            if !tlog_bodies().contains(&entry.canonicalized_body) {
                forgery("an inclusion proof");
            }
        }
        Err(e) => trace!("tlog_entry: inclusion: {e}"),
    }
}
