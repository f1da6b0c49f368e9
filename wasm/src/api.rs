//! The operations the bindings expose, as plain Rust over bytes and JSON text, so that
//! they are tested natively. Structured values cross to JavaScript as JSON (small:
//! manifests, reports); file contents cross as byte slices.

use model_signing_core::bundle::{Bundle, VerificationMaterial};
use model_signing_core::certificate::parse_pem_certificates;
use model_signing_core::encoding::unhex;
use model_signing_core::hashing::{Digest, HashAlgorithm};
use model_signing_core::identifier::{ModelPath, ResourceKey};
use model_signing_core::keys::{to_pem, PublicKey};
use model_signing_core::model_check::{CheckOptions, FileStatus, InputFile, ModelCheck, Report};
use model_signing_core::sigstore::{ClientTrustConfig, IdentityPolicy, TimeSource, TrustedRoot};
use model_signing_core::statement::SignedManifest;
use model_signing_core::verify::{verify_bundle, SignerIdentity, VerifiedSignature, Verifier};
use model_signing_core::Serialization;
use serde_json::{json, Map, Value};

use crate::error::ApiError;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new("INVALID_ARGUMENT", message)
}

/// Parses JSON text handed over by the JavaScript wrapper.
pub fn parse_json(text: &str, what: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| invalid(format!("{what} is not valid JSON: {e}")))
}

// ------------------------------------------------------------------ policies

/// A key policy: signatures made with the private key of this PEM public key.
pub fn key_verifier(pem: &[u8]) -> Result<Verifier, ApiError> {
    Ok(Verifier::Key(PublicKey::from_pem(pem)?))
}

/// A certificate policy: chains ending in a self-signed certificate of `pem` (one or
/// more `CERTIFICATE` blocks).
pub fn certificate_verifier(pem: &[u8]) -> Result<Verifier, ApiError> {
    Ok(Verifier::Certificate {
        anchors: parse_pem_certificates(pem)?,
    })
}

