//! Transparency-log entries: parsing, the Rekor v1 signed entry timestamp (SET), the
//! inclusion proof with its signed checkpoint, and the consistency of the logged entry
//! with the bundle (which stops a bundle from borrowing another signature's entry,
//! CVE-2022-36056).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::checkpoint::{Checkpoint, CheckpointError};
use super::merkle::{leaf_hash, verify_inclusion, Hash, MerkleError};
use super::time::UnixTime;
use super::trust_root::TransparencyLog;
use crate::dsse::{pae, Envelope};
use crate::encoding::{b64encode, hex, unhex};
use crate::json::read::{self as json, invalid, FieldError};
use crate::keys::SignatureHash;
use crate::keys::{key_from_pem, CryptoError, Scheme, VerifyingKey};

/// A transparency-log entry as the bundle holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogEntry {
    /// `logIndex` (for Rekor v1 the global index, which the SET covers).
    pub log_index: u64,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// `kindVersion.kind`.
    pub kind: String,
    /// `kindVersion.version`.
    pub version: String,
    /// `integratedTime` (0 when absent, as in Rekor v2).
    pub integrated_time: i64,
    /// `inclusionPromise.signedEntryTimestamp`.
    pub inclusion_promise: Option<Vec<u8>>,
    /// `inclusionProof`.
    pub inclusion_proof: Option<InclusionProof>,
    /// `canonicalizedBody`.
    pub canonicalized_body: Vec<u8>,
}

/// An inclusion proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// The leaf index in the tree (for Rekor v1, the index in the shard).
    pub log_index: u64,
    /// The root hash the proof leads to.
    pub root_hash: Vec<u8>,
    /// The tree size.
    pub tree_size: u64,
    /// The sibling hashes, leaf to root.
    pub hashes: Vec<Hash>,
    /// `checkpoint.envelope`.
    pub checkpoint: Option<String>,
}

