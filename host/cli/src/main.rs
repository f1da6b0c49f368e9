//! `model_signing`: sign and verify machine-learning models, with the Python CLI's
//! commands, flags and output.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use model_signing::{hashing, signing, verifying};
use model_signing_core::encoding::hex;
use model_signing_core::model_check::ExpectedSerialization;
use model_signing_core::serialization;
use model_signing_core::verify::Warning;
use model_signing_core::HashAlgorithm;

mod cli;

use cli::{Cli, Command, HashingArgs, Method, ModelArgs, SignMethod, VerifyMethod};

fn main() -> ExitCode {
    let args = cli::default_verify_method(cli::normalize_args(std::env::args_os()));
    let cli = Cli::parse_from(args);
    if cli.version {
        println!("model_signing, version {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let telemetry = cli::telemetry::init(cli.log_level);
    let code = run(cli);
    telemetry.shutdown();
    code
}

fn run(cli: Cli) -> ExitCode {
    let Some(command) = cli.command else {
        use clap::CommandFactory as _;
        let _ = Cli::command().print_help();
        return ExitCode::from(2);
    };
    match command {
        Command::Digest(args) => match digest(&args.model, &args.hashing) {
            Ok(d) => {
                println!("sha256:{d}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("Computing digest failed: {}", cli::messages::error_text(&e));
                ExitCode::FAILURE
            }
        },
        Command::Sign(method) => match traced("Sign", || sign(method)) {
            Ok(()) => {
                println!("Signing succeeded");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "Signing failed with error: {}",
                    cli::messages::error_text(&e)
                );
                ExitCode::FAILURE
            }
        },
        Command::Serve(args) => match serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "The signing daemon failed: {}",
                    cli::messages::error_text(&e)
                );
                ExitCode::FAILURE
            }
        },
        Command::Approve(args) => match approve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}", cli::messages::error_text(&e));
                ExitCode::FAILURE
            }
        },
        Command::Verify(method) => match traced("Verify", || verify(method)) {
            Ok(()) => {
                println!("Verification succeeded");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "Verification failed with error: {}",
                    cli::messages::error_text(&e)
                );
                ExitCode::FAILURE
            }
        },
    }
}

/// The hashing configuration the model options describe, with the CLI's ignore-path
/// resolution: each path is taken relative to the current directory and kept only when
/// it lies inside the model.
fn hashing_config(model: &ModelArgs, extra_ignored: &[&std::path::Path]) -> hashing::Config {
    let model_real = model_signing::walk::resolve_lenient(&model.model_path);
    let ignored: Vec<std::path::PathBuf> = model
        .ignore_paths
        .iter()
        .map(|p| p.as_path())
        .chain(extra_ignored.iter().copied())
        .map(model_signing::walk::resolve_lenient)
        .filter(|p| p.starts_with(&model_real))
        .collect();
    hashing::Config::new()
        .set_ignored_paths(ignored, !model.no_ignore_git_paths)
        .set_allow_symlinks(model.allow_symlinks)
        .set_max_workers(model.max_workers)
}

fn with_serialization(
    config: hashing::Config,
    args: &HashingArgs,
) -> anyhow::Result<hashing::Config> {
    let algorithm: HashAlgorithm = args
        .hash_algorithm
        .map(Into::into)
        .unwrap_or(HashAlgorithm::Sha256);
    match args.serialization.unwrap_or(Method::Files) {
        Method::Files => {
            if args.shard_size.is_some() {
                anyhow::bail!("--shard-size applies only with --serialization shards");
            }
            Ok(config.use_file_serialization(algorithm))
        }
        Method::Shards => {
            if algorithm == HashAlgorithm::Blake3 {
                tracing::warn!(
                    "BLAKE3 already hashes large files in parallel, so it always uses the files method (as the reference does); --serialization shards is recorded as files"
                );
            }
            Ok(config.use_shard_serialization(
                algorithm,
                args.shard_size
                    .unwrap_or(model_signing_core::serialization::DEFAULT_SHARD_SIZE),
            )?)
        }
    }
}

fn digest(model: &ModelArgs, args: &HashingArgs) -> anyhow::Result<String> {
    let config = with_serialization(hashing_config(model, &[]), args)?;
    let hashed = config.hash(&model.model_path)?;
    Ok(hex(&hashed.manifest.root_digest()))
}

