//! Signature checks with any public key the verifiers meet: ECDSA (P-256, P-384,
//! P-521), Ed25519, and RSA with PKCS #1 v1.5 or PSS padding; and the algorithm
//! identifiers of X.509 certificates, CMS signers and Sigstore trust material, each
//! mapped to a [`Scheme`]. This is the only place signatures are checked. Pure RustCrypto.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;
use der::Decode;
use rsa::pkcs1::RsaPssParams;
use rsa::pss::Pss;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};

use super::{Curve, KeyError, PublicKey, SignatureHash};
use crate::oids;

/// RSA moduli above this are refused: the `rsa` crate's default (4096) would reject real
/// 8192-bit roots, and this still bounds the work an untrusted key can cause.
pub const MAX_RSA_BITS: usize = 16384;

/// A public key that checks signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyingKey {
    /// ECDSA on P-256, P-384 or P-521.
    Ecdsa(PublicKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// RSA.
    Rsa {
        /// The key.
        key: RsaPublicKey,
        /// An `id-RSASSA-PSS` key, which may only make PSS signatures (RFC 4055).
        pss_only: bool,
    },
}

/// How a signature is made with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// ECDSA (DER signature) over the message hashed with this hash.
    Ecdsa(SignatureHash),
    /// Pure Ed25519 over the message.
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with this hash.
    RsaPkcs1(SignatureHash),
    /// RSASSA-PSS with MGF1 over the same hash.
    RsaPss {
        /// The message hash (and MGF1's).
        hash: SignatureHash,
        /// The salt length in bytes (usually the hash's length).
        salt_len: usize,
    },
}

impl Scheme {
    /// RSASSA-PSS with a salt as long as the hash, as Sigstore clients sign.
    pub fn rsa_pss(hash: SignatureHash) -> Self {
        Self::RsaPss {
            hash,
            salt_len: hash.output_len(),
        }
    }

    /// The scheme of an X.509 `signatureAlgorithm`: ECDSA or RSA PKCS #1 v1.5 with
    /// SHA-256/384/512, or RSASSA-PSS with those hashes and MGF1 of the same hash. SHA-1
    /// and everything else (Ed25519 too: the reference's chains never use it) is refused.
    pub fn from_x509(algorithm: &AlgorithmIdentifierOwned) -> Result<Self, AlgorithmError> {
        if let Some(scheme) = Self::with_hash_named(&algorithm.oid) {
            return Ok(scheme);
        }
        match algorithm.oid {
            oids::RSASSA_PSS => Self::pss_from_params(algorithm),
            oid => Err(AlgorithmError::Unsupported(oid)),
        }
    }

