//! Checking a bundle: the signature against a key or a certificate chain, then the
//! statement it carries. Comparing the signed manifest with the model on disk is the
//! last step and needs the model's bytes, so callers do it with [`check_manifest`].
//!
//! Key and certificate signatures may carry RFC 3161 timestamps over their signature
//! (`timestampVerificationData`, as keyless bundles do). Given timestamp authorities
//! ([`verify_bundle_with`]), every timestamp must verify against them, at least one must
//! be there, and a certificate chain is checked at each timestamped time instead of the
//! leaf's notBefore, so a leaf that has expired since still verifies while one that had
//! already expired when it signed does not (docs/format.md §8.8). Without authorities the
//! timestamps are not checked, as the reference does not, and a warning says so.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bundle::{Bundle, Content, VerificationMaterial, MEDIA_TYPE_V0_3};
use crate::certificate::{verify_chain, verify_chain_at, CertificateError, VerifiedChain};
use crate::dsse::{pae_compat_digest, pae_digest, IN_TOTO_PAYLOAD_TYPE};
use crate::encoding::excerpt;
use crate::keys::{PublicKey, SignatureError, SignatureHash};
use crate::manifest::{Manifest, ManifestDiff};
use crate::sigstore::timestamp::verify_timestamp;
use crate::sigstore::trust_root::CertificateAuthority;
use crate::sigstore::{
    Artifact, Check, IdentityPolicy, Policy, SigstoreError, TimeSource, TimestampError,
    TrustedRoot, UnixTime, VerifiedTime,
};
use crate::statement::{parse_statement, SignedManifest, StatementError};

/// Who is trusted to have signed.
#[derive(Clone, Debug)]
pub enum Verifier {
    /// A public key (`verify key`).
    Key(PublicKey),
    /// Trust anchors for certificate chains (`verify certificate`), DER.
    Certificate {
        /// Trusted certificates; the path must end in a self-signed one of them.
        anchors: Vec<Vec<u8>>,
    },
    /// A Sigstore trusted root and the identity that must have signed (`verify
    /// sigstore`).
    Sigstore {
        /// The trusted root (boxed: it is large).
        trust_root: alloc::boxed::Box<TrustedRoot>,
        /// Who must have signed.
        policy: IdentityPolicy,
        /// The verifier's current time, when it has a clock: signed times after it
        /// are refused ([`crate::sigstore::verify_at`]).
        now: Option<crate::sigstore::UnixTime>,
    },
}

/// Who signed, as established by verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerIdentity {
    /// The configured key.
    Key {
        /// Its hint.
        hint: String,
        /// The signing times that RFC 3161 timestamps proved (empty unless timestamp
        /// authorities were given).
        verified_times: Vec<VerifiedTime>,
    },
    /// A certificate chaining to a trusted root.
    Certificate {
        /// The leaf's subject.
        subject: String,
        /// The path, leaf first, anchor last (DER).
        path: Vec<Vec<u8>>,
        /// The time the chain was checked at (Unix seconds): the first timestamped time
        /// when timestamps were verified, else the leaf's notBefore.
        verification_time: u64,
        /// The signing times that RFC 3161 timestamps proved; the chain was checked at
        /// each (empty unless timestamp authorities were given).
        verified_times: Vec<VerifiedTime>,
    },
    /// A Fulcio certificate, verified keylessly.
    Sigstore {
        /// The certificate's SAN that matched the policy.
        identity: String,
        /// Its OIDC issuer.
        issuer: String,
        /// The verified times it was checked at (log entries and timestamps).
        verified_times: Vec<VerifiedTime>,
        /// The leaf certificate (DER).
        certificate: Vec<u8>,
        /// Every check that passed, in order (log entries, timestamps, chain, SCT,
        /// identity, signature, entry consistency).
        checks: Vec<Check>,
    },
}

