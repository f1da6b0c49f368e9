//! Comparing a model given as a list of files with a verified signature, with the
//! native verifier's rules (`host/src/verifying.rs`), so that a caller that only has
//! paths and bytes (the wasm package in a browser) and the CLI reach the same verdict and
//! name the same files:
//!
//! * ignored: the signature's recorded `ignore_paths` (relative ones), the caller's
//!   ignore paths, the top-level git names unless switched off, and the signature file
//!   itself when it lies inside the model. A signed file that is ignored is missing.
//! * `ignore_unsigned_files`: only the files the signature lists are hashed; others are
//!   reported as unsigned but do not fail verification.
//! * a single-file model has the identifier `.`, and a signature naming the file
//!   instead (as other OpenSSF Model Signing implementations write it) is accepted.
//! * the verdict and the message are the [`ManifestDiff`] of the signed and the
//!   actual manifest, so the text is the CLI's.
//!
//! Hashing happens elsewhere (wherever the caller reads the files, e.g. with
//! [`FileHasher`](crate::serialization::FileHasher) in workers); this module plans
//! which files to hash and turns the results into a per-file report.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::hashing::Digest;
use crate::hashing::HashAlgorithm;
use crate::hashing::UnknownHashAlgorithm;
use crate::identifier::{IgnoreList, ModelPath, ResourceKey};
use crate::manifest::{Manifest, ManifestDiff};
use crate::serialization::{Method, Serialization};
use crate::statement::SignedManifest;
use crate::verify::VerifyError;

/// Why a model cannot be checked, or a hashing result cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelCheckError {
    /// The signature records a hash this crate does not know.
    #[error("the signature uses an unsupported hashing configuration: {0}")]
    UnsupportedSerialization(UnknownHashAlgorithm),
    /// The caller insisted on a hashing setting the signature was not made with
    /// ([`CheckOptions::expected_serialization`]).
    #[error("the signature was made with {setting} {signed}, not {given}")]
    SerializationMismatch {
        /// Which setting.
        setting: HashingSetting,
        /// What the caller asked for (`shards`, `blake2`, `1000`).
        given: String,
        /// What the signature says (`none (the file method)` for a shard size of a
        /// files signature).
        signed: String,
    },
    /// The signature lists no item: it would "verify" any model.
    #[error("the signature covers no files, so it cannot vouch for this model")]
    EmptySignature,
    /// A single-file model was given as some other number of files (the count).
    #[error("a single-file model is one file, {0} were given")]
    SingleFileCount(usize),
    /// An input path is empty, the root, or leaves the model (`../a`).
    #[error("'{0}' is not a path inside the model")]
    PathOutsideModel(String),
    /// Two inputs have the same identifier.
    #[error("the file '{0}' is given twice")]
    DuplicateFile(ModelPath),
    /// A hashing result for a file that is unknown, needs no hashing, or was recorded
    /// already.
    #[error("'{0}' is not a file waiting to be hashed")]
    NotPending(ModelPath),
}

/// One of the hashing settings a caller may insist on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashingSetting {
    /// The serialization method.
    Method,
    /// The content hash.
    Algorithm,
    /// The shard size.
    ShardSize,
}

impl core::fmt::Display for HashingSetting {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Method => "serialization method",
            Self::Algorithm => "hash algorithm",
            Self::ShardSize => "shard size",
        })
    }
}

/// Hashing settings a caller insists on: verification fails if the signature was made
/// otherwise (the CLI's `--serialization`, `--hash-algorithm` and `--shard-size`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpectedSerialization {
    /// The method.
    pub method: Option<Method>,
    /// The hash.
    pub algorithm: Option<HashAlgorithm>,
    /// The shard size.
    pub shard_size: Option<u64>,
}

