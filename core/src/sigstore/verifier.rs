//! The verification procedure (docs/sigstore.md §A.3), step by step.

use alloc::string::String;
use alloc::vec::Vec;

use der::{Decode, Encode};
use serde_json::Value;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};
use x509_cert::Certificate;

use crate::oids;

use super::identity::{certificate_identity, IdentityPolicy, SubjectName};
use super::sct::verify_embedded_scts;
use super::time::{TimeSource, UnixTime, VerifiedTime};
use super::timestamp::{verify_timestamp, TimestampError};
use super::tlog::{EntrySigner, ExpectedEntry, SignedContent, TlogError};
use super::trust_root::TrustedRoot;
use super::SigstoreError;
use crate::bundle::{Bundle, BundleVersion, Content, VerificationMaterial};
use crate::certificate::{decoded_extension, verify_path_at, CertificateError};
use crate::dsse::{pae, pae_digest, IN_TOTO_PAYLOAD_TYPE};
use crate::encoding::unhex;
use crate::keys::SignatureHash;
use crate::keys::{Scheme, VerifyingKey};

/// In-toto statement limits (sigstore-go's): bounded work on untrusted payloads.
const MAX_SUBJECTS: usize = 1024;
const MAX_SUBJECT_DIGESTS: usize = 32;

/// Who must have signed.
#[derive(Clone, Debug)]
pub enum Policy {
    /// Keyless: a Fulcio certificate for this identity.
    Identity(IdentityPolicy),
    /// A managed key (the bundle carries only a hint).
    Key(VerifyingKey),
}

/// What the signature must be about.
#[derive(Clone, Copy, Debug)]
pub enum Artifact<'a> {
    /// Nothing beyond the bundle: for DSSE bundles whose payload the caller checks
    /// itself (model signatures, whose subject is the model's manifest digest).
    None,
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// The artifact's digest (e.g. `sha256:<hex>` given instead of a file).
    Digest {
        /// The hash.
        algorithm: SignatureHash,
        /// The digest.
        digest: &'a [u8],
    },
}

/// A check that passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Bundle structure, media type and limits.
    Structure,
    /// The signed entry timestamp of a log entry.
    SignedEntryTimestamp {
        /// The entry.
        entry: usize,
    },
    /// The inclusion proof and signed checkpoint of a log entry.
    InclusionProof {
        /// The entry.
        entry: usize,
    },
    /// An RFC 3161 timestamp.
    Timestamp {
        /// Its position.
        index: usize,
    },
    /// At least one verified time.
    VerifiedTimeThreshold {
        /// How many.
        count: usize,
    },
    /// No verified time lies after the caller's clock ([`verify_at`]).
    NotInFuture,
    /// The certificate is valid and chains to a trusted CA at this verified time.
    CertificateChain {
        /// The time.
        at: UnixTime,
    },
    /// Embedded SCTs.
    SignedCertificateTimestamps {
        /// How many verified.
        count: usize,
    },
    /// KeyUsage digitalSignature and ExtendedKeyUsage codeSigning.
    CertificateUsage,
    /// The identity policy.
    Identity,
    /// The signature over the DSSE PAE or the artifact.
    Signature,
    /// A log entry records exactly this bundle.
    LogEntryBody {
        /// The entry.
        entry: usize,
    },
    /// The bundle's message digest is the artifact's.
    MessageDigest,
    /// The artifact's digest is an in-toto subject.
    Subject,
}

/// A log entry that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedLogEntry {
    /// Its position in the bundle.
    pub entry: usize,
    /// The log's `baseUrl`.
    pub log_url: String,
    /// `logIndex`.
    pub log_index: u64,
    /// `kind/version`.
    pub kind_version: String,
    /// The integrated time, when a SET vouches for it.
    pub integrated_time: Option<UnixTime>,
}

/// The verified keyless identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// The SAN that matched the policy.
    pub matched: SubjectName,
    /// Every identity SAN of the certificate.
    pub names: Vec<SubjectName>,
    /// The OIDC issuer.
    pub issuer: String,
}

/// A bundle that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBundle {
    /// Every check that passed, in order.
    pub checks: Vec<Check>,
    /// The verified times the certificate was checked at.
    pub verified_times: Vec<VerifiedTime>,
    /// Timestamps that did not verify and were skipped (not fatal: the other sources
    /// met the threshold).
    pub rejected_timestamps: Vec<(usize, TimestampError)>,
    /// The keyless identity (`None` for managed keys).
    pub identity: Option<VerifiedIdentity>,
    /// The certificate path, leaf first (empty for managed keys).
    pub certificate_path: Vec<Vec<u8>>,
    /// The log entries.
    pub log_entries: Vec<VerifiedLogEntry>,
}