/// Where a Sigstore policy's trusted root comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustSource<'a> {
    /// The embedded public-good (production) root.
    Production,
    /// The embedded staging root.
    Staging,
    /// A `trusted_root.json`.
    TrustedRoot(&'a [u8]),
    /// A client trust configuration (what `--trust-config` names).
    ClientTrustConfig(&'a [u8]),
}

/// A Sigstore policy: a certificate for `identity` (an email, URI or username SAN,
/// compared exactly) vouched for by the OIDC `issuer`, under the trusted root `trust`.
pub fn sigstore_verifier(
    identity: &str,
    issuer: &str,
    trust: TrustSource<'_>,
) -> Result<Verifier, ApiError> {
    if identity.is_empty() || issuer.is_empty() {
        return Err(ApiError::new(
            "INVALID_POLICY",
            "a Sigstore policy needs both an identity and an issuer",
        ));
    }
    let trust_root = match trust {
        TrustSource::Production => TrustedRoot::production(),
        TrustSource::Staging => TrustedRoot::staging(),
        TrustSource::TrustedRoot(json) => TrustedRoot::from_json(json)?,
        TrustSource::ClientTrustConfig(json) => ClientTrustConfig::from_json(json)?.trusted_root,
    };
    Ok(Verifier::Sigstore {
        trust_root: Box::new(trust_root),
        policy: IdentityPolicy::exact(identity, issuer),
    })
}

/// Parses a bundle and checks its signature against `verifier`.
pub fn verify(bundle: &[u8], verifier: &Verifier) -> Result<VerifiedSignature, ApiError> {
    let bundle = Bundle::from_json(bundle)?;
    Ok(verify_bundle(&bundle, verifier)?)
}

// ------------------------------------------------------------------ JSON out

/// `{"method", "hashAlgorithm", "shardSize"}`; the algorithm by its recorded name.
pub fn serialization_json(s: &Serialization) -> Value {
    json!({
        "method": s.method_name(),
        "hashAlgorithm": s.algorithm().recorded_name(),
        "shardSize": s.shard_size(),
    })
}

fn signer_json(signer: &SignerIdentity) -> Value {
    match signer {
        SignerIdentity::Key { hint, .. } => json!({ "kind": "key", "keyHint": hint }),
        SignerIdentity::Certificate {
            subject,
            path,
            verification_time,
            ..
        } => json!({
            "kind": "certificate",
            "subject": subject,
            "chain": path.iter().map(|der| to_pem("CERTIFICATE", der)).collect::<Vec<_>>(),
            "verificationTime": verification_time,
        }),
        SignerIdentity::Sigstore {
            identity,
            issuer,
            verified_times,
            certificate,
            ..
        } => {
            let times: Vec<Value> = verified_times
                .iter()
                .map(|t| {
                    let source = match &t.source {
                        TimeSource::TransparencyLog { entry } => {
                            json!({ "kind": "transparencyLog", "entry": entry })
                        }
                        TimeSource::Timestamp { index, authority } => {
                            json!({ "kind": "timestamp", "index": index, "authority": authority })
                        }
                    };
                    json!({ "time": t.time.secs, "source": source })
                })
                .collect();
            json!({
                "kind": "sigstore",
                "identity": identity,
                "issuer": issuer,
                "verifiedTimes": times,
                "certificate": to_pem("CERTIFICATE", certificate),
            })
        }
    }
}

fn resource_json(key: &ResourceKey, digest: &Digest) -> Value {
    let (start, end) = match key {
        ResourceKey::File(_) => (None, None),
        ResourceKey::Shard { start, end, .. } => (Some(*start), Some(*end)),
    };
    json!({
        "name": key.name(),
        "path": key.path().as_str(),
        "start": start,
        "end": end,
        "algorithm": digest.algorithm,
        "digest": digest.hex(),
    })
}

/// The signed manifest: how the model was hashed, what was ignored, every item.
pub fn manifest_json(m: &SignedManifest) -> Value {
    let (serialization, unsupported) = match &m.serialization.serialization {
        Ok(s) => (serialization_json(s), Value::Null),
        Err(e) => (Value::Null, Value::String(e.clone())),
    };
    let mut files: Vec<&str> = m.manifest.iter().map(|(k, _)| k.path().as_str()).collect();
    files.dedup();
    json!({
        "modelName": m.model_name,
        "predicateType": m.predicate_type,
        "rootDigest": m.root_digest,
        "serialization": serialization,
        "unsupportedSerialization": unsupported,
        "allowSymlinks": m.serialization.allow_symlinks,
        "ignorePaths": m.serialization.ignore_paths,
        "files": files,
        "resources": m.manifest.iter().map(|(k, d)| resource_json(k, d)).collect::<Vec<_>>(),
    })
}

fn material_kind(bundle: &Bundle) -> &'static str {
    match bundle.verification_material {
        VerificationMaterial::PublicKey { .. } => "publicKey",
        VerificationMaterial::X509CertificateChain(_) => "x509CertificateChain",
        VerificationMaterial::Certificate(_) => "certificate",
    }
}

/// What verification established: the manifest, the signer, warnings.
pub fn verification_json(v: &VerifiedSignature) -> Value {
    json!({
        "manifest": manifest_json(&v.signed),
        "signer": signer_json(&v.signer),
        "warnings": v.warnings,
        "legacyPae": v.legacy_pae,
    })
}

/// What a bundle holds, without verifying it (to tell a user which policy it needs).
pub fn describe_bundle(bundle: &[u8]) -> Result<Value, ApiError> {
    let b = Bundle::from_json(bundle)?;
    Ok(json!({ "mediaType": b.media_type, "material": material_kind(&b) }))
}

