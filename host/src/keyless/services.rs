//! The Sigstore services a keyless signature needs, chosen from a signing configuration:
//! Fulcio (certificate), RFC 3161 timestamp authorities, and Rekor (v1 `dsse` 0.0.1 or
//! v2 `hashedrekord` 0.0.2 entries).

use model_signing_core::encoding::{b64decode, b64encode, unhex};
use model_signing_core::keys::{to_pem, SigningKey};
use model_signing_core::sigstore::requests;
use model_signing_core::sigstore::time::UnixTime;
use model_signing_core::sigstore::tlog::TlogEntry;
use model_signing_core::sigstore::trust_root::ServiceSelector;
use model_signing_core::sigstore::trust_root::{Service as ConfigService, SigningConfig};
use serde_json::{json, Value};
use sha2::Digest as _;

use super::http::{self, HttpPolicy, Service, ServiceError};

/// API versions this client speaks, per service kind.
const FULCIO_VERSIONS: [u32; 1] = [1];
const OIDC_VERSIONS: [u32; 1] = [1];
const REKOR_VERSIONS: [u32; 2] = [1, 2];
const TSA_VERSIONS: [u32; 1] = [1];

/// Why the signing configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SelectionError {
    /// No service of a kind is valid now with a supported API version.
    #[error("the signing configuration has no valid {0} with a supported API version")]
    NoService(&'static str),
    /// `EXACT` asks for more services than there are.
    #[error("the signing configuration asks for {wanted} {kind}(s) but only {found} are valid")]
    TooFew {
        /// The kind of service.
        kind: &'static str,
        /// `count`.
        wanted: u32,
        /// How many are valid.
        found: usize,
    },
    /// An unknown selector.
    #[error("unknown service selector '{0}'")]
    Selector(String),
}

/// The services valid at `now` with a supported API version, the highest version of
/// each operator, in configuration order (sigstore-python's `_get_valid_services`).
fn valid_services<'a>(
    services: &'a [ConfigService],
    supported: &[u32],
    now: UnixTime,
) -> Vec<&'a ConfigService> {
    let valid: Vec<&ConfigService> = services
        .iter()
        .filter(|s| supported.contains(&s.major_api_version) && s.valid_for.contains(now))
        .collect();
    let mut out: Vec<&ConfigService> = Vec::new();
    for s in &valid {
        let best = valid
            .iter()
            .filter(|o| o.operator == s.operator)
            .map(|o| o.major_api_version)
            .max()
            .unwrap_or(0);
        let already = out.iter().any(|o| o.operator == s.operator);
        if s.major_api_version == best && (!already || s.operator.is_none()) {
            out.push(s);
        }
    }
    out
}

fn apply_selector<'a>(
    kind: &'static str,
    valid: Vec<&'a ConfigService>,
    selector: Option<&ServiceSelector>,
) -> Result<Vec<&'a ConfigService>, SelectionError> {
    if valid.is_empty() {
        return Err(SelectionError::NoService(kind));
    }
    match selector.unwrap_or(&ServiceSelector::Any) {
        ServiceSelector::Any => Ok(valid.into_iter().take(1).collect()),
        ServiceSelector::All => Ok(valid),
        &ServiceSelector::Exact(wanted) => {
            if valid.len() < wanted as usize {
                return Err(SelectionError::TooFew {
                    kind,
                    wanted,
                    found: valid.len(),
                });
            }
            Ok(valid.into_iter().take(wanted as usize).collect())
        }
        ServiceSelector::Unknown(other) => Err(SelectionError::Selector(other.clone())),
        _ => Err(SelectionError::Selector("an unknown selector".into())),
    }
}

/// The services to sign with.
#[derive(Clone, Debug)]
pub struct Selected {
    /// The Fulcio base URL.
    pub fulcio: String,
    /// The OIDC provider (issuer URL), when the configuration lists one.
    pub oidc: Option<String>,
    /// Rekor base URLs with their major API version.
    pub rekor: Vec<(String, u32)>,
    /// Full RFC 3161 endpoint URLs.
    pub tsa: Vec<String>,
}

