//! Manifests (identifier → digest), their root digest, and the comparison that
//! verification ends with.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest as _, Sha256};

use crate::encoding::{printable, unhex};
use crate::hashing::Digest;
use crate::identifier::{ModelPath, ResourceKey};
use crate::serialization::Serialization;

/// The most items a signature may list. A model of more files, or of more shards
/// than this, is refused when signed and when verified: reading a manifest costs memory
/// in proportion to its items, and this keeps the cost of any signature under a few
/// hundred megabytes. (The Python reference has no limit; no published model comes
/// near it.)
pub const MAX_RESOURCES: usize = 100_000;

/// A set of manifest items, kept in canonical order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    items: BTreeMap<ResourceKey, Digest>,
}

impl Manifest {
    /// An empty manifest.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an item; a repeated key replaces the earlier digest (as in the reference).
    pub fn insert(&mut self, key: ResourceKey, digest: Digest) {
        self.items.insert(key, digest);
    }

    /// Adds an item whose key is not present yet; when it is, nothing changes and the
    /// key is given back.
    pub fn insert_new(&mut self, key: ResourceKey, digest: Digest) -> Result<(), ResourceKey> {
        match self.items.entry(key) {
            alloc::collections::btree_map::Entry::Vacant(v) => {
                v.insert(digest);
                Ok(())
            }
            alloc::collections::btree_map::Entry::Occupied(o) => Err(o.key().clone()),
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The digest of `key`, if present.
    pub fn get(&self, key: &ResourceKey) -> Option<&Digest> {
        self.items.get(key)
    }

    /// Items in canonical order (the order resources are written and hashed into the root).
    pub fn iter(&self) -> impl Iterator<Item = (&ResourceKey, &Digest)> {
        self.items.iter()
    }

    /// The items of one file (its file item, or its shards in order), found in
    /// logarithmic time: keys of one path are adjacent in the canonical order.
    pub fn items_of<'a>(
        &'a self,
        path: &ModelPath,
    ) -> impl Iterator<Item = (&'a ResourceKey, &'a Digest)> + 'a {
        let file = ResourceKey::File(path.clone());
        let first = ResourceKey::Shard {
            path: path.clone(),
            start: 0,
            end: 0,
        };
        let last = ResourceKey::Shard {
            path: path.clone(),
            start: u64::MAX,
            end: u64::MAX,
        };
        self.items
            .get_key_value(&file)
            .into_iter()
            .chain(self.items.range(first..=last))
    }

    /// The root digest: SHA-256 over the raw item digests in canonical order.
    pub fn root_digest(&self) -> [u8; 32] {
        root_digest(self.items.values())
    }

    /// Compares `self` (what the signature lists) with `actual` (what was hashed).
    /// Keys and digests (including algorithm names) must match exactly.
    pub fn diff(&self, actual: &Manifest) -> ManifestDiff {
        self.diff_where(actual, |_| true)
    }

    /// [`Manifest::diff`] as if `self` held only the items `signed` keeps (the others
    /// are neither missing nor compared), without copying it.
    pub fn diff_where(
        &self,
        actual: &Manifest,
        signed: impl Fn(&ResourceKey) -> bool,
    ) -> ManifestDiff {
        let mut diff = ManifestDiff::default();
        for (key, digest) in &actual.items {
            match self.items.get(key).filter(|_| signed(key)) {
                None => diff.extra.push(key.clone()),
                Some(expected) if expected != digest => diff.changed.push(Changed {
                    key: key.clone(),
                    expected: expected.clone(),
                    actual: digest.clone(),
                }),
                Some(_) => {}
            }
        }
        diff.missing = self
            .items
            .keys()
            .filter(|k| signed(k) && !actual.items.contains_key(k))
            .cloned()
            .collect();
        diff
    }
}

impl FromIterator<(ResourceKey, Digest)> for Manifest {
    fn from_iter<T: IntoIterator<Item = (ResourceKey, Digest)>>(iter: T) -> Self {
        Self {
            items: iter.into_iter().collect(),
        }
    }
}

impl Extend<(ResourceKey, Digest)> for Manifest {
    fn extend<T: IntoIterator<Item = (ResourceKey, Digest)>>(&mut self, iter: T) {
        self.items.extend(iter)
    }
}