/// Something a user should know about a signature that verified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// A key signature made before 1.1: the bundle has no key hint.
    #[error("This model's signature uses an older verification material format. Please re-sign with an updated signer to use a public key identifier hash.")]
    LegacyKeyMaterial,
    /// The signing certificate has no KeyUsage extension.
    #[error("Certificate does not specify 'KeyUsage'.")]
    CertificateWithoutKeyUsage,
    /// The signing certificate has no ExtendedKeyUsage extension (and its KeyUsage, if
    /// any, does not allow signing).
    #[error("Certificate does not specify 'ExtendedKeyUsage'.")]
    CertificateWithoutExtendedKeyUsage,
    /// The signature carries RFC 3161 timestamps, but no timestamp authority was given,
    /// so they were not checked (a certificate chain is then checked at the leaf's
    /// notBefore, as the reference does).
    #[error("the signature carries {count} RFC 3161 timestamp(s), which were not checked because no timestamp authority was given (--tsa-certificate-chain or --trust-config)")]
    TimestampsNotChecked {
        /// How many.
        count: usize,
    },
    /// An RFC 3161 timestamp did not verify and was not counted (others did).
    #[error("RFC 3161 timestamp #{index} was ignored: {reason}")]
    TimestampIgnored {
        /// Its position in the bundle.
        index: usize,
        /// Why it did not verify.
        reason: crate::sigstore::TimestampError,
    },
}

/// The kind of signer material a bundle holds, which decides how it is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaterialKind {
    /// A public key (key and PKCS #11 key signatures).
    PublicKey,
    /// A certificate chain (certificate signatures).
    CertificateChain,
    /// A Fulcio certificate (Sigstore keyless signatures).
    Sigstore,
}

impl MaterialKind {
    fn of(m: &VerificationMaterial) -> Self {
        match m {
            VerificationMaterial::PublicKey { .. } => Self::PublicKey,
            VerificationMaterial::X509CertificateChain(_) => Self::CertificateChain,
            VerificationMaterial::Certificate(_) => Self::Sigstore,
        }
    }
}

impl core::fmt::Display for MaterialKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::PublicKey => "a public key",
            Self::CertificateChain => "a certificate chain",
            Self::Sigstore => "a Sigstore certificate",
        })
    }
}

/// A bundle whose signature checked out.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifiedSignature {
    /// What was signed.
    pub signed: SignedManifest,
    /// Who signed.
    pub signer: SignerIdentity,
    /// Notes for the user (an old bundle format, a certificate without KeyUsage).
    pub warnings: Vec<Warning>,
    /// Whether the legacy (0.2.x) PAE was needed.
    pub legacy_pae: bool,
}

/// Why verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The bundle's material does not fit the verifier (e.g. a key bundle checked
    /// against certificates).
    #[error("the signature was made with {found}, but verification was asked for {expected}")]
    WrongMaterial {
        /// What the verifier needs.
        expected: MaterialKind,
        /// What the bundle holds.
        found: MaterialKind,
    },
    /// The bundle's media type is not the one key and certificate signatures use (the
    /// reference's traditional verifier requires exactly v0.3).
    #[error("invalid sigstore bundle, got media type '{0}' but expected {MEDIA_TYPE_V0_3}")]
    MediaType(String),
    /// The key hint names another key.
    #[error("key mismatch: the public key hash in the signature's verification material does not match the provided public key")]
    KeyMismatch,
    /// Not exactly one DSSE signature.
    #[error("expected exactly one signature in the DSSE envelope, found {0}")]
    SignatureCount(usize),
    /// The signature does not verify.
    #[error("the signature does not verify: {0}")]
    BadSignature(SignatureError),
    /// The bundle signs a message, not a DSSE envelope (model signatures use DSSE).
    #[error("the bundle holds a message signature; model signatures use a DSSE envelope")]
    MessageSignature,
    /// The envelope's payload type is not in-toto.
    #[error("expected DSSE payload {IN_TOTO_PAYLOAD_TYPE}, but got {0}")]
    PayloadType(String),
    /// The certificate chain is not trusted.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// The statement is malformed or inconsistent.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// The Sigstore bundle did not verify.
    #[error(transparent)]
    Sigstore(#[from] SigstoreError),
    /// The model differs from what was signed.
    #[error("Signature mismatch: {}", .0.join("; "))]
    ManifestMismatch(Vec<String>),
    /// Timestamp authorities were given but the signature carries no timestamp.
    #[error("the signature carries no RFC 3161 timestamp, but timestamp authorities were given to check one: re-sign with a timestamp authority (--tsa-url), or verify without --tsa-certificate-chain")]
    NoTimestamp,
    /// A timestamp does not verify against the given timestamp authorities.
    #[error("RFC 3161 timestamp #{index} of the signature does not verify: {error}")]
    Timestamp {
        /// Its position in the bundle.
        index: usize,
        /// Why.
        error: TimestampError,
    },
    /// The certificate chain is not valid at a time a timestamp proves.
    #[error("the certificate chain is not valid at {time}, the signing time RFC 3161 timestamp #{index} proves: {error}")]
    CertificateAtTimestamp {
        /// The timestamp's position in the bundle.
        index: usize,
        /// Its `genTime`.
        time: UnixTime,
        /// Why.
        error: CertificateError,
    },
}

