//! What the test vectors signed: the only things a fuzzed input may get verified.
//!
//! The fuzzer cannot sign (it has no private key, and the targets never sign with one),
//! so whenever a check that rests on a signature passes, the signed bytes must be ones a
//! vector already carried with that signature. A pass on anything else is a forgery:
//! the target panics with [`forgery`].

use std::collections::HashSet;

use base64::Engine as _;
use serde_json::Value;
use std::sync::OnceLock;

use model_signing_core::bundle::{Bundle, Content};
use model_signing_core::sigstore::checkpoint::Checkpoint;
use model_signing_core::sigstore::sct::precertificate_tbs;
use model_signing_core::sigstore::timestamp::verify_timestamp;
use model_signing_core::sigstore::tlog::TlogEntry;
use model_signing_core::sigstore::UnixTime;

use crate::vectors::{roots, tsa_authority, MODEL_BUNDLES, SIGSTORE_BUNDLES};

/// Panics: a check passed for bytes nobody signed.
#[track_caller]
pub fn forgery(what: &str) -> ! {
    panic!("FORGERY: {what} verified, but it is not what a test vector signed");
}

fn sigstore_bundles() -> &'static [Bundle] {
    static B: OnceLock<Vec<Bundle>> = OnceLock::new();
    B.get_or_init(|| {
        SIGSTORE_BUNDLES
            .iter()
            .filter_map(|b| Bundle::from_json_strict(b).ok())
            .collect()
    })
}

/// The parts of a Sigstore vector, read field by field (some vectors are bundles the
/// verifier refuses as a whole, but their log entries, certificates and timestamps are
/// still what their authorities signed, and the seeds contain them).
struct Parts {
    entries: Vec<TlogEntry>,
    leaf: Option<Vec<u8>>,
    timestamps: Vec<Vec<u8>>,
    signatures: Vec<Vec<u8>>,
}

fn parts() -> &'static [Parts] {
    static P: OnceLock<Vec<Parts>> = OnceLock::new();
    P.get_or_init(|| SIGSTORE_BUNDLES.iter().map(|b| read_parts(b)).collect())
}

fn read_parts(bundle: &[u8]) -> Parts {
    let v: Value = serde_json::from_slice(bundle).expect("vector JSON");
    let b64 = |v: &Value| {
        v.as_str()
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
    };
    let vm = &v["verificationMaterial"];
    let entries = vm["tlogEntries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| TlogEntry::from_json(&serde_json::to_vec(e).ok()?).ok())
        .collect();
    let leaf = b64(&vm["certificate"]["rawBytes"])
        .or_else(|| b64(&vm["x509CertificateChain"]["certificates"][0]["rawBytes"]));
    let timestamps = vm["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| b64(&t["signedTimestamp"]))
        .collect();
    let mut signatures: Vec<Vec<u8>> = v["dsseEnvelope"]["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| b64(&s["sig"]))
        .collect();
    signatures.extend(b64(&v["messageSignature"]["signature"]));
    Parts {
        entries,
        leaf,
        timestamps,
        signatures,
    }
}

/// What a signature covers, with its signature: `dsse:<type>\0<payload>` or
/// `message:<digest>`.
pub fn signed_content(bundle: &Bundle) -> Vec<(Vec<u8>, Vec<u8>)> {
    match &bundle.content {
        Content::Dsse(env) => {
            let mut content = b"dsse:".to_vec();
            content.extend_from_slice(env.payload_type.as_bytes());
            content.push(0);
            content.extend_from_slice(&env.payload);
            env.signatures
                .iter()
                .map(|s| (content.clone(), s.sig.clone()))
                .collect()
        }
        Content::MessageSignature { digest, signature } => {
            let mut content = b"message:".to_vec();
            if let Some((_, d)) = digest {
                content.extend_from_slice(d);
            }
            vec![(content, signature.clone())]
        }
    }
}

/// `(payload, signature)` of every key and certificate model signature.
pub fn model_signatures() -> &'static HashSet<(Vec<u8>, Vec<u8>)> {
    static S: OnceLock<HashSet<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    S.get_or_init(|| {
        let mut set = HashSet::new();
        for b in MODEL_BUNDLES {
            let bundle = Bundle::from_json(b).expect("model vector");
            if let Some(env) = bundle.envelope() {
                for s in &env.signatures {
                    set.insert((env.payload.clone(), s.sig.clone()));
                }
            }
        }
        set
    })
}

/// `(content, signature)` of every Sigstore vector (see [`signed_content`]).
pub fn sigstore_signed() -> &'static HashSet<(Vec<u8>, Vec<u8>)> {
    static S: OnceLock<HashSet<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    S.get_or_init(|| sigstore_bundles().iter().flat_map(signed_content).collect())
}

/// Every logged body of the Sigstore vectors.
pub fn tlog_bodies() -> &'static HashSet<Vec<u8>> {
    static S: OnceLock<HashSet<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        parts()
            .iter()
            .flat_map(|p| p.entries.iter().map(|e| e.canonicalized_body.clone()))
            .collect()
    })
}

