//! The signing daemon (`model_signing serve`), as a real process on 127.0.0.1, driven
//! the way a web page (raw HTTP with any headers) and its user (`model_signing approve`)
//! drive it. Happy paths with a key file, a SoftHSM2 token and keyless Sigstore (every
//! bundle verified by our CLI and by the Python reference), and each point of the
//! security model as its own test.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::daemon::{raw, Daemon};
use common::keyless::{token, Mock, Stub, IDENTITY, ISSUER};
use common::softhsm::{Hsm, PIN};
use common::*;
use serde_json::{json, Value};

const HUB: &str = "http://hub.test:8080";

fn state(t: &tempfile::TempDir) -> PathBuf {
    t.path().join("state")
}

/// A daemon signing with the P-256 key of the vectors, the hub allowed to pair.
fn key_daemon(t: &tempfile::TempDir, extra: &[&str]) -> Daemon {
    let mut args = vec!["--private-key", P256, "--allow-origin", HUB];
    args.extend_from_slice(extra);
    Daemon::start(&state(t), &args)
}

/// The manifest the wasm package computes for `dir` in Node (files, SHA-256), as the
/// web UI sends it: `{serialization, allowSymlinks, ignorePaths, resources}`.
fn wasm_manifest(dir: &Path) -> Value {
    let script = format!(
        r#"
import {{ createHasher }} from {module:?};
import {{ readdirSync, readFileSync, statSync }} from 'node:fs';
import {{ join, relative }} from 'node:path';
const root = {root:?};
const walk = (d) => readdirSync(d).flatMap((n) => statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]);
const resources = [];
for (const f of walk(root).sort()) {{
  const path = relative(root, f);
  if (path === 'model.sig') continue;
  const h = await createHasher('sha256', {{ path }});
  h.update(readFileSync(f));
  for (const item of h.finish()) resources.push({{ name: path, algorithm: item.algorithm, digest: item.digest }});
}}
console.log(JSON.stringify({{ serialization: {{ method: 'files', hashAlgorithm: 'sha256' }}, allowSymlinks: false,
  ignorePaths: ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'], resources }}));
"#,
        module = repo().join("wasm/npm/src/node.js").display().to_string(),
        root = dir.display().to_string(),
    );
    assert!(
        repo().join("wasm/npm/dist/wasm").is_dir(),
        "the wasm package is not built: run wasm/build.sh (scripts/test.sh does before these tests)"
    );
    let out = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Sends a sign request in a thread (it waits for approval), returns its handle.
fn sign_async(
    d: &Daemon,
    origin: &str,
    token: &str,
    body: Value,
) -> std::thread::JoinHandle<common::daemon::Response> {
    let port = d.port;
    let (origin, token) = (origin.to_string(), token.to_string());
    std::thread::spawn(move || {
        let host = format!("127.0.0.1:{port}");
        let auth = format!("Bearer {token}");
        raw(
            port,
            "POST",
            "/api/v1/sign",
            &[
                ("Host", &host),
                ("Origin", &origin),
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            Some(body.to_string().as_bytes()),
        )
    })
}

/// Writes a signature answer's bundle as `model.sig` next to the model.
fn save(r: &common::daemon::Response, sig: &Path) {
    assert_eq!(r.status, 200, "{r:?}");
    std::fs::write(sig, r.json()["bundle"].as_str().unwrap()).unwrap();
}

fn verify_both_ways_with_key(model: &Path, sig: &Path, public_key: &str) {
    verify_key_with(model, Path::new(public_key), sig, &[]);
    let out = reference("model_signing")
        .args(["verify", "key", "--signature"])
        .arg(sig)
        .args(["--public_key", public_key])
        .arg(model)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the reference refused: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ------------------------------------------------------------------------ happy paths

#[test]
fn a_manifest_hashed_by_the_wasm_package_is_signed_after_approval() {
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let d = key_daemon(&t, &[]);
    let token = d.pair(HUB);
    let signers = d.get("/api/v1/signers", HUB, Some(&token));
    assert_eq!(signers.status, 200, "{signers:?}");
    let s = &signers.json()["signers"][0];
    assert_eq!(s["id"], "key-1");
    assert_eq!(s["kind"], "key");
    assert_eq!(s["algorithm"], "ecdsa-p256-sha256");
    assert_eq!(
        s["publicKey"].as_str().unwrap(),
        std::fs::read_to_string(P256_PUB).unwrap().trim_start()
    );

    // What the CLI signs for this model, with its signature inside it.
    let sig = m.join("model.sig");
    sign_key_with(&m, Path::new(P256), &sig, &[]);
    let cli_statement = bundle(&sig)["dsseEnvelope"]["payload"].clone();
    std::fs::remove_file(&sig).unwrap();

    let manifest = wasm_manifest(&m);
    let pending = sign_async(
        &d,
        HUB,
        &token,
        json!({"signer": "key-1", "modelName": "m", "manifest": manifest}),
    );
    let ids = d.wait_for_requests(1);
    // The user sees what will be signed.
    let listing = d.approve(&["--list"]);
    assert!(listing.stdout.contains("model 'm'"), "{listing:?}");
    assert!(listing.stdout.contains(HUB), "{listing:?}");
    d.approve(&["--accept", &ids[0].to_string()]);
    let r = pending.join().unwrap();
    assert_eq!(r.json()["files"], 3);
    assert_eq!(r.json()["signer"], "key-1");
    save(&r, &sig);
    verify_both_ways_with_key(&m, &sig, P256_PUB);
    // The daemon's statement is the CLI's for the same model, byte for byte.
    assert_eq!(bundle(&sig)["dsseEnvelope"]["payload"], cli_statement);
    let events: Vec<String> = d
        .audit()
        .iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_string())
        .collect();
    for e in [
        "pairing_requested",
        "paired",
        "sign_requested",
        "approved",
        "signed",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} not in {events:?}");
    }
}

#[test]
fn a_local_path_is_hashed_and_signed_with_a_softhsm_key() {
    let hsm = Hsm::new("models");
    hsm.keygen("EC:prime256v1", "01", "release");
    let public = hsm.export_public_key("01");
    let pin_file = hsm.path("pin");
    std::fs::write(&pin_file, PIN).unwrap();
    let uri = format!(
        "pkcs11:token=models;object=release?module-path={}&pin-source=file:{}",
        hsm.module.display(),
        pin_file.display()
    );
    let m = hsm.model("m");
    let st = hsm.path("state");
    let mut cmd = hsm.ms();
    cmd.current_dir(hsm.dir.path());
    let d = Daemon::start_with(cmd, &st, &["--pkcs11-uri", &uri, "--allow-origin", HUB]);
    let token = d.pair(HUB);
    let s = &d.get("/api/v1/signers", HUB, Some(&token)).json()["signers"][0];
    assert_eq!(s["kind"], "pkcs11");
    assert_eq!(s["locked"], false);
    let shown = s["pkcs11Uri"].as_str().unwrap();
    assert!(
        shown.starts_with("pkcs11:token=models;object=release?module-path="),
        "{s}"
    );
    assert!(
        !shown.contains("pin-"),
        "neither the PIN nor where it is kept: {s}"
    );
    let pending = sign_async(
        &d,
        HUB,
        &token,
        json!({"signer": "pkcs11-1", "path": m.display().to_string(), "hashing": {"ignorePaths": ["config.json"]}}),
    );
    let ids = d.wait_for_requests(1);
    d.approve(&["--accept", &ids[0].to_string()]);
    let r = pending.join().unwrap();
    assert_eq!(r.json()["files"], 2, "config.json ignored");
    let sig = hsm.path("model.sig");
    save(&r, &sig);
    assert_eq!(
        recorded_ignores(&sig),
        [
            ".git",
            ".gitattributes",
            ".github",
            ".gitignore",
            "config.json"
        ]
    );
    // The reference needs the ignored file named too.
    let ignored = m.join("config.json");
    verify_key_with(&m, &public, &sig, &[]);
    let out = reference("model_signing")
        .args(["verify", "key", "--signature"])
        .arg(&sig)
        .arg("--public_key")
        .arg(&public)
        .arg("--ignore-paths")
        .arg(&ignored)
        .arg(&m)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_pin_given_with_approve_unlocks_the_token_and_is_never_shown() {
    let hsm = Hsm::new("models");
    hsm.keygen("EC:prime256v1", "02", "k");
    let public = hsm.export_public_key("02");
    let uri = format!(
        "pkcs11:token=models;object=k?module-path={}",
        hsm.module.display()
    );
    let st = hsm.path("state");
    let d = Daemon::start_with(
        hsm.ms(),
        &st,
        &["--pkcs11-uri", &uri, "--allow-origin", HUB],
    );
    let token = d.pair(HUB);
    let signers = d.get("/api/v1/signers", HUB, Some(&token));
    assert_eq!(signers.json()["signers"][0]["locked"], true, "{signers:?}");
    let m = hsm.model("m");
    let body = json!({"signer": "pkcs11-1", "path": m.display().to_string()});
    // Locked: refused before anyone is asked, naming how to unlock.
    let r = d.post("/api/v1/sign", HUB, Some(&token), &body);
    assert_eq!(
        (r.status, r.code()),
        (409, "SIGNING_FAILED".into()),
        "{r:?}"
    );
    assert!(r.body.contains("approve --pin"), "{r:?}");
    // A wrong PIN is refused and the signer stays locked.
    let mut wrong = ms();
    wrong.env("SOFTHSM2_CONF", &hsm.conf);
    let out = run_with_stdin(
        wrong
            .args(["approve", "--state-dir"])
            .arg(&st)
            .args(["--pin", "pkcs11-1"]),
        "999999\n",
    );
    assert!(!out.success(), "{out:?}");
    let mut right = ms();
    right.env("SOFTHSM2_CONF", &hsm.conf);
    let out = run_with_stdin(
        right
            .args(["approve", "--state-dir"])
            .arg(&st)
            .args(["--pin", "pkcs11-1"]),
        &format!("{PIN}\n"),
    );
    assert!(out.success(), "{out:?}");
    let signers = d.get("/api/v1/signers", HUB, Some(&token));
    assert_eq!(signers.json()["signers"][0]["locked"], false);
    let pending = sign_async(&d, HUB, &token, body);
    let ids = d.wait_for_requests(1);
    d.approve(&["--accept", &ids[0].to_string()]);
    let r = pending.join().unwrap();
    let sig = hsm.path("model.sig");
    save(&r, &sig);
    verify_both_ways_with_key(&m, &sig, public.to_str().unwrap());
    // The PIN appears in no answer, no output and no log line.
    let everything = format!(
        "{}{}{}{}{}",
        d.stdout.lock().unwrap(),
        d.stderr.lock().unwrap(),
        std::fs::read_to_string(st.join("audit.log")).unwrap(),
        signers.body,
        r.body
    );
    assert!(!everything.contains(PIN), "the PIN leaked");
    assert!(!everything.contains("999999"), "a wrong PIN leaked");
}

fn run_with_stdin(cmd: &mut Command, input: &str) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    Run::from(child.wait_with_output().unwrap())
}

#[test]
fn keyless_signing_against_the_local_sigstore() {
    let mock = Mock::start();
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let mut cmd = ms();
    cmd.env("SIGSTORE_ID_TOKEN", token());
    let d = Daemon::start_with(
        cmd,
        &state(&t),
        &[
            "--sigstore",
            "--trust-config",
            mock.trust_config.to_str().unwrap(),
            "--allow-origin",
            HUB,
        ],
    );
    let token = d.pair(HUB);
    let pending = sign_async(
        &d,
        HUB,
        &token,
        json!({"signer": "sigstore", "modelName": "m", "manifest": wasm_manifest(&m)}),
    );
    let ids = d.wait_for_requests(1);
    d.approve(&["--accept", &ids[0].to_string()]);
    let r = pending.join().unwrap();
    let sig = m.join("model.sig");
    save(&r, &sig);
    check(
        ms().args(["verify", "sigstore", "--signature"])
            .arg(&sig)
            .args([
                "--identity",
                IDENTITY,
                "--identity-provider",
                ISSUER,
                "--trust-config",
            ])
            .arg(&mock.trust_config)
            .arg(&m),
    )
    .verified();
    let out = reference("model_signing")
        .args(["verify", "sigstore", "--signature"])
        .arg(&sig)
        .args([
            "--identity",
            IDENTITY,
            "--identity_provider",
            ISSUER,
            "--trust_config",
        ])
        .arg(&mock.trust_config)
        .arg(&m)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the reference refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn twenty_concurrent_sign_requests_each_get_their_own_answer() {
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let d = key_daemon(&t, &[]);
    let token = d.pair(HUB);
    let manifest = wasm_manifest(&m);
    let pending: Vec<_> = (0..20)
        .map(|i| {
            sign_async(
                &d,
                HUB,
                &token,
                json!({"signer": "key-1", "modelName": format!("m{i}"), "manifest": manifest}),
            )
        })
        .collect();
    let listing = {
        d.wait_for_requests(20);
        let l = d.approve(&["--list", "--json"]);
        serde_json::from_str::<Value>(&l.stdout).unwrap()
    };
    // Approve the even model names, deny the odd ones.
    for r in listing["requests"].as_array().unwrap() {
        let n: u32 = r["modelName"].as_str().unwrap()[1..].parse().unwrap();
        let id = r["id"].as_u64().unwrap().to_string();
        d.approve(&[
            if n.is_multiple_of(2) {
                "--accept"
            } else {
                "--deny"
            },
            &id,
        ]);
    }
    for (i, p) in pending.into_iter().enumerate() {
        let r = p.join().unwrap();
        if i.is_multiple_of(2) {
            let sig = t.path().join(format!("m{i}.sig"));
            save(&r, &sig);
            assert_eq!(payload(&sig)["subject"][0]["name"], format!("m{i}"));
            verify_key_with(&m, Path::new(P256_PUB), &sig, &[]);
        } else {
            assert_eq!(
                (r.status, r.code()),
                (403, "APPROVAL_DENIED".into()),
                "{r:?}"
            );
            assert!(!r.body.contains("bundle"));
        }
    }
    let signed = d.audit().iter().filter(|e| e["event"] == "signed").count();
    assert_eq!(signed, 10);
}

#[test]
fn a_grant_approves_ahead_and_revoke_unpairs() {
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let d = key_daemon(&t, &[]);
    let token = d.pair(HUB);
    let granted = d.approve(&["--grant", HUB, "--signer", "key-1", "--minutes", "5"]);
    assert!(granted.success(), "{granted:?}");
    let body = json!({"signer": "key-1", "modelName": "m", "manifest": wasm_manifest(&m)});
    let r = d.post("/api/v1/sign", HUB, Some(&token), &body);
    assert_eq!(r.status, 200, "no approval needed within the grant: {r:?}");
    assert!(d
        .audit()
        .iter()
        .any(|e| e["event"] == "approved" && e["detail"] == "grant"));
    assert!(d.approve(&["--revoke", HUB]).success());
    let r = d.post("/api/v1/sign", HUB, Some(&token), &body);
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED".into()), "{r:?}");
    let status = d.get("/api/v1/status", HUB, Some(&token));
    assert_eq!(status.json()["paired"], false);
}

// ------------------------------------------------------------------------ the guard

#[test]
fn a_host_that_is_not_the_daemons_is_misdirected() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{}", d.port),
        format!("127.0.0.1:{}", d.port + 1),
        format!("localhost.evil.example:{}", d.port),
    ] {
        let r = raw(d.port, "GET", "/api/v1/status", &[("Host", &host)], None);
        assert_eq!(
            (r.status, r.code()),
            (421, "MISDIRECTED_HOST".into()),
            "{host}: {r:?}"
        );
    }
    for host in [
        format!("localhost:{}", d.port),
        format!("127.0.0.1:{}", d.port),
    ] {
        let r = raw(d.port, "GET", "/api/v1/status", &[("Host", &host)], None);
        assert_eq!(r.status, 200, "{host}");
    }
    let r = raw(d.port, "GET", "/api/v1/status", &[], None);
    assert_eq!(r.status, 421, "no Host at all");
}

#[test]
fn a_foreign_origin_is_forbidden_without_cors_headers() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    for origin in [
        "http://evil.example",
        "null",
        "http://hub.test:8081",
        "https://hub.test:8080",
    ] {
        let r = d.get("/api/v1/status", origin, None);
        assert_eq!(
            (r.status, r.code()),
            (403, "ORIGIN_NOT_ALLOWED".into()),
            "{origin}"
        );
        assert!(!r.has_cors(), "{origin}: {r:?}");
        let r = d.post("/api/v1/pairings", origin, None, &json!({}));
        assert_eq!(r.status, 403, "{origin}");
        assert!(!r.has_cors());
    }
    // The allowed origin gets its own origin back, never '*'.
    let r = d.get("/api/v1/status", HUB, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(HUB));
    assert_eq!(r.header("vary"), Some("Origin"));
}

#[test]
fn only_allowed_origins_pass_the_cors_preflight() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let preflight = |origin: &str, method: &str| {
        d.request(
            "OPTIONS",
            "/api/v1/sign",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", method),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type",
                ),
            ],
            None,
        )
    };
    let ok = preflight(HUB, "POST");
    assert_eq!(ok.status, 204, "{ok:?}");
    assert_eq!(ok.header("access-control-allow-origin"), Some(HUB));
    assert!(ok
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    assert!(!ok.headers.iter().any(|(_, v)| v == "*"));
    let foreign = preflight("http://evil.example", "POST");
    assert_eq!(foreign.status, 403);
    assert!(!foreign.has_cors());
    assert_eq!(preflight(HUB, "PUT").status, 403, "only the API's methods");
}

