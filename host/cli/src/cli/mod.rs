//! The command line, shaped like the Python `model_signing` CLI: the same subcommands,
//! flags, defaults, result lines and exit codes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod messages;
pub mod telemetry;
use model_signing_core::HashAlgorithm;

/// Sign and verify machine-learning models (OpenSSF model signing).
#[derive(Parser, Debug)]
#[command(
    name = "model_signing",
    disable_version_flag = true,
    after_help = "Every option also accepts its underscore spelling (--private_key = --private-key)."
)]
pub struct Cli {
    /// Log level: DEBUG, INFO, WARNING, ERROR or CRITICAL.
    #[arg(long, global = true, env = "MODEL_SIGNING_LOG_LEVEL", default_value = "INFO", value_parser = parse_log_level)]
    pub log_level: tracing::Level,

    /// Print the version and exit.
    #[arg(long)]
    pub version: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_log_level(s: &str) -> Result<tracing::Level, String> {
    match s.to_ascii_uppercase().as_str() {
        "DEBUG" => Ok(tracing::Level::DEBUG),
        "INFO" => Ok(tracing::Level::INFO),
        "WARNING" | "WARN" => Ok(tracing::Level::WARN),
        "ERROR" | "CRITICAL" => Ok(tracing::Level::ERROR),
        other => Err(format!(
            "'{other}' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
        )),
    }
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the model's digest (sha256:<root digest>), as a signature's subject records it.
    Digest(DigestArgs),
    /// Sign a model.
    #[command(subcommand)]
    Sign(SignMethod),
    /// Verify a model against its signature.
    #[command(subcommand)]
    Verify(VerifyMethod),
    /// Run the local signing daemon: a loopback HTTP API (and web UI) that signs for web
    /// pages the user paired, each signature approved here or with `approve`.
    Serve(ServeArgs),
    /// Approve pairing codes and signatures of the running signing daemon.
    Approve(ApproveArgs),
}

/// `serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Loopback address and port to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR:PORT", default_value = model_signing_daemon::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,
    /// Where the daemon keeps its state (tokens, audit log, control socket, default key)
    /// [default: the per-user state directory, e.g. ~/.local/state/model-signing].
    #[arg(long = "state-dir", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// A web origin (besides the daemon's own UI) allowed to pair, e.g.
    /// https://hub.example; repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// A key on a PKCS #11 token to sign with (RFC 7512 URI; the PIN from its
    /// pin-source, or asked here / with `approve --pin`); repeatable.
    #[arg(long = "pkcs11-uri", value_name = "URI")]
    pub pkcs11_uri: Vec<String>,
    /// A private key file to sign with (for development and tests); repeatable. Without
    /// any signer, a key is created in the state directory.
    #[arg(long = "private-key", value_name = "FILE")]
    pub private_key: Vec<PathBuf>,
    /// Offer Sigstore keyless signing (the daemon runs the OIDC flow in the system
    /// browser, or uses SIGSTORE_ID_TOKEN).
    #[arg(long)]
    pub sigstore: bool,
    /// With --sigstore: Sigstore's staging instance.
    #[arg(long = "use-staging", requires = "sigstore")]
    pub use_staging: bool,
    /// With --sigstore: a private instance's client trust configuration.
    #[arg(long = "trust-config", value_name = "FILE", requires = "sigstore")]
    pub trust_config: Option<PathBuf>,
    /// Seconds a sign request waits for approval before it is refused.
    #[arg(
        long = "approval-timeout",
        value_name = "SECONDS",
        default_value_t = 120
    )]
    pub approval_timeout: u64,
    /// Days a paired page's token stays valid.
    #[arg(long = "token-days", value_name = "DAYS", default_value_t = 30)]
    pub token_days: u64,
    /// Minutes a PKCS #11 signer unlocked with a PIN given here stays unlocked when idle.
    #[arg(long = "pin-timeout", value_name = "MINUTES", default_value_t = 15)]
    pub pin_timeout: u64,
    /// Do not read approvals and PINs from this terminal (use `approve` only).
    #[arg(long = "no-terminal")]
    pub no_terminal: bool,
}

