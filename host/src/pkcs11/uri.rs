//! PKCS #11 URIs (RFC 7512), parsed with the rules of the Python reference
//! (`model_signing/_signing/pkcs11uri.py`, docs/format.md §12) and the syntax checks the RFC
//! asks for, which the reference skips.
//!
//! A URI is `pkcs11:` followed by path attributes separated by `;` (which token and which
//! object) and, after `?`, query attributes separated by `&` (which module, which PIN).
//! Values are percent-decoded to bytes: an `id` is binary, and labels may be any UTF-8.
//!
//! Compared with the reference, these URIs are refused here because RFC 7512 forbids them
//! (the reference accepts and then misreads them): a `%` not followed by two hex digits,
//! a character that must be percent-encoded (a space, `#`, `"`, non-ASCII, `/` in the
//! path, `;` in the query…), an attribute name that is empty or not made of letters,
//! digits, `-` and `_`, a `slot-id` that is not all digits, an empty `type`, and a
//! standard attribute in the wrong component (`pin-value` in the path, `token` in the
//! query). The scheme is matched case-insensitively, as RFC 3986 says.

use std::fmt;
use std::path::PathBuf;

use zeroize::Zeroize as _;

/// The two components of a PKCS #11 URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// Before `?`, attributes separated by `;`: they identify the token and the object.
    Path,
    /// After `?`, attributes separated by `&`: the module and the PIN.
    Query,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Path => "path",
            Self::Query => "query",
        })
    }
}

/// Why a string is not a usable PKCS #11 URI. No variant carries a PIN or any part of one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// The string does not start with `pkcs11:`.
    #[error("a PKCS #11 URI starts with 'pkcs11:', e.g. 'pkcs11:token=TOKEN;object=KEY?module-name=softhsm2&pin-source=file:/path/to/pin'")]
    MissingPrefix,
    /// An attribute without `=` (this includes an empty one, as in `a=1;;b=2`).
    #[error("malformed {component} attribute #{index}: expected NAME=VALUE")]
    MalformedAttribute {
        /// Where the attribute is.
        component: Component,
        /// Its position in the component, from 1.
        index: usize,
    },
    /// An attribute name that is empty or has characters other than letters, digits, `-`
    /// and `_`.
    #[error("{component} attribute #{index} has an invalid name '{name}': names are letters, digits, '-' and '_'")]
    InvalidName {
        /// Where the attribute is.
        component: Component,
        /// Its position in the component, from 1.
        index: usize,
        /// The name as written.
        name: String,
    },
    /// The same attribute twice in one component.
    #[error("duplicate {component} attribute '{name}'")]
    Duplicate {
        /// Where the attribute is.
        component: Component,
        /// Its name.
        name: String,
    },
    /// A standard attribute in the wrong component.
    #[error("'{name}' is a {expected} attribute: write it {}", placement(*.expected))]
    MisplacedAttribute {
        /// Its name.
        name: String,
        /// Where RFC 7512 puts it.
        expected: Component,
    },
    /// `pkcs11:...?` with nothing after the `?` (the reference refuses it too).
    #[error("the query after '?' is empty: remove the '?' or add attributes after it")]
    EmptyQuery,
    /// A `%` not followed by two hexadecimal digits.
    #[error("invalid percent-encoding in attribute '{name}': '%' must be followed by two hex digits (write a literal '%' as %25)")]
    InvalidPercentEncoding {
        /// The attribute.
        name: String,
    },
    /// A character that RFC 7512 requires to be percent-encoded in this component.
    #[error("the value of {component} attribute '{name}' contains {}, which must be percent-encoded in a PKCS #11 URI{}", describe(*.character), example(*.character))]
    InvalidCharacter {
        /// The attribute.
        name: String,
        /// Its component.
        component: Component,
        /// The character; `None` when the attribute is a PIN, which is never shown.
        character: Option<char>,
    },
    /// `slot-id` is not a decimal number within 32 bits.
    #[error("slot-id must be a decimal number from 0 to 4294967295 (got '{0}'); `pkcs11-tool -L` shows the slot ids")]
    InvalidSlotId(String),
    /// `library-version` is not `M` or `M.N`.
    #[error("library-version must be MAJOR or MAJOR.MINOR (got '{0}')")]
    InvalidLibraryVersion(String),
    /// `type` is not an object class RFC 7512 names.
    #[error("type must be one of public, private, cert, secret-key, data (got '{0}')")]
    InvalidType(String),
    /// Both `pin-source` and `pin-value`.
    #[error("pin-source and pin-value are mutually exclusive: keep one")]
    PinSourceAndValue,
    /// A relative `module-path`.
    #[error("module-path must be an absolute path (got '{0}')")]
    RelativeModulePath(String),
}