/// Why a log entry was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlogError {
    /// A malformed field.
    #[error("{0}")]
    Format(#[from] FieldError),
    /// A negative index or time.
    #[error("the entry's {0} is negative")]
    Negative(&'static str),
    /// The entry's log is not in the trusted root.
    #[error("the entry is from a log that is not in the trusted root (log ID {0})")]
    UnknownLog(String),
    /// The log's key cannot be used.
    #[error("the key of log {0} cannot be used: {1}")]
    UnusableLogKey(String, CryptoError),
    /// The signed entry timestamp does not verify.
    #[error("the signed entry timestamp (inclusion promise) does not verify with the key of log {log}: {reason}")]
    SetSignature {
        /// The log's base URL.
        log: String,
        /// The failure.
        reason: CryptoError,
    },
    /// A time (the entry's integrated time, or a verified time for an entry without a
    /// SET) is outside the log key's validity.
    #[error("the time {time} is outside the validity of log {log}'s key in the trusted root")]
    OutsideLogValidity {
        /// The log's base URL.
        log: String,
        /// The time.
        time: UnixTime,
    },
    /// A Rekor v1 entry of a v0.1 bundle has no inclusion promise.
    #[error(
        "the entry has no inclusion promise (signed entry timestamp), which a v0.1 bundle requires"
    )]
    MissingInclusionPromise,
    /// An entry of a v0.2+ bundle (or a Rekor v2 entry) has no inclusion proof.
    #[error(
        "the entry has no inclusion proof, which bundles from v0.2 on and Rekor v2 entries require"
    )]
    MissingInclusionProof,
    /// The inclusion proof has no checkpoint.
    #[error("the inclusion proof has no checkpoint, so its root hash is not signed by the log")]
    MissingCheckpoint,
    /// The checkpoint is invalid.
    #[error("the entry's checkpoint is invalid: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The Merkle inclusion proof fails.
    #[error("the entry's inclusion proof is invalid: {0}")]
    InclusionProof(#[from] MerkleError),
    /// A Rekor v2 entry whose `logIndex` differs from its proof's.
    #[error("the entry's logIndex {entry} differs from its inclusion proof's {proof}")]
    ProofIndexMismatch {
        /// `logIndex`.
        entry: u64,
        /// `inclusionProof.logIndex`.
        proof: u64,
    },
    /// The body's kind or version differs from `kindVersion`.
    #[error("the entry says it is {declared} but its body is {body}")]
    KindVersionMismatch {
        /// `kindVersion`.
        declared: String,
        /// The body's `kind`/`apiVersion`.
        body: String,
    },
    /// An entry type this verifier does not accept.
    #[error("unsupported log entry type {0}")]
    UnsupportedKind(String),
    /// The entry logs other content than the bundle's.
    #[error("the log entry does not match the bundle: {0}")]
    Inconsistent(#[from] BodyError),
}

/// How a log entry's body disagrees with the bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is not the JSON its kind prescribes.
    #[error("the logged body is malformed ({0})")]
    Malformed(String),
    /// A message-signature entry for a DSSE bundle or the reverse.
    #[error("a {kind} entry cannot log this bundle's kind of content")]
    ContentKind {
        /// The entry kind.
        kind: String,
    },
    /// The logged signature differs.
    #[error("the logged signature differs from the bundle's")]
    Signature,
    /// The logged certificate or key differs from the bundle's.
    #[error("the logged verifier (certificate or public key) differs from the bundle's")]
    Verifier,
    /// The logged artifact digest differs.
    #[error("the logged artifact digest differs from the artifact's")]
    ArtifactDigest,
    /// The logged payload hash differs.
    #[error("the logged DSSE payload hash differs from the envelope's payload")]
    PayloadHash,
    /// The logged key details differ from the signer's key.
    #[error("the logged key details '{logged}' do not describe the signing key ({expected})")]
    KeyDetails {
        /// In the body.
        logged: String,
        /// For the signer.
        expected: String,
    },
    /// The logged DSSE payload type differs.
    #[error("the logged DSSE payload type differs from the envelope's")]
    PayloadType,
}

impl TlogEntry {
    /// Reads one `TransparencyLogEntry` (proto3 JSON), as a bundle's
    /// `verificationMaterial.tlogEntries` holds them and Rekor v2 returns them.
    pub fn from_json(data: &[u8]) -> Result<Self, TlogError> {
        let value = json::parse(data, json::Limits::SMALL)
            .map_err(|reason| invalid("entry", &alloc::format!("not JSON ({reason})")))?;
        Self::from_value(&value, "entry")
    }

    /// Reads one entry of `verificationMaterial.tlogEntries`.
    pub(crate) fn from_value(v: &Value, path: &str) -> Result<Self, TlogError> {
        let obj = json::object(v, path)?;
        let log_index = json::int64(
            json::require(obj, "logIndex", "log_index", path)?,
            &format!("{path}.logIndex"),
        )?;
        let log_index = u64::try_from(log_index).map_err(|_| TlogError::Negative("logIndex"))?;
        let log_id_path = format!("{path}.logId");
        let log_id = json::object(json::require(obj, "logId", "log_id", path)?, &log_id_path)?;
        let log_id = json::bytes(
            json::require(log_id, "keyId", "key_id", &log_id_path)?,
            &log_id_path,
        )?;
        let kv_path = format!("{path}.kindVersion");
        let kv = json::object(
            json::require(obj, "kindVersion", "kind_version", path)?,
            &kv_path,
        )?;
        let kind =
            json::string(json::require(kv, "kind", "kind", &kv_path)?, &kv_path)?.to_string();
        let version =
            json::string(json::require(kv, "version", "version", &kv_path)?, &kv_path)?.to_string();
        let integrated_time = match json::get(obj, "integratedTime", "integrated_time") {
            Some(t) => json::int64(t, &format!("{path}.integratedTime"))?,
            None => 0,
        };
        if integrated_time < 0 {
            return Err(TlogError::Negative("integratedTime"));
        }
        let inclusion_promise = json::get(obj, "inclusionPromise", "inclusion_promise")
            .map(|p| {
                let p_path = format!("{path}.inclusionPromise");
                let p = json::object(p, &p_path)?;
                json::bytes(
                    json::require(p, "signedEntryTimestamp", "signed_entry_timestamp", &p_path)?,
                    &format!("{p_path}.signedEntryTimestamp"),
                )
            })
            .transpose()?;
        let inclusion_proof = json::get(obj, "inclusionProof", "inclusion_proof")
            .map(|p| parse_proof(p, &format!("{path}.inclusionProof")))
            .transpose()?;
        let canonicalized_body = json::bytes(
            json::require(obj, "canonicalizedBody", "canonicalized_body", path)?,
            &format!("{path}.canonicalizedBody"),
        )?;
        Ok(Self {
            log_index,
            log_id,
            kind,
            version,
            integrated_time,
            inclusion_promise,
            inclusion_proof,
            canonicalized_body,
        })
    }

