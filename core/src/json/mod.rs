//! JSON: [`read`] helpers that every document reader uses, and a minimal writer with
//! exact control over layout and escaping.
//!
//! Parsing uses `serde_json`; writing needs two layouts it does not offer: the
//! protobuf `MessageToJson` style (2-space indent, `": "`, ASCII-only strings) that the
//! reference uses for statements, and compact JSON with a fixed field order for bundles.

pub mod read;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// A JSON value whose object fields keep the order they were given in.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A non-negative integer.
    UInt(u64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, fields in output order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(fields: impl IntoIterator<Item = (K, Json)>) -> Self {
        Self::Object(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// Compact output (no whitespace), non-ASCII written as UTF-8.
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    /// `MessageToJson` layout: 2-space indent, `": "`, every non-ASCII character escaped.
    pub fn to_pretty_ascii(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            Self::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_compact(out);
                }
                out.push(']');
            }
            Self::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k, false);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
            scalar => scalar.write_scalar(out, false),
        }
    }

    fn write_pretty(&self, out: &mut String, depth: usize) {
        let pad = |out: &mut String, d: usize| {
            out.push('\n');
            for _ in 0..d {
                out.push_str("  ");
            }
        };
        match self {
            Self::Array(items) if items.is_empty() => out.push_str("[]"),
            Self::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Self::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    pad(out, depth + 1);
                    v.write_pretty(out, depth + 1);
                }
                pad(out, depth);
                out.push(']');
            }
            Self::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    pad(out, depth + 1);
                    write_string(out, k, true);
                    out.push_str(": ");
                    v.write_pretty(out, depth + 1);
                }
                pad(out, depth);
                out.push('}');
            }
            scalar => scalar.write_scalar(out, true),
        }
    }

    fn write_scalar(&self, out: &mut String, ascii: bool) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::UInt(n) => {
                let _ = write!(out, "{n}");
            }
            Self::Str(s) => write_string(out, s, ascii),
            Self::Array(_) | Self::Object(_) => unreachable!("containers are written by callers"),
        }
    }
}

/// Writes `s` as a JSON string literal. With `ascii`, escapes like Python's
/// `json.dumps(ensure_ascii=True)`: every character outside space..`~` becomes `\uXXXX`
/// (lowercase hex, UTF-16 surrogate pairs above U+FFFF), except the short escapes.
pub fn write_string(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ascii && !(' '..='~').contains(&c)) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn pretty_layout_matches_message_to_json() {
        let j = Json::object([
            ("a", Json::str("caf\u{e9} \u{1f600}")),
            ("b", Json::Array(vec![])),
            (
                "c",
                Json::Array(vec![Json::object([
                    ("x", Json::UInt(8)),
                    ("y", Json::Bool(false)),
                ])]),
            ),
        ]);
        assert_eq!(
            j.to_pretty_ascii(),
            "{\n  \"a\": \"caf\\u00e9 \\ud83d\\ude00\",\n  \"b\": [],\n  \"c\": [\n    {\n      \"x\": 8,\n      \"y\": false\n    }\n  ]\n}"
        );
    }

    #[test]
    fn compact_and_escapes() {
        let j = Json::object([("k", Json::str("q\"\\\n\u{1}\u{7f}é"))]);
        assert_eq!(j.to_compact(), "{\"k\":\"q\\\"\\\\\\n\\u0001\u{7f}é\"}");
        let mut s = String::new();
        write_string(&mut s, "\u{7f}", true);
        assert_eq!(s, "\"\\u007f\"");
    }
}
