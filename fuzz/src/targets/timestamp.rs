//! `timestamp`: RFC 3161 timestamp responses.
//!
//! Input: a big-endian `u16` length, the signature the timestamp is about (its
//! `messageImprint` is that signature's hash), then the DER `TimeStampResp`. Runs
//! `timestamp_response_status` (what a signer reads from a TSA) and `verify_timestamp`
//! against every test root (production's TSA and sigstore-python's test TSA).
//!
//! Properties: a timestamp that verifies names an authority of the root and vouches for
//! a `(signature, genTime)` of a test vector (a TSA signs both; anything else is a
//! forgery).

use model_signing_core::sigstore::requests::timestamp_response_status;
use model_signing_core::sigstore::timestamp::verify_timestamp;

use crate::known::{forgery, timestamps};
use crate::split::length_prefixed;
use crate::trace;
use crate::vectors::roots;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Some((signature, resp)) = length_prefixed(data) else {
        return;
    };
    let _ = timestamp_response_status(resp);
    for root in roots() {
        match verify_timestamp(resp, signature, &root.timestamp_authorities) {
            Ok(v) => {
                trace!("timestamp: verified by {:?}", v.authority_name);
                assert!(v.authority < root.timestamp_authorities.len());
                if !timestamps().contains(&(signature.to_vec(), v.gen_time)) {
                    forgery("an RFC 3161 timestamp");
                }
            }
            Err(e) => trace!("timestamp: {e}"),
        }
    }
}