/// Chooses the services of `config` valid at `now`.
pub fn select(config: &SigningConfig, now: UnixTime) -> Result<Selected, SelectionError> {
    let first = |kind, list: &[ConfigService], versions: &[u32]| {
        valid_services(list, versions, now)
            .first()
            .map(|s| s.url.clone())
            .ok_or(SelectionError::NoService(kind))
    };
    let fulcio = first(
        "certificate authority (caUrls)",
        &config.ca_urls,
        &FULCIO_VERSIONS,
    )?;
    let oidc = first("OIDC provider", &config.oidc_urls, &OIDC_VERSIONS).ok();
    let rekor = apply_selector(
        "transparency log (rekorTlogUrls)",
        valid_services(&config.rekor_tlog_urls, &REKOR_VERSIONS, now),
        config.rekor_tlog_config.as_ref(),
    )?
    .into_iter()
    .map(|s| (s.url.clone(), s.major_api_version))
    .collect::<Vec<_>>();
    let tsa_valid = valid_services(&config.tsa_urls, &TSA_VERSIONS, now);
    let tsa = if tsa_valid.is_empty() {
        Vec::new()
    } else {
        apply_selector("timestamp authority", tsa_valid, config.tsa_config.as_ref())?
            .into_iter()
            .map(|s| s.url.clone())
            .collect()
    };
    // Rekor v2 entries carry no integrated time: a timestamp is the only verified time.
    if tsa.is_empty() && rekor.iter().any(|(_, v)| *v == 2) {
        return Err(SelectionError::NoService(
            "timestamp authority (tsaUrls), which Rekor v2 requires",
        ));
    }
    Ok(Selected {
        fulcio,
        oidc,
        rekor,
        tsa,
    })
}

/// Asks Fulcio (`POST /api/v2/signingCert`) for a certificate for `key`, sending a CSR
/// signed by the key (the proof of possession, built by core's
/// [`requests::certificate_request`]) and the identity token, as sigstore-python does.
/// Returns the leaf (DER) followed by the rest of the chain.
pub fn fulcio_certificate(
    base_url: &str,
    token: &str,
    identity: &str,
    key: &SigningKey,
    policy: &HttpPolicy,
) -> Result<Vec<Vec<u8>>, ServiceError> {
    let url = format!("{}/api/v2/signingCert", base_url.trim_end_matches('/'));
    let csr = to_pem(
        "CERTIFICATE REQUEST",
        &requests::certificate_request(key, identity, &mut rand_core::OsRng),
    );
    let request = json!({
        "credentials": {"oidcIdentityToken": token},
        "certificateSigningRequest": b64encode(csr.as_bytes()),
    });
    let public_key = &key.public_key();
    let answer = http::post_json(
        Service::Fulcio,
        policy,
        &url,
        vec![("Authorization", format!("Bearer {token}"))],
        &request,
    )?;
    let invalid = |reason: &str| ServiceError::invalid(Service::Fulcio, &url, reason);
    if answer.get("signedCertificateDetachedSct").is_some() {
        return Err(invalid(
            "it returned a certificate with a detached SCT, which is not supported",
        ));
    }
    let pems = answer
        .pointer("/signedCertificateEmbeddedSct/chain/certificates")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no signedCertificateEmbeddedSct.chain.certificates"))?;
    let mut chain = Vec::new();
    for pem in pems {
        let pem = pem
            .as_str()
            .ok_or_else(|| invalid("a certificate is not a string"))?;
        let ders = model_signing_core::certificate::parse_pem_certificates(pem.as_bytes())
            .map_err(|e| invalid(&format!("a certificate is not PEM: {e}")))?;
        chain.extend(ders);
    }
    let leaf = chain.first().ok_or_else(|| invalid("the chain is empty"))?;
    let leaf_key = model_signing_core::certificate::certificate_public_key(leaf)
        .map_err(|e| invalid(&format!("the certificate is unusable: {e}")))?;
    if &leaf_key != public_key {
        return Err(invalid("the certificate is not for the requested key"));
    }
    Ok(chain)
}

