//! OpenID Connect identity tokens for keyless signing: reading and checking a token
//! (audience `sigstore`, expiry), and getting one from the command line, the
//! environment (`SIGSTORE_ID_TOKEN`, GitHub Actions), or an interactive authorization
//! code flow with PKCE (a browser and a loopback redirect, or out of band).
//!
//! Tokens are never logged or printed; [`IdentityToken`]'s `Debug` hides the token.

use std::fmt;
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use model_signing_core::encoding::{b64decode, b64encode};
use serde_json::Value;
use sha2::Digest as _;

use super::http::{self, HttpPolicy, Service, ServiceError};

/// The audience Fulcio requires.
pub const SIGSTORE_AUDIENCE: &str = "sigstore";
/// Seconds of clock skew tolerated on `iat` and `nbf`.
const LEEWAY: i64 = 60;
/// How long the browser flow waits for the redirect.
const BROWSER_WAIT: Duration = Duration::from_secs(300);

/// Issuers whose identity claim is `email` (sigstore-python's list); `sub` otherwise.
const EMAIL_ISSUERS: [&str; 3] = [
    "https://accounts.google.com",
    "https://oauth2.sigstore.dev/auth",
    "https://oauth2.sigstage.dev/auth",
];

/// Why no usable identity token was obtained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OidcError {
    /// The token is not a JWT with a JSON payload.
    #[error("the identity token is malformed: {0}")]
    Malformed(&'static str),
    /// The token lacks a claim.
    #[error("the identity token has no '{0}' claim")]
    MissingClaim(&'static str),
    /// The token is not for Sigstore.
    #[error("the identity token is for the audience {found}, not 'sigstore'")]
    WrongAudience {
        /// The `aud` claim.
        found: String,
    },
    /// The token has expired.
    #[error("the identity token expired {ago} s ago (exp {exp})")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// Seconds since then.
        ago: i64,
    },
    /// The token is not valid yet.
    #[error("the identity token is not valid before {0} (nbf/iat in the future)")]
    NotYetValid(i64),
    /// `--use-ambient-credentials` found nothing.
    #[error("no ambient credentials: set SIGSTORE_ID_TOKEN, or run in GitHub Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)")]
    NoAmbientCredentials,
    /// The signing configuration names no OIDC provider.
    #[error("the signing configuration lists no valid OIDC provider for the interactive flow")]
    NoProvider,
    /// A service failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The interactive flow failed.
    #[error("the OIDC authorization flow failed: {0}")]
    Flow(String),
}

/// A checked identity token.
#[derive(Clone)]
pub struct IdentityToken {
    raw: String,
    /// The `iss` claim.
    pub issuer: String,
    /// The identity Fulcio will certify (`email` or `sub`, by issuer).
    pub identity: String,
    /// The `exp` claim.
    pub expiry: i64,
}

impl fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityToken")
            .field("issuer", &self.issuer)
            .field("identity", &self.identity)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Base64url without padding, as JWTs and PKCE use it.
pub fn b64url_encode(data: &[u8]) -> String {
    b64encode(data)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut s = text
        .trim_end_matches('=')
        .replace('-', "+")
        .replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    b64decode(&s)
}

