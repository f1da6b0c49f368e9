//! Reading proto3 JSON (the encoding of Sigstore bundles and trusted roots): camelCase
//! names (the snake_case originals are accepted too), `bytes` as base64, 64-bit integers
//! as strings or numbers, `null` as absent.
//!
//! Unknown fields are ignored (sigstore-go's protojson would refuse them, sigstore-js
//! ignores them): newer producers add fields, and ignoring what is not checked cannot
//! make a bundle verify that should not. Types and encodings of the fields that are
//! read are strict.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::{Map, Value};

/// A malformed field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{field}' {reason}")]
pub struct FormatError {
    /// Where.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

pub(crate) fn err(field: &str, reason: &str) -> FormatError {
    FormatError {
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

/// A JSON object.
pub(crate) type Obj = Map<String, Value>;

/// The field by its camelCase or snake_case name; `null` counts as absent.
pub(crate) fn get<'a>(obj: &'a Obj, camel: &str, snake: &str) -> Option<&'a Value> {
    obj.get(camel)
        .or_else(|| obj.get(snake))
        .filter(|v| !v.is_null())
}

pub(crate) fn require<'a>(
    obj: &'a Obj,
    camel: &str,
    snake: &str,
    path: &str,
) -> Result<&'a Value, FormatError> {
    get(obj, camel, snake).ok_or_else(|| err(&format!("{path}.{camel}"), "is missing"))
}

pub(crate) fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, FormatError> {
    v.as_object().ok_or_else(|| err(path, "is not an object"))
}

pub(crate) fn as_array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, FormatError> {
    v.as_array().ok_or_else(|| err(path, "is not a list"))
}

pub(crate) fn as_str<'a>(v: &'a Value, path: &str) -> Result<&'a str, FormatError> {
    v.as_str().ok_or_else(|| err(path, "is not a string"))
}

/// Decodes base64 as proto3 JSON allows it (standard or URL-safe alphabet, padding
/// optional) but nothing more: no whitespace, no other characters, no non-zero trailing
/// bits. Sigstore clients reject loosely encoded bytes, and so does this.
pub fn b64_strict(text: &str) -> Option<Vec<u8>> {
    const CONFIG: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    if text.contains(['-', '_']) {
        URL_SAFE.decode(text).ok()
    } else {
        STANDARD.decode(text).ok()
    }
}

pub(crate) fn as_bytes(v: &Value, path: &str) -> Result<Vec<u8>, FormatError> {
    b64_strict(as_str(v, path)?).ok_or_else(|| err(path, "is not valid base64"))
}

/// An `int64`/`uint64`: a JSON number or a string of decimal digits.
pub(crate) fn as_i64(v: &Value, path: &str) -> Result<i64, FormatError> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| err(path, "is not a 64-bit integer")),
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err(path, "is not a decimal integer"));
            }
            s.parse().map_err(|_| err(path, "is not a 64-bit integer"))
        }
        _ => Err(err(path, "is not an integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_base64() {
        assert_eq!(b64_strict("aGk="), Some(b"hi".to_vec()));
        assert_eq!(b64_strict("aGk"), Some(b"hi".to_vec()));
        assert_eq!(b64_strict("-_8="), Some(alloc::vec![0xfb, 0xff]));
        assert_eq!(b64_strict("aG k="), None);
        assert_eq!(b64_strict("aGk=\n"), None);
        assert_eq!(b64_strict("aGl="), None);
        assert_eq!(b64_strict("!!"), None);
    }

    #[test]
    fn int64() {
        assert_eq!(as_i64(&Value::from("735"), "x"), Ok(735));
        assert_eq!(as_i64(&Value::from(735), "x"), Ok(735));
        assert_eq!(as_i64(&Value::from("-1"), "x"), Ok(-1));
        assert!(as_i64(&Value::from("1e3"), "x").is_err());
        assert!(as_i64(&Value::from(""), "x").is_err());
        assert!(as_i64(&Value::from(1.5), "x").is_err());
    }
}
