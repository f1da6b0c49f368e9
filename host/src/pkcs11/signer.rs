//! The PKCS #11 signer and the key listing: choosing the token, logging in, finding the
//! key and its public key, and signing.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Slot, TokenInfo};
use cryptoki::types::RawAuthPin;
use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::Decode as _;
use model_signing_core::bundle::VerificationMaterial;
use model_signing_core::certificate::certificate_public_key;
use model_signing_core::encoding::hex;
use model_signing_core::keys::{raw_signature_to_der, Curve, PublicKey, SignatureHash};
use model_signing_core::signing::{SignError, Signer};
use zeroize::Zeroizing;

use super::module::{default_module_dirs, load, locate_module};
use super::uri::Pkcs11Uri;
use super::{ck_code, rv_name, Pkcs11Error};

/// A session on the token the URI designates, logged in when the URI has a PIN. The
/// session is closed when this is dropped (cryptoki's `Session` closes on drop), on every
/// path, errors included.
struct TokenSession {
    session: Session,
    token: String,
    logged_in: bool,
}

impl TokenSession {
    fn open(uri: &Pkcs11Uri, module_dirs: &[PathBuf]) -> Result<Self, Pkcs11Error> {
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

/// A token of this process: its module (canonical path) and slot id.
type TokenKey = (PathBuf, u64);

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
fn login(
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

fn device(token: &str, function: &'static str, e: &CkError) -> Pkcs11Error {
    Pkcs11Error::Device {
        token: token.to_string(),
        function,
        code: ck_code(e),
    }
}

/// The PIN from `pin-value` or from the `pin-source` file.
///
/// Unlike the reference, which reads the file as is, one trailing newline is dropped, so
/// that a file written with `echo 1234 > pin` works: a PIN never ends with a newline.
fn read_pin(uri: &Pkcs11Uri) -> Result<Option<Zeroizing<Vec<u8>>>, Pkcs11Error> {
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

/// The attributes of a private key that decide whether and how it can sign.
#[derive(Default)]
struct KeyAttributes {
    id: Vec<u8>,
    label: Vec<u8>,
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
    fn describe(&self) -> String {
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
struct SigningKeyOnToken {
    handle: ObjectHandle,
    attributes: KeyAttributes,
    public_key: PublicKey,
}

/// Checks that `handle` is an EC private key on a supported curve that may sign, and finds
/// its public key.
fn signing_key(
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

/// Signs with a private key on a PKCS #11 token: an EC key on P-256, P-384 or P-521.
///
/// The signer keeps its logged-in session open for its whole life, so one signer signs
/// any number of models with a single login; the session is closed when the signer is
/// dropped. It is `Send + Sync`: signatures are serialised on the session.
///
/// ```no_run
/// use model_signing::pkcs11::Pkcs11Signer;
/// use model_signing::signing;
///
/// let signer = Pkcs11Signer::open(
///     "pkcs11:token=models;object=release-key?module-name=softhsm2&pin-source=file:/run/secrets/pin",
/// )?;
/// signing::Config::new()
///     .use_signer(Box::new(signer))
///     .sign("my-model".as_ref(), "model.sig".as_ref())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    public_key: PublicKey,
    token: String,
    key_description: String,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token)
            .field("key", &self.key_description)
            .field("curve", &self.public_key.curve())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Opens the key that `uri` designates, searching [`default_module_dirs`] for a
    /// `module-name`.
    pub fn open(uri: &str) -> Result<Self, Pkcs11Error> {
        Self::from_uri(&Pkcs11Uri::parse(uri)?, &default_module_dirs())
    }

    /// Opens the key that `uri` designates, searching `module_dirs` for a `module-name`
    /// (the reference's `module_paths`).
    pub fn from_uri(uri: &Pkcs11Uri, module_dirs: &[PathBuf]) -> Result<Self, Pkcs11Error> {
        // Checked before anything touches the token, so that a URI without a key never
        // costs a login attempt.
        if uri.id().is_none() && uri.object().is_none() {
            return Err(Pkcs11Error::NoKeySelector);
        }
        let session = TokenSession::open(uri, module_dirs)?;
        let found = session
            .session
            .find_objects(&template(ObjectClass::PRIVATE_KEY, uri))
            .map_err(|e| device(&session.token, "C_FindObjects", &e))?;
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
        let key = signing_key(&session, handle)?;
        tracing::debug!(
            token = %session.token,
            key = %key.attributes.describe(),
            curve = %key.public_key.curve(),
            "PKCS #11 key ready"
        );
        Ok(Self {
            session: Mutex::new(session.session),
            key: key.handle,
            public_key: key.public_key,
            key_description: key.attributes.describe(),
            token: session.token,
        })
    }

    /// The label of the token that holds the key.
    pub fn token_label(&self) -> &str {
        &self.token
    }

    /// The key, as `object='label' id=hex`.
    pub fn key_description(&self) -> &str {
        &self.key_description
    }
}

impl Signer for Pkcs11Signer {
    fn verification_material(&self) -> VerificationMaterial {
        VerificationMaterial::PublicKey {
            hint: Some(self.public_key.hint()),
            legacy_raw_bytes: None,
        }
    }

    fn public_key(&self) -> Option<PublicKey> {
        Some(self.public_key.clone())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let curve = self.public_key.curve();
        // CKM_ECDSA signs a digest: hash on the host with the curve's hash (docs/format.md §4),
        // which also works on tokens without the combined ECDSA-SHA* mechanisms.
        let digest = curve.hash().digest(message);
        // A panic elsewhere while holding the lock leaves the session usable: the next
        // C_Sign starts a new operation.
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let raw = session
            .sign(&Mechanism::Ecdsa, self.key, &digest)
            .map_err(|e| SignError::Backend(Box::new(device(&self.token, "C_Sign", &e))))?;
        drop(session);
        raw_signature_to_der(curve, &raw).map_err(|_| {
            SignError::Backend(Box::new(Pkcs11Error::MalformedSignature {
                len: raw.len(),
                curve,
            }))
        })
    }
}

/// A key of a token that can sign model signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// `CKA_LABEL` (lossy UTF-8).
    pub label: String,
    /// `CKA_ID`, lowercase hex.
    pub id: String,
    /// The curve.
    pub curve: Curve,
    /// The public key, PEM (SubjectPublicKeyInfo).
    pub public_key_pem: String,
    /// A URI that selects this key on its token, without a PIN: the listing URI's module
    /// and token attributes plus this key's `id` (and `object` when it has a label).
    pub uri: String,
}

/// Lists the keys of the token `uri` designates that [`Pkcs11Signer`] can use: EC private
/// keys on P-256, P-384 or P-521 that may sign, with their public keys. `id` and `object`
/// in the URI narrow the list. Other keys (RSA, other curves, keys without a public key)
/// are left out.
///
/// Most tokens show private keys only after login, so without a PIN in the URI the list
/// is usually empty.
pub fn list_signing_keys(uri: &str) -> Result<Vec<KeyInfo>, Pkcs11Error> {
    list_keys(&Pkcs11Uri::parse(uri)?, &default_module_dirs())
}

/// [`list_signing_keys`] for the token labelled `token` of the module at `module`,
/// logging in with `pin` when given.
pub fn list_signing_keys_on(
    module: &Path,
    token: &str,
    pin: Option<&[u8]>,
) -> Result<Vec<KeyInfo>, Pkcs11Error> {
    let mut uri = Pkcs11Uri::new().with_path_attribute("token", token);
    uri = uri.with_query_attribute("module-path", module.as_os_str().as_encoded_bytes());
    if let Some(pin) = pin {
        uri = uri.with_query_attribute("pin-value", pin);
    }
    list_keys(&uri, &default_module_dirs())
}

fn list_keys(uri: &Pkcs11Uri, module_dirs: &[PathBuf]) -> Result<Vec<KeyInfo>, Pkcs11Error> {
    let session = TokenSession::open(uri, module_dirs)?;
    let handles = session
        .session
        .find_objects(&template(ObjectClass::PRIVATE_KEY, uri))
        .map_err(|e| device(&session.token, "C_FindObjects", &e))?;
    let mut keys = Vec::new();
    for handle in handles {
        let key = match signing_key(&session, handle) {
            Ok(key) => key,
            // Keys this signer cannot use are not listed.
            Err(e @ Pkcs11Error::Device { .. }) => return Err(e),
            Err(e) => {
                tracing::debug!("not listed: {e}");
                continue;
            }
        };
        let KeyAttributes { id, label, .. } = key.attributes;
        let mut key_uri = Pkcs11Uri::new();
        for name in ["token", "manufacturer", "model", "serial", "slot-id"] {
            if let Some(v) = uri.path_attribute(name) {
                key_uri = key_uri.with_path_attribute(name, v);
            }
        }
        if !label.is_empty() {
            key_uri = key_uri.with_path_attribute("object", label.as_slice());
        }
        key_uri = key_uri.with_path_attribute("id", id.as_slice());
        for name in ["module-path", "module-name"] {
            if let Some(v) = uri.query_attribute(name) {
                key_uri = key_uri.with_query_attribute(name, v);
            }
        }
        keys.push(KeyInfo {
            label: String::from_utf8_lossy(&label).into_owned(),
            id: hex(&id),
            curve: key.public_key.curve(),
            public_key_pem: key.public_key.to_pem(),
            uri: key_uri.format(),
        });
    }
    keys.sort_by(|a, b| (&a.id, &a.label).cmp(&(&b.id, &b.label)));
    Ok(keys)
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn token_fields_compare_blank_padded() {
        assert!(token_field_matches("models", b"models"));
        assert!(token_field_matches("models", b"models   "));
        assert!(!token_field_matches("models", b"model"));
        assert!(!token_field_matches("models", b" models"));
    }

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
