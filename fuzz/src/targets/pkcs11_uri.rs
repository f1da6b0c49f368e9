//! `pkcs11_uri`: the PKCS #11 URI parser (RFC 7512) of the host library
//! (`model_signing::pkcs11::Pkcs11Uri`, compiled here from `host/src/pkcs11/uri.rs`).
//!
//! Input: the URI text (byte mutations; not UTF-8 is refused, as a command-line string
//! would be). [`Pkcs11Uri::parse`], then every accessor.
//!
//! Properties: a URI that parses is formatted (`format`) and parses back equal, and
//! formats the same again; the redacted form and the form without PIN parse, and
//! carry no PIN; accessors agree with the attributes.

/// `model_signing::pkcs11::uri`, compiled from its source (see `Cargo.toml`).
#[allow(dead_code, missing_docs, clippy::all)]
#[path = "../../../host/src/pkcs11/uri.rs"]
mod uri;

use uri::Pkcs11Uri;

use crate::trace;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let uri = match Pkcs11Uri::parse(text) {
        Ok(u) => u,
        Err(e) => {
            trace!("pkcs11_uri: {e}");
            return;
        }
    };
    let formatted = uri.format();
    let again = Pkcs11Uri::parse(&formatted)
        .unwrap_or_else(|e| panic!("a formatted URI does not parse: {e}: {formatted:?}"));
    assert!(
        again == uri,
        "the URI changed through format: {text:?} -> {formatted:?}"
    );
    assert_eq!(again.format(), formatted, "format is not stable");

    let redacted = uri.redacted();
    if uri.pin_value().is_some() {
        assert!(
            redacted.contains("pin-value=***"),
            "the PIN is not redacted: {redacted:?}"
        );
    } else {
        assert_eq!(redacted, formatted);
    }
    let public = uri.without_pin();
    assert!(public.pin_value().is_none() && public.pin_source().is_none());
    let public_text = public.format();
    let public_again = Pkcs11Uri::parse(&public_text)
        .unwrap_or_else(|e| panic!("a URI without PIN does not parse: {e}: {public_text:?}"));
    assert!(public_again == public);

    assert_eq!(uri.token(), uri.path_attribute("token"));
    assert_eq!(uri.object(), uri.path_attribute("object"));
    assert_eq!(uri.id(), uri.path_attribute("id"));
    assert_eq!(
        uri.slot_id().is_some(),
        uri.path_attribute("slot-id").is_some()
    );
    let _ = (uri.module_path(), uri.module_name(), uri.pin_source());
}