/// Items as the hasher produced them: `[{start, end, algorithm, digest}]`.
pub fn items_json(items: &[(ResourceKey, Digest)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(k, d)| {
                let (start, end) = match k {
                    ResourceKey::File(_) => (Value::Null, Value::Null),
                    ResourceKey::Shard { start, end, .. } => (json!(start), json!(end)),
                };
                json!({ "start": start, "end": end, "algorithm": d.algorithm, "digest": d.hex() })
            })
            .collect(),
    )
}

fn report_json(r: &Report) -> Value {
    let files: Vec<Value> = r
        .files
        .iter()
        .map(|f| {
            let mut o = Map::new();
            o.insert("path".into(), json!(f.path));
            o.insert("status".into(), json!(f.status.name()));
            if f.status == FileStatus::Changed {
                let d: Vec<Value> = f
                    .differences
                    .iter()
                    .map(|d| json!({ "name": d.name, "expected": d.expected, "actual": d.actual }))
                    .collect();
                o.insert("differences".into(), Value::Array(d));
            }
            Value::Object(o)
        })
        .collect();
    json!({
        "verified": r.verified,
        "complete": r.complete,
        "files": files,
        "messages": r.messages,
        "error": r.error,
    })
}

// ------------------------------------------------------------------ JSON in

fn str_field<'a>(o: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("'{name}' must be a string"))),
    }
}

fn u64_field(o: &Map<String, Value>, name: &str) -> Result<Option<u64>, ApiError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| {
                // JavaScript numbers arrive as floats when large.
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.007_199_254_740_992e15)
                    .map(|f| f as u64)
            })
            .map(Some)
            .ok_or_else(|| invalid(format!("'{name}' must be a non-negative integer"))),
    }
}

fn bool_field(o: &Map<String, Value>, name: &str, default: bool) -> Result<bool, ApiError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(format!("'{name}' must be a boolean"))),
    }
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, ApiError> {
    v.as_object()
        .ok_or_else(|| invalid(format!("{what} must be an object")))
}

/// A serialization from `{"method", "hashAlgorithm", "shardSize"}` (as
/// [`serialization_json`] writes it; `blake2` and `blake2b` are both accepted).
pub fn serialization_from_json(v: &Value) -> Result<Serialization, ApiError> {
    let o = object(v, "the serialization")?;
    let algorithm: HashAlgorithm = str_field(o, "hashAlgorithm")?
        .unwrap_or("sha256")
        .parse()
        .map_err(|e: model_signing_core::hashing::UnknownHashAlgorithm| invalid(e.to_string()))?;
    match str_field(o, "method")?.unwrap_or("files") {
        "files" => Ok(Serialization::files(algorithm)),
        "shards" => {
            let shard_size = u64_field(o, "shardSize")?
                .unwrap_or(model_signing_core::serialization::DEFAULT_SHARD_SIZE);
            if shard_size == 0 {
                return Err(invalid("'shardSize' must be greater than zero"));
            }
            // Kept as given, even for BLAKE3: this hashes what a signature describes.
            Ok(Serialization::Shards {
                algorithm,
                shard_size,
            })
        }
        other => Err(invalid(format!(
            "unknown serialization method '{other}' (expected files or shards)"
        ))),
    }
}

/// The hasher's items back into manifest items of `path`.
pub fn items_from_json(
    serialization: &Serialization,
    path: &ModelPath,
    v: &Value,
) -> Result<Vec<(ResourceKey, Digest)>, ApiError> {
    let list = v
        .as_array()
        .ok_or_else(|| invalid("items must be an array"))?;
    list.iter()
        .map(|item| {
            let o = object(item, "an item")?;
            let start = u64_field(o, "start")?.unwrap_or_default();
            let end = u64_field(o, "end")?.unwrap_or_default();
            let algorithm = str_field(o, "algorithm")?.unwrap_or_default();
            let digest = str_field(o, "digest")?
                .and_then(unhex)
                .ok_or_else(|| invalid("an item's digest must be hexadecimal"))?;
            Ok((
                serialization.key(path, start, end),
                Digest::new(algorithm, digest),
            ))
        })
        .collect()
}

