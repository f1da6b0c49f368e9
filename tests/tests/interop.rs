//! Two-way interop with the Python reference, `model-signing` 1.1.1.
//!
//! For each case (a signing method and key, a hashing configuration, and optionally
//! ignored paths) both implementations sign the same model, and each one's signature
//! must verify with the other: the reference is driven through its CLI when the hashing
//! is files + SHA-256 (all its CLI can do) and through its Python API otherwise
//! (`tests/reference/ref_api.py`). The two signatures' payloads must describe the same
//! manifest, and our `digest` command must print the reference's subject digest.
//!
//! Tampering (a changed byte, an added, a removed and a renamed file) must make both
//! implementations reject both signatures, and each one's message must name the file.
//!
//! These tests need the reference (`scripts/setup-reference.sh`); without it they fail
//! and say so. Each Python run costs about a second, so the matrix is kept small and
//! the cases run as separate tests, in parallel.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use model_signing_core::encoding::b64decode;
use model_signing_tests::{
    copy_tree, mt_vectors, reference_cli, reference_python, run_ours, text, write_model,
};
use serde_json::Value;

/// The shard size of the shard cases: `weights.bin` spans several shards.
const SMALL_SHARD: u64 = 256;

/// Size of `weights.bin`: 3 full shards and a partial one.
const WEIGHTS_LEN: usize = 1000;

/// The paths the ignore cases leave out, relative to the model: a directory and a file.
const IGNORED: &[&str] = &["skip", "nested/scratch.tmp"];

/// The files of the test model (relative path, content). Besides these it has an empty
/// directory. The `.gitignore` at the top is left out by default in both implementations;
/// its `*.tmp` pattern means nothing to either (`nested/scratch.tmp` is signed unless the
/// case ignores it).
fn model_files() -> Vec<(&'static str, Vec<u8>)> {
    let weights: Vec<u8> = (0..WEIGHTS_LEN).map(|i| (i * 7 % 251) as u8).collect();
    vec![
        (".gitignore", b"*.tmp\n".to_vec()),
        (".hidden", b"hidden files are signed".to_vec()),
        ("README.md", b"# A test model\n".to_vec()),
        ("empty.bin", Vec::new()),
        ("weights.bin", weights),
        ("nested/config.json", b"{\"layers\": 2}\n".to_vec()),
        ("nested/deep/layer 1.bin", b"layer one".to_vec()),
        ("nested/scratch.tmp", b"scratch".to_vec()),
        ("dir with space/file with space.txt", b"spaces".to_vec()),
        (
            "\u{fc}n\u{ef}c\u{f6}d\u{e9}/\u{6a21}\u{578b}.txt",
            "unicode \u{2713}".as_bytes().to_vec(),
        ),
        ("skip/cache.bin", b"cached".to_vec()),
        ("skip/more/cache2.bin", b"cached too".to_vec()),
    ]
}

/// Writes the test model at `root`.
fn build_model(root: &Path) {
    let files = model_files();
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (*p, c.as_slice())).collect();
    write_model(root, &borrowed);
    fs::create_dir_all(root.join("empty dir")).expect("mkdir");
}

