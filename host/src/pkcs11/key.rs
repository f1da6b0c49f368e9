//! The key a URI designates on a token: the private key objects matching its `id` and
//! `object`, the checks that one can sign model signatures (an EC key on P-256, P-384 or
//! P-521, allowed to sign, without a login per signature), and its public key.

use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::Decode as _;
use model_signing_core::certificate::certificate_public_key;
use model_signing_core::encoding::hex;
use model_signing_core::keys::{Curve, PublicKey};

use super::token::TokenSession;
use super::uri::Pkcs11Uri;
use super::{device, Pkcs11Error};

/// The attributes of a private key that decide whether and how it can sign.
#[derive(Default)]
pub(super) struct KeyAttributes {
    /// `CKA_ID`.
    pub(super) id: Vec<u8>,
    /// `CKA_LABEL`.
    pub(super) label: Vec<u8>,
    key_type: Option<KeyType>,
    sign: Option<bool>,
    always_authenticate: bool,
    ec_params: Option<Vec<u8>>,
    ec_point: Option<Vec<u8>>,
    public_key_info: Option<Vec<u8>>,
}

impl KeyAttributes {
    fn read(session: &Session, key: ObjectHandle, token: &str) -> Result<Self, Pkcs11Error> {
        // Attributes a token does not have (CKA_PUBLIC_KEY_INFO before PKCS #11 3.0) or
        // keeps secret are left out by cryptoki rather than failing the call.
        let attributes = session
            .get_attributes(
                key,
                &[
                    AttributeType::Id,
                    AttributeType::Label,
                    AttributeType::KeyType,
                    AttributeType::Sign,
                    AttributeType::AlwaysAuthenticate,
                    AttributeType::EcParams,
                    AttributeType::EcPoint,
                    AttributeType::PublicKeyInfo,
                ],
            )
            .map_err(|e| device(token, "C_GetAttributeValue", &e))?;
        let mut out = Self::default();
        for attribute in attributes {
            match attribute {
                Attribute::Id(v) => out.id = v,
                Attribute::Label(v) => out.label = v,
                Attribute::KeyType(t) => out.key_type = Some(t),
                Attribute::Sign(b) => out.sign = Some(b),
                Attribute::AlwaysAuthenticate(b) => out.always_authenticate = b,
                Attribute::EcParams(v) if !v.is_empty() => out.ec_params = Some(v),
                Attribute::EcPoint(v) if !v.is_empty() => out.ec_point = Some(v),
                Attribute::PublicKeyInfo(v) if !v.is_empty() => out.public_key_info = Some(v),
                _ => {}
            }
        }
        Ok(out)
    }

    /// `object='label' id=01ab`, for messages.
    pub(super) fn describe(&self) -> String {
        format!(
            "object='{}' id={}",
            String::from_utf8_lossy(&self.label),
            hex(&self.id)
        )
    }
}

/// `object='l' and id=01`: what the URI asks for, for messages.
fn describe_wanted_key(uri: &Pkcs11Uri) -> String {
    let mut parts = Vec::new();
    if let Some(label) = uri.object() {
        parts.push(format!("object='{}'", String::from_utf8_lossy(label)));
    }
    if let Some(id) = uri.id() {
        parts.push(format!("id={}", hex(id)));
    }
    if parts.is_empty() {
        "any key".into()
    } else {
        parts.join(" and ")
    }
}

/// A search template for `class` with the URI's `id` and `object`.
fn template(class: ObjectClass, uri: &Pkcs11Uri) -> Vec<Attribute> {
    let mut template = vec![Attribute::Class(class)];
    if let Some(id) = uri.id() {
        template.push(Attribute::Id(id.to_vec()));
    }
    if let Some(label) = uri.object() {
        template.push(Attribute::Label(label.to_vec()));
    }
    template
}

