//! `oms_conformance`: the adapter that the OpenSSF model signing (OMS) conformance suite
//! runs as its `--entrypoint`, so the suite can sign and verify models with this
//! implementation. A thin layer over the `model-signing` library (no other process is
//! started):
//!
//! ```text
//! oms_conformance sign-model --method key|certificate|sigstore \
//!     --model-path PATH --output-bundle FILE [--private-key PEM] [--signing-cert PEM] \
//!     [--cert-chain PEM]... [--ignore-paths PATH]... [--identity-token TOKEN] [--use-staging]
//! oms_conformance verify-model --method key|certificate|sigstore \
//!     --model-path PATH --bundle FILE [--public-key PEM] [--cert-chain PEM]... \
//!     [--ignore-paths PATH]... [--ignore-unsigned-files] \
//!     [--identity ID --identity-provider URL] [--use-staging]
//! oms_conformance capabilities
//! oms_conformance benchmark-model --operation sign|verify|hash --model-path PATH --repeat N ...
//! ```
//!
//! Exit status 0 on success, 1 when signing or verification fails, 2 for a command line
//! the protocol does not allow. `capabilities` and `benchmark-model` are the suite's
//! optional benchmark commands; both print one JSON object on stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use model_signing::hashing::{self, Progress};
use model_signing::keyless::oidc::ambient_token;
use model_signing::keyless::{signing_trust_config, HttpPolicy, TokenSource};
use model_signing::{signing, verifying};
use model_signing_core::HashAlgorithm;

// The CLI's wording of errors, so that the adapter prints what `model_signing` prints.
#[path = "../cli/messages.rs"]
mod messages;
use messages::error_text;

/// The OMS conformance suite's adapter for this implementation.
#[derive(Parser, Debug)]
#[command(name = "oms_conformance", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sign a model and write the bundle.
    SignModel(SignArgs),
    /// Verify a model against a bundle.
    VerifyModel(VerifyArgs),
    /// Print, as JSON, the optional flags and hash algorithms this adapter supports.
    Capabilities,
    /// Time repeated signing, verification or hashing in this process; print
    /// {"times_ms": [...]}.
    BenchmarkModel(BenchArgs),
}

/// The signing methods of the protocol.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// An elliptic-curve key pair (P-256, P-384, P-521).
    Key,
    /// A private key and its X.509 certificate chain.
    Certificate,
    /// Sigstore keyless: an OIDC identity token, Fulcio and Rekor.
    Sigstore,
}

/// `sign-model`.
#[derive(Args, Debug)]
struct SignArgs {
    /// How to sign.
    #[arg(long, value_enum)]
    method: Method,
    /// The model: a directory or one file.
    #[arg(long = "model-path", value_name = "PATH")]
    model_path: PathBuf,
    /// Where to write the bundle (left out of the model when it lies inside it).
    #[arg(long = "output-bundle", value_name = "FILE")]
    output_bundle: PathBuf,
    #[command(flatten)]
    material: Material,
    #[command(flatten)]
    model: ModelOptions,
}

/// `verify-model`.
#[derive(Args, Debug)]
struct VerifyArgs {
    /// The method the bundle must have been signed with.
    #[arg(long, value_enum)]
    method: Method,
    /// The model: a directory or one file.
    #[arg(long = "model-path", value_name = "PATH")]
    model_path: PathBuf,
    /// The bundle to verify.
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,
    /// Tolerate files on disk that the bundle does not list.
    #[arg(long = "ignore-unsigned-files")]
    ignore_unsigned_files: bool,
    #[command(flatten)]
    material: Material,
    #[command(flatten)]
    model: ModelOptions,
}

/// What `benchmark-model` times.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    /// `sign-model`, writing --output-bundle each time.
    Sign,
    /// `verify-model` of --bundle.
    Verify,
    /// Hashing the model only.
    Hash,
}