fn claim_i64(claims: &Value, name: &str) -> Option<i64> {
    claims
        .get(name)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

impl IdentityToken {
    /// Reads a JWT and checks what a client can check without the provider's keys
    /// (as sigstore-python does): audience `sigstore`, not expired, not issued in the
    /// future, an issuer and an identity. Fulcio verifies the signature.
    pub fn parse(raw: &str, now: i64) -> Result<Self, OidcError> {
        let raw = raw.trim();
        let mut parts = raw.split('.');
        let (Some(_), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(OidcError::Malformed("not three dot-separated parts"));
        };
        let claims: Value = b64url_decode(payload)
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(OidcError::Malformed("the payload is not base64url JSON"))?;
        let audience_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == SIGSTORE_AUDIENCE,
            Some(Value::Array(list)) => list.iter().any(|a| a == SIGSTORE_AUDIENCE),
            _ => return Err(OidcError::MissingClaim("aud")),
        };
        if !audience_ok {
            return Err(OidcError::WrongAudience {
                found: claims["aud"].to_string(),
            });
        }
        let exp = claim_i64(&claims, "exp").ok_or(OidcError::MissingClaim("exp"))?;
        if exp <= now {
            return Err(OidcError::Expired {
                exp,
                ago: now - exp,
            });
        }
        for name in ["iat", "nbf"] {
            if let Some(t) = claim_i64(&claims, name) {
                if t > now + LEEWAY {
                    return Err(OidcError::NotYetValid(t));
                }
            }
        }
        let text = |name: &'static str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let issuer = text("iss").ok_or(OidcError::MissingClaim("iss"))?;
        let identity = if EMAIL_ISSUERS.contains(&issuer.as_str()) {
            if claims.get("email_verified") == Some(&Value::Bool(false)) {
                return Err(OidcError::Malformed("the email is not verified"));
            }
            text("email").ok_or(OidcError::MissingClaim("email"))?
        } else {
            text("sub").ok_or(OidcError::MissingClaim("sub"))?
        };
        Ok(Self {
            raw: raw.to_string(),
            issuer,
            identity,
            expiry: exp,
        })
    }

    /// The token itself, for the `Authorization` header of Fulcio requests.
    pub fn secret(&self) -> &str {
        &self.raw
    }
}

/// Where the identity token comes from.
#[derive(Clone, Debug)]
pub enum TokenSource {
    /// Given (`--identity-token`).
    Explicit(String),
    /// `SIGSTORE_ID_TOKEN`, else GitHub Actions (`--use-ambient-credentials`).
    Ambient,
    /// The authorization code flow with PKCE against the configured provider.
    Interactive {
        /// Print the URL and read the code instead of using a loopback redirect.
        force_oob: bool,
        /// The OAuth client ID (default `sigstore`).
        client_id: String,
        /// The OAuth client secret (default empty).
        client_secret: String,
    },
}

/// A token from the environment: `SIGSTORE_ID_TOKEN`, else GitHub Actions' ID-token
/// endpoint with audience `sigstore`.
pub fn ambient_token(policy: &HttpPolicy) -> Result<String, OidcError> {
    if let Some(t) = std::env::var("SIGSTORE_ID_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        tracing::debug!("using the identity token from SIGSTORE_ID_TOKEN");
        return Ok(t);
    }
    let url = std::env::var("ACTIONS_ID_TOKEN_REQUEST_URL").ok();
    let bearer = std::env::var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").ok();
    let (Some(url), Some(bearer)) = (url, bearer) else {
        return Err(OidcError::NoAmbientCredentials);
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}audience={SIGSTORE_AUDIENCE}");
    tracing::debug!("requesting an identity token from GitHub Actions");
    let answer = http::get_json(
        Service::GitHubActions,
        policy,
        &url,
        vec![("Authorization", format!("bearer {bearer}"))],
    )?;
    answer
        .get("value")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            ServiceError::invalid(Service::GitHubActions, &url, "no 'value' in the answer").into()
        })
}

fn random_token(bytes: usize) -> String {
    use rand_core::RngCore as _;
    let mut buf = vec![0u8; bytes];
    rand_core::OsRng.fill_bytes(&mut buf);
    b64url_encode(&buf)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query parameters of a request target or URL.
pub fn query_params(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// The provider's endpoints, from its discovery document.
struct Endpoints {
    authorization: String,
    token: String,
}

fn discover(issuer_url: &str, policy: &HttpPolicy) -> Result<Endpoints, OidcError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer_url.trim_end_matches('/')
    );
    let doc = http::get_json(Service::Oidc, policy, &url, Vec::new())?;
    let field = |name: &str| {
        doc.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ServiceError::invalid(Service::Oidc, &url, format!("no '{name}'")))
    };
    Ok(Endpoints {
        authorization: field("authorization_endpoint")?,
        token: field("token_endpoint")?,
    })
}

