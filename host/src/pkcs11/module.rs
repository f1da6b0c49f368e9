//! Finding and loading the PKCS #11 module (the shared library that talks to the token).
//!
//! The URI names it with `module-path` (the library, or a directory to search) or
//! `module-name`, searched in the usual library directories. The reference searches only
//! `/usr/lib64/pkcs11` and `/usr/lib/pkcs11`, which misses Debian and Ubuntu, where the
//! modules live in the multiarch directory (`/usr/lib/x86_64-linux-gnu/pkcs11`) and
//! SoftHSM2 in `/usr/lib/softhsm`; [`default_module_dirs`] adds those.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use super::uri::Pkcs11Uri;
use super::{rv_name, Pkcs11Error};

/// The Debian multiarch triplet of the target, for `/usr/lib/<triplet>/...`.
fn multiarch() -> Option<&'static str> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return None;
    }
    Some(match std::env::consts::ARCH {
        "x86_64" => "x86_64-linux-gnu",
        "aarch64" => "aarch64-linux-gnu",
        "x86" => "i386-linux-gnu",
        "arm" => "arm-linux-gnueabihf",
        "powerpc64" if cfg!(target_endian = "little") => "powerpc64le-linux-gnu",
        "s390x" => "s390x-linux-gnu",
        "riscv64" => "riscv64-linux-gnu",
        "loongarch64" => "loongarch64-linux-gnu",
        _ => return None,
    })
}

/// The directories searched for `module-name` when the URI has no `module-path`, in
/// order: the reference's two, then Debian's multiarch and SoftHSM2 directories, then
/// `/usr/local` (modules built from source).
pub fn default_module_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/lib64/pkcs11"),
        PathBuf::from("/usr/lib/pkcs11"),
    ];
    if let Some(triplet) = multiarch() {
        dirs.push(Path::new("/usr/lib").join(triplet).join("pkcs11"));
        dirs.push(Path::new("/usr/lib").join(triplet).join("softhsm"));
    }
    dirs.extend(
        [
            "/usr/lib/softhsm",
            "/usr/lib64/softhsm",
            "/usr/local/lib/pkcs11",
            "/usr/local/lib/softhsm",
        ]
        .map(PathBuf::from),
    );
    dirs
}

/// Whether `file_name` is the module called `name` (lowercase), by the reference's rule:
/// `name` occurs in it followed by the end or a `.` (`softhsm2` matches
/// `libsofthsm2.so`, not `libsofthsm2-extra.so`).
fn name_matches(file_name: &str, name: &str) -> bool {
    let file = file_name.to_lowercase();
    file.match_indices(name).any(|(i, _)| {
        let rest = &file[i + name.len()..];
        rest.is_empty() || rest.starts_with('.')
    })
}

/// Whether `file_name` is exactly `name` or `lib<name>`, up to the extension. Preferred
/// over [`name_matches`], so that `opensc-pkcs11` picks `opensc-pkcs11.so` rather than
/// `onepin-opensc-pkcs11.so` next to it.
fn name_is_exact(file_name: &str, name: &str) -> bool {
    let file = file_name.to_lowercase();
    let stem = file.split('.').next().unwrap_or_default();
    stem == name || stem.strip_prefix("lib") == Some(name) || file == name
}

/// The regular files (or links to them) of `dir`, sorted for a stable choice.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Searches `dirs` for the module `name` (lowercase): first a file named exactly after
/// it in any directory, then the reference's looser rule.
fn search(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = dirs.iter().flat_map(|d| files_in(d)).collect();
    let file_name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    candidates
        .iter()
        .find(|p| name_is_exact(&file_name(p), name))
        .or_else(|| {
            candidates
                .iter()
                .find(|p| name_matches(&file_name(p), name))
        })
        .cloned()
}

/// The module the URI designates: `module-path` when it is a file; otherwise
/// `module-name` searched in the `module-path` directory, or else in `dirs`.
pub fn locate_module(uri: &Pkcs11Uri, dirs: &[PathBuf]) -> Result<PathBuf, Pkcs11Error> {
    let searched: Vec<PathBuf> = match uri.module_path() {
        Some(path) => {
            let meta = std::fs::metadata(&path).map_err(|source| Pkcs11Error::ModulePath {
                path: path.clone(),
                source,
            })?;
            if meta.is_file() {
                return Ok(path);
            }
            if !meta.is_dir() {
                return Err(Pkcs11Error::ModulePath {
                    path,
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "neither a file nor a directory",
                    ),
                });
            }
            vec![path]
        }
        None => dirs.to_vec(),
    };
    let name = uri.module_name().ok_or(Pkcs11Error::NoModule)?;
    search(&name, &searched).ok_or(Pkcs11Error::ModuleNotFound { name, searched })
}

/// Modules loaded by this process, by canonical path. A module is initialised once per
/// process (a second `C_Initialize` fails) and its login state is shared by all its
/// sessions, so every signer and listing that uses the same library shares one context.
/// Modules stay loaded until the process exits: finalising one while another signer
/// still had sessions on it would close them.
fn loaded() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

