//! `checkpoint`: a log checkpoint (C2SP signed note), as inclusion proofs carry it.
//!
//! Input: the note's text (byte mutations; not UTF-8 is refused before parsing, as the
//! JSON string it comes from would be). [`Checkpoint::parse`], then `verify` against
//! every log of the production and staging roots (and the test roots), both as a Rekor
//! v1 and a Rekor v2 checkpoint.
//!
//! Properties: a parsed note written back from its parts (the signed text and one
//! signature line per signature) parses to the same checkpoint; the signed text is the
//! start of the input; a checkpoint that verifies has the signed text of a test
//! vector's checkpoint (anything else is a forgery).

use base64::Engine as _;
use model_signing_core::sigstore::checkpoint::Checkpoint;

use crate::known::{checkpoint_texts, forgery};
use crate::trace;
use crate::vectors::roots;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checkpoint = match Checkpoint::parse(text) {
        Ok(c) => c,
        Err(e) => {
            trace!("checkpoint: not read: {e}");
            return;
        }
    };
    assert!(text.starts_with(&checkpoint.signed_text));
    let mut note = format!("{}\n", checkpoint.signed_text);
    for s in &checkpoint.signatures {
        let mut raw = s.key_hint.to_vec();
        raw.extend_from_slice(&s.signature);
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        note.push_str(&format!("\u{2014} {} {b64}\n", s.name));
    }
    let again = Checkpoint::parse(&note)
        .unwrap_or_else(|e| panic!("a checkpoint written back does not parse: {e}\n{note}"));
    assert_eq!(again, checkpoint, "checkpoint changed when written back");

    for root in roots() {
        for log in &root.tlogs {
            for rekor_v2 in [false, true] {
                match checkpoint.verify(log, rekor_v2) {
                    Ok(()) => {
                        trace!("checkpoint: verified by {}", log.base_url);
                        if !checkpoint_texts().contains(&checkpoint.signed_text) {
                            forgery("a checkpoint");
                        }
                    }
                    Err(e) => trace!("checkpoint: {}: {e}", log.base_url),
                }
            }
        }
    }
}
