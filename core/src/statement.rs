//! The in-toto statement that a signature's DSSE envelope carries.
//!
//! Written as the v1.0 predicate (`https://model_signing/signature/v1.0`); read as that or
//! the legacy `https://model_signing/Digests/v0.1` one (one subject per file, no root).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::encoding::{excerpt, hex, unhex};
use crate::hashing::{Digest, HashAlgorithm, UnknownHashAlgorithm};
use crate::identifier::{ModelPath, ResourceKey};
use crate::json::read::{self as json, FieldError};
use crate::json::Json;
use crate::manifest::{Manifest, MAX_RESOURCES};
use crate::serialization::Serialization;

/// `_type` of an in-toto v1 statement.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The current predicate type.
pub const PREDICATE_TYPE_V1: &str = "https://model_signing/signature/v1.0";
/// The predicate type of signatures made by model_signing 0.2.x.
pub const PREDICATE_TYPE_V0_1: &str = "https://model_signing/Digests/v0.1";

/// What a statement says about how the model was hashed (its `serialization` block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedSerialization {
    /// The method and hash, when the hash is one this implementation knows.
    pub serialization: Result<Serialization, UnknownHashAlgorithm>,
    /// `allow_symlinks` as recorded (`None` when absent or not a boolean).
    pub allow_symlinks: Option<bool>,
    /// Paths ignored when signing, relative to the model (`ignore_paths`).
    pub ignore_paths: Vec<String>,
}

/// The content of a verified statement: the signed manifest and how it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedManifest {
    /// `subject[0].name`, informative only (it is never compared).
    pub model_name: String,
    /// The predicate type.
    pub predicate_type: String,
    /// The serialization block (a synthetic files/sha256 one for v0.1 statements).
    pub serialization: SignedSerialization,
    /// The items as a manifest.
    pub manifest: Manifest,
    /// The subject's root digest (hex), absent for v0.1 statements.
    pub root_digest: Option<String>,
}

/// Why a statement could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// The payload is not JSON.
    #[error("the signed payload is not valid JSON: {0}")]
    InvalidJson(String),
    /// More resources than a signature may list.
    #[error("the signed statement lists {0} resources; at most {MAX_RESOURCES} are allowed")]
    TooManyResources(usize),
    /// A field is missing or malformed.
    #[error("{}", .0.describe_in("the signed statement"))]
    Field(FieldError),
    /// `_type` is not in-toto v1.
    #[error("expected in-toto {STATEMENT_TYPE} payload, but got {0}")]
    WrongStatementType(String),
    /// Unknown predicate type.
    #[error("predicate type mismatch, expected {PREDICATE_TYPE_V1}, got {0}")]
    UnknownPredicateType(String),
    /// Not exactly one subject (v1.0 predicate).
    #[error("expected exactly one subject in the signed statement, got {0}")]
    SubjectCount(usize),
    /// `serialization.method` is not `files` or `shards`.
    #[error("unknown serialization method '{0}' in the signed statement")]
    UnknownSerialization(String),
    /// A shard resource name is not `path:start:end`.
    #[error("invalid resource name: expected 3 components separated by ':', got '{0}'")]
    InvalidResourceName(String),
    /// A resource name that is not a path inside the model in its normal form (a
    /// leading `/`, `..`, an empty component, a backslash, a NUL).
    #[error("the resource name '{name}' is not a path inside the model ({reason})")]
    InvalidResourcePath {
        /// The name (control characters escaped).
        name: String,
        /// What is wrong.
        reason: crate::identifier::PathError,
    },
    /// The same resource twice: which digest a verifier checks would be arbitrary.
    #[error("the resource '{0}' is listed twice")]
    DuplicateResource(String),
    /// A resource digest is not hex.
    #[error("resource '{0}' has a digest that is not hexadecimal")]
    InvalidDigest(String),
    /// The resources do not hash to the subject digest.
    #[error("manifest is inconsistent: root digest is {expected}, but the included resources hash to {computed}")]
    RootMismatch {
        /// Subject digest.
        expected: String,
        /// Root over the listed resources.
        computed: String,
    },
}