impl ExpectedSerialization {
    /// Whether `signed` is what was asked for.
    pub fn check(&self, signed: &Serialization) -> Result<(), ModelCheckError> {
        let mismatch = |setting, given: String, signed: String| {
            Err(ModelCheckError::SerializationMismatch {
                setting,
                given,
                signed,
            })
        };
        // BLAKE3 with shards is recorded as files by every signer (the reference turns
        // it into the file method), so asking for it must match such a signature.
        let blake3_shards =
            self.algorithm == Some(HashAlgorithm::Blake3) && self.method == Some(Method::Shards);
        if let Some(method) = self.method.filter(|_| !blake3_shards) {
            if method != signed.method() {
                return mismatch(
                    HashingSetting::Method,
                    method.name().into(),
                    signed.method_name().into(),
                );
            }
        }
        if let Some(alg) = self.algorithm {
            if alg != signed.algorithm() {
                return mismatch(
                    HashingSetting::Algorithm,
                    alg.config_name().into(),
                    signed.algorithm().config_name().into(),
                );
            }
        }
        match (
            self.shard_size.filter(|_| !blake3_shards),
            signed.shard_size(),
        ) {
            (Some(size), Some(signed_size)) if size != signed_size => mismatch(
                HashingSetting::ShardSize,
                size.to_string(),
                signed_size.to_string(),
            ),
            (Some(size), None) => mismatch(
                HashingSetting::ShardSize,
                size.to_string(),
                "none (the file method)".into(),
            ),
            _ => Ok(()),
        }
    }
}

/// How to compare; the defaults are the CLI's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Extra paths to ignore, relative to the model root.
    pub ignore_paths: Vec<String>,
    /// Ignore the top-level `.git`, `.gitattributes`, `.github` and `.gitignore`.
    pub ignore_git_paths: bool,
    /// Tolerate files that the signature does not list.
    pub ignore_unsigned_files: bool,
    /// Where the signature file lies inside the model, if it does (it is ignored).
    pub signature_path: Option<String>,
    /// The model's name in messages (the CLI uses the model directory's name).
    pub model_name: String,
    /// The model is one file (given as the only input, named by its file name).
    pub single_file: bool,
    /// Hashing settings the signature must have been made with.
    pub expected_serialization: ExpectedSerialization,
    /// The model's own path, as absolute paths (as given and resolved), when the caller
    /// knows them: an absolute ignore path recorded in the signature counts when it lies
    /// under one of them, as in the reference.
    pub model_roots: Vec<String>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            ignore_paths: Vec::new(),
            ignore_git_paths: true,
            ignore_unsigned_files: false,
            signature_path: None,
            model_name: String::new(),
            single_file: false,
            expected_serialization: ExpectedSerialization::default(),
            model_roots: Vec::new(),
        }
    }
}

/// One input file: its path relative to the model root and its length if known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// `a/b.bin`; for a single-file model, the file's name.
    pub path: String,
    /// Length in bytes, when known before reading.
    pub size: Option<u64>,
}

/// The verdict on one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileStatus {
    /// Not hashed yet.
    Pending,
    /// Hashes as signed.
    Verified,
    /// Hashes differently from what was signed.
    Changed,
    /// Signed but not given (or given but ignored).
    Missing,
    /// Given but not signed.
    Unsigned,
    /// Given, not signed, and ignored.
    Ignored,
    /// Would have been hashed, but the check stopped first.
    Unchecked,
}

impl FileStatus {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Changed => "changed",
            Self::Missing => "missing",
            Self::Unsigned => "unsigned",
            Self::Ignored => "ignored",
            Self::Unchecked => "unchecked",
        }
    }
}

/// A file to hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashJob {
    /// Position of the file in the caller's input list.
    pub index: usize,
    /// Its identifier (what the hasher must be given as the path).
    pub path: ModelPath,
    /// Its length, if known.
    pub size: Option<u64>,
}

#[derive(Clone, Debug)]
struct Entry {
    status: FileStatus,
    /// Position in the input list, for given files.
    index: Option<usize>,
    size: Option<u64>,
}

/// A model being checked against a signed manifest.
#[derive(Clone, Debug)]
pub struct ModelCheck {
    serialization: Serialization,
    expected: Manifest,
    actual: Manifest,
    entries: BTreeMap<ModelPath, Entry>,
    jobs: Vec<HashJob>,
    options: CheckOptions,
    /// Whether a difference is known already: statuses only ever leave `Pending`, so
    /// this is kept as they are set rather than recounted on every question.
    mismatch: bool,
}