/// `benchmark-model`.
#[derive(Args, Debug)]
struct BenchArgs {
    /// What to time.
    #[arg(long, value_enum)]
    operation: Operation,
    /// How to sign or verify (not used by --operation hash).
    #[arg(long, value_enum, default_value = "key")]
    method: Method,
    /// The model: a directory or one file.
    #[arg(long = "model-path", value_name = "PATH")]
    model_path: PathBuf,
    /// Where --operation sign writes the bundle.
    #[arg(long = "output-bundle", value_name = "FILE")]
    output_bundle: Option<PathBuf>,
    /// The bundle --operation verify checks.
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// Timed iterations.
    #[arg(long, default_value_t = 5)]
    repeat: u32,
    /// Untimed iterations first (warm file cache, loaded keys).
    #[arg(long, default_value_t = 1)]
    warmup: u32,
    /// With --operation verify: tolerate files the bundle does not list.
    #[arg(long = "ignore-unsigned-files")]
    ignore_unsigned_files: bool,
    #[command(flatten)]
    material: Material,
    #[command(flatten)]
    model: ModelOptions,
}

/// Key material and trust for every method. Each command takes them all because the
/// suite's benchmark harness passes the same flags to every call (an empty
/// `--public-key ""` to a certificate verification, `--signing-cert` to it too); a flag
/// the method does not use is reported on stderr and otherwise ignored, as the protocol
/// allows.
#[derive(Args, Debug)]
struct Material {
    /// PEM private key (key and certificate methods).
    #[arg(long = "private-key", value_parser = any_path(), value_name = "PEM")]
    private_key: Option<PathBuf>,
    /// PEM signing (leaf) certificate (certificate method).
    #[arg(long = "signing-cert", value_parser = any_path(), value_name = "PEM")]
    signing_cert: Option<PathBuf>,
    /// PEM certificates: when signing, the chain above the leaf (leaf to root); when
    /// verifying, the trust anchors. Repeatable.
    #[arg(long = "cert-chain", value_parser = any_path(), value_name = "PEM")]
    cert_chain: Vec<PathBuf>,
    /// PEM public key (key method, verification).
    #[arg(long = "public-key", value_parser = any_path(), value_name = "PEM")]
    public_key: Option<PathBuf>,
    /// OIDC identity token (sigstore signing); without it, SIGSTORE_ID_TOKEN or GitHub
    /// Actions' token endpoint (never an interactive flow).
    #[arg(long = "identity-token", value_name = "TOKEN")]
    identity_token: Option<String>,
    /// The signer's identity, a SAN of its certificate (sigstore verification).
    #[arg(long, value_name = "IDENTITY")]
    identity: Option<String>,
    /// The OIDC issuer that vouched for the identity (sigstore verification).
    #[arg(long = "identity-provider", value_name = "URL")]
    identity_provider: Option<String>,
    /// Sigstore's staging instance instead of production.
    #[arg(long = "use-staging")]
    use_staging: bool,
    /// A client trust configuration for a private Sigstore (not in the protocol; the
    /// same as `model_signing --trust-config`).
    #[arg(long = "trust-config", value_parser = any_path(), value_name = "FILE")]
    trust_config: Option<PathBuf>,
}

/// What is hashed and how.
#[derive(Args, Debug)]
struct ModelOptions {
    /// A path to leave out (absolute, inside the model; a relative one is taken from
    /// the model's root). Repeatable.
    #[arg(long = "ignore-paths", value_name = "PATH")]
    ignore_paths: Vec<PathBuf>,
    /// Signing: sha256 (default), blake2b or blake3. Verification reads it from the
    /// bundle.
    #[arg(long = "hash-algorithm", value_name = "NAME", value_parser = parse_algorithm)]
    hash_algorithm: Option<HashAlgorithm>,
    /// Signing: shards of this many bytes (0: one item per file, the default).
    /// Verification reads it from the bundle.
    #[arg(long = "shard-size", value_name = "BYTES")]
    shard_size: Option<u64>,
    /// Hashing threads (default: every core).
    #[arg(long = "max-workers", value_name = "N")]
    max_workers: Option<usize>,
}