    /// `kind/version`.
    pub fn kind_version(&self) -> String {
        format!("{}/{}", self.kind, self.version)
    }

    /// Whether this is a Rekor v2 (tile-based log) entry: those are the 0.0.2 entry
    /// types, have no SET and no meaningful integrated time, and their log ID is the
    /// C2SP checkpoint key ID.
    pub fn is_rekor_v2(&self) -> bool {
        matches!(
            (self.kind.as_str(), self.version.as_str()),
            ("hashedrekord" | "dsse", "0.0.2")
        )
    }

    /// Verifies the SET and returns the integrated time it vouches for.
    ///
    /// The payload is the RFC 8785 canonical JSON of `body`, `integratedTime`, `logID`
    /// (lowercase hex) and `logIndex` (the global index); all values are base64, hex or
    /// integers, so it is written directly. The log key must be valid at that time.
    pub fn verify_set(&self, log: &TransparencyLog, set: &[u8]) -> Result<UnixTime, TlogError> {
        let (key, scheme) = log
            .key
            .as_ref()
            .map_err(|e| TlogError::UnusableLogKey(log.base_url.clone(), e.clone()))?;
        let payload = format!(
            "{{\"body\":\"{}\",\"integratedTime\":{},\"logID\":\"{}\",\"logIndex\":{}}}",
            b64encode(&self.canonicalized_body),
            self.integrated_time,
            hex(&self.log_id),
            self.log_index
        );
        key.verify(*scheme, payload.as_bytes(), set)
            .map_err(|reason| TlogError::SetSignature {
                log: log.base_url.clone(),
                reason,
            })?;
        let time = UnixTime::from_secs(self.integrated_time);
        if !log.valid_for.contains(time) {
            return Err(TlogError::OutsideLogValidity {
                log: log.base_url.clone(),
                time,
            });
        }
        Ok(time)
    }

    /// Verifies the inclusion proof: the checkpoint is signed by `log`, names the same
    /// tree (size and root) as the proof, and the body's leaf hash is in that tree.
    ///
    /// The proof's duplicated size and root are compared with the checkpoint for Rekor
    /// v2 too (rekor-tiles' client guide says they may be ignored; comparing them is
    /// stricter and costs nothing).
    pub fn verify_inclusion(&self, log: &TransparencyLog) -> Result<(), TlogError> {
        let proof = self
            .inclusion_proof
            .as_ref()
            .ok_or(TlogError::MissingInclusionProof)?;
        let envelope = proof
            .checkpoint
            .as_deref()
            .ok_or(TlogError::MissingCheckpoint)?;
        let checkpoint = Checkpoint::parse(envelope)?;
        checkpoint.verify(log, self.is_rekor_v2())?;
        if checkpoint.size != proof.tree_size {
            return Err(CheckpointError::SizeMismatch {
                checkpoint: checkpoint.size,
                proof: proof.tree_size,
            }
            .into());
        }
        if checkpoint.root_hash[..] != proof.root_hash[..] {
            return Err(CheckpointError::RootHashMismatch.into());
        }
        if self.is_rekor_v2() && proof.log_index != self.log_index {
            return Err(TlogError::ProofIndexMismatch {
                entry: self.log_index,
                proof: proof.log_index,
            });
        }
        let leaf = leaf_hash(&self.canonicalized_body);
        verify_inclusion(
            proof.log_index,
            proof.tree_size,
            &leaf,
            &proof.hashes,
            &checkpoint.root_hash,
        )?;
        Ok(())
    }

