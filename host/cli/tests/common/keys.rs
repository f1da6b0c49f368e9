//! Keys and certificates: the files of the vectors, and `openssl` to make others.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::cli::check;

/// P-256 private key (PKCS #8 PEM).
pub const P256: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/generated-v1.1.1/keys/p256.pem"
);
/// P-256 public key.
pub const P256_PUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/generated-v1.1.1/keys/p256-pub.pem"
);
/// P-521 private key.
pub const P521: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/generated-v1.1.1/keys/p521.pem"
);
/// P-521 public key.
pub const P521_PUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/generated-v1.1.1/keys/p521-pub.pem"
);
/// P-384 private key of the certificate vectors (certtool text before the PEM).
pub const CERT_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key.pem"
);
/// Its public key.
pub const CERT_KEY_PUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key-pub.pem"
);
/// The signing (leaf) certificate for [`CERT_KEY`].
pub const LEAF_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/scripts/tests/keys/certificate/signing-key-cert.pem"
);
/// The intermediate CA that issued [`LEAF_CERT`].
pub const INT_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/scripts/tests/keys/certificate/int-ca-cert.pem"
);
/// The self-signed root CA.
pub const ROOT_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/model-transparency/scripts/tests/keys/certificate/ca-cert.pem"
);

/// A new P-256 private key (PEM, PKCS #8) made by openssl as `dir/name`.
pub fn new_p256_key(dir: &Path, name: &str) -> PathBuf {
    openssl(
        dir,
        &[
            "genpkey",
            "-quiet",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            name,
        ],
    );
    dir.join(name)
}

/// Runs `openssl` with `args` in `cwd`, failing the test with its output if it fails.
pub fn openssl(cwd: &Path, args: &[&str]) {
    check(Command::new("openssl").current_dir(cwd).args(args));
}
