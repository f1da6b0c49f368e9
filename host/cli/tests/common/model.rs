//! Temporary directories and models, and what a directory holds.

use std::fs;
use std::path::{Path, PathBuf};

/// A fresh temporary directory.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Writes `data` to `path`, creating its parent directories.
pub fn put(path: &Path, data: impl AsRef<[u8]>) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).unwrap();
    }
    fs::write(path, data).unwrap();
}

/// Creates `root/<rel>` for each `(rel, content)`; returns `root`.
pub fn model(root: &Path, files: &[(&str, &str)]) -> PathBuf {
    fs::create_dir_all(root).unwrap();
    for (rel, content) in files {
        put(&root.join(rel), content);
    }
    root.to_path_buf()
}

/// A small model of three files at `root` (`config.json`, `weights/layer0.bin`,
/// `weights/layer1.bin`), for tests about something other than the model's shape.
pub fn small_model(root: &Path) -> PathBuf {
    fs::create_dir_all(root.join("weights")).unwrap();
    fs::write(root.join("config.json"), br#"{"layers": 2}"#).unwrap();
    fs::write(root.join("weights/layer0.bin"), vec![7u8; 3000]).unwrap();
    fs::write(root.join("weights/layer1.bin"), b"second layer").unwrap();
    root.to_path_buf()
}

/// A symlink at `link` pointing to `target` (as written).
pub fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Temporary files the atomic writer (`.model-signing-*.tmp`) or another writer could
/// leave in `dir`.
pub fn temp_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".model-signing") || n.contains(".tmp"))
        .collect()
}

/// Every path under `dir` (recursively, not following symlinks), with file contents,
/// to compare a directory before and after a command.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
                out.push((p, None));
            } else if meta.is_file() {
                out.push((p.clone(), Some(fs::read(&p).unwrap())));
            } else {
                out.push((p, None));
            }
        }
    }
    out.sort();
    out
}
