//! The elliptic-curve keys of model signatures (P-256, P-384, P-521): reading and
//! writing them, the bundle's key hint, and ECDSA with the curve's hash.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use der::asn1::{AnyRef, BitString, ObjectIdentifier};
use der::{Decode, Encode, Reader as _};
use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use rand_core::CryptoRngCore;
use sha2::{Digest as _, Sha256};
use spki::{AlgorithmIdentifier, SubjectPublicKeyInfoRef};

use super::{pem_block, to_pem, Curve, KeyError, SignatureError, SignatureHash};
use crate::encoding::hex;
use crate::oids;

/// What a non-EC key is, for messages.
fn not_ec_kind(oid: &ObjectIdentifier) -> &'static str {
    match *oid {
        oids::RSA_ENCRYPTION => "an RSA key",
        oids::ED25519 => "an Ed25519 key",
        _ => "a key of an unknown type",
    }
}

/// An ECDSA public key on one of the supported curves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// P-521.
    P521(P521Key),
}

/// A P-521 verifying key (wrapped because `p521`'s type lacks `PartialEq`/`Debug`).
#[derive(Clone)]
pub struct P521Key(pub p521::ecdsa::VerifyingKey);

impl PartialEq for P521Key {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_encoded_point(false) == other.0.to_encoded_point(false)
    }
}
impl Eq for P521Key {}
impl fmt::Debug for P521Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P521Key({})",
            hex(self.0.to_encoded_point(false).as_bytes())
        )
    }
}

impl PublicKey {
    /// Reads a `SubjectPublicKeyInfo` (DER).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| KeyError::InvalidDer("SubjectPublicKeyInfo"))?;
        Self::from_spki(&spki)
    }

    /// Reads a parsed `SubjectPublicKeyInfo`.
    pub fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self, KeyError> {
        let curve = ec_curve(&spki.algorithm)?;
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or(KeyError::InvalidDer("public key bit string"))?;
        Self::from_sec1_point(curve, point)
    }

    /// Reads an encoded curve point (uncompressed or compressed).
    pub fn from_sec1_point(curve: Curve, point: &[u8]) -> Result<Self, KeyError> {
        let bad = || KeyError::InvalidKeyMaterial(curve);
        Ok(match curve {
            Curve::P256 => {
                Self::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad())?)
            }
            Curve::P384 => {
                Self::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad())?)
            }
            Curve::P521 => Self::P521(P521Key(
                p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad())?,
            )),
        })
    }

    /// Reads the first `PUBLIC KEY` PEM block of `text` (text before it is allowed, as in
    /// files written by GnuTLS `certtool`).
    pub fn from_pem(text: &[u8]) -> Result<Self, KeyError> {
        Self::from_spki_der(&pem_block(text, "PUBLIC KEY")?)
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        match self {
            Self::P256(_) => Curve::P256,
            Self::P384(_) => Curve::P384,
            Self::P521(_) => Curve::P521,
        }
    }

    /// The uncompressed point.
    pub fn sec1_point(&self) -> Vec<u8> {
        match self {
            Self::P256(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            Self::P384(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            Self::P521(k) => k.0.to_encoded_point(false).as_bytes().to_vec(),
        }
    }

    /// DER `SubjectPublicKeyInfo` with a named curve and an uncompressed point.
    pub fn to_spki_der(&self) -> Vec<u8> {
        let curve_oid = self.curve().oid();
        let point = self.sec1_point();
        let spki = spki::SubjectPublicKeyInfo {
            algorithm: AlgorithmIdentifier {
                oid: oids::EC_PUBLIC_KEY,
                parameters: Some(AnyRef::from(&curve_oid)),
            },
            subject_public_key: BitString::from_bytes(&point).expect("point fits a bit string"),
        };
        spki.to_der().expect("SPKI encodes")
    }

    /// PEM of [`PublicKey::to_spki_der`], byte for byte as Python `cryptography` writes it.
    pub fn to_pem(&self) -> String {
        to_pem("PUBLIC KEY", &self.to_spki_der())
    }

    /// The bundle's key hint: lowercase hex SHA-256 of the PEM text (not of the DER).
    pub fn hint(&self) -> String {
        hex(&Sha256::digest(self.to_pem().as_bytes()))
    }

    /// Verifies a DER ECDSA signature over `message`, hashed with the curve's hash.
    pub fn verify(&self, message: &[u8], signature_der: &[u8]) -> Result<(), SignatureError> {
        self.verify_with(self.curve().hash(), message, signature_der)
    }

    /// Verifies a DER ECDSA signature over `message` hashed with `hash`.
    pub fn verify_with(
        &self,
        hash: SignatureHash,
        message: &[u8],
        signature_der: &[u8],
    ) -> Result<(), SignatureError> {
        self.verify_prehash(&hash.digest(message), signature_der)
    }

    /// Verifies a DER ECDSA signature over an already computed digest.
    pub fn verify_prehash(
        &self,
        digest: &[u8],
        signature_der: &[u8],
    ) -> Result<(), SignatureError> {
        match self {
            Self::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| SignatureError::Malformed)?;
                k.verify_prehash(digest, &sig)
            }
            Self::P384(k) => {
                let sig = p384::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| SignatureError::Malformed)?;
                k.verify_prehash(digest, &sig)
            }
            Self::P521(k) => {
                let sig = p521::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| SignatureError::Malformed)?;
                k.0.verify_prehash(digest, &sig)
            }
        }
        .map_err(|_| SignatureError::Mismatch)
    }
}