/// Loads and initialises the module at `path`, or returns the context already loaded.
pub(crate) fn load(path: &Path) -> Result<Pkcs11, Pkcs11Error> {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut modules = loaded().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(ctx) = modules.get(&key) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(path).map_err(|e| Pkcs11Error::ModuleLoad {
        path: path.to_path_buf(),
        reason: match e {
            CkError::LibraryLoading(e) => e.to_string(),
            CkError::MissingSymbol(symbol) => {
                format!("it is not a PKCS #11 module (it has no {symbol})")
            }
            other => other.to_string(),
        },
    })?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        // Another part of this process initialised the library itself.
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(CkError::Pkcs11(rv, _)) => {
            return Err(Pkcs11Error::ModuleInit {
                path: path.to_path_buf(),
                code: rv_name(rv),
            })
        }
        Err(other) => {
            return Err(Pkcs11Error::ModuleLoad {
                path: path.to_path_buf(),
                reason: other.to_string(),
            })
        }
    }
    modules.insert(key, ctx.clone());
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Pkcs11Uri {
        Pkcs11Uri::parse(s).unwrap()
    }

    fn touch(dir: &Path, names: &[&str]) {
        for n in names {
            std::fs::write(dir.join(n), b"").unwrap();
        }
    }

    #[test]
    fn reference_name_rule() {
        assert!(name_matches("libsofthsm2.so", "softhsm2"));
        assert!(name_matches("libsofthsm2.so", "libsofthsm2"));
        assert!(name_matches("libSoftHSM2.so", "softhsm2"));
        assert!(name_matches("libsofthsm2.so", "libsofthsm2.so"));
        assert!(!name_matches("libsofthsm2.so", "softhsm"));
        assert!(!name_matches("libsofthsm2-x.so", "softhsm2"));
        assert!(name_matches("onepin-opensc-pkcs11.so", "opensc-pkcs11"));
        assert!(!name_is_exact("onepin-opensc-pkcs11.so", "opensc-pkcs11"));
        assert!(name_is_exact("opensc-pkcs11.so", "opensc-pkcs11"));
        assert!(name_is_exact("libsofthsm2.so", "softhsm2"));
    }

    #[test]
    fn default_dirs_include_debian_and_the_reference() {
        let dirs = default_module_dirs();
        assert_eq!(dirs[0], Path::new("/usr/lib64/pkcs11"));
        assert_eq!(dirs[1], Path::new("/usr/lib/pkcs11"));
        assert!(dirs.contains(&PathBuf::from("/usr/lib/softhsm")));
        if cfg!(all(
            target_os = "linux",
            target_env = "gnu",
            target_arch = "x86_64"
        )) {
            assert!(dirs.contains(&PathBuf::from("/usr/lib/x86_64-linux-gnu/pkcs11")));
            assert!(dirs.contains(&PathBuf::from("/usr/lib/x86_64-linux-gnu/softhsm")));
        }
    }

    #[test]
    fn module_path_file_directory_and_name_search() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        touch(&a, &["onepin-opensc-pkcs11.so", "libother.so"]);
        touch(&b, &["opensc-pkcs11.so", "libsofthsm2.so"]);
        std::fs::create_dir(b.join("softhsm2.d")).unwrap();
        let dirs = vec![a.clone(), b.clone()];

        // A file: used as is, whatever module-name says.
        let file = b.join("libsofthsm2.so");
        let u = uri(&format!(
            "pkcs11:?module-path={}&module-name=nope",
            file.display()
        ));
        assert_eq!(locate_module(&u, &dirs).unwrap(), file);

        // module-name across the directories; an exact name beats a looser match.
        assert_eq!(
            locate_module(&uri("pkcs11:?module-name=opensc-pkcs11"), &dirs).unwrap(),
            b.join("opensc-pkcs11.so")
        );
        assert_eq!(
            locate_module(&uri("pkcs11:?module-name=SoftHSM2"), &dirs).unwrap(),
            b.join("libsofthsm2.so")
        );
        // A directory in module-path replaces the search list.
        let u = uri(&format!(
            "pkcs11:?module-path={}&module-name=opensc-pkcs11",
            a.display()
        ));
        assert_eq!(
            locate_module(&u, &dirs).unwrap(),
            a.join("onepin-opensc-pkcs11.so")
        );

        match locate_module(&uri("pkcs11:?module-name=softhsm"), &dirs) {
            Err(Pkcs11Error::ModuleNotFound { name, searched }) => {
                assert_eq!(name, "softhsm");
                assert_eq!(searched, dirs);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            locate_module(&uri("pkcs11:token=a"), &dirs),
            Err(Pkcs11Error::NoModule)
        ));
        let u = uri(&format!("pkcs11:?module-path={}", a.display()));
        assert!(matches!(
            locate_module(&u, &dirs),
            Err(Pkcs11Error::NoModule)
        ));
        let u = uri(&format!("pkcs11:?module-path={}/missing.so", a.display()));
        assert!(matches!(
            locate_module(&u, &dirs),
            Err(Pkcs11Error::ModulePath { .. })
        ));
    }

    #[test]
    fn a_file_that_is_not_a_library_fails_to_load() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = tmp.path().join("libfake-pkcs11.so");
        std::fs::write(&fake, b"not an ELF file").unwrap();
        match load(&fake) {
            Err(Pkcs11Error::ModuleLoad { path, .. }) => assert_eq!(path, fake),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
