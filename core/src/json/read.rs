//! Reading JSON documents field by field, with errors that name the field's path.
//!
//! Used for every document the crate reads (bundles, statements, log entries, trusted
//! roots, signing configurations). The conventions are proto3 JSON's, which Sigstore
//! documents use and which the others are compatible with: a field may be written in
//! camelCase or in its snake_case original, and `null` counts as absent. Unknown fields
//! are ignored (newer producers add fields; ignoring what is not checked cannot make a
//! document verify that should not), while the fields that are read are typed strictly.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};

use crate::encoding::{b64decode, b64decode_strict};

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// A field that is missing or malformed, named by its path in the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// A required field is absent (or `null`).
    #[error("'{0}' is missing")]
    Missing(String),
    /// A field has the wrong type or an invalid value.
    #[error("'{field}' is invalid: {reason}")]
    Invalid {
        /// The field's path (`verificationMaterial.tlogEntries[0].logIndex`).
        field: String,
        /// What is wrong (`expected a string`).
        reason: String,
    },
}

impl FieldError {
    /// The text a document-specific error shows: `has no '{field}' field` or
    /// `'s '{field}' is invalid: {reason}`, after the document's name ("the signature
    /// bundle", "the signed statement").
    pub fn describe_in(&self, document: &str) -> String {
        match self {
            Self::Missing(field) => format!("{document} has no '{field}' field"),
            Self::Invalid { field, reason } => {
                format!("{document}'s '{field}' is invalid: {reason}")
            }
        }
    }

    /// The path of the field concerned.
    pub fn field(&self) -> &str {
        match self {
            Self::Missing(f) | Self::Invalid { field: f, .. } => f,
        }
    }
}

/// A malformed `field`; `reason` reads after "is invalid: " (`expected a string`).
pub(crate) fn invalid(field: &str, reason: &str) -> FieldError {
    FieldError::Invalid {
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

/// Bounds on a document's shape. The generic JSON tree costs up to thirty times its
/// text in memory (an array of a million zeros is 2 MB of text and 32 MB of tree), so a
/// cap on a document's size does not bound the work of parsing it; these do, checked by
/// a linear scan of the text before anything is built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The most values (objects, arrays, members and elements) the document may hold.
    pub max_values: usize,
    /// The deepest nesting of objects and arrays.
    pub max_depth: usize,
}

impl Limits {
    /// Generous for any document of a few thousand fields (bundles, log entries,
    /// trusted roots, signing configurations).
    pub(crate) const SMALL: Self = Self {
        max_values: 100_000,
        max_depth: 32,
    };
}

/// Parses a document within `limits`.
pub(crate) fn parse(data: &[u8], limits: Limits) -> Result<Value, String> {
    scan(data, limits)?;
    serde_json::from_slice(data).map_err(|e| e.to_string())
}

/// Counts the values and the nesting of a JSON text without building it. The count is
/// an upper bound (every `{`, `[` and `,` outside strings, plus one); malformed text is
/// left for the parser to describe.
fn scan(data: &[u8], limits: Limits) -> Result<(), String> {
    let mut values = 1usize;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in data {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(format!("nested more than {} levels deep", limits.max_depth));
                }
                values += 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => values += 1,
            _ => continue,
        }
        if values > limits.max_values {
            return Err(format!("more than {} values", limits.max_values));
        }
    }
    Ok(())
}

/// `parent.name`, or `name` at the top.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// The field `name`, or its snake_case original `alias`; `null` counts as absent.
pub(crate) fn get<'a>(obj: &'a Object, name: &str, alias: &str) -> Option<&'a Value> {
    obj.get(name)
        .or_else(|| obj.get(alias))
        .filter(|v| !v.is_null())
}

/// Like [`get`], but the field must be there; `parent` is the object's own path.
pub(crate) fn require<'a>(
    obj: &'a Object,
    name: &str,
    alias: &str,
    parent: &str,
) -> Result<&'a Value, FieldError> {
    get(obj, name, alias).ok_or_else(|| FieldError::Missing(join(parent, name)))
}

