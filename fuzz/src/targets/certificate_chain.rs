//! `certificate_chain`: the certificate chain verifier, with certificate parsing.
//!
//! Input: one control byte, then DER certificates back to back (leaf first; split at
//! their outer lengths, see [`crate::split::der_values`]). Control bits 0-1: how many of
//! the last certificates are the trust anchors (0: the vectors' roots); bits 2-4: the
//! time `verify_path_at` checks at (the leaf's notBefore, notAfter, just outside them,
//! the epoch, the far future).
//!
//! Runs `verify_chain` (the `verify certificate` path), `verify_path_at` (the Sigstore
//! path), `certificate_public_key` and `fingerprint_sha256` of each certificate.
//!
//! Properties: a verified path starts at the leaf, ends at an anchor, is at most
//! `MAX_PATH_LEN` long and only holds certificates given; `verify_chain` checks at the
//! leaf's notBefore and returns the leaf's key.

use der::Decode;
use model_signing_core::certificate::{
    certificate_public_key, fingerprint_sha256, verify_chain, verify_path_at, MAX_PATH_LEN,
};
use x509_cert::Certificate;

use crate::split::der_values;
use crate::trace;
use crate::vectors::anchors;

/// At most this many certificates are taken from one input.
const MAX_CERTIFICATES: usize = 16;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let certs: Vec<Vec<u8>> = der_values(rest, MAX_CERTIFICATES)
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    if certs.is_empty() {
        return;
    }
    let n_anchors = usize::from(control & 3).min(certs.len() - 1);
    let (chain, trusted) = certs.split_at(certs.len() - n_anchors);
    let trusted: Vec<Vec<u8>> = if trusted.is_empty() {
        anchors().to_vec()
    } else {
        trusted.to_vec()
    };
    for c in &certs {
        let _ = certificate_public_key(c);
        assert_eq!(fingerprint_sha256(c).len(), 32 * 3 - 1);
    }
    let leaf = Certificate::from_der(&chain[0]).ok();
    let validity = leaf.as_ref().map(|c| {
        let v = &c.tbs_certificate.validity;
        (
            v.not_before.to_unix_duration().as_secs(),
            v.not_after.to_unix_duration().as_secs(),
        )
    });

    match verify_chain(chain, &trusted) {
        Ok(v) => {
            trace!("certificate_chain: verify_chain: ok");
            check_path(&v.path, chain, &trusted);
            let (not_before, _) = validity.expect("a verified leaf parses");
            assert_eq!(v.verification_time, not_before);
            assert_eq!(Ok(v.leaf_public_key), certificate_public_key(&chain[0]));
        }
        Err(e) => trace!("certificate_chain: verify_chain: {e}"),
    }

    let (not_before, not_after) = validity.unwrap_or((1_600_000_000, 1_700_000_000));
    let time = match (control >> 2) & 7 {
        0 => not_before,
        1 => not_after,
        2 => not_before.saturating_sub(1),
        3 => not_after.saturating_add(1),
        4 => 0,
        5 => u64::MAX,
        _ => not_before / 2 + not_after / 2,
    };
    match verify_path_at(&chain[0], &chain[1..], &trusted, time) {
        Ok(path) => {
            trace!("certificate_chain: verify_path_at: ok");
            check_path(&path, chain, &trusted);
            assert!(
                not_before <= time && time <= not_after,
                "leaf checked outside its validity"
            );
        }
        Err(e) => trace!("certificate_chain: verify_path_at: {e}"),
    }
}

fn check_path(path: &[Vec<u8>], chain: &[Vec<u8>], anchors: &[Vec<u8>]) {
    assert!(
        !path.is_empty() && path.len() <= MAX_PATH_LEN,
        "path of {} certificates",
        path.len()
    );
    assert_eq!(path[0], chain[0], "the path does not start at the leaf");
    assert!(
        anchors.contains(path.last().unwrap()),
        "the path does not end at an anchor"
    );
    for c in path {
        assert!(
            chain.contains(c) || anchors.contains(c),
            "the path holds a certificate not given"
        );
    }
}
