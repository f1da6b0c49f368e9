//! Signed checkpoints (C2SP `tlog-checkpoint` in a `signed-note`), which a log signs to
//! commit to its tree size and root hash, and their key IDs.
//!
//! ```text
//! <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n]*
//! \n
//! — <key name> <base64(4-byte key hint ‖ signature)>\n   (one or more lines)
//! ```
//!
//! The signed message is the text up to and including the first `\n` of the blank-line
//! separator. Signature lines from other keys (witness cosignatures, other logs) are
//! ignored: nothing distributes witness keys yet.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use super::trust_root::TransparencyLog;
use crate::encoding::b64decode_strict;
use crate::keys::VerifyingKey;

/// A parsed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, e.g. `rekor.sigstore.dev - 1193050959916656506` (Rekor v1)
    /// or `log2025-1.rekor.sigstore.dev` (Rekor v2).
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root_hash: [u8; 32],
    /// Extension lines (e.g. Rekor v1's `Timestamp: …`), unverified and unused.
    pub extensions: Vec<String>,
    /// The signed text.
    pub signed_text: String,
    /// Every signature line.
    pub signatures: Vec<NoteSignature>,
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The first 4 bytes of the key ID.
    pub key_hint: [u8; 4],
    /// The signature.
    pub signature: Vec<u8>,
}

/// Why a checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The note's overall shape is wrong (no blank line, no final newline).
    #[error("the checkpoint is not a signed note: {0}")]
    Malformed(&'static str),
    /// The first line is empty.
    #[error("the checkpoint has no origin line")]
    MissingOrigin,
    /// No tree-size line.
    #[error("the checkpoint has no tree size line")]
    MissingSize,
    /// The tree size is not a decimal number.
    #[error("the checkpoint's tree size '{0}' is not a decimal number")]
    InvalidSize(String),
    /// No root-hash line.
    #[error("the checkpoint has no root hash line")]
    MissingRootHash,
    /// The root hash is not 32 bytes of base64.
    #[error("the checkpoint's root hash is not 32 bytes of base64")]
    InvalidRootHash,
    /// The note has no signature line.
    #[error("the checkpoint has no signature")]
    MissingSignature,
    /// A signature line is malformed.
    #[error("a checkpoint signature line is malformed: {0}")]
    MalformedSignatureLine(String),
    /// The log's key is not usable.
    #[error("the log's key cannot verify checkpoints")]
    UnusableLogKey,
    /// A Rekor v2 checkpoint whose origin is not the log's host.
    #[error("the checkpoint's origin '{origin}' is not the log's host '{expected}'")]
    OriginMismatch {
        /// The origin line.
        origin: String,
        /// The host of the log's `baseUrl`.
        expected: String,
    },
    /// No signature line is from the log's key (by name and key hint).
    #[error("the checkpoint carries no signature by the log's key '{name}'")]
    NoLogSignature {
        /// The expected key name.
        name: String,
    },
    /// A signature line from the log's key does not verify.
    #[error("the checkpoint signature by '{name}' does not verify: the checkpoint was altered or not signed by the log")]
    BadSignature {
        /// The key name.
        name: String,
    },
    /// The checkpoint's tree size differs from the inclusion proof's.
    #[error("the checkpoint is for tree size {checkpoint}, but the inclusion proof for tree size {proof}")]
    SizeMismatch {
        /// The checkpoint's size.
        checkpoint: u64,
        /// The proof's size.
        proof: u64,
    },
    /// The checkpoint's root hash differs from the inclusion proof's.
    #[error("the checkpoint's root hash differs from the inclusion proof's root hash")]
    RootHashMismatch,
}

const SIG_PREFIX: &str = "\u{2014} ";

/// Notes with more signature lines are refused (as Go's `note` package does): each line
/// attributed to the log costs a signature check, and a bundle is untrusted input.
pub const MAX_SIGNATURES: usize = 100;

