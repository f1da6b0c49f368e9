//! How a model is cut into manifest items: whole files, or fixed-size shards of files.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::hashing::{Digest, HashAlgorithm, Hasher, StreamingHasher};
use crate::identifier::{ModelPath, ResourceKey};

/// The reference's default shard size: 10^9 bytes (decimal, not GiB).
pub const DEFAULT_SHARD_SIZE: u64 = 1_000_000_000;

/// The serialization method and its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serialization {
    /// One item per file: the digest of the whole content (`method: "files"`).
    Files {
        /// Content hash.
        algorithm: HashAlgorithm,
    },
    /// One item per `shard_size` bytes of each file (`method: "shards"`).
    /// Empty files have no shards and so do not appear at all.
    Shards {
        /// Content hash of each shard.
        algorithm: HashAlgorithm,
        /// Shard length in bytes, > 0.
        shard_size: u64,
    },
}

impl Default for Serialization {
    fn default() -> Self {
        Self::Files {
            algorithm: HashAlgorithm::Sha256,
        }
    }
}

impl Serialization {
    /// The file method with `algorithm`.
    pub fn files(algorithm: HashAlgorithm) -> Self {
        Self::Files { algorithm }
    }

    /// The shard method. Like the reference, BLAKE3 with shards becomes the file method
    /// (BLAKE3 is already parallel inside a file). `shard_size` must be > 0; `None` if not.
    pub fn shards(algorithm: HashAlgorithm, shard_size: u64) -> Option<Self> {
        if shard_size == 0 {
            return None;
        }
        Some(match algorithm {
            HashAlgorithm::Blake3 => Self::Files { algorithm },
            _ => Self::Shards {
                algorithm,
                shard_size,
            },
        })
    }

    /// The content hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        match *self {
            Self::Files { algorithm } | Self::Shards { algorithm, .. } => algorithm,
        }
    }

    /// The `method` value recorded in signatures.
    pub fn method_name(&self) -> &'static str {
        match self {
            Self::Files { .. } => "files",
            Self::Shards { .. } => "shards",
        }
    }

    /// The shard size, for the shard method.
    pub fn shard_size(&self) -> Option<u64> {
        match *self {
            Self::Files { .. } => None,
            Self::Shards { shard_size, .. } => Some(shard_size),
        }
    }

    /// The `algorithm` recorded on each resource: `sha256`, or `sha256-sharded-<N>`.
    pub fn item_algorithm_name(&self) -> String {
        match *self {
            Self::Files { algorithm } => algorithm.recorded_name().into(),
            Self::Shards {
                algorithm,
                shard_size,
            } => format!("{}-sharded-{}", algorithm.recorded_name(), shard_size),
        }
    }

    /// The byte ranges of the items of a file of `len` bytes: `[0, len)` for files (even
    /// when empty); consecutive `shard_size` ranges for shards, the last one possibly
    /// short, and none at all for an empty file.
    pub fn ranges(&self, len: u64) -> Vec<(u64, u64)> {
        match *self {
            Self::Files { .. } => alloc::vec![(0, len)],
            Self::Shards { shard_size, .. } => {
                let mut out = Vec::new();
                let mut start = 0;
                while start < len {
                    let end = start.saturating_add(shard_size).min(len);
                    out.push((start, end));
                    start = end;
                }
                out
            }
        }
    }

    /// The manifest key of the item covering `[start, end)` of `path`.
    pub fn key(&self, path: &ModelPath, start: u64, end: u64) -> ResourceKey {
        match self {
            Self::Files { .. } => ResourceKey::File(path.clone()),
            Self::Shards { .. } => ResourceKey::Shard {
                path: path.clone(),
                start,
                end,
            },
        }
    }
}

/// Hashes one file fed as a stream of chunks, producing its manifest items.
///
/// The caller does not need to know shard boundaries: chunks of any size are split
/// where shards end. The file's total length must be known in advance so that the
/// keys can be formed; [`FileHasher::finish`] checks it.
pub struct FileHasher {
    serialization: Serialization,
    path: ModelPath,
    algorithm_name: String,
    len: u64,
    /// Offset of the next byte expected.
    offset: u64,
    /// Start of the item being hashed.
    item_start: u64,
    current: Hasher,
    done: Vec<(ResourceKey, Digest)>,
}

/// The stream fed to a [`FileHasher`] did not have the length announced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("file '{path}' changed while it was hashed: expected {expected} bytes, got {actual}")]
pub struct LengthMismatch {
    /// The file.
    pub path: String,
    /// Announced length.
    pub expected: u64,
    /// Bytes received.
    pub actual: u64,
}

