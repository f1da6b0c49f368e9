//! Checking a bundle: the signature against a key or a certificate chain, then the
//! statement it carries. Comparing the signed manifest with the model on disk is the
//! last step and needs the model's bytes, so callers do it with [`check_manifest`].

use alloc::string::String;
use alloc::vec::Vec;

use crate::bundle::{Bundle, Content, VerificationMaterial, MEDIA_TYPE_V0_3};
use crate::certificate::{verify_chain, CertificateError};
use crate::dsse::{pae_compat_digest, pae_digest, IN_TOTO_PAYLOAD_TYPE};
use crate::encoding::excerpt;
use crate::keys::{PublicKey, SignatureError, SignatureHash};
use crate::manifest::{Manifest, ManifestDiff};
use crate::sigstore::{
    Artifact, Check, IdentityPolicy, Policy, SigstoreError, TrustedRoot, VerifiedTime,
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
    },
    /// A certificate chaining to a trusted root.
    Certificate {
        /// The leaf's subject.
        subject: String,
        /// The path, leaf first, anchor last (DER).
        path: Vec<Vec<u8>>,
        /// The time the chain was checked at (the leaf's notBefore, Unix seconds).
        verification_time: u64,
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
}

/// Checks the bundle's signature with `verifier` and parses the statement.
///
/// The standard PAE is tried first, then the 0.2.x one (with the curve hash for keys and
/// SHA-256 for certificates, as the reference does).
pub fn verify_bundle(
    bundle: &Bundle,
    verifier: &Verifier,
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
            (
                key.clone(),
                key.curve().hash(),
                SignerIdentity::Key { hint: key.hint() },
            )
        }
        (Verifier::Certificate { anchors }, VerificationMaterial::X509CertificateChain(chain)) => {
            let verified = verify_chain(chain, anchors)?;
            warnings.extend(verified.warnings.iter().cloned());
            (
                verified.leaf_public_key.clone(),
                SignatureHash::Sha256,
                SignerIdentity::Certificate {
                    subject: verified.leaf_subject,
                    path: verified.path,
                    verification_time: verified.verification_time,
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
    let signed = parse_statement(&env.payload)?;
    Ok(VerifiedSignature {
        signed,
        signer,
        warnings,
        legacy_pae,
    })
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
