//! Embeds the web UI (`web/dist`, built by `web/build.sh`) into the daemon, so that it
//! serves the UI at its own origin. Without a built UI the daemon still serves its API,
//! and `/` explains how to build the UI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let dist = std::env::var_os("MODEL_SIGNING_WEB_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../web/dist")
        });
    println!("cargo:rerun-if-env-changed=MODEL_SIGNING_WEB_DIST");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dist) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_file() {
                println!("cargo:rerun-if-changed={}", p.display());
                files.push(p);
            }
        }
    }
    files.sort();
    if !files
        .iter()
        .any(|f| f.file_name().is_some_and(|n| n == "index.html"))
    {
        println!(
            "cargo:warning=the web UI is not built ({} has no index.html): the daemon will serve its API only; run web/build.sh",
            dist.display()
        );
        files.clear();
    }
    let mut out = String::from(
        "/// The embedded UI files: (name, content).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        let abs = std::fs::canonicalize(f).unwrap();
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("ui_files.rs");
    std::fs::write(dest, out).unwrap();
}