// Not `#[from]`: the field error is part of this error's message, not a cause to print
// after it.
impl From<FieldError> for StatementError {
    fn from(e: FieldError) -> Self {
        Self::Field(e)
    }
}

/// Builds the statement bytes (the DSSE payload) for a manifest.
///
/// Layout follows the reference's `MessageToJson` output with a fixed key order, and
/// `shard_size` is written as an integer (accepted by the reference, and it makes the
/// reference's own config guessing work). `ignore_paths` is sorted and omitted when empty.
pub fn build_statement(
    model_name: &str,
    manifest: &Manifest,
    serialization: &Serialization,
    allow_symlinks: bool,
    ignore_paths: &[String],
) -> Vec<u8> {
    let mut ser = alloc::vec![
        ("method", Json::str(serialization.method_name())),
        (
            "hash_type",
            Json::str(serialization.algorithm().recorded_name()),
        ),
        ("allow_symlinks", Json::Bool(allow_symlinks)),
    ];
    if let Some(size) = serialization.shard_size() {
        ser.push(("shard_size", Json::UInt(size)));
    }
    let mut ignored: Vec<String> = ignore_paths.to_vec();
    ignored.sort();
    ignored.dedup();
    if !ignored.is_empty() {
        ser.push((
            "ignore_paths",
            Json::Array(ignored.into_iter().map(Json::Str).collect()),
        ));
    }
    let resources = manifest
        .iter()
        .map(|(key, digest)| {
            Json::object([
                ("name", Json::str(key.name())),
                ("algorithm", Json::str(digest.algorithm.clone())),
                ("digest", Json::str(digest.hex())),
            ])
        })
        .collect();
    let statement = Json::object([
        ("_type", Json::str(STATEMENT_TYPE)),
        (
            "subject",
            Json::Array(alloc::vec![Json::object([
                ("name", Json::str(model_name)),
                (
                    "digest",
                    Json::object([("sha256", Json::str(hex(&manifest.root_digest())))]),
                ),
            ])]),
        ),
        ("predicateType", Json::str(PREDICATE_TYPE_V1)),
        (
            "predicate",
            Json::object([
                ("serialization", Json::object(ser)),
                ("resources", Json::Array(resources)),
            ]),
        ),
    ]);
    statement.to_pretty_ascii().into_bytes()
}

/// Reads a `shard_size`, which the reference writes as a float (`1000000000.0`).
fn shard_size(v: &Value) -> Result<u64, StatementError> {
    let invalid = |reason: &str| -> StatementError {
        json::invalid("predicate.serialization.shard_size", reason).into()
    };
    let size = if let Some(n) = v.as_u64() {
        n
    } else if let Some(f) = v.as_f64() {
        if f % 1.0 != 0.0 || !(1.0..=9_007_199_254_740_992.0).contains(&f) {
            return Err(invalid("expected a positive whole number"));
        }
        f as u64
    } else {
        return Err(invalid("expected a number"));
    };
    if size == 0 {
        return Err(invalid("must be greater than zero"));
    }
    Ok(size)
}

/// A file resource's name, which must be a path inside the model in its one normal form.
fn resource_path(name: &str) -> Result<ModelPath, StatementError> {
    ModelPath::parse(name).map_err(|reason| StatementError::InvalidResourcePath {
        name: excerpt(name),
        reason,
    })
}

/// Adds a resource to the manifest being read; a resource listed twice makes the
/// statement invalid (which of its digests is checked would be arbitrary, and an
/// auditor could read the other one).
fn add_unique(
    manifest: &mut Manifest,
    key: ResourceKey,
    digest: Digest,
) -> Result<(), StatementError> {
    manifest
        .insert_new(key, digest)
        .map_err(|key| StatementError::DuplicateResource(excerpt(&key.name())))
}

/// A statement's shape: a resource is four values as the scan counts them (its object
/// and three members), so a real statement meets the resource limit, with its precise
/// error, before this one.
pub(crate) const STATEMENT_LIMITS: json::Limits = json::Limits {
    max_values: 5 * MAX_RESOURCES,
    max_depth: 16,
};

