//! PEM text: finding blocks in files that may hold other text, and writing them as
//! OpenSSL and Python `cryptography` do.

use alloc::string::String;
use alloc::vec::Vec;

use super::KeyError;
use crate::encoding::{b64decode, b64encode};

/// Finds the first `-----BEGIN <label>-----` block in `text` (any text may surround it)
/// and returns its decoded body.
pub fn pem_block(text: &[u8], label: &'static str) -> Result<Vec<u8>, KeyError> {
    let text = String::from_utf8_lossy(text);
    let begin = alloc::format!("-----BEGIN {label}-----");
    let end = alloc::format!("-----END {label}-----");
    let start = text.find(&begin).ok_or(KeyError::NoPemBlock(label))? + begin.len();
    let stop = text[start..]
        .find(&end)
        .ok_or(KeyError::NoPemBlock(label))?
        + start;
    let body = &text[start..stop];
    if body.contains(':') {
        // Proc-Type/DEK-Info headers: a legacy encrypted key, handled by callers.
        return Err(KeyError::InvalidPemBase64);
    }
    b64decode(body).ok_or(KeyError::InvalidPemBase64)
}

/// Every `-----BEGIN <label>-----` block of `text`, in order.
pub fn pem_blocks(text: &[u8], label: &'static str) -> Result<Vec<Vec<u8>>, KeyError> {
    let s = String::from_utf8_lossy(text);
    let begin = alloc::format!("-----BEGIN {label}-----");
    let end = alloc::format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest: &str = &s;
    while let Some(i) = rest.find(&begin) {
        let after = &rest[i + begin.len()..];
        let j = after.find(&end).ok_or(KeyError::NoPemBlock(label))?;
        out.push(b64decode(&after[..j]).ok_or(KeyError::InvalidPemBase64)?);
        rest = &after[j + end.len()..];
    }
    Ok(out)
}

/// Wraps DER in PEM exactly as OpenSSL and Python `cryptography` write it: 64-character
/// lines and a trailing newline.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = b64encode(der);
    let mut out = alloc::format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(core::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&alloc::format!("-----END {label}-----\n"));
    out
}
