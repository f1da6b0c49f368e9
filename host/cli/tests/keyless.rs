//! Keyless signing (`model_signing sign sigstore`) against a local Sigstore: the npm
//! package `@sigstore/mock` (an independent implementation of Fulcio, Rekor v1 and a
//! TSA) behind tests/sigstore-mock/server.js, started on 127.0.0.1 by each test. The
//! bundles are verified by our `verify sigstore`, by the reference (`model_signing
//! verify sigstore --trust_config`) and by sigstore-python (`sigstore verify identity`).
//! Identity tokens come from `--identity-token`, the environment, GitHub Actions
//! variables pointed at a local endpoint, and the browser and out-of-band flows of a
//! local OIDC provider; failures come from local stand-ins for the services.

mod common;

use std::io::{BufReader, Write as _};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use common::keyless::*;
use common::*;
use serde_json::{json, Value};

/// A temporary directory with a small model in `model/`, where each test signs it (as
/// `model.sig`) and verifies it.
fn signing_dir() -> tempfile::TempDir {
    let tmp = tmp();
    small_model(&tmp.path().join("model"));
    tmp
}

fn sign(trust: &Path, dir: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut c = ms();
    c.current_dir(dir)
        .args(["sign", "sigstore", "--trust_config"])
        .arg(trust)
        .args(["--signature", "model.sig"])
        .args(extra)
        .arg("model")
        .stdin(Stdio::null());
    for (k, v) in envs {
        c.env(k, v);
    }
    run(&mut c)
}

fn verify_ours(trust: &Path, dir: &Path, identity: &str, issuer: &str) -> Run {
    run(ms()
        .current_dir(dir)
        .args(["verify", "sigstore", "--trust-config"])
        .arg(trust)
        .args(["--identity", identity, "--identity-provider", issuer])
        .args(["--signature", "model.sig", "model"]))
}

/// Every object key of compact JSON, in order of appearance (the values here are
/// base64, numbers and a checkpoint note, none of which contains `":`).
fn json_keys(raw: &str) -> Vec<String> {
    raw.match_indices("\":")
        .map(|(i, _)| {
            let start = raw[..i].rfind('"').unwrap();
            raw[start + 1..i].to_string()
        })
        .collect()
}

/// The JSON with every leaf replaced by its type.
fn json_shape(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), json_shape(x))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(json_shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        other => other.clone(),
    }
}

