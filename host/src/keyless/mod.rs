//! Keyless Sigstore signing (`model_signing sign sigstore`): an OIDC identity token, an
//! ephemeral P-256 key certified by Fulcio (v2 `signingCert` with proof of possession),
//! the DSSE signature, RFC 3161 timestamps and a Rekor entry, assembled into the v0.3
//! bundle the reference writes, and verified with this crate's own verifier before it
//! is returned (and only then written, atomically, by [`crate::signing::Config`]).
//!
//! The services come from a signing configuration: the embedded production or staging
//! one, or a client trust configuration's (`--trust-config`), chosen with the
//! reference's precedence when signing: `--use-staging`, else `--trust-config`, else
//! production (docs/format.md §10.5).

pub mod http;
pub mod oidc;
pub mod services;

use std::path::Path;

use model_signing_core::bundle::{Bundle, Content, VerificationMaterial};
use model_signing_core::dsse::{pae, IN_TOTO_PAYLOAD_TYPE};
use model_signing_core::keys::{PublicKey, SigningKey};
use model_signing_core::signing::{sign_statement, SignError, Signer};
use model_signing_core::sigstore::identity::certificate_identity;
use model_signing_core::sigstore::time::UnixTime;
use model_signing_core::sigstore::{ClientTrustConfig, IdentityPolicy};
use model_signing_core::verify::{verify_bundle, Verifier, VerifyError, Warning};

pub use http::{HttpPolicy, Service, ServiceError};
pub use oidc::{IdentityToken, OidcError, TokenSource};
pub use services::{Selected, SelectionError};

use crate::sigstore::SigstoreSetupError;

/// Why keyless signing failed. Nothing is written in any case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeylessError {
    /// The trust configuration could not be read.
    #[error(transparent)]
    Setup(#[from] SigstoreSetupError),
    /// The signing configuration does not name usable services.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// No usable identity token.
    #[error(transparent)]
    Token(#[from] OidcError),
    /// A service failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Signing itself failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// Fulcio's certificate states no usable identity.
    #[error("the certificate from Fulcio states no usable identity: {0}")]
    CertificateIdentity(String),
    /// The assembled bundle does not verify: a service returned something that does
    /// not check out against the trusted root.
    #[error(
        "the signed bundle does not verify against the trusted root, so it was not written: {0}"
    )]
    SelfVerification(VerifyError),
    /// The assembled bundle does not read back (a service returned malformed data).
    #[error("the signed bundle cannot be read back, so it was not written: {0}")]
    Reparse(model_signing_core::bundle::BundleError),
    /// A timestamp from a TSA does not verify against the trusted root.
    #[error("the timestamp authority's timestamp does not verify against the trusted root, so nothing was written: {0}")]
    TimestampRejected(String),
    /// The new certificate is for another identity than the previous signature's
    /// (incremental re-signing keeps the signer).
    #[error("the new certificate's identity is not the previous signature's, so nothing was written: {0}; sign from scratch to sign as another identity")]
    IdentityChanged(model_signing_core::sigstore::IdentityError),
}

/// The trust configuration to sign with, by the reference's precedence when signing:
/// `use_staging` wins over `trust_config`, which wins over production.
pub fn signing_trust_config(
    trust_config: Option<&Path>,
    use_staging: bool,
) -> Result<ClientTrustConfig, SigstoreSetupError> {
    if use_staging {
        return Ok(ClientTrustConfig::staging());
    }
    match trust_config {
        Some(path) => {
            let data = std::fs::read(path).map_err(|source| SigstoreSetupError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            ClientTrustConfig::from_json(&data).map_err(|source| SigstoreSetupError::Invalid {
                path: path.to_path_buf(),
                what: "client trust configuration",
                source,
            })
        }
        None => Ok(ClientTrustConfig::production()),
    }
}

/// The ephemeral key and its Fulcio certificate, as a core [`Signer`].
struct EphemeralSigner {
    key: SigningKey,
    certificate: Vec<u8>,
}

impl Signer for EphemeralSigner {
    fn verification_material(&self) -> VerificationMaterial {
        VerificationMaterial::Certificate(self.certificate.clone())
    }

    fn public_key(&self) -> Option<PublicKey> {
        Some(self.key.public_key())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.key.sign(message, &mut rand_core::OsRng))
    }
}

