//! Resource identifiers, their canonical order, and ignore-path semantics.
//!
//! Identifiers are POSIX-style paths relative to the model root (`a/b.bin`); a
//! single-file model's only identifier is `.`. Shards add `:<start>:<end>`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

/// A path relative to the model root, with `/` separators, as it appears in signatures.
///
/// Ordering compares the lists of components element-wise (so `a/b` < `a b` < `a.txt`),
/// which is the order the reference sorts resources in and the order the root digest
/// depends on. Plain string order would differ.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModelPath(String);

impl ModelPath {
    /// The identifier of a single-file model (the model path itself).
    pub fn root() -> Self {
        Self(".".into())
    }

    /// Builds a path from text, normalising it the way Python's `PurePosixPath` does:
    /// empty and `.` components are dropped, and a path left with no component is `.`.
    pub fn new(text: &str) -> Self {
        let parts: Vec<&str> = text
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.is_empty() {
            Self::root()
        } else if text.starts_with('/') {
            // Kept visible so that is_contained() can reject it.
            Self(alloc::format!("/{}", parts.join("/")))
        } else {
            Self(parts.join("/"))
        }
    }

    /// Builds a path from components (for callers that walk a directory tree).
    pub fn from_components<'a>(parts: impl IntoIterator<Item = &'a str>) -> Self {
        let joined: Vec<&str> = parts.into_iter().collect();
        Self::new(&joined.join("/"))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The components; empty for the root `.`.
    pub fn components(&self) -> impl Iterator<Item = &str> + Clone {
        self.0.split('/').filter(|p| !p.is_empty() && *p != ".")
    }

    /// Whether this is the model root itself (`.`).
    pub fn is_root(&self) -> bool {
        self.components().next().is_none()
    }

    /// True when the path stays inside the model: no `..` component and not absolute.
    /// Identifiers read from a signature must pass this before being joined to a model
    /// directory, or a malicious signature could make the verifier read outside it.
    pub fn is_contained(&self) -> bool {
        !self.0.starts_with('/') && self.components().all(|c| c != "..")
    }

    /// True when `self` equals `prefix` or lies below it, comparing whole components
    /// (`a/bc` is not under `a/b`). The root `.` is a prefix of everything.
    pub fn starts_with(&self, prefix: &ModelPath) -> bool {
        let mut mine = self.components();
        prefix.components().all(|p| mine.next() == Some(p))
    }
}

impl fmt::Display for ModelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Ord for ModelPath {
    fn cmp(&self, other: &Self) -> Ordering {
        self.components().cmp(other.components())
    }
}

impl PartialOrd for ModelPath {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The key of one manifest item: a whole file, or one shard of a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKey {
    /// A whole file (file serialization).
    File(ModelPath),
    /// Bytes `[start, end)` of a file (shard serialization).
    Shard {
        /// The file.
        path: ModelPath,
        /// First byte offset.
        start: u64,
        /// One past the last byte offset.
        end: u64,
    },
}

impl ResourceKey {
    /// The file this key refers to.
    pub fn path(&self) -> &ModelPath {
        match self {
            Self::File(p) | Self::Shard { path: p, .. } => p,
        }
    }

    /// The resource name as written in signatures: the path, or `path:start:end`.
    pub fn name(&self) -> String {
        match self {
            Self::File(p) => p.as_str().to_string(),
            Self::Shard { path, start, end } => format!("{path}:{start}:{end}"),
        }
    }