/// Runs `f` in a root span named as the reference names its spans (`Sign`, `Verify`),
/// with the failure, if any, recorded on it.
fn traced(name: &'static str, f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    let span = match name {
        "Sign" => tracing::info_span!(
            "Sign",
            sigstore.sign_method = tracing::field::Empty,
            sigstore.model_path = tracing::field::Empty,
            sigstore.signature = tracing::field::Empty,
            sigstore.use_ambient_credentials = tracing::field::Empty,
            sigstore.use_staging = tracing::field::Empty,
            error.message = tracing::field::Empty
        ),
        _ => tracing::info_span!(
            "Verify",
            sigstore.verify_method = tracing::field::Empty,
            sigstore.model_path = tracing::field::Empty,
            sigstore.signature = tracing::field::Empty,
            error.message = tracing::field::Empty
        ),
    };
    let _entered = span.enter();
    let result = f();
    if let Err(e) = &result {
        span.record("error.message", cli::messages::error_text(e).as_str());
    }
    result
}

/// Records the common attributes of a `Sign`/`Verify` span.
fn record_command(method: &str, model: &std::path::Path, signature: &std::path::Path) {
    let span = tracing::Span::current();
    let field = if span.metadata().is_some_and(|m| m.name() == "Verify") {
        "sigstore.verify_method"
    } else {
        "sigstore.sign_method"
    };
    span.record(field, method);
    span.record("sigstore.model_path", model.display().to_string().as_str());
    span.record(
        "sigstore.signature",
        signature.display().to_string().as_str(),
    );
}

fn sign(method: SignMethod) -> anyhow::Result<()> {
    let (common, config) = match method {
        SignMethod::Sigstore {
            common,
            use_staging,
            trust_config,
            use_ambient_credentials,
            identity_token,
            oauth_force_oob,
            client_id,
            client_secret,
        } => {
            use model_signing::keyless::{signing_trust_config, TokenSource};
            let span = tracing::Span::current();
            span.record("sigstore.use_ambient_credentials", use_ambient_credentials);
            span.record("sigstore.use_staging", use_staging);
            record_command("sigstore", &common.model.model_path, &common.signature);
            let trust = signing_trust_config(trust_config.as_deref(), use_staging)?;
            // The reference's order: a given token, then ambient credentials, then the
            // interactive flow.
            let source = match identity_token {
                Some(token) => TokenSource::Explicit(token),
                None if use_ambient_credentials => TokenSource::Ambient,
                None => TokenSource::Interactive {
                    force_oob: oauth_force_oob,
                    client_id: client_id.unwrap_or_else(|| "sigstore".into()),
                    client_secret: client_secret.unwrap_or_default(),
                },
            };
            let config = signing::Config::new().use_sigstore_signer(trust, source)?;
            (common, config)
        }
        SignMethod::Key {
            common,
            private_key,
            password,
            timestamps,
        } => {
            let config = signing::Config::new()
                .use_elliptic_key_signer(&private_key, password.as_deref().map(str::as_bytes))?;
            (common, with_timestamps(config, timestamps))
        }
        SignMethod::Certificate {
            common,
            private_key,
            password,
            signing_certificate,
            certificate_chain,
            timestamps,
        } => {
            let config = signing::Config::new().use_certificate_signer(
                &private_key,
                password.as_deref().map(str::as_bytes),
                &signing_certificate,
                &certificate_chain,
            )?;
            (common, with_timestamps(config, timestamps))
        }
        SignMethod::Pkcs11Key {
            common,
            pkcs11_uri,
            timestamps,
        } => {
            let config = signing::Config::new().use_pkcs11_signer(&pkcs11_uri)?;
            (common, with_timestamps(config, timestamps))
        }
        SignMethod::Pkcs11Certificate {
            common,
            pkcs11_uri,
            signing_certificate,
            certificate_chain,
            timestamps,
        } => {
            let config = signing::Config::new().use_pkcs11_certificate_signer(
                &pkcs11_uri,
                &signing_certificate,
                &certificate_chain,
            )?;
            (common, with_timestamps(config, timestamps))
        }
    };
    let mut hashing_args = common.hashing.clone();
    let mut config = config;
    if let Some(previous) = &common.incremental.previous_signature {
        if hashing_args.hash_algorithm.is_none()
            && hashing_args.serialization.is_none()
            && hashing_args.shard_size.is_none()
        {
            // Re-signing keeps the previous signature's hashing unless told otherwise
            // (the library checks that they agree once the signature is verified).
            hashing_args = previous_hashing(previous);
        }
        let changes = changes(&common.model.model_path, &common.incremental)?;
        config = config.set_previous_signature(previous, changes);
    }
    let hashing = with_serialization(
        hashing_config(&common.model, &[common.signature.as_path()]),
        &hashing_args,
    )?;
    let outcome = config
        .set_hashing_config(hashing)
        .sign(&common.model.model_path, &common.signature)
        .with_context(|| format!("signing '{}'", common.model.model_path.display()))?;
    tracing::debug!(
        items = outcome.model.manifest.len(),
        "wrote {}",
        common.signature.display()
    );
    Ok(())
}