#[test]
fn state_changes_must_be_json() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let mut h = vec![("Origin", HUB)];
        if let Some(c) = content_type {
            h.push(("Content-Type", c));
        }
        let r = d.request("POST", "/api/v1/pairings", &h, Some("{}"));
        assert_eq!(
            (r.status, r.code()),
            (415, "UNSUPPORTED_MEDIA_TYPE".into()),
            "{content_type:?}"
        );
    }
    let r = d.request(
        "POST",
        "/api/v1/pairings",
        &[
            ("Origin", HUB),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        Some("{}"),
    );
    assert_eq!(r.status, 201);
}

#[test]
fn no_token_a_wrong_token_or_another_origins_token_is_unauthorized() {
    let t = tmp();
    let other = "http://other.test:9000";
    let d = key_daemon(&t, &["--allow-origin", other]);
    let token = d.pair(HUB);
    let body = json!({"signer": "key-1", "modelName": "m", "manifest": {}});
    for (origin, tok) in [
        (HUB, None),
        (HUB, Some("not-a-token")),
        (HUB, Some(&token[..token.len() - 1])),
        (other, Some(token.as_str())),
    ] {
        let r = d.get("/api/v1/signers", origin, tok);
        assert_eq!(
            (r.status, r.code()),
            (401, "UNAUTHORIZED".into()),
            "{origin} {tok:?}"
        );
        let r = d.post("/api/v1/sign", origin, tok, &body);
        assert_eq!(r.status, 401, "{origin} {tok:?}");
    }
    // Without an Origin (a script, not a page) a token is useless too: tokens are an
    // origin's.
    let auth = format!("Bearer {token}");
    let r = d.request("GET", "/api/v1/signers", &[("Authorization", &auth)], None);
    assert_eq!(r.status, 401);
    assert_eq!(d.get("/api/v1/signers", HUB, Some(&token)).status, 200);
}

