//! Benchmark: Sigstore bundle verification time per bundle, native.
//!
//! ```sh
//! cargo run --release -p model-signing --example sigstore_bench [-- MIN_SECONDS]
//! ```
//!
//! For each vector bundle that verifies (and a few that fail late), it parses the
//! trusted root and the bundle and runs the whole verification (log entries,
//! timestamps, certificate chain at every verified time, SCT, identity, signature, entry
//! consistency, artifact) repeatedly for at least MIN_SECONDS (default 1) and at least
//! 10 times, and prints the median and minimum time per verification. Model bundles are
//! timed without hashing the model (the manifest comparison is `digest`'s benchmark).
//! This is not a test: nothing is asserted beyond each bundle's expected verdict.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use model_signing_core::keys::SignatureHash;
use model_signing_core::sigstore::{verify, Artifact, IdentityPolicy, Policy, TrustedRoot};

struct Case {
    name: &'static str,
    bundle: &'static str,
    root: &'static str,
    identity: (&'static str, &'static str),
    artifact: &'static str,
    /// What is in it, for the table.
    shape: &'static str,
}

fn cases() -> Vec<Case> {
    let c = |name, bundle, root, identity, artifact, shape| Case {
        name,
        bundle,
        root,
        identity,
        artifact,
        shape,
    };
    let model = (
        "stefanb@us.ibm.com",
        "https://sigstore.verify.ibm.com/oauth2",
    );
    let digest = "sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226";
    vec![
        c("model v1.0.0", "model-transparency/scripts/tests/v1.0.0-sigstore/model.sig", "production", model, digest, "DSSE, Rekor v1 dsse (SET+proof)"),
        c("model v1.1.0", "model-transparency/scripts/tests/v1.1.0-sigstore/model.sig", "production", model, digest, "DSSE, Rekor v1 dsse + RFC 3161"),
        c("py github whl", "sigstore/sigstore-python/bundle_v3_github.whl.sigstore", "production",
          ("https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", "https://token.actions.githubusercontent.com"),
          "sigstore/sigstore-python/bundle_v3_github.whl", "message, Rekor v1 hashedrekord"),
        c("py staging rekor v2", "sigstore/sigstore-python/staging-rekor-v2.txt.sigstore.json", "staging",
          ("jku@goto.fi", "https://github.com/login/oauth"), "sigstore/sigstore-python/staging-rekor-v2.txt", "message, Rekor v2 (Ed25519) + RFC 3161"),
        c("py staging dsse v2", "sigstore/sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json", "staging",
          ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main", "https://token.actions.githubusercontent.com"),
          "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", "DSSE, Rekor v2 hashedrekord over PAE, 3 witnesses"),
        c("py staging v0.1", "sigstore/sigstore-python/bundle.txt.sigstore", "staging",
          ("a@tny.town", "https://github.com/login/oauth"), "sigstore/sigstore-python/bundle.txt", "message, v0.1, RSA CT key era"),
        c("js v0.2 intoto", "sigstore/sigstore-js/tests-bundles/bundleV02-intoto.sigstore", "production",
          ("brian@dehamer.com", "https://github.com/login/oauth"),
          "sha512:7bea9f6e7ff37f5fab0b36bf061200fff03099fd2fd696b91d04bc5e4f225eb9fd6e0cadcad54ba980f43fb352a99e8810b4e0abeb5c0ef2cf9108cd1f258b36", "DSSE, Rekor v1 intoto"),
        c("go othername", "sigstore/sigstore-go/othername.sigstore.json", "sigstore/sigstore-go/scaffolding.json",
          ("foo!oidc.local", "http://oidc.local:8080"), "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b", "message, private instance"),
        c("py tsa (1 of 2 ts)", "sigstore/sigstore-python/tsa/bundle.txt.sigstore", "sigstore/sigstore-python/tsa/staging-with-test-tsa.trusted_root.json",
          ("alexis.challande@trailofbits.com", "https://accounts.google.com"), "sigstore/sigstore-python/tsa/bundle.txt", "message, SET + 2 timestamps (1 bad)"),
    ]
}

fn time_it(min: Duration, mut f: impl FnMut()) -> (Duration, Duration, usize) {
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 10 || start.elapsed() < min {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    (samples[samples.len() / 2], samples[0], samples.len())
}

fn main() {
    let min = Duration::from_secs_f64(
        std::env::args()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(1.0),
    );
    let base: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; run with --release for meaningful numbers");
    }
    let (median, _, _) = time_it(min, || {
        std::hint::black_box(TrustedRoot::production());
    });
    println!(
        "parse embedded production trusted root: {:>9.1} µs (median)\n",
        median.as_secs_f64() * 1e6
    );
    println!(
        "{:<22} {:>11} {:>11} {:>7}  what",
        "bundle", "median", "min", "runs"
    );
    for case in cases() {
        let root = match case.root {
            "production" => TrustedRoot::production(),
            "staging" => TrustedRoot::staging(),
            file => TrustedRoot::from_json(&std::fs::read(base.join(file)).unwrap()).unwrap(),
        };
        let data = std::fs::read(base.join(case.bundle)).unwrap();
        let policy = Policy::Identity(IdentityPolicy::exact(case.identity.0, case.identity.1));
        let (file, digest);
        let artifact = if let Some(hex) = case.artifact.strip_prefix("sha256:") {
            digest = model_signing_core::encoding::unhex(hex).unwrap();
            Artifact::Digest {
                algorithm: SignatureHash::Sha256,
                digest: &digest,
            }
        } else if let Some(hex) = case.artifact.strip_prefix("sha512:") {
            digest = model_signing_core::encoding::unhex(hex).unwrap();
            Artifact::Digest {
                algorithm: SignatureHash::Sha512,
                digest: &digest,
            }
        } else {
            file = std::fs::read(base.join(case.artifact)).unwrap();
            Artifact::Bytes(&file)
        };
        // Check it verifies before timing it.
        let bundle = model_signing_core::bundle::Bundle::from_json_strict(&data).unwrap();
        if let Err(e) = verify(&bundle, &root, &policy, &artifact) {
            panic!("{}: {e}", case.name);
        }
        let (median, min_t, runs) = time_it(min, || {
            let bundle =
                model_signing_core::bundle::Bundle::from_json_strict(std::hint::black_box(&data))
                    .unwrap();
            std::hint::black_box(verify(&bundle, &root, &policy, &artifact).unwrap());
        });
        println!(
            "{:<22} {:>8.0} µs {:>8.0} µs {:>7}  {}",
            case.name,
            median.as_secs_f64() * 1e6,
            min_t.as_secs_f64() * 1e6,
            runs,
            case.shape
        );
    }
}