/// Whether `rel` lies under one of `ignored` (whole components).
fn is_ignored(rel: &str, ignored: &[&str]) -> bool {
    rel == ".gitignore"
        || ignored.iter().any(|i| {
            rel == *i
                || rel
                    .strip_prefix(i)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// The manifest item names the model should have under `case`, sorted.
fn expected_item_names(case: &Case) -> Vec<String> {
    let mut names = Vec::new();
    for (rel, content) in model_files() {
        if is_ignored(rel, case.ignore) {
            continue;
        }
        match case.hashing.effective_shard_size() {
            None => names.push(rel.to_string()),
            Some(size) => {
                let len = content.len() as u64;
                let mut start = 0;
                while start < len {
                    let end = (start + size).min(len);
                    names.push(format!("{rel}:{start}:{end}"));
                    start = end;
                }
            }
        }
    }
    names.sort();
    names
}

fn generated_keys() -> PathBuf {
    mt_vectors().join("generated-v1.1.1/keys")
}

fn certificate_keys() -> PathBuf {
    mt_vectors().join("scripts/tests/keys/certificate")
}

fn ref_api_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/ref_api.py")
}

/// How a case signs.
#[derive(Clone, Copy, Debug)]
enum Signer {
    P256,
    P384,
    P521,
    /// The P-384 key with its certificate, chained through the intermediate to the root.
    Certificate,
}

impl Signer {
    fn method(self) -> &'static str {
        match self {
            Signer::Certificate => "certificate",
            _ => "key",
        }
    }

    fn private_key(self) -> PathBuf {
        match self {
            Signer::P256 => generated_keys().join("p256.pem"),
            Signer::P521 => generated_keys().join("p521.pem"),
            Signer::P384 | Signer::Certificate => certificate_keys().join("signing-key.pem"),
        }
    }

    fn public_key(self) -> PathBuf {
        match self {
            Signer::P256 => generated_keys().join("p256-pub.pem"),
            Signer::P521 => generated_keys().join("p521-pub.pem"),
            Signer::P384 | Signer::Certificate => certificate_keys().join("signing-key-pub.pem"),
        }
    }
}

/// A hashing configuration; shards when `shard_size` is set.
#[derive(Clone, Copy, Debug)]
struct Hashing {
    /// `sha256`, `blake2` or `blake3` (the CLI and API spelling).
    algorithm: &'static str,
    shard_size: Option<u64>,
}

const FILES_SHA256: Hashing = Hashing {
    algorithm: "sha256",
    shard_size: None,
};

impl Hashing {
    const fn files(algorithm: &'static str) -> Self {
        Self {
            algorithm,
            shard_size: None,
        }
    }

    const fn shards(algorithm: &'static str) -> Self {
        Self {
            algorithm,
            shard_size: Some(SMALL_SHARD),
        }
    }

    /// The only configuration the reference CLI can hash with.
    fn is_cli_default(self) -> bool {
        self.algorithm == "sha256" && self.shard_size.is_none()
    }

    /// Both implementations turn BLAKE3 shards into the file method.
    fn effective_shard_size(self) -> Option<u64> {
        if self.algorithm == "blake3" {
            None
        } else {
            self.shard_size
        }
    }

    /// The `hash_type` a signature records.
    fn hash_type(self) -> &'static str {
        match self.algorithm {
            "blake2" => "blake2b",
            other => other,
        }
    }

    /// Flags for our CLI and for `ref_api.py` (they are spelled the same).
    fn flags(self) -> Vec<String> {
        let mut flags = vec!["--hash-algorithm".to_string(), self.algorithm.to_string()];
        match self.shard_size {
            None => flags.extend(["--serialization".to_string(), "files".to_string()]),
            Some(size) => flags.extend([
                "--serialization".to_string(),
                "shards".to_string(),
                "--shard-size".to_string(),
                size.to_string(),
            ]),
        }
        flags
    }
}

/// Which implementation runs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Ours,
    Reference,
}

/// One interop case.
#[derive(Clone, Copy, Debug)]
struct Case {
    signer: Signer,
    hashing: Hashing,
    /// Paths (relative to the model) that the signer ignores.
    ignore: &'static [&'static str],
    /// Whether verifiers pass the ignored paths again, or rely on the signature's record.
    verifier_repeats_ignores: bool,
}

impl Case {
    const fn new(signer: Signer, hashing: Hashing) -> Self {
        Self {
            signer,
            hashing,
            ignore: &[],
            verifier_repeats_ignores: false,
        }
    }

    const fn ignoring(self, verifier_repeats_ignores: bool) -> Self {
        Self {
            ignore: IGNORED,
            verifier_repeats_ignores,
            ..self
        }
    }