#[test]
fn token_flow_signs_and_three_verifiers_accept() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let out = sign(
        &mock.trust_config,
        dir,
        &["--identity_token", &token()],
        &[],
    );
    assert!(out.success(), "{}", out.text());
    assert_eq!(out.stdout, "Signing succeeded\n");

    // The bundle is what sigstore-python writes: a leaf certificate, one dsse 0.0.1
    // entry, one RFC 3161 timestamp, no key ID, compact JSON in protobuf field order.
    let raw = std::fs::read_to_string(dir.join("model.sig")).unwrap();
    let b: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        b["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let vm = &b["verificationMaterial"];
    assert!(vm["certificate"]["rawBytes"].is_string());
    let entries = vm["tlogEntries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["kindVersion"],
        json!({"kind": "dsse", "version": "0.0.1"})
    );
    assert_eq!(
        vm["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        b["dsseEnvelope"]["signatures"][0]
            .as_object()
            .unwrap()
            .len(),
        1
    );
    assert!(!raw.contains('\n') && !raw.contains("\": ") && !raw.contains(", \""));
    let keys = json_keys(&raw);
    let entry_keys: Vec<&str> = keys
        .iter()
        .map(String::as_str)
        .skip_while(|k| *k != "logIndex")
        .take(7)
        .collect();
    assert_eq!(
        entry_keys,
        [
            "logIndex",
            "logId",
            "keyId",
            "kindVersion",
            "kind",
            "version",
            "integratedTime"
        ]
    );

    // The reference, signing the same model against the same mock, writes the same
    // fields in the same order.
    let out = run(reference("model_signing")
        .current_dir(dir)
        .args(["sign", "sigstore", "--trust_config"])
        .arg(&mock.trust_config)
        .args([
            "--identity_token",
            &token(),
            "--signature",
            "reference.sig",
            "model",
        ]));
    assert!(out.success(), "reference sign: {}", out.text());
    let theirs = std::fs::read_to_string(dir.join("reference.sig")).unwrap();
    assert_eq!(json_keys(&raw), json_keys(&theirs));
    assert_eq!(
        json_shape(&b),
        json_shape(&serde_json::from_str(&theirs).unwrap())
    );
    std::fs::remove_file(dir.join("reference.sig")).unwrap();

    // Our verifier.
    let out = verify_ours(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "{}", out.text());
    // The reference, model-signing 1.1.1.
    let out = verify_reference(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "reference: {}", out.text());
    assert!(
        out.text().contains("Verification succeeded"),
        "{}",
        out.text()
    );
    // sigstore-python 4.x on the DSSE subject (the model's digest).
    let out = verify_sigstore_python(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "sigstore-python: {}", out.text());
    assert!(out.text().contains("OK:"), "{}", out.text());

    // Another identity, and a changed byte, fail.
    let out = verify_ours(&mock.trust_config, dir, "someone@else.com", ISSUER);
    assert_eq!(out.code, Some(1), "{}", out.text());
    std::fs::write(dir.join("model/config.json"), b"{ }").unwrap();
    let out = verify_ours(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert_eq!(out.code, Some(1), "{}", out.text());
}

/// The reference's (model-signing 1.1.1) `verify sigstore` of `model.sig`.
fn verify_reference(trust: &Path, dir: &Path, identity: &str, issuer: &str) -> Run {
    run(reference("model_signing")
        .current_dir(dir)
        .args(["verify", "sigstore", "--trust_config"])
        .arg(trust)
        .args(["--identity", identity, "--identity_provider", issuer])
        .args(["--signature", "model.sig", "model"]))
}

/// sigstore-python's `verify identity` on the model's DSSE subject.
fn verify_sigstore_python(trust: &Path, dir: &Path, identity: &str, issuer: &str) -> Run {
    let digest = run(ms().current_dir(dir).args(["digest", "model"]));
    let digest = digest.stdout.trim().to_string();
    run(reference("sigstore")
        .current_dir(dir)
        .arg("--trust-config")
        .arg(trust)
        .args(["verify", "identity", "--cert-identity", identity])
        .args([
            "--cert-oidc-issuer",
            issuer,
            "--bundle",
            "model.sig",
            &digest,
        ]))
}

#[test]
fn rekor_v2_when_the_signing_config_selects_it() {
    let mock = Mock::start_with_rekor(2);
    let tmp = signing_dir();
    let dir = tmp.path();
    // Three signatures: the last entry's inclusion proof has a real Merkle path.
    for _ in 0..3 {
        let out = sign(
            &mock.trust_config,
            dir,
            &["--identity-token", &token()],
            &[],
        );
        assert!(out.success(), "{}", out.text());
    }
    let b: Value = serde_json::from_slice(&std::fs::read(dir.join("model.sig")).unwrap()).unwrap();
    let entry = &b["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(
        entry["kindVersion"],
        json!({"kind": "hashedrekord", "version": "0.0.2"})
    );
    assert_eq!(entry["inclusionProof"]["treeSize"], "3");
    assert_eq!(
        entry["inclusionProof"]["hashes"].as_array().unwrap().len(),
        1
    );
    assert!(entry.get("inclusionPromise").is_none());
    let out = verify_ours(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "{}", out.text());
    let out = verify_reference(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "reference: {}", out.text());
    let out = verify_sigstore_python(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "sigstore-python: {}", out.text());
}

#[test]
fn sign_without_method_is_sigstore_and_token_may_come_from_the_environment() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let out = run(ms()
        .current_dir(dir)
        .args(["sign", "--trust-config"])
        .arg(&mock.trust_config)
        .args([
            "--use-ambient-credentials",
            "--signature",
            "model.sig",
            "model",
        ])
        .env("SIGSTORE_ID_TOKEN", token()));
    assert!(out.success(), "{}", out.text());
    assert!(
        !out.text().contains(&token()[..40]),
        "the token was printed"
    );
    let out = verify_ours(&mock.trust_config, dir, IDENTITY, ISSUER);
    assert!(out.success(), "{}", out.text());
}

#[test]
fn ambient_github_actions_credentials() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let workflow = "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main";
    let gh = Stub::start(Arc::new(move |req: &Seen| {
        let auth = req
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.clone());
        let p = params(&req.url);
        if auth.as_deref() != Some("bearer request-token")
            || param(&p, "audience").as_deref() != Some("sigstore")
        {
            return Some((
                401,
                "application/json",
                br#"{"message":"bad request token"}"#.to_vec(),
            ));
        }
        let now = now();
        let tok = jwt(
            &json!({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:org/repo:ref:refs/heads/main",
            "job_workflow_ref": "org/repo/.github/workflows/release.yml@refs/heads/main",
            "aud": "sigstore", "iat": now, "exp": now + 300}),
        );
        Some((
            200,
            "application/json",
            json!({"count": 1, "value": tok}).to_string().into_bytes(),
        ))
    }));
    let url = format!("{}/idtoken?api-version=2.0", gh.url);
    let out = sign(
        &mock.trust_config,
        dir,
        &["--use_ambient_credentials"],
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token"),
        ],
    );
    assert!(out.success(), "{}", out.text());
    assert_eq!(gh.seen.lock().unwrap().len(), 1);
    // The mock's Fulcio certifies the token's `sub` (it puts job_workflow_ref in .1.9).
    let out = verify_ours(
        &mock.trust_config,
        dir,
        "repo:org/repo:ref:refs/heads/main",
        "https://token.actions.githubusercontent.com",
    );
    assert!(out.success(), "{}", out.text());
    let _ = workflow;
}