fn placement(expected: Component) -> &'static str {
    match expected {
        Component::Path => "before '?', separated by ';'",
        Component::Query => "after '?', separated by '&'",
    }
}

fn describe(character: Option<char>) -> String {
    match character {
        Some(c) if c.is_ascii_graphic() => format!("the character '{c}'"),
        Some(c) => format!("the character U+{:04X}", c as u32),
        None => "a character".into(),
    }
}

fn example(character: Option<char>) -> String {
    let Some(c) = character else {
        return String::new();
    };
    let mut buf = [0u8; 4];
    let encoded: String = c
        .encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    format!(" (as {encoded})")
}

/// Attributes RFC 7512 defines for the path; [`UriError::MisplacedAttribute`] when found
/// in the query.
const PATH_ATTRIBUTES: &[&str] = &[
    "id",
    "library-description",
    "library-manufacturer",
    "library-version",
    "manufacturer",
    "model",
    "object",
    "serial",
    "slot-description",
    "slot-id",
    "slot-manufacturer",
    "token",
    "type",
];

/// Attributes RFC 7512 defines for the query.
const QUERY_ATTRIBUTES: &[&str] = &["module-name", "module-path", "pin-source", "pin-value"];

/// Characters a value may hold unencoded in both components (RFC 7512 `pk11-unreserved`
/// and `pk11-p-res-avail`) besides letters and digits.
const VALUE_CHARS: &str = "-._~:[]@!$'()*+,=";

fn allowed_unencoded(c: char, component: Component) -> bool {
    c.is_ascii_alphanumeric()
        || VALUE_CHARS.contains(c)
        || match component {
            Component::Path => c == '&',
            Component::Query => matches!(c, '/' | '?' | '|'),
        }
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// A parsed PKCS #11 URI: the attributes of each component, percent-decoded, in the
/// order written.
///
/// Its `Debug` output hides `pin-value`, and the PIN's bytes are wiped when it is dropped.
///
/// ```
/// use model_signing::pkcs11::Pkcs11Uri;
///
/// let uri = Pkcs11Uri::parse("pkcs11:token=ML%20keys;id=%01%02?module-name=softhsm2&pin-value=1234")?;
/// assert_eq!(uri.token(), Some(&b"ML keys"[..]));
/// assert_eq!(uri.id(), Some(&[1u8, 2][..]));
/// assert_eq!(uri.redacted(), "pkcs11:token=ML%20keys;id=%01%02?module-name=softhsm2&pin-value=***");
/// # Ok::<(), model_signing::pkcs11::UriError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    path: Vec<(String, Vec<u8>)>,
    query: Vec<(String, Vec<u8>)>,
}

impl Drop for Pkcs11Uri {
    fn drop(&mut self) {
        for (name, value) in &mut self.query {
            if name == "pin-value" {
                value.zeroize();
            }
        }
    }
}

impl fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pkcs11Uri").field(&self.redacted()).finish()
    }
}