/// `approve`.
#[derive(Args, Debug)]
pub struct ApproveArgs {
    /// The daemon's state directory [default: the per-user state directory].
    #[arg(long = "state-dir", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// List pairing codes, waiting sign requests and grants, and exit.
    #[arg(long)]
    pub list: bool,
    /// With --list: as JSON.
    #[arg(long, requires = "list")]
    pub json: bool,
    /// Approve sign request N.
    #[arg(long, value_name = "N")]
    pub accept: Option<u64>,
    /// Deny sign request N.
    #[arg(long, value_name = "N")]
    pub deny: Option<u64>,
    /// Approve ORIGIN ahead for --signer, for --minutes.
    #[arg(long, value_name = "ORIGIN", requires = "signer")]
    pub grant: Option<String>,
    /// The signer of --grant.
    #[arg(long, value_name = "ID")]
    pub signer: Option<String>,
    /// How long --grant lasts.
    #[arg(long, value_name = "MINUTES", default_value_t = 10)]
    pub minutes: u64,
    /// Revoke ORIGIN: its tokens, grants and pending pairings.
    #[arg(long, value_name = "ORIGIN")]
    pub revoke: Option<String>,
    /// Give the PKCS #11 signer ID its PIN (asked without echo, or read from stdin).
    #[arg(long, value_name = "ID")]
    pub pin: Option<String>,
    /// Keep asking about new requests until interrupted.
    #[arg(long)]
    pub watch: bool,
}

/// Options that choose the files of a model.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// The model: a directory, or a single file.
    pub model_path: PathBuf,

    /// A path to leave out (relative to the current directory); repeatable.
    #[arg(long = "ignore-paths", value_name = "PATH")]
    pub ignore_paths: Vec<PathBuf>,

    /// Ignore the top-level .git, .gitattributes, .github and .gitignore (default).
    #[arg(long = "ignore-git-paths", overrides_with = "no_ignore_git_paths")]
    pub ignore_git_paths: bool,

    /// Do not ignore the top-level git paths.
    #[arg(long = "no-ignore-git-paths")]
    pub no_ignore_git_paths: bool,

    /// Follow symlinks to files inside the model (refused by default).
    #[arg(long = "allow-symlinks")]
    pub allow_symlinks: bool,

    /// Number of hashing threads (default: all cores).
    #[arg(long = "max-workers", value_name = "N")]
    pub max_workers: Option<usize>,
}

/// The serialization methods.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// One item per file.
    Files,
    /// One item per shard of each file.
    Shards,
}

/// The hash algorithms.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// BLAKE2b-512.
    Blake2,
    /// BLAKE3.
    Blake3,
}

impl From<Algorithm> for HashAlgorithm {
    fn from(a: Algorithm) -> Self {
        match a {
            Algorithm::Sha256 => HashAlgorithm::Sha256,
            Algorithm::Blake2 => HashAlgorithm::Blake2b,
            Algorithm::Blake3 => HashAlgorithm::Blake3,
        }
    }
}

/// Options that choose how files are hashed.
#[derive(Args, Debug, Clone, Default)]
pub struct HashingArgs {
    /// Hash algorithm [default: sha256].
    #[arg(long = "hash-algorithm", value_enum)]
    pub hash_algorithm: Option<Algorithm>,

    /// Serialization method [default: files].
    #[arg(long = "serialization", value_enum)]
    pub serialization: Option<Method>,

    /// Shard size in bytes, for --serialization shards [default: 1000000000].
    #[arg(long = "shard-size", value_name = "BYTES")]
    pub shard_size: Option<u64>,
}

