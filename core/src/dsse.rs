//! DSSE envelopes and their pre-authentication encoding (PAE).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

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
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The PAE of model_signing 0.2.x (verification only): capital `V`, and the payload
/// inserted as Python's `repr()` of a bytes object.
pub fn pae_compat(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEV1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(&python_bytes_repr(payload));
    out
}

/// `repr(bytes)` as CPython writes it: `b'...'` (or `b"..."` when the bytes contain `'`
/// and no `"`), with `\\`, the quote, `\t`, `\n`, `\r` escaped and other bytes outside
/// printable ASCII as `\xNN`.
pub fn python_bytes_repr(data: &[u8]) -> Vec<u8> {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = Vec::with_capacity(data.len() + 3);
    out.push(b'b');
    out.push(quote);
    for &b in data {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b if b == quote => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            b => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(quote);
    out
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
    }
}