impl FileHasher {
    /// Starts hashing `path`, whose content is `len` bytes long.
    pub fn new(serialization: Serialization, path: ModelPath, len: u64) -> Self {
        Self {
            algorithm_name: serialization.item_algorithm_name(),
            current: serialization.algorithm().hasher(),
            serialization,
            path,
            len,
            offset: 0,
            item_start: 0,
            done: Vec::new(),
        }
    }

    fn item_end(&self) -> u64 {
        match self.serialization.shard_size() {
            None => self.len,
            Some(size) => self.item_start.saturating_add(size).min(self.len),
        }
    }

    fn close_item(&mut self) {
        let end = self.offset;
        let hasher = core::mem::replace(&mut self.current, self.serialization.algorithm().hasher());
        let key = self.serialization.key(&self.path, self.item_start, end);
        self.done.push((
            key,
            Digest::new(self.algorithm_name.clone(), hasher.finalize()),
        ));
        self.item_start = end;
    }

    /// Feeds the next chunk of the file.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let end = self.item_end();
            if self.offset >= end {
                // More bytes than announced: count them; finish() reports the mismatch.
                self.offset += data.len() as u64;
                return;
            }
            let take = ((end - self.offset) as usize).min(data.len());
            self.current.update(&data[..take]);
            self.offset += take as u64;
            data = &data[take..];
            if self.offset == end && self.serialization.shard_size().is_some() && end < self.len {
                self.close_item();
            }
        }
    }

    /// Finishes the file and returns its items in canonical order.
    pub fn finish(mut self) -> Result<Vec<(ResourceKey, Digest)>, LengthMismatch> {
        if self.offset != self.len {
            return Err(LengthMismatch {
                path: self.path.to_string(),
                expected: self.len,
                actual: self.offset,
            });
        }
        let has_open_item = match self.serialization {
            Serialization::Files { .. } => true,
            Serialization::Shards { .. } => self.item_start < self.len,
        };
        if has_open_item {
            self.close_item();
        }
        Ok(self.done)
    }
}

use alloc::string::ToString as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges() {
        let s = Serialization::shards(HashAlgorithm::Sha256, 8).unwrap();
        assert_eq!(s.ranges(22), [(0, 8), (8, 16), (16, 22)]);
        assert_eq!(s.ranges(16), [(0, 8), (8, 16)]);
        assert!(s.ranges(0).is_empty());
        assert_eq!(
            Serialization::files(HashAlgorithm::Sha256).ranges(0),
            [(0, 0)]
        );
        assert_eq!(s.item_algorithm_name(), "sha256-sharded-8");
        assert_eq!(
            Serialization::shards(HashAlgorithm::Blake3, 8),
            Some(Serialization::files(HashAlgorithm::Blake3))
        );
        assert_eq!(Serialization::shards(HashAlgorithm::Sha256, 0), None);
    }

    #[test]
    fn file_hasher_matches_ranges_for_any_chunking() {
        let data: Vec<u8> = (0..1028u32).map(|i| i as u8).collect();
        for ser in [
            Serialization::files(HashAlgorithm::Sha256),
            Serialization::shards(HashAlgorithm::Sha256, 100).unwrap(),
            Serialization::shards(HashAlgorithm::Blake2b, 64).unwrap(),
        ] {
            let expected: Vec<(ResourceKey, Digest)> = ser
                .ranges(data.len() as u64)
                .into_iter()
                .map(|(s, e)| {
                    (
                        ser.key(&ModelPath::new("w"), s, e),
                        Digest::new(
                            ser.item_algorithm_name(),
                            ser.algorithm().hash(&data[s as usize..e as usize]),
                        ),
                    )
                })
                .collect();
            for chunk in [1usize, 7, 64, 100, 1000, 5000] {
                let mut h = FileHasher::new(ser, ModelPath::new("w"), data.len() as u64);
                for c in data.chunks(chunk) {
                    h.update(c);
                }
                assert_eq!(h.finish().unwrap(), expected, "{ser:?} chunk {chunk}");
            }
        }
    }

    #[test]
    fn file_hasher_empty_and_length_mismatch() {
        let files = Serialization::files(HashAlgorithm::Sha256);
        let items = FileHasher::new(files, ModelPath::new("e"), 0)
            .finish()
            .unwrap();
        assert_eq!(items.len(), 1);
        let shards = Serialization::shards(HashAlgorithm::Sha256, 8).unwrap();
        assert!(FileHasher::new(shards, ModelPath::new("e"), 0)
            .finish()
            .unwrap()
            .is_empty());
        let mut h = FileHasher::new(files, ModelPath::new("x"), 3);
        h.update(b"ab");
        assert!(h.finish().is_err());
        let mut h = FileHasher::new(shards, ModelPath::new("x"), 3);
        h.update(b"abcd");
        assert!(h.finish().is_err());
    }
}
