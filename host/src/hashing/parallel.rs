//! Hashing a model's files on every core: each file (or shard) is a unit of work, the
//! biggest first, read once: large ranges through small memory-map windows, small files
//! with plain reads into a per-thread buffer, so memory stays bounded whatever the
//! model's size.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use model_signing_core::hashing::{Digest, HashAlgorithm, Hasher};
use model_signing_core::{Manifest, ResourceKey, Serialization};
use rayon::prelude::*;

use crate::display::shown;
use crate::walk::ModelFile;

/// Size of each read. Large enough that system calls cost nothing, small enough to
/// stay in cache between the copy and the hash.
const READ_SIZE: usize = 1 << 18;

/// Ranges at least this long are memory-mapped; below it, mapping costs more than copying.
const MAP_MIN: u64 = 64 << 10;

/// Bytes mapped at a time. BLAKE3 spreads each window over every core, which pays off
/// only for large windows; the other hashes are sequential and need only enough to keep
/// the number of map calls small.
fn map_window(algorithm: HashAlgorithm) -> u64 {
    match algorithm {
        HashAlgorithm::Blake3 => 32 << 20,
        HashAlgorithm::Sha256 | HashAlgorithm::Blake2b => 4 << 20,
    }
}

/// Why a file could not be hashed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// Reading failed.
    #[error("cannot read '{}': {source}", shown(.path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file's length changed between listing and hashing.
    #[error("'{}' changed while it was being hashed (expected {expected} bytes, found {actual}); hash it again once it is stable", shown(.path))]
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
    let (mut file, opened_len) = open_checked(unit.file).map_err(io_err)?;
    let want = unit.end - unit.start;
    let mut sink = Sink {
        hasher: algorithm.hasher(),
        done: 0,
        bar,
    };
    let mapped = want >= MAP_MIN
        && match super::mapped::for_each_window(
            &file,
            unit.start,
            unit.end,
            map_window(algorithm),
            opened_len,
            |d| sink.feed(d),
        ) {
            // A short file is reported below like any other change.
            Ok(_) => true,
            // Some file systems cannot be mapped: read those instead.
            Err(_) if sink.done == 0 => false,
            Err(e) => return Err(io_err(e)),
        };
    if !mapped {
        if unit.start + sink.done > 0 {
            file.seek(SeekFrom::Start(unit.start + sink.done))
                .map_err(io_err)?;
        }
        BUFFER.with(|buffer| -> Result<(), HashError> {
            let mut buffer = buffer.borrow_mut();
            while sink.done < want {
                let take = (want - sink.done).min(buffer.len() as u64) as usize;
                let n = read_full(&mut file, &mut buffer[..take]).map_err(io_err)?;
                if n == 0 {
                    break;
                }
                sink.feed(&buffer[..n]);
            }
            Ok(())
        })?;
    }
    let Sink { hasher, done, .. } = sink;
    // A file that grew is as suspect as one that shrank.
    let now = file.metadata().map_err(io_err)?.len();
    if done != want || now != unit.file.len {
        return Err(HashError::Changed {
            path: path.clone(),
            expected: unit.file.len,
            actual: if done != want { unit.start + done } else { now },
        });
    }
    Ok(hasher.finalize())
}

/// Opens a file the walk found, as it found it: without following a link unless it was
/// one (read through with --allow-symlinks), and without blocking, then checks that what
/// opened is a regular file. A FIFO or device swapped in since the walk would otherwise
/// hang or feed endless bytes. Returns the file and its length now.
fn open_checked(file: &ModelFile) -> io::Result<(File, u64)> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut flags = libc::O_NONBLOCK;
    if !file.symlink {
        flags |= libc::O_NOFOLLOW;
    }
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(&file.path)?;
    let meta = opened.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is no longer a regular file (replaced since the model was listed)",
        ));
    }
    Ok((opened, meta.len()))
}

