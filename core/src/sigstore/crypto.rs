//! The public keys Sigstore trust material and signers use, and signature checks with
//! them: ECDSA (P-256, P-384, P-521), Ed25519, and RSA with PKCS #1 v1.5 or PSS padding.
//! Verification only; everything is pure RustCrypto.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;
use der::Decode;
use rsa::pss::Pss;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoRef;

use crate::keys::{Curve, PublicKey, SignatureHash, OID_EC_PUBLIC_KEY};

const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// RSA moduli above this are refused, bounding the work an untrusted key can cause.
const MAX_RSA_BITS: usize = 16384;

/// A public key that checks signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyingKey {
    /// ECDSA on P-256, P-384 or P-521.
    Ecdsa(PublicKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// RSA.
    Rsa(RsaPublicKey),
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
    /// RSASSA-PSS with MGF1 and a salt as long as this hash.
    RsaPss(SignatureHash),
}

/// Why a key could not be used or a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The key bytes are not a valid key of their type.
    #[error("the public key is malformed ({0})")]
    InvalidKey(&'static str),
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
        if oid == OID_EC_PUBLIC_KEY {
            PublicKey::from_spki(&spki)
                .map(Self::Ecdsa)
                .map_err(|e| match e {
                    crate::keys::KeyError::UnsupportedCurve(c) => {
                        CryptoError::UnsupportedKey(alloc::format!("EC curve {c}"))
                    }
                    _ => CryptoError::InvalidKey("invalid EC point"),
                })
        } else if oid == OID_ED25519 {
            let bytes: [u8; 32] = bits
                .try_into()
                .map_err(|_| CryptoError::InvalidKey("an Ed25519 key is 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(Self::Ed25519)
                .map_err(|_| CryptoError::InvalidKey("invalid Ed25519 point"))
        } else if oid == OID_RSA_ENCRYPTION || oid == OID_RSA_PSS {
            Self::from_pkcs1_rsa_der(bits)
        } else {
            Err(CryptoError::UnsupportedKey(oid.to_string()))
        }
    }

    /// Reads a DER PKCS #1 `RSAPublicKey` (as `PKCS1_*` key details carry).
    pub fn from_pkcs1_rsa_der(der: &[u8]) -> Result<Self, CryptoError> {
        let key = rsa::pkcs1::RsaPublicKey::from_der(der)
            .map_err(|_| CryptoError::InvalidKey("not a PKCS #1 RSA public key"))?;
        RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(key.modulus.as_bytes()),
            BigUint::from_bytes_be(key.public_exponent.as_bytes()),
            MAX_RSA_BITS,
        )
        .map(Self::Rsa)
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
            | "PKIX_RSA_PSS_4096_SHA256" => (Scheme::RsaPss(Sha256), None),
            other => return Err(CryptoError::UnsupportedKeyDetails(other.to_string())),
        };
        // `PKCS1_*` details carry a bare RSAPublicKey; everything else an SPKI. Either
        // form is read for RSA, since deployed trust roots are not consistent about it.
        let key = match Self::from_spki_der(raw) {
            Ok(key) => key,
            Err(e) if matches!(scheme, Scheme::RsaPkcs1(_) | Scheme::RsaPss(_)) => {
                Self::from_pkcs1_rsa_der(raw).map_err(|_| e)?
            }
            Err(e) => return Err(e),
        };
        match (&key, scheme) {
            (Self::Ecdsa(k), Scheme::Ecdsa(_)) if Some(k.curve()) == curve => {}
            (Self::Ed25519(_), Scheme::Ed25519) => {}
            (Self::Rsa(_), Scheme::RsaPkcs1(_) | Scheme::RsaPss(_)) => {}
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
            Self::Rsa(_) => Scheme::RsaPkcs1(SignatureHash::Sha256),
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
            Self::Rsa(_) => "PKIX_RSA_PKCS1V15_SHA256",
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
            (_, Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss(h)) => {
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
                    crate::keys::SignatureError::Malformed => CryptoError::MalformedSignature,
                    crate::keys::SignatureError::Mismatch => CryptoError::BadSignature,
                })
            }
            (Self::Rsa(key), Scheme::RsaPkcs1(h)) => {
                let padding = match h {
                    SignatureHash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                    SignatureHash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                    SignatureHash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
                };
                key.verify(padding, digest, signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (Self::Rsa(key), Scheme::RsaPss(h)) => {
                let padding = match h {
                    SignatureHash::Sha256 => Pss::new::<Sha256>(),
                    SignatureHash::Sha384 => Pss::new::<Sha384>(),
                    SignatureHash::Sha512 => Pss::new::<Sha512>(),
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
fn pad_digest(digest: &[u8], curve: Curve) -> Vec<u8> {
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
    if let Ok(der) = crate::keys::pem_block(text, "PUBLIC KEY") {
        return VerifyingKey::from_spki_der(&der);
    }
    if let Ok(der) = crate::keys::pem_block(text, "RSA PUBLIC KEY") {
        return VerifyingKey::from_pkcs1_rsa_der(&der);
    }
    Err(CryptoError::InvalidKey("no PUBLIC KEY PEM block"))
}