/// Gets an RFC 3161 timestamp over `signature` from the TSA at `url` (the request and
/// the status check are core's [`requests`]); returns the DER `TimeStampResp` (what
/// bundles carry as `signedTimestamp`) once its status says granted. The token itself
/// is verified with the whole bundle.
pub fn timestamp(
    url: &str,
    signature: &[u8],
    policy: &HttpPolicy,
) -> Result<Vec<u8>, ServiceError> {
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    let response = http::send(
        Service::Tsa,
        policy,
        &http::Request {
            method: "POST",
            url,
            headers: Vec::new(),
            body: Some((
                "application/timestamp-query",
                requests::timestamp_request(signature, &nonce),
            )),
        },
    )?;
    requests::timestamp_response_status(&response.body)
        .map_err(|e| ServiceError::invalid(Service::Tsa, url, e.to_string()))?;
    Ok(response.body)
}

/// The envelope JSON sent to Rekor, as sigstore-python writes it.
pub fn envelope_json(payload: &[u8], payload_type: &str, signature: &[u8]) -> String {
    json!({
        "payload": b64encode(payload),
        "payloadType": payload_type,
        "signatures": [{"sig": b64encode(signature)}],
    })
    .to_string()
}

/// Adds a `dsse` 0.0.1 entry to the Rekor v1 log at `base_url` and returns it as a
/// bundle `TransparencyLogEntry`.
pub fn rekor_v1_dsse(
    base_url: &str,
    envelope_json: &str,
    certificate_der: &[u8],
    policy: &HttpPolicy,
) -> Result<TlogEntry, ServiceError> {
    let url = format!("{}/api/v1/log/entries", base_url.trim_end_matches('/'));
    let request = json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {"proposedContent": {
            "envelope": envelope_json,
            "verifiers": [b64encode(to_pem("CERTIFICATE", certificate_der).as_bytes())],
        }},
    });
    let answer = http::post_json(Service::Rekor, policy, &url, Vec::new(), &request)?;
    v1_entry(&answer)
        .and_then(|entry| {
            TlogEntry::from_json(entry.to_string().as_bytes()).map_err(|e| e.to_string())
        })
        .map_err(|reason| ServiceError::invalid(Service::Rekor, &url, reason))
}

fn hex_to_b64(v: &Value, what: &str) -> Result<String, String> {
    v.as_str()
        .and_then(unhex)
        .map(|b| b64encode(&b))
        .ok_or_else(|| format!("'{what}' is not hexadecimal"))
}

fn int_string(v: &Value, what: &str) -> Result<String, String> {
    v.as_u64()
        .map(|n| n.to_string())
        .or_else(|| {
            v.as_str()
                .filter(|s| s.parse::<u64>().is_ok())
                .map(str::to_string)
        })
        .ok_or_else(|| format!("'{what}' is not a non-negative integer"))
}

/// Converts Rekor v1's `{uuid: LogEntry}` answer to a `TransparencyLogEntry`.
fn v1_entry(answer: &Value) -> Result<Value, String> {
    let entries = answer.as_object().ok_or("not an object")?;
    let (_, e) = match entries.iter().next() {
        Some(e) if entries.len() == 1 => e,
        _ => return Err("expected exactly one entry".into()),
    };
    let field = |name: &str| e.get(name).ok_or_else(|| format!("no '{name}'"));
    let body_b64 = field("body")?.as_str().ok_or("'body' is not a string")?;
    let body: Value = b64decode(body_b64)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("'body' is not base64 JSON")?;
    let kind = body
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("the body has no kind")?;
    let version = body
        .get("apiVersion")
        .and_then(Value::as_str)
        .ok_or("the body has no apiVersion")?;
    let verification = field("verification")?;
    let set = verification
        .get("signedEntryTimestamp")
        .and_then(Value::as_str)
        .ok_or("no signedEntryTimestamp")?;
    let proof = verification
        .get("inclusionProof")
        .ok_or("no inclusionProof")?;
    let hashes = proof
        .get("hashes")
        .and_then(Value::as_array)
        .ok_or("no inclusionProof.hashes")?
        .iter()
        .map(|h| hex_to_b64(h, "inclusionProof.hashes[]").map(Value::String))
        .collect::<Result<Vec<_>, _>>()?;
    let checkpoint = proof
        .get("checkpoint")
        .and_then(Value::as_str)
        .ok_or("no inclusionProof.checkpoint")?;
    Ok(json!({
        "logIndex": int_string(field("logIndex")?, "logIndex")?,
        "logId": {"keyId": hex_to_b64(field("logID")?, "logID")?},
        "kindVersion": {"kind": kind, "version": version},
        "integratedTime": int_string(field("integratedTime")?, "integratedTime")?,
        "inclusionPromise": {"signedEntryTimestamp": set},
        "inclusionProof": {
            "logIndex": int_string(proof.get("logIndex").ok_or("no inclusionProof.logIndex")?, "inclusionProof.logIndex")?,
            "rootHash": hex_to_b64(proof.get("rootHash").ok_or("no inclusionProof.rootHash")?, "rootHash")?,
            "treeSize": int_string(proof.get("treeSize").ok_or("no inclusionProof.treeSize")?, "treeSize")?,
            "hashes": hashes,
            "checkpoint": {"envelope": checkpoint},
        },
        "canonicalizedBody": body_b64,
    }))
}