impl Pkcs11Uri {
    /// An empty URI (`pkcs11:`), to be filled with the `with_*` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses and validates `uri`.
    pub fn parse(uri: &str) -> Result<Self, UriError> {
        let rest = uri
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("pkcs11:"))
            .map(|_| &uri[7..])
            .ok_or(UriError::MissingPrefix)?;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut out = Self::new();
        if !path.is_empty() {
            for (i, text) in path.split(';').enumerate() {
                let (name, value) = parse_attribute(text, Component::Path, i + 1)?;
                out.push(Component::Path, name, value)?;
            }
        }
        if let Some(query) = query {
            if query.is_empty() {
                return Err(UriError::EmptyQuery);
            }
            for (i, text) in query.split('&').enumerate() {
                let (name, value) = parse_attribute(text, Component::Query, i + 1)?;
                out.push(Component::Query, name, value)?;
            }
        }
        out.validate()?;
        Ok(out)
    }

    fn push(&mut self, component: Component, name: String, value: Vec<u8>) -> Result<(), UriError> {
        let (list, other, other_names) = match component {
            Component::Path => (&mut self.path, Component::Query, QUERY_ATTRIBUTES),
            Component::Query => (&mut self.query, Component::Path, PATH_ATTRIBUTES),
        };
        if other_names.contains(&name.as_str()) {
            return Err(UriError::MisplacedAttribute {
                name,
                expected: other,
            });
        }
        if list.iter().any(|(n, _)| *n == name) {
            return Err(UriError::Duplicate { component, name });
        }
        list.push((name, value));
        Ok(())
    }

    /// The rules the reference checks after parsing (docs/format.md §12), with the RFC's
    /// stricter `slot-id` and `type` syntax.
    fn validate(&self) -> Result<(), UriError> {
        if let Some(v) = self.path_attribute("slot-id") {
            parse_slot_id(v).ok_or_else(|| UriError::InvalidSlotId(lossy(v)))?;
        }
        if let Some(v) = self.path_attribute("library-version") {
            let text = lossy(v);
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let ok = match text.split_once('.') {
                Some((major, minor)) => digits(major) && digits(minor),
                None => digits(&text),
            };
            if !ok {
                return Err(UriError::InvalidLibraryVersion(text));
            }
        }
        if let Some(v) = self.path_attribute("type") {
            if !matches!(
                v,
                b"public" | b"private" | b"cert" | b"secret-key" | b"data"
            ) {
                return Err(UriError::InvalidType(lossy(v)));
            }
        }
        if self.query_attribute("pin-source").is_some()
            && self.query_attribute("pin-value").is_some()
        {
            return Err(UriError::PinSourceAndValue);
        }
        if let Some(path) = self.module_path() {
            if !path.is_absolute() {
                return Err(UriError::RelativeModulePath(path.display().to_string()));
            }
        }
        Ok(())
    }

    /// The decoded value of a path attribute.
    pub fn path_attribute(&self, name: &str) -> Option<&[u8]> {
        self.path
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The decoded value of a query attribute.
    pub fn query_attribute(&self, name: &str) -> Option<&[u8]> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The token label (`token`).
    pub fn token(&self) -> Option<&[u8]> {
        self.path_attribute("token")
    }

    /// The object label (`object`).
    pub fn object(&self) -> Option<&[u8]> {
        self.path_attribute("object")
    }

    /// The object id (`id`), binary.
    pub fn id(&self) -> Option<&[u8]> {
        self.path_attribute("id")
    }

    /// The slot id (`slot-id`); validated by [`Pkcs11Uri::parse`].
    pub fn slot_id(&self) -> Option<u64> {
        self.path_attribute("slot-id").and_then(parse_slot_id)
    }

    /// `module-path`: the module itself, or a directory to search for `module-name`.
    pub fn module_path(&self) -> Option<PathBuf> {
        self.query_attribute("module-path").map(path_from_bytes)
    }

    /// `module-name`, lowercased (the reference compares it case-insensitively).
    pub fn module_name(&self) -> Option<String> {
        self.query_attribute("module-name")
            .map(|v| lossy(v).to_lowercase())
    }

    /// `pin-value`, the PIN itself.
    pub fn pin_value(&self) -> Option<&[u8]> {
        self.query_attribute("pin-value")
    }

    /// `pin-source`: where to read the PIN (`file:/abs/path` or `/abs/path`).
    pub fn pin_source(&self) -> Option<&[u8]> {
        self.query_attribute("pin-source")
    }

    /// Sets a path attribute (replacing any value it had), for building URIs in code.
    pub fn with_path_attribute(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        set(&mut self.path, name, value.into());
        self
    }

    /// Sets a query attribute (replacing any value it had).
    pub fn with_query_attribute(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        set(&mut self.query, name, value.into());
        self
    }

    /// The URI as text: values percent-encoded as the reference's `format()` does (every
    /// byte of `id` as `%XX`; elsewhere only what RFC 7512 requires). It includes any
    /// `pin-value`: use [`Pkcs11Uri::redacted`] for anything shown or logged.
    pub fn format(&self) -> String {
        self.format_with(false)
    }

    /// The URI without `pin-value` and `pin-source`: what may be shown to others (a
    /// web page listing the signers of the signing daemon).
    pub fn without_pin(&self) -> Self {
        let mut uri = self.clone();
        uri.query
            .retain(|(name, _)| name != "pin-value" && name != "pin-source");
        uri
    }

    /// [`Pkcs11Uri::format`] with the value of `pin-value` replaced by `***`.
    pub fn redacted(&self) -> String {
        self.format_with(true)
    }

    fn format_with(&self, redact_pin: bool) -> String {
        let mut out = String::from("pkcs11:");
        for (i, (name, value)) in self.path.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(name);
            out.push('=');
            escape_into(&mut out, value, Component::Path, name == "id");
        }
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(name);
            out.push('=');
            if redact_pin && name == "pin-value" {
                out.push_str("***");
            } else {
                escape_into(&mut out, value, Component::Query, false);
            }
        }
        out
    }
}