/// How many shards of one unsigned file a report lists by name; the rest are counted.
const LISTED_UNSIGNED_SHARDS: usize = 16;

/// A changed item: its name and both digests (`None` when only one side has it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDifference {
    /// `path` or `path:start:end`.
    pub name: String,
    /// Signed digest, `alg:hex`.
    pub expected: Option<String>,
    /// Actual digest, `alg:hex`.
    pub actual: Option<String>,
}

/// The verdict on one file, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    /// The identifier.
    pub path: String,
    /// The verdict.
    pub status: FileStatus,
    /// For changed files, the items that differ.
    pub differences: Vec<ItemDifference>,
}

/// The outcome of a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// True when the model is exactly what was signed (as the CLI would say).
    pub verified: bool,
    /// False when the check stopped before every file was hashed.
    pub complete: bool,
    /// Every file given or signed, in canonical order.
    pub files: Vec<FileReport>,
    /// One line per kind of difference, as the CLI prints them.
    pub messages: Vec<String>,
    /// The CLI's error text (`Signature mismatch: ...`), when not verified.
    pub error: Option<String>,
}

/// A signed manifest of a single-file model with the file's resource named `.`, as the
/// reference writes it, when it names the file `name` instead (as OpenSSF Model Signing
/// does): both are accepted. Any other manifest is returned as it is.
pub fn single_file_compat(signed: &Manifest, name: &str) -> Manifest {
    if signed.iter().any(|(k, _)| k.path().as_str() != name) {
        return signed.clone();
    }
    signed
        .iter()
        .map(|(k, d)| {
            let key = match k {
                ResourceKey::File(_) => ResourceKey::File(ModelPath::root()),
                ResourceKey::Shard { start, end, .. } => ResourceKey::Shard {
                    path: ModelPath::root(),
                    start: *start,
                    end: *end,
                },
            };
            (key, d.clone())
        })
        .collect()
}

fn relative(text: &str) -> Option<ModelPath> {
    ModelPath::normalize(text)
}

/// A recorded ignore path relative to the model: relative ones as they are, absolute
/// ones when they lie under one of `roots` (compared component by component).
fn recorded_relative(text: &str, roots: &[String]) -> Option<ModelPath> {
    if !text.starts_with('/') {
        return relative(text);
    }
    let parts = |t: &str| -> Vec<String> {
        t.split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(String::from)
            .collect()
    };
    let path = parts(text);
    roots.iter().find_map(|root| {
        let root = parts(root);
        path.starts_with(&root)
            .then(|| ModelPath::from_components(path[root.len()..].iter().map(String::as_str)).ok())
            .flatten()
    })
}

/// The rules of a check that do not depend on the files: the hashing configuration,
/// what is ignored and which files are signed. Callers that walk a file system use it
/// to prune the walk ([`CheckPlan::ignore_list`]) or to look up only the signed files
/// ([`CheckPlan::signed_paths`]) before giving the files to [`CheckPlan::check`].
#[derive(Clone, Debug)]
pub struct CheckPlan {
    serialization: Serialization,
    expected: Manifest,
    ignore: IgnoreList,
    options: CheckOptions,
}

impl CheckPlan {
    /// Checks what can be checked without the files: a supported hashing configuration,
    /// the one the caller insists on, a signature that lists something.
    pub fn new(
        signed: &SignedManifest,
        options: CheckOptions,
        single_file_name: Option<&str>,
    ) -> Result<Self, ModelCheckError> {
        let serialization = signed
            .serialization
            .serialization
            .clone()
            .map_err(ModelCheckError::UnsupportedSerialization)?;
        options.expected_serialization.check(&serialization)?;
        if signed.manifest.is_empty() {
            return Err(ModelCheckError::EmptySignature);
        }
        let mut ignore = IgnoreList::new();
        for p in &signed.serialization.ignore_paths {
            if let Some(p) = recorded_relative(p, &options.model_roots) {
                ignore.add(p);
            }
        }
        for p in &options.ignore_paths {
            if let Some(p) = relative(p) {
                ignore.add(p);
            }
        }
        if options.ignore_git_paths {
            ignore.add_git_paths();
        }
        if let Some(p) = options.signature_path.as_deref().and_then(relative) {
            if !options.single_file {
                ignore.add(p);
            }
        }
        let expected = match (options.single_file, single_file_name) {
            (true, Some(name)) => single_file_compat(&signed.manifest, name),
            _ => signed.manifest.clone(),
        };
        Ok(Self {
            serialization,
            expected,
            ignore,
            options,
        })
    }

