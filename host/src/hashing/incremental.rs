//! Incremental re-signing: hashing only what changed since a previous signature and
//! taking every other digest from it, so that a small edit to a huge model costs seconds
//! instead of hours (upstream model-transparency issue #160). The manifest is the one
//! hashing from scratch would give, so the signature is byte for byte the same payload.
//!
//! What may be reused is decided here, cautiously:
//!
//! * the previous signature must have been **verified** (a [`VerifiedSignature`] comes only
//!   from core's verifiers; [`crate::signing::Config::set_previous_signature`] verifies it
//!   with the trust of the new signature) and made with the same serialization (method,
//!   hash, shard size);
//! * a file is hashed again when the caller lists it (or a directory above it) as changed,
//!   when git reports it as different from the given revision or does not track it, or
//!   when the previous signature does not cover it (a new file). All shards of such a file
//!   are hashed;
//! * every other file must still be what was signed, as far as a cheap check can tell:
//!   present; for shard signatures (which record each shard's offsets) of exactly the
//!   signed length; and, unless git vouches for it, not modified after the previous
//!   signature file was written (file signatures record no length, so this is what
//!   catches a forgotten edit there). A difference is an error naming the file, so a
//!   forgotten change is reported instead of being signed with a stale digest. A fresh
//!   copy or clone of a model has new modification times: use a git revision there;
//! * a signed file that is gone must be listed as deleted (or reported by git), a file
//!   listed as deleted must be gone and have been signed, and a file listed as changed
//!   must be in the model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use model_signing_core::identifier::IgnoreList;
use model_signing_core::model_check::ModelCheckError;
use model_signing_core::model_check::{single_file_compat, ExpectedSerialization};
use model_signing_core::verify::VerifiedSignature;
use model_signing_core::{Digest, Manifest, ModelPath, ResourceKey, Serialization};

use crate::walk::ModelFile;

/// What changed in a model since its previous signature. Paths are relative to the model
/// root; a directory stands for every file below it. All three may be combined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files (or directories) changed or added since.
    pub changed: Vec<ModelPath>,
    /// Files (or directories) deleted since.
    pub deleted: Vec<ModelPath>,
    /// For a model in a git work tree: a revision (commit, tag, branch) at which the
    /// previous signature was made. Every file that differs from it (committed, staged or
    /// not), and every file git does not track, is hashed again.
    pub git_revision: Option<String>,
}

/// A verified previous signature's manifest and what changed since: the hashing option
/// of incremental re-signing ([`crate::hashing::Config::reuse_previous`]).
#[derive(Clone, Debug)]
pub struct Previous {
    manifest: Manifest,
    serialization: Serialization,
    changes: Changes,
    written: Option<SystemTime>,
}

/// Why digests of a previous signature cannot be reused. Nothing is signed then.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IncrementalError {
    /// The previous signature was made with another hashing configuration (or one this
    /// implementation does not know).
    #[error("the previous signature cannot be reused: {0}; sign from scratch, or with the previous signature's hashing options")]
    Serialization(ModelCheckError),
    /// A file the previous signature covers has another length now and is not listed
    /// as changed.
    #[error("'{path}' is {now} bytes long but the previous signature covers {signed} bytes of it: it changed, so list it with --changed (or sign from scratch)")]
    SizeChanged {
        /// The file.
        path: ModelPath,
        /// The length the previous signature covers.
        signed: u64,
        /// Its length now.
        now: u64,
    },
    /// A file modified after the previous signature was written is not listed as changed.
    #[error("'{0}' was modified after the previous signature was written: list it with --changed if it changed (for a fresh copy or clone of the model, use --changed-since or sign from scratch)")]
    ModifiedSince(ModelPath),
    /// A file the previous signature covers is gone and not listed as deleted.
    #[error("'{0}' is covered by the previous signature but is no longer in the model: list it with --deleted if it was deleted")]
    Missing(ModelPath),
    /// A path listed as changed matches no file of the model.
    #[error("'{0}' is listed as changed but is not a file of the model (ignored, or absent): if it was deleted, list it with --deleted")]
    ChangedNotInModel(ModelPath),
    /// A path listed as deleted is still in the model.
    #[error("'{0}' is listed as deleted but is still in the model: list it with --changed if it changed")]
    DeletedStillThere(ModelPath),
    /// A path listed as deleted is not covered by the previous signature.
    #[error("'{0}' is listed as deleted but the previous signature does not cover it")]
    DeletedNotSigned(ModelPath),
    /// Asking git what changed failed.
    #[error("cannot ask git what changed in '{dir}' since '{revision}': {reason}")]
    Git {
        /// Where git ran.
        dir: PathBuf,
        /// The revision given.
        revision: String,
        /// git's message, or why it could not run.
        reason: String,
    },
}

