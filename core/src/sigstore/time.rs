//! Instants as Sigstore uses them: RFC 3339 strings in trusted roots, whole seconds in
//! log entries and certificates, and RFC 3161 `GeneralizedTime` (possibly with
//! fractional seconds) in timestamps. Nothing here reads a clock.

use alloc::string::String;
use core::fmt;

/// An instant, as seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before it).
    pub secs: i64,
    /// Nanoseconds past `secs`, below 10^9.
    pub nanos: u32,
}

impl UnixTime {
    /// A whole-second instant.
    pub const fn from_secs(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// The whole seconds, rounded down, as certificate validity uses them (`None` before
    /// the epoch).
    pub fn floor_secs(self) -> Option<u64> {
        u64::try_from(self.secs).ok()
    }

    /// Parses RFC 3339 (`2022-10-31T23:59:59.999Z`, `…+02:00`), as proto3 JSON writes
    /// `google.protobuf.Timestamp`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        let mut rest = &b[19..];
        let nanos = if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let frac = fraction(&rest[1..1 + n])?;
            rest = &rest[1 + n..];
            frac
        } else {
            0
        };
        let offset = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let minutes = digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?;
                if *sign == b'+' {
                    -(minutes * 60)
                } else {
                    minutes * 60
                }
            }
            _ => return None,
        };
        let secs = civil_to_secs(year, month, day, hour, minute, second)? + offset;
        Some(Self { secs, nanos })
    }

    /// Parses the content octets of a DER `GeneralizedTime`: `YYYYMMDDHHMMSS[.f+]Z`.
    /// Fractional seconds are allowed (RFC 3161 §2.4.2 permits them, and some TSAs emit
    /// them; the `der` crate refuses them).
    pub fn parse_generalized_time(b: &[u8]) -> Option<Self> {
        if b.len() < 15 || b.last() != Some(&b'Z') {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[4..6])?;
        let day = digits(&b[6..8])?;
        let hour = digits(&b[8..10])?;
        let minute = digits(&b[10..12])?;
        let second = digits(&b[12..14])?;
        let rest = &b[14..b.len() - 1];
        let nanos = match rest {
            [] => 0,
            // DER forbids trailing zeros in the fraction; they change nothing, so they
            // are tolerated rather than rejecting an otherwise valid timestamp.
            [b'.', frac @ ..] => fraction(frac)?,
            _ => return None,
        };
        Some(Self {
            secs: civil_to_secs(year, month, day, hour, minute, second)?,
            nanos,
        })
    }
}

impl fmt::Display for UnixTime {
    /// RFC 3339 in UTC, with the fraction only when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = days_to_civil(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )?;
        if self.nanos != 0 {
            let mut frac = alloc::format!("{:09}", self.nanos);
            while frac.ends_with('0') {
                frac.pop();
            }
            write!(f, ".{frac}")?;
        }
        f.write_str("Z")
    }
}

/// A time and where it was established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeSource {
    /// The `integratedTime` of a Rekor v1 entry, vouched for by its signed entry
    /// timestamp. `entry` is the position in `tlogEntries`.
    TransparencyLog {
        /// Position of the entry in the bundle.
        entry: usize,
    },
    /// The `genTime` of an RFC 3161 timestamp.
    Timestamp {
        /// Position of the timestamp in the bundle.
        index: usize,
        /// The `commonName` of the authority in the trusted root, if any.
        authority: Option<String>,
    },
}

/// A time established cryptographically, at which the certificate is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTime {
    /// Where it comes from.
    pub source: TimeSource,
    /// The instant.
    pub time: UnixTime,
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0')))
}

/// Up to nine fraction digits as nanoseconds (more digits are truncated).
fn fraction(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        nanos = nanos * 10 + b.get(i).map_or(0, |c| u32::from(c - b'0'));
    }
    Some(nanos)
}

fn civil_to_secs(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> Option<i64> {
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Leap seconds are folded into the next second's start, as most clients do.
    let ss = ss.min(59);
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn days_to_civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn rfc3339() {
        let t = UnixTime::parse_rfc3339("2022-10-31T23:59:59.999Z").unwrap();
        assert_eq!(t.secs, 1_667_260_799);
        assert_eq!(t.nanos, 999_000_000);
        assert_eq!(t.to_string(), "2022-10-31T23:59:59.999Z");
        assert_eq!(
            UnixTime::parse_rfc3339("2021-01-12T11:53:27Z").unwrap(),
            UnixTime::from_secs(1_610_452_407)
        );
        assert_eq!(
            UnixTime::parse_rfc3339("2021-01-12T13:53:27+02:00").unwrap(),
            UnixTime::from_secs(1_610_452_407)
        );
        assert_eq!(UnixTime::parse_rfc3339("2021-02-30T00:00:00Z"), None);
        assert_eq!(UnixTime::parse_rfc3339("2021-01-12 11:53:27"), None);
    }

    #[test]
    fn generalized_time() {
        assert_eq!(
            UnixTime::parse_generalized_time(b"20251010021220Z")
                .unwrap()
                .to_string(),
            "2025-10-10T02:12:20Z"
        );
        let t = UnixTime::parse_generalized_time(b"20241031011300.419Z").unwrap();
        assert_eq!(t.nanos, 419_000_000);
        assert_eq!(UnixTime::parse_generalized_time(b"20241031011300.Z"), None);
        assert_eq!(UnixTime::parse_generalized_time(b"202410310113Z"), None);
    }
}
