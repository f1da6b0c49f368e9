//! Test vectors the targets need at run time (keys, anchors, trusted roots, and the
//! bundles whose signatures are the only ones allowed to verify), embedded from
//! `tests/vectors/` so the fuzz binaries need no files.

use std::sync::OnceLock;

use model_signing_core::certificate::parse_pem_certificates;
use model_signing_core::keys::{PublicKey, VerifyingKey};
use model_signing_core::sigstore::timestamp::authority_from_certificates;
use model_signing_core::sigstore::trust_root::CertificateAuthority;
use model_signing_core::sigstore::TrustedRoot;

macro_rules! vector {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/",
            $path
        ))
    };
}

/// Key and certificate model signatures (read with `Bundle::from_json`).
pub const MODEL_BUNDLES: &[&[u8]] = &[
    vector!("model-transparency/scripts/tests/v0.2.0-certificate/model.sig"),
    vector!("model-transparency/scripts/tests/v0.3.1-certificate/model.sig"),
    vector!("model-transparency/scripts/tests/v1.0.0-certificate/model.sig"),
    vector!("model-transparency/scripts/tests/v1.0.1-certificate/model.sig"),
    vector!("model-transparency/scripts/tests/v1.1.0-certificate/model.sig"),
    vector!("model-transparency/scripts/tests/v0.3.1-elliptic-key/model.sig"),
    vector!("model-transparency/scripts/tests/v1.0.0-elliptic-key/model.sig"),
    vector!("model-transparency/scripts/tests/v1.0.1-elliptic-key/model.sig"),
    vector!("model-transparency/scripts/tests/v1.1.0-elliptic-key/model.sig"),
    vector!("model-transparency/generated-v1.1.1/cert-p384-files-sha256/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p256-files-sha256/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-files-blake2/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-files-blake3/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-files-nogitignore/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-files-sha256/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-shards-100/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-shards-64-blake2/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-shards-default/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p384-singlefile/model.sig"),
    vector!("model-transparency/generated-v1.1.1/key-p521-files-sha256/model.sig"),
    vector!("timestamped/key-p256.sig"),
    vector!("timestamped/cert-expired-leaf.sig"),
    vector!("timestamped/cert-expired-leaf-late-timestamp.sig"),
];