#[test]
fn the_uis_same_origin_gets_without_origin_use_its_token() {
    // Browsers send no Origin on a same-origin GET: the daemon's own UI listing the
    // signers. Sec-Fetch-Site (which pages cannot set) and the Host name the origin.
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let own = d.origin();
    let token = d.pair(&own);
    let auth = format!("Bearer {token}");
    let same = [
        ("Authorization", auth.as_str()),
        ("Sec-Fetch-Site", "same-origin"),
    ];
    let r = d.request("GET", "/api/v1/signers", &same, None);
    assert_eq!(r.status, 200, "{r:?}");
    let r = d.request("GET", "/api/v1/status", &same, None);
    assert_eq!(
        (r.json()["paired"].clone(), r.json()["origin"].clone()),
        (json!(true), json!(own))
    );
    // Not a same-origin request, or another origin's token: no.
    let cross = [
        ("Authorization", auth.as_str()),
        ("Sec-Fetch-Site", "cross-site"),
    ];
    assert_eq!(
        d.request("GET", "/api/v1/signers", &cross, None).status,
        401
    );
    let hub = d.pair(HUB);
    let hub_auth = format!("Bearer {hub}");
    let r = d.request(
        "GET",
        "/api/v1/signers",
        &[
            ("Authorization", &hub_auth),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        None,
    );
    assert_eq!(r.status, 401);
}

#[test]
fn guessing_the_code_voids_the_pairing() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let r = d.post("/api/v1/pairings", HUB, None, &json!({}));
    let id = r.json()["pairing"].as_str().unwrap().to_string();
    let code = d.pairing_code(HUB);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let path = format!("/api/v1/pairings/{id}/confirm");
    for left in [2, 1] {
        let r = d.post(&path, HUB, None, &json!({"code": wrong}));
        assert_eq!(
            (r.status, r.code()),
            (401, "PAIRING_CODE_INVALID".into()),
            "{r:?}"
        );
        assert!(r.body.contains(&format!("{left} more tries")), "{r:?}");
    }
    let r = d.post(&path, HUB, None, &json!({"code": wrong}));
    assert_eq!((r.status, r.code()), (410, "PAIRING_EXPIRED".into()));
    // Voided: the right code no longer works.
    let r = d.post(&path, HUB, None, &json!({"code": code}));
    assert_eq!(r.status, 410);
    assert!(d.audit().iter().any(|e| e["event"] == "pairing_voided"));
}