/// Converts a raw `r || s` signature (as PKCS #11 returns) to DER.
pub fn raw_signature_to_der(curve: Curve, raw: &[u8]) -> Result<Vec<u8>, SignatureError> {
    Ok(match curve {
        Curve::P256 => p256::ecdsa::Signature::from_slice(raw)
            .map_err(|_| SignatureError::Malformed)?
            .to_der()
            .as_bytes()
            .to_vec(),
        Curve::P384 => p384::ecdsa::Signature::from_slice(raw)
            .map_err(|_| SignatureError::Malformed)?
            .to_der()
            .as_bytes()
            .to_vec(),
        Curve::P521 => p521::ecdsa::Signature::from_slice(raw)
            .map_err(|_| SignatureError::Malformed)?
            .to_der()
            .as_bytes()
            .to_vec(),
    })
}

/// An ECDSA private key on one of the supported curves.
#[derive(Clone)]
pub enum SigningKey {
    /// P-256.
    P256(p256::ecdsa::SigningKey),
    /// P-384.
    P384(p384::ecdsa::SigningKey),
    /// P-521.
    P521(p521::ecdsa::SigningKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        write!(f, "SigningKey({})", self.curve())
    }
}

impl SigningKey {
    /// Reads an unencrypted PKCS #8 `PrivateKeyInfo` (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8_info(der)?;
        let curve = ec_curve(&info.algorithm)?;
        Self::from_sec1_der_on(curve, info.private_key)
    }

    /// Reads a SEC1 `ECPrivateKey` (DER), whose parameters name the curve.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = sec1::EcPrivateKey::from_der(der)
            .map_err(|_| KeyError::InvalidDer("EC private key"))?;
        let curve_oid = key
            .parameters
            .and_then(|p| p.named_curve())
            .ok_or(KeyError::UnsupportedCurve("unnamed curve".into()))?;
        let curve = Curve::from_oid(&curve_oid)
            .ok_or_else(|| KeyError::UnsupportedCurve(alloc::format!("{curve_oid}")))?;
        Self::from_sec1_der_on(curve, der)
    }

    fn from_sec1_der_on(curve: Curve, der: &[u8]) -> Result<Self, KeyError> {
        let bad = || KeyError::InvalidKeyMaterial(curve);
        Ok(match curve {
            Curve::P256 => Self::P256(
                p256::SecretKey::from_sec1_der(der)
                    .map_err(|_| bad())?
                    .into(),
            ),
            Curve::P384 => Self::P384(
                p384::SecretKey::from_sec1_der(der)
                    .map_err(|_| bad())?
                    .into(),
            ),
            Curve::P521 => {
                let secret = p521::SecretKey::from_sec1_der(der).map_err(|_| bad())?;
                Self::P521(
                    p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).map_err(|_| bad())?,
                )
            }
        })
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        match self {
            Self::P256(_) => Curve::P256,
            Self::P384(_) => Curve::P384,
            Self::P521(_) => Curve::P521,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::P256(k) => PublicKey::P256(*k.verifying_key()),
            Self::P384(k) => PublicKey::P384(*k.verifying_key()),
            Self::P521(k) => PublicKey::P521(P521Key(p521::ecdsa::VerifyingKey::from(k))),
        }
    }

    /// Signs `message` with the curve's hash and returns a DER signature. The nonce is
    /// hedged: RFC 6979 mixed with fresh randomness from `rng` (P-256, P-384), or drawn
    /// from `rng` (P-521, which has no RFC 6979 support in its crate).
    pub fn sign(&self, message: &[u8], rng: &mut impl CryptoRngCore) -> Vec<u8> {
        let digest = self.curve().hash().digest(message);
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash_with_rng(rng, &digest)
                    .expect("digest length is valid");
                sig.to_der().as_bytes().to_vec()
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash_with_rng(rng, &digest)
                    .expect("digest length is valid");
                sig.to_der().as_bytes().to_vec()
            }
            Self::P521(k) => {
                let sig: p521::ecdsa::Signature = k
                    .sign_prehash_with_rng(rng, &digest)
                    .expect("digest length is valid");
                sig.to_der().as_bytes().to_vec()
            }
        }
    }
}