/// Adds a `hashedrekord` 0.0.2 entry over `SHA-256(pae)` to the Rekor v2 log at
/// `base_url`; the answer already is a `TransparencyLogEntry`.
pub fn rekor_v2_hashedrekord(
    base_url: &str,
    pae: &[u8],
    signature: &[u8],
    certificate_der: &[u8],
    policy: &HttpPolicy,
) -> Result<TlogEntry, ServiceError> {
    let url = format!("{}/api/v2/log/entries", base_url.trim_end_matches('/'));
    let request = json!({"hashedRekordRequestV002": {
        "digest": b64encode(&sha2::Sha256::digest(pae)),
        "signature": {
            "content": b64encode(signature),
            "verifier": {
                "x509Certificate": {"rawBytes": b64encode(certificate_der)},
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            },
        },
    }});
    let answer = http::post_json(Service::Rekor, policy, &url, Vec::new(), &request)?;
    let entry = TlogEntry::from_json(answer.to_string().as_bytes())
        .map_err(|e| ServiceError::invalid(Service::Rekor, &url, e.to_string()))?;
    if entry.inclusion_proof.is_none() {
        return Err(ServiceError::invalid(
            Service::Rekor,
            &url,
            "the entry has no inclusion proof",
        ));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model_signing_core::sigstore::trust_root::ValidityPeriod;

    fn svc(url: &str, v: u32, op: &str) -> ConfigService {
        ConfigService {
            url: url.into(),
            major_api_version: v,
            valid_for: ValidityPeriod {
                start: Some(UnixTime::from_secs(0)),
                end: None,
            },
            operator: Some(op.into()),
        }
    }

    #[test]
    fn selection() {
        let now = UnixTime::from_secs(100);
        let list = [
            svc("a1", 1, "a"),
            svc("a2", 2, "a"),
            svc("b1", 1, "b"),
            svc("c3", 3, "c"),
        ];
        let valid: Vec<_> = valid_services(&list, &REKOR_VERSIONS, now)
            .iter()
            .map(|s| s.url.as_str())
            .collect();
        assert_eq!(valid, ["a2", "b1"]);
        let any = apply_selector("x", valid_services(&list, &REKOR_VERSIONS, now), None).unwrap();
        assert_eq!(any.len(), 1);
        let exact = ServiceSelector::Exact(3);
        assert!(matches!(
            apply_selector(
                "x",
                valid_services(&list, &REKOR_VERSIONS, now),
                Some(&exact)
            ),
            Err(SelectionError::TooFew { .. })
        ));
        // The embedded production configuration selects Rekor v1 today.
        let prod = select(
            &SigningConfig::production(),
            UnixTime::from_secs(1_764_000_000),
        )
        .unwrap();
        assert_eq!(prod.rekor.len(), 1);
        assert!(prod.fulcio.starts_with("https://fulcio"));
    }
}