/// Waits (bounded) for a line of the child's stderr containing `needle`; returns it.
fn read_until(reader: &mut impl std::io::BufRead, needle: &str) -> String {
    for _ in 0..200 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.contains(needle) {
            return line.trim().to_string();
        }
    }
    panic!("no line containing '{needle}'");
}

fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// An interactive `sign sigstore` (browser or out-of-band flow) started against a local
/// Sigstore and a local OIDC provider whose user is `user`, with `extra` flags before
/// the model; stdin and stderr piped, `BROWSER=true` so no browser is opened.
struct InteractiveSign {
    _mock: Mock,
    provider: OidcProvider,
    tmp: tempfile::TempDir,
    trust: std::path::PathBuf,
    child: std::process::Child,
}

impl InteractiveSign {
    fn start(user: &'static str, extra: &[&str]) -> Self {
        let mock = Mock::start();
        let provider = OidcProvider::start(user);
        let tmp = signing_dir();
        let trust = patched_trust(
            &mock,
            tmp.path(),
            &[("/signingConfig/oidcUrls/0/url", &provider.url)],
        );
        let child = ms()
            .current_dir(tmp.path())
            .args(["sign", "sigstore", "--trust-config"])
            .arg(&trust)
            .args(extra)
            .args(["--signature", "model.sig", "model"])
            .env("BROWSER", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Self {
            _mock: mock,
            provider,
            tmp,
            trust,
            child,
        }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }
}

#[test]
fn browser_flow_with_pkce_against_a_local_provider() {
    let mut signing = InteractiveSign::start("browser-user", &[]);
    drop(signing.child.stdin.take());
    let provider = &signing.provider;
    let mut stderr = BufReader::new(signing.child.stderr.take().unwrap());
    let auth_url = read_until(&mut stderr, &format!("{}/auth?", provider.url));
    // The "browser": follow the provider's redirect to the loopback listener.
    let agent = http_agent();
    let resp = agent.get(&auth_url).call().unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(location.starts_with("http://localhost:"), "{location}");
    let callback = location.replacen("localhost", "127.0.0.1", 1);
    let resp = agent.get(&callback).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = signing.child.wait().unwrap();
    assert!(status.success(), "{rest}");
    assert_eq!(*provider.pkce_failures.lock().unwrap(), 0);
    let out = verify_ours(&signing.trust, signing.dir(), "browser-user", &provider.url);
    assert!(out.success(), "{}", out.text());
}

#[test]
fn out_of_band_flow_and_custom_client() {
    let mut signing = InteractiveSign::start(
        "oob-user",
        &[
            "--oauth-force-oob",
            "--client_id",
            "my-client",
            "--client-secret",
            "s3cret",
        ],
    );
    let provider = &signing.provider;
    let mut stderr = BufReader::new(signing.child.stderr.take().unwrap());
    let auth_url = read_until(&mut stderr, &format!("{}/auth?", provider.url));
    assert_eq!(
        param(&params(&auth_url), "client_id").as_deref(),
        Some("my-client")
    );
    let mut resp = http_agent().get(&auth_url).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let code = resp.body_mut().read_to_string().unwrap();
    let mut stdin = signing.child.stdin.take().unwrap();
    writeln!(stdin, "{code}").unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(signing.child.wait().unwrap().success(), "{rest}");
    let token_request = provider
        .stub
        .seen
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.url.starts_with("/token"))
        .cloned()
        .unwrap();
    let form = params(&format!(
        "?{}",
        String::from_utf8_lossy(&token_request.body)
    ));
    assert_eq!(param(&form, "client_secret").as_deref(), Some("s3cret"));
    assert_eq!(
        param(&form, "redirect_uri").as_deref(),
        Some("urn:ietf:wg:oauth:2.0:oob")
    );
    let out = verify_ours(&signing.trust, signing.dir(), "oob-user", &provider.url);
    assert!(out.success(), "{}", out.text());
}