    /// Checks that the logged body records exactly the bundle's signature, signer and
    /// content (see [`ExpectedEntry`]).
    pub fn check_body(&self, expected: &ExpectedEntry<'_>) -> Result<(), TlogError> {
        let body: Value = serde_json::from_slice(&self.canonicalized_body)
            .map_err(|e| BodyError::Malformed(e.to_string()))?;
        let body = body
            .as_object()
            .ok_or_else(|| BodyError::Malformed("not an object".into()))?;
        let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
        let (kind, api_version) = (field("kind"), field("apiVersion"));
        if kind != self.kind || api_version != self.version {
            return Err(TlogError::KindVersionMismatch {
                declared: self.kind_version(),
                body: format!("{kind}/{api_version}"),
            });
        }
        let spec = body
            .get("spec")
            .and_then(Value::as_object)
            .ok_or_else(|| BodyError::Malformed("no spec".into()))?;
        match (kind, api_version) {
            ("hashedrekord", "0.0.1") => hashedrekord_v001(spec, expected),
            ("hashedrekord", "0.0.2") => hashedrekord_v002(spec, expected),
            ("dsse", "0.0.1") => dsse_v001(spec, expected),
            ("intoto", "0.0.2") => intoto_v002(spec, expected),
            // dsse/0.0.2 was briefly produced by Rekor v2 (2025-12) and then replaced by
            // hashedrekord/0.0.2 over the PAE; sigstore-python and sigstore-go reject it.
            _ => Err(TlogError::UnsupportedKind(self.kind_version())),
        }
        .map_err(|e| match e {
            TlogError::Format(f) => BodyError::Malformed(f.to_string()).into(),
            e => e,
        })
    }
}

fn parse_proof(v: &Value, path: &str) -> Result<InclusionProof, TlogError> {
    let obj = json::object(v, path)?;
    let log_index = json::int64(json::require(obj, "logIndex", "log_index", path)?, path)?;
    let tree_size = json::int64(json::require(obj, "treeSize", "tree_size", path)?, path)?;
    let hashes = match json::get(obj, "hashes", "hashes") {
        Some(h) => json::array(h, path)?
            .iter()
            .map(|h| {
                json::bytes(h, &format!("{path}.hashes"))?
                    .try_into()
                    .map_err(|_| {
                        invalid(&format!("{path}.hashes"), "a hash that is not 32 bytes").into()
                    })
            })
            .collect::<Result<Vec<Hash>, TlogError>>()?,
        None => Vec::new(),
    };
    let checkpoint = json::get(obj, "checkpoint", "checkpoint")
        .map(|c| {
            let c_path = format!("{path}.checkpoint");
            let c = json::object(c, &c_path)?;
            Ok::<_, FieldError>(
                json::string(json::require(c, "envelope", "envelope", &c_path)?, &c_path)?
                    .to_string(),
            )
        })
        .transpose()?;
    Ok(InclusionProof {
        log_index: u64::try_from(log_index)
            .map_err(|_| TlogError::Negative("inclusionProof.logIndex"))?,
        root_hash: json::bytes(json::require(obj, "rootHash", "root_hash", path)?, path)?,
        tree_size: u64::try_from(tree_size)
            .map_err(|_| TlogError::Negative("inclusionProof.treeSize"))?,
        hashes,
        checkpoint,
    })
}