pub(crate) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Object, FieldError> {
    v.as_object()
        .ok_or_else(|| invalid(path, "expected an object"))
}

pub(crate) fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, FieldError> {
    v.as_array().ok_or_else(|| invalid(path, "expected a list"))
}

pub(crate) fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, FieldError> {
    v.as_str().ok_or_else(|| invalid(path, "expected a string"))
}

/// Bytes as proto3 JSON writes them: base64, either alphabet, padding optional, nothing
/// else (see [`b64decode_strict`]).
pub(crate) fn bytes(v: &Value, path: &str) -> Result<Vec<u8>, FieldError> {
    b64decode_strict(string(v, path)?).ok_or_else(|| invalid(path, "not valid base64"))
}

/// Bytes read as Python's `base64.b64decode` reads them (whitespace ignored), for the
/// parts of model signatures the reference reads that way.
pub(crate) fn bytes_lenient(v: &Value, path: &str) -> Result<Vec<u8>, FieldError> {
    b64decode(string(v, path)?).ok_or_else(|| invalid(path, "not valid base64"))
}

/// An `int64`/`uint64`: a JSON number or a string of decimal digits.
pub(crate) fn int64(v: &Value, path: &str) -> Result<i64, FieldError> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| invalid(path, "not a 64-bit integer")),
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(invalid(path, "not a decimal integer"));
            }
            s.parse().map_err(|_| invalid(path, "not a 64-bit integer"))
        }
        _ => Err(invalid(path, "expected an integer")),
    }
}

/// A list of strings.
pub(crate) fn strings(v: &Value, path: &str) -> Result<Vec<String>, FieldError> {
    array(v, path)?
        .iter()
        .map(|s| string(s, path).map(String::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_limits() {
        let limits = Limits {
            max_values: 6,
            max_depth: 3,
        };
        // Five values (the object, two members, the array's two elements count as
        // commas): within the limits, parsed as usual.
        let ok = br#"{"a": [1, 2], "b": "x,{[y"}"#;
        assert!(parse(ok, limits).is_ok());
        // Brackets and commas inside strings, escaped quotes included, do not count.
        assert!(parse(br#"["\",[[[[,,,,,,,"]"#, limits).is_ok());
        assert_eq!(
            parse(b"[0,0,0,0,0,0,0]", limits).unwrap_err(),
            "more than 6 values"
        );
        assert_eq!(
            parse(b"[[[[]]]]", limits).unwrap_err(),
            "nested more than 3 levels deep"
        );
        // A million-level nesting is refused by the scan, long before a parser's stack.
        let deep = alloc::vec![b'['; 1_000_000];
        assert!(parse(&deep, Limits::SMALL)
            .unwrap_err()
            .starts_with("nested more than"));
        // Malformed text within the limits is the parser's to describe.
        assert!(parse(b"{", limits).unwrap_err().contains("EOF"));
    }

    #[test]
    fn int64_forms() {
        assert_eq!(int64(&Value::from("735"), "x"), Ok(735));
        assert_eq!(int64(&Value::from(735), "x"), Ok(735));
        assert_eq!(int64(&Value::from("-1"), "x"), Ok(-1));
        assert!(int64(&Value::from("1e3"), "x").is_err());
        assert!(int64(&Value::from(""), "x").is_err());
        assert!(int64(&Value::from(1.5), "x").is_err());
    }

    #[test]
    fn paths_and_nulls() {
        let v: Value = serde_json::from_str(r#"{"a": null, "b_c": "x"}"#).unwrap();
        let o = object(&v, "doc").unwrap();
        assert_eq!(
            require(o, "a", "a", "doc"),
            Err(FieldError::Missing("doc.a".into()))
        );
        assert_eq!(string(get(o, "bC", "b_c").unwrap(), "doc.bC"), Ok("x"));
        assert_eq!(
            array(&v, "doc").unwrap_err().to_string(),
            "'doc' is invalid: expected a list"
        );
    }
}
