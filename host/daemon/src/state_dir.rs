//! The daemon's state directory: pairing tokens (hashed), the audit log, the control
//! socket, and the default key. Created private (0700); refused when others could write
//! to it, since whoever can write there can approve signatures.

use std::fs;
use std::io;
use std::os::unix::fs::{
    DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _,
};
use std::path::{Path, PathBuf};

use crate::DaemonError;

/// The state directory, checked.
#[derive(Clone, Debug)]
pub struct StateDir {
    root: PathBuf,
}

/// The platform's per-user state directory for the daemon:
/// `$XDG_STATE_HOME/model-signing` (`~/.local/state/model-signing`) on Linux, the
/// per-user application data directory elsewhere.
pub fn default_state_dir() -> Option<PathBuf> {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("model-signing"))
}

impl StateDir {
    /// Opens `root`, creating it (mode 0700) when it does not exist. Fails when it is not
    /// a directory, is not owned by this user, or is writable by group or others.
    pub fn open(root: &Path) -> Result<Self, DaemonError> {
        let err = |source| DaemonError::StateDir {
            path: root.to_path_buf(),
            source,
        };
        if !root.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(root)
                .map_err(err)?;
        }
        let meta = fs::symlink_metadata(root).map_err(err)?;
        if !meta.is_dir() {
            return Err(DaemonError::StateDirUnsafe {
                path: root.to_path_buf(),
                reason: "it is not a directory (or is a symlink)".into(),
            });
        }
        let uid = current_uid();
        if meta.uid() != uid {
            return Err(DaemonError::StateDirUnsafe {
                path: root.to_path_buf(),
                reason: format!(
                    "it belongs to user {} and not to this user ({uid})",
                    meta.uid()
                ),
            });
        }
        if meta.mode() & 0o022 != 0 {
            return Err(DaemonError::StateDirUnsafe {
                path: root.to_path_buf(),
                reason: format!(
                    "its mode is {:o}: group or others can write to it (chmod 700 it)",
                    meta.mode() & 0o777
                ),
            });
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The control socket `model_signing approve` talks to.
    pub fn control_socket(&self) -> PathBuf {
        self.root.join("control.sock")
    }

    /// The append-only audit log (JSON lines).
    pub fn audit_log(&self) -> PathBuf {
        self.root.join("audit.log")
    }

    /// The paired origins' token hashes.
    pub fn tokens(&self) -> PathBuf {
        self.root.join("tokens.json")
    }

    /// The key created on first run when no signer is given.
    pub fn default_key(&self) -> PathBuf {
        self.root.join("default-signing-key.pem")
    }

    /// Writes `data` to `name` in the directory, private (0600) and atomically.
    pub fn write_private(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let tmp = path.with_extension("tmp");
        {
            use std::io::Write as _;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(data)?;
            f.sync_all()?;
        }
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
        fs::rename(&tmp, path)
    }
}

/// This process's user id.
pub(crate) fn current_uid() -> u32 {
    #[allow(unsafe_code)]
    // SAFETY: getuid() has no preconditions and cannot fail (POSIX); std has no wrapper.
    unsafe {
        libc::getuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_private_and_refused_when_writable_by_others() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("state");
        let s = StateDir::open(&dir).unwrap();
        let mode = fs::metadata(s.path()).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o700);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let e = StateDir::open(&dir).unwrap_err().to_string();
        assert!(e.contains("group or others can write"), "{e}");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o720)).unwrap();
        assert!(StateDir::open(&dir).is_err());
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o750)).unwrap();
        assert!(
            StateDir::open(&dir).is_ok(),
            "readable by the group is fine"
        );
        let file = t.path().join("file");
        fs::write(&file, b"x").unwrap();
        assert!(StateDir::open(&file).is_err());
    }

    #[test]
    fn private_files_are_0600() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::open(&t.path().join("s")).unwrap();
        s.write_private(&s.tokens(), b"[]").unwrap();
        assert_eq!(fs::metadata(s.tokens()).unwrap().mode() & 0o777, 0o600);
    }
}