    fn describe(&self, who: Who) -> &'static str {
        match who {
            Who::Ours => "ours",
            Who::Reference if self.hashing.is_cli_default() => "the reference CLI",
            Who::Reference => "the reference API",
        }
    }

    /// Runs the reference: its CLI with `cli_args`, or `ref_api.py` with `api_args`.
    fn run_reference(&self, cwd: &Path, cli_args: Vec<String>, api_args: Vec<String>) -> Output {
        let mut cmd = if self.hashing.is_cli_default() {
            let mut cmd = Command::new(reference_cli());
            cmd.args(cli_args);
            cmd
        } else {
            let mut cmd = Command::new(reference_python());
            cmd.arg(ref_api_script()).args(api_args);
            cmd
        };
        cmd.current_dir(cwd).output().expect("run the reference")
    }

    /// `who` signs `model` into `signature`.
    fn sign(&self, who: Who, cwd: &Path, model: &Path, signature: &Path) -> Output {
        let s = self.signer;
        let absolute_ignores = || {
            self.ignore
                .iter()
                .flat_map(|p| ["--ignore-paths".to_string(), path_arg(&model.join(p))])
                .collect::<Vec<_>>()
        };
        match who {
            Who::Ours => {
                let mut args = vec![
                    "sign".to_string(),
                    s.method().to_string(),
                    path_arg(model),
                    "--signature".to_string(),
                    path_arg(signature),
                    "--private-key".to_string(),
                    path_arg(&s.private_key()),
                ];
                if let Signer::Certificate = s {
                    args.extend(certificate_signing_args("-"));
                }
                args.extend(self.hashing.flags());
                args.extend(absolute_ignores());
                run_ours(cwd, args)
            }
            Who::Reference => {
                let mut cli = vec![
                    "sign".to_string(),
                    s.method().to_string(),
                    path_arg(model),
                    "--signature".to_string(),
                    path_arg(signature),
                    "--private_key".to_string(),
                    path_arg(&s.private_key()),
                ];
                let mut api = vec![
                    "sign".to_string(),
                    path_arg(model),
                    path_arg(signature),
                    "--method".to_string(),
                    s.method().to_string(),
                    "--private-key".to_string(),
                    path_arg(&s.private_key()),
                ];
                if let Signer::Certificate = s {
                    cli.extend(certificate_signing_args("_"));
                    api.extend(certificate_signing_args("-"));
                }
                cli.extend(absolute_ignores());
                api.extend(self.hashing.flags());
                api.extend(
                    self.ignore
                        .iter()
                        .flat_map(|p| ["--ignore-path".to_string(), p.to_string()]),
                );
                self.run_reference(cwd, cli, api)
            }
        }
    }

    /// `who` verifies `model` against `signature`.
    fn verify(&self, who: Who, cwd: &Path, model: &Path, signature: &Path) -> Output {
        let s = self.signer;
        let sep = if who == Who::Reference && self.hashing.is_cli_default() {
            "_"
        } else {
            "-"
        };
        let mut common = vec![
            path_arg(model),
            "--signature".to_string(),
            path_arg(signature),
        ];
        let trust = match s {
            Signer::Certificate => [
                format!("--certificate{sep}chain"),
                path_arg(&certificate_keys().join("ca-cert.pem")),
            ],
            _ => [format!("--public{sep}key"), path_arg(&s.public_key())],
        };
        let repeated: &[&str] = if self.verifier_repeats_ignores {
            self.ignore
        } else {
            &[]
        };
        match who {
            Who::Ours => {
                let mut args = vec!["verify".to_string(), s.method().to_string()];
                args.append(&mut common);
                args.extend(trust);
                args.extend(
                    repeated
                        .iter()
                        .flat_map(|p| ["--ignore-paths".to_string(), path_arg(&model.join(p))]),
                );
                run_ours(cwd, args)
            }
            Who::Reference => {
                let mut cli = vec!["verify".to_string(), s.method().to_string()];
                cli.extend(common.iter().cloned());
                cli.extend(trust.iter().cloned());
                cli.extend(
                    repeated
                        .iter()
                        .flat_map(|p| ["--ignore-paths".to_string(), path_arg(&model.join(p))]),
                );
                let mut api = vec![
                    "verify".to_string(),
                    path_arg(model),
                    path_arg(signature),
                    "--method".to_string(),
                    s.method().to_string(),
                ];
                api.extend(trust.iter().cloned());
                api.extend(self.hashing.flags());
                api.extend(
                    repeated
                        .iter()
                        .flat_map(|p| ["--ignore-path".to_string(), p.to_string()]),
                );
                self.run_reference(cwd, cli, api)
            }
        }
    }

    /// Our `digest` of `model` with this case's hashing and ignores.
    fn our_digest(&self, cwd: &Path, model: &Path) -> String {
        let mut args = vec!["digest".to_string(), path_arg(model)];
        args.extend(self.hashing.flags());
        args.extend(
            self.ignore
                .iter()
                .flat_map(|p| ["--ignore-paths".to_string(), path_arg(&model.join(p))]),
        );
        let out = run_ours(cwd, args);
        assert_ok("our digest", &out);
        let stdout = String::from_utf8(out.stdout).expect("digest output is UTF-8");
        stdout
            .trim_end()
            .strip_prefix("sha256:")
            .unwrap_or_else(|| panic!("digest prints sha256:<hex>, got {stdout:?}"))
            .to_string()
    }
}