#[test]
fn a_code_works_once_and_only_for_its_origin() {
    let t = tmp();
    let other = "http://other.test:9000";
    let d = key_daemon(&t, &["--allow-origin", other]);
    let r = d.post("/api/v1/pairings", HUB, None, &json!({}));
    let id = r.json()["pairing"].as_str().unwrap().to_string();
    let code = d.pairing_code(HUB);
    let path = format!("/api/v1/pairings/{id}/confirm");
    // Another origin cannot use the hub's pairing, even with the code.
    assert_eq!(
        d.post(&path, other, None, &json!({"code": code})).status,
        410
    );
    assert_eq!(d.post(&path, HUB, None, &json!({"code": code})).status, 200);
    // Replayed.
    let r = d.post(&path, HUB, None, &json!({"code": code}));
    assert_eq!((r.status, r.code()), (410, "PAIRING_EXPIRED".into()));
}

#[test]
fn an_oversized_body_is_refused_before_it_is_read() {
    use std::io::Read as _;
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let token = d.pair(HUB);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", d.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "POST /api/v1/sign HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {HUB}\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        d.port,
        64u64 << 20
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(b"{\"signer\":").unwrap();
    // The answer arrives without the 64 MiB being sent.
    let started = Instant::now();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("BODY_TOO_LARGE"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // A manifest of 100,000 files fits.
    let digest = "ab".repeat(32);
    let resources: Vec<Value> = (0..100_000)
        .map(|i| json!({"name": format!("shard-{i:06}.bin"), "algorithm": "sha256", "digest": digest}))
        .collect();
    let body = json!({"signer": "key-1", "modelName": "big", "manifest": {
        "serialization": {"method": "files", "hashAlgorithm": "sha256"}, "resources": resources}});
    assert!(body.to_string().len() > 10 << 20);
    let pending = sign_async(&d, HUB, &token, body);
    let ids = d.wait_for_requests(1);
    d.approve(&["--deny", &ids[0].to_string()]);
    let r = pending.join().unwrap();
    assert_eq!(r.status, 403, "parsed and checked, then denied: {r:?}");
}

#[test]
fn malformed_json_and_bad_manifests_are_refused_before_approval() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let token = d.pair(HUB);
    let auth = format!("Bearer {token}");
    let r = d.request(
        "POST",
        "/api/v1/sign",
        &[
            ("Origin", HUB),
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        Some("{\"signer\": "),
    );
    assert_eq!(
        (r.status, r.code()),
        (400, "INVALID_ARGUMENT".into()),
        "{r:?}"
    );
    let d64 = "ab".repeat(32);
    let manifest = |resources: Value| {
        json!({"signer": "key-1", "modelName": "m", "manifest": {
            "serialization": {"method": "files", "hashAlgorithm": "sha256"}, "resources": resources}})
    };
    for (resources, reason) in [
        (
            json!([{"name": "../etc/passwd", "algorithm": "sha256", "digest": d64}]),
            "invalid_name",
        ),
        (
            json!([{"name": "/abs", "algorithm": "sha256", "digest": d64}]),
            "invalid_name",
        ),
        (
            json!([{"name": "dir\\a.bin", "algorithm": "sha256", "digest": d64}]),
            "invalid_name",
        ),
        (
            json!([{"name": "a\u{0}b", "algorithm": "sha256", "digest": d64}]),
            "invalid_name",
        ),
        (
            json!([{"name": "a", "algorithm": "sha256", "digest": d64}, {"name": "a", "algorithm": "sha256", "digest": d64}]),
            "duplicate_resource",
        ),
        (
            json!([{"name": "a", "algorithm": "sha256", "digest": "abcd"}]),
            "invalid_digest",
        ),
        (
            json!([{"name": "a", "algorithm": "blake3", "digest": d64}]),
            "wrong_algorithm",
        ),
        (json!([]), "empty"),
    ] {
        let r = d.post(
            "/api/v1/sign",
            HUB,
            Some(&token),
            &manifest(resources.clone()),
        );
        assert_eq!(
            (r.status, r.code()),
            (400, "INVALID_MANIFEST".into()),
            "{resources}: {r:?}"
        );
        assert_eq!(r.json()["reason"], reason, "{resources}");
    }
    let r = d.post(
        "/api/v1/sign",
        HUB,
        Some(&token),
        &json!({"signer": "key-1", "modelName": "m", "manifest": {
            "serialization": {"method": "tar"}, "resources": []}}),
    );
    assert_eq!((r.status, r.code()), (400, "INVALID_MANIFEST".into()));
    let r = d.post(
        "/api/v1/sign",
        HUB,
        Some(&token),
        &json!({"signer": "key-1", "path": "relative/model"}),
    );
    assert_eq!(r.status, 400);
    // Nothing reached the user.
    assert!(d.audit().iter().all(|e| e["event"] != "sign_requested"));
}

#[test]
fn an_unknown_signer_is_not_found() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let token = d.pair(HUB);
    let r = d.post(
        "/api/v1/sign",
        HUB,
        Some(&token),
        &json!({"signer": "hsm-9", "modelName": "m", "manifest": {"serialization": {}, "resources": []}}),
    );
    assert_eq!(
        (r.status, r.code()),
        (404, "UNKNOWN_SIGNER".into()),
        "{r:?}"
    );
}