impl Checkpoint {
    /// Parses a signed note.
    pub fn parse(envelope: &str) -> Result<Self, CheckpointError> {
        let sep = envelope.find("\n\n").ok_or(CheckpointError::Malformed(
            "no blank line before the signatures",
        ))?;
        let signed_text = &envelope[..=sep];
        let sig_block = &envelope[sep + 2..];
        if sig_block.is_empty() {
            return Err(CheckpointError::MissingSignature);
        }
        if !sig_block.ends_with('\n') {
            return Err(CheckpointError::Malformed(
                "the note does not end with a newline",
            ));
        }
        let mut lines = signed_text[..sep].split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(CheckpointError::MissingOrigin);
        }
        let size_line = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(CheckpointError::MissingSize)?;
        if !size_line.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CheckpointError::InvalidSize(size_line.into()));
        }
        let size = size_line
            .parse()
            .map_err(|_| CheckpointError::InvalidSize(size_line.into()))?;
        let hash_line = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(CheckpointError::MissingRootHash)?;
        let root_hash = b64decode_strict(hash_line)
            .and_then(|h| <[u8; 32]>::try_from(h).ok())
            .ok_or(CheckpointError::InvalidRootHash)?;
        let extensions = lines.map(String::from).collect();
        let signatures = sig_block
            .split_terminator('\n')
            .map(parse_signature_line)
            .collect::<Result<Vec<_>, _>>()?;
        if signatures.is_empty() {
            return Err(CheckpointError::MissingSignature);
        }
        if signatures.len() > MAX_SIGNATURES {
            return Err(CheckpointError::Malformed("more than 100 signatures"));
        }
        Ok(Self {
            origin: origin.into(),
            size,
            root_hash,
            extensions,
            signed_text: signed_text.into(),
            signatures,
        })
    }

    /// Verifies the signature of `log` on this checkpoint.
    ///
    /// * Rekor v2 (`rekor_v2`): the origin must be the host of the log's `baseUrl`, and
    ///   the key name the origin (as sigstore-go requires; sigstore-python does not check
    ///   the origin, sigstore-js only that the URL contains it: the strict reading is
    ///   taken).
    /// * Rekor v1: the origin is `<name> - <tree ID>` and the key name is its first part.
    ///   It is not compared with `baseUrl`: private deployments name their logs after
    ///   the pod that runs them (the sigstore-go `othername` bundle), and v1 checkpoints
    ///   are anyway bound to the log by its key.
    ///
    /// Lines are attributed to the log by key name and key hint (the first 4 bytes of
    /// the C2SP key ID, see [`key_id`]); at least one must be present, and every one
    /// present must verify, wherever it appears in the note.
    pub fn verify(&self, log: &TransparencyLog, rekor_v2: bool) -> Result<(), CheckpointError> {
        let (key, scheme) = log
            .key
            .as_ref()
            .map_err(|_| CheckpointError::UnusableLogKey)?;
        let name = if rekor_v2 {
            let host = log.host();
            if self.origin != host {
                return Err(CheckpointError::OriginMismatch {
                    origin: self.origin.clone(),
                    expected: host.into(),
                });
            }
            self.origin.as_str()
        } else {
            self.origin.split(" - ").next().unwrap_or_default()
        };
        let id = key_id(name, key, &log.key_bytes);
        let mut found = false;
        for line in &self.signatures {
            if line.name != name || line.key_hint != id[..4] {
                continue;
            }
            found = true;
            key.verify(*scheme, self.signed_text.as_bytes(), &line.signature)
                .map_err(|_| CheckpointError::BadSignature { name: name.into() })?;
        }
        if found {
            Ok(())
        } else {
            Err(CheckpointError::NoLogSignature { name: name.into() })
        }
    }
}

fn parse_signature_line(line: &str) -> Result<NoteSignature, CheckpointError> {
    let bad = || CheckpointError::MalformedSignatureLine(line.to_string());
    let rest = line.strip_prefix(SIG_PREFIX).ok_or_else(bad)?;
    let (name, b64) = rest.split_once(' ').ok_or_else(bad)?;
    if name.is_empty() || name.contains('+') || b64.contains(' ') {
        return Err(bad());
    }
    let bytes = b64decode_strict(b64).ok_or_else(bad)?;
    if bytes.len() < 5 {
        return Err(bad());
    }
    Ok(NoteSignature {
        name: name.into(),
        key_hint: [bytes[0], bytes[1], bytes[2], bytes[3]],
        signature: bytes[4..].to_vec(),
    })
}