    /// How the files must be hashed.
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// Paths that are left out: the signature's recorded ones, the caller's, the git
    /// names unless switched off, and the signature file.
    pub fn ignore_list(&self) -> &IgnoreList {
        &self.ignore
    }

    /// The files the signature lists (for a single-file model, `.`), in canonical order.
    pub fn signed_paths(&self) -> BTreeSet<ModelPath> {
        self.expected
            .iter()
            .map(|(k, _)| k.path().clone())
            .collect()
    }

    /// Plans the check of `files`: which to hash, and the verdict on those that need no
    /// hashing (missing, unsigned, ignored).
    pub fn check(self, files: &[InputFile]) -> Result<ModelCheck, ModelCheckError> {
        let Self {
            serialization,
            expected,
            ignore,
            options,
        } = self;
        if options.single_file && files.len() != 1 {
            return Err(ModelCheckError::SingleFileCount(files.len()));
        }
        let mut entries = BTreeMap::new();
        for (index, f) in files.iter().enumerate() {
            let path = if options.single_file {
                ModelPath::root()
            } else {
                match relative(&f.path) {
                    Some(p) if !p.is_root() => p,
                    _ => return Err(ModelCheckError::PathOutsideModel(f.path.clone())),
                }
            };
            let signed = expected.items_of(&path).next().is_some();
            let status = if ignore.is_ignored(&path) {
                if signed {
                    FileStatus::Missing
                } else {
                    FileStatus::Ignored
                }
            } else if signed {
                FileStatus::Pending
            } else if options.ignore_unsigned_files {
                FileStatus::Unsigned
            } else {
                match (serialization, f.size) {
                    // A shard signature cannot list an empty file: nothing to compare.
                    (Serialization::Shards { .. }, Some(0)) => FileStatus::Verified,
                    // Whether an unsigned file of unknown length adds shards is only
                    // known once it is read.
                    (Serialization::Shards { .. }, None) => FileStatus::Pending,
                    _ => FileStatus::Unsigned,
                }
            };
            let entry = Entry {
                status,
                index: Some(index),
                size: f.size,
            };
            if entries.insert(path.clone(), entry).is_some() {
                return Err(ModelCheckError::DuplicateFile(path));
            }
        }
        // The signed files not given (a file's keys are adjacent: its items are met in a
        // row and looked up once).
        let mut last: Option<&ModelPath> = None;
        for (key, _) in expected.iter() {
            let path = key.path();
            if last == Some(path) {
                continue;
            }
            last = Some(path);
            if !entries.contains_key(path) {
                entries.insert(
                    path.clone(),
                    Entry {
                        status: FileStatus::Missing,
                        index: None,
                        size: None,
                    },
                );
            }
        }
        let jobs = entries
            .iter()
            .filter(|(_, e)| e.status == FileStatus::Pending)
            .map(|(path, e)| HashJob {
                index: e.index.unwrap_or_default(),
                path: path.clone(),
                size: e.size,
            })
            .collect();
        let mismatch = entries
            .values()
            .any(|e| is_mismatch(e.status, options.ignore_unsigned_files));
        Ok(ModelCheck {
            serialization,
            expected,
            actual: Manifest::new(),
            entries,
            jobs,
            options,
            mismatch,
        })
    }
}

/// Whether a file's status is a difference that fails the check.
fn is_mismatch(status: FileStatus, ignore_unsigned_files: bool) -> bool {
    match status {
        FileStatus::Changed | FileStatus::Missing => true,
        FileStatus::Unsigned => !ignore_unsigned_files,
        _ => false,
    }
}

