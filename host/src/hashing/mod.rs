//! What to hash and how: the Rust counterpart of Python's `model_signing.hashing.Config`,
//! and the hashing itself ([`parallel`]: every file or shard a unit of work on all cores,
//! read through small memory-map windows or plain reads, `mapped`), including
//! incremental hashing that reuses a previous signature's digests ([`incremental`]).

pub mod incremental;
mod mapped;
pub mod parallel;

use std::fs;
use std::path::{Path, PathBuf};

use model_signing_core::identifier::IgnoreList;
use model_signing_core::{HashAlgorithm, Manifest, ModelPath, Serialization};

use crate::walk::{self, relative_inside, resolve_lenient, ModelFile, WalkOptions};
use crate::Error;
pub use incremental::{Changes, IncrementalError, Previous};
pub use parallel::{HashError, Progress};

/// How a model is hashed: serialization method, hash, shard size, ignored paths,
/// git paths and symlinks. Reusable across models.
///
/// ```
/// use model_signing::hashing::Config;
/// use model_signing_core::HashAlgorithm;
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("weights.bin"), b"0123456789")?;
/// let hashed = Config::new()
///     .use_shard_serialization(HashAlgorithm::Sha256, 4)?
///     .hash(dir.path())?;
/// assert_eq!(hashed.manifest.len(), 3); // [0,4) [4,8) [8,10)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    serialization: Serialization,
    ignore_paths: Vec<PathBuf>,
    ignore_git_paths: bool,
    allow_symlinks: bool,
    max_workers: Option<usize>,
    progress: Progress,
    previous: Option<Previous>,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// A hashed model: its manifest and what a signature records about how it was made.
#[derive(Clone, Debug)]
pub struct HashedModel {
    /// The model's name (the directory's or file's name).
    pub model_name: String,
    /// Every item and digest.
    pub manifest: Manifest,
    /// The serialization used.
    pub serialization: Serialization,
    /// Whether symlinks were followed.
    pub allow_symlinks: bool,
    /// Ignored paths as a signature records them (relative, sorted).
    pub ignore_paths: Vec<String>,
}

impl Config {
    /// Files, SHA-256, git paths ignored, symlinks refused: the reference's defaults.
    pub fn new() -> Self {
        Self {
            serialization: Serialization::default(),
            ignore_paths: Vec::new(),
            ignore_git_paths: true,
            allow_symlinks: false,
            max_workers: None,
            progress: Progress::Auto,
            previous: None,
        }
    }

    /// One item per file, hashed with `algorithm`.
    pub fn use_file_serialization(mut self, algorithm: HashAlgorithm) -> Self {
        self.serialization = Serialization::files(algorithm);
        self
    }

    /// One item per `shard_size` bytes of each file. BLAKE3 becomes the file method, as
    /// in the reference. Fails when `shard_size` is 0.
    pub fn use_shard_serialization(
        mut self,
        algorithm: HashAlgorithm,
        shard_size: u64,
    ) -> Result<Self, Error> {
        self.serialization =
            Serialization::shards(algorithm, shard_size).ok_or(Error::InvalidShardSize)?;
        Ok(self)
    }

    /// Uses `serialization` as it is.
    pub fn use_serialization(mut self, serialization: Serialization) -> Self {
        self.serialization = serialization;
        self
    }

    /// Replaces the ignored paths (relative to the model, or absolute inside it) and
    /// says whether the top-level git names are ignored too.
    pub fn set_ignored_paths<P: Into<PathBuf>>(
        mut self,
        paths: impl IntoIterator<Item = P>,
        ignore_git_paths: bool,
    ) -> Self {
        self.ignore_paths = paths.into_iter().map(Into::into).collect();
        self.ignore_git_paths = ignore_git_paths;
        self
    }

    /// Adds ignored paths, relative to the model.
    pub fn add_ignored_paths<P: Into<PathBuf>>(&mut self, paths: impl IntoIterator<Item = P>) {
        self.ignore_paths.extend(paths.into_iter().map(Into::into));
    }

    /// Whether symlinks to files inside the model are followed (refused by default).
    pub fn set_allow_symlinks(mut self, allow: bool) -> Self {
        self.allow_symlinks = allow;
        self
    }

    /// Number of hashing threads (all cores by default).
    pub fn set_max_workers(mut self, workers: Option<usize>) -> Self {
        self.max_workers = workers;
        self
    }

