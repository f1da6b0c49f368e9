//! Finding the files of a model: which paths are manifest items, with the reference's
//! rules (hidden files included, directories never items, ignore lists by whole
//! components) and the checks it lacks (symlinks leaving the model, symlink cycles,
//! names that are not UTF-8).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::display::shown;
use model_signing_core::identifier::IgnoreList;
use model_signing_core::ModelPath;

/// A file to hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFile {
    /// Its identifier in the manifest.
    pub id: ModelPath,
    /// Where to read it (the path as walked; a symlink is read through).
    pub path: PathBuf,
    /// Its length in bytes when it was found.
    pub len: u64,
    /// Whether `path` is a symlink (read through, `--allow-symlinks`); anything else is
    /// opened without following links.
    pub symlink: bool,
}

/// Why a model could not be walked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// The model path does not exist or cannot be read.
    #[error("cannot read model path '{}': {source}", shown(.path))]
    ModelPath {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A directory or file could not be read.
    #[error("cannot read '{}': {source}", shown(.path))]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A symlink was met and symlinks are not allowed.
    #[error("cannot use '{}' because it is a symlink, and symlinks are not allowed", shown(.0))]
    Symlink(PathBuf),
    /// A symlink points outside the model.
    #[error("symlink '{}' points outside the model (to '{}'); only symlinks to files inside the model can be signed", shown(.link), shown(.target))]
    SymlinkOutsideModel {
        /// The link.
        link: PathBuf,
        /// Where it resolves to.
        target: PathBuf,
    },
    /// A symlink loops.
    #[error("symlink '{}' is part of a cycle", shown(.0))]
    SymlinkCycle(PathBuf),
    /// A symlink to a directory (the reference silently skips these; a signature would
    /// not cover the files behind it).
    #[error("symlink '{}' points to a directory; directory symlinks are not followed", shown(.0))]
    SymlinkToDirectory(PathBuf),
    /// A symlink whose target does not exist.
    #[error("symlink '{}' is broken: its target does not exist", shown(.0))]
    BrokenSymlink(PathBuf),
    /// A FIFO, socket or device.
    #[error(
        "cannot use '{}' as file or directory: it is a special file (FIFO, socket or device)",
        shown(.0)
    )]
    SpecialFile(PathBuf),
    /// A name no signature can hold: a backslash (a separator elsewhere) or a NUL.
    #[error("the name of '{}' cannot be written in a signature ({reason}); rename it or ignore it", shown(.path))]
    UnsignableName {
        /// The file.
        path: PathBuf,
        /// What is wrong with the name.
        reason: model_signing_core::identifier::PathError,
    },
    /// A name that is not UTF-8 cannot be written in a signature.
    #[error("the name of '{}' is not valid UTF-8; rename it or ignore it", shown(.0))]
    NonUtf8Name(PathBuf),
}

/// The rules of a walk.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Paths to leave out, relative to the model.
    pub ignore: IgnoreList,
    /// Whether symlinks to files inside the model are followed.
    pub allow_symlinks: bool,
}

/// Lists the files of `model` that belong in its manifest, in no particular order.
/// A single-file model yields one file with the identifier `.`.
pub fn walk(model: &Path, options: &WalkOptions) -> Result<Vec<ModelFile>, WalkError> {
    let meta = fs::symlink_metadata(model).map_err(|source| WalkError::ModelPath {
        path: model.to_path_buf(),
        source,
    })?;
    let root_real = fs::canonicalize(model).map_err(|source| WalkError::ModelPath {
        path: model.to_path_buf(),
        source,
    })?;
    let walker = Walker { options, root_real };
    let mut out = Vec::new();
    if meta.file_type().is_symlink() {
        if !options.allow_symlinks {
            return Err(WalkError::Symlink(model.to_path_buf()));
        }
        // The model path itself may be a link to the model: walk what it points to.
        let target = fs::metadata(model).map_err(|source| WalkError::ModelPath {
            path: model.to_path_buf(),
            source,
        })?;
        if target.is_file() {
            out.push(ModelFile {
                id: ModelPath::root(),
                path: model.to_path_buf(),
                len: target.len(),
                symlink: true,
            });
            return Ok(out);
        }
        walker.visit_dir(model, ModelPath::root(), &mut out)?;
        return Ok(out);
    }
    walker.visit(model, ModelPath::root(), &mut out)?;
    Ok(out)
}