/// `--signing-certificate` and `--certificate-chain` (the intermediate), with `sep`
/// between the words.
fn certificate_signing_args(sep: &str) -> Vec<String> {
    vec![
        format!("--signing{sep}certificate"),
        path_arg(&certificate_keys().join("signing-key-cert.pem")),
        format!("--certificate{sep}chain"),
        path_arg(&certificate_keys().join("int-ca-cert.pem")),
    ]
}

fn path_arg(p: &Path) -> String {
    p.to_str().expect("test paths are UTF-8").to_string()
}

#[track_caller]
fn assert_ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed with status {:?}:\n{}",
        out.status.code(),
        text(out)
    );
}

#[track_caller]
fn assert_rejected(what: &str, out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what} should fail with status 1:\n{}",
        text(out)
    );
}

/// The in-toto statement inside a signature file.
fn payload(signature: &Path) -> Value {
    let bundle: Value =
        serde_json::from_slice(&fs::read(signature).expect("read signature")).expect("bundle JSON");
    let encoded = bundle["dsseEnvelope"]["payload"]
        .as_str()
        .unwrap_or_else(|| panic!("{} has no dsseEnvelope.payload", signature.display()));
    let decoded = b64decode(encoded).expect("payload is base64");
    serde_json::from_slice(&decoded).expect("payload is JSON")
}

