//! The PIN: read from the URI's `pin-value` or `pin-source` file, and presented to the
//! token with `C_Login`, each refusal mapped to its own error. PKCS #11 keeps a login per
//! process, so this module also remembers (as a salted digest) the PIN each token of this
//! process was logged in with.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::types::RawAuthPin;
use model_signing_core::keys::SignatureHash;
use zeroize::Zeroizing;

use super::uri::Pkcs11Uri;
use super::{device, rv_name, Pkcs11Error};

/// A token of this process: its module (canonical path) and slot id.
pub(super) type TokenKey = (PathBuf, u64);

/// The PIN each token of this process was last logged in with, as a salted SHA-256.
///
/// PKCS #11 keeps the login per application, not per session: while one signer holds a
/// session, `C_Login` from another gets CKR_USER_ALREADY_LOGGED_IN without the token
/// checking its PIN. Comparing with the PIN of the login in force keeps a wrong PIN from
/// riding on another caller's login (a daemon signs for several callers).
fn logins() -> &'static Mutex<HashMap<TokenKey, Zeroizing<Vec<u8>>>> {
    static LOGINS: OnceLock<Mutex<HashMap<TokenKey, Zeroizing<Vec<u8>>>>> = OnceLock::new();
    LOGINS.get_or_init(Default::default)
}

fn pin_digest(pin: &[u8]) -> Zeroizing<Vec<u8>> {
    static SALT: OnceLock<[u8; 32]> = OnceLock::new();
    let salt = SALT.get_or_init(|| {
        use rand_core::RngCore as _;
        let mut salt = [0u8; 32];
        // Without randomness the digest is merely unsalted; it never leaves the process.
        let _ = rand_core::OsRng.try_fill_bytes(&mut salt);
        salt
    });
    let salted = Zeroizing::new([&salt[..], pin].concat());
    Zeroizing::new(SignatureHash::Sha256.digest(&salted))
}

/// `C_Login` as the user, with each refusal mapped to its own error.
pub(super) fn login(
    session: &Session,
    mut pin: Zeroizing<Vec<u8>>,
    token: &str,
    key: TokenKey,
) -> Result<(), Pkcs11Error> {
    let digest = pin_digest(&pin);
    // RawAuthPin wipes the whole buffer (capacity included) when dropped.
    let raw = RawAuthPin::new(Box::new(std::mem::take(&mut *pin)));
    // Held across C_Login so that two logins of this process cannot interleave.
    let mut logins = logins().lock().unwrap_or_else(PoisonError::into_inner);
    match session.login_with_raw(UserType::User, &raw) {
        Ok(()) => {
            logins.insert(key, digest);
            Ok(())
        }
        Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => match logins.get(&key) {
            Some(known) if *known != digest => Err(Pkcs11Error::PinIncorrect {
                token: token.to_string(),
                code: "not the PIN of the login already in force in this process".into(),
            }),
            _ => Ok(()),
        },
        Err(e) => Err(login_error(e, token)),
    }
}

/// The meaning of a failed `C_Login`.
fn login_error(e: CkError, token: &str) -> Pkcs11Error {
    match e {
        CkError::Pkcs11(
            rv @ (RvError::PinIncorrect | RvError::PinLenRange | RvError::PinInvalid),
            _,
        ) => Pkcs11Error::PinIncorrect {
            token: token.to_string(),
            code: rv_name(rv),
        },
        CkError::Pkcs11(RvError::PinLocked, _) => Pkcs11Error::PinLocked {
            token: token.to_string(),
        },
        other => device(token, "C_Login", &other),
    }
}

/// The PIN from `pin-value` or from the `pin-source` file.
///
/// Unlike the reference, which reads the file as is, one trailing newline is dropped, so
/// that a file written with `echo 1234 > pin` works: a PIN never ends with a newline.
pub(super) fn read_pin(uri: &Pkcs11Uri) -> Result<Option<Zeroizing<Vec<u8>>>, Pkcs11Error> {
    if let Some(pin) = uri.pin_value() {
        return Ok(Some(Zeroizing::new(pin.to_vec())));
    }
    let Some(source) = uri.pin_source() else {
        return Ok(None);
    };
    let path = pin_source_path(source)?;
    let mut pin =
        Zeroizing::new(
            std::fs::read(&path).map_err(|source| Pkcs11Error::PinSource {
                path: path.clone(),
                source,
            })?,
        );
    if pin.ends_with(b"\n") {
        pin.pop();
        if pin.ends_with(b"\r") {
            pin.pop();
        }
    }
    Ok(Some(pin))
}

