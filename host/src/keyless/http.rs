//! The HTTP calls of keyless signing: bounded timeouts and retries, and errors that name
//! the service, its URL, the HTTP status and the service's own message. Request bodies
//! and headers (which carry identity tokens) are never logged.

use std::fmt;
use std::time::Duration;

/// The longest response body read from any service.
const MAX_BODY: u64 = 4 * 1024 * 1024;

/// A Sigstore (or identity) service, as named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// The Fulcio certificate authority.
    Fulcio,
    /// A Rekor transparency log.
    Rekor,
    /// An RFC 3161 timestamp authority.
    Tsa,
    /// The OpenID Connect provider.
    Oidc,
    /// The GitHub Actions ID-token endpoint.
    GitHubActions,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Fulcio => "Fulcio (certificate authority)",
            Self::Rekor => "Rekor (transparency log)",
            Self::Tsa => "the timestamp authority",
            Self::Oidc => "the OIDC provider",
            Self::GitHubActions => "the GitHub Actions ID-token service",
        })
    }
}

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The service answered with an error status.
    #[error("{service} at {url} refused the request: HTTP {status}: {message}")]
    Status {
        /// The service.
        service: Service,
        /// The URL called.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The service's message (its JSON `message`/`error` field, or its text).
        message: String,
    },
    /// The service could not be reached or did not answer in time.
    #[error("{service} at {url} could not be reached after {attempts} attempt(s): {reason}")]
    Transport {
        /// The service.
        service: Service,
        /// The URL called.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error (connection refused, timeout, TLS…).
        reason: String,
    },
    /// The service answered, but not with what the protocol says.
    #[error("{service} at {url} returned an invalid response: {reason}")]
    InvalidResponse {
        /// The service.
        service: Service,
        /// The URL called.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

impl ServiceError {
    /// An invalid-response error for `service` at `url`.
    pub fn invalid(service: Service, url: &str, reason: impl Into<String>) -> Self {
        Self::InvalidResponse {
            service,
            url: url.into(),
            reason: reason.into(),
        }
    }
}

/// Timeouts and retries of the service calls.
#[derive(Clone, Copy, Debug)]
pub struct HttpPolicy {
    /// The whole-call timeout of one attempt.
    pub timeout: Duration,
    /// Attempts per call (transport errors, HTTP 408, 429 and 5xx are retried).
    pub attempts: u32,
    /// The pause before the second attempt; doubled for each further one.
    pub backoff: Duration,
}

impl Default for HttpPolicy {
    /// 30 s per attempt (Rekor v2 may take 20 s to integrate an entry), 3 attempts.
    /// `MODEL_SIGNING_HTTP_TIMEOUT` (seconds) overrides the timeout.
    fn default() -> Self {
        let timeout = std::env::var("MODEL_SIGNING_HTTP_TIMEOUT")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| *s > 0.0 && *s < 3600.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(Duration::from_secs(30));
        Self {
            timeout,
            attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// A response with a success status.
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// A request to send.
pub struct Request<'a> {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The URL.
    pub url: &'a str,
    /// Extra headers (may hold credentials: never logged).
    pub headers: Vec<(&'static str, String)>,
    /// The body of a `POST`.
    pub body: Option<(&'static str, Vec<u8>)>,
}

/// The service's message in an error body: JSON `message`, `error_description` or
/// `error` when present, else the text, shortened and without control characters.
fn service_message(body: &[u8]) -> String {
    let from_json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            ["message", "error_description", "error"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|m| m.as_str()).map(str::to_string))
        });
    let text = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let mut clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    clean = clean.trim().to_string();
    if clean.is_empty() {
        "(no message)".into()
    } else {
        clean
    }
}

fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Sends `request` to `service` with `policy`'s timeout and retries; a non-2xx status
/// is an error carrying the service's message.
pub fn send(
    service: Service,
    policy: &HttpPolicy,
    request: &Request<'_>,
) -> Result<Response, ServiceError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(policy.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("model-signing-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let attempts = policy.attempts.max(1);
    let mut pause = policy.backoff;
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        if attempt > 1 {
            std::thread::sleep(pause);
            pause = pause.saturating_mul(2);
        }
        tracing::debug!(%service, url = request.url, attempt, "{} request", request.method);
        let result = match (request.method, &request.body) {
            ("POST", Some((content_type, body))) => {
                let mut r = agent
                    .post(request.url)
                    .header("Content-Type", *content_type);
                for (k, v) in &request.headers {
                    r = r.header(*k, v);
                }
                r.send(&body[..])
            }
            _ => {
                let mut r = agent.get(request.url);
                for (k, v) in &request.headers {
                    r = r.header(*k, v);
                }
                r.call()
            }
        };
        let mut response = match result {
            Ok(r) => r,
            Err(e) => {
                last_error = e.to_string();
                tracing::debug!(%service, attempt, "transport error: {last_error}");
                continue;
            }
        };
        let status = response.status().as_u16();
        let body = match response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
        {
            Ok(b) => b,
            Err(e) => {
                last_error = format!("reading the response: {e}");
                continue;
            }
        };
        if (200..300).contains(&status) {
            return Ok(Response { status, body });
        }
        let error = ServiceError::Status {
            service,
            url: request.url.into(),
            status,
            message: service_message(&body),
        };
        if !retryable_status(status) || attempt == attempts {
            return Err(error);
        }
        last_error = error.to_string();
    }
    Err(ServiceError::Transport {
        service,
        url: request.url.into(),
        attempts,
        reason: last_error,
    })
}

/// POSTs JSON and parses a JSON answer.
pub fn post_json(
    service: Service,
    policy: &HttpPolicy,
    url: &str,
    headers: Vec<(&'static str, String)>,
    body: &serde_json::Value,
) -> Result<serde_json::Value, ServiceError> {
    let response = send(
        service,
        policy,
        &Request {
            method: "POST",
            url,
            headers,
            body: Some(("application/json", body.to_string().into_bytes())),
        },
    )?;
    serde_json::from_slice(&response.body)
        .map_err(|e| ServiceError::invalid(service, url, format!("not JSON: {e}")))
}

/// GETs a JSON document.
pub fn get_json(
    service: Service,
    policy: &HttpPolicy,
    url: &str,
    headers: Vec<(&'static str, String)>,
) -> Result<serde_json::Value, ServiceError> {
    let response = send(
        service,
        policy,
        &Request {
            method: "GET",
            url,
            headers,
            body: None,
        },
    )?;
    serde_json::from_slice(&response.body)
        .map_err(|e| ServiceError::invalid(service, url, format!("not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        assert_eq!(
            service_message(br#"{"code":3,"message":"bad\nthing"}"#),
            "bad thing"
        );
        assert_eq!(service_message(b"plain text"), "plain text");
        assert_eq!(service_message(b""), "(no message)");
        assert_eq!(service_message(&[b'x'; 1000]).len(), 300);
    }

    /// A local server that answers every connection with `head` and then `body` for as
    /// long as the client reads (or until `total` bytes).
    fn hostile_server(head: &'static str, chunk: &'static [u8], pause: Duration) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/api/v1/log/entries",
            listener.local_addr().unwrap()
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                if stream.write_all(head.as_bytes()).is_err() {
                    continue;
                }
                while stream.write_all(chunk).is_ok() {
                    std::thread::sleep(pause);
                }
            }
        });
        url
    }

    fn one_attempt(timeout: Duration) -> HttpPolicy {
        HttpPolicy {
            timeout,
            attempts: 1,
            backoff: Duration::ZERO,
        }
    }

    /// An endless body is cut at the body limit: the call fails, having read 4 MiB.
    #[test]
    fn endless_response_body_is_cut_at_the_limit() {
        let url = hostile_server(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n",
            &[b' '; 64 * 1024],
            Duration::ZERO,
        );
        let e = get_json(
            Service::Rekor,
            &one_attempt(Duration::from_secs(60)),
            &url,
            vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("reading the response"), "{e}");
        assert!(e.contains("Rekor"), "{e}");
    }

    /// A declared length over the limit is refused the same way.
    #[test]
    fn oversized_declared_body_is_refused() {
        let url = hostile_server(
            "HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n",
            &[b'{'; 64 * 1024],
            Duration::ZERO,
        );
        let e = get_json(
            Service::Fulcio,
            &one_attempt(Duration::from_secs(60)),
            &url,
            vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("reading the response"), "{e}");
    }

    /// A body that trickles forever ends at the call's timeout.
    #[test]
    fn trickling_response_body_ends_at_the_timeout() {
        let url = hostile_server(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"1\r\n \r\n",
            Duration::from_millis(50),
        );
        let e = get_json(
            Service::Tsa,
            &one_attempt(Duration::from_secs(1)),
            &url,
            vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("timestamp authority"), "{e}");
        assert!(
            e.to_lowercase().contains("timeout") || e.contains("timed out"),
            "{e}"
        );
    }
}
