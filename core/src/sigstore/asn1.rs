//! A minimal DER walker for the structures whose exact bytes matter: CMS signed
//! attributes and encapsulated content are verified over the bytes as received, and the
//! SCT precertificate is rebuilt by removing one extension. Decoding into `der` types and
//! re-encoding could change bytes that a signature covers, so these are walked instead.

use alloc::vec::Vec;

/// `SEQUENCE`.
pub(crate) const SEQUENCE: u8 = 0x30;
/// `SET`.
pub(crate) const SET: u8 = 0x31;
/// `INTEGER`.
pub(crate) const INTEGER: u8 = 0x02;
/// `OCTET STRING`.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// `OBJECT IDENTIFIER`.
pub(crate) const OID: u8 = 0x06;
/// `GeneralizedTime`.
pub(crate) const GENERALIZED_TIME: u8 = 0x18;

/// One tag-length-value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (low tag numbers only, which is all these structures use).
    pub tag: u8,
    /// The content octets.
    pub value: &'a [u8],
    /// The whole encoding, header included.
    pub raw: &'a [u8],
}

/// Reads consecutive TLVs from a buffer.
#[derive(Clone, Debug)]
pub(crate) struct DerReader<'a> {
    data: &'a [u8],
}

impl<'a> DerReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// The next TLV; `None` if the input is malformed (indefinite or overlong lengths,
    /// high tag numbers, truncation).
    pub fn read(&mut self) -> Option<Tlv<'a>> {
        let data = self.data;
        let tag = *data.first()?;
        if tag & 0x1f == 0x1f {
            return None;
        }
        let first = *data.get(1)?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let mut len = 0usize;
            for &b in data.get(2..2 + n)? {
                len = (len << 8) | usize::from(b);
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        let raw = data.get(..end)?;
        self.data = &data[end..];
        Some(Tlv {
            tag,
            value: &raw[header..],
            raw,
        })
    }

    /// The next TLV, which must have `tag`.
    pub fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.peek_tag()? != tag {
            return None;
        }
        self.read()
    }

    /// The next TLV if it has `tag`.
    pub fn optional(&mut self, tag: u8) -> Option<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            self.read().map(Some)
        } else {
            Some(None)
        }
    }

    /// Every remaining TLV.
    pub fn all(mut self) -> Option<Vec<Tlv<'a>>> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(self.read()?);
        }
        Some(out)
    }
}

/// Encodes a TLV with a definite, minimal length.
pub(crate) fn encode(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let long = alloc::vec![7u8; 300];
        let enc = encode(OCTET_STRING, &long);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let mut r = DerReader::new(&enc);
        let t = r.read().unwrap();
        assert_eq!(t.value, &long[..]);
        assert!(r.is_empty());
        assert!(DerReader::new(&[0x30, 0x80, 0, 0]).read().is_none());
        assert!(DerReader::new(&[0x30, 0x05, 0]).read().is_none());
    }
}