/// Lists only the given identifiers (for `ignore_unsigned_files`): each is looked up
/// under `model`; identifiers that do not exist are returned in the second list.
pub fn select(
    model: &Path,
    ids: impl IntoIterator<Item = ModelPath>,
    options: &WalkOptions,
) -> Result<(Vec<ModelFile>, Vec<ModelPath>), WalkError> {
    let root_real = fs::canonicalize(model).map_err(|source| WalkError::ModelPath {
        path: model.to_path_buf(),
        source,
    })?;
    let walker = Walker { options, root_real };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    'ids: for id in ids {
        if options.ignore.is_ignored(&id) {
            continue;
        }
        // Every directory on the way is checked as a full walk would meet it: a
        // symlink there would make the verifier read outside what the model holds (a
        // full walk refuses directory symlinks, with or without --allow-symlinks).
        let mut path = model.to_path_buf();
        let components: Vec<&str> = id.components().collect();
        for (i, c) in components.iter().enumerate() {
            path.push(c);
            if i + 1 == components.len() {
                break;
            }
            match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    missing.push(id);
                    continue 'ids;
                }
                Err(source) => return Err(WalkError::Io { path, source }),
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(if options.allow_symlinks {
                        WalkError::SymlinkToDirectory(path)
                    } else {
                        WalkError::Symlink(path)
                    });
                }
                Ok(meta) if !meta.is_dir() => {
                    missing.push(id);
                    continue 'ids;
                }
                Ok(_) => {}
            }
        }
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(id),
            Err(source) => return Err(WalkError::Io { path, source }),
            Ok(meta) if meta.is_dir() => missing.push(id),
            Ok(_) => walker.visit(&path, id, &mut found)?,
        }
    }
    Ok((found, missing))
}

struct Walker<'a> {
    options: &'a WalkOptions,
    root_real: PathBuf,
}

impl Walker<'_> {
    fn visit(&self, path: &Path, id: ModelPath, out: &mut Vec<ModelFile>) -> Result<(), WalkError> {
        if self.options.ignore.is_ignored(&id) {
            return Ok(());
        }
        let io_err = |source| WalkError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = fs::symlink_metadata(path).map_err(io_err)?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            return self.visit_symlink(path, id, out);
        }
        if ft.is_file() {
            out.push(ModelFile {
                id,
                path: path.to_path_buf(),
                len: meta.len(),
                symlink: false,
            });
            return Ok(());
        }
        if !ft.is_dir() {
            return Err(WalkError::SpecialFile(path.to_path_buf()));
        }
        self.visit_dir(path, id, out)
    }

    fn visit_dir(
        &self,
        path: &Path,
        id: ModelPath,
        out: &mut Vec<ModelFile>,
    ) -> Result<(), WalkError> {
        let io_err = |source| WalkError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut entries: Vec<_> = fs::read_dir(path)
            .map_err(io_err)?
            .collect::<Result<_, _>>()
            .map_err(io_err)?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let child = path.join(&name);
            let name = name
                .to_str()
                .ok_or_else(|| WalkError::NonUtf8Name(child.clone()))?;
            // Names are kept byte-exact, except the few no signature can express.
            let child_id = id.join(name).map_err(|reason| WalkError::UnsignableName {
                path: child.clone(),
                reason,
            })?;
            self.visit(&child, child_id, out)?;
        }
        Ok(())
    }

    fn visit_symlink(
        &self,
        link: &Path,
        id: ModelPath,
        out: &mut Vec<ModelFile>,
    ) -> Result<(), WalkError> {
        if !self.options.allow_symlinks {
            return Err(WalkError::Symlink(link.to_path_buf()));
        }
        let target = match fs::canonicalize(link) {
            Ok(t) => t,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(WalkError::SymlinkCycle(link.to_path_buf()));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(WalkError::BrokenSymlink(link.to_path_buf()))
            }
            Err(source) => {
                return Err(WalkError::Io {
                    path: link.to_path_buf(),
                    source,
                })
            }
        };
        if !target.starts_with(&self.root_real) {
            return Err(WalkError::SymlinkOutsideModel {
                link: link.to_path_buf(),
                target,
            });
        }
        let meta = fs::metadata(&target).map_err(|source| WalkError::Io {
            path: link.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            let link_real = link
                .parent()
                .and_then(|p| fs::canonicalize(p).ok())
                .unwrap_or_default();
            if link_real.starts_with(&target) {
                return Err(WalkError::SymlinkCycle(link.to_path_buf()));
            }
            return Err(WalkError::SymlinkToDirectory(link.to_path_buf()));
        }
        if !meta.is_file() {
            return Err(WalkError::SpecialFile(link.to_path_buf()));
        }
        out.push(ModelFile {
            id,
            path: link.to_path_buf(),
            len: meta.len(),
            symlink: true,
        });
        Ok(())
    }
}

/// Resolves `path` like Python's `Path.resolve()` (non-strict), except that the last
/// component is not followed: existing parents are canonicalised and the rest is joined
/// lexically. So a symlink can be named (and ignored) by its own path.
pub fn resolve_lenient(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other.as_os_str()),
        }
    }
    let (parent, name) = match (normal.parent(), normal.file_name()) {
        (Some(p), Some(n)) => (p.to_path_buf(), n.to_os_string()),
        _ => return normal,
    };
    // Canonicalise the longest existing ancestor, then append the remainder.
    let mut existing = parent.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = fs::canonicalize(&existing) {
            let mut out = real;
            for r in rest.iter().rev() {
                out.push(r);
            }
            out.push(&name);
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                rest.push(n.to_os_string());
                existing = p.to_path_buf();
            }
            _ => return normal,
        }
    }
}

/// `path` relative to `root` when it lies inside it (both already resolved).
pub fn relative_inside(path: &Path, root: &Path) -> Option<ModelPath> {
    ModelPath::normalize(path.strip_prefix(root).ok()?.to_str()?)
}
