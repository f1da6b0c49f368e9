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
/// A `ModelPath` is always in its one normal form: non-empty components joined by `/`,
/// none of them `.` or `..`, no leading `/`, no backslash and no NUL; the model root
/// itself (a single-file model's only identifier) is `.`. So two paths are equal exactly
/// when their components are, and equality, ordering and hashing agree.
///
/// Ordering compares the lists of components element-wise (so `a/b` < `a b` < `a.txt`),
/// which is the order the reference sorts resources in and the order the root digest
/// depends on. Plain string order would differ.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModelPath(String);

/// Why a name is not a path inside the model, in its normal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The empty string.
    #[error("it is empty")]
    Empty,
    /// A leading `/`.
    #[error("it is absolute")]
    Absolute,
    /// `a//b` or a trailing `/`.
    #[error("it has an empty component")]
    EmptyComponent,
    /// A `.` or `..` component.
    #[error("it has a '.' or '..' component")]
    DotComponent,
    /// A `\`, which would be a separator on Windows.
    #[error("it holds a backslash")]
    Backslash,
    /// A NUL byte.
    #[error("it holds a NUL character")]
    Nul,
}

/// Checks one component (a file or directory name).
fn check_component(c: &str) -> Result<(), PathError> {
    match c {
        "" => Err(PathError::EmptyComponent),
        "." | ".." => Err(PathError::DotComponent),
        _ if c.contains('\\') => Err(PathError::Backslash),
        _ if c.contains('\0') => Err(PathError::Nul),
        _ => Ok(()),
    }
}

impl ModelPath {
    /// The identifier of a single-file model (the model path itself).
    pub fn root() -> Self {
        Self(".".into())
    }

    /// Reads a name exactly as a signature must write it ([`ModelPath`]'s normal form);
    /// anything else is refused. This is how resource names of signed statements and
    /// of manifests to sign are read.
    pub fn parse(name: &str) -> Result<Self, PathError> {
        if name.is_empty() {
            return Err(PathError::Empty);
        }
        if name == "." {
            return Ok(Self::root());
        }
        if name.starts_with('/') {
            return Err(PathError::Absolute);
        }
        for c in name.split('/') {
            check_component(c)?;
        }
        Ok(Self(name.into()))
    }

    /// Reads a relative path given by a person or a caller (an ignore path, a file list
    /// entry): empty and `.` components are dropped, as Python's `PurePosixPath` does, and
    /// a path left with no component is the root. `None` for a path that leaves the
    /// model (absolute, or with a `..` component) or holds a backslash or a NUL.
    pub fn normalize(text: &str) -> Option<Self> {
        if text.starts_with('/') {
            return None;
        }
        let parts: Vec<&str> = text
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.is_empty() {
            return Some(Self::root());
        }
        parts
            .iter()
            .all(|c| check_component(c).is_ok())
            .then(|| Self(parts.join("/")))
    }

    /// Builds a path from the names of a directory walk; fails for a name that cannot
    /// be written in a signature.
    pub fn from_components<'a>(
        parts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, PathError> {
        let mut out = String::new();
        for c in parts {
            check_component(c)?;
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(c);
        }
        Ok(if out.is_empty() {
            Self::root()
        } else {
            Self(out)
        })
    }

    /// A path from a literal known to be relative and inside the model (tests,
    /// constants), normalized as [`ModelPath::normalize`] does.
    ///
    /// # Panics
    /// If `text` leaves the model; use [`ModelPath::parse`] or [`ModelPath::normalize`]
    /// for anything that is not a literal.
    pub fn new(text: &str) -> Self {
        Self::normalize(text).expect("a relative path inside the model")
    }

    /// `self/name` for a directory walk; fails for a name that cannot be written in a
    /// signature.
    pub fn join(&self, name: &str) -> Result<Self, PathError> {
        check_component(name)?;
        Ok(if self.is_root() {
            Self(name.into())
        } else {
            Self(alloc::format!("{}/{name}", self.0))
        })
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The components; empty for the root `.`.
    pub fn components(&self) -> impl Iterator<Item = &str> + Clone {
        self.0.split('/').filter(|p| *p != ".")
    }

    /// Whether this is the model root itself (`.`).
    pub fn is_root(&self) -> bool {
        self.0 == "."
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
    /// Component by component (`a/b` < `a.txt`, as the reference sorts). Compared as
    /// bytes with `/` below every other byte, which is the same order: components hold
    /// no `/`, and a shorter component is a prefix that sorts first either way. The
    /// root `.` has no component and sorts before everything.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_root(), other.is_root()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        let same = common_prefix(a, b);
        let key = |b: u8| if b == b'/' { 0 } else { b };
        match (a.get(same), b.get(same)) {
            (Some(&x), Some(&y)) => key(x).cmp(&key(y)),
            _ => a.len().cmp(&b.len()),
        }
    }
}

/// The length of the longest common prefix, eight bytes at a time: long names of one
/// model share long prefixes, and manifests compare them often.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
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

    /// Parses a shard resource name `path:start:end` in its normal form: a
    /// [`ModelPath`], and offsets in plain decimal (no sign, spaces or leading zeros).
    /// Like the reference, the name is split on every `:` and must give exactly three
    /// parts, so a path containing `:` cannot be a shard name.
    pub fn parse_shard(name: &str) -> Option<Self> {
        let mut parts = name.split(':');
        let (path, start, end) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        fn offset(text: &str) -> Option<u64> {
            let canonical = !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit())
                && (text == "0" || !text.starts_with('0'));
            canonical.then(|| text.parse().ok()).flatten()
        }
        Some(Self::Shard {
            path: ModelPath::parse(path).ok()?,
            start: offset(start)?,
            end: offset(end)?,
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
        for outside in ["../x", "a/../../x", "/etc/passwd", "a\\b", "a\0"] {
            assert_eq!(ModelPath::normalize(outside), None, "{outside:?}");
        }
        assert_eq!(ModelPath::normalize("a/b").unwrap().as_str(), "a/b");
    }

    #[test]
    fn one_normal_form() {
        assert_eq!(ModelPath::parse("a/b.txt").unwrap().as_str(), "a/b.txt");
        assert!(ModelPath::parse(".").unwrap().is_root());
        for (name, why) in [
            ("", PathError::Empty),
            ("/a.txt", PathError::Absolute),
            ("a//b", PathError::EmptyComponent),
            ("a/", PathError::EmptyComponent),
            ("./a", PathError::DotComponent),
            ("a/../b", PathError::DotComponent),
            ("..", PathError::DotComponent),
            ("a\\b", PathError::Backslash),
            ("a\0b", PathError::Nul),
        ] {
            assert_eq!(ModelPath::parse(name), Err(why), "{name:?}");
        }
        // Names are kept as they are otherwise (spaces, newlines, non-ASCII).
        assert!(ModelPath::parse("a b/caf\u{e9}\n.bin").is_ok());
        assert_eq!(
            ModelPath::from_components(["a", "b"]).unwrap(),
            ModelPath::new("a/b")
        );
        assert_eq!(
            ModelPath::from_components(["a", ".."]),
            Err(PathError::DotComponent)
        );
        assert!(ResourceKey::parse_shard("w:0:10").is_some());
        for bad in [
            "w:00:10", "w: 0:10", "w:+0:10", "/w:0:10", "w:0:1e3", "w:-1:3",
        ] {
            assert!(ResourceKey::parse_shard(bad).is_none(), "{bad}");
        }
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