impl ModelCheck {
    /// Plans the check of `files` against `signed` ([`CheckPlan::new`], then
    /// [`CheckPlan::check`]).
    pub fn new(
        signed: &SignedManifest,
        files: &[InputFile],
        options: CheckOptions,
    ) -> Result<Self, ModelCheckError> {
        let single_file_name = files.first().map(|f| f.path.as_str());
        CheckPlan::new(signed, options, single_file_name)?.check(files)
    }

    /// How the files must be hashed.
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// How many items the signature lists (after single-file naming).
    pub fn signed_items(&self) -> usize {
        self.expected.len()
    }

    /// The files to hash, in canonical order.
    pub fn jobs(&self) -> &[HashJob] {
        &self.jobs
    }

    /// Whether a difference has been found already (the check may stop).
    pub fn has_mismatch(&self) -> bool {
        self.mismatch
    }

    /// The status of a file, if it is known to the check.
    pub fn status(&self, path: &ModelPath) -> Option<FileStatus> {
        self.entries.get(path).map(|e| e.status)
    }

    /// Records the items a file hashed to (from
    /// [`FileHasher`](crate::serialization::FileHasher)) and returns its verdict.
    pub fn record(
        &mut self,
        path: &ModelPath,
        items: Vec<(ResourceKey, Digest)>,
    ) -> Result<FileStatus, ModelCheckError> {
        let entry = self
            .entries
            .get(path)
            .filter(|e| e.status == FileStatus::Pending);
        if entry.is_none() {
            return Err(ModelCheckError::NotPending(path.clone()));
        }
        let signed: BTreeMap<&ResourceKey, &Digest> = self.expected.items_of(path).collect();
        let status = if signed.is_empty() {
            if items.is_empty() {
                FileStatus::Verified
            } else {
                FileStatus::Unsigned
            }
        } else if items.len() == signed.len()
            && items.iter().all(|(k, d)| signed.get(k) == Some(&d))
        {
            FileStatus::Verified
        } else {
            FileStatus::Changed
        };
        self.actual.extend(items);
        if let Some(e) = self.entries.get_mut(path) {
            e.status = status;
        }
        self.mismatch |= is_mismatch(status, self.options.ignore_unsigned_files);
        Ok(status)
    }

    /// The keys a file given but not hashed would add to the actual manifest: the
    /// first few, and how many more there are.
    fn unhashed_keys(&self, path: &ModelPath, size: Option<u64>) -> (Vec<ResourceKey>, u64) {
        let size = size.unwrap_or_default();
        let listed: Vec<ResourceKey> = self
            .serialization
            .ranges(size)
            .take(LISTED_UNSIGNED_SHARDS)
            .map(|(s, e)| self.serialization.key(path, s, e))
            .collect();
        let more = self.serialization.item_count(size) - listed.len() as u64;
        (listed, more)
    }

    /// The report. Files still pending are `unchecked` and left out of the comparison
    /// (`complete` is then false).
    pub fn report(&self) -> Report {
        let pending: BTreeSet<&ModelPath> = self
            .entries
            .iter()
            .filter(|(_, e)| e.status == FileStatus::Pending)
            .map(|(p, _)| p)
            .collect();
        let mut diff: ManifestDiff = self
            .expected
            .diff_where(&self.actual, |k| !pending.contains(k.path()));
        if !self.options.ignore_unsigned_files {
            for (path, e) in &self.entries {
                if e.status == FileStatus::Unsigned && self.actual.items_of(path).next().is_none() {
                    let (listed, more) = self.unhashed_keys(path, e.size);
                    diff.extra.extend(listed);
                    diff.extra_not_listed = diff.extra_not_listed.saturating_add(more);
                }
            }
            diff.extra.sort();
        }
        let messages = diff.lines(&self.options.model_name);
        let verified = diff.is_empty() && pending.is_empty();
        let error =
            (!diff.is_empty()).then(|| VerifyError::ManifestMismatch(messages.clone()).to_string());

        let files = self
            .entries
            .iter()
            .map(|(path, e)| {
                let status = match e.status {
                    FileStatus::Pending => FileStatus::Unchecked,
                    s => s,
                };
                let differences = if status == FileStatus::Changed {
                    self.differences(path)
                } else {
                    Vec::new()
                };
                FileReport {
                    path: path.to_string(),
                    status,
                    differences,
                }
            })
            .collect();
        Report {
            verified,
            complete: pending.is_empty(),
            files,
            messages,
            error,
        }
    }