    /// The schemes whose identifier names the hash as well: ECDSA and RSA PKCS #1 v1.5
    /// with SHA-256/384/512.
    fn with_hash_named(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oids::ECDSA_WITH_SHA_256 => Self::Ecdsa(SignatureHash::Sha256),
            oids::ECDSA_WITH_SHA_384 => Self::Ecdsa(SignatureHash::Sha384),
            oids::ECDSA_WITH_SHA_512 => Self::Ecdsa(SignatureHash::Sha512),
            oids::SHA256_WITH_RSA => Self::RsaPkcs1(SignatureHash::Sha256),
            oids::SHA384_WITH_RSA => Self::RsaPkcs1(SignatureHash::Sha384),
            oids::SHA512_WITH_RSA => Self::RsaPkcs1(SignatureHash::Sha512),
            _ => return None,
        })
    }

    fn pss_from_params(algorithm: &AlgorithmIdentifierOwned) -> Result<Self, AlgorithmError> {
        let params: RsaPssParams<'_> = algorithm
            .parameters
            .as_ref()
            // Absent parameters mean the SHA-1 defaults.
            .ok_or(AlgorithmError::UnsupportedPss(
                "the default SHA-1 parameters",
            ))?
            .decode_as()
            .map_err(AlgorithmError::InvalidPssParameters)?;
        let hash = SignatureHash::from_oid(&params.hash.oid).ok_or(
            AlgorithmError::UnsupportedPss("a hash other than SHA-256, SHA-384 or SHA-512"),
        )?;
        // The `rsa` crate masks with MGF1 over the message hash, so nothing else can verify.
        if params.mask_gen.oid != oids::MGF1 {
            return Err(AlgorithmError::UnsupportedPss(
                "a mask generation function other than MGF1",
            ));
        }
        if params.mask_gen.parameters.map(|p| p.oid) != Some(params.hash.oid) {
            return Err(AlgorithmError::UnsupportedPss(
                "MGF1 with a hash different from the message hash",
            ));
        }
        Ok(Self::RsaPss {
            hash,
            salt_len: usize::from(params.salt_len),
        })
    }

    /// The scheme of a CMS `SignerInfo` (RFC 3161 timestamps): its signature algorithm,
    /// where a bare key OID (`ecPublicKey`, `rsaEncryption`, `RSASSA-PSS`) takes the hash
    /// from the digest algorithm, as RFC 5753 allows.
    pub fn from_cms(
        signature_algorithm: &ObjectIdentifier,
        digest: Option<SignatureHash>,
    ) -> Result<Self, AlgorithmError> {
        if let Some(scheme) = Self::with_hash_named(signature_algorithm) {
            return Ok(scheme);
        }
        let unsupported = || AlgorithmError::Unsupported(*signature_algorithm);
        Ok(match *signature_algorithm {
            oids::EC_PUBLIC_KEY => Self::Ecdsa(digest.ok_or_else(unsupported)?),
            oids::RSA_ENCRYPTION => Self::RsaPkcs1(digest.ok_or_else(unsupported)?),
            oids::RSASSA_PSS => Self::rsa_pss(digest.ok_or_else(unsupported)?),
            oids::ED25519 => Self::Ed25519,
            _ => return Err(unsupported()),
        })
    }
}

/// Why an algorithm identifier cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlgorithmError {
    /// An algorithm that is not supported (including SHA-1 based ones).
    #[error("unsupported signature algorithm {}", oids::describe(.0))]
    Unsupported(ObjectIdentifier),
    /// RSASSA-PSS parameters that cannot be decoded.
    #[error("malformed RSASSA-PSS parameters ({0})")]
    InvalidPssParameters(der::Error),
    /// RSASSA-PSS with a hash or mask function that is not supported.
    #[error("RSASSA-PSS with {0} is not supported")]
    UnsupportedPss(&'static str),
}

/// Why a key could not be used or a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The key bytes are not a valid key of their type.
    #[error("the public key is malformed ({0})")]
    InvalidKey(&'static str),
    /// An elliptic-curve key that cannot be used (a curve other than P-256, P-384 or
    /// P-521, or an invalid point).
    #[error("{0}")]
    InvalidEcKey(KeyError),
    /// A key type that is not supported.
    #[error("unsupported public key type {0}")]
    UnsupportedKey(String),
    /// `keyDetails` names a scheme that is not supported.
    #[error("unsupported key details '{0}'")]
    UnsupportedKeyDetails(String),
    /// `keyDetails` does not describe the key (e.g. P-384 details on a P-256 key).
    #[error("the key details '{0}' do not fit the key")]
    KeyDetailsMismatch(String),
    /// The signature scheme does not fit the key.
    #[error("the signature scheme does not fit the key type")]
    SchemeMismatch,
    /// The signature bytes are not well-formed for the scheme.
    #[error("the signature is malformed")]
    MalformedSignature,
    /// Well-formed but wrong.
    #[error("the signature does not verify")]
    BadSignature,
    /// Pure Ed25519 cannot verify a signature from a digest alone.
    #[error("an Ed25519 signature can only be checked against the whole message, not a digest")]
    DigestNotSupported,
}