#[test]
fn oob_flow_with_a_wrong_code_fails_cleanly() {
    let signing = InteractiveSign::start("oob-user", &["--oauth-force-oob"]);
    let mut child = signing.child;
    writeln!(child.stdin.take().unwrap(), "not-a-code").unwrap();
    let out = Run::from(child.wait_with_output().unwrap());
    out.sign_failed_cleanly(
        &signing.tmp.path().join("model.sig"),
        &["the OIDC provider", "HTTP 400", "unknown code"],
    );
}

fn failing_service(status: u16, body: &'static str) -> Stub {
    Stub::start(Arc::new(move |_req: &Seen| {
        Some((status, "application/json", body.as_bytes().to_vec()))
    }))
}

#[test]
fn fulcio_refusal_is_reported_and_nothing_is_written() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let fulcio = failing_service(
        401,
        r#"{"code":16,"message":"The OIDC token could not be verified"}"#,
    );
    let trust = patched_trust(&mock, dir, &[("/signingConfig/caUrls/0/url", &fulcio.url)]);
    let out = sign(&trust, dir, &["--identity-token", &token()], &[]);
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &["Fulcio", "HTTP 401", "The OIDC token could not be verified"],
    );
    assert_eq!(fulcio.seen.lock().unwrap().len(), 1, "4xx is not retried");
    assert!(
        !out.text().contains(&token()[..40]),
        "the token was printed"
    );
}

#[test]
fn rekor_refusal_and_timeout() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let rekor = failing_service(400, r#"{"code":400,"message":"entry rejected by policy"}"#);
    let trust = patched_trust(
        &mock,
        dir,
        &[("/signingConfig/rekorTlogUrls/0/url", &rekor.url)],
    );
    let out = sign(&trust, dir, &["--identity-token", &token()], &[]);
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &["Rekor", "HTTP 400", "entry rejected by policy"],
    );

    // A log that never answers: bounded by the timeout and the retries.
    let silent = Stub::start(Arc::new(|_req: &Seen| None));
    let trust = patched_trust(
        &mock,
        dir,
        &[("/signingConfig/rekorTlogUrls/0/url", &silent.url)],
    );
    let started = std::time::Instant::now();
    let out = sign(
        &trust,
        dir,
        &["--identity-token", &token()],
        &[("MODEL_SIGNING_HTTP_TIMEOUT", "1")],
    );
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &["Rekor", "could not be reached after 3 attempt(s)"],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(silent.seen.lock().unwrap().len(), 3);

    // A log that fails with 503 is retried, then reported.
    let busy = failing_service(503, r#"{"message":"overloaded"}"#);
    let trust = patched_trust(
        &mock,
        dir,
        &[("/signingConfig/rekorTlogUrls/0/url", &busy.url)],
    );
    let out = sign(&trust, dir, &["--identity-token", &token()], &[]);
    out.sign_failed_cleanly(&dir.join("model.sig"), &["Rekor", "HTTP 503", "overloaded"]);
    assert_eq!(busy.seen.lock().unwrap().len(), 3);
}

#[test]
fn tsa_garbage_is_reported() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let tsa = Stub::start(Arc::new(|_req: &Seen| {
        Some((
            200,
            "application/timestamp-reply",
            b"garbage, not DER".to_vec(),
        ))
    }));
    let trust = patched_trust(
        &mock,
        dir,
        &[(
            "/signingConfig/tsaUrls/0/url",
            &format!("{}/api/v1/timestamp", tsa.url),
        )],
    );
    let out = sign(&trust, dir, &["--identity-token", &token()], &[]);
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &[
            "timestamp authority",
            "invalid response",
            "not a DER TimeStampResp",
        ],
    );
}