impl Previous {
    /// The manifest of a verified signature, and what changed in the model since.
    pub fn new(verified: &VerifiedSignature, changes: Changes) -> Result<Self, IncrementalError> {
        let serialization = verified
            .signed
            .serialization
            .serialization
            .clone()
            .map_err(|e| {
                IncrementalError::Serialization(ModelCheckError::UnsupportedSerialization(e))
            })?;
        Ok(Self {
            manifest: verified.signed.manifest.clone(),
            serialization,
            changes,
            written: None,
        })
    }

    /// When the previous signature was written (its file's modification time): a file
    /// modified later must be listed as changed (or reported by git). Without it, only
    /// presence and, for shards, lengths are checked.
    pub fn written_at(mut self, time: SystemTime) -> Self {
        self.written = Some(time);
        self
    }

    /// The hashing configuration of the previous signature.
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// What changed.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }
}

/// The outcome of planning: files to hash, and the items taken from the previous
/// signature.
pub(crate) struct Plan {
    pub to_hash: Vec<ModelFile>,
    pub reused: Vec<(ResourceKey, Digest)>,
}

/// Decides, for the walked `files` of `model` (hashed with `serialization`, ignoring
/// `ignore`), which are hashed again and which keep the previous digests.
pub(crate) fn plan(
    previous: &Previous,
    model: &Path,
    files: &[ModelFile],
    serialization: Serialization,
    ignore: &IgnoreList,
) -> Result<Plan, IncrementalError> {
    // The same method, hash and shard size: the digests must mean the same thing.
    ExpectedSerialization {
        method: Some(serialization.method()),
        algorithm: Some(serialization.algorithm()),
        shard_size: serialization.shard_size(),
    }
    .check(&previous.serialization)
    .map_err(IncrementalError::Serialization)?;

    let single_file = std::fs::metadata(model).is_ok_and(|m| m.is_file());
    let signed = match (single_file, model.file_name().and_then(|n| n.to_str())) {
        // A single-file signature may name the file instead of `.` (docs/format.md §17).
        (true, Some(name)) => single_file_compat(&previous.manifest, name),
        _ => previous.manifest.clone(),
    };
    let mut by_file: BTreeMap<&ModelPath, Vec<(&ResourceKey, &Digest)>> = BTreeMap::new();
    for (key, digest) in signed.iter() {
        by_file.entry(key.path()).or_default().push((key, digest));
    }

    let changes = &previous.changes;
    let unchanged_in_git = match &changes.git_revision {
        Some(revision) => Some(git_unchanged(model, single_file, revision)?),
        None => None,
    };
    let git_says_changed = |id: &ModelPath| {
        unchanged_in_git
            .as_ref()
            .is_some_and(|unchanged| !unchanged.contains(id))
    };
    let listed = |list: &[ModelPath], id: &ModelPath| list.iter().any(|p| id.starts_with(p));

    for p in &changes.changed {
        if !files.iter().any(|f| f.id.starts_with(p)) {
            return Err(IncrementalError::ChangedNotInModel(p.clone()));
        }
    }
    for p in &changes.deleted {
        if files.iter().any(|f| f.id.starts_with(p)) {
            return Err(IncrementalError::DeletedStillThere(p.clone()));
        }
        if !by_file.keys().any(|id| id.starts_with(p)) {
            return Err(IncrementalError::DeletedNotSigned(p.clone()));
        }
    }

    let mut to_hash = Vec::new();
    let mut reused = Vec::new();
    let walked: BTreeSet<&ModelPath> = files.iter().map(|f| &f.id).collect();
    for file in files {
        let previous_items = by_file.get(&file.id);
        let rehash = listed(&changes.changed, &file.id) || git_says_changed(&file.id);
        match previous_items {
            Some(items) if !rehash => {
                check_length(file, items, serialization)?;
                if unchanged_in_git.is_none() {
                    check_not_modified(file, previous.written)?;
                }
                reused.extend(items.iter().map(|(k, d)| ((*k).clone(), (*d).clone())));
            }
            // Empty files have no shard items: nothing to reuse, and nothing to read.
            None if !rehash && serialization.item_count(file.len) == 0 => {}
            _ => to_hash.push(file.clone()),
        }
    }
    for id in by_file.keys() {
        if walked.contains(id) || ignore.is_ignored(id) {
            continue;
        }
        if !listed(&changes.deleted, id) && !git_says_changed(id) {
            return Err(IncrementalError::Missing((*id).clone()));
        }
    }
    Ok(Plan { to_hash, reused })
}