/// A keyless signer: the trust configuration, the chosen services and the identity
/// token (obtained when the signer is made, before the model is hashed, as the
/// reference does).
pub struct KeylessSigner {
    trust: ClientTrustConfig,
    services: Selected,
    token: IdentityToken,
    http: HttpPolicy,
}

impl std::fmt::Debug for KeylessSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeylessSigner")
            .field("services", &self.services)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

fn now() -> UnixTime {
    UnixTime::from_secs(oidc::now_secs())
}

impl KeylessSigner {
    /// Chooses the services of `trust`'s signing configuration and gets an identity
    /// token from `source`.
    pub fn new(
        trust: ClientTrustConfig,
        source: TokenSource,
        http: HttpPolicy,
    ) -> Result<Self, KeylessError> {
        let services = services::select(&trust.signing_config, now())?;
        tracing::debug!(?services, "selected Sigstore services");
        let _span = tracing::info_span!(
            "oidc.identity_token",
            source = match &source {
                TokenSource::Explicit(_) => "explicit",
                TokenSource::Ambient => "ambient",
                TokenSource::Interactive {
                    force_oob: true, ..
                } => "out-of-band",
                TokenSource::Interactive { .. } => "browser",
            }
        )
        .entered();
        let raw = match source {
            TokenSource::Explicit(t) => t,
            TokenSource::Ambient => match oidc::ambient_token(&http) {
                Ok(t) => t,
                // As the reference: without ambient credentials, ask interactively.
                Err(OidcError::NoAmbientCredentials) => {
                    tracing::info!("no ambient credentials; starting the interactive OIDC flow");
                    let issuer = services.oidc.as_deref().ok_or(OidcError::NoProvider)?;
                    oidc::interactive_token(issuer, false, "sigstore", "", &http)?
                }
                Err(e) => return Err(e.into()),
            },
            TokenSource::Interactive {
                force_oob,
                client_id,
                client_secret,
            } => {
                let issuer = services.oidc.as_deref().ok_or(OidcError::NoProvider)?;
                oidc::interactive_token(issuer, force_oob, &client_id, &client_secret, &http)?
            }
        };
        let token = IdentityToken::parse(&raw, oidc::now_secs())?;
        tracing::debug!(issuer = %token.issuer, identity = %token.identity, "identity token");
        Ok(Self {
            trust,
            services,
            token,
            http,
        })
    }

    /// The services this signer uses.
    pub fn services(&self) -> &Selected {
        &self.services
    }

    /// The trust configuration it signs with (its trusted root verifies what it signs).
    pub fn trust(&self) -> &ClientTrustConfig {
        &self.trust
    }

    /// Signs the statement `payload`: certificate, signature, timestamps, log entry,
    /// then verifies the bundle against the trusted root (with the certificate's own
    /// identity) and returns it.
    pub fn sign_payload(&self, payload: Vec<u8>) -> Result<Bundle, KeylessError> {
        self.sign_payload_as(payload, None)
    }