/// The named curve of an `ecPublicKey` algorithm identifier (of a public key's SPKI or a
/// private key's PKCS #8 structure); other algorithms and explicit parameters are refused.
fn ec_curve(algorithm: &AlgorithmIdentifier<AnyRef<'_>>) -> Result<Curve, KeyError> {
    if algorithm.oid != oids::EC_PUBLIC_KEY {
        return Err(KeyError::NotEllipticCurve(not_ec_kind(&algorithm.oid)));
    }
    let curve_oid: ObjectIdentifier = algorithm
        .parameters
        .ok_or(KeyError::InvalidDer("EC parameters"))?
        .decode_as()
        .map_err(|_| KeyError::UnsupportedCurve("explicit parameters".into()))?;
    Curve::from_oid(&curve_oid)
        .ok_or_else(|| KeyError::UnsupportedCurve(alloc::format!("{curve_oid}")))
}

fn pkcs8_info(der: &[u8]) -> Result<PrivateKeyInfoRef<'_>, KeyError> {
    PrivateKeyInfoRef::from_der(der).map_err(|_| KeyError::InvalidDer("PKCS #8 private key"))
}

/// The fields of a PKCS #8 `PrivateKeyInfo` that key loading needs.
struct PrivateKeyInfoRef<'a> {
    algorithm: AlgorithmIdentifier<AnyRef<'a>>,
    private_key: &'a [u8],
}

impl<'a> der::DecodeValue<'a> for PrivateKeyInfoRef<'a> {
    fn decode_value<R: der::Reader<'a>>(reader: &mut R, header: der::Header) -> der::Result<Self> {
        reader.read_nested(header.length, |reader| {
            let _version = u8::decode(reader)?;
            let algorithm = AlgorithmIdentifier::decode(reader)?;
            let private_key = der::asn1::OctetStringRef::decode(reader)?.as_bytes();
            // Optional attributes and public key follow; they are not needed.
            while !reader.is_finished() {
                let _ = der::asn1::AnyRef::decode(reader)?;
            }
            Ok(Self {
                algorithm,
                private_key,
            })
        })
    }
}

impl der::FixedTag for PrivateKeyInfoRef<'_> {
    const TAG: der::Tag = der::Tag::Sequence;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::keys::pem_block;

    const REPO_PUB: &[u8] = include_bytes!(
        "../../../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key-pub.pem"
    );
    const REPO_PRIV: &[u8] = include_bytes!(
        "../../../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key.pem"
    );
    const P256_PRIV: &[u8] =
        include_bytes!("../../../tests/vectors/model-transparency/generated-v1.1.1/keys/p256.pem");
    const P256_PUB: &[u8] = include_bytes!(
        "../../../tests/vectors/model-transparency/generated-v1.1.1/keys/p256-pub.pem"
    );
    const P521_PRIV: &[u8] =
        include_bytes!("../../../tests/vectors/model-transparency/generated-v1.1.1/keys/p521.pem");
    const P521_PUB: &[u8] = include_bytes!(
        "../../../tests/vectors/model-transparency/generated-v1.1.1/keys/p521-pub.pem"
    );

    /// A deterministic generator; fine for tests, never for real keys.
    pub(crate) struct TestRng(pub u64);
    impl rand_core::RngCore for TestRng {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            rand_core::impls::fill_bytes_via_next(self, dest)
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }
    impl rand_core::CryptoRng for TestRng {}

    #[test]
    fn hint_of_repo_key() {
        let key = PublicKey::from_pem(REPO_PUB).unwrap();
        assert_eq!(key.curve(), Curve::P384);
        assert_eq!(
            key.hint(),
            "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e"
        );
    }

    #[test]
    fn sign_verify_every_curve() {
        let sec1 =
            SigningKey::from_sec1_der(&pem_block(REPO_PRIV, "EC PRIVATE KEY").unwrap()).unwrap();
        let p256 =
            SigningKey::from_pkcs8_der(&pem_block(P256_PRIV, "PRIVATE KEY").unwrap()).unwrap();
        let p521 =
            SigningKey::from_pkcs8_der(&pem_block(P521_PRIV, "PRIVATE KEY").unwrap()).unwrap();
        for (key, public) in [(sec1, REPO_PUB), (p256, P256_PUB), (p521, P521_PUB)] {
            let public = PublicKey::from_pem(public).unwrap();
            assert_eq!(key.public_key(), public);
            let sig = key.sign(b"hello", &mut TestRng(7));
            public.verify(b"hello", &sig).unwrap();
            assert_eq!(public.verify(b"hellO", &sig), Err(SignatureError::Mismatch));
            assert_eq!(
                public.verify(b"hello", b"junk"),
                Err(SignatureError::Malformed)
            );
            assert_eq!(
                PublicKey::from_spki_der(&public.to_spki_der()).unwrap(),
                public
            );
        }
    }

    #[test]
    fn pem_errors() {
        assert_eq!(
            PublicKey::from_pem(b"nothing"),
            Err(KeyError::NoPemBlock("PUBLIC KEY"))
        );
        assert!(matches!(
            PublicKey::from_pem(b"-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n"),
            Err(KeyError::InvalidPemBase64)
        ));
    }
}
