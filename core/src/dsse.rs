//! DSSE envelopes and their pre-authentication encoding (PAE).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::keys::SignatureHash;

/// The payload type of every model signature.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// One signature of an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The signature bytes (DER ECDSA for model signatures).
    pub sig: Vec<u8>,
    /// The key id; `Some("")` for current traditional signatures, `None` when absent or null.
    pub keyid: Option<String>,
}

/// A DSSE envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The signed payload (the in-toto statement).
    pub payload: Vec<u8>,
    /// Its type.
    pub payload_type: String,
    /// Signatures; model signatures have exactly one.
    pub signatures: Vec<EnvelopeSignature>,
}

/// The standard DSSE v1 PAE: `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    write_pae(payload_type, payload, |part| out.extend_from_slice(part));
    out
}

/// The digest of [`pae`] under `hash`, without building the PAE: a large payload is
/// hashed where it lies, never copied.
pub fn pae_digest(hash: SignatureHash, payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut h = hash.hasher();
    write_pae(payload_type, payload, |part| h.update(part));
    h.finalize()
}

fn write_pae(payload_type: &str, payload: &[u8], mut out: impl FnMut(&[u8])) {
    let header = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    out(header.as_bytes());
    out(payload);
}

/// The PAE of model_signing 0.2.x (verification only): capital `V`, and the payload
/// inserted as Python's `repr()` of a bytes object.
pub fn pae_compat(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    write_pae_compat(payload_type, payload, |part| out.extend_from_slice(part));
    out
}

/// The digest of [`pae_compat`] under `hash`, without building it (the `repr()` of a
/// payload can be four times its size).
pub fn pae_compat_digest(hash: SignatureHash, payload_type: &str, payload: &[u8]) -> Vec<u8> {
    // The escapes come in parts of a few bytes: gathered, so that the hash sees few
    // large updates.
    const GATHER: usize = 1 << 16;
    let mut h = hash.hasher();
    let mut gathered = Vec::with_capacity(GATHER);
    write_pae_compat(payload_type, payload, |part| {
        if gathered.len() + part.len() > GATHER {
            h.update(&gathered);
            gathered.clear();
        }
        if part.len() >= GATHER {
            h.update(part);
        } else {
            gathered.extend_from_slice(part);
        }
    });
    h.update(&gathered);
    h.finalize()
}

fn write_pae_compat(payload_type: &str, payload: &[u8], mut out: impl FnMut(&[u8])) {
    let header = format!(
        "DSSEV1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    out(header.as_bytes());
    write_python_bytes_repr(payload, out);
}

/// `repr(bytes)` as CPython writes it: `b'...'` (or `b"..."` when the bytes contain `'`
/// and no `"`), with `\\`, the quote, `\t`, `\n`, `\r` escaped and other bytes outside
/// printable ASCII as `\xNN`.
pub fn python_bytes_repr(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 3);
    write_python_bytes_repr(data, |part| out.extend_from_slice(part));
    out
}

/// [`python_bytes_repr`] in parts: runs of bytes written as they are, and escapes.
fn write_python_bytes_repr(data: &[u8], mut out: impl FnMut(&[u8])) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    out(&[b'b', quote]);
    let mut run = 0;
    for (i, &b) in data.iter().enumerate() {
        let escape: Option<([u8; 4], usize)> = match b {
            b'\\' | b'\t' | b'\n' | b'\r' => {
                let letter = match b {
                    b'\t' => b't',
                    b'\n' => b'n',
                    b'\r' => b'r',
                    _ => b'\\',
                };
                Some(([b'\\', letter, 0, 0], 2))
            }
            b if b == quote => Some(([b'\\', b, 0, 0], 2)),
            0x20..=0x7e => None,
            b => Some((
                [
                    b'\\',
                    b'x',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 15)],
                ],
                4,
            )),
        };
        if let Some((escape, len)) = escape {
            out(&data[run..i]);
            out(&escape[..len]);
            run = i + 1;
        }
    }
    out(&data[run..]);
    out(&[quote]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_pae() {
        assert_eq!(
            pae(IN_TOTO_PAYLOAD_TYPE, b"{}"),
            b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec()
        );
    }

    #[test]
    fn compat_pae_uses_python_repr() {
        assert_eq!(
            pae_compat(IN_TOTO_PAYLOAD_TYPE, b"{\n}"),
            b"DSSEV1 28 application/vnd.in-toto+json 3 b'{\\n}'".to_vec()
        );
        assert_eq!(python_bytes_repr(b"it's"), b"b\"it's\"".to_vec());
        assert_eq!(python_bytes_repr(b"'\""), b"b'\\'\"'".to_vec());
        assert_eq!(
            python_bytes_repr(b"\x00\xff\\"),
            b"b'\\x00\\xff\\\\'".to_vec()
        );
        assert_eq!(python_bytes_repr(b""), b"b''".to_vec());
        assert_eq!(
            python_bytes_repr(b"a\tb\rc\x7fd\x1f"),
            b"b'a\\tb\\rc\\x7fd\\x1f'".to_vec()
        );
    }

    /// The digests are those of the built encodings, for every byte value.
    #[test]
    fn digests_match_the_encodings() {
        let payload: Vec<u8> = (0..=255u8).chain(*b"it's \"q\" {}").collect();
        for hash in [SignatureHash::Sha256, SignatureHash::Sha384] {
            for p in [&payload[..], b"", b"{}"] {
                assert_eq!(
                    pae_digest(hash, IN_TOTO_PAYLOAD_TYPE, p),
                    hash.digest(&pae(IN_TOTO_PAYLOAD_TYPE, p))
                );
                assert_eq!(
                    pae_compat_digest(hash, IN_TOTO_PAYLOAD_TYPE, p),
                    hash.digest(&pae_compat(IN_TOTO_PAYLOAD_TYPE, p))
                );
            }
        }
    }
}