fn cert_time(t: x509_cert::time::Time) -> UnixTime {
    UnixTime::from_secs(t.to_unix_duration().as_secs() as i64)
}

/// Whether a chain error says "this CA is not the issuer" rather than "the issuer
/// failed a check": when several CAs are tried, the latter explains the failure.
fn unrelated(e: &CertificateError) -> bool {
    matches!(
        e,
        CertificateError::IssuerNotFound { .. }
            | CertificateError::TrustedIssuerNotFound { .. }
            | CertificateError::UntrustedSelfSigned { .. }
    )
}

/// The leaf's path to a CA of `root` that is valid (`validFor`) at `at`.
///
/// Each CA is tried with only its own chain (intermediates and anchor), so a path
/// cannot mix CAs and the CA's `validFor` is the one that applies (as sigstore-go's
/// `FulcioCertificateAuthority.Verify` does).
fn fulcio_path(
    leaf: &[u8],
    root: &TrustedRoot,
    at: UnixTime,
) -> Result<(usize, Vec<Vec<u8>>), SigstoreError> {
    let mut error: Option<CertificateError> = None;
    let secs = at
        .floor_secs()
        .ok_or(SigstoreError::NoCertificateAuthorityAt(at))?;
    for (index, ca) in root.certificate_authorities.iter().enumerate() {
        if !ca.valid_for.contains(at) {
            continue;
        }
        let (intermediates, anchor) = ca.chain.split_at(ca.chain.len() - 1);
        match verify_path_at(leaf, intermediates, anchor, secs) {
            Ok(path) => return Ok((index, path)),
            Err(e) => {
                if error
                    .as_ref()
                    .is_none_or(|prev| unrelated(prev) && !unrelated(&e))
                {
                    error = Some(e);
                }
            }
        }
    }
    Err(match error {
        Some(reason) => SigstoreError::UntrustedCertificate { at, reason },
        None => SigstoreError::NoCertificateAuthorityAt(at),
    })
}

/// Whether every certificate of `path` is valid at `at`. Signatures and CA constraints
/// do not depend on the time, so a path found at one verified time holds at another
/// exactly when this is true (and its CA's `validFor` contains it); this saves
/// re-verifying the chain's signatures for each time.
fn path_valid_at(path: &[Vec<u8>], at: UnixTime) -> bool {
    path.iter().all(|der| {
        Certificate::from_der(der).is_ok_and(|c| {
            let v = &c.tbs_certificate.validity;
            cert_time(v.not_before) <= at && at <= cert_time(v.not_after)
        })
    })
}

/// The signature bytes that timestamps cover: the message signature, or the DSSE
/// envelope's single signature.
pub(crate) fn signature(bundle: &Bundle) -> Result<&[u8], SigstoreError> {
    match &bundle.content {
        Content::MessageSignature { signature, .. } => Ok(signature),
        Content::Dsse(env) if env.signatures.len() == 1 => Ok(&env.signatures[0].sig),
        Content::Dsse(env) => Err(SigstoreError::DsseSignatureCount(env.signatures.len())),
    }
}

/// The structure rules that need no trust material (docs/sigstore.md §A.2).
fn check_structure(bundle: &Bundle) -> Result<(), SigstoreError> {
    match &bundle.verification_material {
        VerificationMaterial::X509CertificateChain(_) if bundle.version >= BundleVersion::V0_3 => {
            // v0.3 carries the leaf alone (sigstore-go refuses chains there).
            return Err(SigstoreError::CertificateChainInV03);
        }
        VerificationMaterial::X509CertificateChain(c) if c.is_empty() => {
            return Err(SigstoreError::EmptyCertificateChain)
        }
        _ => {}
    }
    signature(bundle)?;
    // At least one entry: keyless signatures are only trusted once logged (the
    // sigstore-python and sigstore-go defaults; nothing here opts out).
    if bundle.tlog_entries.is_empty() {
        return Err(SigstoreError::NoTlogEntries);
    }
    for (entry, e) in bundle.tlog_entries.iter().enumerate() {
        let fail = |error| Err(SigstoreError::TransparencyLog { entry, error });
        if e.is_rekor_v2() || bundle.version >= BundleVersion::V0_2 {
            // From v0.2 on, and for every Rekor v2 entry, the proof is what binds the
            // entry to the log; a SET alone is not enough.
            if e.inclusion_proof.is_none() {
                return fail(TlogError::MissingInclusionProof);
            }
        } else if e.inclusion_promise.is_none() {
            // v0.1: the SET is required; an inclusion proof is optional (as in
            // sigstore-go and sigstore-js; sigstore-python wants both).
            return fail(TlogError::MissingInclusionPromise);
        }
        if e.inclusion_proof
            .as_ref()
            .is_some_and(|p| p.checkpoint.is_none())
        {
            return fail(TlogError::MissingCheckpoint);
        }
    }
    Ok(())
}