/// `--tsa-url`s on a signing configuration.
fn with_timestamps(config: signing::Config, args: cli::TimestampArgs) -> signing::Config {
    args.tsa_url
        .into_iter()
        .fold(config, signing::Config::use_timestamp_authority)
}

/// The hashing options a previous signature was made with, read without verifying it:
/// they are only defaults. Whatever cannot be read gives no defaults; the library then
/// reports it precisely, as it refuses a signature that does not verify or was made
/// otherwise.
fn previous_hashing(signature: &std::path::Path) -> HashingArgs {
    use model_signing_core::bundle::{Bundle, Content};
    let read = || {
        let bundle = Bundle::from_json(&std::fs::read(signature).ok()?).ok()?;
        let Content::Dsse(envelope) = &bundle.content else {
            return None;
        };
        model_signing_core::statement::parse_statement(&envelope.payload)
            .ok()?
            .serialization
            .serialization
            .ok()
    };
    let Some(previous) = read() else {
        return HashingArgs::default();
    };
    HashingArgs {
        hash_algorithm: Some(match previous.algorithm() {
            HashAlgorithm::Sha256 => cli::Algorithm::Sha256,
            HashAlgorithm::Blake2b => cli::Algorithm::Blake2,
            HashAlgorithm::Blake3 => cli::Algorithm::Blake3,
        }),
        serialization: Some(match previous.method() {
            serialization::Method::Files => Method::Files,
            serialization::Method::Shards => Method::Shards,
        }),
        shard_size: previous.shard_size(),
    }
}

