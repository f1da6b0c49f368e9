//! Hex and base64 helpers shared by the format modules.

use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;

/// Lowercase hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// Decodes hexadecimal (either case). `None` if the text is not an even number of hex digits.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    bytes
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// Standard base64 with padding, as every bytes field of a bundle uses.
pub fn b64encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes base64 leniently, like Python's `base64.b64decode`: standard or URL-safe
/// alphabet, padding optional, and ASCII whitespace ignored.
pub fn b64decode(text: &str) -> Option<Vec<u8>> {
    let plain = !text
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b == b'-' || b == b'_');
    // The usual case decodes in place; only unusual text is copied to be cleaned.
    let cleaned: alloc::borrow::Cow<'_, str> = if plain {
        alloc::borrow::Cow::Borrowed(text)
    } else {
        let mut out = String::with_capacity(text.len());
        out.extend(
            text.chars()
                .filter(|c| !c.is_ascii_whitespace())
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    other => other,
                }),
        );
        alloc::borrow::Cow::Owned(out)
    };
    let trimmed = cleaned.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()
}

/// Decodes base64 as proto3 JSON allows it (standard or URL-safe alphabet, padding
/// optional) but nothing more: no whitespace, no other characters, no non-zero trailing
/// bits. Sigstore clients reject loosely encoded bytes, and so does this.
pub fn b64decode_strict(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
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

/// `text` made safe to print on a terminal or in a log line: control characters
/// (newlines, escape sequences, …) and the bidirectional overrides that reorder what
/// a reader sees are written as `\u{…}`, so a file named `x\nVerification succeeded`
/// cannot forge a line of output.
pub fn printable(text: &str) -> alloc::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(unsafe_char) {
        return alloc::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&alloc::format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    alloc::borrow::Cow::Owned(out)
}

/// [`printable`] `text`, cut to its first 200 characters (with the total length said):
/// how an error quotes a value from a document, which may be megabytes long.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        None => printable(text).into_owned(),
        Some((cut, _)) => alloc::format!(
            "{}... ({} bytes in all)",
            printable(&text[..cut]),
            text.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00ABff"), Some(alloc::vec![0, 0xab, 0xff]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("a\nb"), "a\\u{a}b");
        let long = "é".repeat(1000);
        let e = excerpt(&long);
        assert_eq!(
            e,
            alloc::format!("{}... (2000 bytes in all)", "é".repeat(200))
        );
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable("a b.bin"), "a b.bin");
        assert_eq!(
            printable("x\nVerification succeeded"),
            "x\\u{a}Verification succeeded"
        );
        assert_eq!(printable("\u{1b}[31m"), "\\u{1b}[31m");
        assert_eq!(printable("a\u{202e}nib.exe"), "a\\u{202e}nib.exe");
        assert_eq!(printable("模型.bin"), "模型.bin");
    }

    #[test]
    fn base64_strict() {
        assert_eq!(b64decode_strict("aGk="), Some(b"hi".to_vec()));
        assert_eq!(b64decode_strict("aGk"), Some(b"hi".to_vec()));
        assert_eq!(b64decode_strict("-_8="), Some(alloc::vec![0xfb, 0xff]));
        assert_eq!(b64decode_strict("aG k="), None);
        assert_eq!(b64decode_strict("aGk=\n"), None);
        assert_eq!(b64decode_strict("aGl="), None);
        assert_eq!(b64decode_strict("!!"), None);
    }

    #[test]
    fn base64_lenient() {
        assert_eq!(b64decode("aGk="), Some(b"hi".to_vec()));
        assert_eq!(b64decode("aGk"), Some(b"hi".to_vec()));
        assert_eq!(b64decode("a G\nk="), Some(b"hi".to_vec()));
        assert_eq!(b64decode("!!"), None);
        assert_eq!(b64encode(b"hi"), "aGk=");
    }
}