#[test]
fn wrong_audience_and_expired_tokens_are_refused() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let now = now();
    let wrong = jwt(
        &json!({"iss": ISSUER, "sub": IDENTITY, "aud": "not-sigstore", "iat": now, "exp": now + 600}),
    );
    let out = sign(&mock.trust_config, dir, &["--identity-token", &wrong], &[]);
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &["audience \"not-sigstore\", not 'sigstore'"],
    );
    let expired = jwt(
        &json!({"iss": ISSUER, "sub": IDENTITY, "aud": "sigstore", "iat": now - 900, "exp": now - 300}),
    );
    let out = sign(
        &mock.trust_config,
        dir,
        &["--identity-token", &expired],
        &[],
    );
    out.sign_failed_cleanly(&dir.join("model.sig"), &["the identity token expired"]);
}

#[cfg(feature = "otel")]
#[test]
fn otlp_spans_reach_a_local_collector() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let collector = Stub::start(Arc::new(|_req: &Seen| {
        Some((200, "application/json", b"{}".to_vec()))
    }));
    let out = sign(
        &mock.trust_config,
        dir,
        &["--identity-token", &token()],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.url),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_SERVICE_NAME", "signer-test"),
        ],
    );
    assert!(out.success(), "{}", out.text());
    let seen = collector.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one export per run");
    assert_eq!(seen[0].url, "/v1/traces");
    let export: Value = serde_json::from_slice(&seen[0].body).unwrap();
    let resource = &export["resourceSpans"][0];
    assert!(
        resource["resource"]["attributes"]
            .as_array()
            .unwrap()
            .contains(&json!({"key": "service.name", "value": {"stringValue": "signer-test"}})),
        "{resource}"
    );
    let spans = resource["scopeSpans"][0]["spans"].as_array().unwrap();
    let by_name = |n: &str| {
        spans
            .iter()
            .find(|s| s["name"] == n)
            .unwrap_or_else(|| panic!("no span {n}: {spans:?}"))
    };
    let root = by_name("Sign");
    assert!(
        root.get("parentSpanId").is_none_or(|p| p == ""),
        "a root span: {root}"
    );
    let attr = |s: &Value, k: &str| {
        s["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == k)
            .map(|a| a["value"].clone())
    };
    assert_eq!(
        attr(root, "sigstore.sign_method"),
        Some(json!({"stringValue": "sigstore"}))
    );
    assert_eq!(
        attr(root, "sigstore.use_staging"),
        Some(json!({"boolValue": false}))
    );
    for name in [
        "oidc.identity_token",
        "hash",
        "fulcio.signing_cert",
        "sign.dsse",
        "tsa.timestamp",
        "rekor.create_entry",
        "verify.bundle",
    ] {
        let span = by_name(name);
        assert_eq!(span["traceId"], root["traceId"], "{name}");
        assert_eq!(span["parentSpanId"], root["spanId"], "{name}");
        let start: u64 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
        let end: u64 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
        assert!(start <= end, "{name}");
    }
    // No token in any attribute.
    assert!(!String::from_utf8_lossy(&seen[0].body).contains(&token()[..40]));

    // Without OTEL_* variables nothing is exported (and nothing fails).
    std::fs::remove_file(dir.join("model.sig")).unwrap();
    let out = sign(
        &mock.trust_config,
        dir,
        &["--identity-token", &token()],
        &[],
    );
    assert!(out.success(), "{}", out.text());
    assert_eq!(collector.seen.lock().unwrap().len(), 1);
}

#[test]
fn a_bundle_that_does_not_verify_is_not_written() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    // The trusted root no longer knows the log that signs the entries.
    let trust = patched_trust(
        &mock,
        dir,
        &[(
            "/trustedRoot/tlogs/0/logId/keyId",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )],
    );
    let out = sign(&trust, dir, &["--identity-token", &token()], &[]);
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &["the signed bundle does not verify against the trusted root, so it was not written"],
    );
}

#[test]
fn github_actions_refusal_is_reported() {
    let mock = Mock::start();
    let tmp = signing_dir();
    let dir = tmp.path();
    let gh = failing_service(
        403,
        r#"{"message":"id-token: write permission is missing"}"#,
    );
    let url = format!("{}/idtoken?api-version=2.0", gh.url);
    let out = sign(
        &mock.trust_config,
        dir,
        &["--use-ambient-credentials"],
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token"),
        ],
    );
    out.sign_failed_cleanly(
        &dir.join("model.sig"),
        &[
            "GitHub Actions ID-token service",
            "HTTP 403",
            "id-token: write permission is missing",
        ],
    );
    assert!(!out.text().contains("request-token"));
}