/// Checks the bundle's signature with `verifier` and parses the statement.
///
/// The standard PAE is tried first, then the 0.2.x one (with the curve hash for keys and
/// SHA-256 for certificates, as the reference does). Timestamps of key and certificate
/// signatures are not checked (see [`verify_bundle_with`]).
pub fn verify_bundle(
    bundle: &Bundle,
    verifier: &Verifier,
) -> Result<VerifiedSignature, VerifyError> {
    verify_bundle_with(bundle, verifier, &[])
}

/// [`verify_bundle`], with the RFC 3161 timestamps of key and certificate signatures
/// checked against `timestamp_authorities` (see the module documentation). An empty list
/// leaves them unchecked, with a [`Warning::TimestampsNotChecked`]. Sigstore signatures
/// are checked against their trusted root's authorities, and ignore this list.
pub fn verify_bundle_with(
    bundle: &Bundle,
    verifier: &Verifier,
    timestamp_authorities: &[CertificateAuthority],
) -> Result<VerifiedSignature, VerifyError> {
    // Sigstore bundles may be v0.1 to v0.3; the rest is for key and certificate ones.
    if !matches!(verifier, Verifier::Sigstore { .. }) && bundle.media_type != MEDIA_TYPE_V0_3 {
        return Err(VerifyError::MediaType(excerpt(&bundle.media_type)));
    }
    let env = match &bundle.content {
        Content::Dsse(env) => env,
        Content::MessageSignature { .. } => return Err(VerifyError::MessageSignature),
    };
    // Before any chain is built: a second signature is refused, never left unchecked.
    if env.signatures.len() != 1 && !matches!(verifier, Verifier::Sigstore { .. }) {
        return Err(VerifyError::SignatureCount(env.signatures.len()));
    }
    let mut warnings = Vec::new();
    let (key, compat_hash, signer) = match (verifier, &bundle.verification_material) {
        (Verifier::Key(key), VerificationMaterial::PublicKey { hint, .. }) => {
            match hint {
                Some(h) if !h.eq_ignore_ascii_case(&key.hint()) => {
                    return Err(VerifyError::KeyMismatch)
                }
                Some(_) => {}
                None => warnings.push(Warning::LegacyKeyMaterial),
            }
            let verified_times = signing_times(bundle, env, timestamp_authorities, &mut warnings)?;
            (
                key.clone(),
                key.curve().hash(),
                SignerIdentity::Key {
                    hint: key.hint(),
                    verified_times,
                },
            )
        }
        (Verifier::Certificate { anchors }, VerificationMaterial::X509CertificateChain(chain)) => {
            let verified_times = signing_times(bundle, env, timestamp_authorities, &mut warnings)?;
            let verified = chain_at_signing_times(chain, anchors, &verified_times)?;
            warnings.extend(verified.warnings.iter().cloned());
            (
                verified.leaf_public_key.clone(),
                SignatureHash::Sha256,
                SignerIdentity::Certificate {
                    subject: verified.leaf_subject,
                    path: verified.path,
                    verification_time: verified.verification_time,
                    verified_times,
                },
            )
        }
        (
            Verifier::Sigstore {
                trust_root,
                policy,
                now,
            },
            _,
        ) => return verify_sigstore(bundle, env, trust_root, policy, *now),
        (Verifier::Key(_), found) => {
            return Err(VerifyError::WrongMaterial {
                expected: MaterialKind::PublicKey,
                found: MaterialKind::of(found),
            })
        }
        (Verifier::Certificate { .. }, found) => {
            return Err(VerifyError::WrongMaterial {
                expected: MaterialKind::CertificateChain,
                found: MaterialKind::of(found),
            })
        }
    };
    let legacy_pae = check_envelope(env, &key, compat_hash)?;
    let signed = parse_statement(&env.payload)?;
    Ok(VerifiedSignature {
        signed,
        signer,
        warnings,
        legacy_pae,
    })
}

