//! Content hashing: the three algorithms of the format behind one streaming trait.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use blake2::{Blake2b512, Digest as _};

mod sha256;

pub use sha256::{update_lanes as update_sha256_lanes, Sha256};

/// A hash algorithm for file and shard contents.
///
/// The names differ between the configuration (`blake2`) and what a signature records
/// (`blake2b`); [`HashAlgorithm::from_str`] accepts both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-256 (the default), 32-byte digests.
    Sha256,
    /// BLAKE2b with 64-byte output, no key, salt or personalisation.
    Blake2b,
    /// BLAKE3 default (unkeyed) hash, 32-byte digests.
    Blake3,
}

impl HashAlgorithm {
    /// Every algorithm, in the order the CLI lists them.
    pub const ALL: [HashAlgorithm; 3] = [Self::Sha256, Self::Blake2b, Self::Blake3];

    /// The name recorded in signatures (`hash_type` and file-mode resource `algorithm`).
    pub fn recorded_name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Blake2b => "blake2b",
            Self::Blake3 => "blake3",
        }
    }

    /// The name used in configurations and on the command line (`blake2`, not `blake2b`).
    pub fn config_name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Blake2b => "blake2",
            Self::Blake3 => "blake3",
        }
    }

    /// Length of a digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Self::Sha256 | Self::Blake3 => 32,
            Self::Blake2b => 64,
        }
    }

    /// A fresh streaming hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha256 => Hasher::Sha256(Sha256::new()),
            Self::Blake2b => Hasher::Blake2b(Blake2b512::new()),
            Self::Blake3 => Hasher::Blake3(alloc::boxed::Box::new(blake3::Hasher::new())),
        }
    }

    /// Hashes `data` in one call.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.config_name())
    }
}

/// The text was not the name of a supported hash algorithm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported hash algorithm '{0}' (expected sha256, blake2 or blake3)")]
pub struct UnknownHashAlgorithm(pub String);

impl FromStr for HashAlgorithm {
    type Err = UnknownHashAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sha256" => Ok(Self::Sha256),
            "blake2" | "blake2b" => Ok(Self::Blake2b),
            "blake3" => Ok(Self::Blake3),
            other => Err(UnknownHashAlgorithm(other.into())),
        }
    }
}

/// A streaming hasher for one of the [`HashAlgorithm`]s: feeding the same bytes in any
/// split gives the same digest.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-256 state.
    Sha256(Sha256),
    /// BLAKE2b-512 state.
    Blake2b(Blake2b512),
    /// BLAKE3 state (boxed: it is large).
    Blake3(alloc::boxed::Box<blake3::Hasher>),
}

impl Hasher {
    /// The algorithm of this hasher.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self {
            Self::Sha256(_) => HashAlgorithm::Sha256,
            Self::Blake2b(_) => HashAlgorithm::Blake2b,
            Self::Blake3(_) => HashAlgorithm::Blake3,
        }
    }

    /// Feeds the next piece of input.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Blake2b(h) => h.update(data),
            Self::Blake3(h) => {
                h.update(data);
            }
        }
    }

    /// Consumes the hasher and returns the digest bytes.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Blake2b(h) => h.finalize().to_vec(),
            Self::Blake3(h) => h.finalize().as_bytes().to_vec(),
        }
    }
}

/// A digest as a manifest holds it: the recorded algorithm name and the raw bytes.
///
/// Two digests are equal only when both the name and the bytes are equal, so a
/// `sha256` digest never matches a `sha256-sharded-8` one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    /// Algorithm name as recorded, e.g. `sha256`, `blake2b`, `sha256-sharded-1000000000`.
    pub algorithm: String,
    /// Raw digest bytes.
    pub value: Vec<u8>,
}

impl Digest {
    /// A digest from its recorded name and bytes.
    pub fn new(algorithm: impl Into<String>, value: Vec<u8>) -> Self {
        Self {
            algorithm: algorithm.into(),
            value,
        }
    }

    /// Lowercase hex of the bytes.
    pub fn hex(&self) -> String {
        crate::encoding::hex(&self.value)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex;

    #[test]
    fn known_digests() {
        assert_eq!(
            hex(&HashAlgorithm::Sha256.hash(b"signme-1")),
            "f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1"
        );
        assert_eq!(
            hex(&HashAlgorithm::Blake3.hash(b"")),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(HashAlgorithm::Blake2b.hash(b"").len(), 64);
        assert_eq!(
            &hex(&HashAlgorithm::Blake2b.hash(b""))[..16],
            "786a02f742015903"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        for alg in HashAlgorithm::ALL {
            let mut h = alg.hasher();
            for chunk in data.chunks(333) {
                h.update(chunk);
            }
            assert_eq!(h.finalize(), alg.hash(&data), "{alg}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            "blake2".parse::<HashAlgorithm>(),
            Ok(HashAlgorithm::Blake2b)
        );
        assert_eq!(
            "blake2b".parse::<HashAlgorithm>(),
            Ok(HashAlgorithm::Blake2b)
        );
        assert!("md5".parse::<HashAlgorithm>().is_err());
        assert_eq!(HashAlgorithm::Blake2b.recorded_name(), "blake2b");
    }
}
