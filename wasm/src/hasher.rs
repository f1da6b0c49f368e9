//! Streaming hashing of one file into manifest items, whether or not its length is
//! known in advance.
//!
//! A `File` or `Blob` has a size and a download usually has a `Content-Length`; then
//! core's [`FileHasher`] does the work and checks that exactly that many bytes arrived.
//! A `ReadableStream` of unknown length is cut into items as it arrives: for the shard
//! method each shard closes as soon as `shard_size` bytes are in, and the last one,
//! possibly short, at the end. That gives the same items as [`Serialization::ranges`]
//! of the final length (tested below against core's hasher for every chunking).

use model_signing_core::hashing::{Digest, Hasher, StreamingHasher};
use model_signing_core::identifier::{ModelPath, ResourceKey};
use model_signing_core::serialization::{FileHasher, LengthMismatch};
use model_signing_core::Serialization;

/// Hashes one file, fed as chunks of any size, into its manifest items.
pub struct StreamHasher {
    inner: Inner,
    bytes: u64,
}

enum Inner {
    /// The length is known: core's hasher, which checks it.
    Sized(FileHasher),
    /// The length is not known: items are closed as they fill up.
    Unsized(Rolling),
}

struct Rolling {
    serialization: Serialization,
    path: ModelPath,
    algorithm_name: String,
    current: Hasher,
    item_start: u64,
    done: Vec<(ResourceKey, Digest)>,
}

impl Rolling {
    fn close(&mut self, end: u64) {
        let fresh = self.serialization.algorithm().hasher();
        let hasher = core::mem::replace(&mut self.current, fresh);
        self.done.push((
            self.serialization.key(&self.path, self.item_start, end),
            Digest::new(self.algorithm_name.clone(), hasher.finalize()),
        ));
        self.item_start = end;
    }
}

impl StreamHasher {
    /// Starts hashing the file `path` with `serialization`; `len` is its length when
    /// known.
    pub fn new(serialization: Serialization, path: ModelPath, len: Option<u64>) -> Self {
        let inner = match len {
            Some(len) => Inner::Sized(FileHasher::new(serialization, path, len)),
            None => Inner::Unsized(Rolling {
                algorithm_name: serialization.item_algorithm_name(),
                current: serialization.algorithm().hasher(),
                serialization,
                path,
                item_start: 0,
                done: Vec::new(),
            }),
        };
        Self { inner, bytes: 0 }
    }

    /// Bytes fed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Feeds the next chunk.
    pub fn update(&mut self, mut data: &[u8]) {
        let start = self.bytes;
        self.bytes += data.len() as u64;
        let rolling = match &mut self.inner {
            Inner::Sized(h) => return h.update(data),
            Inner::Unsized(r) => r,
        };
        let Some(shard) = rolling.serialization.shard_size() else {
            rolling.current.update(data);
            return;
        };
        let mut offset = start;
        while !data.is_empty() {
            let room = shard - (offset - rolling.item_start);
            let take = usize::try_from(room).map_or(data.len(), |r| r.min(data.len()));
            rolling.current.update(&data[..take]);
            offset += take as u64;
            data = &data[take..];
            if offset - rolling.item_start == shard {
                rolling.close(offset);
            }
        }
    }

    /// Finishes the file and returns its items in order. Fails when a length was
    /// announced and a different number of bytes arrived.
    pub fn finish(self) -> Result<Vec<(ResourceKey, Digest)>, LengthMismatch> {
        match self.inner {
            Inner::Sized(h) => h.finish(),
            Inner::Unsized(mut r) => {
                let open = match r.serialization {
                    Serialization::Files { .. } => true,
                    Serialization::Shards { .. } => self.bytes > r.item_start,
                };
                if open {
                    r.close(self.bytes);
                }
                Ok(r.done)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model_signing_core::HashAlgorithm;

    fn run(
        ser: Serialization,
        data: &[u8],
        chunk: usize,
        sized: bool,
    ) -> Vec<(ResourceKey, Digest)> {
        let len = sized.then_some(data.len() as u64);
        let mut h = StreamHasher::new(ser, ModelPath::new("w"), len);
        for c in data.chunks(chunk) {
            h.update(c);
        }
        assert_eq!(h.bytes(), data.len() as u64);
        h.finish().unwrap()
    }

    #[test]
    fn unsized_equals_core_for_every_length_and_chunking() {
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
                let expected = run(ser, &data, 4096, true);
                let ranges = ser.ranges(len as u64);
                assert_eq!(expected.len(), ranges.len(), "{ser:?} {len}");
                for chunk in [1usize, 3, 64, 99, 100, 101, 5000] {
                    assert_eq!(
                        run(ser, &data, chunk, false),
                        expected,
                        "{ser:?} {len} {chunk}"
                    );
                    assert_eq!(
                        run(ser, &data, chunk, true),
                        expected,
                        "{ser:?} {len} {chunk}"
                    );
                }
            }
        }
    }

    #[test]
    fn announced_length_is_checked() {
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let mut h = StreamHasher::new(ser, ModelPath::new("x"), Some(4));
        h.update(b"abc");
        let err = h.finish().unwrap_err();
        assert_eq!((err.expected, err.actual), (4, 3));
    }
}
