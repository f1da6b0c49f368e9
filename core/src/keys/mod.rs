//! Keys and signature algorithms, in one place.
//!
//! * [`ec`]: the elliptic-curve keys that make and check model signatures (P-256, P-384,
//!   P-521, each with the hash the format pairs with it), their PEM/SPKI encodings and
//!   the bundle's key hint.
//! * [`verifying`]: every public-key signature check the verifiers need (ECDSA, RSA
//!   PKCS #1 v1.5 and PSS, Ed25519), with the algorithm identifiers of X.509, CMS and
//!   Sigstore trust material mapped to one [`Scheme`]. Certificate chains, timestamps,
//!   log checkpoints, signed entry timestamps and SCTs all check signatures through it.
//! * [`pem`]: PEM blocks.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use der::asn1::ObjectIdentifier;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use crate::oids;

pub mod ec;
pub mod pem;
pub mod verifying;

pub use ec::{raw_signature_to_der, P521Key, PublicKey, SigningKey};
pub use pem::{pem_block, pem_blocks, to_pem};
pub use verifying::{key_from_pem, AlgorithmError, CryptoError, Scheme, VerifyingKey};

/// A supported curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1), signed with SHA-256.
    P256,
    /// NIST P-384 (secp384r1), signed with SHA-384.
    P384,
    /// NIST P-521 (secp521r1), signed with SHA-512.
    P521,
}

impl Curve {
    /// The hash the format uses with this curve.
    pub fn hash(self) -> SignatureHash {
        match self {
            Self::P256 => SignatureHash::Sha256,
            Self::P384 => SignatureHash::Sha384,
            Self::P521 => SignatureHash::Sha512,
        }
    }

    /// The curve's name as OpenSSL and `cryptography` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "secp256r1",
            Self::P384 => "secp384r1",
            Self::P521 => "secp521r1",
        }
    }

    /// The named-curve OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => oids::SECP256R1,
            Self::P384 => oids::SECP384R1,
            Self::P521 => oids::SECP521R1,
        }
    }

    /// The curve with this named-curve OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        [Self::P256, Self::P384, Self::P521]
            .into_iter()
            .find(|c| c.oid() == *oid)
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash used to make a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl SignatureHash {
    /// The hash with this digest-algorithm OID (SHA-256, SHA-384 or SHA-512).
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oids::SHA_256 => Some(Self::Sha256),
            oids::SHA_384 => Some(Self::Sha384),
            oids::SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Length of a digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// An incremental hasher: a message given in parts is hashed without being copied
    /// into one buffer first.
    pub fn hasher(self) -> SignatureHasher {
        match self {
            Self::Sha256 => SignatureHasher::Sha256(Sha256::new()),
            Self::Sha384 => SignatureHasher::Sha384(Sha384::new()),
            Self::Sha512 => SignatureHasher::Sha512(Sha512::new()),
        }
    }
}

/// The running state of a [`SignatureHash`] ([`SignatureHash::hasher`]).
#[derive(Clone, Debug)]
pub enum SignatureHasher {
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-384.
    Sha384(Sha384),
    /// SHA-512.
    Sha512(Sha512),
}

impl SignatureHasher {
    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything added.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// Why a key could not be read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No PEM block of the expected kind was found.
    #[error("no '-----BEGIN {0}-----' block found")]
    NoPemBlock(&'static str),
    /// The PEM body is not base64.
    #[error("the PEM block is not valid base64")]
    InvalidPemBase64,
    /// The DER structure could not be parsed.
    #[error("the key is not a valid {0} structure")]
    InvalidDer(&'static str),
    /// An RSA, Ed25519 or other non-EC key.
    #[error("only elliptic curve keys are supported (this is {0})")]
    NotEllipticCurve(&'static str),
    /// An EC key on a curve other than P-256, P-384 or P-521.
    #[error("unsupported key for curve '{0}' (supported: secp256r1, secp384r1, secp521r1)")]
    UnsupportedCurve(String),
    /// The point or scalar is not valid for the curve.
    #[error("the key's point or scalar is not valid for {0}")]
    InvalidKeyMaterial(Curve),
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// Not a DER `ECDSA-Sig-Value`.
    #[error("the signature is not a DER-encoded ECDSA signature")]
    Malformed,
    /// Well-formed but wrong.
    #[error("the signature does not match the key and signed data")]
    Mismatch,
}