/// Opens `url` in a browser: `$BROWSER` if set, else `xdg-open` / `open`. Failing to
/// start one is not an error: the URL is printed too.
fn open_browser(url: &str) {
    let candidates: Vec<String> = match std::env::var("BROWSER") {
        Ok(b) if !b.trim().is_empty() => vec![b],
        _ => vec!["xdg-open".into(), "open".into()],
    };
    for program in candidates {
        let started = std::process::Command::new(&program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if started.is_ok() {
            return;
        }
    }
}

/// Serves the loopback redirect until a request to `/auth/callback` arrives (or the
/// wait ends), answers it, and returns its query parameters.
fn await_redirect(
    listener: &TcpListener,
    deadline: Instant,
) -> Result<Vec<(String, String)>, OidcError> {
    listener
        .set_nonblocking(true)
        .map_err(|e| OidcError::Flow(e.to_string()))?;
    loop {
        if Instant::now() >= deadline {
            return Err(OidcError::Flow(
                "no redirect from the browser in time".into(),
            ));
        }
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(OidcError::Flow(e.to_string())),
        };
        if let Some(params) = handle_redirect(stream) {
            return Ok(params);
        }
    }
}

fn handle_redirect(mut stream: TcpStream) -> Option<Vec<(String, String)>> {
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = std::io::BufReader::new(stream.try_clone().ok()?.take(16 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let target = line.split_whitespace().nth(1)?.to_string();
    // Drain the headers (bounded by take()).
    let mut header = String::new();
    while reader.read_line(&mut header).ok()? > 2 {
        header.clear();
    }
    let is_callback = target.split('?').next() == Some("/auth/callback");
    let (status, text) = if is_callback {
        (
            "200 OK",
            "Authentication complete. You may close this window.",
        )
    } else {
        ("404 Not Found", "Not found.")
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    is_callback.then(|| query_params(&target))
}

/// Runs the authorization code flow with PKCE (S256) against `issuer_url`, as
/// sigstore-python does: a loopback redirect to `http://localhost:PORT/auth/callback`
/// and a browser, or (`force_oob`) the out-of-band redirect with the code pasted on
/// standard input.
pub fn interactive_token(
    issuer_url: &str,
    force_oob: bool,
    client_id: &str,
    client_secret: &str,
    policy: &HttpPolicy,
) -> Result<String, OidcError> {
    let endpoints = discover(issuer_url, policy)?;
    let verifier = random_token(32);
    let challenge = b64url_encode(&sha2::Sha256::digest(verifier.as_bytes()));
    let state = random_token(16);
    let nonce = random_token(16);
    let listener = if force_oob {
        None
    } else {
        Some(
            TcpListener::bind(("127.0.0.1", 0))
                .map_err(|e| OidcError::Flow(format!("cannot listen on 127.0.0.1: {e}")))?,
        )
    };
    let redirect_uri = match &listener {
        Some(l) => format!(
            "http://localhost:{}/auth/callback",
            l.local_addr()
                .map_err(|e| OidcError::Flow(e.to_string()))?
                .port()
        ),
        None => "urn:ietf:wg:oauth:2.0:oob".to_string(),
    };
    let sep = if endpoints.authorization.contains('?') {
        '&'
    } else {
        '?'
    };
    let auth_url = format!(
        "{}{sep}response_type=code&client_id={}&redirect_uri={}&scope=openid%20email&code_challenge={challenge}&code_challenge_method=S256&state={state}&nonce={nonce}",
        endpoints.authorization,
        percent_encode(client_id),
        percent_encode(&redirect_uri),
    );
    let code = match listener {
        Some(listener) => {
            eprintln!("Waiting for browser interaction...");
            eprintln!("If no browser opens, go to the following link:\n\n\t{auth_url}\n");
            open_browser(&auth_url);
            let params = await_redirect(&listener, Instant::now() + BROWSER_WAIT)?;
            let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if let Some(error) = get("error") {
                return Err(OidcError::Flow(format!(
                    "the provider returned '{error}': {}",
                    get("error_description").unwrap_or_default()
                )));
            }
            if get("state").as_deref() != Some(state.as_str()) {
                return Err(OidcError::Flow(
                    "the redirect's state does not match".into(),
                ));
            }
            get("code").ok_or_else(|| OidcError::Flow("the redirect has no code".into()))?
        }
        None => {
            eprintln!("Go to the following link in a browser:\n\n\t{auth_url}\n");
            eprint!("Enter verification code: ");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .take(16 * 1024)
                .read_line(&mut line)
                .map_err(|e| OidcError::Flow(format!("reading the code: {e}")))?;
            let code = line.trim().to_string();
            if code.is_empty() {
                return Err(OidcError::Flow("no verification code was entered".into()));
            }
            code
        }
    };
    let mut form = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={verifier}&client_id={}",
        percent_encode(&code),
        percent_encode(&redirect_uri),
        percent_encode(client_id),
    );
    if !client_secret.is_empty() {
        form.push_str(&format!("&client_secret={}", percent_encode(client_secret)));
    }
    let response = http::send(
        Service::Oidc,
        policy,
        &http::Request {
            method: "POST",
            url: &endpoints.token,
            headers: Vec::new(),
            body: Some(("application/x-www-form-urlencoded", form.into_bytes())),
        },
    )?;
    let answer: Value = serde_json::from_slice(&response.body).map_err(|e| {
        ServiceError::invalid(Service::Oidc, &endpoints.token, format!("not JSON: {e}"))
    })?;
    let token = answer
        .get("id_token")
        .and_then(Value::as_str)
        .ok_or_else(|| ServiceError::invalid(Service::Oidc, &endpoints.token, "no id_token"))?;
    // The nonce binds the token to this flow.
    let claims = token
        .split('.')
        .nth(1)
        .and_then(b64url_decode)
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok());
    if let Some(found) = claims.as_ref().and_then(|c| c.get("nonce")) {
        if found.as_str() != Some(nonce.as_str()) {
            return Err(OidcError::Flow(
                "the identity token's nonce does not match".into(),
            ));
        }
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> String {
        format!(
            "{}.{}.{}",
            b64url_encode(br#"{"alg":"none"}"#),
            b64url_encode(claims.to_string().as_bytes()),
            b64url_encode(b"sig")
        )
    }

    #[test]
    fn checks_claims() {
        let now = 1_000_000;
        let ok = IdentityToken::parse(
            &jwt(serde_json::json!({"iss":"https://x","sub":"me","aud":"sigstore","exp":now+10,"iat":now})),
            now,
        )
        .unwrap();
        assert_eq!(ok.identity, "me");
        assert!(!format!("{ok:?}").contains(ok.secret()));
        let email = IdentityToken::parse(
            &jwt(serde_json::json!({"iss":"https://oauth2.sigstore.dev/auth","sub":"123","email":"a@b.c","aud":["x","sigstore"],"exp":now+10})),
            now,
        )
        .unwrap();
        assert_eq!(email.identity, "a@b.c");
        assert!(matches!(
            IdentityToken::parse(
                &jwt(serde_json::json!({"iss":"i","sub":"s","aud":"other","exp":now+10})),
                now
            ),
            Err(OidcError::WrongAudience { .. })
        ));
        assert!(matches!(
            IdentityToken::parse(
                &jwt(serde_json::json!({"iss":"i","sub":"s","aud":"sigstore","exp":now-5})),
                now
            ),
            Err(OidcError::Expired { ago: 5, .. })
        ));
        assert!(IdentityToken::parse("abc", now).is_err());
    }

    #[test]
    fn query() {
        assert_eq!(
            query_params("/auth/callback?code=a%2Fb&state=x+y"),
            vec![
                ("code".into(), "a/b".into()),
                ("state".into(), "x y".into())
            ]
        );
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
    }
}