/// The private keys of the session's token that match the URI's `id` and `object`.
pub(super) fn private_keys(
    session: &TokenSession,
    uri: &Pkcs11Uri,
) -> Result<Vec<ObjectHandle>, Pkcs11Error> {
    session
        .session
        .find_objects(&template(ObjectClass::PRIVATE_KEY, uri))
        .map_err(|e| device(&session.token, "C_FindObjects", &e))
}

/// The one private key the URI designates, checked by [`signing_key`]; none or several
/// are errors.
pub(super) fn designated_key(
    session: &TokenSession,
    uri: &Pkcs11Uri,
) -> Result<SigningKeyOnToken, Pkcs11Error> {
    let found = private_keys(session, uri)?;
    let handle = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(Pkcs11Error::KeyNotFound {
                token: session.token.clone(),
                wanted: describe_wanted_key(uri),
                logged_in: session.logged_in,
            })
        }
        several => {
            return Err(Pkcs11Error::AmbiguousKey {
                token: session.token.clone(),
                wanted: describe_wanted_key(uri),
                count: several.len(),
            })
        }
    };
    signing_key(session, handle)
}

/// The curve of `CKA_EC_PARAMS`: a DER named-curve OID (the only form PKCS #11 3.0 keeps
/// for new keys; explicit parameters and curve names are refused).
fn curve_of(params: &[u8]) -> Result<Curve, String> {
    let oid = ObjectIdentifier::from_der(params)
        .map_err(|_| "parameters that are not a named-curve OID".to_string())?;
    Curve::from_oid(&oid).ok_or_else(|| oid.to_string())
}

/// A public key from a `CKA_EC_POINT`: a DER OCTET STRING around the SEC1 point, as the
/// specification says, or the bare point that some older tokens return.
fn key_from_ec_point(curve: Curve, ec_point: &[u8]) -> Option<PublicKey> {
    OctetStringRef::from_der(ec_point)
        .ok()
        .and_then(|o| PublicKey::from_sec1_point(curve, o.as_bytes()).ok())
        .or_else(|| PublicKey::from_sec1_point(curve, ec_point).ok())
}

/// A checked, usable signing key: its handle, curve and public key.
pub(super) struct SigningKeyOnToken {
    /// The private key object.
    pub(super) handle: ObjectHandle,
    /// Its attributes.
    pub(super) attributes: KeyAttributes,
    /// Its public key.
    pub(super) public_key: PublicKey,
}

/// Checks that `handle` is an EC private key on a supported curve that may sign, and finds
/// its public key.
pub(super) fn signing_key(
    session: &TokenSession,
    handle: ObjectHandle,
) -> Result<SigningKeyOnToken, Pkcs11Error> {
    let token = &session.token;
    let attributes = KeyAttributes::read(&session.session, handle, token)?;
    let key = attributes.describe();
    match attributes.key_type {
        Some(t) if t == KeyType::EC => {}
        other => {
            return Err(Pkcs11Error::UnsupportedKeyType {
                token: token.clone(),
                key,
                key_type: other
                    .map_or_else(|| "unknown (no CKA_KEY_TYPE)".into(), |t| t.to_string()),
            })
        }
    }
    let params = attributes
        .ec_params
        .as_deref()
        .ok_or_else(|| Pkcs11Error::UnsupportedCurve {
            token: token.clone(),
            key: key.clone(),
            curve: "no CKA_EC_PARAMS".into(),
        })?;
    let curve = curve_of(params).map_err(|curve| Pkcs11Error::UnsupportedCurve {
        token: token.clone(),
        key: key.clone(),
        curve,
    })?;
    if attributes.sign == Some(false) {
        return Err(Pkcs11Error::KeyCannotSign {
            token: token.clone(),
            key,
        });
    }
    if attributes.always_authenticate {
        return Err(Pkcs11Error::AlwaysAuthenticate {
            token: token.clone(),
            key,
        });
    }
    let public_key =
        find_public_key(&session.session, &attributes, curve, token)?.ok_or_else(|| {
            Pkcs11Error::NoPublicKey {
                token: token.clone(),
                key: key.clone(),
            }
        })?;
    if public_key.curve() != curve {
        return Err(Pkcs11Error::InvalidPublicKey {
            token: token.clone(),
            key,
            source: model_signing_core::keys::KeyError::InvalidKeyMaterial(curve),
        });
    }
    Ok(SigningKeyOnToken {
        handle,
        attributes,
        public_key,
    })
}