    fn differences(&self, path: &ModelPath) -> Vec<ItemDifference> {
        let mut keys: BTreeSet<&ResourceKey> = BTreeSet::new();
        keys.extend(self.expected.items_of(path).map(|(k, _)| k));
        keys.extend(self.actual.items_of(path).map(|(k, _)| k));
        keys.into_iter()
            .filter_map(|k| {
                let expected = self.expected.get(k);
                let actual = self.actual.get(k);
                (expected != actual).then(|| ItemDifference {
                    name: k.name(),
                    expected: expected.map(|d| d.to_string()),
                    actual: actual.map(|d| d.to_string()),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::HashAlgorithm;
    use crate::serialization::FileHasher;
    use crate::statement::{build_statement, parse_statement};
    use alloc::vec;

    fn hash(ser: Serialization, path: &str, data: &[u8]) -> Vec<(ResourceKey, Digest)> {
        let mut h = FileHasher::new(ser, ModelPath::new(path), None);
        h.update(data);
        h.finish().unwrap()
    }

    /// A signed manifest of `files`, recording `ignore`.
    fn signed(ser: Serialization, files: &[(&str, &[u8])], ignore: &[&str]) -> SignedManifest {
        let manifest: Manifest = files.iter().flat_map(|(p, d)| hash(ser, p, d)).collect();
        let ignore: Vec<String> = ignore.iter().map(|s| s.to_string()).collect();
        parse_statement(&build_statement("m", &manifest, &ser, false, &ignore)).unwrap()
    }

    fn input(path: &str, size: usize) -> InputFile {
        InputFile {
            path: path.into(),
            size: Some(size as u64),
        }
    }

    fn options() -> CheckOptions {
        CheckOptions {
            model_name: "m".into(),
            ..CheckOptions::default()
        }
    }

    fn run(check: &mut ModelCheck, files: &[(&str, &[u8])]) {
        for job in check.jobs().to_vec() {
            let data = files[job.index].1;
            let items = hash(check.serialization(), job.path.as_str(), data);
            check.record(&job.path, items).unwrap();
        }
    }

    fn statuses(r: &Report) -> Vec<(String, &'static str)> {
        r.files
            .iter()
            .map(|f| (f.path.clone(), f.status.name()))
            .collect()
    }

    const SHA: Serialization = Serialization::Files {
        algorithm: HashAlgorithm::Sha256,
    };

    #[test]
    fn verified_changed_missing_unsigned_ignored() {
        let s = signed(SHA, &[("a", b"1"), ("b/c", b"2"), ("d", b"3")], &["skip"]);
        let files: [(&str, &[u8]); 6] = [
            ("a", b"1"),
            ("b/c", b"X"),
            ("e", b"5"),
            ("skip", b"6"),
            (".gitignore", b"7"),
            ("model.sig", b"8"),
        ];
        let inputs: Vec<InputFile> = files.iter().map(|(p, d)| input(p, d.len())).collect();
        let opts = CheckOptions {
            signature_path: Some("model.sig".into()),
            ..options()
        };
        let mut check = ModelCheck::new(&s, &inputs, opts).unwrap();
        let jobs: Vec<&str> = check.jobs().iter().map(|j| j.path.as_str()).collect();
        assert_eq!(jobs, ["a", "b/c"]);
        assert!(
            check.has_mismatch(),
            "d is missing and e unsigned before any hashing"
        );
        run(&mut check, &files);
        let r = check.report();
        assert!(!r.verified && r.complete);
        assert_eq!(
            statuses(&r),
            [
                (".gitignore".into(), "ignored"),
                ("a".into(), "verified"),
                ("b/c".into(), "changed"),
                ("d".into(), "missing"),
                ("e".into(), "unsigned"),
                ("model.sig".into(), "ignored"),
                ("skip".into(), "ignored"),
            ]
        );
        assert_eq!(r.messages[0], "Extra files found in model 'm': e");
        assert_eq!(r.messages[1], "Missing files in model 'm': d");
        assert!(r.messages[2].starts_with("Hash mismatch for 'b/c': Expected 'sha256:"));
        assert!(r
            .error
            .as_deref()
            .unwrap()
            .starts_with("Signature mismatch: Extra files"));
        let changed = &r.files[2].differences;
        assert_eq!(changed.len(), 1);
        assert!(changed[0].expected.is_some() && changed[0].actual.is_some());
    }

    #[test]
    fn exact_model_verifies_and_ignored_signed_file_is_missing() {
        let s = signed(SHA, &[("a", b"1"), ("b", b"2")], &[]);
        let files: [(&str, &[u8]); 2] = [("a", b"1"), ("b", b"2")];
        let inputs: Vec<InputFile> = files.iter().map(|(p, d)| input(p, d.len())).collect();
        let mut check = ModelCheck::new(&s, &inputs, options()).unwrap();
        run(&mut check, &files);
        let r = check.report();
        assert!(r.verified && r.error.is_none() && r.messages.is_empty());

        let opts = CheckOptions {
            ignore_paths: vec!["b".into()],
            ..options()
        };
        let mut check = ModelCheck::new(&s, &inputs, opts).unwrap();
        run(&mut check, &files);
        let r = check.report();
        assert_eq!(r.messages, ["Missing files in model 'm': b"]);
    }

    #[test]
    fn ignore_unsigned_files_tolerates_extras() {
        let s = signed(SHA, &[("a", b"1")], &[]);
        let files: [(&str, &[u8]); 2] = [("a", b"1"), ("new", b"2")];
        let inputs: Vec<InputFile> = files.iter().map(|(p, d)| input(p, d.len())).collect();
        let opts = CheckOptions {
            ignore_unsigned_files: true,
            ..options()
        };
        let mut check = ModelCheck::new(&s, &inputs, opts).unwrap();
        assert_eq!(check.jobs().len(), 1);
        assert!(!check.has_mismatch());
        run(&mut check, &files);
        let r = check.report();
        assert!(r.verified);
        assert_eq!(statuses(&r)[1], ("new".into(), "unsigned"));
    }

    #[test]
    fn shards_name_every_extra_and_missing_shard() {
        let ser = Serialization::shards(HashAlgorithm::Sha256, 4).unwrap();
        let s = signed(ser, &[("w", b"0123456789")], &[]);
        // One byte longer: shard 8:10 becomes 8:11.
        let files: [(&str, &[u8]); 3] = [("w", b"0123456789X"), ("empty", b""), ("x", b"12345")];
        let mut inputs: Vec<InputFile> = files.iter().map(|(p, d)| input(p, d.len())).collect();
        inputs[2].size = None; // unknown length: hashed to find its shards
        let mut check = ModelCheck::new(&s, &inputs, options()).unwrap();
        run(&mut check, &files);
        let r = check.report();
        assert_eq!(
            statuses(&r),
            [
                ("empty".into(), "verified"),
                ("w".into(), "changed"),
                ("x".into(), "unsigned"),
            ]
        );
        assert_eq!(
            r.messages,
            [
                "Extra files found in model 'm': w:8:11, x:0:4, x:4:5",
                "Missing files in model 'm': w:8:10",
            ]
        );
    }

    /// A huge (sparse) unsigned file and a one-byte shard size: the report names the
    /// first shards and counts the rest, instead of building 2^50 keys.
    #[test]
    fn huge_unsigned_file_is_counted_not_listed() {
        let ser = Serialization::shards(HashAlgorithm::Sha256, 1).unwrap();
        let s = signed(ser, &[("a", b"1")], &[]);
        let inputs = [
            input("a", 1),
            InputFile {
                path: "sparse".into(),
                size: Some(1 << 50),
            },
        ];
        let mut check = ModelCheck::new(&s, &inputs, options()).unwrap();
        assert!(check.has_mismatch());
        run(&mut check, &[("a", b"1"), ("sparse", b"")]);
        let r = check.report();
        assert!(!r.verified);
        let listed: Vec<String> = (0..16)
            .map(|i| alloc::format!("sparse:{i}:{}", i + 1))
            .collect();
        assert_eq!(
            r.messages,
            [alloc::format!(
                "Extra files found in model 'm': {} and {} more",
                listed.join(", "),
                (1u64 << 50) - 16
            )]
        );
    }

    /// Names are printed escaped: a file named like a verdict cannot print one.
    #[test]
    fn names_with_control_characters_are_escaped() {
        let s = signed(SHA, &[("a", b"1")], &[]);
        let files: [(&str, &[u8]); 2] = [("a", b"1"), ("x\nVerification succeeded", b"2")];
        let inputs: Vec<InputFile> = files.iter().map(|(p, d)| input(p, d.len())).collect();
        let mut check = ModelCheck::new(&s, &inputs, options()).unwrap();
        run(&mut check, &files);
        let r = check.report();
        assert_eq!(
            r.messages,
            ["Extra files found in model 'm': x\\u{a}Verification succeeded"]
        );
        assert!(!r.error.unwrap().contains('\n'));
    }

    #[test]
    fn single_file_models_accept_both_names() {
        for name in [".", "model.bin"] {
            let s = signed(SHA, &[(name, b"weights")], &[]);
            let inputs = [input("model.bin", 7)];
            let opts = CheckOptions {
                single_file: true,
                ..options()
            };
            let mut check = ModelCheck::new(&s, &inputs, opts).unwrap();
            run(&mut check, &[("model.bin", b"weights")]);
            assert!(check.report().verified, "{name}");
        }
    }

    #[test]
    fn stopping_early_leaves_files_unchecked() {
        let s = signed(SHA, &[("a", b"1"), ("b", b"2")], &[]);
        let inputs = [input("a", 1), input("b", 1)];
        let mut check = ModelCheck::new(&s, &inputs, options()).unwrap();
        let first = check.jobs()[0].clone();
        let status = check.record(&first.path, hash(SHA, "a", b"X")).unwrap();
        assert_eq!(status, FileStatus::Changed);
        assert!(check.has_mismatch());
        let r = check.report();
        assert!(!r.verified && !r.complete);
        assert_eq!(
            statuses(&r),
            [("a".into(), "changed"), ("b".into(), "unchecked")]
        );
        assert_eq!(
            r.messages.len(),
            1,
            "b is not reported missing: {:?}",
            r.messages
        );
    }

    #[test]
    fn bad_inputs_are_refused() {
        let s = signed(SHA, &[("a", b"1")], &[]);
        for bad in [
            vec![input("a", 1), input("./a", 1)],
            vec![input("../a", 1)],
            vec![input("", 1)],
        ] {
            let e = ModelCheck::new(&s, &bad, options()).unwrap_err();
            assert!(
                matches!(
                    e,
                    ModelCheckError::DuplicateFile(_) | ModelCheckError::PathOutsideModel(_)
                ),
                "{bad:?}: {e:?}"
            );
        }
        assert_eq!(
            ModelCheck::new(&s, &[input("../a", 1)], options())
                .unwrap_err()
                .to_string(),
            "'../a' is not a path inside the model"
        );
        assert_eq!(
            ModelCheck::new(&s, &[input("a", 1), input("./a", 1)], options()).unwrap_err(),
            ModelCheckError::DuplicateFile(ModelPath::new("a"))
        );
        let single = CheckOptions {
            single_file: true,
            ..options()
        };
        assert_eq!(
            ModelCheck::new(&s, &[input("a", 1), input("b", 1)], single).unwrap_err(),
            ModelCheckError::SingleFileCount(2)
        );
        let mut check = ModelCheck::new(&s, &[input("a", 1)], options()).unwrap();
        check
            .record(&ModelPath::new("a"), hash(SHA, "a", b"1"))
            .unwrap();
        assert_eq!(
            check.record(&ModelPath::new("a"), Vec::new()),
            Err(ModelCheckError::NotPending(ModelPath::new("a"))),
            "recorded twice"
        );
        let empty = signed(SHA, &[], &[]);
        assert_eq!(
            ModelCheck::new(&empty, &[], options()).unwrap_err(),
            ModelCheckError::EmptySignature
        );
    }
}