fn set(list: &mut Vec<(String, Vec<u8>)>, name: &str, value: Vec<u8>) {
    match list.iter_mut().find(|(n, _)| n == name) {
        Some((_, v)) => {
            v.zeroize();
            *v = value;
        }
        None => list.push((name.to_string(), value)),
    }
}

fn escape_into(out: &mut String, value: &[u8], component: Component, all: bool) {
    for &b in value {
        let c = char::from(b);
        if !all && b.is_ascii() && allowed_unencoded(c, component) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Splits `NAME=VALUE`, checks the name and decodes the value.
fn parse_attribute(
    text: &str,
    component: Component,
    index: usize,
) -> Result<(String, Vec<u8>), UriError> {
    let (name, raw) = text
        .split_once('=')
        .ok_or(UriError::MalformedAttribute { component, index })?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(UriError::InvalidName {
            component,
            index,
            name: name.to_string(),
        });
    }
    let secret = name == "pin-value";
    let mut value = Vec::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let digits = (chars.next(), chars.next());
            let byte = match digits {
                (Some(h), Some(l)) if h.is_ascii() && l.is_ascii() => hex_digit(h as u8)
                    .zip(hex_digit(l as u8))
                    .map(|(h, l)| h << 4 | l),
                _ => None,
            };
            match byte {
                Some(b) => value.push(b),
                None => {
                    value.zeroize();
                    return Err(UriError::InvalidPercentEncoding {
                        name: name.to_string(),
                    });
                }
            }
        } else if allowed_unencoded(c, component) {
            value.push(c as u8);
        } else {
            value.zeroize();
            return Err(UriError::InvalidCharacter {
                name: name.to_string(),
                component,
                character: (!secret).then_some(c),
            });
        }
    }
    Ok((name.to_string(), value))
}

/// `slot-id`: decimal digits only, at most 32 bits (the reference's limit).
fn parse_slot_id(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v)
        .ok()?
        .parse::<u64>()
        .ok()
        .filter(|&n| n <= 0xFFFF_FFFF)
}