/// Who signed, as the bundle says.
#[derive(Clone, Copy, Debug)]
pub enum EntrySigner<'a> {
    /// The leaf certificate (DER).
    Certificate(&'a [u8]),
    /// A public key.
    Key(&'a VerifyingKey),
}

/// What was signed, as the bundle says.
#[derive(Clone, Copy, Debug)]
pub enum SignedContent<'a> {
    /// A DSSE envelope (exactly one signature, checked before).
    Dsse(&'a Envelope),
    /// A signature over an artifact whose digest is known.
    Message {
        /// The artifact's digest algorithm.
        algorithm: SignatureHash,
        /// The artifact's digest.
        digest: &'a [u8],
        /// The signature.
        signature: &'a [u8],
    },
}

/// What a log entry must record for the bundle it is in.
#[derive(Clone, Copy, Debug)]
pub struct ExpectedEntry<'a> {
    /// The signer.
    pub signer: EntrySigner<'a>,
    /// The signer's key (the leaf's for certificates).
    pub signer_key: &'a VerifyingKey,
    /// The content.
    pub content: SignedContent<'a>,
}

impl ExpectedEntry<'_> {
    fn signature(&self) -> &[u8] {
        match self.content {
            SignedContent::Dsse(env) => &env.signatures[0].sig,
            SignedContent::Message { signature, .. } => signature,
        }
    }

    /// Whether PEM text (a certificate or a public key) names the bundle's signer. A
    /// certificate bundle needs the same certificate, byte for byte: the strict choice
    /// where clients differ (sigstore-js accepts a logged public key equal to the
    /// certificate's key, sigstore-python and sigstore-go do not).
    fn pem_is_signer(&self, pem: &[u8]) -> bool {
        match self.signer {
            EntrySigner::Certificate(leaf) => crate::keys::pem_blocks(pem, "CERTIFICATE")
                .is_ok_and(|certs| certs.len() == 1 && certs[0] == leaf),
            EntrySigner::Key(key) => key_from_pem(pem).is_ok_and(|k| &k == key),
        }
    }
}

fn obj<'a>(o: &'a json::Object, name: &str) -> Result<&'a json::Object, TlogError> {
    Ok(json::object(json::require(o, name, name, "spec")?, name)?)
}

fn text<'a>(o: &'a json::Object, name: &str) -> Result<&'a str, TlogError> {
    Ok(json::string(json::require(o, name, name, "spec")?, name)?)
}

fn b64(o: &json::Object, name: &str) -> Result<Vec<u8>, TlogError> {
    Ok(json::bytes(json::require(o, name, name, "spec")?, name)?)
}

/// `{"algorithm": "sha256", "value": <hex>}`.
fn hex_hash(o: &json::Object) -> Result<(SignatureHash, Vec<u8>), TlogError> {
    let alg = match text(o, "algorithm")? {
        "sha256" => SignatureHash::Sha256,
        "sha384" => SignatureHash::Sha384,
        "sha512" => SignatureHash::Sha512,
        other => {
            return Err(BodyError::Malformed(format!("unknown hash algorithm '{other}'")).into())
        }
    };
    let value = unhex(text(o, "value")?)
        .ok_or_else(|| BodyError::Malformed("hash value is not hex".into()))?;
    Ok((alg, value))
}

fn message<'a>(
    expected: &ExpectedEntry<'a>,
    kind: &str,
) -> Result<(SignatureHash, &'a [u8]), TlogError> {
    match expected.content {
        SignedContent::Message {
            algorithm, digest, ..
        } => Ok((algorithm, digest)),
        SignedContent::Dsse(_) => Err(BodyError::ContentKind { kind: kind.into() }.into()),
    }
}

