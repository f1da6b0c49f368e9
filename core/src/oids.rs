//! Every object identifier the crate compares against, under one short name each.
//!
//! Standard ones come from the `const_oid` database; the few it does not know (Sigstore's
//! Fulcio extensions and the RFC 3161 content type) are written out here, once.

use const_oid::ObjectIdentifier;

pub use const_oid::db::rfc3280::EMAIL_ADDRESS;
pub use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER as AUTHORITY_KEY_ID,
    ID_CE_BASIC_CONSTRAINTS as BASIC_CONSTRAINTS,
    ID_CE_CERTIFICATE_POLICIES as CERTIFICATE_POLICIES, ID_CE_EXT_KEY_USAGE as EXT_KEY_USAGE,
    ID_CE_INHIBIT_ANY_POLICY as INHIBIT_ANY_POLICY, ID_CE_KEY_USAGE as KEY_USAGE,
    ID_CE_NAME_CONSTRAINTS as NAME_CONSTRAINTS, ID_CE_POLICY_CONSTRAINTS as POLICY_CONSTRAINTS,
    ID_CE_POLICY_MAPPINGS as POLICY_MAPPINGS, ID_CE_SUBJECT_ALT_NAME as SUBJECT_ALT_NAME,
    ID_CE_SUBJECT_KEY_IDENTIFIER as SUBJECT_KEY_ID, ID_KP_CODE_SIGNING as KP_CODE_SIGNING,
    ID_KP_TIME_STAMPING as KP_TIME_STAMPING,
};
pub use const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2 as SIGNING_CERTIFICATE_V2;
pub use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY as EC_PUBLIC_KEY,
    ID_MGF_1 as MGF1, ID_RSASSA_PSS as RSASSA_PSS, ID_SHA_256 as SHA_256, ID_SHA_384 as SHA_384,
    ID_SHA_512 as SHA_512, RSA_ENCRYPTION, SECP_256_R_1 as SECP256R1, SECP_384_R_1 as SECP384R1,
    SECP_521_R_1 as SECP521R1, SHA_256_WITH_RSA_ENCRYPTION as SHA256_WITH_RSA,
    SHA_384_WITH_RSA_ENCRYPTION as SHA384_WITH_RSA, SHA_512_WITH_RSA_ENCRYPTION as SHA512_WITH_RSA,
};
pub use const_oid::db::rfc6268::{
    ID_CONTENT_TYPE as CONTENT_TYPE, ID_MESSAGE_DIGEST as MESSAGE_DIGEST,
    ID_SIGNED_DATA as SIGNED_DATA,
};
pub use const_oid::db::rfc6962::{
    CT_PRECERT_SCTS as SCT_LIST, CT_PRECERT_SIGNING_CERT as KP_PRECERT_SIGNING,
};
pub use const_oid::db::rfc8410::ID_ED_25519 as ED25519;

/// `id-ct-TSTInfo` (RFC 3161): the content type of a timestamp token.
pub const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// Fulcio's OIDC issuer extension, first version (a raw UTF-8 value).
pub const FULCIO_ISSUER_V1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
/// Fulcio's OIDC issuer extension, second version (a DER UTF8String).
pub const FULCIO_ISSUER_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
/// The otherName type Fulcio uses for username identities.
pub const FULCIO_OTHERNAME_USERNAME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// `name (dotted)` when the OID database knows the OID, else the dotted form.
pub fn describe(oid: &ObjectIdentifier) -> alloc::string::String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => alloc::format!("{name} ({oid})"),
        None => alloc::format!("{oid}"),
    }
}