#[test]
fn denied_and_timed_out_approvals_sign_nothing() {
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let d = key_daemon(&t, &["--approval-timeout", "2"]);
    let token = d.pair(HUB);
    let body = json!({"signer": "key-1", "modelName": "m", "manifest": wasm_manifest(&m)});
    let pending = sign_async(&d, HUB, &token, body.clone());
    let ids = d.wait_for_requests(1);
    d.approve(&["--deny", &ids[0].to_string()]);
    let r = pending.join().unwrap();
    assert_eq!(
        (r.status, r.code()),
        (403, "APPROVAL_DENIED".into()),
        "{r:?}"
    );
    let started = Instant::now();
    let r = d.post("/api/v1/sign", HUB, Some(&token), &body);
    assert_eq!(
        (r.status, r.code()),
        (408, "APPROVAL_TIMEOUT".into()),
        "{r:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    let events: Vec<Value> = d.audit();
    assert!(events.iter().any(|e| e["event"] == "denied"));
    assert!(events.iter().any(|e| e["event"] == "timed_out"));
    assert!(events
        .iter()
        .all(|e| e["event"] != "signed" && e["event"] != "approved"));
    // A late decision changes nothing.
    assert!(!d
        .approve(&["--accept", &(ids[0] + 1).to_string()])
        .success());
}

/// A page that stops waiting (its request's connection closes) leaves nothing behind: the
/// request leaves the list the user approves from, the audit log says it was withdrawn,
/// and nothing is signed.
#[test]
fn a_request_whose_page_went_away_leaves_the_list() {
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let d = key_daemon(&t, &["--approval-timeout", "60"]);
    let token = d.pair(HUB);
    let body =
        json!({"signer": "key-1", "modelName": "m", "manifest": wasm_manifest(&m)}).to_string();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", d.port)).unwrap();
    write!(
        s,
        "POST /api/v1/sign HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {HUB}\r\n\
         Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        d.port,
        body.len()
    )
    .unwrap();
    let ids = d.wait_for_requests(1);
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !d.waiting().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the request of a page that went away is still listed: {:?}",
            d.waiting()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!d.approve(&["--accept", &ids[0].to_string()]).success());
    let events = d.audit();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "withdrawn" && e["request"] == ids[0]),
        "{events:?}"
    );
    assert!(events
        .iter()
        .all(|e| e["event"] != "signed" && e["event"] != "approved"));
}