fn lossy(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

#[cfg(unix)]
fn path_from_bytes(v: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt as _;
    PathBuf::from(std::ffi::OsStr::from_bytes(v))
}

#[cfg(not(unix))]
fn path_from_bytes(v: &[u8]) -> PathBuf {
    PathBuf::from(lossy(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Pkcs11Uri {
        Pkcs11Uri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> UriError {
        Pkcs11Uri::parse(s).expect_err(s)
    }

    #[test]
    fn token_object_and_query() {
        let uri = parse("pkcs11:token=bench;object=sigkey?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234");
        assert_eq!(uri.token(), Some(&b"bench"[..]));
        assert_eq!(uri.object(), Some(&b"sigkey"[..]));
        assert_eq!(uri.id(), None);
        assert_eq!(uri.slot_id(), None);
        assert_eq!(
            uri.module_path(),
            Some(PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
        );
        assert_eq!(uri.module_name(), None);
        assert_eq!(uri.pin_value(), Some(&b"1234"[..]));
        assert_eq!(uri.pin_source(), None);
    }

    #[test]
    fn percent_decoding_to_bytes() {
        let uri = parse("pkcs11:token=ML%20team%2F1;object=caf%C3%A9%3Bkey;id=%00%ff%0A?module-name=SoftHSM2&pin-value=p%26w");
        assert_eq!(uri.token(), Some(&b"ML team/1"[..]));
        assert_eq!(uri.object(), Some("café;key".as_bytes()));
        assert_eq!(uri.id(), Some(&[0u8, 0xff, 0x0a][..]));
        assert_eq!(uri.module_name().as_deref(), Some("softhsm2"));
        assert_eq!(uri.pin_value(), Some(&b"p&w"[..]));
    }

    #[test]
    fn reserved_characters_allowed_by_the_rfc() {
        // '=' may appear in a value; '&' in the path; '/', '?' and '|' in the query.
        let uri = parse("pkcs11:object=a=b&c:[x]@!$'()*+,~._-?pin-source=file:/run/pin?x|y");
        assert_eq!(uri.object(), Some(&b"a=b&c:[x]@!$'()*+,~._-"[..]));
        assert_eq!(uri.pin_source(), Some(&b"file:/run/pin?x|y"[..]));
    }

    #[test]
    fn empty_uri_and_scheme_case() {
        assert_eq!(parse("pkcs11:"), Pkcs11Uri::new());
        assert_eq!(parse("PKCS11:token=a").token(), Some(&b"a"[..]));
        // Empty values are allowed (except where the grammar says otherwise).
        assert_eq!(parse("pkcs11:object=").object(), Some(&b""[..]));
    }

    #[test]
    fn slot_id_forms() {
        assert_eq!(
            parse("pkcs11:slot-id=186067166").slot_id(),
            Some(186_067_166)
        );
        assert_eq!(parse("pkcs11:slot-id=0").slot_id(), Some(0));
        assert_eq!(
            parse("pkcs11:slot-id=4294967295").slot_id(),
            Some(0xFFFF_FFFF)
        );
        for bad in ["4294967296", "", "-1", "0x10", "1a", " 1", "%31%2B"] {
            let e = Pkcs11Uri::parse(&format!("pkcs11:slot-id={bad}")).expect_err(bad);
            assert!(
                matches!(
                    e,
                    UriError::InvalidSlotId(_) | UriError::InvalidCharacter { .. }
                ),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn missing_prefix() {
        for s in [
            "",
            "pkcs11",
            "token=a",
            "pkcs12:token=a",
            "file:pkcs11:token=a",
        ] {
            assert_eq!(err(s), UriError::MissingPrefix, "{s}");
        }
        // The message never repeats the input, which may hold a PIN.
        let msg = err("token=a?pin-value=4321").to_string();
        assert!(!msg.contains("4321"), "{msg}");
    }

    #[test]
    fn malformed_attributes() {
        assert_eq!(
            err("pkcs11:token"),
            UriError::MalformedAttribute {
                component: Component::Path,
                index: 1
            }
        );
        assert_eq!(
            err("pkcs11:token=a;;object=b"),
            UriError::MalformedAttribute {
                component: Component::Path,
                index: 2
            }
        );
        assert_eq!(
            err("pkcs11:token=a;"),
            UriError::MalformedAttribute {
                component: Component::Path,
                index: 2
            }
        );
        assert_eq!(
            err("pkcs11:token=a?module-name=x&pin-value"),
            UriError::MalformedAttribute {
                component: Component::Query,
                index: 2
            }
        );
        assert_eq!(err("pkcs11:token=a?"), UriError::EmptyQuery);
        assert_eq!(err("pkcs11:?"), UriError::EmptyQuery);
    }

    #[test]
    fn invalid_names() {
        assert!(matches!(
            err("pkcs11:=a"),
            UriError::InvalidName { index: 1, .. }
        ));
        assert!(matches!(
            err("pkcs11:to ken=a"),
            UriError::InvalidName { .. }
        ));
        assert!(matches!(
            err("pkcs11:token=a;x.y=b"),
            UriError::InvalidName { index: 2, .. }
        ));
        assert!(matches!(
            err("pkcs11:?%70in-value=1"),
            UriError::InvalidName { .. }
        ));
        // Vendor attributes are allowed.
        assert_eq!(
            parse("pkcs11:x-vendor_1=a").path_attribute("x-vendor_1"),
            Some(&b"a"[..])
        );
    }

    #[test]
    fn duplicates() {
        assert_eq!(
            err("pkcs11:token=a;token=b"),
            UriError::Duplicate {
                component: Component::Path,
                name: "token".into()
            }
        );
        assert_eq!(
            err("pkcs11:?module-name=a&module-name=b"),
            UriError::Duplicate {
                component: Component::Query,
                name: "module-name".into()
            }
        );
    }

    #[test]
    fn misplaced_standard_attributes() {
        assert_eq!(
            err("pkcs11:token=a;pin-value=1234"),
            UriError::MisplacedAttribute {
                name: "pin-value".into(),
                expected: Component::Query
            }
        );
        assert_eq!(
            err("pkcs11:?token=a"),
            UriError::MisplacedAttribute {
                name: "token".into(),
                expected: Component::Path
            }
        );
    }

    #[test]
    fn bad_percent_encoding() {
        for s in [
            "pkcs11:token=%",
            "pkcs11:token=%4",
            "pkcs11:token=%G1",
            "pkcs11:token=a%2",
            "pkcs11:id=%%41",
        ] {
            assert!(
                matches!(err(s), UriError::InvalidPercentEncoding { .. }),
                "{s}"
            );
        }
    }

    #[test]
    fn characters_that_must_be_encoded() {
        let cases = [
            ("pkcs11:token=My Token", ' '),
            ("pkcs11:object=a/b", '/'),
            ("pkcs11:object=a|b", '|'),
            ("pkcs11:token=a#b", '#'),
            ("pkcs11:token=\"a\"", '"'),
            ("pkcs11:token=café", 'é'),
            ("pkcs11:token=a?module-name=x;y", ';'),
            ("pkcs11:token=a?module-name=a b", ' '),
            ("pkcs11:token=a\tb", '\t'),
        ];
        for (s, c) in cases {
            match err(s) {
                UriError::InvalidCharacter { character, .. } => {
                    assert_eq!(character, Some(c), "{s}")
                }
                other => panic!("{s}: {other:?}"),
            }
        }
        // The first '?' starts the query, so `b` is a malformed query attribute.
        assert_eq!(
            err("pkcs11:object=a?b"),
            UriError::MalformedAttribute {
                component: Component::Query,
                index: 1
            }
        );
        let msg = err("pkcs11:token=My Token").to_string();
        assert!(msg.contains("' '") || msg.contains("U+0020"), "{msg}");
        assert!(msg.contains("%20"), "{msg}");
    }

    #[test]
    fn a_pin_is_never_shown_in_errors() {
        let e = err("pkcs11:token=a?pin-value=12 34");
        assert_eq!(
            e,
            UriError::InvalidCharacter {
                name: "pin-value".into(),
                component: Component::Query,
                character: None
            }
        );
        let msg = e.to_string();
        assert!(
            !msg.contains("12") && !msg.contains("34") && !msg.contains("%20"),
            "{msg}"
        );
        let e = err("pkcs11:token=a?pin-value=9%Z9");
        assert!(!e.to_string().contains('9'), "{e}");
        let uri = parse("pkcs11:token=a?pin-value=secret%21");
        assert!(!format!("{uri:?}").contains("secret"));
        assert!(!uri.redacted().contains("secret"));
    }

    #[test]
    fn validation_rules_of_the_reference() {
        assert_eq!(err("pkcs11:type=key"), UriError::InvalidType("key".into()));
        assert_eq!(err("pkcs11:type="), UriError::InvalidType(String::new()));
        for t in ["public", "private", "cert", "secret-key", "data"] {
            parse(&format!("pkcs11:type={t}"));
        }
        for v in ["1", "2.40", "10.0"] {
            parse(&format!("pkcs11:library-version={v}"));
        }
        for v in ["", "1.", ".1", "1.2.3", "v1"] {
            assert!(
                matches!(
                    err(&format!("pkcs11:library-version={v}")),
                    UriError::InvalidLibraryVersion(_)
                ),
                "{v}"
            );
        }
        assert_eq!(
            err("pkcs11:token=a?pin-value=1&pin-source=/p"),
            UriError::PinSourceAndValue
        );
        assert_eq!(
            err("pkcs11:token=a?module-path=lib/softhsm.so"),
            UriError::RelativeModulePath("lib/softhsm.so".into())
        );
        assert_eq!(
            parse("pkcs11:token=a?module-path=%2Fusr%2Flib%2Fpkcs11").module_path(),
            Some(PathBuf::from("/usr/lib/pkcs11"))
        );
    }

    #[test]
    fn format_round_trips() {
        let text = "pkcs11:token=ML%20team;object=k%3B1&x;id=%01%41?module-path=/usr/lib/a.so&pin-source=file:/p?q|r";
        let uri = parse(text);
        assert_eq!(uri.format(), text);
        assert_eq!(parse(&uri.format()), uri);
        let built = Pkcs11Uri::new()
            .with_path_attribute("token", "café")
            .with_path_attribute("id", [0xab, 0x01])
            .with_query_attribute("pin-value", "1 2")
            .with_query_attribute("pin-value", "12");
        assert_eq!(
            built.format(),
            "pkcs11:token=caf%C3%A9;id=%AB%01?pin-value=12"
        );
        assert_eq!(
            built.redacted(),
            "pkcs11:token=caf%C3%A9;id=%AB%01?pin-value=***"
        );
        assert_eq!(Pkcs11Uri::new().format(), "pkcs11:");
    }
}