/// Sigstore bundles (read with `Bundle::from_json_strict`).
pub const SIGSTORE_BUNDLES: &[&[u8]] = &[
    vector!("model-transparency/scripts/tests/v0.3.1-sigstore/model.sig"),
    vector!("model-transparency/scripts/tests/v1.0.0-sigstore/model.sig"),
    vector!("model-transparency/scripts/tests/v1.0.1-sigstore/model.sig"),
    vector!("model-transparency/scripts/tests/v1.1.0-sigstore/model.sig"),
    vector!("sigstore/managed-key/bundle.sigstore.json"),
    vector!("sigstore/sigstore-go/dsse-2sigs.sigstore.json"),
    vector!("sigstore/sigstore-go/dsse.sigstore.json"),
    vector!("sigstore/sigstore-go/othername.sigstore.json"),
    vector!("sigstore/sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json"),
    vector!("sigstore/sigstore-js/prod-rekor2-dsse-v002.sigstore.json"),
    vector!("sigstore/sigstore-js/prod-rekor2-hashedrekord-v002.sigstore.json"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV01-dsse-no-proof.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV01-dsse-with-proof.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV01-full-cert-chain.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV01-intoto-no-proof.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV01-intoto-with-proof.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV02-dsse.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV02-intoto.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV03-dsse.sigstore"),
    vector!("sigstore/sigstore-js/tests-bundles/bundleV03-intoto.sigstore"),
    vector!("sigstore/sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json"),
    vector!("sigstore/sigstore-python/bundle.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_cve_2022_36056.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_invalid_version.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_no_cert_v1.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_no_log_entry.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_v3.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_v3_alt.txt.sigstore"),
    vector!("sigstore/sigstore-python/bundle_v3_github.whl.sigstore"),
    vector!("sigstore/sigstore-python/bundle_v3_no_signed_time.txt.sigstore.json"),
    vector!("sigstore/sigstore-python/integration/Python-3.12.5.tgz.sigstore"),
    vector!("sigstore/sigstore-python/staging-rekor-v2.txt.sigstore.json"),
    vector!("sigstore/sigstore-python/tsa/bundle.duplicate.sigstore"),
    vector!("sigstore/sigstore-python/tsa/bundle.many_timestamp.sigstore"),
    vector!("sigstore/sigstore-python/tsa/bundle.txt.late_timestamp.sigstore"),
    vector!("sigstore/sigstore-python/tsa/bundle.txt.sigstore"),
];

/// Public keys of the key vectors: P-256 and P-521 (generated-v1.1.1), P-384 (upstream,
/// a `certtool` file with text before the PEM block).
pub const MODEL_PUBLIC_KEYS: &[&[u8]] = &[
    vector!("model-transparency/generated-v1.1.1/keys/p256-pub.pem"),
    vector!("model-transparency/generated-v1.1.1/keys/p521-pub.pem"),
    vector!("model-transparency/scripts/tests/keys/certificate/signing-key-pub.pem"),
];

/// Trust anchors for certificate chains: the upstream CA and this repository's PKI
/// roots.
pub const ANCHOR_PEMS: &[&[u8]] = &[
    vector!("model-transparency/scripts/tests/keys/certificate/ca-cert.pem"),
    vector!("pki/root.pem"),
    vector!("pki/root-rsa.pem"),
    vector!("pki/root-old.pem"),
    vector!("timestamped/root.pem"),
];

/// The timestamp authority of the timestamped key and certificate signatures
/// (`tests/vectors/timestamped/`), as `--tsa-certificate-chain` gives it.
pub const TSA_CHAIN_PEM: &[u8] = vector!("timestamped/tsa-chain.pem");

/// The managed-key Sigstore vector's key.
pub const MANAGED_KEY_PEM: &[u8] = vector!("sigstore/managed-key/key.pub.pem");

/// Extra trusted roots of the Sigstore vectors.
pub const TEST_TSA_ROOT: &[u8] =
    vector!("sigstore/sigstore-python/tsa/staging-with-test-tsa.trusted_root.json");
/// See [`TEST_TSA_ROOT`].
pub const MANAGED_KEY_ROOT: &[u8] = vector!("sigstore/managed-key/trusted_root.json");
/// See [`TEST_TSA_ROOT`].
pub const SCAFFOLDING_ROOT: &[u8] = vector!("sigstore/sigstore-go/scaffolding.json");

/// The model-transparency v1.1.0 Sigstore signature (production, one timestamp), used
/// to exercise fuzzed trusted roots.
pub const MODEL_SIGSTORE_V1_1_0: &[u8] =
    vector!("model-transparency/scripts/tests/v1.1.0-sigstore/model.sig");

/// The key verifiers' keys.
pub fn model_keys() -> &'static [PublicKey] {
    static KEYS: OnceLock<Vec<PublicKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        MODEL_PUBLIC_KEYS
            .iter()
            .map(|pem| PublicKey::from_pem(pem).expect("test key"))
            .collect()
    })
}

/// The anchors, DER.
pub fn anchors() -> &'static [Vec<u8>] {
    static ANCHORS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    ANCHORS.get_or_init(|| {
        ANCHOR_PEMS
            .iter()
            .flat_map(|pem| parse_pem_certificates(pem).expect("test anchor"))
            .collect()
    })
}

/// The authority of [`TSA_CHAIN_PEM`].
pub fn tsa_authority() -> &'static CertificateAuthority {
    static TSA: OnceLock<CertificateAuthority> = OnceLock::new();
    TSA.get_or_init(|| {
        let chain = parse_pem_certificates(TSA_CHAIN_PEM).expect("test TSA chain");
        authority_from_certificates(&chain).expect("test TSA")
    })
}

/// The managed key.
pub fn managed_key() -> &'static VerifyingKey {
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        model_signing_core::keys::key_from_pem(MANAGED_KEY_PEM).expect("managed key")
    })
}

/// Every trusted root a Sigstore vector verifies against: production first.
pub fn roots() -> &'static [TrustedRoot] {
    static ROOTS: OnceLock<Vec<TrustedRoot>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = vec![TrustedRoot::production(), TrustedRoot::staging()];
        for json in [TEST_TSA_ROOT, MANAGED_KEY_ROOT, SCAFFOLDING_ROOT] {
            roots.push(TrustedRoot::from_json(json).expect("test root"));
        }
        roots
    })
}

/// The root that knows the log `log_id`, else production (a verifier has one root: the
/// one a bundle's entry names is the one that lets the fuzzer reach the deep checks).
pub fn root_for_log(log_id: Option<&[u8]>) -> &'static TrustedRoot {
    let roots = roots();
    log_id
        .and_then(|id| roots.iter().find(|r| r.tlog(id).is_some()))
        .unwrap_or(&roots[0])
}