/// `digest`.
#[derive(Args, Debug)]
pub struct DigestArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub hashing: HashingArgs,
}

/// Options of every `sign` method.
#[derive(Args, Debug)]
pub struct SignCommon {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub hashing: HashingArgs,
    /// Where to write the signature.
    #[arg(long, default_value = "model.sig")]
    pub signature: PathBuf,
    #[command(flatten)]
    pub incremental: IncrementalArgs,
}

/// Re-signing a model after a small change, reusing the digests of a previous signature.
#[derive(Args, Debug, Clone, Default)]
pub struct IncrementalArgs {
    /// A signature of an earlier state of this model, made with the same key,
    /// certificate or Sigstore identity (it is verified first): only the files that
    /// changed since are hashed, the others keep its digests. The result is what
    /// signing from scratch gives. With --changed, --deleted and/or --changed-since.
    #[arg(long = "previous-signature", value_name = "PATH")]
    pub previous_signature: Option<PathBuf>,
    /// A file (or directory) that changed or was added since the previous signature
    /// (relative to the current directory, as --ignore-paths); repeatable.
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "previous_signature")]
    pub changed: Vec<PathBuf>,
    /// A file (or directory) deleted since the previous signature; repeatable.
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "previous_signature")]
    pub deleted: Vec<PathBuf>,
    /// For a model that is a git work tree: every file that differs from this revision
    /// (committed, staged or not) or that git does not track is hashed again (may be
    /// combined with --changed and --deleted).
    #[arg(
        long = "changed-since",
        value_name = "GIT_REVISION",
        requires = "previous_signature"
    )]
    pub changed_since: Option<String>,
}

/// RFC 3161 timestamps for key, certificate and PKCS #11 signatures.
#[derive(Args, Debug, Clone, Default)]
pub struct TimestampArgs {
    /// An RFC 3161 timestamp authority's full URL (e.g.
    /// https://timestamp.sigstore.dev/api/v1/timestamp): a timestamp over the signature
    /// is added to it, so that verifiers check the certificate at the signing time;
    /// repeatable.
    #[arg(long = "tsa-url", value_name = "URL")]
    pub tsa_url: Vec<String>,
}

/// Which timestamp authorities vouch for the signing time of key and certificate
/// signatures.
#[derive(Args, Debug, Clone, Default)]
pub struct TimestampTrustArgs {
    /// A timestamp authority's certificates (PEM: its root, any intermediates, and its
    /// signing certificate unless timestamps embed it), one authority per file;
    /// repeatable. The signature's timestamps must then verify, and a certificate is
    /// checked at the timestamped time.
    #[arg(long = "tsa-certificate-chain", value_name = "PATH")]
    pub tsa_certificate_chain: Vec<PathBuf>,
    /// A Sigstore client trust configuration whose timestamp authorities are trusted as
    /// --tsa-certificate-chain ones are.
    #[arg(long = "trust-config", value_name = "FILE")]
    pub trust_config: Option<PathBuf>,
}