/// Reads any Sigstore bundle strictly ([`Bundle::from_json_strict`]) and verifies it
/// with [`verify`].
pub fn verify_json(
    bundle: &[u8],
    root: &TrustedRoot,
    policy: &Policy,
    artifact: &Artifact<'_>,
) -> Result<VerifiedBundle, SigstoreError> {
    verify(&Bundle::from_json_strict(bundle)?, root, policy, artifact)
}

/// How far a verified time may lie after the verifier's clock (clocks drift).
pub const CLOCK_SKEW_SECS: i64 = 60;

/// Verifies `bundle` against `root` for `policy` and `artifact`, without a clock: every
/// check but one needs no current time, and that one (a verified time in the future,
/// [`SigstoreError::TimeInFuture`]) needs [`verify_at`].
pub fn verify(
    bundle: &Bundle,
    root: &TrustedRoot,
    policy: &Policy,
    artifact: &Artifact<'_>,
) -> Result<VerifiedBundle, SigstoreError> {
    verify_at(bundle, root, policy, artifact, None)
}

/// [`verify`], and every verified time must be at most [`CLOCK_SKEW_SECS`] after
/// `now`, the caller's current time (core has no clock; hosts pass theirs).
pub fn verify_at(
    bundle: &Bundle,
    root: &TrustedRoot,
    policy: &Policy,
    artifact: &Artifact<'_>,
    now: Option<UnixTime>,
) -> Result<VerifiedBundle, SigstoreError> {
    let mut checks = Vec::new();

    // 0. Structure.
    check_structure(bundle)?;
    let signature = signature(bundle)?;
    checks.push(Check::Structure);

    // The signer, as the bundle and the policy say.
    let material = &bundle.verification_material;
    let (leaf, signer_key) = match (material, policy) {
        (VerificationMaterial::PublicKey { .. }, Policy::Key(key)) => (None, key.clone()),
        (
            VerificationMaterial::X509CertificateChain(_) | VerificationMaterial::Certificate(_),
            Policy::Identity(_),
        ) => {
            // An empty chain was refused by the structure check.
            let der = material
                .leaf()
                .ok_or(SigstoreError::EmptyCertificateChain)?;
            let cert = Certificate::from_der(der)
                .map_err(|e| SigstoreError::InvalidCertificate(alloc::format!("{e}")))?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| SigstoreError::InvalidCertificate(alloc::format!("{e}")))?;
            let key =
                VerifyingKey::from_spki_der(&spki).map_err(SigstoreError::UnsupportedSignerKey)?;
            (Some((der, cert)), key)
        }
        (VerificationMaterial::PublicKey { .. }, Policy::Identity(_)) => {
            return Err(SigstoreError::WrongMaterial {
                expected: "a Fulcio certificate (keyless)",
                found: "a public key",
            })
        }
        (_, Policy::Key(_)) => {
            return Err(SigstoreError::WrongMaterial {
                expected: "a public key",
                found: "a certificate",
            })
        }
    };

    // The cheap bindings come before anything costly: every log entry must record
    // exactly this signature, signer and content (CVE-2022-36056; cosign's
    // CVE-2026-22703), and a message digest must be the artifact's. A bundle that
    // borrows another signature's entry is refused before any certificate path is built.
    let message = match &bundle.content {
        Content::MessageSignature {
            digest: claimed, ..
        } if !matches!(artifact, Artifact::None) => {
            let (algorithm, digest) = artifact_digest(artifact, claimed.as_ref())?;
            // The digest in the bundle is an unauthenticated hint, but one that
            // disagrees with the artifact means the bundle is not for it.
            if let Some((_, claimed)) = claimed {
                if *claimed != digest {
                    return Err(SigstoreError::MessageDigestMismatch);
                }
                checks.push(Check::MessageDigest);
            }
            Some((algorithm, digest))
        }
        _ => None,
    };
    // Without the artifact, a message signature's entries are bound to the digest the
    // bundle claims; the signature itself then cannot be checked (step 5 refuses), but
    // every other failure, an identity mismatch first, is still reported as such.
    let bound = match (&bundle.content, &message) {
        (_, Some((algorithm, digest))) => Some((*algorithm, digest.as_slice())),
        (
            Content::MessageSignature {
                digest: claimed, ..
            },
            None,
        ) => claimed.as_ref().map(|(a, d)| (*a, d.as_slice())),
        (Content::Dsse(_), None) => None,
    };
    let content = match (&bundle.content, bound) {
        (Content::MessageSignature { .. }, Some((algorithm, digest))) => SignedContent::Message {
            algorithm,
            digest,
            signature,
        },
        (Content::Dsse(env), _) => SignedContent::Dsse(env),
        (Content::MessageSignature { .. }, None) => return Err(SigstoreError::ArtifactRequired),
    };
    let expected = ExpectedEntry {
        signer: match &leaf {
            Some((der, _)) => EntrySigner::Certificate(der),
            None => EntrySigner::Key(&signer_key),
        },
        signer_key: &signer_key,
        content,
    };
    for (entry, e) in bundle.tlog_entries.iter().enumerate() {
        e.check_body(&expected)
            .map_err(|error| SigstoreError::TransparencyLog { entry, error })?;
        checks.push(Check::LogEntryBody { entry });
    }

    // 1. Log entries: the log by ID (an entry from an unknown log is an error, not
    //    skipped: every entry the bundle presents must hold), the SET (Rekor v1), and
    //    the inclusion proof with its signed checkpoint.
    let mut verified_times = Vec::new();
    let mut log_entries = Vec::new();
    for (entry, e) in bundle.tlog_entries.iter().enumerate() {
        let fail = |error| SigstoreError::TransparencyLog { entry, error };
        let log = root
            .tlog(&e.log_id)
            .ok_or_else(|| fail(TlogError::UnknownLog(crate::encoding::b64encode(&e.log_id))))?;
        let mut integrated_time = None;
        // Rekor v2 has no SET; its integratedTime (0) is never a time source.
        if let (Some(set), false) = (&e.inclusion_promise, e.is_rekor_v2()) {
            let t = e.verify_set(log, set).map_err(fail)?;
            integrated_time = Some(t);
            verified_times.push(VerifiedTime {
                source: TimeSource::TransparencyLog { entry },
                time: t,
            });
            checks.push(Check::SignedEntryTimestamp { entry });
        }
        if e.inclusion_proof.is_some() {
            e.verify_inclusion(log).map_err(fail)?;
            checks.push(Check::InclusionProof { entry });
        }
        log_entries.push(VerifiedLogEntry {
            entry,
            log_url: log.base_url.clone(),
            log_index: e.log_index,
            kind_version: e.kind_version(),
            integrated_time,
        });
    }

    // 2. RFC 3161 timestamps over the signature. One that fails is skipped, not fatal
    //    (sigstore-python and sigstore-go; sigstore-js rejects the bundle): only
    //    verified ones count. Limits and duplicates were checked when parsing.
    if !bundle.timestamps.is_empty() && root.timestamp_authorities.is_empty() {
        return Err(SigstoreError::TimestampsWithoutAuthority);
    }
    let mut rejected_timestamps = Vec::new();
    for (index, ts) in bundle.timestamps.iter().enumerate() {
        match verify_timestamp(ts, signature, &root.timestamp_authorities) {
            Ok(v) => {
                verified_times.push(VerifiedTime {
                    source: TimeSource::Timestamp {
                        index,
                        authority: v.authority_name,
                    },
                    time: v.gen_time,
                });
                checks.push(Check::Timestamp { index });
            }
            Err(e) => rejected_timestamps.push((index, e)),
        }
    }

    // 3. Threshold: at least one verified time. Never the current time.
    if verified_times.is_empty() {
        return Err(match rejected_timestamps.first() {
            Some((index, error)) => SigstoreError::Timestamp {
                index: *index,
                error: error.clone(),
            },
            None => SigstoreError::NoVerifiedTime,
        });
    }
    checks.push(Check::VerifiedTimeThreshold {
        count: verified_times.len(),
    });
    // A signed time from the future is a log or authority that misbehaves: the
    // certificate would be judged at a time that has not come.
    if let Some(now) = now {
        let latest = UnixTime {
            secs: now.secs.saturating_add(CLOCK_SKEW_SECS),
            nanos: now.nanos,
        };
        if let Some(t) = verified_times.iter().find(|t| t.time > latest) {
            return Err(SigstoreError::TimeInFuture {
                from: t.source.clone(),
                time: t.time,
                now,
            });
        }
        checks.push(Check::NotInFuture);
    }

    // A log without a SET for its entry vouches for it through its checkpoint; its key
    // must then be valid at the verified times (the SET case checked integratedTime).
    for (entry, e) in bundle.tlog_entries.iter().enumerate() {
        if log_entries[entry].integrated_time.is_some() {
            continue;
        }
        if let Some(log) = root.tlog(&e.log_id) {
            if let Some(t) = verified_times
                .iter()
                .find(|t| !log.valid_for.contains(t.time))
            {
                return Err(SigstoreError::TransparencyLog {
                    entry,
                    error: TlogError::OutsideLogValidity {
                        log: log.base_url.clone(),
                        time: t.time,
                    },
                });
            }
        }
    }

    // 4. The certificate at every verified time (hybrid model), its SCTs, usage and
    //    identity.
    let mut identity = None;
    let mut certificate_path = Vec::new();
    if let (Some((der, cert)), Policy::Identity(policy)) = (&leaf, policy) {
        let validity = &cert.tbs_certificate.validity;
        let not_before = cert_time(validity.not_before);
        let not_after = cert_time(validity.not_after);
        // The leaf's own validity first, at every time: it is what a late timestamp or
        // a back-dated entry violates, and the clearest thing to report.
        for t in &verified_times {
            let at = t.time;
            if at < not_before {
                return Err(SigstoreError::CertificateNotYetValid { not_before, at });
            }
            // Inclusive end, as RFC 5280 and every client; a fraction past the last
            // second is after it.
            if at > not_after {
                return Err(SigstoreError::CertificateExpired { not_after, at });
            }
        }
        let mut found: Option<usize> = None;
        for t in &verified_times {
            let at = t.time;
            let reuse = found.is_some_and(|ca| {
                root.certificate_authorities[ca].valid_for.contains(at)
                    && path_valid_at(&certificate_path, at)
            });
            if !reuse {
                let (ca, path) = fulcio_path(der, root, at)?;
                if found.is_none() {
                    found = Some(ca);
                    certificate_path = path;
                }
            }
            checks.push(Check::CertificateChain { at });
        }
        let count = verify_embedded_scts(&certificate_path, root)?;
        checks.push(Check::SignedCertificateTimestamps { count });
        // Both usages are required (sigstore-python checks both; Fulcio always sets
        // them), not either as for `certificate` signatures.
        match decoded_extension::<KeyUsage>(cert, oids::KEY_USAGE) {
            Some((_, ku)) if ku.digital_signature() => {}
            _ => return Err(SigstoreError::LeafKeyUsage),
        }
        match decoded_extension::<ExtendedKeyUsage>(cert, oids::EXT_KEY_USAGE) {
            Some((_, eku)) if eku.0.contains(&oids::KP_CODE_SIGNING) => {}
            _ => return Err(SigstoreError::LeafExtendedKeyUsage),
        }
        checks.push(Check::CertificateUsage);
        let stated = certificate_identity(cert)?;
        let matched = policy.check(&stated)?;
        identity = Some(VerifiedIdentity {
            matched,
            names: stated.names.clone(),
            issuer: stated.issuer.clone().unwrap_or_default(),
        });
        checks.push(Check::Identity);
    }

    // 5. The signature.
    match (&bundle.content, &message) {
        // The PAE is hashed in place where the scheme allows (all but pure Ed25519).
        (Content::Dsse(env), _) => match signer_key.default_scheme() {
            scheme @ (Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss { hash: h, .. }) => {
                signer_key.verify_digest(
                    scheme,
                    &pae_digest(h, &env.payload_type, &env.payload),
                    signature,
                )
            }
            scheme => signer_key.verify(scheme, &pae(&env.payload_type, &env.payload), signature),
        },
        (Content::MessageSignature { .. }, Some((algorithm, digest))) => {
            match (&signer_key, artifact) {
                (VerifyingKey::Ed25519(_), Artifact::Bytes(bytes)) => {
                    signer_key.verify(Scheme::Ed25519, bytes, signature)
                }
                (VerifyingKey::Ed25519(_), _) => {
                    return Err(SigstoreError::DigestUnavailable(
                        "an Ed25519 signature needs the artifact itself, not its digest",
                    ))
                }
                (VerifyingKey::Ecdsa(_), _) => {
                    signer_key.verify_digest(Scheme::Ecdsa(*algorithm), digest, signature)
                }
                (VerifyingKey::Rsa { .. }, _) => {
                    signer_key.verify_digest(Scheme::RsaPkcs1(*algorithm), digest, signature)
                }
            }
        }
        (Content::MessageSignature { .. }, None) => return Err(SigstoreError::ArtifactRequired),
    }
    .map_err(SigstoreError::Signature)?;
    checks.push(Check::Signature);

    // 7. The artifact against the in-toto subjects.
    if let (Content::Dsse(env), false) = (&bundle.content, matches!(artifact, Artifact::None)) {
        check_subject(env, artifact)?;
        checks.push(Check::Subject);
    }

    Ok(VerifiedBundle {
        checks,
        verified_times,
        rejected_timestamps,
        identity,
        certificate_path,
        log_entries,
    })
}

