//! `sigstore_conformance`: a client for the verification half of the public
//! sigstore-conformance protocol, so that any Sigstore bundle (not only model
//! signatures) can be checked with this project's verifier.
//!
//! ```text
//! sigstore_conformance verify-bundle [--staging] --bundle FILE \
//!     --certificate-identity IDENTITY --certificate-oidc-issuer URL \
//!     [--trusted-root FILE] FILE_OR_DIGEST
//! sigstore_conformance verify-bundle [--staging] --bundle FILE --key PUBKEY.pem \
//!     [--trusted-root FILE] FILE_OR_DIGEST
//! ```
//!
//! `FILE_OR_DIGEST` is `sha256:<64 hex digits>` (no file is read) or a path. For a DSSE
//! bundle the digest must be one of the in-toto statement's subjects. Without
//! `--trusted-root` the embedded production root is used (staging with `--staging`).
//! Exit status 0 only when the bundle verifies; 1 when it does not; 2 for usage errors.
//! Signing (`sign-bundle`) is not implemented: nothing here talks to the network.

use std::path::PathBuf;
use std::process::ExitCode;

use model_signing::sigstore::{identity_policy, load_trusted_root_file, ArtifactArg};
use model_signing_core::bundle::Bundle;
use model_signing_core::keys::key_from_pem;
use model_signing_core::sigstore::{verify, Artifact, Policy, TrustedRoot};

/// The parsed `verify-bundle` arguments.
struct Args {
    staging: bool,
    bundle: PathBuf,
    identity: Option<(String, String)>,
    key: Option<PathBuf>,
    trusted_root: Option<PathBuf>,
    artifact: String,
}

const USAGE: &str = "usage:
  sigstore_conformance verify-bundle [--staging] --bundle FILE --certificate-identity IDENTITY --certificate-oidc-issuer URL [--trusted-root FILE] FILE_OR_DIGEST
  sigstore_conformance verify-bundle [--staging] --bundle FILE --key PUBKEY.pem [--trusted-root FILE] FILE_OR_DIGEST";

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    match argv.next().as_deref() {
        Some("verify-bundle") => {}
        Some(other) => {
            return Err(format!(
                "unsupported command '{other}' (only verify-bundle is implemented)"
            ))
        }
        None => return Err("no command given".into()),
    }
    let mut staging = false;
    let mut bundle = None;
    let mut identity = None;
    let mut issuer = None;
    let mut key = None;
    let mut trusted_root = None;
    let mut artifact = None;
    while let Some(arg) = argv.next() {
        let mut value = |name: &str| argv.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--staging" => staging = true,
            "--bundle" => bundle = Some(PathBuf::from(value("--bundle")?)),
            "--certificate-identity" => identity = Some(value("--certificate-identity")?),
            "--certificate-oidc-issuer" => issuer = Some(value("--certificate-oidc-issuer")?),
            "--key" => key = Some(PathBuf::from(value("--key")?)),
            "--trusted-root" => trusted_root = Some(PathBuf::from(value("--trusted-root")?)),
            a if a.starts_with("--") => return Err(format!("unknown option '{a}'")),
            _ if artifact.is_some() => return Err(format!("unexpected argument '{arg}'")),
            _ => artifact = Some(arg),
        }
    }
    let identity = match (identity, issuer, &key) {
        (Some(i), Some(o), None) => Some((i, o)),
        (None, None, Some(_)) => None,
        _ => {
            return Err(
                "give either --certificate-identity and --certificate-oidc-issuer, or --key".into(),
            )
        }
    };
    Ok(Args {
        staging,
        bundle: bundle.ok_or("--bundle is required")?,
        identity,
        key,
        trusted_root,
        artifact: artifact.ok_or("FILE_OR_DIGEST is required")?,
    })
}

fn run(args: &Args) -> anyhow::Result<String> {
    let root = match &args.trusted_root {
        Some(path) => load_trusted_root_file(path)?,
        None if args.staging => TrustedRoot::staging(),
        None => TrustedRoot::production(),
    };
    let policy = match (&args.identity, &args.key) {
        (Some((identity, issuer)), _) => {
            Policy::Identity(identity_policy(identity, issuer, false)?)
        }
        (None, Some(path)) => {
            let pem = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("cannot read '{}': {e}", path.display()))?;
            Policy::Key(
                key_from_pem(&pem).map_err(|e| anyhow::anyhow!("'{}': {e}", path.display()))?,
            )
        }
        (None, None) => anyhow::bail!("no policy"),
    };
    let data = std::fs::read(&args.bundle)
        .map_err(|e| anyhow::anyhow!("cannot read '{}': {e}", args.bundle.display()))?;
    let bundle = Bundle::from_json_strict(&data)?;
    let contents;
    let artifact = match ArtifactArg::parse(&args.artifact)? {
        ArtifactArg::Digest(algorithm, digest) => {
            contents = digest;
            Artifact::Digest {
                algorithm,
                digest: &contents,
            }
        }
        ArtifactArg::File(path) => {
            contents = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("cannot read '{}': {e}", path.display()))?;
            Artifact::Bytes(&contents)
        }
    };
    let verified = verify(&bundle, &root, &policy, &artifact)?;
    let who = match &verified.identity {
        Some(id) => format!("{} ({})", id.matched.as_str(), id.issuer),
        None => "the given key".into(),
    };
    let times: Vec<String> = verified
        .verified_times
        .iter()
        .map(|t| t.time.to_string())
        .collect();
    Ok(format!(
        "OK: signed by {who}, verified at {}",
        times.join(", ")
    ))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("verification failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
