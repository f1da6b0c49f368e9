//! A real SoftHSM2 token for the PKCS #11 tests, one per test: its own `SOFTHSM2_CONF`
//! and token directory in a temporary directory, so that tests run in parallel without
//! seeing each other's tokens. The configuration reaches SoftHSM2 through the environment
//! of each child process; nothing here changes this process's environment.
//!
//! The tools come from Debian's `softhsm2`, `opensc` (pkcs11-tool) and `openssl`, which
//! `scripts/setup-softhsm.sh` installs. A missing tool fails the test, saying so.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::Decode as _;
use model_signing::model_signing_core::keys::{Curve, PublicKey};

use super::cli::{check, ms, run};
use super::model::small_model;

/// The user PIN of every test token.
pub const PIN: &str = "4711";
/// The security officer PIN.
pub const SO_PIN: &str = "0815";

/// The SoftHSM2 module installed by Debian's `softhsm2` (or another distribution's).
pub fn module() -> PathBuf {
    const CANDIDATES: &[&str] = &[
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib64/pkcs11/libsofthsm2.so",
        "/usr/lib/pkcs11/libsofthsm2.so",
    ];
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("libsofthsm2.so not found: run scripts/setup-softhsm.sh (installs softhsm2, opensc, p11-kit)")
}