/// The public key of a private key, from the first source that has it: the public key
/// object with the same `CKA_ID` (what the reference reads), the private key's own
/// `CKA_PUBLIC_KEY_INFO` or `CKA_EC_POINT`, or a certificate with the same `CKA_ID` (smart
/// cards often hold only the private key and its certificate).
fn find_public_key(
    session: &Session,
    private: &KeyAttributes,
    curve: Curve,
    token: &str,
) -> Result<Option<PublicKey>, Pkcs11Error> {
    // Keys of a pair share CKA_ID by convention; labels may differ. Without an id, the
    // label is all there is to go by.
    let pairing = if private.id.is_empty() {
        Attribute::Label(private.label.clone())
    } else {
        Attribute::Id(private.id.clone())
    };
    let find = |class: ObjectClass| {
        session
            .find_objects(&[Attribute::Class(class), pairing.clone()])
            .map_err(|e| device(token, "C_FindObjects", &e))
    };
    for handle in find(ObjectClass::PUBLIC_KEY)? {
        let attributes = session
            .get_attributes(handle, &[AttributeType::EcParams, AttributeType::EcPoint])
            .map_err(|e| device(token, "C_GetAttributeValue", &e))?;
        let (mut params, mut point) = (None, None);
        for attribute in attributes {
            match attribute {
                Attribute::EcParams(v) => params = Some(v),
                Attribute::EcPoint(v) => point = Some(v),
                _ => {}
            }
        }
        if let (Some(params), Some(point)) = (params, point) {
            if curve_of(&params) == Ok(curve) {
                if let Some(key) = key_from_ec_point(curve, &point) {
                    return Ok(Some(key));
                }
            }
        }
    }
    if let Some(key) = private
        .public_key_info
        .as_deref()
        .and_then(|spki| PublicKey::from_spki_der(spki).ok())
    {
        return Ok(Some(key));
    }
    if let Some(key) = private
        .ec_point
        .as_deref()
        .and_then(|p| key_from_ec_point(curve, p))
    {
        return Ok(Some(key));
    }
    for handle in find(ObjectClass::CERTIFICATE)? {
        let attributes = session
            .get_attributes(handle, &[AttributeType::Value])
            .map_err(|e| device(token, "C_GetAttributeValue", &e))?;
        for attribute in attributes {
            if let Attribute::Value(der) = attribute {
                if let Ok(key) = certificate_public_key(&der) {
                    return Ok(Some(key));
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_params_and_points() {
        // DER OIDs of the three curves and one that is not supported (secp256k1).
        assert_eq!(
            curve_of(&[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
            Ok(Curve::P256)
        );
        assert_eq!(
            curve_of(&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]),
            Ok(Curve::P384)
        );
        assert_eq!(
            curve_of(&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]),
            Ok(Curve::P521)
        );
        assert_eq!(
            curve_of(&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a]),
            Err("1.3.132.0.10".into())
        );
        assert!(curve_of(&[0x13, 0x02, b'a', b'b']).is_err());
        // The generator of P-256 as a point, wrapped in an OCTET STRING and bare.
        let g = model_signing_core::encoding::unhex(concat!(
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
        ))
        .unwrap();
        let mut wrapped = vec![0x04, 0x41];
        wrapped.extend_from_slice(&g);
        let a = key_from_ec_point(Curve::P256, &wrapped).unwrap();
        let b = key_from_ec_point(Curve::P256, &g).unwrap();
        assert_eq!(a, b);
        assert!(key_from_ec_point(Curve::P384, &wrapped).is_none());
    }
}
