//! Manifests (identifier → digest), their root digest, and the comparison that
//! verification ends with.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest as _, Sha256};

use crate::hashing::Digest;
use crate::identifier::ResourceKey;

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

    /// The root digest: SHA-256 over the raw item digests in canonical order.
    pub fn root_digest(&self) -> [u8; 32] {
        root_digest(self.items.values())
    }

    /// Compares `self` (what the signature lists) with `actual` (what was hashed).
    /// Keys and digests (including algorithm names) must match exactly.
    pub fn diff(&self, actual: &Manifest) -> ManifestDiff {
        let mut diff = ManifestDiff::default();
        for (key, digest) in &actual.items {
            match self.items.get(key) {
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
            .filter(|k| !actual.items.contains_key(k))
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
    /// Items the signature lists that the model lacks, in canonical order.
    pub missing: Vec<ResourceKey>,
    /// Items whose content changed, in canonical order.
    pub changed: Vec<Changed>,
}

impl ManifestDiff {
    /// True when the manifests are equal.
    pub fn is_empty(&self) -> bool {
        self.extra.is_empty() && self.missing.is_empty() && self.changed.is_empty()
    }

    /// One line per kind of difference, in the reference's order (extra, missing,
    /// changed), naming every item and, for changes, both digests.
    pub fn lines(&self, model_name: &str) -> Vec<String> {
        fn names(keys: &[ResourceKey]) -> String {
            let v: Vec<String> = keys.iter().map(|k| k.name()).collect();
            v.join(", ")
        }
        let mut out = Vec::new();
        if !self.extra.is_empty() {
            out.push(alloc::format!(
                "Extra files found in model '{model_name}': {}",
                names(&self.extra)
            ));
        }
        if !self.missing.is_empty() {
            out.push(alloc::format!(
                "Missing files in model '{model_name}': {}",
                names(&self.missing)
            ));
        }
        for c in &self.changed {
            out.push(alloc::format!(
                "Hash mismatch for '{}': Expected '{}', Actual '{}'",
                c.key,
                c.expected,
                c.actual
            ));
        }
        out
    }
}

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
}