/// Paths that may be empty: the benchmark harness passes `--private-key ""` and
/// `--public-key ""` for methods that have none, which clap's path parser refuses.
fn any_path() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    clap::builder::OsStringValueParser::new().map(PathBuf::from)
}

/// The conformance suite names BLAKE2b `blake2b`; the Python CLI calls it `blake2`.
fn parse_algorithm(s: &str) -> Result<HashAlgorithm, String> {
    match s {
        "sha256" => Ok(HashAlgorithm::Sha256),
        "blake2b" | "blake2" => Ok(HashAlgorithm::Blake2b),
        "blake3" => Ok(HashAlgorithm::Blake3),
        other => Err(format!("'{other}' is not one of sha256, blake2b, blake3")),
    }
}

/// A command line the protocol does not allow (exit 2), as opposed to a failed
/// signature or verification (exit 1).
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

fn usage(message: impl Into<String>) -> anyhow::Error {
    Usage(message.into()).into()
}

/// A path flag that was given and is not empty (an empty one means none; see
/// [`any_path`]).
fn given(path: &Option<PathBuf>) -> Option<&Path> {
    path.as_deref().filter(|p| !p.as_os_str().is_empty())
}

/// The path of a flag that `what` needs.
fn required<'a>(path: &'a Option<PathBuf>, flag: &str, what: &str) -> anyhow::Result<&'a Path> {
    given(path).ok_or_else(|| usage(format!("{flag} is required for {what}")))
}

impl Material {
    /// The `--cert-chain` files given, without empty ones.
    fn chain(&self) -> Vec<&Path> {
        self.cert_chain
            .iter()
            .map(PathBuf::as_path)
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    }

    /// Says on stderr which given flags `command` with `method` does not use.
    fn note_unused(&self, command: &str, method: Method, used: &[&str]) {
        let set = [
            ("--private-key", given(&self.private_key).is_some()),
            ("--signing-cert", given(&self.signing_cert).is_some()),
            ("--cert-chain", !self.chain().is_empty()),
            ("--public-key", given(&self.public_key).is_some()),
            ("--identity-token", self.identity_token.is_some()),
            ("--identity", self.identity.is_some()),
            ("--identity-provider", self.identity_provider.is_some()),
            ("--use-staging", self.use_staging),
            ("--trust-config", given(&self.trust_config).is_some()),
        ];
        for (flag, is_set) in set {
            if is_set && !used.contains(&flag) {
                let method = method.to_possible_value().expect("no skipped variant");
                eprintln!(
                    "note: {flag} is not used by {command} --method {}; ignored",
                    method.get_name()
                );
            }
        }
    }

    /// The signer for `method`.
    fn signer(&self, method: Method) -> anyhow::Result<signing::Config> {
        let config = signing::Config::new();
        Ok(match method {
            Method::Key => {
                self.note_unused("sign-model", method, &["--private-key"]);
                let key = required(&self.private_key, "--private-key", "--method key")?;
                config.use_elliptic_key_signer(key, None)?
            }
            Method::Certificate => {
                self.note_unused(
                    "sign-model",
                    method,
                    &["--private-key", "--signing-cert", "--cert-chain"],
                );
                let what = "--method certificate";
                let key = required(&self.private_key, "--private-key", what)?;
                let leaf = required(&self.signing_cert, "--signing-cert", what)?;
                config.use_certificate_signer(key, None, leaf, &self.chain())?
            }
            Method::Sigstore => {
                self.note_unused(
                    "sign-model",
                    method,
                    &["--identity-token", "--use-staging", "--trust-config"],
                );
                let trust = signing_trust_config(given(&self.trust_config), self.use_staging)?;
                // The protocol allows no interaction, so without a token on the command
                // line only the environment may supply one. The library's
                // `TokenSource::Ambient` would fall back to the browser flow, as the
                // reference does; here a missing token is an error at once.
                let token = match self.identity_token.as_deref().map(str::trim) {
                    Some(t) if !t.is_empty() => t.to_string(),
                    _ => ambient_token(&HttpPolicy::default())?,
                };
                config.use_sigstore_signer(trust, TokenSource::Explicit(token))?
            }
        })
    }

