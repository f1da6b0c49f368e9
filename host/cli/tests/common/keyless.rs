//! Keyless signing's world: the local Sigstore (`@sigstore/mock` behind
//! tests/sigstore-mock/server.js), unsigned identity tokens, and small HTTP stand-ins
//! (an OIDC provider, the GitHub Actions token endpoint, failing services) on 127.0.0.1.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use model_signing::keyless::oidc::b64url_encode;
use serde_json::{json, Value};

use super::repo;

pub const IDENTITY: &str = "mock-user@example.com";
pub const ISSUER: &str = "https://oidc.mock.local";

/// The `node_modules` holding `@sigstore/mock` (scripts/setup-sigstore-mock.sh).
fn mock_modules() -> PathBuf {
    let dir = std::env::var_os("MODEL_SIGNING_SIGSTORE_MOCK")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache/sigstore-mock/node_modules"));
    assert!(
        dir.join("@sigstore/mock").is_dir(),
        "@sigstore/mock is not installed in {}: run scripts/setup-sigstore-mock.sh (scripts/test.sh does) or set MODEL_SIGNING_SIGSTORE_MOCK",
        dir.display()
    );
    dir
}

/// A running local Sigstore; killed when dropped.
pub struct Mock {
    child: Child,
    /// Its base URL.
    pub url: String,
    /// Its client trust configuration.
    pub trust_config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Mock {
    /// Starts the server (its signing config selecting Rekor v1) and waits (bounded)
    /// for its ready line.
    pub fn start() -> Self {
        Self::start_with_rekor(1)
    }

    /// Starts the server with its signing config selecting Rekor `version` (1 or 2).
    pub fn start_with_rekor(version: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("node")
            .arg(repo().join("tests/sigstore-mock/server.js"))
            .arg(dir.path())
            .env("NODE_PATH", mock_modules())
            .env("SIGSTORE_MOCK_REKOR_VERSION", version.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("ready ") {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("the sigstore mock did not start within 30 s");
            }
        };
        Self {
            child,
            url,
            trust_config: dir.path().join("trust_config.json"),
            _dir: dir,
        }
    }

    /// The trust configuration as JSON.
    pub fn trust_json(&self) -> Value {
        serde_json::from_slice(&std::fs::read(&self.trust_config).unwrap()).unwrap()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a trust configuration whose signing config has `pointer` (e.g.
/// `/signingConfig/caUrls/0/url`) set to `url`.
pub fn patched_trust(mock: &Mock, dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let mut v = mock.trust_json();
    for (pointer, url) in edits {
        *v.pointer_mut(pointer).expect("pointer exists") = json!(url);
    }
    let path = dir.join("patched_trust.json");
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An unsigned JWT with these claims (the mock's Fulcio does not check signatures).
pub fn jwt(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        b64url_encode(br#"{"alg":"RS256","typ":"JWT","kid":"test"}"#),
        b64url_encode(claims.to_string().as_bytes()),
        b64url_encode(b"not-a-real-signature")
    )
}

/// A valid token for [`IDENTITY`] from [`ISSUER`].
pub fn token() -> String {
    let now = now();
    jwt(
        &json!({"iss": ISSUER, "sub": IDENTITY, "email": IDENTITY, "email_verified": true,
        "aud": "sigstore", "iat": now, "nbf": now, "exp": now + 600}),
    )
}

/// A request a stand-in saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a stand-in answers: (status, content type, body), or `None` to never answer
/// (the connection is held until the server is dropped).
pub type Handler = dyn Fn(&Seen) -> Option<(u16, &'static str, Vec<u8>)> + Send + Sync;

/// An HTTP stand-in on 127.0.0.1 (a thread per request, so held requests do not
/// block others). Stops when dropped.
pub struct Stub {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    server: Arc<tiny_http::Server>,
    held: Arc<Mutex<Vec<tiny_http::Request>>>,
}

impl Stub {
    pub fn start(handler: Arc<Handler>) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let held = Arc::new(Mutex::new(Vec::new()));
        let (s, seen2, held2) = (server.clone(), seen.clone(), held.clone());
        std::thread::spawn(move || {
            for mut req in s.incoming_requests() {
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(req.as_reader(), &mut body);
                let entry = Seen {
                    method: req.method().to_string(),
                    url: req.url().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.to_string().to_ascii_lowercase(),
                                h.value.to_string(),
                            )
                        })
                        .collect(),
                    body,
                };
                seen2.lock().unwrap().push(entry.clone());
                match handler(&entry) {
                    Some((status, ct, body)) => {
                        let header =
                            tiny_http::Header::from_bytes(&b"Content-Type"[..], ct.as_bytes())
                                .unwrap();
                        let mut response = tiny_http::Response::from_data(body.clone())
                            .with_status_code(status)
                            .with_header(header);
                        if status == 302 {
                            // The handler gives a redirect's target as its body.
                            response = response.with_header(
                                tiny_http::Header::from_bytes(&b"Location"[..], body).unwrap(),
                            );
                        }
                        let _ = req.respond(response);
                    }
                    None => held2.lock().unwrap().push(req),
                }
            }
        });
        Self {
            url,
            seen,
            server,
            held,
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.server.unblock();
        self.held.lock().unwrap().clear();
    }
}

/// The query parameters of a URL.
pub fn params(url: &str) -> Vec<(String, String)> {
    model_signing::keyless::oidc::query_params(url)
}

pub fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// An issued code: (code, PKCE challenge, redirect URI, client ID, nonce).
type Grant = (String, String, String, String, String);

/// A local OIDC provider: discovery, an authorization endpoint that approves at once
/// (redirecting to the client's redirect URI, or showing the code for the out-of-band
/// redirect), and a token endpoint that checks the code, the redirect URI, the client
/// and the PKCE S256 verifier before issuing an unsigned ID token for `subject`.
pub struct OidcProvider {
    pub stub: Stub,
    pub url: String,
    /// Token requests whose PKCE check failed.
    pub pkce_failures: Arc<Mutex<u32>>,
}

impl OidcProvider {
    pub fn start(subject: &'static str) -> Self {
        // The issuer URL is only known once bound: share it through a cell.
        let issuer: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
        let codes: Arc<Mutex<Vec<Grant>>> = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(Mutex::new(0u32));
        let (iss, failures2) = (issuer.clone(), failures.clone());
        let handler = move |req: &Seen| {
            let iss = iss.lock().unwrap().clone();
            let path = req.url.split('?').next().unwrap_or("").to_string();
            let json = |status: u16, v: Value| {
                Some((status, "application/json", v.to_string().into_bytes()))
            };
            match (req.method.as_str(), path.as_str()) {
                ("GET", "/.well-known/openid-configuration") => json(
                    200,
                    json!({
                    "issuer": iss, "authorization_endpoint": format!("{iss}/auth"),
                    "token_endpoint": format!("{iss}/token"), "jwks_uri": format!("{iss}/keys")}),
                ),
                ("GET", "/auth") => {
                    let p = params(&req.url);
                    let get = |k| param(&p, k).unwrap_or_default();
                    if get("response_type") != "code"
                        || get("code_challenge_method") != "S256"
                        || get("code_challenge").is_empty()
                        || get("client_id").is_empty()
                    {
                        return json(400, json!({"error": "invalid_request"}));
                    }
                    let code = format!("code-{}", codes.lock().unwrap().len() + 1);
                    codes.lock().unwrap().push((
                        code.clone(),
                        get("code_challenge"),
                        get("redirect_uri"),
                        get("client_id"),
                        get("nonce"),
                    ));
                    if get("redirect_uri") == "urn:ietf:wg:oauth:2.0:oob" {
                        return Some((200, "text/plain", code.into_bytes()));
                    }
                    let location =
                        format!("{}?code={code}&state={}", get("redirect_uri"), get("state"));
                    Some((302, "text/plain", location.into_bytes()))
                }
                ("POST", "/token") => {
                    let form = params(&format!("?{}", String::from_utf8_lossy(&req.body)));
                    let get = |k| param(&form, k).unwrap_or_default();
                    let found = codes
                        .lock()
                        .unwrap()
                        .iter()
                        .find(|c| c.0 == get("code"))
                        .cloned();
                    let Some((_, challenge, redirect, client, nonce)) = found else {
                        return json(
                            400,
                            json!({"error": "invalid_grant", "error_description": "unknown code"}),
                        );
                    };
                    use sha2::Digest as _;
                    let computed =
                        b64url_encode(&sha2::Sha256::digest(get("code_verifier").as_bytes()));
                    if computed != challenge {
                        *failures2.lock().unwrap() += 1;
                        return json(
                            400,
                            json!({"error": "invalid_grant", "error_description": "PKCE verification failed"}),
                        );
                    }
                    if get("grant_type") != "authorization_code"
                        || redirect != get("redirect_uri")
                        || client != get("client_id")
                    {
                        return json(
                            400,
                            json!({"error": "invalid_grant", "error_description": "mismatch"}),
                        );
                    }
                    let now = now();
                    json(
                        200,
                        json!({"access_token": "at", "token_type": "Bearer", "id_token": jwt(&json!({
                        "iss": iss, "sub": subject, "aud": "sigstore", "iat": now, "exp": now + 300, "nonce": nonce}))}),
                    )
                }
                _ => json(404, json!({"error": "not found"})),
            }
        };
        let stub = Stub::start(Arc::new(handler));
        *issuer.lock().unwrap() = stub.url.clone();
        let url = stub.url.clone();
        Self {
            stub,
            url,
            pkce_failures: failures,
        }
    }
}
