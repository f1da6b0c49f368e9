//! How a model is cut into manifest items: whole files, or fixed-size shards of files.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::hashing::{update_sha256_lanes, Digest, HashAlgorithm, Hasher, Sha256};
use crate::identifier::{ModelPath, ResourceKey};

/// The reference's default shard size: 10^9 bytes (decimal, not GiB).
pub const DEFAULT_SHARD_SIZE: u64 = 1_000_000_000;

/// The two serialization methods, without their parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// One item per file.
    Files,
    /// One item per shard of each file.
    Shards,
}

impl Method {
    /// The `method` value recorded in signatures: `files` or `shards`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Shards => "shards",
        }
    }
}

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

    /// The method.
    pub fn method(&self) -> Method {
        match self {
            Self::Files { .. } => Method::Files,
            Self::Shards { .. } => Method::Shards,
        }
    }

    /// The `method` value recorded in signatures.
    pub fn method_name(&self) -> &'static str {
        self.method().name()
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
    /// short, and none at all for an empty file. Lazy: a huge sparse file and a small
    /// shard size cost nothing until the ranges are used.
    pub fn ranges(&self, len: u64) -> impl Iterator<Item = (u64, u64)> {
        let (step, mut next) = match *self {
            // One item over the whole file, even an empty one.
            Self::Files { .. } => (len.max(1), Some(0u64)),
            Self::Shards { shard_size, .. } => (shard_size, (len > 0).then_some(0)),
        };
        core::iter::from_fn(move || {
            let start = next?;
            let end = start.saturating_add(step).min(len);
            next = (end < len).then_some(end);
            Some((start, end))
        })
    }

    /// How many items a file of `len` bytes has: [`Self::ranges`]`(len).count()`,
    /// without walking them.
    pub fn item_count(&self, len: u64) -> u64 {
        match *self {
            Self::Files { .. } => 1,
            Self::Shards { shard_size, .. } => len.div_ceil(shard_size),
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

/// Hashes one file, fed as chunks of any size, into its manifest items, whether or not
/// its length is known in advance.
///
/// Chunks are split where items end, so callers need not know shard boundaries. With a
/// known length (a file's size, an HTTP `Content-Length`) the hasher checks that exactly
/// that many bytes arrived ([`FileHasher::finish`] fails otherwise). Without one (a
/// stream) items are cut as the bytes arrive: for the shard method each shard closes as
/// soon as `shard_size` bytes are in, and the last one, possibly short, at the end. Both
/// give the items of [`Serialization::ranges`] of the final length.
pub struct FileHasher {
    serialization: Serialization,
    path: ModelPath,
    algorithm_name: String,
    /// The announced length, if any.
    len: Option<u64>,
    /// Bytes fed so far (also those past an announced length, which are not hashed).
    bytes: u64,
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
    /// Starts hashing the file `path` with `serialization`; `len` is its length when
    /// known.
    pub fn new(serialization: Serialization, path: ModelPath, len: Option<u64>) -> Self {
        Self {
            algorithm_name: serialization.item_algorithm_name(),
            current: serialization.algorithm().hasher(),
            serialization,
            path,
            len,
            bytes: 0,
            item_start: 0,
            done: Vec::new(),
        }
    }

    /// Bytes fed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Where the item being hashed ends, if that is known.
    fn item_end(&self) -> Option<u64> {
        let shard_end = self
            .serialization
            .shard_size()
            .map(|size| self.item_start.saturating_add(size));
        match (shard_end, self.len) {
            (Some(end), Some(len)) => Some(end.min(len)),
            (end, len) => end.or(len),
        }
    }

    /// How many of the next `available` bytes belong to the item being hashed; `None`
    /// past an announced length (those bytes are counted, not hashed: finish() fails).
    fn room(&self, available: usize) -> Option<usize> {
        let Some(end) = self.item_end() else {
            return Some(available);
        };
        if self.bytes >= end && available > 0 {
            return None;
        }
        // An item longer than the address space cannot fill from one chunk.
        Some(usize::try_from(end - self.bytes).map_or(available, |r| r.min(available)))
    }

    fn close_item(&mut self) {
        let end = self.bytes;
        let hasher = core::mem::replace(&mut self.current, self.serialization.algorithm().hasher());
        let key = self.serialization.key(&self.path, self.item_start, end);
        self.done.push((
            key,
            Digest::new(self.algorithm_name.clone(), hasher.finalize()),
        ));
        self.item_start = end;
    }

    /// Records that `n` bytes, at most [`Self::room`], went into the current item; a
    /// shard that is full closes, unless it is the last one of an announced length
    /// (finish() closes that one).
    fn advance(&mut self, n: usize) {
        self.bytes += n as u64;
        let full = self.serialization.shard_size() == Some(self.bytes - self.item_start);
        if full && self.len.is_none_or(|len| self.bytes < len) {
            self.close_item();
        }
    }

    /// Counts `n` bytes past an announced length, without hashing them.
    fn overflow(&mut self, n: usize) {
        self.bytes += n as u64;
    }

    /// Feeds the next chunk.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let Some(take) = self.room(data.len()) else {
                return self.overflow(data.len());
            };
            self.current.update(&data[..take]);
            self.advance(take);
            data = &data[take..];
        }
    }

    /// Feeds `data[i]` to `hashers[i]` for every `i`: the same as [`Self::update`] on each,
    /// but with SHA-256 the blocks of several files go through the 4-lane function of
    /// [`crate::hashing::update_sha256_lanes`] together (faster in wasm, where there is no
    /// SHA instruction).
    ///
    /// # Panics
    /// If `hashers` and `data` differ in length.
    pub fn update_lanes(hashers: &mut [&mut FileHasher], data: &[&[u8]]) {
        assert_eq!(hashers.len(), data.len(), "one input per hasher");
        let mut rest: Vec<&[u8]> = data.to_vec();
        let mut takes: Vec<usize> = alloc::vec![0; data.len()];
        while rest.iter().any(|d| !d.is_empty()) {
            let mut lanes: Vec<&mut Sha256> = Vec::with_capacity(hashers.len());
            let mut pieces: Vec<&[u8]> = Vec::with_capacity(hashers.len());
            // Each input up to the end of its current item (a shard may end inside it).
            for ((h, d), take) in hashers
                .iter_mut()
                .zip(rest.iter_mut())
                .zip(takes.iter_mut())
            {
                *take = 0;
                if d.is_empty() {
                    continue;
                }
                let Some(n) = h.room(d.len()) else {
                    h.overflow(d.len());
                    *d = &[];
                    continue;
                };
                *take = n;
                match &mut h.current {
                    Hasher::Sha256(sha) => {
                        lanes.push(sha);
                        let input: &[u8] = d;
                        pieces.push(&input[..n]);
                    }
                    other => other.update(&d[..n]),
                }
            }
            update_sha256_lanes(&mut lanes, &pieces);
            for ((h, d), take) in hashers.iter_mut().zip(rest.iter_mut()).zip(&takes) {
                if *take > 0 {
                    h.advance(*take);
                    *d = &d[*take..];
                }
            }
        }
    }

    /// Finishes the file and returns its items in order. Fails when a length was
    /// announced and a different number of bytes arrived.
    pub fn finish(mut self) -> Result<Vec<(ResourceKey, Digest)>, LengthMismatch> {
        if let Some(expected) = self.len.filter(|len| *len != self.bytes) {
            return Err(LengthMismatch {
                path: self.path.to_string(),
                expected,
                actual: self.bytes,
            });
        }
        // The file method always has one item (even for an empty file); the shard
        // method has none for an empty file and no empty trailing shard.
        let open = match self.serialization {
            Serialization::Files { .. } => true,
            Serialization::Shards { .. } => self.bytes > self.item_start,
        };
        if open {
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
        let ranges = |len| s.ranges(len).collect::<Vec<_>>();
        assert_eq!(ranges(22), [(0, 8), (8, 16), (16, 22)]);
        assert_eq!(ranges(16), [(0, 8), (8, 16)]);
        assert!(ranges(0).is_empty());
        for len in [0, 1, 7, 8, 9, 16, 22, 1000] {
            assert_eq!(s.item_count(len), s.ranges(len).count() as u64, "{len}");
        }
        let files = Serialization::files(HashAlgorithm::Sha256);
        assert_eq!(files.ranges(0).collect::<Vec<_>>(), [(0, 0)]);
        assert_eq!(files.ranges(5).collect::<Vec<_>>(), [(0, 5)]);
        // Near the top of the range: no overflow, the last shard ends at the length.
        let huge = Serialization::shards(HashAlgorithm::Sha256, u64::MAX / 2).unwrap();
        assert_eq!(
            huge.ranges(u64::MAX).collect::<Vec<_>>(),
            [
                (0, u64::MAX / 2),
                (u64::MAX / 2, u64::MAX - 1),
                (u64::MAX - 1, u64::MAX)
            ]
        );
        assert_eq!(huge.item_count(u64::MAX), 3);
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
                let mut h = FileHasher::new(ser, ModelPath::new("w"), Some(data.len() as u64));
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
        let items = FileHasher::new(files, ModelPath::new("e"), Some(0))
            .finish()
            .unwrap();
        assert_eq!(items.len(), 1);
        let shards = Serialization::shards(HashAlgorithm::Sha256, 8).unwrap();
        assert!(FileHasher::new(shards, ModelPath::new("e"), Some(0))
            .finish()
            .unwrap()
            .is_empty());
        let mut h = FileHasher::new(files, ModelPath::new("x"), Some(3));
        h.update(b"ab");
        assert!(h.finish().is_err());
        let mut h = FileHasher::new(shards, ModelPath::new("x"), Some(3));
        h.update(b"abcd");
        assert!(h.finish().is_err());
    }

    fn stream(
        ser: Serialization,
        data: &[u8],
        chunk: usize,
        sized: bool,
    ) -> Vec<(ResourceKey, Digest)> {
        let len = sized.then_some(data.len() as u64);
        let mut h = FileHasher::new(ser, ModelPath::new("w"), len);
        for c in data.chunks(chunk) {
            h.update(c);
        }
        assert_eq!(h.bytes(), data.len() as u64);
        h.finish().unwrap()
    }

    #[test]
    fn file_hasher_unsized_equals_sized_for_every_length_and_chunking() {
        for ser in [
            Serialization::files(HashAlgorithm::Sha256),
            Serialization::files(HashAlgorithm::Blake3),
            Serialization::shards(HashAlgorithm::Sha256, 100).unwrap(),
            Serialization::shards(HashAlgorithm::Blake2b, 64).unwrap(),
            Serialization::Shards {
                algorithm: HashAlgorithm::Blake3,
                shard_size: 7,
            },
        ] {
            for len in [0usize, 1, 63, 64, 100, 128, 200, 1028] {
                let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
                let expected = stream(ser, &data, 4096, true);
                let ranges: Vec<_> = ser.ranges(len as u64).collect();
                assert_eq!(expected.len(), ranges.len(), "{ser:?} {len}");
                for chunk in [1usize, 3, 64, 99, 100, 101, 5000] {
                    assert_eq!(
                        stream(ser, &data, chunk, false),
                        expected,
                        "{ser:?} {len} {chunk}"
                    );
                    assert_eq!(
                        stream(ser, &data, chunk, true),
                        expected,
                        "{ser:?} {len} {chunk}"
                    );
                }
            }
        }
    }

    #[test]
    fn file_hasher_checks_an_announced_length() {
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let mut h = FileHasher::new(ser, ModelPath::new("x"), Some(4));
        h.update(b"abc");
        let err = h.finish().unwrap_err();
        assert_eq!((err.expected, err.actual), (4, 3));
    }

    #[test]
    fn file_hasher_lanes_equal_one_file_at_a_time() {
        for ser in [
            Serialization::files(HashAlgorithm::Sha256),
            Serialization::shards(HashAlgorithm::Sha256, 100).unwrap(),
            Serialization::shards(HashAlgorithm::Sha256, 64).unwrap(),
            Serialization::files(HashAlgorithm::Blake3),
            Serialization::shards(HashAlgorithm::Blake2b, 64).unwrap(),
        ] {
            // Five files of different lengths, sized and unsized, one announced too short.
            let lens = [1028usize, 700, 0, 1028, 333];
            let files: Vec<Vec<u8>> = lens
                .iter()
                .enumerate()
                .map(|(f, &len)| (0..len).map(|i| ((i + 7 * f) * 31 % 251) as u8).collect())
                .collect();
            for chunk in [1usize, 63, 64, 100, 257, 4096] {
                let mut hashers: Vec<FileHasher> = files
                    .iter()
                    .enumerate()
                    .map(|(f, d)| {
                        let len = match f {
                            1 => None,
                            4 => Some(d.len() as u64 - 5),
                            _ => Some(d.len() as u64),
                        };
                        FileHasher::new(ser, ModelPath::new("w"), len)
                    })
                    .collect();
                let mut offset = 0;
                while files.iter().any(|d| offset < d.len()) {
                    let pieces: Vec<&[u8]> = files
                        .iter()
                        .map(|d| &d[offset.min(d.len())..(offset + chunk).min(d.len())])
                        .collect();
                    let mut refs: Vec<&mut FileHasher> = hashers.iter_mut().collect();
                    FileHasher::update_lanes(&mut refs, &pieces);
                    offset += chunk;
                }
                for (f, (h, d)) in hashers.into_iter().zip(&files).enumerate() {
                    assert_eq!(h.bytes(), d.len() as u64);
                    if f == 4 {
                        let err = h.finish().unwrap_err();
                        assert_eq!((err.expected, err.actual), (328, 333));
                    } else {
                        assert_eq!(
                            h.finish().unwrap(),
                            stream(ser, d, 4096, true),
                            "{ser:?} {chunk} {f}"
                        );
                    }
                }
            }
        }
    }
}