#[test]
fn a_non_loopback_address_is_refused() {
    let t = tmp();
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:7327"] {
        let out = run(ms()
            .args(["serve", "--no-terminal", "--listen", addr, "--state-dir"])
            .arg(state(&t)));
        assert_eq!(out.code, Some(1), "{addr}: {out:?}");
        assert!(out.stderr.contains("loopback only"), "{out:?}");
    }
}

#[test]
fn a_state_directory_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let t = tmp();
    let st = state(&t);
    std::fs::create_dir(&st).unwrap();
    std::fs::set_permissions(&st, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run(ms()
        .args([
            "serve",
            "--no-terminal",
            "--listen",
            "127.0.0.1:0",
            "--state-dir",
        ])
        .arg(&st));
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stderr.contains("group or others can write"), "{out:?}");
    // Created fresh, it is private, and so is what is in it.
    let fresh = t.path().join("fresh");
    let mut d = Daemon::start(&fresh, &[]);
    d.pair(&d.origin());
    d.stop();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&fresh), 0o700);
    for f in ["audit.log", "tokens.json", "default-signing-key.pem"] {
        assert_eq!(mode(&fresh.join(f)), 0o600, "{f}");
    }
    // The tokens file holds hashes, not tokens.
    let tokens: Value =
        serde_json::from_slice(&std::fs::read(fresh.join("tokens.json")).unwrap()).unwrap();
    assert_eq!(tokens[0]["hash"].as_str().unwrap().len(), 64);
}