    /// [`KeylessSigner::sign_payload`], refusing a certificate whose identity `required`
    /// does not accept (incremental re-signing: the previous signature's identity and
    /// issuer).
    pub fn sign_payload_as(
        &self,
        payload: Vec<u8>,
        required: Option<&IdentityPolicy>,
    ) -> Result<Bundle, KeylessError> {
        let key = SigningKey::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng));
        let chain = {
            let _span =
                tracing::info_span!("fulcio.signing_cert", url = %self.services.fulcio).entered();
            services::fulcio_certificate(
                &self.services.fulcio,
                self.token.secret(),
                &self.token.identity,
                &key,
                &self.http,
            )?
        };
        let certificate = chain[0].clone();
        let signer = EphemeralSigner {
            key,
            certificate: certificate.clone(),
        };
        let mut bundle = {
            let _span = tracing::info_span!("sign.dsse").entered();
            sign_statement(&signer, payload)?
        };
        let envelope = match &mut bundle.content {
            Content::Dsse(envelope) => envelope,
            Content::MessageSignature { .. } => {
                unreachable!("sign_statement signs a DSSE envelope")
            }
        };
        // Keyless bundles carry no key ID (sigstore-python writes none).
        for s in &mut envelope.signatures {
            s.keyid = None;
        }
        let envelope = envelope.clone();
        let signature = envelope.signatures[0].sig.clone();

        let mut timestamps = Vec::new();
        for url in &self.services.tsa {
            let _span = tracing::info_span!("tsa.timestamp", url = %url).entered();
            timestamps.push(services::timestamp(url, &signature, &self.http)?);
        }
        let mut entries = Vec::new();
        for (url, version) in &self.services.rekor {
            let _span =
                tracing::info_span!("rekor.create_entry", url = %url, api_version = version)
                    .entered();
            let entry = if *version == 2 {
                let message = pae(IN_TOTO_PAYLOAD_TYPE, &envelope.payload);
                services::rekor_v2_hashedrekord(
                    url,
                    &message,
                    &signature,
                    &certificate,
                    &self.http,
                )?
            } else {
                let envelope =
                    services::envelope_json(&envelope.payload, &envelope.payload_type, &signature);
                services::rekor_v1_dsse(url, &envelope, &certificate, &self.http)?
            };
            entries.push(entry);
        }
        bundle.tlog_entries = entries;
        bundle.timestamps = timestamps;

        let _span = tracing::info_span!("verify.bundle").entered();
        self.self_verify(&bundle, &certificate)?;
        if let Some(policy) = required {
            use der::Decode as _;
            let cert = x509_cert::Certificate::from_der(&certificate)
                .map_err(|e| KeylessError::CertificateIdentity(e.to_string()))?;
            let stated = certificate_identity(&cert).map_err(KeylessError::IdentityChanged)?;
            policy
                .check(&stated)
                .map_err(KeylessError::IdentityChanged)?;
        }
        Ok(bundle)
    }

    /// Verifies the bundle exactly as it will be written.
    fn self_verify(&self, bundle: &Bundle, certificate: &[u8]) -> Result<(), KeylessError> {
        use der::Decode as _;
        let cert = x509_cert::Certificate::from_der(certificate)
            .map_err(|e| KeylessError::CertificateIdentity(e.to_string()))?;
        let stated = certificate_identity(&cert)
            .map_err(|e| KeylessError::CertificateIdentity(e.to_string()))?;
        let (Some(name), Some(issuer)) = (stated.names.first(), stated.issuer.clone()) else {
            return Err(KeylessError::CertificateIdentity(
                "no SAN or no OIDC issuer extension".into(),
            ));
        };
        let written =
            Bundle::from_json(bundle.to_json().as_bytes()).map_err(KeylessError::Reparse)?;
        let verifier = Verifier::Sigstore {
            trust_root: Box::new(self.trust.trusted_root.clone()),
            policy: IdentityPolicy::exact(name.as_str(), issuer),
            now: Some(crate::sigstore::now()),
        };
        let verified =
            verify_bundle(&written, &verifier).map_err(KeylessError::SelfVerification)?;
        if let Some(w) = verified
            .warnings
            .iter()
            .find(|w| matches!(w, Warning::TimestampIgnored { .. }))
        {
            return Err(KeylessError::TimestampRejected(w.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_precedence_staging_over_trust_config_over_production() {
        let cfg = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/sigstore/trust/staging.clienttrustconfig.json");
        let staging = signing_trust_config(Some(&cfg), true).unwrap();
        assert!(staging.signing_config.ca_urls[0]
            .url
            .contains("sigstage.dev"));
        let from_file = signing_trust_config(Some(&cfg), false).unwrap();
        assert!(from_file.signing_config.ca_urls[0]
            .url
            .contains("sigstage.dev"));
        let production = signing_trust_config(None, false).unwrap();
        assert_eq!(
            production.signing_config.ca_urls[0].url,
            "https://fulcio.sigstore.dev"
        );
        // --use-staging wins even over an unreadable --trust-config, as in the reference.
        assert!(signing_trust_config(Some(Path::new("/nonexistent")), true).is_ok());
        assert!(matches!(
            signing_trust_config(Some(Path::new("/nonexistent")), false),
            Err(SigstoreSetupError::Read { .. })
        ));
    }
}
