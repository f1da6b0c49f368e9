//! What a keyless signer sends to the Sigstore services, as DER, and the one answer it
//! reads before the bundle is verified:
//!
//! * [`certificate_request`]: the PKCS #10 `CertificationRequest` Fulcio certifies (its
//!   self-signature is the proof of possession of the private key);
//! * [`timestamp_request`]: the RFC 3161 `TimeStampReq` for a signature;
//! * [`timestamp_response_status`]: whether a timestamp authority's `TimeStampResp`
//!   grants the request (the token itself is verified with the whole bundle, in
//!   [`super::timestamp`]).
//!
//! They are built from the `der` and `x509-cert` types, shaped as sigstore-python
//! sends them. Nothing here draws randomness or does I/O: the caller passes the random
//! source for the signature and the nonce, and sends the bytes.

use alloc::vec::Vec;

use der::asn1::{
    Any, BitString, BitStringRef, Ia5String, OctetString, SetOfVec, Uint, Utf8StringRef,
};
use der::{Decode as _, Encode as _, Reader as _, Sequence, Tag, Tagged as _};
use rand_core::CryptoRngCore;
use sha2::{Digest as _, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RelativeDistinguishedName};
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq, Version};

use crate::keys::{Curve, SigningKey};
use crate::oids;

/// A PKCS #10 certificate signing request for `key`, as sigstore-python makes it: the
/// identity as the `emailAddress` of the subject when it is ASCII (Fulcio ignores the
/// subject; an empty one otherwise), an `extensionRequest` for a critical
/// `BasicConstraints` with `cA` false, signed by `key` itself with ECDSA and the
/// curve's hash. `rng` hedges the ECDSA nonce.
pub fn certificate_request(
    key: &SigningKey,
    identity: &str,
    rng: &mut impl CryptoRngCore,
) -> Vec<u8> {
    let info = CertReqInfo {
        version: Version::V1,
        subject: subject(identity),
        public_key: SubjectPublicKeyInfoOwned::from_der(&key.public_key().to_spki_der())
            .expect("a public key's SPKI decodes"),
        attributes: SetOfVec::try_from(alloc::vec![extension_request()])
            .expect("one attribute is a set"),
    };
    let info_der = info.to_der().expect("the request information encodes");
    let signature = key.sign(&info_der, rng);
    CertReq {
        info,
        algorithm: AlgorithmIdentifierOwned {
            oid: match key.curve() {
                Curve::P256 => oids::ECDSA_WITH_SHA_256,
                Curve::P384 => oids::ECDSA_WITH_SHA_384,
                Curve::P521 => oids::ECDSA_WITH_SHA_512,
            },
            parameters: None,
        },
        signature: BitString::from_bytes(&signature).expect("a signature fits a bit string"),
    }
    .to_der()
    .expect("the request encodes")
}

/// `emailAddress=<identity>` when the identity is non-empty ASCII, else the empty name.
fn subject(identity: &str) -> Name {
    let Some(email) = Some(identity)
        .filter(|i| !i.is_empty())
        .and_then(|i| Ia5String::new(i).ok())
    else {
        return Name::default();
    };
    let email = AttributeTypeAndValue {
        oid: oids::EMAIL_ADDRESS,
        value: Any::encode_from(&email).expect("an IA5String encodes"),
    };
    let rdn = RelativeDistinguishedName(
        SetOfVec::try_from(alloc::vec![email]).expect("one attribute is a set"),
    );
    x509_cert::name::RdnSequence(alloc::vec![rdn])
}

/// The `extensionRequest` attribute: a critical `BasicConstraints` with `cA` false.
fn extension_request() -> Attribute {
    let basic_constraints = BasicConstraints {
        ca: false,
        path_len_constraint: None,
    };
    let extension = Extension {
        extn_id: oids::BASIC_CONSTRAINTS,
        critical: true,
        extn_value: OctetString::new(
            basic_constraints
                .to_der()
                .expect("BasicConstraints encodes"),
        )
        .expect("an extension value fits an octet string"),
    };
    Attribute::try_from(ExtensionReq(alloc::vec![extension]))
        .expect("the extension request encodes")
}

/// `TimeStampReq` (RFC 3161 §2.4.1), without `reqPolicy` and `extensions`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct TimeStampReq {
    /// `v1`.
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    #[asn1(default = "Default::default")]
    cert_req: bool,
}