/// Why a manifest given by a caller (a browser that hashed the model, a file) cannot
/// be signed. Every name and digest is checked before anything is signed, so that a
/// signature only ever vouches for a manifest a verifier will read the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// No resource at all: a signature over nothing verifies anything.
    #[error("the manifest lists no resource")]
    Empty,
    /// More than [`MAX_RESOURCES`] resources.
    #[error(
        "the manifest lists more than {MAX_RESOURCES} resources, more than a signature may hold"
    )]
    TooMany,
    /// A name that is not a path inside the model in its normal form: empty, absolute,
    /// with `.`/`..`/empty components, a backslash or a NUL.
    #[error("the resource name '{name}' is not a canonical path inside the model ({reason})")]
    InvalidName {
        /// The name as given (control characters escaped).
        name: String,
        /// What is wrong with it.
        reason: crate::identifier::PathError,
    },
    /// A shard name that is not `path:start:end` with `start < end`, or whose range is
    /// not the one the shard size gives.
    #[error("the resource name '{0}' is not a shard of this serialization (path:start:end, cut every shard size bytes)")]
    InvalidShard(String),
    /// The same resource twice.
    #[error("the resource '{0}' is listed twice")]
    Duplicate(String),
    /// A resource's algorithm is not the serialization's item algorithm.
    #[error("the resource '{name}' has the algorithm '{found}', but this serialization records '{expected}'")]
    WrongAlgorithm {
        /// The resource.
        name: String,
        /// What the serialization records (`sha256`, `sha256-sharded-1000`).
        expected: String,
        /// What was given.
        found: String,
    },
    /// A digest that is not lowercase or uppercase hexadecimal.
    #[error("the digest of '{0}' is not hexadecimal")]
    DigestNotHex(String),
    /// A digest whose length does not fit the hash.
    #[error("the digest of '{name}' is {found} bytes long, but the hash gives {expected}")]
    DigestLength {
        /// The resource.
        name: String,
        /// The hash's digest length.
        expected: usize,
        /// The given length.
        found: usize,
    },
}

/// Checks that `name` is a path inside a model in its normal form
/// ([`ModelPath::parse`]), as a signer must write it.
pub fn check_resource_path(name: &str) -> Result<ModelPath, ManifestError> {
    ModelPath::parse(name).map_err(|reason| ManifestError::InvalidName {
        name: crate::encoding::excerpt(name),
        reason,
    })
}

impl Manifest {
    /// A manifest from `(name, algorithm, hex digest)` resources as a caller gives them
    /// (the signing daemon's requests), checked against `serialization`: canonical names
    /// inside the model, no duplicate, shards cut where the shard size cuts them, the
    /// serialization's algorithm name, hexadecimal digests of the hash's length.
    pub fn from_resources<'a>(
        serialization: &Serialization,
        resources: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<Self, ManifestError> {
        let expected_algorithm = serialization.item_algorithm_name();
        let digest_len = serialization.algorithm().digest_len();
        let mut manifest = Manifest::new();
        for (name, algorithm, digest) in resources {
            if manifest.len() == MAX_RESOURCES {
                return Err(ManifestError::TooMany);
            }
            let key = match serialization.shard_size() {
                None => ResourceKey::File(check_resource_path(name)?),
                Some(size) => {
                    let (path, start, end) = match ResourceKey::parse_shard(name) {
                        Some(ResourceKey::Shard { start, end, .. }) => {
                            let path = &name[..name.find(':').unwrap_or(name.len())];
                            (check_resource_path(path)?, start, end)
                        }
                        _ => return Err(ManifestError::InvalidShard(name.into())),
                    };
                    let canonical = alloc::format!("{path}:{start}:{end}");
                    if start >= end || start % size != 0 || end - start > size || canonical != name
                    {
                        return Err(ManifestError::InvalidShard(name.into()));
                    }
                    ResourceKey::Shard { path, start, end }
                }
            };
            if algorithm != expected_algorithm {
                return Err(ManifestError::WrongAlgorithm {
                    name: name.into(),
                    expected: expected_algorithm,
                    found: algorithm.into(),
                });
            }
            let value = unhex(digest).ok_or_else(|| ManifestError::DigestNotHex(name.into()))?;
            if value.len() != digest_len {
                return Err(ManifestError::DigestLength {
                    name: name.into(),
                    expected: digest_len,
                    found: value.len(),
                });
            }
            if manifest
                .insert_new(key, Digest::new(expected_algorithm.clone(), value))
                .is_err()
            {
                return Err(ManifestError::Duplicate(crate::encoding::excerpt(name)));
            }
        }
        if manifest.is_empty() {
            return Err(ManifestError::Empty);
        }
        // A file's shards must cover it from 0 without gaps: a later shard only when
        // the one before it was full.
        let mut previous: Option<(&ModelPath, u64, u64)> = None;
        for (key, _) in manifest.iter() {
            if let ResourceKey::Shard { path, start, end } = key {
                let follows = match previous {
                    Some((p, _, prev_end)) if p == path => *start == prev_end,
                    _ => *start == 0,
                };
                let previous_full = match previous {
                    Some((p, prev_start, prev_end)) if p == path => {
                        Some(prev_end - prev_start) == serialization.shard_size()
                    }
                    _ => true,
                };
                if !follows || !previous_full {
                    return Err(ManifestError::InvalidShard(key.name()));
                }
                previous = Some((path, *start, *end));
            }
        }
        Ok(manifest)
    }
}

