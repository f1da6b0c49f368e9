//! Reading keys and certificates from PEM files, including the encrypted private keys
//! the reference cannot open (PKCS #8 `ENCRYPTED PRIVATE KEY`, and OpenSSL's legacy
//! `Proc-Type: 4,ENCRYPTED` PEM).

use std::fs;
use std::path::{Path, PathBuf};

use aes::cipher::{BlockDecryptMut, KeyIvInit};
use md5::{Digest as _, Md5};
use model_signing_core::certificate::{parse_pem_certificates, CertificateError};
use model_signing_core::keys::{pem_block, KeyError, PublicKey, SigningKey};

/// Why a key or certificate file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file could not be read.
    #[error("cannot read '{path}': {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file holds no private key.
    #[error("'{0}' holds no PEM private key (expected '-----BEGIN PRIVATE KEY-----', '-----BEGIN EC PRIVATE KEY-----' or '-----BEGIN ENCRYPTED PRIVATE KEY-----')")]
    NoPrivateKey(PathBuf),
    /// The key is encrypted and no password was given.
    #[error("the private key '{0}' is encrypted, and no password was given")]
    PasswordRequired(PathBuf),
    /// A password was given for a key that is not encrypted.
    #[error("a password was given, but the private key '{0}' is not encrypted")]
    PasswordNotNeeded(PathBuf),
    /// Decryption failed.
    #[error("cannot decrypt the private key '{0}': wrong password, or an unsupported encryption")]
    Decrypt(PathBuf),
    /// The key's encryption is not supported.
    #[error("the private key '{path}' uses an unsupported encryption ({cipher}); convert it with `openssl pkcs8 -topk8`")]
    UnsupportedEncryption {
        /// The file.
        path: PathBuf,
        /// The cipher named in the file.
        cipher: String,
    },
    /// The key itself is unusable.
    #[error("cannot use the key in '{path}': {source}")]
    Key {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: KeyError,
    },
    /// The certificate file is unusable.
    #[error("cannot use the certificate file '{path}': {source}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// The cause.
        /// Boxed: certificate errors are large and this one is rare.
        source: Box<CertificateError>,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, KeyFileError> {
    fs::read(path).map_err(|source| KeyFileError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// What messages call a key or certificate given as bytes rather than as a file.
pub const IN_MEMORY: &str = "(given in memory)";

/// Loads an EC private key (P-256, P-384 or P-521) from a PEM file: PKCS #8, SEC1, or
/// either of them encrypted with `password`. Text before the PEM block is allowed.
pub fn load_private_key(path: &Path, password: Option<&[u8]>) -> Result<SigningKey, KeyFileError> {
    parse_private_key(&read(path)?, path, password)
}

/// [`load_private_key`] for PEM text already in memory.
pub fn private_key_from_pem(
    pem: &[u8],
    password: Option<&[u8]>,
) -> Result<SigningKey, KeyFileError> {
    parse_private_key(pem, Path::new(IN_MEMORY), password)
}

/// Reads a private key from `data`; `path` names it in errors.
fn parse_private_key(
    data: &[u8],
    path: &Path,
    password: Option<&[u8]>,
) -> Result<SigningKey, KeyFileError> {
    let key_err = |source| KeyFileError::Key {
        path: path.to_path_buf(),
        source,
    };
    let text = String::from_utf8_lossy(data);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let password =
            password.ok_or_else(|| KeyFileError::PasswordRequired(path.to_path_buf()))?;
        let der = pem_block(data, "ENCRYPTED PRIVATE KEY").map_err(key_err)?;
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice())
            .map_err(|_| key_err(KeyError::InvalidDer("PKCS #8 encrypted private key")))?;
        let plain = info
            .decrypt(password)
            .map_err(|_| KeyFileError::Decrypt(path.to_path_buf()))?;
        return SigningKey::from_pkcs8_der(plain.as_bytes())
            .map_err(|e| decrypted_key_err(path, e));
    }
    if text.contains("-----BEGIN PRIVATE KEY-----") {
        if password.is_some() {
            return Err(KeyFileError::PasswordNotNeeded(path.to_path_buf()));
        }
        let der = pem_block(data, "PRIVATE KEY").map_err(key_err)?;
        return SigningKey::from_pkcs8_der(&der).map_err(key_err);
    }
    if text.contains("-----BEGIN EC PRIVATE KEY-----") {
        if text.contains("Proc-Type: 4,ENCRYPTED") {
            let password =
                password.ok_or_else(|| KeyFileError::PasswordRequired(path.to_path_buf()))?;
            let (cipher, iv, body) =
                legacy_encrypted_body(&text, "EC PRIVATE KEY").ok_or_else(|| {
                    key_err(KeyError::InvalidDer(
                        "encrypted PEM (Proc-Type, DEK-Info, body)",
                    ))
                })?;
            let der = decrypt_legacy(path, &cipher, &iv, &body, password)?;
            return SigningKey::from_sec1_der(&der).map_err(|e| decrypted_key_err(path, e));
        }
        if password.is_some() {
            return Err(KeyFileError::PasswordNotNeeded(path.to_path_buf()));
        }
        let der = pem_block(data, "EC PRIVATE KEY").map_err(key_err)?;
        return SigningKey::from_sec1_der(&der).map_err(key_err);
    }
    if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
        return Err(key_err(KeyError::NotEllipticCurve("an RSA key")));
    }
    Err(KeyFileError::NoPrivateKey(path.to_path_buf()))
}