/// The C2SP signed-note key ID of a log key named `name` (whose raw trust-root bytes
/// are `key_bytes`):
///
/// * Ed25519: `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)` (C2SP `signed-note`);
/// * ECDSA: `SHA-256(SPKI)`, the RFC 6962 log ID, as Rekor v1 and rekor-tiles use;
/// * RSA: `SHA-256(name ‖ 0x0A ‖ 0xFF ‖ "PKIX-RSA-PKCS#1v1.5" ‖ SPKI)`.
pub fn key_id(name: &str, key: &VerifyingKey, key_bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    match key {
        VerifyingKey::Ed25519(k) => {
            h.update(name.as_bytes());
            h.update([0x0a, 0x01]);
            h.update(k.as_bytes());
        }
        VerifyingKey::Ecdsa(_) => h.update(key_bytes),
        VerifyingKey::Rsa { .. } => {
            h.update(name.as_bytes());
            h.update([0x0a, 0xff]);
            h.update(b"PKIX-RSA-PKCS#1v1.5");
            h.update(key_bytes);
        }
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "rekor.sigstore.dev - 1193050959916656506\n476246825\nV0NA1ekHc4sMtyOk9+rSfb50+v1kFb/0QXYbxrm43gk=\n\n\u{2014} rekor.sigstore.dev wNI9ajBFAiBtV0gov0pC7kBG6WPaApxiUudh/9C4XyIybO93bBSVwQIhAIbRCl/2O4fJ83ik6SiLnFx3ipedmkvKoQ9ykKvQYdS4\n";

    #[test]
    fn parses_and_verifies_rekor_v1() {
        let cp = Checkpoint::parse(V1).unwrap();
        assert_eq!(cp.origin, "rekor.sigstore.dev - 1193050959916656506");
        assert_eq!(cp.size, 476_246_825);
        assert_eq!(cp.signatures.len(), 1);
        let root = super::super::trust_root::TrustedRoot::production();
        cp.verify(&root.tlogs[0], false).unwrap();
        let bad = V1.replace("476246825", "476246826");
        assert_eq!(
            Checkpoint::parse(&bad)
                .unwrap()
                .verify(&root.tlogs[0], false),
            Err(CheckpointError::BadSignature {
                name: "rekor.sigstore.dev".into()
            })
        );
        // As a v2 checkpoint its origin is wrong.
        assert!(matches!(
            cp.verify(&root.tlogs[0], true),
            Err(CheckpointError::OriginMismatch { .. })
        ));
        // Another log's key: no line of it.
        assert!(matches!(
            cp.verify(&root.tlogs[1], false),
            Err(CheckpointError::NoLogSignature { .. })
        ));
    }

    #[test]
    fn shape_errors() {
        assert_eq!(
            Checkpoint::parse("a\n1\nAAAA\n"),
            Err(CheckpointError::Malformed(
                "no blank line before the signatures"
            ))
        );
        assert_eq!(
            Checkpoint::parse("\n1\n\n\u{2014} a AAAAAAA=\n"),
            Err(CheckpointError::MissingOrigin)
        );
        assert_eq!(
            Checkpoint::parse("o\n\n\u{2014} a AAAAAAA=\n"),
            Err(CheckpointError::MissingSize)
        );
        assert_eq!(
            Checkpoint::parse("o\nx1\nAAAA\n\n\u{2014} a AAAAAAA=\n"),
            Err(CheckpointError::InvalidSize("x1".into()))
        );
        assert_eq!(
            Checkpoint::parse("o\n1\n\n\u{2014} a AAAAAAA=\n"),
            Err(CheckpointError::MissingRootHash)
        );
        assert_eq!(
            Checkpoint::parse("o\n1\nAAAA\n\n\u{2014} a AAAAAAA=\n"),
            Err(CheckpointError::InvalidRootHash)
        );
        let hash = "V0NA1ekHc4sMtyOk9+rSfb50+v1kFb/0QXYbxrm43gk=";
        assert_eq!(
            Checkpoint::parse(&alloc::format!("o\n1\n{hash}\n\n")),
            Err(CheckpointError::MissingSignature)
        );
        assert!(matches!(
            Checkpoint::parse(&alloc::format!("o\n1\n{hash}\n\n- a AAAAAAA=\n")),
            Err(CheckpointError::MalformedSignatureLine(_))
        ));
        assert_eq!(
            Checkpoint::parse(&alloc::format!("o\n1\n{hash}\n\n\u{2014} a AAAAAAA=")),
            Err(CheckpointError::Malformed(
                "the note does not end with a newline"
            ))
        );
    }
}