/// SHA-256 over the concatenated raw digests, in the order given.
pub fn root_digest<'a>(digests: impl IntoIterator<Item = &'a Digest>) -> [u8; 32] {
    let mut h = Sha256::new();
    for d in digests {
        h.update(&d.value);
    }
    h.finalize().into()
}

/// An item present in both manifests with different digests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    /// The item.
    pub key: ResourceKey,
    /// Digest in the signature.
    pub expected: Digest,
    /// Digest of the model on disk.
    pub actual: Digest,
}

/// Every difference between a signed manifest and the model as it is now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManifestDiff {
    /// Items in the model that the signature does not list, in canonical order.
    pub extra: Vec<ResourceKey>,
    /// Further extra items that are counted but not listed (the shards of a large
    /// unsigned file beyond the first few: listing them all could take any amount of
    /// memory for a sparse file).
    pub extra_not_listed: u64,
    /// Items the signature lists that the model lacks, in canonical order.
    pub missing: Vec<ResourceKey>,
    /// Items whose content changed, in canonical order.
    pub changed: Vec<Changed>,
}

impl ManifestDiff {
    /// True when the manifests are equal.
    pub fn is_empty(&self) -> bool {
        self.extra.is_empty()
            && self.extra_not_listed == 0
            && self.missing.is_empty()
            && self.changed.is_empty()
    }

    /// One line per kind of difference, in the reference's order (extra, missing,
    /// changed), naming the items and, for changes, both digests. Names are
    /// [`printable`]: a file named to look like a verdict cannot print one. A line
    /// names at most [`LISTED_NAMES`] items and counts the rest, and at most that many
    /// changed items get a line of their own: a model that differs everywhere gives a
    /// message of kilobytes, not megabytes.
    pub fn lines(&self, model_name: &str) -> Vec<String> {
        fn names(keys: &[ResourceKey], not_listed: u64) -> String {
            let v: Vec<String> = keys
                .iter()
                .take(LISTED_NAMES)
                .map(|k| printable(&k.name()).into())
                .collect();
            let more = not_listed + keys.len().saturating_sub(LISTED_NAMES) as u64;
            match more {
                0 => v.join(", "),
                n => alloc::format!("{} and {n} more", v.join(", ")),
            }
        }
        let model_name = printable(model_name);
        let mut out = Vec::new();
        if !self.extra.is_empty() || self.extra_not_listed > 0 {
            out.push(alloc::format!(
                "Extra files found in model '{model_name}': {}",
                names(&self.extra, self.extra_not_listed)
            ));
        }
        if !self.missing.is_empty() {
            out.push(alloc::format!(
                "Missing files in model '{model_name}': {}",
                names(&self.missing, 0)
            ));
        }
        for c in self.changed.iter().take(LISTED_NAMES) {
            out.push(alloc::format!(
                "Hash mismatch for '{}': Expected '{}', Actual '{}'",
                printable(&c.key.name()),
                c.expected,
                c.actual
            ));
        }
        if self.changed.len() > LISTED_NAMES {
            out.push(alloc::format!(
                "Hash mismatch for {} more items",
                self.changed.len() - LISTED_NAMES
            ));
        }
        out
    }
}

/// How many items a line of [`ManifestDiff::lines`] names.
pub const LISTED_NAMES: usize = 100;