/// The cheap check of an unchanged file: for shards, the signed items must be exactly the
/// shards of a file of its current length. File items record no length.
fn check_length(
    file: &ModelFile,
    items: &[(&ResourceKey, &Digest)],
    serialization: Serialization,
) -> Result<(), IncrementalError> {
    let signed_end = items
        .iter()
        .filter_map(|(k, _)| match k {
            ResourceKey::Shard { end, .. } => Some(*end),
            ResourceKey::File(_) => None,
        })
        .max();
    let Some(signed) = signed_end else {
        return Ok(());
    };
    let expected: Vec<(u64, u64)> = serialization.ranges(file.len).collect();
    let actual: Vec<(u64, u64)> = items
        .iter()
        .filter_map(|(k, _)| match k {
            ResourceKey::Shard { start, end, .. } => Some((*start, *end)),
            ResourceKey::File(_) => None,
        })
        .collect();
    if signed != file.len || expected != actual {
        return Err(IncrementalError::SizeChanged {
            path: file.id.clone(),
            signed,
            now: file.len,
        });
    }
    Ok(())
}

/// The cheap check of a file git does not vouch for: not modified after the previous
/// signature was written.
fn check_not_modified(
    file: &ModelFile,
    written: Option<SystemTime>,
) -> Result<(), IncrementalError> {
    let Some(written) = written else {
        return Ok(());
    };
    // A file that cannot be looked at now is reported when it is hashed or missed.
    let modified = std::fs::metadata(&file.path).and_then(|m| m.modified());
    match modified {
        Ok(modified) if modified > written => Err(IncrementalError::ModifiedSince(file.id.clone())),
        _ => Ok(()),
    }
}

/// The files of `model` that git tracks and that are the same in the work tree as at
/// `revision` (committed, staged and unstaged changes all count as changes).
fn git_unchanged(
    model: &Path,
    single_file: bool,
    revision: &str,
) -> Result<BTreeSet<ModelPath>, IncrementalError> {
    let (dir, pathspec) = match (single_file, model.parent(), model.file_name()) {
        (true, Some(parent), Some(name)) => (
            if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            },
            PathBuf::from(name),
        ),
        _ => (model, PathBuf::from(".")),
    };
    let fail = |reason: String| IncrementalError::Git {
        dir: dir.to_path_buf(),
        revision: revision.to_string(),
        reason,
    };
    let git = |args: &[&std::ffi::OsStr]| -> Result<Vec<u8>, IncrementalError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| fail(format!("git could not be run: {e}")))?;
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(fail(if message.is_empty() {
                format!("git exited with {}", out.status)
            } else {
                message
            }));
        }
        Ok(out.stdout)
    };
    let commit = format!("{revision}^{{commit}}");
    git(&[
        "rev-parse".as_ref(),
        "--verify".as_ref(),
        "--quiet".as_ref(),
        commit.as_ref(),
    ])
    .map_err(|_| fail("it is not a commit of this repository".into()))?;
    // `--relative` and `ls-files` name paths relative to `dir`, i.e. to the model.
    let changed = git(&[
        "diff".as_ref(),
        "--name-only".as_ref(),
        "--no-renames".as_ref(),
        "--relative".as_ref(),
        "-z".as_ref(),
        revision.as_ref(),
        "--".as_ref(),
        pathspec.as_os_str(),
    ])?;
    let tracked = git(&[
        "ls-files".as_ref(),
        "--cached".as_ref(),
        "-z".as_ref(),
        "--".as_ref(),
        pathspec.as_os_str(),
    ])?;
    let to_id = |name: &[u8]| -> Option<ModelPath> {
        let name = std::str::from_utf8(name).ok()?;
        if single_file {
            (Path::new(name) == pathspec).then(ModelPath::root)
        } else {
            ModelPath::normalize(name)
        }
    };
    let changed: BTreeSet<ModelPath> = changed.split(|b| *b == 0).filter_map(to_id).collect();
    Ok(tracked
        .split(|b| *b == 0)
        .filter_map(to_id)
        .filter(|id| !changed.contains(id))
        .collect())
}