/// Percent-encodes every byte that is not a letter or a digit (valid in any attribute).
pub fn pct(value: &[u8]) -> String {
    value
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One SoftHSM2 instance with one initialised token.
pub struct Hsm {
    /// Holds the configuration, the token directory and anything the test writes.
    pub dir: tempfile::TempDir,
    /// The SOFTHSM2_CONF file.
    pub conf: PathBuf,
    /// The module.
    pub module: PathBuf,
    /// The token's label.
    pub label: String,
    /// The slot id SoftHSM2 gave the token (decimal in URIs).
    pub slot: u64,
}

impl Hsm {
    /// Creates the configuration and initialises a token labelled `label`.
    pub fn new(label: &str) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).expect("token directory");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .expect("write softhsm2.conf");
        let mut hsm = Self {
            dir,
            conf,
            module: module(),
            label: label.to_string(),
            slot: 0,
        };
        let out = check(hsm.cmd("softhsm2-util").args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]));
        // "The token has been initialized and is reassigned to slot 1889793470"
        let said = out.text();
        hsm.slot = said
            .split("reassigned to slot ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no slot id in softhsm2-util's output: {said}"));
        hsm
    }

    /// A path in the test's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `program` with this instance's SOFTHSM2_CONF, run in the test's directory.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("SOFTHSM2_CONF", &self.conf)
            .env_remove("MODEL_SIGNING_LOG_LEVEL")
            .current_dir(self.dir.path());
        cmd
    }

    /// `pkcs11-tool` on this token's slot.
    pub fn pkcs11_tool(&self) -> Command {
        let mut cmd = self.cmd("pkcs11-tool");
        cmd.arg("--module")
            .arg(&self.module)
            .args(["--slot", &self.slot.to_string()]);
        cmd
    }

    /// Generates a key pair on the token (`key_type` as pkcs11-tool spells it, e.g.
    /// `EC:prime256v1`, `rsa:2048`) and returns its exported public key (PEM file).
    pub fn keygen(&self, key_type: &str, id_hex: &str, label: &str) -> PathBuf {
        check(self.pkcs11_tool().args([
            "--login",
            "--pin",
            PIN,
            "--keypairgen",
            "--key-type",
            key_type,
            "--id",
            id_hex,
            "--label",
            label,
        ]));
        self.export_public_key(id_hex)
    }

    /// Exports the public key object with id `id_hex` as PEM (via DER and openssl).
    pub fn export_public_key(&self, id_hex: &str) -> PathBuf {
        let der = self.path(&format!("pub-{id_hex}.der"));
        let pem = self.path(&format!("pub-{id_hex}.pem"));
        let out = run(self
            .pkcs11_tool()
            .args(["--read-object", "--type", "pubkey", "--id", id_hex, "-o"])
            .arg(&der));
        if !out.success() {
            // OpenSC 0.23 (Debian 12) fails to export P-384 keys ("cannot create
            // EVP_PKEY"); build the SubjectPublicKeyInfo from the attributes it lists.
            assert!(
                out.text().contains("cannot create EVP_PKEY"),
                "{}",
                out.text()
            );
            std::fs::write(&der, self.spki_from_listing(id_hex)).expect("write DER");
        }
        check(
            Command::new("openssl")
                .args(["pkey", "-pubin", "-inform", "DER", "-in"])
                .arg(&der)
                .arg("-out")
                .arg(&pem),
        );
        pem
    }

    /// The DER SubjectPublicKeyInfo of the EC public key object `id_hex`, from the
    /// CKA_EC_PARAMS and CKA_EC_POINT that `pkcs11-tool --list-objects` prints (it lists
    /// every public key, whatever `--id` says, so the object is picked by its ID line).
    fn spki_from_listing(&self, id_hex: &str) -> Vec<u8> {
        let out = check(
            self.pkcs11_tool()
                .args(["--list-objects", "--type", "pubkey"]),
        );
        let listing = out.text();
        // Each object starts on an unindented line; its attributes are indented.
        let mut objects: Vec<Vec<&str>> = Vec::new();
        for line in listing.lines() {
            if !line.starts_with(char::is_whitespace) {
                objects.push(Vec::new());
            }
            if let Some(object) = objects.last_mut() {
                object.push(line.trim());
            }
        }
        let field = |object: &[&str], name: &str| {
            object
                .iter()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_ascii_lowercase())
        };
        let object = objects
            .iter()
            .find(|o| field(o, "ID:").as_deref() == Some(&id_hex.to_ascii_lowercase()))
            .unwrap_or_else(|| panic!("no public key with ID {id_hex} in: {listing}"));
        let bytes = |name: &str| {
            let hex = field(object, name).unwrap_or_else(|| panic!("no {name} in: {listing}"));
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                .collect::<Vec<u8>>()
        };
        let params = bytes("EC_PARAMS:");
        let ec_point = bytes("EC_POINT:");
        let curve = ObjectIdentifier::from_der(&params)
            .ok()
            .and_then(|oid| Curve::from_oid(&oid))
            .unwrap_or_else(|| panic!("EC_PARAMS is not a supported named curve: {listing}"));
        let point = OctetStringRef::from_der(&ec_point).expect("EC_POINT is an OCTET STRING");
        PublicKey::from_sec1_point(curve, point.as_bytes())
            .expect("EC_POINT is a point of the curve")
            .to_spki_der()
    }

    /// Imports a PKCS #8 PEM private key (and its public key) into the token.
    pub fn import(&self, key_pem: &Path, id_hex: &str, label: &str) {
        check(
            self.cmd("softhsm2-util")
                .arg("--import")
                .arg(key_pem)
                .args(["--slot", &self.slot.to_string()])
                .args(["--label", label, "--id", id_hex, "--pin", PIN]),
        );
    }

    /// Our binary ([`ms`]) with this instance's SOFTHSM2_CONF, run in the test's directory.
    pub fn ms(&self) -> Command {
        let mut cmd = ms();
        cmd.env("SOFTHSM2_CONF", &self.conf)
            .current_dir(self.dir.path());
        cmd
    }

    /// A [`small_model`] under the test directory.
    pub fn model(&self, name: &str) -> PathBuf {
        small_model(&self.path(name))
    }

    /// Sets the token's "user PIN locked" flag, as a token does after too many wrong
    /// PINs. SoftHSM2 has no retry counter, so it never locks by itself; but it reports
    /// the flags stored in its token file (attribute CKA_OS_TOKENFLAGS, 0x8000534B, a
    /// ulong), which is where this sets CKF_USER_PIN_LOCKED.
    pub fn lock_user_pin(&self) {
        let tokens = self.path("tokens");
        let token_dir = std::fs::read_dir(&tokens)
            .expect("token directory")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.is_dir())
            .expect("one token directory");
        let file = token_dir.join("token.object");
        let mut bytes = std::fs::read(&file).expect("read token.object");
        // type (u64 BE) = CKA_OS_TOKENFLAGS, kind (u64 BE) = 2 (ulong), value (u64 BE)
        let pattern = [0, 0, 0, 0, 0x80, 0, 0x53, 0x4B, 0, 0, 0, 0, 0, 0, 0, 2];
        let at = bytes
            .windows(pattern.len())
            .position(|w| w == pattern)
            .expect("CKA_OS_TOKENFLAGS in token.object")
            + pattern.len();
        let mut flags = u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap());
        flags |= 0x0004_0000; // CKF_USER_PIN_LOCKED
        bytes[at..at + 8].copy_from_slice(&flags.to_be_bytes());
        std::fs::write(&file, bytes).expect("write token.object");
        let out = check(self.pkcs11_tool().arg("--list-token-slots"));
        assert!(
            out.text().contains("user PIN locked"),
            "SoftHSM2 does not report the lock: {}",
            out.text()
        );
    }
}