/// `file:/abs`, `file:///abs`, `file://localhost/abs` or `/abs` (the reference accepts
/// the `file` scheme or none, with an absolute path).
fn pin_source_path(source: &[u8]) -> Result<PathBuf, Pkcs11Error> {
    let text = String::from_utf8_lossy(source);
    let unsupported = || Pkcs11Error::UnsupportedPinSource(text.to_string());
    let scheme_end = text.find(':').filter(|&i| {
        let scheme = &text[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let path = match scheme_end {
        Some(i) if text[..i].eq_ignore_ascii_case("file") => {
            let rest = &text[i + 1..];
            match rest.strip_prefix("//") {
                Some(authority_and_path) => {
                    let slash = authority_and_path.find('/').ok_or_else(unsupported)?;
                    let host = &authority_and_path[..slash];
                    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
                        return Err(unsupported());
                    }
                    &authority_and_path[slash..]
                }
                None => rest,
            }
        }
        Some(_) => return Err(unsupported()),
        None => &text[..],
    };
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(unsupported());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn login_errors_map_to_their_variants() {
        let rv = |rv| CkError::Pkcs11(rv, cryptoki::context::Function::Login);
        assert!(matches!(
            login_error(rv(RvError::PinIncorrect), "t"),
            Pkcs11Error::PinIncorrect { token, code } if token == "t" && code == "CKR_PIN_INCORRECT"
        ));
        assert!(matches!(
            login_error(rv(RvError::PinLenRange), "t"),
            Pkcs11Error::PinIncorrect { code, .. } if code == "CKR_PIN_LEN_RANGE"
        ));
        // SoftHSM2 has no PIN retry counter, so a real CKR_PIN_LOCKED cannot be provoked
        // there; the mapping is checked here.
        let locked = login_error(rv(RvError::PinLocked), "t");
        assert!(matches!(locked, Pkcs11Error::PinLocked { ref token } if token == "t"));
        assert!(locked.to_string().contains("is locked"), "{locked}");
        assert!(matches!(
            login_error(rv(RvError::DeviceRemoved), "t"),
            Pkcs11Error::Device { function: "C_Login", code, .. } if code == "CKR_DEVICE_REMOVED"
        ));
    }

    #[test]
    fn pin_source_forms() {
        let ok = |s: &str| pin_source_path(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(ok("/run/pin"), Path::new("/run/pin"));
        assert_eq!(ok("file:/run/pin"), Path::new("/run/pin"));
        assert_eq!(ok("file:///run/pin"), Path::new("/run/pin"));
        assert_eq!(ok("FILE://localhost/run/pin"), Path::new("/run/pin"));
        for bad in [
            "pin.txt",
            "file:pin.txt",
            "file://host/run/pin",
            "env:PIN",
            "https://x/pin",
            "file://",
        ] {
            assert!(
                matches!(
                    pin_source_path(bad.as_bytes()),
                    Err(Pkcs11Error::UnsupportedPinSource(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn pin_file_loses_one_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        for (content, want) in [
            (&b"1234"[..], &b"1234"[..]),
            (b"1234\n", b"1234"),
            (b"1234\r\n", b"1234"),
            (b"1234\n\n", b"1234\n"),
            (b" 12 34 ", b" 12 34 "),
        ] {
            let path = dir.path().join("pin");
            std::fs::write(&path, content).unwrap();
            let uri = Pkcs11Uri::new().with_query_attribute("pin-source", path.to_str().unwrap());
            let pin = read_pin(&uri).unwrap().unwrap();
            assert_eq!(pin.as_slice(), want);
        }
        let uri = Pkcs11Uri::new().with_query_attribute("pin-source", "/nonexistent/pin");
        assert!(matches!(read_pin(&uri), Err(Pkcs11Error::PinSource { .. })));
        assert!(read_pin(&Pkcs11Uri::new()).unwrap().is_none());
    }
}