fn sorted_strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().expect("a string").to_string())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Both signatures describe the same model the same way, and it is the model we built.
fn compare_payloads(case: &Case, ours: &Value, reference: &Value, our_digest: &str) {
    let subject = |p: &Value| {
        p["subject"][0]["digest"]["sha256"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(
        subject(reference).as_deref(),
        Some(our_digest),
        "our digest command disagrees with the reference's subject digest"
    );
    assert_eq!(subject(ours), subject(reference), "subject digests differ");
    assert_eq!(
        ours["subject"][0]["name"], reference["subject"][0]["name"],
        "model names differ"
    );

    let (so, sr) = (
        &ours["predicate"]["serialization"],
        &reference["predicate"]["serialization"],
    );
    let method = if case.hashing.effective_shard_size().is_some() {
        "shards"
    } else {
        "files"
    };
    assert_eq!(sr["method"], method, "the reference's method");
    assert_eq!(so["method"], method, "our method");
    assert_eq!(
        sr["hash_type"],
        case.hashing.hash_type(),
        "the reference's hash_type"
    );
    assert_eq!(so["hash_type"], case.hashing.hash_type(), "our hash_type");
    assert_eq!(so["allow_symlinks"], sr["allow_symlinks"], "allow_symlinks");
    assert_eq!(
        so["shard_size"].as_f64(),
        sr["shard_size"].as_f64(),
        "shard_size (ours {}, reference {})",
        so["shard_size"],
        sr["shard_size"]
    );
    let mut expected_ignores: Vec<String> = [".git", ".gitattributes", ".github", ".gitignore"]
        .iter()
        .chain(case.ignore)
        .map(|s| s.to_string())
        .collect();
    expected_ignores.sort();
    assert_eq!(
        sorted_strings(&sr["ignore_paths"]),
        expected_ignores,
        "the reference's ignore_paths"
    );
    assert_eq!(
        sorted_strings(&so["ignore_paths"]),
        expected_ignores,
        "our ignore_paths"
    );

    let resources = |p: &Value| {
        p["predicate"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (ro, rr) = (resources(ours), resources(reference));
    let mut names: Vec<String> = rr
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect();
    names.sort();
    assert_eq!(names, expected_item_names(case), "the reference's items");
    // Same items, digests and algorithm names, in the same (canonical) order.
    assert_eq!(ro, rr, "resources differ");
}

/// Changes what the signatures do not cover: the top-level `.gitignore`, and with
/// ignore paths, an ignored file and a new file in an ignored directory.
fn change_unsigned_content(case: &Case, model: &Path) {
    fs::write(model.join(".gitignore"), b"*.bak\n").expect("write");
    if !case.ignore.is_empty() {
        fs::write(model.join("nested/scratch.tmp"), b"changed").expect("write");
        fs::write(model.join("skip/more/new.bin"), b"new").expect("write");
    }
}

/// Both sign, each verifies the other's signature, and the payloads agree.
fn round_trip(case: Case) {
    let work = tempfile::tempdir().expect("tempdir");
    let work = work.path();
    let model = work.join("model");
    build_model(&model);
    let (our_sig, ref_sig) = (work.join("ours.sig"), work.join("reference.sig"));

    assert_ok("our signing", &case.sign(Who::Ours, work, &model, &our_sig));
    let out = case.sign(Who::Reference, work, &model, &ref_sig);
    assert_ok(
        &format!("signing with {}", case.describe(Who::Reference)),
        &out,
    );

    let digest = case.our_digest(work, &model);
    compare_payloads(&case, &payload(&our_sig), &payload(&ref_sig), &digest);

    change_unsigned_content(&case, &model);
    let out = case.verify(Who::Reference, work, &model, &our_sig);
    assert_ok(
        &format!(
            "verifying our signature with {}",
            case.describe(Who::Reference)
        ),
        &out,
    );
    let out = case.verify(Who::Ours, work, &model, &ref_sig);
    assert_ok("verifying the reference's signature with ours", &out);
    assert_ok(
        "verifying our signature with ours",
        &case.verify(Who::Ours, work, &model, &our_sig),
    );

    if let Signer::Certificate = case.signer {
        // Trusting only the intermediate is not enough: the chain must reach a trusted
        // self-signed root, as in the reference (OpenSSL without PARTIAL_CHAIN).
        let out = run_ours(
            work,
            [
                "verify",
                "certificate",
                &path_arg(&model),
                "--signature",
                &path_arg(&ref_sig),
                "--certificate-chain",
                &path_arg(&certificate_keys().join("int-ca-cert.pem")),
            ],
        );
        assert_rejected(
            "verifying the reference's signature trusting only the intermediate",
            &out,
        );
    }
}

/// A change to a signed model.
#[derive(Clone, Copy, Debug)]
enum Tamper {
    ChangeByte,
    AddFile,
    RemoveFile,
    RenameFile,
}

impl Tamper {
    const ALL: [Tamper; 4] = [
        Tamper::ChangeByte,
        Tamper::AddFile,
        Tamper::RemoveFile,
        Tamper::RenameFile,
    ];

    /// Applies the change; returns the names a message about it should mention.
    fn apply(self, model: &Path) -> Vec<&'static str> {
        match self {
            Tamper::ChangeByte => {
                let path = model.join("weights.bin");
                let mut data = fs::read(&path).expect("read");
                data[600] ^= 0x01;
                fs::write(&path, data).expect("write");
                vec!["weights.bin"]
            }
            Tamper::AddFile => {
                fs::write(model.join("nested/deep/added.bin"), b"extra").expect("write");
                vec!["nested/deep/added.bin"]
            }
            Tamper::RemoveFile => {
                let rel = "\u{fc}n\u{ef}c\u{f6}d\u{e9}/\u{6a21}\u{578b}.txt";
                fs::remove_file(model.join(rel)).expect("remove");
                vec![rel]
            }
            Tamper::RenameFile => {
                let (from, to) = (
                    "dir with space/file with space.txt",
                    "dir with space/renamed file.txt",
                );
                fs::rename(model.join(from), model.join(to)).expect("rename");
                vec![from, to]
            }
        }
    }
}

/// Both sign; then each tampering makes both implementations reject both signatures.
fn tampering(case: Case) {
    let work = tempfile::tempdir().expect("tempdir");
    let work = work.path();
    let model = work.join("model");
    build_model(&model);
    let (our_sig, ref_sig) = (work.join("ours.sig"), work.join("reference.sig"));
    assert_ok("our signing", &case.sign(Who::Ours, work, &model, &our_sig));
    let out = case.sign(Who::Reference, work, &model, &ref_sig);
    assert_ok(
        &format!("signing with {}", case.describe(Who::Reference)),
        &out,
    );

    // Controls (every signature verifies with both implementations) and the four
    // tamperings, each on its own copy of the model, run in parallel.
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for who in [Who::Ours, Who::Reference] {
                for (sig, signed_by) in [(&our_sig, "our"), (&ref_sig, "the reference's")] {
                    let out = case.verify(who, work, &model, sig);
                    let what = format!(
                        "control: verifying {signed_by} signature with {}",
                        case.describe(who)
                    );
                    assert_ok(&what, &out);
                }
            }
        });
        for tamper in Tamper::ALL {
            let copy = work.join(format!("{tamper:?}")).join("model");
            copy_tree(&model, &copy);
            let names = tamper.apply(&copy);
            let (our_sig, ref_sig) = (&our_sig, &ref_sig);
            scope.spawn(move || {
                for who in [Who::Ours, Who::Reference] {
                    for (sig, signed_by) in [(our_sig, "our"), (ref_sig, "the reference's")] {
                        let out = case.verify(who, work, &copy, sig);
                        let what = format!(
                            "{tamper:?}: verifying {signed_by} signature with {}",
                            case.describe(who)
                        );
                        assert_rejected(&what, &out);
                        // Both implementations say which file is wrong.
                        let message = text(&out);
                        for name in &names {
                            assert!(
                                message.contains(name),
                                "{what}: the message does not name {name:?}:\n{message}"
                            );
                        }
                    }
                }
            });
        }
    });
}