/// `MessageImprint`: the hash algorithm and the hash of the timestamped data.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// A DER `TimeStampReq` (RFC 3161 §2.4.1) for `data` (the signature to timestamp):
/// version 1, the SHA-256 imprint of `data` (the algorithm with NULL parameters), the
/// `nonce` as a positive INTEGER, and `certReq` true so that the token carries the
/// authority's certificate.
pub fn timestamp_request(data: &[u8], nonce: &[u8]) -> Vec<u8> {
    TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: oids::SHA_256,
                parameters: Some(Any::null()),
            },
            hashed_message: OctetString::new(Sha256::digest(data).to_vec())
                .expect("a digest fits an octet string"),
        },
        nonce: Some(Uint::new(nonce).expect("a nonce is an INTEGER")),
        cert_req: true,
    }
    .to_der()
    .expect("the timestamp request encodes")
}

/// `PKIStatusInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct PkiStatusInfo<'a> {
    status: i64,
    #[asn1(optional = "true")]
    status_string: Option<Vec<Utf8StringRef<'a>>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitStringRef<'a>>,
}

/// Why a timestamp authority's answer is not a granted timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampResponseError {
    /// The answer is not one DER `SEQUENCE`, or holds more than a status and a token.
    #[error("not a DER TimeStampResp")]
    NotDer,
    /// The `SEQUENCE` does not start with a `PKIStatusInfo`.
    #[error("no PKIStatusInfo")]
    NoStatusInfo,
    /// The status grants the request, but there is no token.
    #[error("the response has no timestamp token")]
    NoToken,
    /// The status is neither `granted` (0) nor `grantedWithMods` (1).
    #[error("the request was refused (PKIStatus [{0}])")]
    Refused(i64),
}