/// Checks the envelope's one signature with `key` over the standard PAE, then over the
/// 0.2.x one with `compat_hash`; returns whether the legacy PAE was needed.
fn check_envelope(
    env: &crate::dsse::Envelope,
    key: &PublicKey,
    compat_hash: SignatureHash,
) -> Result<bool, VerifyError> {
    if env.signatures.len() != 1 {
        return Err(VerifyError::SignatureCount(env.signatures.len()));
    }
    let sig = &env.signatures[0].sig;
    // As the reference does, the PAE uses the constant type; the envelope's own type
    // is then required to be that constant.
    // Both encodings are hashed in place: a large payload is never copied.
    let standard = key.verify_prehash(
        &pae_digest(key.curve().hash(), IN_TOTO_PAYLOAD_TYPE, &env.payload),
        sig,
    );
    let legacy_pae = match standard {
        Ok(()) => false,
        Err(first) => {
            key.verify_prehash(
                &pae_compat_digest(compat_hash, IN_TOTO_PAYLOAD_TYPE, &env.payload),
                sig,
            )
            .map_err(|_| VerifyError::BadSignature(first))?;
            true
        }
    };
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(VerifyError::PayloadType(excerpt(&env.payload_type)));
    }
    Ok(legacy_pae)
}

/// Checks that `key` made the bundle's signature, whatever names it in the bundle: its
/// hint (a key signature) or a certificate holding it (a certificate signature, whose
/// chain is not checked: the key itself is what is trusted). For a signer re-signing a
/// model with the same key, which trusts its own previous signature only
/// (incremental re-signing); Sigstore bundles are refused, their keys are ephemeral.
pub fn verify_bundle_signed_by(
    bundle: &Bundle,
    key: &PublicKey,
) -> Result<VerifiedSignature, VerifyError> {
    let chain = match &bundle.verification_material {
        VerificationMaterial::PublicKey { .. } => {
            return verify_bundle(bundle, &Verifier::Key(key.clone()))
        }
        VerificationMaterial::X509CertificateChain(chain) => chain,
        found @ VerificationMaterial::Certificate(_) => {
            return Err(VerifyError::WrongMaterial {
                expected: MaterialKind::PublicKey,
                found: MaterialKind::of(found),
            })
        }
    };
    if bundle.media_type != MEDIA_TYPE_V0_3 {
        return Err(VerifyError::MediaType(excerpt(&bundle.media_type)));
    }
    let env = match &bundle.content {
        Content::Dsse(env) => env,
        Content::MessageSignature { .. } => return Err(VerifyError::MessageSignature),
    };
    let leaf = chain.first().ok_or(CertificateError::EmptyChain)?;
    if crate::certificate::certificate_public_key(leaf)? != *key {
        return Err(VerifyError::KeyMismatch);
    }
    let legacy_pae = check_envelope(env, key, SignatureHash::Sha256)?;
    Ok(VerifiedSignature {
        signed: parse_statement(&env.payload)?,
        signer: SignerIdentity::Key {
            hint: key.hint(),
            verified_times: Vec::new(),
        },
        warnings: Vec::new(),
        legacy_pae,
    })
}

