//! `bundle_verify`: a model signature (`model.sig`) as `verify key` and `verify
//! certificate` read it.
//!
//! Input: bundle JSON (structure-aware mutator). [`Bundle::from_json`], the round trip
//! through `to_json`, the DSSE payload through `parse_statement` (and rebuilt with
//! `build_statement`), then `verify_bundle` with a key verifier for each key of the
//! vectors and with a certificate verifier anchored at the vectors' roots.
//!
//! Properties: a bundle read is written back and reads back the same; a statement
//! parsed is rebuilt to the same manifest; a bundle that verifies carries a
//! `(payload, signature)` pair of a test vector (anything else is a forgery); what
//! verified is the statement of the payload, signed by the key or the chain given.

use std::sync::OnceLock;

use model_signing_core::bundle::{Bundle, VerificationMaterial};
use model_signing_core::certificate::{certificate_public_key, MAX_PATH_LEN};
use model_signing_core::verify::{verify_bundle_with, SignerIdentity, Verifier};

use crate::known::{forgery, model_signatures, timestamps};
use crate::targets::{check_round_trip, check_statement};
use crate::trace;
use crate::vectors::{anchors, model_keys, tsa_authority};

fn verifiers() -> &'static [Verifier] {
    static V: OnceLock<Vec<Verifier>> = OnceLock::new();
    V.get_or_init(|| {
        let mut v: Vec<Verifier> = model_keys().iter().cloned().map(Verifier::Key).collect();
        v.push(Verifier::Certificate {
            anchors: anchors().to_vec(),
        });
        v
    })
}

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let bundle = match Bundle::from_json(data) {
        Ok(b) => b,
        Err(e) => {
            trace!("bundle_verify: not read: {e}");
            return;
        }
    };
    check_round_trip(&bundle, Bundle::from_json);
    let Some(env) = bundle.envelope() else {
        return;
    };
    let statement = check_statement(&env.payload);
    for verifier in verifiers() {
        // Without authorities timestamps are left unchecked; with the test TSA they must
        // verify, and the chain is checked at the times they prove.
        for authorities in [&[][..], std::slice::from_ref(tsa_authority())] {
            let verified = match verify_bundle_with(&bundle, verifier, authorities) {
                Ok(v) => v,
                Err(e) => {
                    trace!("bundle_verify: {}: {e}", kind(verifier));
                    continue;
                }
            };
            trace!("bundle_verify: {}: verified", kind(verifier));
            let sig = &env.signatures[0].sig;
            if !model_signatures().contains(&(env.payload.clone(), sig.clone())) {
                forgery("a model signature");
            }
            assert_eq!(Some(&verified.signed), statement.as_ref());
            let times = match (&verified.signer, verifier, &bundle.verification_material) {
                (
                    SignerIdentity::Key {
                        hint,
                        verified_times,
                    },
                    Verifier::Key(key),
                    _,
                ) => {
                    assert_eq!(*hint, key.hint());
                    verified_times
                }
                (
                    SignerIdentity::Certificate {
                        path,
                        verified_times,
                        verification_time,
                        ..
                    },
                    Verifier::Certificate { anchors },
                    VerificationMaterial::X509CertificateChain(chain),
                ) => {
                    assert_eq!(path.first(), chain.first(), "the path starts elsewhere");
                    assert!(path.len() <= MAX_PATH_LEN);
                    assert!(
                        anchors.contains(path.last().unwrap()),
                        "the path ends off an anchor"
                    );
                    assert!(path
                        .iter()
                        .all(|c| chain.contains(c) || anchors.contains(c)));
                    certificate_public_key(&chain[0]).expect("the leaf key was used");
                    if let Some(first) = verified_times.first() {
                        assert_eq!(
                            i64::try_from(*verification_time).ok(),
                            Some(first.time.secs),
                            "chain checked off the timestamp"
                        );
                    }
                    verified_times
                }
                other => panic!("unexpected signer for the verifier: {other:?}"),
            };
            if authorities.is_empty() {
                assert!(times.is_empty(), "a time verified without an authority");
            } else {
                assert_eq!(
                    times.len(),
                    bundle.timestamps.len(),
                    "a timestamp left unchecked"
                );
            }
            for t in times {
                if !timestamps().contains(&(sig.clone(), t.time)) {
                    forgery("an RFC 3161 timestamp of a model signature");
                }
            }
        }
    }
}

fn kind(v: &Verifier) -> &'static str {
    match v {
        Verifier::Key(_) => "key",
        Verifier::Certificate { .. } => "certificate",
        Verifier::Sigstore { .. } => "sigstore",
    }
}