/// Parses and checks a statement: the type, the predicate, every resource, and (for the
/// v1.0 predicate) that the resources in document order hash to the subject digest.
pub fn parse_statement(payload: &[u8]) -> Result<SignedManifest, StatementError> {
    let mut value = json::parse(payload, STATEMENT_LIMITS).map_err(StatementError::InvalidJson)?;
    // The long lists are taken out of the tree and read one item at a time, each freed
    // once it is in the manifest: the tree of a large statement is never held beside
    // the manifest it becomes.
    let resources = value
        .get_mut("predicate")
        .and_then(|p| p.get_mut("resources"))
        .map(Value::take);
    let subjects = value.get_mut("subject").map(Value::take);
    let root = json::object(&value, "statement")?;
    let ty = json::string(json::require(root, "_type", "_type", "")?, "_type")?;
    if ty != STATEMENT_TYPE {
        return Err(StatementError::WrongStatementType(excerpt(ty)));
    }
    let predicate_type = json::string(
        json::require(root, "predicateType", "predicateType", "")?,
        "predicateType",
    )?;
    let subjects = owned_array(subjects, "subject")?;
    match predicate_type {
        PREDICATE_TYPE_V1 => parse_v1(root, &subjects, resources),
        PREDICATE_TYPE_V0_1 => parse_v0_1(subjects),
        other => Err(StatementError::UnknownPredicateType(excerpt(other))),
    }
}

/// A required array taken out of the tree: absent and `null` are missing.
fn owned_array(v: Option<Value>, path: &str) -> Result<Vec<Value>, FieldError> {
    match v {
        None | Some(Value::Null) => Err(FieldError::Missing(path.into())),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => json::array(&other, path).map(|_| Vec::new()),
    }
}

fn parse_v1(
    root: &Map<String, Value>,
    subjects: &[Value],
    resources: Option<Value>,
) -> Result<SignedManifest, StatementError> {
    if subjects.len() != 1 {
        return Err(StatementError::SubjectCount(subjects.len()));
    }
    let subject = json::object(&subjects[0], "subject[0]")?;
    let model_name = json::string(
        json::require(subject, "name", "name", "")?,
        "subject[0].name",
    )?
    .to_string();
    let digest = json::object(
        json::require(subject, "digest", "digest", "")?,
        "subject[0].digest",
    )?;
    let expected_root = json::string(
        json::require(digest, "sha256", "sha256", "")?,
        "subject[0].digest.sha256",
    )?;

    let predicate = json::object(
        json::require(root, "predicate", "predicate", "")?,
        "predicate",
    )?;
    let ser = json::object(
        json::require(predicate, "serialization", "serialization", "")?,
        "predicate.serialization",
    )?;
    let method = json::string(
        json::require(ser, "method", "method", "")?,
        "predicate.serialization.method",
    )?;
    let hash_type = json::string(
        json::require(ser, "hash_type", "hash_type", "")?,
        "predicate.serialization.hash_type",
    )?;
    if !ser.contains_key("allow_symlinks") {
        return Err(FieldError::Missing("predicate.serialization.allow_symlinks".into()).into());
    }
    let algorithm = hash_type.parse::<HashAlgorithm>();
    let serialization = match method {
        "files" => algorithm.map(Serialization::files),
        "shards" => {
            let shard_size = shard_size(json::require(ser, "shard_size", "shard_size", "")?)?;
            // Kept as given: the reference records blake3 + shards as files, so a shard
            // block naming blake3 cannot come from it, but it says how to hash.
            algorithm.map(|algorithm| Serialization::Shards {
                algorithm,
                shard_size,
            })
        }
        other => return Err(StatementError::UnknownSerialization(excerpt(other))),
    };
    let ignore_paths = match ser.get("ignore_paths") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => json::strings(v, "predicate.serialization.ignore_paths")?,
    };

    let listed = owned_array(resources, "predicate.resources")?;
    if listed.len() > MAX_RESOURCES {
        return Err(StatementError::TooManyResources(listed.len()));
    }
    let mut manifest = Manifest::new();
    // The root ([`crate::manifest::root_digest`]) is recomputed in document order,
    // whatever order that is: the signer's order is what it hashed.
    let mut root = Sha256::new();
    for r in listed {
        let r = json::object(&r, "predicate.resources[]")?;
        let name = json::string(
            json::require(r, "name", "name", "")?,
            "predicate.resources[].name",
        )?;
        let algorithm = json::string(
            json::require(r, "algorithm", "algorithm", "")?,
            "predicate.resources[].algorithm",
        )?;
        let digest = json::string(
            json::require(r, "digest", "digest", "")?,
            "predicate.resources[].digest",
        )?;
        let value = unhex(digest).ok_or_else(|| StatementError::InvalidDigest(excerpt(name)))?;
        let key = if method == "shards" {
            ResourceKey::parse_shard(name)
                .ok_or_else(|| StatementError::InvalidResourceName(excerpt(name)))?
        } else {
            ResourceKey::File(resource_path(name)?)
        };
        root.update(&value);
        add_unique(&mut manifest, key, Digest::new(algorithm, value))?;
    }
    let computed = hex(&root.finalize());
    if !computed.eq_ignore_ascii_case(expected_root) {
        return Err(StatementError::RootMismatch {
            expected: expected_root.into(),
            computed,
        });
    }
    Ok(SignedManifest {
        model_name,
        predicate_type: PREDICATE_TYPE_V1.into(),
        serialization: SignedSerialization {
            serialization,
            allow_symlinks: ser.get("allow_symlinks").and_then(Value::as_bool),
            ignore_paths,
        },
        manifest,
        root_digest: Some(expected_root.into()),
    })
}

