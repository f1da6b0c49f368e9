//! `pem_keys`: PEM and key parsing.
//!
//! Input: text or DER (byte mutations). The same bytes go to every reader: as PEM to
//! `PublicKey::from_pem`, `keys::key_from_pem`, `keys::pem_blocks` (public key,
//! certificate, private key labels), `certificate::parse_pem_certificates`; as DER to
//! `PublicKey::from_spki_der`, `VerifyingKey::from_spki_der` and
//! `from_pkcs1_rsa_der`, `SigningKey::from_pkcs8_der` and `from_sec1_der`; and the DER
//! of each private key block to the private key readers.
//!
//! Properties: a public key read is written back (`to_pem`, `to_spki_der`) and reads
//! back equal, with the same hint; a PEM block written with `to_pem` is found again; a
//! private key read signs a message that its public key verifies.

use model_signing_core::certificate::parse_pem_certificates;
use model_signing_core::keys::{
    key_from_pem, pem_blocks, to_pem, PublicKey, SigningKey, VerifyingKey,
};

use crate::trace;

/// Labels whose blocks are looked for.
const LABELS: [&str; 5] = [
    "PUBLIC KEY",
    "CERTIFICATE",
    "PRIVATE KEY",
    "EC PRIVATE KEY",
    "RSA PUBLIC KEY",
];

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(key) = PublicKey::from_pem(data) {
        check_public_key(&key);
    }
    let _ = key_from_pem(data);
    let _ = parse_pem_certificates(data);
    for label in LABELS {
        let Ok(blocks) = pem_blocks(data, label) else {
            continue;
        };
        for der in blocks.iter().take(4) {
            let again =
                pem_blocks(to_pem(label, der).as_bytes(), label).expect("a PEM written reads");
            assert_eq!(
                again,
                std::slice::from_ref(der),
                "a PEM block changed when written back"
            );
            der_readers(der);
        }
    }
    der_readers(data);
}

fn der_readers(der: &[u8]) {
    if let Ok(key) = PublicKey::from_spki_der(der) {
        check_public_key(&key);
    }
    let _ = VerifyingKey::from_spki_der(der);
    let _ = VerifyingKey::from_pkcs1_rsa_der(der);
    for key in [
        SigningKey::from_pkcs8_der(der),
        SigningKey::from_sec1_der(der),
    ]
    .into_iter()
    .flatten()
    {
        trace!("pem_keys: private key on {:?}", key.curve());
        let public = key.public_key();
        check_public_key(&public);
        let message = b"fuzz";
        let sig = key.sign(message, &mut Deterministic(0));
        public
            .verify(message, &sig)
            .expect("a private key's signature verifies with its public key");
    }
}

fn check_public_key(key: &PublicKey) {
    let pem = key.to_pem();
    let again = PublicKey::from_pem(pem.as_bytes()).expect("a public key written reads back");
    assert_eq!(&again, key);
    assert_eq!(again.hint(), key.hint());
    assert_eq!(
        PublicKey::from_spki_der(&key.to_spki_der()).as_ref(),
        Ok(key)
    );
    assert_eq!(
        PublicKey::from_sec1_point(key.curve(), &key.sec1_point()).as_ref(),
        Ok(key)
    );
}

/// A deterministic RNG for the signature (the targets must be reproducible; the
/// signature's validity does not depend on the nonce's secrecy here).
struct Deterministic(u64);

impl rand_core::RngCore for Deterministic {
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
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for Deterministic {}