/// `sign` methods.
#[derive(Subcommand, Debug)]
pub enum SignMethod {
    /// Sign keylessly with Sigstore (an OIDC identity, a Fulcio certificate, a Rekor
    /// entry and timestamps): the default when no method is named.
    Sigstore {
        #[command(flatten)]
        common: SignCommon,
        /// Use Sigstore's staging instance (wins over --trust-config, as in the reference).
        #[arg(long = "use-staging")]
        use_staging: bool,
        /// A client trust configuration (trusted root and signing config) naming the
        /// services of a private Sigstore instance.
        #[arg(long = "trust-config", value_name = "FILE")]
        trust_config: Option<PathBuf>,
        /// Use credentials from the environment: SIGSTORE_ID_TOKEN, or GitHub Actions'
        /// ID-token request variables (falls back to the interactive flow).
        #[arg(long = "use-ambient-credentials")]
        use_ambient_credentials: bool,
        /// A fixed OIDC identity token, instead of the environment or a browser flow.
        #[arg(long = "identity-token", value_name = "TOKEN", hide_env_values = true)]
        identity_token: Option<String>,
        /// Print the authorization URL and read the code from standard input instead of
        /// opening a browser.
        #[arg(long = "oauth-force-oob")]
        oauth_force_oob: bool,
        /// The OpenID Connect client ID for the interactive flow [default: sigstore].
        #[arg(long = "client-id", value_name = "ID")]
        client_id: Option<String>,
        /// The OpenID Connect client secret for the interactive flow.
        #[arg(long = "client-secret", value_name = "SECRET", hide_env_values = true)]
        client_secret: Option<String>,
    },
    /// Sign with a private key (P-256, P-384 or P-521 PEM).
    Key {
        #[command(flatten)]
        common: SignCommon,
        /// The private key (PEM; PKCS #8 or SEC1, possibly encrypted).
        #[arg(long = "private-key", value_name = "PATH")]
        private_key: PathBuf,
        /// Password of an encrypted private key.
        #[arg(long, env = "MODEL_SIGNING_KEY_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[command(flatten)]
        timestamps: TimestampArgs,
    },
    /// Sign with a private key and its certificate chain.
    Certificate {
        #[command(flatten)]
        common: SignCommon,
        /// The private key (PEM).
        #[arg(long = "private-key", value_name = "PATH")]
        private_key: PathBuf,
        /// Password of an encrypted private key.
        #[arg(long, env = "MODEL_SIGNING_KEY_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The signing certificate (PEM).
        #[arg(long = "signing-certificate", value_name = "PATH")]
        signing_certificate: PathBuf,
        /// Further certificates to include, leaf to root (PEM); repeatable.
        #[arg(long = "certificate-chain", value_name = "PATH")]
        certificate_chain: Vec<PathBuf>,
        #[command(flatten)]
        timestamps: TimestampArgs,
    },
    /// Sign with a key on a PKCS #11 token (HSM, smart card, SoftHSM2).
    #[command(name = "pkcs11-key")]
    Pkcs11Key {
        #[command(flatten)]
        common: SignCommon,
        /// The key's RFC 7512 URI, e.g.
        /// 'pkcs11:token=T;object=K?module-name=softhsm2&pin-source=file:/path/to/pin'.
        #[arg(long = "pkcs11-uri", value_name = "URI")]
        pkcs11_uri: String,
        #[command(flatten)]
        timestamps: TimestampArgs,
    },
    /// Sign with a key on a PKCS #11 token and its certificate chain.
    #[command(name = "pkcs11-certificate")]
    Pkcs11Certificate {
        #[command(flatten)]
        common: SignCommon,
        /// The key's RFC 7512 URI.
        #[arg(long = "pkcs11-uri", value_name = "URI")]
        pkcs11_uri: String,
        /// The signing certificate (PEM) of the token's key.
        #[arg(long = "signing-certificate", value_name = "PATH")]
        signing_certificate: PathBuf,
        /// Further certificates to include, leaf to root (PEM); repeatable.
        #[arg(long = "certificate-chain", value_name = "PATH")]
        certificate_chain: Vec<PathBuf>,
        #[command(flatten)]
        timestamps: TimestampArgs,
    },
}

/// Options of every `verify` method.
#[derive(Args, Debug)]
pub struct VerifyCommon {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub hashing: HashingArgs,
    /// The signature to check.
    #[arg(long)]
    pub signature: PathBuf,
    /// Tolerate files that the signature does not list.
    #[arg(
        long = "ignore-unsigned-files",
        overrides_with = "no_ignore_unsigned_files"
    )]
    pub ignore_unsigned_files: bool,
    /// Fail on files that the signature does not list (default).
    #[arg(long = "no-ignore-unsigned-files")]
    pub no_ignore_unsigned_files: bool,
}

