//! Cutting one fuzz input into several byte strings.

/// Splits concatenated DER values (a certificate chain written back to back, as
/// `openssl x509 -outform der` files concatenate) at their outer lengths. What does not
/// parse as a definite-length TLV ends the list as one last piece, so malformed inputs
/// still reach the parsers. At most `max` pieces.
pub fn der_values(mut data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !data.is_empty() && out.len() < max {
        match tlv_len(data) {
            Some(n) if n <= data.len() && out.len() + 1 < max => {
                out.push(&data[..n]);
                data = &data[n..];
            }
            _ => {
                out.push(data);
                break;
            }
        }
    }
    out
}

/// The total length (header and value) of the TLV at the start of `data`.
fn tlv_len(data: &[u8]) -> Option<usize> {
    let first = *data.get(1)?;
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = data.get(2..2 + n)?;
        (
            2 + n,
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)),
        )
    };
    header.checked_add(len)
}

/// A piece preceded by a big-endian `u16` length, and the rest (`None` if the input is
/// shorter than its length says).
pub fn length_prefixed(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = data.split_first_chunk::<2>()?;
    let len = usize::from(u16::from_be_bytes(*len));
    (rest.len() >= len).then(|| rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_der() {
        let data = [0x30, 0x01, 0xaa, 0x30, 0x81, 0x01, 0xbb, 0x30, 0x05, 0x00];
        assert_eq!(
            der_values(&data, 10),
            vec![&data[..3], &data[3..7], &data[7..]]
        );
        assert_eq!(der_values(&data, 2), vec![&data[..3], &data[3..]]);
        assert_eq!(
            length_prefixed(&[0, 1, 7, 8]),
            Some((&[7u8][..], &[8u8][..]))
        );
        assert_eq!(length_prefixed(&[0, 2, 7]), None);
    }
}