/// The signing times the bundle's RFC 3161 timestamps prove over `signature`: every one
/// must verify against `authorities`, and there must be one. Without authorities, none is
/// checked and a warning says so when there are some.
fn signing_times(
    bundle: &Bundle,
    env: &crate::dsse::Envelope,
    authorities: &[CertificateAuthority],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<VerifiedTime>, VerifyError> {
    if authorities.is_empty() {
        if !bundle.timestamps.is_empty() {
            warnings.push(Warning::TimestampsNotChecked {
                count: bundle.timestamps.len(),
            });
        }
        return Ok(Vec::new());
    }
    if bundle.timestamps.is_empty() {
        return Err(VerifyError::NoTimestamp);
    }
    // Timestamps are over the signature bytes, which must be one signature.
    let [only] = env.signatures.as_slice() else {
        return Err(VerifyError::SignatureCount(env.signatures.len()));
    };
    let signature = only.sig.as_slice();
    bundle
        .timestamps
        .iter()
        .enumerate()
        .map(|(index, ts)| {
            let verified = verify_timestamp(ts, signature, authorities)
                .map_err(|error| VerifyError::Timestamp { index, error })?;
            Ok(VerifiedTime {
                source: TimeSource::Timestamp {
                    index,
                    authority: verified.authority_name,
                },
                time: verified.gen_time,
            })
        })
        .collect()
}

/// The chain checked at every timestamped signing time, or at the leaf's notBefore when
/// there is none (the reference's rule).
fn chain_at_signing_times(
    chain: &[alloc::vec::Vec<u8>],
    anchors: &[alloc::vec::Vec<u8>],
    times: &[VerifiedTime],
) -> Result<VerifiedChain, VerifyError> {
    let mut first = None;
    for t in times {
        // Key and certificate signatures have no log entries: every time is a timestamp's.
        let index = match t.source {
            TimeSource::Timestamp { index, .. } => index,
            TimeSource::TransparencyLog { entry } => entry,
        };
        // A genTime with a fraction counts from its whole second, at which certificate
        // validity (whole seconds) is decided.
        let secs = t.time.floor_secs().unwrap_or(0);
        let verified = verify_chain_at(chain, anchors, secs).map_err(|error| {
            VerifyError::CertificateAtTimestamp {
                index,
                time: t.time,
                error,
            }
        })?;
        first.get_or_insert(verified);
    }
    match first {
        Some(verified) => Ok(verified),
        None => Ok(verify_chain(chain, anchors)?),
    }
}

/// The Sigstore path of [`verify_bundle`]: keyless verification of the DSSE bundle
/// (docs/sigstore.md §A; the in-toto subject is the model's manifest digest, which the
/// caller compares), then the statement as for key and certificate signatures. The
/// compat PAE of 0.2.x is never tried: those versions did not sign with Sigstore.
fn verify_sigstore(
    bundle: &Bundle,
    env: &crate::dsse::Envelope,
    trust_root: &TrustedRoot,
    policy: &IdentityPolicy,
    now: Option<crate::sigstore::UnixTime>,
) -> Result<VerifiedSignature, VerifyError> {
    if let found @ VerificationMaterial::PublicKey { .. } = &bundle.verification_material {
        return Err(VerifyError::WrongMaterial {
            expected: MaterialKind::Sigstore,
            found: MaterialKind::of(found),
        });
    }
    let verified = crate::sigstore::verify_at(
        bundle,
        trust_root,
        &Policy::Identity(policy.clone()),
        &Artifact::None,
        now,
    )?;
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(VerifyError::PayloadType(excerpt(&env.payload_type)));
    }
    let signed = parse_statement(&env.payload)?;
    // An identity policy always yields the verified identity.
    let (identity, issuer) = verified
        .identity
        .map(|id| (id.matched.as_str().into(), id.issuer))
        .unwrap_or_default();
    let mut warnings = Vec::new();
    for (index, reason) in &verified.rejected_timestamps {
        warnings.push(Warning::TimestampIgnored {
            index: *index,
            reason: reason.clone(),
        });
    }
    Ok(VerifiedSignature {
        signed,
        signer: SignerIdentity::Sigstore {
            identity,
            issuer,
            verified_times: verified.verified_times,
            certificate: verified
                .certificate_path
                .first()
                .cloned()
                .unwrap_or_default(),
            checks: verified.checks,
        },
        warnings,
        legacy_pae: false,
    })
}

/// Compares the signed manifest with the model's, naming every difference.
pub fn check_manifest(
    signed: &Manifest,
    actual: &Manifest,
    model_name: &str,
) -> Result<(), VerifyError> {
    let diff: ManifestDiff = signed.diff(actual);
    if diff.is_empty() {
        Ok(())
    } else {
        Err(VerifyError::ManifestMismatch(diff.lines(model_name)))
    }
}
