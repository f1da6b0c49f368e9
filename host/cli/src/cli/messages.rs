//! What the CLI prints for an error: the library's message, and where the reference's
//! CLI (and this one, always) names the flag or command that helps, that advice too.
//! The library's own messages never mention flags: they also reach browsers and the
//! signing daemon's answers.

use model_signing::keyfile::KeyFileError;
use model_signing::sigstore::SigstoreSetupError;
use model_signing::walk::WalkError;
use model_signing::Error;
use model_signing_core::certificate::CertificateError;
use model_signing_core::model_check::{HashingSetting, ModelCheckError};
use model_signing_core::signing::SignError;
use model_signing_core::sigstore::SigstoreError;
use model_signing_core::verify::{MaterialKind, VerifyError};

/// The error and its causes, joined with ": " like `{:#}`, but without a cause whose
/// text the message before it already includes (the library's messages embed their
/// source, so `{:#}` would print it twice).
pub fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    let mut previous = String::new();
    for cause in e.chain() {
        let text = cli_text(cause).unwrap_or_else(|| cause.to_string());
        if previous.is_empty() || !previous.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        previous = text;
    }
    out
}

/// The CLI's wording of `cause`, where it differs from the library's.
fn cli_text(cause: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(e) = cause.downcast_ref::<Error>() {
        return library_text(e);
    }
    if let Some(e) = cause.downcast_ref::<SigstoreSetupError>() {
        return setup_text(e);
    }
    if let Some(e) = cause.downcast_ref::<VerifyError>() {
        return Some(verify_text(e));
    }
    None
}

fn library_text(e: &Error) -> Option<String> {
    Some(match e {
        Error::Walk(w) => walk_text(w)?,
        Error::Verify(v) => verify_text(v),
        Error::ModelCheck(ModelCheckError::SerializationMismatch {
            setting,
            given,
            signed,
        }) => {
            let flag = match setting {
                HashingSetting::Method => "serialization",
                HashingSetting::Algorithm => "hash-algorithm",
                HashingSetting::ShardSize => "shard-size",
            };
            format!("--{flag} {given} was given, but the signature was made with {flag} {signed}; drop the option (verify reads it from the signature)")
        }
        Error::NoTrustAnchors => {
            "no trusted certificates: pass the root CA with --certificate-chain".into()
        }
        Error::KeyFile(k) => key_file_text(k)?,
        Error::SigstoreSetup(s) => setup_text(s)?,
        Error::Sign(SignError::Certificate(c)) => {
            format!(
                "the signing certificate is not usable: {}",
                certificate_text(c)
            )
        }
        _ => return None,
    })
}

fn walk_text(e: &WalkError) -> Option<String> {
    Some(match e {
        WalkError::Symlink(p) => format!(
            "cannot use '{}' because it is a symlink; pass --allow-symlinks to hash the files symlinks point to, or ignore it with --ignore-paths",
            p.display()
        ),
        WalkError::SymlinkToDirectory(p) => format!(
            "symlink '{}' points to a directory; directory symlinks are not followed, so ignore it with --ignore-paths or replace it with the directory",
            p.display()
        ),
        _ => return None,
    })
}

fn key_file_text(e: &KeyFileError) -> Option<String> {
    Some(match e {
        KeyFileError::PasswordRequired(p) => format!(
            "the private key '{}' is encrypted: give its password with --password",
            p.display()
        ),
        KeyFileError::Certificate { path, source } => format!(
            "cannot use the certificate file '{}': {}",
            path.display(),
            certificate_text(source)
        ),
        _ => return None,
    })
}

fn setup_text(e: &SigstoreSetupError) -> Option<String> {
    match e {
        SigstoreSetupError::Regex(reason) => {
            Some(format!("invalid --identity regular expression: {reason}"))
        }
        _ => None,
    }
}

fn verify_text(e: &VerifyError) -> String {
    match e {
        VerifyError::WrongMaterial { found, .. } => {
            let command = match found {
                MaterialKind::PublicKey => "key",
                MaterialKind::CertificateChain => "certificate",
                MaterialKind::Sigstore => "sigstore",
            };
            format!("{e}; use `verify {command}`")
        }
        VerifyError::Certificate(c) => certificate_text(c),
        VerifyError::Sigstore(SigstoreError::UntrustedCertificate { at, reason }) => format!(
            "the signing certificate does not chain to a certificate authority of the trusted root at {at}: {}",
            certificate_text(reason)
        ),
        other => other.to_string(),
    }
}

/// Certificate errors with the advice of which certificates to pass.
fn certificate_text(e: &CertificateError) -> String {
    match e {
        CertificateError::NoTrustAnchors => {
            format!("{e}: pass the root CA certificate that should be trusted")
        }
        CertificateError::IssuerNotFound { .. } => {
            format!("{e}; pass the CA certificates that issued it")
        }
        CertificateError::TrustedIssuerNotFound { .. } => {
            format!("{e}, so also pass the root CA certificate")
        }
        CertificateError::UntrustedSelfSigned { .. } => {
            format!("{e}; pass it with the trusted certificates if it is the root CA to trust")
        }
        other => other.to_string(),
    }
}