/// What changed, from `--changed`, `--deleted` (paths relative to the current directory,
/// as --ignore-paths) and `--changed-since`.
fn changes(
    model: &std::path::Path,
    args: &cli::IncrementalArgs,
) -> anyhow::Result<model_signing::hashing::Changes> {
    use model_signing::walk::{relative_inside, resolve_lenient};
    let model_real = resolve_lenient(model);
    let inside = |paths: &[std::path::PathBuf], flag: &str| {
        paths
            .iter()
            .map(|p| {
                relative_inside(&resolve_lenient(p), &model_real)
                    .or_else(|| (resolve_lenient(p) == model_real).then(model_signing_core::ModelPath::root))
                    .with_context(|| {
                        format!(
                            "{flag} '{}' is not inside the model '{}' (paths are relative to the current directory)",
                            p.display(),
                            model.display()
                        )
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()
    };
    Ok(model_signing::hashing::Changes {
        changed: inside(&args.changed, "--changed")?,
        deleted: inside(&args.deleted, "--deleted")?,
        git_revision: args.changed_since.clone(),
    })
}

/// The timestamp authorities of `--tsa-certificate-chain` and `--trust-config`.
fn with_timestamp_trust(
    config: verifying::Config,
    args: &cli::TimestampTrustArgs,
) -> anyhow::Result<verifying::Config> {
    let mut config = config.use_timestamp_authority_chain(&args.tsa_certificate_chain)?;
    if let Some(trust_config) = &args.trust_config {
        config = config.use_timestamp_authorities_from_trust_config(trust_config)?;
    }
    Ok(config)
}

fn verify(method: VerifyMethod) -> anyhow::Result<()> {
    let (common, config) = match method {
        VerifyMethod::Key {
            common,
            public_key,
            timestamps,
        } => {
            let config = verifying::Config::new().use_elliptic_key_verifier(&public_key)?;
            (common, with_timestamp_trust(config, &timestamps)?)
        }
        VerifyMethod::Certificate {
            common,
            certificate_chain,
            log_fingerprints,
            timestamps,
        } => {
            let config = verifying::Config::new()
                .use_certificate_verifier(&certificate_chain, log_fingerprints)?;
            (common, with_timestamp_trust(config, &timestamps)?)
        }
        VerifyMethod::Sigstore {
            common,
            identity,
            identity_provider,
            identity_regex,
            use_staging,
            trust_config,
        } => {
            let root =
                model_signing::sigstore::load_trusted_root(trust_config.as_deref(), use_staging)?;
            let policy = model_signing::sigstore::identity_policy(
                &identity,
                &identity_provider,
                identity_regex,
            )?;
            let config = verifying::Config::new().use_sigstore_verifier_with(root, policy);
            (common, config)
        }
    };
    let expected = ExpectedSerialization {
        method: common.hashing.serialization.map(|m| match m {
            Method::Files => serialization::Method::Files,
            Method::Shards => serialization::Method::Shards,
        }),
        algorithm: common.hashing.hash_algorithm.map(Into::into),
        shard_size: common.hashing.shard_size,
    };
    let hashing = hashing_config(&common.model, &[common.signature.as_path()]);
    let report = config
        .set_hashing_config(hashing)
        .expect_serialization(expected)
        .set_ignore_unsigned_files(common.ignore_unsigned_files && !common.no_ignore_unsigned_files)
        .verify(&common.model.model_path, &common.signature)?;
    for w in &report.warnings {
        match w {
            // The reference prints this one on stdout.
            Warning::LegacyKeyMaterial => println!("WARNING: {w}"),
            _ => tracing::warn!("{w}"),
        }
    }
    Ok(())
}

fn serve(args: cli::ServeArgs) -> anyhow::Result<()> {
    use model_signing_daemon::signers::SignerSpec;
    use std::time::Duration;
    let mut options = model_signing_daemon::ServeOptions::new(args.listen);
    options.state_dir = args.state_dir;
    options.allowed_origins = args.allow_origin;
    options.signers = args
        .private_key
        .into_iter()
        .map(SignerSpec::KeyFile)
        .chain(args.pkcs11_uri.into_iter().map(SignerSpec::Pkcs11))
        .chain(args.sigstore.then_some(SignerSpec::Sigstore {
            use_staging: args.use_staging,
            trust_config: args.trust_config,
        }))
        .collect();
    options.approval_timeout = Duration::from_secs(args.approval_timeout);
    options.token_lifetime = Duration::from_secs(args.token_days * 86400);
    options.pin_timeout = Duration::from_secs(args.pin_timeout * 60);
    options.interactive = !args.no_terminal;
    model_signing_daemon::serve(options, |_| {})?;
    Ok(())
}

fn approve(args: cli::ApproveArgs) -> anyhow::Result<()> {
    use model_signing_daemon::approve::Action;
    let state_dir = match args.state_dir {
        Some(d) => d,
        None => model_signing_daemon::state_dir::default_state_dir()
            .ok_or(model_signing_daemon::DaemonError::NoStateDir)?,
    };
    let action = if let Some(id) = args.accept {
        Action::Accept(id)
    } else if let Some(id) = args.deny {
        Action::Deny(id)
    } else if let Some(origin) = args.grant {
        Action::Grant {
            origin,
            signer: args.signer.unwrap_or_default(),
            duration: std::time::Duration::from_secs(args.minutes * 60),
        }
    } else if let Some(origin) = args.revoke {
        Action::Revoke(origin)
    } else if let Some(signer) = args.pin {
        Action::Pin(signer)
    } else if args.list {
        Action::List { json: args.json }
    } else {
        Action::Interactive { watch: args.watch }
    };
    model_signing_daemon::approve::run(&state_dir, action)?;
    Ok(())
}