fn envelope<'a>(expected: &ExpectedEntry<'a>, kind: &str) -> Result<&'a Envelope, TlogError> {
    match expected.content {
        SignedContent::Dsse(env) => Ok(env),
        SignedContent::Message { .. } => Err(BodyError::ContentKind { kind: kind.into() }.into()),
    }
}

/// hashedrekord/0.0.1: `{data: {hash}, signature: {content, publicKey: {content: b64(PEM)}}}`.
fn hashedrekord_v001(spec: &json::Object, expected: &ExpectedEntry<'_>) -> Result<(), TlogError> {
    let (algorithm, digest) = message(expected, "hashedrekord")?;
    if hex_hash(obj(obj(spec, "data")?, "hash")?)? != (algorithm, digest.to_vec()) {
        return Err(BodyError::ArtifactDigest.into());
    }
    let sig = obj(spec, "signature")?;
    if b64(sig, "content")? != expected.signature() {
        return Err(BodyError::Signature.into());
    }
    if !expected.pem_is_signer(&b64(obj(sig, "publicKey")?, "content")?) {
        return Err(BodyError::Verifier.into());
    }
    Ok(())
}

/// hashedrekord/0.0.2: `{hashedRekordV002: {data: {algorithm, digest}, signature:
/// {content, verifier: {keyDetails, x509Certificate|publicKey: {rawBytes}}}}}`. For a
/// DSSE bundle the digest is that of the PAE, hashed as the key's scheme hashes.
fn hashedrekord_v002(spec: &json::Object, expected: &ExpectedEntry<'_>) -> Result<(), TlogError> {
    let spec = obj(spec, "hashedRekordV002")?;
    let data = obj(spec, "data")?;
    let logged_alg = match text(data, "algorithm")? {
        "SHA2_256" => SignatureHash::Sha256,
        "SHA2_384" => SignatureHash::Sha384,
        "SHA2_512" => SignatureHash::Sha512,
        other => {
            return Err(BodyError::Malformed(format!("unknown hash algorithm '{other}'")).into())
        }
    };
    let logged_digest = b64(data, "digest")?;
    match expected.content {
        SignedContent::Message {
            algorithm, digest, ..
        } => {
            if (logged_alg, logged_digest.as_slice()) != (algorithm, digest) {
                return Err(BodyError::ArtifactDigest.into());
            }
        }
        SignedContent::Dsse(env) => {
            let hash = match expected.signer_key.default_scheme() {
                Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss { hash: h, .. } => h,
                // Pure Ed25519 has no prehash, so it cannot be logged this way.
                Scheme::Ed25519 => {
                    return Err(BodyError::ContentKind {
                        kind: "hashedrekord".into(),
                    }
                    .into())
                }
            };
            if logged_alg != hash
                || logged_digest != hash.digest(&pae(&env.payload_type, &env.payload))
            {
                return Err(BodyError::ArtifactDigest.into());
            }
        }
    }
    let sig = obj(spec, "signature")?;
    if b64(sig, "content")? != expected.signature() {
        return Err(BodyError::Signature.into());
    }
    let verifier = obj(sig, "verifier")?;
    let same = match (
        expected.signer,
        json::get(verifier, "x509Certificate", "x509_certificate"),
        json::get(verifier, "publicKey", "public_key"),
    ) {
        (EntrySigner::Certificate(leaf), Some(cert), None) => {
            b64(json::object(cert, "x509Certificate")?, "rawBytes")? == leaf
        }
        (EntrySigner::Key(key), None, Some(pk)) => {
            VerifyingKey::from_spki_der(&b64(json::object(pk, "publicKey")?, "rawBytes")?)
                .is_ok_and(|k| &k == key)
        }
        // A certificate bundle whose entry logs a bare key (or the reverse) is refused:
        // see `ExpectedEntry::pem_is_signer`.
        _ => false,
    };
    if !same {
        return Err(BodyError::Verifier.into());
    }
    let logged = text(verifier, "keyDetails")?;
    let key = expected.signer_key;
    let fits = details_fit(logged, key);
    if !fits {
        return Err(BodyError::KeyDetails {
            logged: logged.into(),
            expected: key.key_details().into(),
        }
        .into());
    }
    Ok(())
}