fn parse_v0_1(subjects: Vec<Value>) -> Result<SignedManifest, StatementError> {
    if subjects.len() > MAX_RESOURCES {
        return Err(StatementError::TooManyResources(subjects.len()));
    }
    let mut manifest = Manifest::new();
    for s in subjects {
        let s = json::object(&s, "subject[]")?;
        let name = json::string(json::require(s, "name", "name", "")?, "subject[].name")?;
        let digest = json::object(
            json::require(s, "digest", "digest", "")?,
            "subject[].digest",
        )?;
        let hexed = json::string(
            json::require(digest, "sha256", "sha256", "")?,
            "subject[].digest.sha256",
        )?;
        let value = unhex(hexed).ok_or_else(|| StatementError::InvalidDigest(excerpt(name)))?;
        add_unique(
            &mut manifest,
            ResourceKey::File(resource_path(name)?),
            Digest::new("sha256", value),
        )?;
    }
    Ok(SignedManifest {
        model_name: "compat-undefined-not-present".into(),
        predicate_type: PREDICATE_TYPE_V0_1.into(),
        serialization: SignedSerialization {
            serialization: Ok(Serialization::files(HashAlgorithm::Sha256)),
            allow_symlinks: Some(false),
            ignore_paths: Vec::new(),
        },
        manifest,
        root_digest: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::PathError;

    fn manifest() -> Manifest {
        ["a/b.txt", "a.txt", "café.txt"]
            .iter()
            .map(|n| {
                (
                    ResourceKey::File(ModelPath::new(n)),
                    Digest::new("sha256", HashAlgorithm::Sha256.hash(n.as_bytes())),
                )
            })
            .collect()
    }

    #[test]
    fn round_trip() {
        let m = manifest();
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let payload = build_statement("m", &m, &ser, false, &["z".into(), ".git".into()]);
        let text = core::str::from_utf8(&payload).unwrap();
        assert!(text.starts_with("{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n"));
        assert!(text.contains("caf\\u00e9.txt"));
        assert!(text.contains("\"ignore_paths\": [\n        \".git\",\n        \"z\"\n      ]"));
        let parsed = parse_statement(&payload).unwrap();
        assert_eq!(parsed.manifest, m);
        assert_eq!(parsed.model_name, "m");
        assert_eq!(parsed.serialization.serialization, Ok(ser));
        assert_eq!(parsed.serialization.ignore_paths, [".git", "z"]);
        assert_eq!(parsed.serialization.allow_symlinks, Some(false));
        let names: Vec<String> = parsed.manifest.iter().map(|(k, _)| k.name()).collect();
        assert_eq!(names, ["a/b.txt", "a.txt", "café.txt"]);
    }

    #[test]
    fn shard_statement_and_float_size() {
        let ser = Serialization::shards(HashAlgorithm::Sha256, 8).unwrap();
        let m: Manifest = [(
            ResourceKey::Shard {
                path: ModelPath::new("w"),
                start: 0,
                end: 8,
            },
            Digest::new("sha256-sharded-8", alloc::vec![1; 32]),
        )]
        .into_iter()
        .collect();
        let payload = build_statement("m", &m, &ser, true, &[]);
        let text = core::str::from_utf8(&payload).unwrap();
        assert!(text.contains("\"shard_size\": 8,") || text.contains("\"shard_size\": 8\n"));
        assert!(!text.contains("ignore_paths"));
        let floaty = text.replace("\"shard_size\": 8", "\"shard_size\": 8.0");
        let parsed = parse_statement(floaty.as_bytes()).unwrap();
        assert_eq!(parsed.serialization.serialization, Ok(ser));
        assert_eq!(parsed.manifest, m);
    }

    /// One meaning per name: a statement listing `/a.txt` beside `a.txt` (which the
    /// reference also refuses), or any other spelling that leaves the model or is not
    /// the normal form, is invalid; so is a name listed twice.
    #[test]
    fn resource_names_have_one_meaning() {
        let m = manifest();
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let good = String::from_utf8(build_statement("m", &m, &ser, false, &[])).unwrap();
        for (bad, reason) in [
            ("/a.txt", PathError::Absolute),
            ("./a.txt", PathError::DotComponent),
            ("a/../a.txt", PathError::DotComponent),
            ("a//b.txt", PathError::EmptyComponent),
            ("a\\\\b.txt", PathError::Backslash),
            ("a\\u0000.txt", PathError::Nul),
        ] {
            // The second resource (`a.txt`) renamed; the root digest is unchanged.
            let text = good.replacen(
                "\"name\": \"a.txt\"",
                &alloc::format!("\"name\": \"{bad}\""),
                1,
            );
            assert_ne!(text, good, "{bad}");
            match parse_statement(text.as_bytes()) {
                Err(StatementError::InvalidResourcePath { reason: r, .. }) => {
                    assert_eq!(r, reason, "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        let twice = good.replacen("\"name\": \"a.txt\"", "\"name\": \"a/b.txt\"", 1);
        assert_eq!(
            parse_statement(twice.as_bytes()).unwrap_err(),
            StatementError::DuplicateResource("a/b.txt".into())
        );
    }

    #[test]
    fn rejects_bad_statements() {
        let m = manifest();
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let good = String::from_utf8(build_statement("m", &m, &ser, false, &[])).unwrap();
        let tampered = good.replacen("\"digest\": \"", "\"digest\": \"00", 1);
        assert!(matches!(
            parse_statement(tampered.as_bytes()),
            Err(StatementError::InvalidDigest(_)) | Err(StatementError::RootMismatch { .. })
        ));
        let flipped = {
            let i = good.find("\"resources\"").unwrap();
            let at = good[i..].find("\"digest\": \"").unwrap() + i + 11;
            let mut b = good.clone().into_bytes();
            b[at] = if b[at] == b'0' { b'1' } else { b'0' };
            String::from_utf8(b).unwrap()
        };
        assert!(matches!(
            parse_statement(flipped.as_bytes()),
            Err(StatementError::RootMismatch { .. })
        ));
        assert!(matches!(
            parse_statement(good.replace("files", "chunks").as_bytes()),
            Err(StatementError::UnknownSerialization(_))
        ));
        assert!(matches!(
            parse_statement(good.replace("signature/v1.0", "signature/v9").as_bytes()),
            Err(StatementError::UnknownPredicateType(_))
        ));
        assert!(matches!(
            parse_statement(b"{"),
            Err(StatementError::InvalidJson(_))
        ));
    }
}
