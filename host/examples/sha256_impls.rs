//! Benchmark helper: the files + SHA-256 root digest of a model, hashed with one of two
//! SHA-256 implementations, so that `bench/digest-bench.sh` can time them side by side
//! on its models (issue 13: keep the faster for native hashing).
//!
//! ```sh
//! cargo run --release -p model-signing --example sha256_impls -- core|ring MODEL_DIR
//! ```
//!
//! * `core`: `model_signing_core`'s SHA-256 (`sha2` 0.11's block function, which uses the
//!   CPU's SHA extensions when it has them): what `model_signing digest` uses;
//! * `ring`: `ring` 0.17's (OpenSSL-derived assembly, SHA extensions too), which is in
//!   the dependency tree through rustls.
//!
//! Both run the same harness as `digest`, simplified: every file on its own thread of a
//! pool of all cores, biggest first, mapped whole (the models are in the page cache).
//! Prints `sha256:<root>` as `digest` does, so the benchmark checks the digests too. Not a
//! test and not part of the library.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};

use model_signing_core::hashing::HashAlgorithm;
use model_signing_core::{Digest, Manifest, ModelPath, Serialization};
use rayon::prelude::*;

fn files(root: &Path, dir: &Path, out: &mut Vec<(ModelPath, PathBuf, u64)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable model directory")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let meta = std::fs::metadata(&path).expect("stat");
        if meta.is_dir() {
            files(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .expect("UTF-8 name");
            out.push((ModelPath::new(rel), path, meta.len()));
        }
    }
}

fn digest(implementation: &str, data: &[u8]) -> Vec<u8> {
    match implementation {
        "core" => HashAlgorithm::Sha256.hash(data),
        "ring" => ring::digest::digest(&ring::digest::SHA256, data)
            .as_ref()
            .to_vec(),
        other => panic!("unknown implementation '{other}' (core or ring)"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(implementation), Some(model)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: sha256_impls core|ring MODEL_DIR");
        std::process::exit(2);
    };
    let model = Path::new(model);
    let mut list = Vec::new();
    files(model, model, &mut list);
    list.sort_by_key(|f| std::cmp::Reverse(f.2));
    let serialization = Serialization::files(HashAlgorithm::Sha256);
    let items: Vec<_> = list
        .par_iter()
        .map(|(id, path, len)| {
            let file = std::fs::File::open(path).expect("open");
            let value = if *len == 0 {
                digest(implementation, &[])
            } else {
                // SAFETY: read-only map of a file nobody changes during the benchmark.
                let map = unsafe { memmap2::Mmap::map(&file).expect("map") };
                digest(implementation, &map)
            };
            (
                serialization.key(id, 0, *len),
                Digest::new(serialization.item_algorithm_name(), value),
            )
        })
        .collect();
    let manifest: Manifest = items.into_iter().collect();
    println!(
        "sha256:{}",
        model_signing_core::encoding::hex(&manifest.root_digest())
    );
}