    /// The verifier for `method`.
    fn verifier(&self, method: Method) -> anyhow::Result<verifying::Config> {
        let config = verifying::Config::new();
        Ok(match method {
            Method::Key => {
                self.note_unused("verify-model", method, &["--public-key"]);
                let key = required(&self.public_key, "--public-key", "--method key")?;
                config.use_elliptic_key_verifier(key)?
            }
            Method::Certificate => {
                self.note_unused("verify-model", method, &["--cert-chain"]);
                // The protocol requires the trust anchors; the system CA bundle that
                // `model_signing verify certificate` falls back to is not what a test
                // means to trust.
                let chain = self.chain();
                if chain.is_empty() {
                    return Err(usage(
                        "--cert-chain (the trusted certificates) is required for --method certificate",
                    ));
                }
                config.use_certificate_verifier(&chain, false)?
            }
            Method::Sigstore => {
                self.note_unused(
                    "verify-model",
                    method,
                    &[
                        "--identity",
                        "--identity-provider",
                        "--use-staging",
                        "--trust-config",
                    ],
                );
                let (Some(identity), Some(issuer)) = (
                    self.identity.as_deref().filter(|s| !s.is_empty()),
                    self.identity_provider.as_deref().filter(|s| !s.is_empty()),
                ) else {
                    return Err(usage(
                        "--identity and --identity-provider are required for --method sigstore",
                    ));
                };
                let root = model_signing::sigstore::load_trusted_root(
                    given(&self.trust_config),
                    self.use_staging,
                )?;
                let policy = model_signing::sigstore::identity_policy(identity, issuer, false)?;
                config.use_sigstore_verifier_with(root, policy)
            }
        })
    }
}

impl ModelOptions {
    /// The hashing configuration: the reference's defaults (git paths ignored, symlinks
    /// refused) plus these options. No progress bar: the output is read by programs.
    fn hashing(&self) -> anyhow::Result<hashing::Config> {
        let algorithm = self.hash_algorithm.unwrap_or(HashAlgorithm::Sha256);
        let config = hashing::Config::new()
            .set_ignored_paths(self.ignore_paths.iter().cloned(), true)
            .set_max_workers(self.max_workers)
            .set_progress(Progress::Hidden);
        Ok(match self.shard_size {
            None | Some(0) => config.use_file_serialization(algorithm),
            Some(size) => config.use_shard_serialization(algorithm, size)?,
        })
    }
}

/// Signs `model` into `bundle` with a prepared signer.
fn sign_once(
    signer: &signing::Config,
    model: &Path,
    bundle: &Path,
) -> Result<(), model_signing::Error> {
    signer.sign(model, bundle).map(|_| ())
}

/// Verifies `model` against `bundle` with a prepared verifier; warnings go to stderr.
fn verify_once(
    verifier: &verifying::Config,
    model: &Path,
    bundle: &Path,
) -> Result<(), model_signing::Error> {
    let report = verifier.verify(model, bundle)?;
    for w in &report.warnings {
        eprintln!("WARNING: {w}");
    }
    Ok(())
}

fn sign_model(args: &SignArgs) -> anyhow::Result<()> {
    let signer = args
        .material
        .signer(args.method)?
        .set_hashing_config(args.model.hashing()?);
    sign_once(&signer, &args.model_path, &args.output_bundle)?;
    Ok(())
}

fn verifier_for(
    material: &Material,
    method: Method,
    model: &ModelOptions,
    ignore_unsigned_files: bool,
) -> anyhow::Result<verifying::Config> {
    // The serialization is always read from the bundle; --hash-algorithm and
    // --shard-size are accepted because the benchmark harness repeats the signing flags.
    Ok(material
        .verifier(method)?
        .set_hashing_config(model.hashing()?)
        .set_ignore_unsigned_files(ignore_unsigned_files))
}