/// Whether `PublicKeyDetails` `details` can describe `key`.
fn details_fit(details: &str, key: &VerifyingKey) -> bool {
    match key {
        VerifyingKey::Ecdsa(_) | VerifyingKey::Ed25519(_) => details == key.key_details(),
        VerifyingKey::Rsa { .. } => {
            details.starts_with("PKIX_RSA") || details.starts_with("PKCS1_RSA")
        }
    }
}

/// dsse/0.0.1: `{payloadHash: {sha256}, signatures: [{signature, verifier: b64(PEM)}],
/// envelopeHash}`. The envelope hash cannot be checked (the envelope's JSON is not
/// canonical), so the payload hash and every signature are.
fn dsse_v001(spec: &json::Object, expected: &ExpectedEntry<'_>) -> Result<(), TlogError> {
    let env = envelope(expected, "dsse")?;
    let (alg, value) = hex_hash(obj(spec, "payloadHash")?)?;
    if value != alg.digest(&env.payload) {
        return Err(BodyError::PayloadHash.into());
    }
    let logged = LoggedSignatures {
        parent: "spec",
        signature: "signature",
        key: "verifier",
    };
    logged.check(spec, env, expected, Some)
}

/// Where a log entry body lists the envelope's signatures, and what each names.
struct LoggedSignatures {
    /// The object holding `signatures` (for errors).
    parent: &'static str,
    /// The field of each signature's bytes.
    signature: &'static str,
    /// The field of each signer's PEM.
    key: &'static str,
}

impl LoggedSignatures {
    /// The logged signatures must be the envelope's, in order, each by the expected
    /// signer; `decode` turns a logged signature field (base64-decoded once) into the
    /// signature's bytes.
    fn check(
        &self,
        holder: &json::Object,
        env: &Envelope,
        expected: &ExpectedEntry<'_>,
        decode: impl Fn(Vec<u8>) -> Option<Vec<u8>>,
    ) -> Result<(), TlogError> {
        let sigs = json::array(
            json::require(holder, "signatures", "signatures", self.parent)?,
            "signatures",
        )?;
        if sigs.len() != env.signatures.len() {
            return Err(BodyError::Signature.into());
        }
        for (logged, sig) in sigs.iter().zip(&env.signatures) {
            let logged = json::object(logged, "signatures[]")?;
            if decode(b64(logged, self.signature)?).as_deref() != Some(sig.sig.as_slice()) {
                return Err(BodyError::Signature.into());
            }
            if !expected.pem_is_signer(&b64(logged, self.key)?) {
                return Err(BodyError::Verifier.into());
            }
        }
        Ok(())
    }
}

/// intoto/0.0.2: `{content: {envelope: {payloadType, signatures: [{sig: b64(b64(sig)),
/// publicKey: b64(PEM)}]}, payloadHash, hash}}` (note the double base64 of `sig`).
fn intoto_v002(spec: &json::Object, expected: &ExpectedEntry<'_>) -> Result<(), TlogError> {
    let env = envelope(expected, "intoto")?;
    let content = obj(spec, "content")?;
    let (alg, value) = hex_hash(obj(content, "payloadHash")?)?;
    if value != alg.digest(&env.payload) {
        return Err(BodyError::PayloadHash.into());
    }
    let logged_env = obj(content, "envelope")?;
    if text(logged_env, "payloadType")? != env.payload_type {
        return Err(BodyError::PayloadType.into());
    }
    let logged = LoggedSignatures {
        parent: "envelope",
        signature: "sig",
        key: "publicKey",
    };
    logged.check(logged_env, env, expected, |inner| {
        core::str::from_utf8(&inner)
            .ok()
            .and_then(crate::encoding::b64decode_strict)
    })
}
