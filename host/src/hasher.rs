//! Hashing a model's files on every core: each file (or shard) is a unit of work, the
//! biggest first, read once in large sequential reads into a per-thread buffer, so
//! memory stays bounded whatever the model's size.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use model_signing_core::hashing::{Digest, HashAlgorithm, StreamingHasher};
use model_signing_core::{Manifest, ResourceKey, Serialization};
use rayon::prelude::*;

use crate::walk::ModelFile;

/// Size of each read. Large enough that system calls cost nothing, small enough to
/// stay in cache between the copy and the hash.
const READ_SIZE: usize = 1 << 18;

/// Why a file could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Reading failed.
    #[error("cannot read '{path}': {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file's length changed between listing and hashing.
    #[error("'{path}' changed while it was being hashed (expected {expected} bytes, found {actual}); hash it again once it is stable")]
    Changed {
        /// The file.
        path: PathBuf,
        /// Length when listed.
        expected: u64,
        /// Bytes readable now.
        actual: u64,
    },
    /// The thread pool could not be built.
    #[error("cannot start {0} hashing threads")]
    ThreadPool(usize),
}

/// Progress reporting for a hashing run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    /// A bar on stderr when stderr is a terminal; nothing otherwise.
    #[default]
    Auto,
    /// Never draw.
    Hidden,
}

struct Unit<'a> {
    file: &'a ModelFile,
    start: u64,
    end: u64,
}

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; READ_SIZE]);
}

/// Hashes `files` as `serialization` says, with up to `workers` threads (all cores when
/// `None`), and returns the manifest.
pub fn hash_files(
    files: &[ModelFile],
    serialization: Serialization,
    workers: Option<usize>,
    progress: Progress,
) -> Result<Manifest, HashError> {
    let mut units: Vec<Unit<'_>> = files
        .iter()
        .flat_map(|file| {
            serialization
                .ranges(file.len)
                .into_iter()
                .map(move |(start, end)| Unit { file, start, end })
        })
        .collect();
    // Largest first, so the last unit to finish is a small one.
    units.sort_by_key(|u| std::cmp::Reverse(u.end - u.start));
    let total: u64 = units.iter().map(|u| u.end - u.start).sum();
    let bar = progress_bar(total, progress);
    let item_name = serialization.item_algorithm_name();
    let algorithm = serialization.algorithm();

    let run = || {
        units
            .par_iter()
            .map(|unit| {
                let digest = hash_unit(unit, algorithm, &bar)?;
                let key = serialization.key(&unit.file.id, unit.start, unit.end);
                Ok((key, Digest::new(item_name.clone(), digest)))
            })
            .collect::<Result<Vec<(ResourceKey, Digest)>, HashError>>()
    };
    let items = match workers {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|_| HashError::ThreadPool(n))?
            .install(run),
        None => run(),
    }?;
    bar.finish_and_clear();
    Ok(items.into_iter().collect())
}

fn progress_bar(total: u64, progress: Progress) -> ProgressBar {
    if progress == Progress::Hidden {
        return ProgressBar::hidden();
    }
    // indicatif draws only when stderr is a terminal.
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} hashing {bytes}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn hash_unit(
    unit: &Unit<'_>,
    algorithm: HashAlgorithm,
    bar: &ProgressBar,
) -> Result<Vec<u8>, HashError> {
    let path = &unit.file.path;
    let io_err = |source| HashError::Io {
        path: path.clone(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    if unit.start > 0 {
        file.seek(SeekFrom::Start(unit.start)).map_err(io_err)?;
    }
    let want = unit.end - unit.start;
    let mut hasher = algorithm.hasher();
    let mut done = 0u64;
    BUFFER.with(|buffer| -> Result<(), HashError> {
        let mut buffer = buffer.borrow_mut();
        while done < want {
            let take = (want - done).min(buffer.len() as u64) as usize;
            let n = read_full(&mut file, &mut buffer[..take]).map_err(io_err)?;
            if n == 0 {
                break;
            }
            match &mut hasher {
                // BLAKE3 can use several cores inside one buffer; that matters when a
                // model is a single large file.
                model_signing_core::hashing::Hasher::Blake3(h) if n >= 1 << 17 => {
                    h.update_rayon(&buffer[..n]);
                }
                h => h.update(&buffer[..n]),
            }
            done += n as u64;
            bar.inc(n as u64);
        }
        Ok(())
    })?;
    // A file that grew is as suspect as one that shrank.
    let grew = unit.end == unit.file.len && file.read(&mut [0u8; 1]).map_err(io_err)? > 0;
    if done != want || grew {
        return Err(HashError::Changed {
            path: path.clone(),
            expected: unit.file.len,
            actual: unit.start + done + u64::from(grew),
        });
    }
    Ok(hasher.finalize())
}

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