/// Loads an EC public key from a PEM file (`-----BEGIN PUBLIC KEY-----`).
pub fn load_public_key(path: &Path) -> Result<PublicKey, KeyFileError> {
    parse_public_key(&read(path)?, path)
}

/// [`load_public_key`] for PEM text already in memory.
pub fn public_key_from_pem(pem: &[u8]) -> Result<PublicKey, KeyFileError> {
    parse_public_key(pem, Path::new(IN_MEMORY))
}

fn parse_public_key(data: &[u8], path: &Path) -> Result<PublicKey, KeyFileError> {
    PublicKey::from_pem(data).map_err(|source| KeyFileError::Key {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads every certificate of every file, in order (DER).
pub fn load_certificates<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<Vec<u8>>, KeyFileError> {
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        out.extend(parse_certificates(&read(p)?, p)?);
    }
    Ok(out)
}

/// Every certificate of PEM text already in memory, in order (DER).
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, KeyFileError> {
    parse_certificates(pem, Path::new(IN_MEMORY))
}

fn parse_certificates(data: &[u8], path: &Path) -> Result<Vec<Vec<u8>>, KeyFileError> {
    parse_pem_certificates(data).map_err(|source| KeyFileError::Certificate {
        path: path.to_path_buf(),
        source: Box::new(source),
    })
}

/// A key that was just decrypted but does not parse: a wrong password can still yield
/// valid padding (about once in 256 tries), and then the plaintext is garbage.
fn decrypted_key_err(path: &Path, e: KeyError) -> KeyFileError {
    match e {
        KeyError::InvalidDer(_) => KeyFileError::Decrypt(path.to_path_buf()),
        source => KeyFileError::Key {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// For a legacy encrypted PEM block: (cipher name, IV, encrypted body).
fn legacy_encrypted_body(text: &str, label: &str) -> Option<(String, Vec<u8>, Vec<u8>)> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = text[start..].find(&end)? + start;
    let block = &text[start..stop];
    if !block.contains("Proc-Type: 4,ENCRYPTED") {
        return None;
    }
    let mut cipher = None;
    let mut body = String::new();
    let mut in_body = false;
    // The block starts with the rest of the BEGIN line (empty); only the blank line
    // after the headers starts the body.
    for line in block.lines().map(str::trim).skip_while(|l| l.is_empty()) {
        if let Some(info) = line.strip_prefix("DEK-Info:") {
            let (name, iv) = info.trim().split_once(',')?;
            cipher = Some((
                name.trim().to_string(),
                model_signing_core::encoding::unhex(iv.trim())?,
            ));
        } else if line.is_empty() {
            in_body = true;
        } else if in_body || !line.contains(':') {
            body.push_str(line);
        }
    }
    let (name, iv) = cipher?;
    Some((name, iv, model_signing_core::encoding::b64decode(&body)?))
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration, as legacy PEM encryption uses.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(password);
        h.update(salt);
        prev = h.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

fn decrypt_legacy(
    path: &Path,
    cipher: &str,
    iv: &[u8],
    body: &[u8],
    password: &[u8],
) -> Result<Vec<u8>, KeyFileError> {
    use cbc::cipher::block_padding::Pkcs7;
    let fail = || KeyFileError::Decrypt(path.to_path_buf());
    if iv.len() < 8 {
        return Err(fail());
    }
    let salt = &iv[..8];
    let out = match cipher {
        "AES-128-CBC" => {
            cbc::Decryptor::<aes::Aes128>::new_from_slices(&bytes_to_key(password, salt, 16), iv)
                .map_err(|_| fail())?
                .decrypt_padded_vec_mut::<Pkcs7>(body)
        }
        "AES-192-CBC" => {
            cbc::Decryptor::<aes::Aes192>::new_from_slices(&bytes_to_key(password, salt, 24), iv)
                .map_err(|_| fail())?
                .decrypt_padded_vec_mut::<Pkcs7>(body)
        }
        "AES-256-CBC" => {
            cbc::Decryptor::<aes::Aes256>::new_from_slices(&bytes_to_key(password, salt, 32), iv)
                .map_err(|_| fail())?
                .decrypt_padded_vec_mut::<Pkcs7>(body)
        }
        "DES-EDE3-CBC" => {
            cbc::Decryptor::<des::TdesEde3>::new_from_slices(&bytes_to_key(password, salt, 24), iv)
                .map_err(|_| fail())?
                .decrypt_padded_vec_mut::<Pkcs7>(body)
        }
        other => {
            return Err(KeyFileError::UnsupportedEncryption {
                path: path.to_path_buf(),
                cipher: other.to_string(),
            })
        }
    };
    out.map_err(|_| fail())
}