/// The artifact's digest for a message signature, with the hash the bundle's
/// `messageDigest` names (SHA-256 when absent).
fn artifact_digest(
    artifact: &Artifact<'_>,
    claimed: Option<&(SignatureHash, Vec<u8>)>,
) -> Result<(SignatureHash, Vec<u8>), SigstoreError> {
    match artifact {
        Artifact::None => Err(SigstoreError::ArtifactRequired),
        Artifact::Bytes(bytes) => {
            let alg = claimed.map_or(SignatureHash::Sha256, |(a, _)| *a);
            Ok((alg, alg.digest(bytes)))
        }
        Artifact::Digest { algorithm, digest } => {
            if claimed.is_some_and(|(a, _)| a != algorithm) {
                return Err(SigstoreError::DigestUnavailable(
                    "the bundle's message digest uses another hash than the digest given",
                ));
            }
            Ok((*algorithm, digest.to_vec()))
        }
    }
}

/// Whether the artifact's digest is one of the statement's subjects.
fn check_subject(
    env: &crate::dsse::Envelope,
    artifact: &Artifact<'_>,
) -> Result<(), SigstoreError> {
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(SigstoreError::PayloadType(crate::encoding::excerpt(
            &env.payload_type,
        )));
    }
    let invalid = |why: &str| SigstoreError::InvalidStatement(why.into());
    let statement: Value =
        crate::json::read::parse(&env.payload, crate::statement::STATEMENT_LIMITS)
            .map_err(|_| invalid("not JSON"))?;
    let statement_type = statement
        .get("_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(
        statement_type,
        "https://in-toto.io/Statement/v1" | "https://in-toto.io/Statement/v0.1"
    ) {
        return Err(invalid("unknown _type"));
    }
    let subjects = statement
        .get("subject")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no subject list"))?;
    if subjects.len() > MAX_SUBJECTS {
        return Err(invalid("too many subjects"));
    }
    let wanted: Vec<(&str, Vec<u8>)> = match artifact {
        Artifact::None => return Ok(()),
        Artifact::Digest { algorithm, digest } => {
            alloc::vec![(hash_name(*algorithm), digest.to_vec())]
        }
        Artifact::Bytes(bytes) => [
            SignatureHash::Sha256,
            SignatureHash::Sha384,
            SignatureHash::Sha512,
        ]
        .into_iter()
        .map(|h| (hash_name(h), h.digest(bytes)))
        .collect(),
    };
    for subject in subjects {
        let digests = subject
            .get("digest")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("a subject has no digest map"))?;
        if digests.len() > MAX_SUBJECT_DIGESTS {
            return Err(invalid("a subject has too many digests"));
        }
        for (name, value) in &wanted {
            let found = digests.get(*name).and_then(Value::as_str).and_then(unhex);
            if found.as_deref() == Some(value.as_slice()) {
                return Ok(());
            }
        }
    }
    Err(SigstoreError::SubjectMismatch)
}

fn hash_name(h: SignatureHash) -> &'static str {
    match h {
        SignatureHash::Sha256 => "sha256",
        SignatureHash::Sha384 => "sha384",
        SignatureHash::Sha512 => "sha512",
    }
}