fn verify_model(args: &VerifyArgs) -> anyhow::Result<()> {
    let verifier = verifier_for(
        &args.material,
        args.method,
        &args.model,
        args.ignore_unsigned_files,
    )?;
    verify_once(&verifier, &args.model_path, &args.bundle)?;
    Ok(())
}

/// The optional flags (beyond the required set) that `sign-model` and `verify-model`
/// accept, and the hash algorithms, in the shape the benchmark harness reads.
fn capabilities() -> String {
    format!(
        concat!(
            r#"{{"protocol_version":1,"#,
            r#""flags":["--hash-algorithm","--shard-size","--max-workers","--identity-token","#,
            r#""--identity","--identity-provider","--use-staging","--trust-config"],"#,
            r#""hash_algorithms":["sha256","blake2b","blake3"],"#,
            r#""benchmark_model":true,"client_version":"{}"}}"#
        ),
        env!("CARGO_PKG_VERSION")
    )
}

/// Runs the chosen operation `warmup + repeat` times, timing the last `repeat`; the
/// signer or verifier is prepared once, outside the timing, as a library user would.
fn benchmark(args: &BenchArgs) -> anyhow::Result<Vec<f64>> {
    let hashing = args.model.hashing()?;
    let model = args.model_path.as_path();
    let run: Box<dyn Fn() -> anyhow::Result<()> + '_> = match args.operation {
        Operation::Hash => Box::new(move || {
            hashing.hash(model)?;
            Ok(())
        }),
        Operation::Sign => {
            let bundle = required(&args.output_bundle, "--output-bundle", "--operation sign")?;
            let signer = args
                .material
                .signer(args.method)?
                .set_hashing_config(hashing);
            Box::new(move || Ok(sign_once(&signer, model, bundle)?))
        }
        Operation::Verify => {
            let bundle = required(&args.bundle, "--bundle", "--operation verify")?;
            let verifier = verifier_for(
                &args.material,
                args.method,
                &args.model,
                args.ignore_unsigned_files,
            )?;
            Box::new(move || Ok(verify_once(&verifier, model, bundle)?))
        }
    };
    for _ in 0..args.warmup {
        run()?;
    }
    let mut times = Vec::with_capacity(args.repeat as usize);
    for _ in 0..args.repeat {
        let started = Instant::now();
        run()?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(times)
}

/// Prints the outcome of a command the way `model_signing` does and maps it to the
/// protocol's exit status.
fn finish(result: anyhow::Result<()>, done: &str, failed: &str) -> ExitCode {
    match result {
        Ok(()) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(e) if e.is::<Usage>() => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{failed}: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Library warnings (and nothing chattier) on stderr; stdout carries only results.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .with_target(false)
        .without_time()
        .init();
    match &cli.command {
        Command::SignModel(args) => finish(
            sign_model(args),
            "Signing succeeded",
            "Signing failed with error",
        ),
        Command::VerifyModel(args) => finish(
            verify_model(args),
            "Verification succeeded",
            "Verification failed with error",
        ),
        Command::Capabilities => {
            println!("{}", capabilities());
            ExitCode::SUCCESS
        }
        Command::BenchmarkModel(args) => match benchmark(args) {
            Ok(times) => {
                let list: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
                println!(r#"{{"times_ms":[{}]}}"#, list.join(","));
                ExitCode::SUCCESS
            }
            Err(e) => {
                let text = error_text(&e);
                eprintln!("benchmark-model failed: {text}");
                // The harness reads stdout as JSON even on failure.
                println!(r#"{{"error":"{}"}}"#, json_escape(&text));
                if e.is::<Usage>() {
                    ExitCode::from(2)
                } else {
                    ExitCode::FAILURE
                }
            }
        },
    }
}

/// `s` as the inside of a JSON string.
fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