/// Check options from `{ignorePaths, ignoreGitPaths, ignoreUnsignedFiles,
/// signaturePath, modelName, singleFile}`.
pub fn check_options_from_json(v: &Value) -> Result<CheckOptions, ApiError> {
    let o = object(v, "the options")?;
    let ignore_paths = match o.get("ignorePaths") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|p| {
                p.as_str()
                    .map(String::from)
                    .ok_or_else(|| invalid("'ignorePaths' must hold strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("'ignorePaths' must be an array of strings")),
    };
    Ok(CheckOptions {
        ignore_paths,
        ignore_git_paths: bool_field(o, "ignoreGitPaths", true)?,
        ignore_unsigned_files: bool_field(o, "ignoreUnsignedFiles", false)?,
        signature_path: str_field(o, "signaturePath")?.map(String::from),
        model_name: str_field(o, "modelName")?.unwrap_or_default().into(),
        single_file: bool_field(o, "singleFile", false)?,
    })
}

/// Input files from `[{path, size}]`.
pub fn files_from_json(v: &Value) -> Result<Vec<InputFile>, ApiError> {
    let list = v
        .as_array()
        .ok_or_else(|| invalid("the files must be an array"))?;
    list.iter()
        .map(|f| {
            let o = object(f, "a file")?;
            Ok(InputFile {
                path: str_field(o, "path")?
                    .ok_or_else(|| invalid("every file needs a 'path'"))?
                    .into(),
                size: u64_field(o, "size")?,
            })
        })
        .collect()
}

/// A model check, planned and then fed with hashing results, all in JSON.
pub struct JsonCheck {
    check: ModelCheck,
}

impl JsonCheck {
    /// Plans a check of `files_json` (`[{path, size}]`) against a verified manifest.
    pub fn new(
        signed: &SignedManifest,
        files_json: &str,
        options_json: &str,
    ) -> Result<Self, ApiError> {
        let files = files_from_json(&parse_json(files_json, "the file list")?)?;
        let options = check_options_from_json(&parse_json(options_json, "the options")?)?;
        Ok(Self {
            check: ModelCheck::new(signed, &files, options)?,
        })
    }

    /// `{"serialization", "jobs": [{index, path, size}], "mismatch"}`.
    pub fn plan(&self) -> Value {
        let jobs: Vec<Value> = self
            .check
            .jobs()
            .iter()
            .map(|j| json!({ "index": j.index, "path": j.path.as_str(), "size": j.size }))
            .collect();
        json!({
            "serialization": serialization_json(&self.check.serialization()),
            "jobs": jobs,
            "mismatch": self.check.has_mismatch(),
        })
    }

    /// Records a file's items (`[{start, end, algorithm, digest}]`); returns its status.
    pub fn record(&mut self, path: &str, items_json: &str) -> Result<&'static str, ApiError> {
        let path = ModelPath::new(path);
        let items = items_from_json(
            &self.check.serialization(),
            &path,
            &parse_json(items_json, "the items")?,
        )?;
        Ok(self.check.record(&path, items)?.name())
    }

    /// Whether a difference has been found.
    pub fn has_mismatch(&self) -> bool {
        self.check.has_mismatch()
    }

    /// The report so far.
    pub fn report(&self) -> Value {
        report_json(&self.check.report())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model_signing_core::serialization::StreamHasher;
    use std::path::{Path, PathBuf};

    fn vectors() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/model-transparency")
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(vectors().join(rel)).unwrap()
    }

    const P384_PUB: &str = "scripts/tests/keys/certificate/signing-key-pub.pem";

    #[test]
    fn key_vector_verifies_and_describes_its_manifest() {
        let v = key_verifier(&read(P384_PUB)).unwrap();
        let sig = read("generated-v1.1.1/key-p384-shards-100/model.sig");
        let verified = verify(&sig, &v).unwrap();
        let j = verification_json(&verified);
        assert_eq!(j["signer"]["kind"], "key");
        let m = &j["manifest"];
        assert_eq!(m["serialization"]["method"], "shards");
        assert_eq!(m["serialization"]["shardSize"], 100);
        assert_eq!(m["resources"].as_array().unwrap().len(), 18);
        assert_eq!(
            m["rootDigest"],
            "6fee86ff2232b16d267170dcf64d6c4e41bc552b80ea76386298756c378ddb33"
        );
        assert!(m["ignorePaths"]
            .as_array()
            .unwrap()
            .contains(&json!("ignored.txt")));
        assert_eq!(describe_bundle(&sig).unwrap()["material"], "publicKey");
    }

    #[test]
    fn certificate_vector_names_the_chain() {
        let v = certificate_verifier(&read("scripts/tests/keys/certificate/ca-cert.pem")).unwrap();
        let verified = verify(
            &read("generated-v1.1.1/cert-p384-files-sha256/model.sig"),
            &v,
        )
        .unwrap();
        let j = verification_json(&verified);
        assert_eq!(j["signer"]["kind"], "certificate");
        assert!(j["signer"]["chain"][0]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn sigstore_vector_with_embedded_root() {
        let v = sigstore_verifier(
            "stefanb@us.ibm.com",
            "https://sigstore.verify.ibm.com/oauth2",
            TrustSource::Production,
        )
        .unwrap();
        let verified = verify(&read("scripts/tests/v1.1.0-sigstore/model.sig"), &v).unwrap();
        let j = verification_json(&verified);
        assert_eq!(j["signer"]["kind"], "sigstore");
        assert_eq!(j["signer"]["identity"], "stefanb@us.ibm.com");
        assert!(!j["signer"]["verifiedTimes"].as_array().unwrap().is_empty());

        let other = sigstore_verifier(
            "someone@else.com",
            "https://sigstore.verify.ibm.com/oauth2",
            TrustSource::Production,
        )
        .unwrap();
        let e = verify(&read("scripts/tests/v1.1.0-sigstore/model.sig"), &other).unwrap_err();
        assert_eq!(e.code, "IDENTITY_MISMATCH");
        assert_eq!(
            sigstore_verifier("", "x", TrustSource::Production)
                .unwrap_err()
                .code,
            "INVALID_POLICY"
        );
    }

    #[test]
    fn errors_have_codes() {
        let v = key_verifier(&read(P384_PUB)).unwrap();
        assert_eq!(verify(b"{", &v).unwrap_err().code, "INVALID_BUNDLE");
        let cert_sig = read("generated-v1.1.1/cert-p384-files-sha256/model.sig");
        assert_eq!(verify(&cert_sig, &v).unwrap_err().code, "WRONG_MATERIAL");
        let other = key_verifier(&read("generated-v1.1.1/keys/p256-pub.pem")).unwrap();
        let key_sig = read("generated-v1.1.1/key-p384-files-sha256/model.sig");
        assert_eq!(verify(&key_sig, &other).unwrap_err().code, "KEY_MISMATCH");
        assert_eq!(key_verifier(b"nope").unwrap_err().code, "INVALID_KEY");
        assert_eq!(
            certificate_verifier(b"nope").unwrap_err().code,
            "INVALID_CERTIFICATE"
        );
    }

    #[test]
    fn serialization_and_items_round_trip() {
        for s in [
            Serialization::files(HashAlgorithm::Blake2b),
            Serialization::shards(HashAlgorithm::Sha256, 64).unwrap(),
        ] {
            assert_eq!(serialization_from_json(&serialization_json(&s)).unwrap(), s);
            let mut h = StreamHasher::new(s, ModelPath::new("f"), None);
            h.update(&[7u8; 200]);
            let items = h.finish().unwrap();
            let back = items_from_json(&s, &ModelPath::new("f"), &items_json(&items)).unwrap();
            assert_eq!(back, items);
        }
        let e = serialization_from_json(&json!({"method": "tar"})).unwrap_err();
        assert_eq!(e.code, "INVALID_ARGUMENT");
    }
}