// Every curve, with the one configuration the reference CLI supports.

#[test]
fn key_p256_files_sha256() {
    round_trip(Case::new(Signer::P256, FILES_SHA256));
}

#[test]
fn key_p384_files_sha256() {
    round_trip(Case::new(Signer::P384, FILES_SHA256));
}

#[test]
fn key_p521_files_sha256() {
    round_trip(Case::new(Signer::P521, FILES_SHA256));
}

// Other hashing configurations, through the reference's API.

#[test]
fn key_p256_files_blake2() {
    round_trip(Case::new(Signer::P256, Hashing::files("blake2")));
}

#[test]
fn key_p256_files_blake3() {
    round_trip(Case::new(Signer::P256, Hashing::files("blake3")));
}

#[test]
fn key_p521_shards_sha256() {
    round_trip(Case::new(Signer::P521, Hashing::shards("sha256")));
}

#[test]
fn key_p384_shards_blake2() {
    round_trip(Case::new(Signer::P384, Hashing::shards("blake2")));
}

/// Shards with BLAKE3 fall back to the file method in both implementations.
#[test]
fn key_p256_shards_blake3_is_files() {
    round_trip(Case::new(Signer::P256, Hashing::shards("blake3")));
}

// Certificates.

#[test]
fn certificate_files_sha256() {
    round_trip(Case::new(Signer::Certificate, FILES_SHA256));
}

#[test]
fn certificate_files_blake2() {
    round_trip(Case::new(Signer::Certificate, Hashing::files("blake2")));
}

// Ignored paths: recorded in the signature and honoured by the other verifier on its
// own, or passed again by the verifier.

#[test]
fn key_p256_files_sha256_ignoring() {
    round_trip(Case::new(Signer::P256, FILES_SHA256).ignoring(false));
}

#[test]
fn key_p521_shards_sha256_ignoring_repeated() {
    round_trip(Case::new(Signer::P521, Hashing::shards("sha256")).ignoring(true));
}

#[test]
fn certificate_files_blake3_ignoring() {
    round_trip(Case::new(Signer::Certificate, Hashing::files("blake3")).ignoring(false));
}

#[test]
fn certificate_files_sha256_ignoring_repeated() {
    round_trip(Case::new(Signer::Certificate, FILES_SHA256).ignoring(true));
}

// Tampering.

#[test]
fn tampering_key_p384_files_sha256() {
    tampering(Case::new(Signer::P384, FILES_SHA256));
}

#[test]
fn tampering_certificate_shards_sha256_ignoring() {
    tampering(Case::new(Signer::Certificate, Hashing::shards("sha256")).ignoring(false));
}