/// Checks that `response`, a DER `TimeStampResp` (RFC 3161 §2.4.2), grants the request
/// (status `granted` or `grantedWithMods`) and carries a token.
pub fn timestamp_response_status(response: &[u8]) -> Result<(), TimestampResponseError> {
    use TimestampResponseError::{NoStatusInfo, NoToken, NotDer, Refused};
    let outer = der::asn1::AnyRef::from_der(response).map_err(|_| NotDer)?;
    if outer.tag() != Tag::Sequence {
        return Err(NotDer);
    }
    let mut reader = der::SliceReader::new(outer.value()).map_err(|_| NotDer)?;
    let info = PkiStatusInfo::decode(&mut reader).map_err(|_| NoStatusInfo)?;
    let token = if reader.is_finished() {
        None
    } else {
        let token = der::asn1::AnyRef::decode(&mut reader).map_err(|_| NotDer)?;
        if !reader.is_finished() {
            return Err(NotDer);
        }
        Some(token)
    };
    match (info.status, token) {
        (0 | 1, Some(_)) => Ok(()),
        (0 | 1, None) => Err(NoToken),
        (status, _) => Err(Refused(status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{b64decode, hex};
    use crate::keys::ec::tests::TestRng;
    use crate::keys::{pem_block, PublicKey};
    use alloc::string::ToString as _;
    use const_oid::AssociatedOid as _;

    const P256_PRIV: &[u8] =
        include_bytes!("../../../tests/vectors/model-transparency/generated-v1.1.1/keys/p256.pem");
    const P384_PRIV: &[u8] = include_bytes!(
        "../../../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key.pem"
    );

    fn p256() -> SigningKey {
        SigningKey::from_pkcs8_der(&pem_block(P256_PRIV, "PRIVATE KEY").unwrap()).unwrap()
    }

    /// What the host's hand-assembled DER sent before these types replaced it, for the
    /// P-256 vector key, "alice@example.com" and `TestRng(0)` (1,400 requests over 200 keys
    /// and 7 identities, empty, non-ASCII and 200 bytes long among them, were identical).
    const ALICE_CSR: &str = "3081fb3081a302010030223120301e06092a864886f70d0109011611616c696365406578616d706c652e636f6d3059301306072a8648ce3d020106082a8648ce3d0301070342000454a8441b3f5ddfa7947b2b337b24d5d04fc517d821e486e54bc0f2acbe350d4e508fdbf19fb202d16c461d19b8797d45c03281c125d498a7040fb271a4bd5bbca01f301d06092a864886f70d01090e3110300e300c0603551d130101ff04023000300a06082a8648ce3d040302034700304402204610f03141638103ace9c34540bfbcf136faa72e5691e1ce5cbabf2dc088de0e0220709e84c567c748aaaf418ceea21d575bc54d61bfd04dee8e6809f248066105a2";

    #[test]
    fn certificate_request_is_the_one_sigstore_python_sends() {
        let key = p256();
        let der = certificate_request(&key, "alice@example.com", &mut TestRng(0));
        assert_eq!(hex(&der), ALICE_CSR);

        let req = CertReq::from_der(&der).unwrap();
        assert_eq!(req.info.version, Version::V1);
        assert_eq!(req.info.subject.to_string(), "EMAIL=alice@example.com");
        assert_eq!(
            req.info.public_key.to_der().unwrap(),
            key.public_key().to_spki_der()
        );
        // One attribute: the extension request for a critical BasicConstraints, cA false.
        assert_eq!(req.info.attributes.len(), 1);
        let attribute = req.info.attributes.get(0).unwrap();
        assert_eq!(attribute.oid, ExtensionReq::OID);
        let extensions: Vec<Extension> = attribute.values.get(0).unwrap().decode_as().unwrap();
        assert_eq!(extensions.len(), 1);
        assert_eq!(extensions[0].extn_id, oids::BASIC_CONSTRAINTS);
        assert!(extensions[0].critical);
        let constraints = BasicConstraints::from_der(extensions[0].extn_value.as_bytes()).unwrap();
        assert!(!constraints.ca);
        assert_eq!(constraints.path_len_constraint, None);
        // Signed by the key itself: Fulcio's proof of possession.
        assert_eq!(req.algorithm.oid, oids::ECDSA_WITH_SHA_256);
        assert_eq!(req.algorithm.parameters, None);
        key.public_key()
            .verify(&req.info.to_der().unwrap(), req.signature.raw_bytes())
            .unwrap();
        // The randomness is the caller's: another source, another signature, same request.
        let again = CertReq::from_der(&certificate_request(
            &key,
            "alice@example.com",
            &mut TestRng(1),
        ))
        .unwrap();
        assert_eq!(again.info, req.info);
        assert_ne!(again.signature, req.signature);
    }

    #[test]
    fn certificate_request_subject_is_empty_unless_the_identity_is_ascii() {
        let key = p256();
        for identity in ["", "é", "ü@example.com"] {
            let req =
                CertReq::from_der(&certificate_request(&key, identity, &mut TestRng(2))).unwrap();
            assert!(req.info.subject.0.is_empty(), "{identity:?}");
        }
        // A URI identity (a workflow) is sent as it is, longer than 127 bytes too.
        let long = alloc::format!("https://github.com/org/repo/{}", "x".repeat(200));
        let req = CertReq::from_der(&certificate_request(&key, &long, &mut TestRng(2))).unwrap();
        assert_eq!(req.info.subject.to_string(), alloc::format!("EMAIL={long}"));
    }

    #[test]
    fn certificate_request_names_the_curves_hash() {
        let key =
            SigningKey::from_sec1_der(&pem_block(P384_PRIV, "EC PRIVATE KEY").unwrap()).unwrap();
        let req = CertReq::from_der(&certificate_request(&key, "a@b.c", &mut TestRng(3))).unwrap();
        assert_eq!(req.algorithm.oid, oids::ECDSA_WITH_SHA_384);
        let public = PublicKey::from_spki_der(&req.info.public_key.to_der().unwrap()).unwrap();
        assert_eq!(public, key.public_key());
        public
            .verify(&req.info.to_der().unwrap(), req.signature.raw_bytes())
            .unwrap();
    }

    #[test]
    fn timestamp_request_is_the_one_sigstore_python_sends() {
        let nonce = [0x80, 1, 2, 3, 4, 5, 6, 7];
        let der = timestamp_request(b"sig", &nonce);
        // The host's hand-assembled request for the same input (4,990 of 5,000 random
        // data and nonce pairs were identical; the other 10 are the next test's case).
        assert_eq!(
            hex(&der),
            "30440201013031300d060960864801650304020105000420a543997d84f12798350c09bdef2cdb171bf41ed3e4a5f808af2feb0c5626300902090080010203040506070101ff"
        );
        let req = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(req.version, 1);
        let imprint = &req.message_imprint;
        assert_eq!(imprint.hash_algorithm.oid, oids::SHA_256);
        assert_eq!(imprint.hash_algorithm.parameters, Some(Any::null()));
        assert_eq!(
            imprint.hashed_message.as_bytes(),
            Sha256::digest(b"sig").as_slice()
        );
        // A positive INTEGER: the top bit set, so a leading zero.
        let sent = req.nonce.unwrap();
        assert_eq!(sent.as_bytes(), &nonce[..]);
        assert_eq!(sent.to_der().unwrap()[..3], [0x02, 0x09, 0x00]);
        assert!(req.cert_req);
    }

    #[test]
    fn timestamp_request_nonce_is_minimal_der() {
        // The hand-assembled request kept a leading zero byte (`02 08 00 1d ...`), which
        // DER does not allow; the INTEGER type drops it.
        let nonce = [0x00, 0x1d, 0x2a, 0xd5, 0x82, 0xb0, 0xb2, 0xa4];
        let der = timestamp_request(b"", &nonce);
        let req = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(req.nonce.unwrap().as_bytes(), &nonce[1..]);
        assert!(
            hex(&der).ends_with("02071d2ad582b0b2a40101ff"),
            "{}",
            hex(&der)
        );
    }

    /// A `TimeStampResp` with `status` and, when given, a token.
    fn response(status: &[u8], token: Option<&[u8]>) -> Vec<u8> {
        let info = crate::sigstore::asn1::encode(0x30, status);
        let content = [&info[..], token.unwrap_or(&[])].concat();
        crate::sigstore::asn1::encode(0x30, &content)
    }

    #[test]
    fn granted_responses_with_a_token_are_accepted() {
        // A timestamp authority's real answer (sigstore-python's TSA vector).
        let bundle: serde_json::Value = serde_json::from_slice(include_bytes!(
            "../../../tests/vectors/sigstore/sigstore-python/tsa/bundle.txt.sigstore"
        ))
        .unwrap();
        let signed = bundle["verificationMaterial"]["timestampVerificationData"]
            ["rfc3161Timestamps"][0]["signedTimestamp"]
            .as_str()
            .unwrap();
        assert_eq!(
            timestamp_response_status(&b64decode(signed).unwrap()),
            Ok(())
        );
        let token = [0x30, 0x00];
        assert_eq!(
            timestamp_response_status(&response(&[0x02, 0x01, 0x00], Some(&token))),
            Ok(())
        );
        // grantedWithMods, with a statusString and a failInfo.
        let info = [
            &[0x02, 0x01, 0x01][..],
            &[0x30, 0x04, 0x0c, 0x02, b'o', b'k'],
            &[0x03, 0x02, 0x00, 0x00],
        ]
        .concat();
        assert_eq!(
            timestamp_response_status(&response(&info, Some(&token))),
            Ok(())
        );
    }

    #[test]
    fn refused_and_malformed_responses_say_why() {
        use TimestampResponseError::*;
        let token = [0x30, 0x00];
        let refused = timestamp_response_status(&response(&[0x02, 0x01, 0x02], None));
        assert_eq!(refused, Err(Refused(2)));
        assert_eq!(
            refused.unwrap_err().to_string(),
            "the request was refused (PKIStatus [2])"
        );
        assert_eq!(
            timestamp_response_status(&response(&[0x02, 0x01, 0x00], None)),
            Err(NoToken)
        );
        for not_der in [
            &b"garbage, not DER"[..],
            &[],
            &[0x31, 0x00],
            &[0x30, 0x03, 0x30],
            // Trailing bytes after the response.
            &[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00, 0x00],
        ] {
            assert_eq!(
                timestamp_response_status(not_der),
                Err(NotDer),
                "{not_der:?}"
            );
        }
        // More than a status and a token.
        let content = [&[0x30, 0x03, 0x02, 0x01, 0x00][..], &token, &token].concat();
        assert_eq!(
            timestamp_response_status(&crate::sigstore::asn1::encode(0x30, &content)),
            Err(NotDer)
        );
        // No PKIStatusInfo first: nothing, an OID, a status that is NULL, not an INTEGER.
        for content in [&[][..], &[0x06, 0x01, 0x2a], &[0x30, 0x02, 0x05, 0x00]] {
            assert_eq!(
                timestamp_response_status(&crate::sigstore::asn1::encode(0x30, content)),
                Err(NoStatusInfo),
                "{content:?}"
            );
        }
        assert_eq!(
            timestamp_response_status(&response(&[0x04, 0x01, 0x00], Some(&token))),
            Err(NoStatusInfo)
        );
    }
}