/// What a signed entry timestamp covers: `(log ID, log index, integrated time, body)`.
pub type SetClaim = (Vec<u8>, u64, i64, Vec<u8>);

/// The SET claims of the Sigstore vectors.
pub fn set_claims() -> &'static HashSet<SetClaim> {
    static S: OnceLock<HashSet<SetClaim>> = OnceLock::new();
    S.get_or_init(|| {
        parts()
            .iter()
            .flat_map(|p| {
                p.entries.iter().map(|e| {
                    (
                        e.log_id.clone(),
                        e.log_index,
                        e.integrated_time,
                        e.canonicalized_body.clone(),
                    )
                })
            })
            .collect()
    })
}

/// The signed text of every checkpoint of the Sigstore vectors.
pub fn checkpoint_texts() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        parts()
            .iter()
            .flat_map(|p| p.entries.iter())
            .filter_map(|e| e.inclusion_proof.as_ref()?.checkpoint.as_deref())
            .filter_map(|c| Checkpoint::parse(c).ok())
            .map(|c| c.signed_text)
            .collect()
    })
}

/// `(signature, genTime)` of every timestamp of the Sigstore vectors that verifies
/// against one of the test roots, and of the timestamped model signatures that verifies
/// against the test TSA: a TSA signs the hash of the signature and the time.
pub fn timestamps() -> &'static HashSet<(Vec<u8>, UnixTime)> {
    static S: OnceLock<HashSet<(Vec<u8>, UnixTime)>> = OnceLock::new();
    S.get_or_init(|| {
        let mut set = HashSet::new();
        for p in parts() {
            for sig in &p.signatures {
                for t in &p.timestamps {
                    for root in roots() {
                        if let Ok(v) = verify_timestamp(t, sig, &root.timestamp_authorities) {
                            set.insert((sig.clone(), v.gen_time));
                        }
                    }
                }
            }
        }
        for b in MODEL_BUNDLES {
            let bundle = Bundle::from_json(b).expect("model vector");
            for s in bundle.envelope().iter().flat_map(|e| &e.signatures) {
                for t in &bundle.timestamps {
                    if let Ok(v) =
                        verify_timestamp(t, &s.sig, std::slice::from_ref(tsa_authority()))
                    {
                        set.insert((s.sig.clone(), v.gen_time));
                    }
                }
            }
        }
        set
    })
}

/// The precertificate TBS of every leaf of the Sigstore vectors (what an SCT signs).
pub fn precertificates() -> &'static HashSet<Vec<u8>> {
    static S: OnceLock<HashSet<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        parts()
            .iter()
            .filter_map(|p| p.leaf.as_deref())
            .filter_map(|leaf| precertificate_tbs(leaf).ok())
            .collect()
    })
}