    /// Whether to draw a progress bar on a terminal (default) or never.
    pub fn set_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Hashes incrementally: only the files that changed since `previous` (a verified
    /// signature of an earlier state of the model, see [`Previous`]) are read, the other
    /// digests are taken from it after a cheap check ([`incremental`] says which). The
    /// manifest is the one hashing from scratch gives. The serialization must be the
    /// previous signature's ([`Previous::serialization`]).
    pub fn reuse_previous(mut self, previous: Previous) -> Self {
        self.previous = Some(previous);
        self
    }

    /// The serialization in use.
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// Whether symlinks are followed.
    pub fn allow_symlinks(&self) -> bool {
        self.allow_symlinks
    }

    /// Whether the git names are ignored.
    pub fn ignore_git_paths(&self) -> bool {
        self.ignore_git_paths
    }

    /// The caller's ignored paths, relative to `model`; entries outside it are dropped.
    pub fn caller_ignore_paths(&self, model: &Path) -> Vec<ModelPath> {
        let model_real = resolve_lenient(model);
        self.ignore_paths
            .iter()
            .filter_map(|p| relative_to_model(p, model, &model_real))
            .collect()
    }

    /// The ignore list for `model`: the caller's paths and, unless switched off, the
    /// git names.
    pub fn ignore_list(&self, model: &Path) -> IgnoreList {
        let mut list = IgnoreList::new();
        for p in self.caller_ignore_paths(model) {
            list.add(p);
        }
        if self.ignore_git_paths {
            list.add_git_paths();
        }
        list
    }

    /// Hashes the model at `model` (a directory or a single file).
    pub fn hash(&self, model: &Path) -> Result<HashedModel, Error> {
        let ignore = self.ignore_list(model);
        let options = WalkOptions {
            ignore,
            allow_symlinks: self.allow_symlinks,
        };
        let files = walk::walk(model, &options)?;
        let manifest = match &self.previous {
            None => self.hash_files(model, &files, self.serialization)?,
            Some(previous) => {
                let plan = incremental::plan(
                    previous,
                    model,
                    &files,
                    self.serialization,
                    &options.ignore,
                )?;
                tracing::info!(
                    hashed = plan.to_hash.len(),
                    reused = files.len() - plan.to_hash.len(),
                    "hashing only what changed since the previous signature"
                );
                let mut manifest = self.hash_files(model, &plan.to_hash, self.serialization)?;
                for (key, digest) in plan.reused {
                    manifest.insert(key, digest);
                }
                manifest
            }
        };
        Ok(HashedModel {
            model_name: model_name(model),
            manifest,
            serialization: self.serialization,
            allow_symlinks: self.allow_symlinks,
            ignore_paths: options.ignore.recorded(),
        })
    }

    /// Hashes `files` of `model` (found by a walk) with `serialization`, on this
    /// configuration's threads and with its progress bar.
    pub fn hash_files(
        &self,
        model: &Path,
        files: &[ModelFile],
        serialization: Serialization,
    ) -> Result<Manifest, Error> {
        let started = std::time::Instant::now();
        let manifest = parallel::hash_files(files, serialization, self.max_workers, self.progress)?;
        let bytes: u64 = files.iter().map(|f| f.len).sum();
        tracing::debug!(
            files = files.len(),
            bytes,
            seconds = started.elapsed().as_secs_f64(),
            "hashed {}",
            model.display()
        );
        Ok(manifest)
    }
}

/// An ignore entry relative to the model, if it lies inside it. Relative entries are
/// taken as relative to the model; absolute ones must be under it (lexically or once
/// resolved).
fn relative_to_model(p: &Path, model: &Path, model_real: &Path) -> Option<ModelPath> {
    if p.is_relative() {
        return ModelPath::normalize(p.to_str()?);
    }
    if let Some(rel) = p
        .strip_prefix(model)
        .ok()
        .and_then(|rest| ModelPath::normalize(rest.to_str()?))
    {
        return Some(rel);
    }
    relative_inside(&resolve_lenient(p), model_real)
}

/// The model's name: the last component of its path, or of its resolved path when the
/// path ends in `.` or `..`.
pub fn model_name(model: &Path) -> String {
    let name = match model.file_name() {
        Some(n)
            if model
                .components()
                .next_back()
                .is_some_and(|c| matches!(c, std::path::Component::Normal(_))) =>
        {
            Some(n.to_string_lossy().into_owned())
        }
        _ => None,
    };
    name.or_else(|| {
        fs::canonicalize(model)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    })
    .unwrap_or_default()
}