impl fmt::Display for ManifestDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines("model").join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex;
    use crate::hashing::HashAlgorithm;
    use crate::identifier::ModelPath;
    use alloc::string::ToString;

    fn file(name: &str, content: &[u8]) -> (ResourceKey, Digest) {
        (
            ResourceKey::File(ModelPath::new(name)),
            Digest::new("sha256", HashAlgorithm::Sha256.hash(content)),
        )
    }

    #[test]
    fn root_of_worked_example() {
        let m: Manifest = [file("signme-2", b"signme-2"), file("signme-1", b"signme-1")]
            .into_iter()
            .collect();
        assert_eq!(
            hex(&m.root_digest()),
            "61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226"
        );
        assert_eq!(
            hex(&Manifest::new().root_digest()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn diff_names_everything() {
        let signed: Manifest = [file("a", b"1"), file("b", b"2"), file("c", b"3")]
            .into_iter()
            .collect();
        let now: Manifest = [file("a", b"1"), file("b", b"X"), file("d", b"4")]
            .into_iter()
            .collect();
        let d = signed.diff(&now);
        assert_eq!(d.extra, [ResourceKey::File(ModelPath::new("d"))]);
        assert_eq!(d.missing, [ResourceKey::File(ModelPath::new("c"))]);
        assert_eq!(d.changed.len(), 1);
        let lines = d.lines("m");
        assert_eq!(lines[0], "Extra files found in model 'm': d");
        assert_eq!(lines[1], "Missing files in model 'm': c");
        assert!(lines[2].starts_with("Hash mismatch for 'b': Expected 'sha256:d4735e3a"));
        assert!(signed.diff(&signed).is_empty());
    }

    #[test]
    fn resources_from_a_caller_are_checked() {
        use crate::hashing::HashAlgorithm;
        let files = Serialization::files(HashAlgorithm::Sha256);
        let d = "ab".repeat(32);
        let ok = Manifest::from_resources(&files, [("a/b.bin", "sha256", d.as_str())]).unwrap();
        assert_eq!(ok.len(), 1);
        for (name, algorithm, digest, expected) in [
            ("../x", "sha256", d.as_str(), "'.' or '..'"),
            ("/x", "sha256", d.as_str(), "absolute"),
            ("a//b", "sha256", d.as_str(), "empty component"),
            ("a\\b", "sha256", d.as_str(), "backslash"),
            ("a\0b", "sha256", d.as_str(), "NUL"),
            ("", "sha256", d.as_str(), "empty"),
            ("x", "blake2b", d.as_str(), "algorithm"),
            ("x", "sha256", "abcd", "2 bytes long"),
            ("x", "sha256", "zz", "not hexadecimal"),
        ] {
            let e = Manifest::from_resources(&files, [(name, algorithm, digest)])
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{name}: {e}");
        }
        assert_eq!(
            Manifest::from_resources(
                &files,
                [("a", "sha256", d.as_str()), ("a", "sha256", d.as_str())]
            ),
            Err(ManifestError::Duplicate("a".into()))
        );
        assert_eq!(
            Manifest::from_resources(&files, []),
            Err(ManifestError::Empty)
        );
        let shards = Serialization::shards(HashAlgorithm::Sha256, 10).unwrap();
        let alg = shards.item_algorithm_name();
        let good = [
            ("w:0:10", alg.as_str(), d.as_str()),
            ("w:10:15", alg.as_str(), d.as_str()),
        ];
        assert_eq!(Manifest::from_resources(&shards, good).unwrap().len(), 2);
        for bad in [
            alloc::vec![
                ("w:0:10", alg.as_str(), d.as_str()),
                ("w:20:25", alg.as_str(), d.as_str())
            ],
            alloc::vec![
                ("w:0:5", alg.as_str(), d.as_str()),
                ("w:5:10", alg.as_str(), d.as_str())
            ],
            alloc::vec![("w:5:10", alg.as_str(), d.as_str())],
            alloc::vec![("w:0:11", alg.as_str(), d.as_str())],
            alloc::vec![("w:00:10", alg.as_str(), d.as_str())],
            alloc::vec![("w", alg.as_str(), d.as_str())],
        ] {
            assert!(
                matches!(
                    Manifest::from_resources(&shards, bad.clone()),
                    Err(ManifestError::InvalidShard(_))
                ),
                "{bad:?}"
            );
        }
        let _ = "x".to_string();
    }
}