/// `verify` methods.
#[derive(Subcommand, Debug)]
pub enum VerifyMethod {
    /// Verify a signature made with a private key.
    Key {
        #[command(flatten)]
        common: VerifyCommon,
        /// The signer's public key (PEM).
        #[arg(long = "public-key", value_name = "PATH")]
        public_key: PathBuf,
        #[command(flatten)]
        timestamps: TimestampTrustArgs,
    },
    /// Verify a signature made with a certificate.
    Certificate {
        #[command(flatten)]
        common: VerifyCommon,
        /// Trusted certificates (PEM) including the self-signed root; repeatable.
        /// Default: the system's CA bundle.
        #[arg(long = "certificate-chain", value_name = "PATH")]
        certificate_chain: Vec<PathBuf>,
        /// Log the SHA-256 fingerprints of the trusted and the signature's certificates.
        #[arg(long = "log-fingerprints")]
        log_fingerprints: bool,
        #[command(flatten)]
        timestamps: TimestampTrustArgs,
    },
    /// Verify a Sigstore (keyless) signature: the default when no method is named.
    Sigstore {
        #[command(flatten)]
        common: VerifyCommon,
        /// The signer's identity, a SAN of its certificate (e.g. name@example.com, or a
        /// CI workflow URI).
        #[arg(long, value_name = "IDENTITY")]
        identity: String,
        /// The OIDC provider that vouched for the identity (e.g.
        /// https://accounts.example.com).
        #[arg(long = "identity-provider", value_name = "URL")]
        identity_provider: String,
        /// Treat --identity as a regular expression that must match a whole SAN
        /// (not in the reference).
        #[arg(long = "identity-regex")]
        identity_regex: bool,
        /// Use Sigstore's staging instance (embedded staging trusted root).
        #[arg(long = "use-staging")]
        use_staging: bool,
        /// A client trust configuration (trusted root and signing config), for a private
        /// Sigstore instance; overrides --use-staging.
        #[arg(long = "trust-config", value_name = "FILE")]
        trust_config: Option<PathBuf>,
    },
}

/// `model_signing verify MODEL …` and `model_signing sign MODEL …` use Sigstore, as the
/// reference's CLI does when the word after `verify`/`sign` is not a method: `sigstore`
/// is inserted there. Global options before the command (`--log-level LEVEL`) are
/// skipped; `verify --help` is kept.
pub fn default_verify_method(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory as _;
    let mut i = 1;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        match arg {
            "--log-level" => i += 2,
            a if a.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let Some(command_name) = args
        .get(i)
        .and_then(|a| a.to_str())
        .filter(|c| matches!(*c, "verify" | "sign"))
        .map(str::to_string)
    else {
        return args;
    };
    let Some(next) = args.get(i + 1).and_then(|a| a.to_str()) else {
        return args;
    };
    let command = Cli::command();
    let methods: Vec<String> = command
        .find_subcommand(&command_name)
        .map(|v| {
            v.get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect()
        })
        .unwrap_or_default();
    if methods.iter().any(|m| m == next) || matches!(next, "-h" | "--help" | "help") {
        return args;
    }
    args.insert(i + 1, "sigstore".into());
    args
}

/// Rewrites `--some_option` to `--some-option` (up to any `=`), so that every option
/// accepts both spellings, as the reference's newer CLI does. Stops at `--`.
pub fn normalize_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut out = Vec::new();
    let mut done = false;
    for arg in args {
        match arg.to_str() {
            Some("--") => {
                done = true;
                out.push(arg);
            }
            Some(s) if !done && s.starts_with("--") => {
                let (name, value) = match s.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (s, None),
                };
                let mut fixed = format!("--{}", name[2..].replace('_', "-"));
                if let Some(v) = value {
                    fixed.push('=');
                    fixed.push_str(v);
                }
                out.push(fixed.into());
            }
            _ => out.push(arg),
        }
    }
    out
}
