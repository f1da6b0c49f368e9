//! The token a URI designates: its slot, found by `slot-id` and the token attributes,
//! and a session on it, logged in when the URI has a PIN.

use std::path::{Path, PathBuf};

use cryptoki::context::Pkcs11;
use cryptoki::session::Session;
use cryptoki::slot::{Slot, TokenInfo};

use super::module::{load, locate_module};
use super::pin::{login, read_pin};
use super::uri::Pkcs11Uri;
use super::{device, Pkcs11Error};

/// A session on the token the URI designates, logged in when the URI has a PIN. The
/// session is closed when this is dropped (cryptoki's `Session` closes on drop), on every
/// path, errors included.
pub(super) struct TokenSession {
    /// The session.
    pub(super) session: Session,
    /// The token's label.
    pub(super) token: String,
    /// Whether the session is logged in.
    pub(super) logged_in: bool,
}

impl TokenSession {
    pub(super) fn open(uri: &Pkcs11Uri, module_dirs: &[PathBuf]) -> Result<Self, Pkcs11Error> {
        let pin = read_pin(uri)?;
        let module = locate_module(uri, module_dirs)?;
        let ctx = load(&module)?;
        let (slot, info) = find_token(&ctx, uri, &module)?;
        let token = info.label().to_string();
        let session = ctx
            .open_ro_session(slot)
            .map_err(|e| device(&token, "C_OpenSession", &e))?;
        let logged_in = pin.is_some();
        if let Some(pin) = pin {
            // Checked first so that a locked token is reported as such, not as a failed
            // attempt that some tokens would count.
            if info.user_pin_locked() {
                return Err(Pkcs11Error::PinLocked { token });
            }
            let module = std::fs::canonicalize(&module).unwrap_or(module);
            login(&session, pin, &token, (module, slot.id()))?;
        }
        Ok(Self {
            session,
            token,
            logged_in,
        })
    }
}

/// Reads one field of a token's description.
type TokenField = fn(&TokenInfo) -> &str;

/// The token attributes of the URI that are set, with the accessor for each.
fn token_criteria(uri: &Pkcs11Uri) -> Vec<(&'static str, &[u8], TokenField)> {
    let all: [(&'static str, TokenField); 4] = [
        ("token", TokenInfo::label),
        ("manufacturer", TokenInfo::manufacturer_id),
        ("model", TokenInfo::model),
        ("serial", TokenInfo::serial_number),
    ];
    all.into_iter()
        .filter_map(|(name, get)| uri.path_attribute(name).map(|v| (name, v, get)))
        .collect()
}

/// Token fields are blank-padded to 32 bytes; the reference pads the URI's value the same
/// way before comparing, so trailing blanks never matter.
fn token_field_matches(field: &str, wanted: &[u8]) -> bool {
    let trim = |b: &[u8]| {
        let end = b.iter().rposition(|&c| c != b' ').map_or(0, |i| i + 1);
        b[..end].to_vec()
    };
    trim(field.as_bytes()) == trim(wanted)
}

fn describe_wanted_token(uri: &Pkcs11Uri) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(slot) = uri.slot_id() {
        parts.push(format!("slot-id={slot}"));
    }
    for (name, value, _) in token_criteria(uri) {
        parts.push(format!("{name}='{}'", String::from_utf8_lossy(value)));
    }
    parts.join(" and ")
}

/// The slot of the token the URI designates: by `slot-id` (checking any token attributes
/// given too), or else the first slot whose token matches `token` and any of
/// `manufacturer`, `model` and `serial`. Uninitialised tokens (SoftHSM2's spare slot)
/// can hold no key and are left out.
fn find_token(
    ctx: &Pkcs11,
    uri: &Pkcs11Uri,
    module: &Path,
) -> Result<(Slot, TokenInfo), Pkcs11Error> {
    let criteria = token_criteria(uri);
    if uri.slot_id().is_none() && criteria.is_empty() {
        return Err(Pkcs11Error::NoTokenSelector);
    }
    let slots = ctx
        .get_slots_with_initialized_token()
        .map_err(|e| device("", "C_GetSlotList", &e))?;
    let mut available = Vec::new();
    for slot in slots {
        let info = ctx
            .get_token_info(slot)
            .map_err(|e| device("", "C_GetTokenInfo", &e))?;
        let slot_ok = uri.slot_id().is_none_or(|id| id == slot.id());
        if slot_ok
            && criteria
                .iter()
                .all(|(_, wanted, get)| token_field_matches(get(&info), wanted))
        {
            return Ok((slot, info));
        }
        available.push(format!("'{}' (slot-id {})", info.label(), slot.id()));
    }
    Err(Pkcs11Error::TokenNotFound {
        wanted: describe_wanted_token(uri),
        module: module.to_path_buf(),
        available,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_fields_compare_blank_padded() {
        assert!(token_field_matches("models", b"models"));
        assert!(token_field_matches("models", b"models   "));
        assert!(!token_field_matches("models", b"model"));
        assert!(!token_field_matches("models", b" models"));
    }
}