    /// Parses a shard resource name `path:start:end`. Like the reference, the name is
    /// split on every `:` and must give exactly three parts, so a path containing `:`
    /// cannot be a shard name.
    pub fn parse_shard(name: &str) -> Option<Self> {
        let mut parts = name.split(':');
        let (path, start, end) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        Some(Self::Shard {
            path: ModelPath::new(path),
            start: start.trim().parse().ok()?,
            end: end.trim().parse().ok()?,
        })
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Ord for ResourceKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::File(a), Self::File(b)) => a.cmp(b),
            (
                Self::Shard {
                    path: a,
                    start: sa,
                    end: ea,
                },
                Self::Shard {
                    path: b,
                    start: sb,
                    end: eb,
                },
            ) => a.cmp(b).then(sa.cmp(sb)).then(ea.cmp(eb)),
            (Self::File(_), Self::Shard { .. }) => Ordering::Less,
            (Self::Shard { .. }, Self::File(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for ResourceKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The four top-level names that are ignored by default (`ignore_git_paths`).
/// Only at the top level: nested `sub/.git` and `.gitmodules` are signed.
pub const GIT_PATHS: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];

/// A set of ignored paths, relative to the model root. A path is ignored when it
/// equals an entry or lies below one (whole components).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreList {
    entries: Vec<ModelPath>,
}

impl IgnoreList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry (duplicates are kept once).
    pub fn add(&mut self, path: ModelPath) {
        if !self.entries.contains(&path) {
            self.entries.push(path);
        }
    }

    /// Adds the four git names of [`GIT_PATHS`].
    pub fn add_git_paths(&mut self) {
        for p in GIT_PATHS {
            self.add(ModelPath::new(p));
        }
    }

    /// Whether `path` is ignored.
    pub fn is_ignored(&self, path: &ModelPath) -> bool {
        self.entries.iter().any(|e| path.starts_with(e))
    }

    /// The entries, in insertion order.
    pub fn entries(&self) -> &[ModelPath] {
        &self.entries
    }

    /// The entries as sorted, de-duplicated strings (the order signatures record).
    pub fn recorded(&self) -> Vec<String> {
        let mut out: Vec<String> = self.entries.iter().map(|e| e.to_string()).collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn component_order_differs_from_string_order() {
        let mut names = vec!["a.txt", "a-b.txt", "a b.txt", "a/b.txt", "café.txt", "b"];
        let mut paths: Vec<ModelPath> = names.iter().map(|n| ModelPath::new(n)).collect();
        paths.sort();
        let sorted: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            sorted,
            ["a/b.txt", "a b.txt", "a-b.txt", "a.txt", "b", "café.txt"]
        );
        names.sort();
        assert_ne!(names, sorted);
    }

    #[test]
    fn shard_order_is_numeric() {
        let a = ResourceKey::parse_shard("weights.bin:900:1000").unwrap();
        let b = ResourceKey::parse_shard("weights.bin:1000:1028").unwrap();
        assert!(a < b);
        assert_eq!(b.name(), "weights.bin:1000:1028");
        assert!(ResourceKey::parse_shard("a:b:0:1").is_none());
        assert!(ResourceKey::parse_shard("a:0").is_none());
        assert!(ResourceKey::parse_shard("a:x:1").is_none());
    }

    #[test]
    fn normalisation_and_containment() {
        assert_eq!(ModelPath::new("./a//b/").as_str(), "a/b");
        assert!(ModelPath::new(".").is_root());
        assert!(ModelPath::new("").is_root());
        assert!(!ModelPath::new("../x").is_contained());
        assert!(!ModelPath::new("a/../../x").is_contained());
        assert!(!ModelPath::new("/etc/passwd").is_contained());
        assert!(ModelPath::new("a/b").is_contained());
    }

    #[test]
    fn ignore_is_by_whole_components() {
        let mut list = IgnoreList::new();
        list.add(ModelPath::new("a/b"));
        list.add_git_paths();
        assert!(list.is_ignored(&ModelPath::new("a/b")));
        assert!(list.is_ignored(&ModelPath::new("a/b/c")));
        assert!(!list.is_ignored(&ModelPath::new("a/bc")));
        assert!(list.is_ignored(&ModelPath::new(".git/config")));
        assert!(!list.is_ignored(&ModelPath::new("sub/.git/config")));
        assert!(!list.is_ignored(&ModelPath::new(".gitmodules")));
        let mut all = IgnoreList::new();
        all.add(ModelPath::root());
        assert!(all.is_ignored(&ModelPath::new("anything")));
    }
}