impl VerifyingKey {
    /// Reads a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| CryptoError::InvalidKey("not a SubjectPublicKeyInfo"))?;
        let oid = spki.algorithm.oid;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CryptoError::InvalidKey("unaligned key bit string"))?;
        if oid == oids::EC_PUBLIC_KEY {
            PublicKey::from_spki(&spki)
                .map(Self::Ecdsa)
                .map_err(CryptoError::InvalidEcKey)
        } else if oid == oids::ED25519 {
            let bytes: [u8; 32] = bits
                .try_into()
                .map_err(|_| CryptoError::InvalidKey("an Ed25519 key is 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(Self::Ed25519)
                .map_err(|_| CryptoError::InvalidKey("invalid Ed25519 point"))
        } else if oid == oids::RSA_ENCRYPTION || oid == oids::RSASSA_PSS {
            let key = Self::rsa_from_pkcs1(bits)?;
            Ok(Self::Rsa {
                key,
                pss_only: oid == oids::RSASSA_PSS,
            })
        } else {
            Err(CryptoError::UnsupportedKey(oid.to_string()))
        }
    }

    /// Reads a DER PKCS #1 `RSAPublicKey` (as `PKCS1_*` key details carry).
    pub fn from_pkcs1_rsa_der(der: &[u8]) -> Result<Self, CryptoError> {
        Ok(Self::Rsa {
            key: Self::rsa_from_pkcs1(der)?,
            pss_only: false,
        })
    }

    fn rsa_from_pkcs1(der: &[u8]) -> Result<RsaPublicKey, CryptoError> {
        let key = rsa::pkcs1::RsaPublicKey::from_der(der)
            .map_err(|_| CryptoError::InvalidKey("not a PKCS #1 RSA public key"))?;
        RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(key.modulus.as_bytes()),
            BigUint::from_bytes_be(key.public_exponent.as_bytes()),
            MAX_RSA_BITS,
        )
        .map_err(|_| CryptoError::InvalidKey("RSA key out of range"))
    }

    /// Reads trust-root key material (`publicKey.rawBytes`) with its `keyDetails`
    /// (a `PublicKeyDetails` enum name), returning the key and the scheme it signs with.
    pub fn from_key_details(raw: &[u8], details: &str) -> Result<(Self, Scheme), CryptoError> {
        use SignatureHash::*;
        let mismatch = || CryptoError::KeyDetailsMismatch(details.to_string());
        let (scheme, curve) = match details {
            "PKIX_ECDSA_P256_SHA_256" => (Scheme::Ecdsa(Sha256), Some(Curve::P256)),
            "PKIX_ECDSA_P384_SHA_384" => (Scheme::Ecdsa(Sha384), Some(Curve::P384)),
            "PKIX_ECDSA_P521_SHA_512" => (Scheme::Ecdsa(Sha512), Some(Curve::P521)),
            "PKIX_ED25519" => (Scheme::Ed25519, None),
            "PKCS1_RSA_PKCS1V5"
            | "PKIX_RSA_PKCS1V5"
            | "PKIX_RSA_PKCS1V15_2048_SHA256"
            | "PKIX_RSA_PKCS1V15_3072_SHA256"
            | "PKIX_RSA_PKCS1V15_4096_SHA256" => (Scheme::RsaPkcs1(Sha256), None),
            "PKCS1_RSA_PSS"
            | "PKIX_RSA_PSS"
            | "PKIX_RSA_PSS_2048_SHA256"
            | "PKIX_RSA_PSS_3072_SHA256"
            | "PKIX_RSA_PSS_4096_SHA256" => (Scheme::rsa_pss(Sha256), None),
            other => return Err(CryptoError::UnsupportedKeyDetails(other.to_string())),
        };
        // `PKCS1_*` details carry a bare RSAPublicKey; everything else an SPKI. Either
        // form is read for RSA, since deployed trust roots are not consistent about it.
        let key = match Self::from_spki_der(raw) {
            Ok(key) => key,
            Err(e) if matches!(scheme, Scheme::RsaPkcs1(_) | Scheme::RsaPss { .. }) => {
                Self::from_pkcs1_rsa_der(raw).map_err(|_| e)?
            }
            Err(e) => return Err(e),
        };
        match (&key, scheme) {
            (Self::Ecdsa(k), Scheme::Ecdsa(_)) if Some(k.curve()) == curve => {}
            (Self::Ed25519(_), Scheme::Ed25519) => {}
            (Self::Rsa { .. }, Scheme::RsaPkcs1(_) | Scheme::RsaPss { .. }) => {}
            _ => return Err(mismatch()),
        }
        Ok((key, scheme))
    }

    /// The scheme a signer with this key uses by default: ECDSA with the curve's hash,
    /// Ed25519, RSA PKCS #1 v1.5 with SHA-256 (Fulcio leaves and Sigstore clients).
    pub fn default_scheme(&self) -> Scheme {
        match self {
            Self::Ecdsa(k) => Scheme::Ecdsa(k.curve().hash()),
            Self::Ed25519(_) => Scheme::Ed25519,
            Self::Rsa { .. } => Scheme::RsaPkcs1(SignatureHash::Sha256),
        }
    }

    /// The `PublicKeyDetails` name of [`VerifyingKey::default_scheme`], as Rekor v2
    /// entries record it.
    pub fn key_details(&self) -> &'static str {
        match self {
            Self::Ecdsa(k) => match k.curve() {
                Curve::P256 => "PKIX_ECDSA_P256_SHA_256",
                Curve::P384 => "PKIX_ECDSA_P384_SHA_384",
                Curve::P521 => "PKIX_ECDSA_P521_SHA_512",
            },
            Self::Ed25519(_) => "PKIX_ED25519",
            Self::Rsa { .. } => "PKIX_RSA_PKCS1V15_SHA256",
        }
    }

    /// Verifies `signature` over `message`.
    pub fn verify(
        &self,
        scheme: Scheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        match (self, scheme) {
            (Self::Ed25519(key), Scheme::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                key.verify_strict(message, &sig)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (_, Scheme::Ed25519) => Err(CryptoError::SchemeMismatch),
            (_, Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss { hash: h, .. }) => {
                self.verify_digest(scheme, &h.digest(message), signature)
            }
        }
    }

    /// Verifies `signature` over a message of which `digest` is the hash that `scheme`
    /// names (a "prehash"). Not possible for pure Ed25519.
    pub fn verify_digest(
        &self,
        scheme: Scheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        match (self, scheme) {
            (Self::Ecdsa(key), Scheme::Ecdsa(_)) => {
                let digest = pad_digest(digest, key.curve());
                key.verify_prehash(&digest, signature).map_err(|e| match e {
                    super::SignatureError::Malformed => CryptoError::MalformedSignature,
                    super::SignatureError::Mismatch => CryptoError::BadSignature,
                })
            }
            (
                Self::Rsa {
                    key,
                    pss_only: false,
                },
                Scheme::RsaPkcs1(h),
            ) => {
                let padding = match h {
                    SignatureHash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                    SignatureHash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                    SignatureHash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
                };
                key.verify(padding, digest, signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (Self::Rsa { key, .. }, Scheme::RsaPss { hash, salt_len }) => {
                let padding = match hash {
                    SignatureHash::Sha256 => Pss::new_with_salt::<Sha256>(salt_len),
                    SignatureHash::Sha384 => Pss::new_with_salt::<Sha384>(salt_len),
                    SignatureHash::Sha512 => Pss::new_with_salt::<Sha512>(salt_len),
                };
                key.verify(padding, digest, signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (Self::Ed25519(_), _) => Err(CryptoError::DigestNotSupported),
            _ => Err(CryptoError::SchemeMismatch),
        }
    }
}

/// X9.62 allows a digest shorter than the curve order (SHA-256 with P-521), which the
/// `ecdsa` crate refuses below half the field size; left zero-padding keeps the integer.
pub(crate) fn pad_digest(digest: &[u8], curve: Curve) -> Vec<u8> {
    let min: usize = match curve {
        Curve::P256 => 16,
        Curve::P384 => 24,
        Curve::P521 => 33,
    };
    let mut out = alloc::vec![0u8; min.saturating_sub(digest.len())];
    out.extend_from_slice(digest);
    out
}

/// A key found in PEM text: a `PUBLIC KEY` (SPKI) block, or the key of a `CERTIFICATE`.
pub fn key_from_pem(text: &[u8]) -> Result<VerifyingKey, CryptoError> {
    if let Ok(der) = super::pem_block(text, "PUBLIC KEY") {
        return VerifyingKey::from_spki_der(&der);
    }
    if let Ok(der) = super::pem_block(text, "RSA PUBLIC KEY") {
        return VerifyingKey::from_pkcs1_rsa_der(&der);
    }
    Err(CryptoError::InvalidKey("no PUBLIC KEY PEM block"))
}