/// Where the bytes of one unit go.
struct Sink<'a> {
    hasher: Hasher,
    done: u64,
    bar: &'a ProgressBar,
}

impl Sink<'_> {
    fn feed(&mut self, data: &[u8]) {
        match &mut self.hasher {
            // BLAKE3 can use several cores inside one buffer; that matters when a model
            // is a single large file.
            Hasher::Blake3(h) if data.len() >= 1 << 17 => {
                h.update_rayon(data);
            }
            h => h.update(data),
        }
        self.done += data.len() as u64;
        self.bar.inc(data.len() as u64);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use model_signing_core::ModelPath;

    /// Large enough that every path is used: mapped windows (several, for BLAKE3's
    /// larger ones too), unaligned shard starts, and a small file read with read().
    #[test]
    fn mapped_and_read_paths_match_in_memory_hashing() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let big: Vec<u8> = (0..(70 << 20) + 123)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let small = b"small file".to_vec();
        std::fs::write(dir.path().join("big"), &big).unwrap();
        std::fs::write(dir.path().join("small"), &small).unwrap();
        let files = [("big", &big), ("small", &small)].map(|(name, content)| ModelFile {
            id: ModelPath::new(name),
            path: dir.path().join(name),
            len: content.len() as u64,
            symlink: false,
        });
        let serializations = [
            Serialization::files(HashAlgorithm::Sha256),
            Serialization::files(HashAlgorithm::Blake3),
            Serialization::files(HashAlgorithm::Blake2b),
            Serialization::shards(HashAlgorithm::Sha256, 3_000_017).unwrap(),
        ];
        for ser in serializations {
            let got = hash_files(&files, ser, Some(2), Progress::Hidden).unwrap();
            let mut expected = Manifest::new();
            for (file, content) in files.iter().zip([&big, &small]) {
                for (s, e) in ser.ranges(file.len) {
                    expected.insert(
                        ser.key(&file.id, s, e),
                        Digest::new(
                            ser.item_algorithm_name(),
                            ser.algorithm().hash(&content[s as usize..e as usize]),
                        ),
                    );
                }
            }
            assert_eq!(got, expected, "{ser:?}");
        }
    }

    #[test]
    fn a_file_that_changed_length_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![1u8; 3 << 20]).unwrap();
        for listed in [(3 << 20) + 5, (3 << 20) - 5, 10] {
            let file = ModelFile {
                id: ModelPath::new("f"),
                path: path.clone(),
                len: listed,
                symlink: false,
            };
            let err = hash_files(
                &[file],
                Serialization::files(HashAlgorithm::Sha256),
                Some(1),
                Progress::Hidden,
            )
            .unwrap_err();
            assert!(matches!(err, HashError::Changed { .. }), "{listed}: {err}");
        }
    }

    /// A file replaced after it was listed: by a FIFO (opening it must not wait for a
    /// writer, and it must not be read) or by a symlink to a file outside the model
    /// (never followed). Each fails at once, naming the file.
    #[test]
    fn a_file_swapped_after_listing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let listed = |name: &str| ModelFile {
            id: ModelPath::new(name),
            path: dir.path().join(name),
            len: 4,
            symlink: false,
        };
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = hash_files(&[listed("pipe")], ser, Some(1), Progress::Hidden).unwrap_err();
        assert!(
            e.to_string().contains("'") && e.to_string().contains("pipe"),
            "{e}"
        );
        assert!(e.to_string().contains("no longer a regular file"), "{e}");

        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"1234").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("w")).unwrap();
        let e = hash_files(&[listed("w")], ser, Some(1), Progress::Hidden).unwrap_err();
        assert!(matches!(e, HashError::Io { .. }), "{e}");
        // Listed as a symlink (allowed), the same file is read through it.
        let through = ModelFile {
            symlink: true,
            ..listed("w")
        };
        assert_eq!(
            hash_files(&[through], ser, Some(1), Progress::Hidden)
                .unwrap()
                .len(),
            1
        );
    }
}