#[test]
fn floods_are_rate_limited_and_the_daemon_stays_up_and_small() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    // Pairing requests from one origin: a few, then 429.
    let codes: Vec<u16> = (0..15)
        .map(|_| d.post("/api/v1/pairings", HUB, None, &json!({})).status)
        .collect();
    assert!(codes.contains(&429), "{codes:?}");
    // Thousands of bad requests from everywhere, in parallel.
    let port = d.port;
    let threads: Vec<_> = (0..4)
        .map(|n| {
            std::thread::spawn(move || {
                for i in 0..500 {
                    let host = format!("127.0.0.1:{port}");
                    let origin = format!("http://evil{n}-{i}.example");
                    let r = raw(
                        port,
                        "POST",
                        "/api/v1/sign",
                        &[
                            ("Host", &host),
                            ("Origin", &origin),
                            ("Content-Type", "application/json"),
                        ],
                        Some(b"{"),
                    );
                    assert_eq!(r.status, 403);
                    let r = raw(
                        port,
                        "GET",
                        "/api/v1/status",
                        &[("Host", "evil.example")],
                        None,
                    );
                    assert_eq!(r.status, 421);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let r = d.get("/api/v1/status", HUB, None);
    assert_eq!(r.status, 200, "still up");
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.pid())).unwrap();
    let rss_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(rss_kb < 128 * 1024, "RSS {rss_kb} kB after the flood");
}

#[test]
fn the_ui_is_served_with_a_strict_content_security_policy() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let r = d.request("GET", "/", &[], None);
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy").unwrap();
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert!(
        r.body.contains("<html") || r.body.contains("<!doctype"),
        "the web UI is embedded (web/build.sh before the build): {}",
        &r.body[..r.body.len().min(200)]
    );
    assert!(
        !r.body.contains("has no web UI"),
        "the web UI must be embedded in the test build"
    );
    let js = d.request("GET", "/app.js", &[], None);
    assert_eq!(js.status, 200);
    assert!(js
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(d.request("GET", "/../Cargo.toml", &[], None).status, 404);
    assert_eq!(
        d.request("GET", "/api/v1/nothing", &[], None).code(),
        "NOT_FOUND"
    );
}

#[test]
fn the_openapi_document_is_generated_from_the_handlers() {
    let t = tmp();
    let d = key_daemon(&t, &[]);
    let doc = d.request("GET", "/api/v1/openapi.json", &[], None).json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/status",
        "/api/v1/pairings",
        "/api/v1/pairings/{id}/confirm",
        "/api/v1/token",
        "/api/v1/signers",
        "/api/v1/sign",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ManifestSpec"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[cfg(feature = "otel")]
#[test]
fn request_spans_continue_the_callers_trace() {
    use std::sync::Arc;
    let collector = Stub::start(Arc::new(|_req: &common::keyless::Seen| {
        Some((200, "application/json", b"{}".to_vec()))
    }));
    let t = tmp();
    let mut cmd = ms();
    cmd.env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.url)
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_SERVICE_NAME", "daemon-test");
    let mut d = Daemon::start_with(cmd, &state(&t), &["--private-key", P256]);
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent = "00f067aa0ba902b7";
    let traceparent = format!("00-{trace}-{parent}-01");
    let r = d.request(
        "GET",
        "/api/v1/status",
        &[("traceparent", &traceparent)],
        None,
    );
    assert_eq!(r.status, 200);
    assert!(d.stop().success());
    let seen = collector.seen.lock().unwrap().clone();
    let spans: Vec<Value> = seen
        .iter()
        .filter(|s| s.url == "/v1/traces")
        .flat_map(|s| {
            let v: Value = serde_json::from_slice(&s.body).unwrap();
            v["resourceSpans"][0]["scopeSpans"][0]["spans"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let span = spans
        .iter()
        .find(|s| s["name"] == "http.request")
        .unwrap_or_else(|| panic!("no request span in {seen:?}"));
    assert_eq!(span["traceId"], trace);
    assert_eq!(span["parentSpanId"], parent);
}
