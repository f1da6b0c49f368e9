//! The HTTP API (`/api/v1/`) and the embedded web UI, behind the guard that keeps web
//! pages out: the daemon's own `Host` names only (DNS rebinding), allowed origins only
//! (CORS never `*`), JSON bodies only for state changes (no simple cross-site forms),
//! bearer tokens bound to their origin (no cookies, so no CSRF), bounded bodies and
//! per-origin rate limits.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model_signing::hashing;
use model_signing_core::api::shapes::{ManifestSpec, SerializationSpec, ValidatedManifest};
use model_signing_core::api::{ApiError, ErrorCode};
use model_signing_core::bundle::{Bundle, Content};
use model_signing_core::encoding::{hex, printable};
use model_signing_core::statement::parse_statement;
use model_signing_core::verify::{verify_bundle, Verifier};
use serde::{Deserialize, Serialize};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zeroize::Zeroizing;

use crate::approval::{Outcome, SignRequest};
use crate::audit::{Entry, Event};
use crate::pairing::{now, ConfirmError};
use crate::signers::SignerInfo;
use crate::AppState;

/// Bodies larger than this are refused with 413 before they are read: a manifest of
/// 100,000 files is about 15 MB.
pub const MAX_BODY: usize = 32 << 20;

/// The Content-Security-Policy of the UI: everything from the daemon itself, wasm
/// compilation allowed, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An error answer: a status and the JSON error every client knows.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    error: ApiError,
}

impl HttpError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            error: ApiError::new(code, message),
        }
    }

    fn reason(mut self, reason: &'static str) -> Self {
        self.error.reason = reason;
        self
    }

    fn from_api(status: StatusCode, error: ApiError) -> Self {
        Self { status, error }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.error)).into_response()
    }
}

// ------------------------------------------------------------------------- the guard

/// The origins the daemon answers as itself.
pub fn own_origins(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    vec![
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        format!("http://[::1]:{port}"),
    ]
}

/// The `Host` values the daemon answers to.
pub fn own_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ]
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The request's `Origin`, when it has one (a browser's request).
fn origin(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, header::ORIGIN)
}

/// Says, when a sign handler is dropped while its request waits for approval (the page
/// stopped waiting and its connection closed), that the request was withdrawn: in the
/// audit log and on the terminal, where it was shown. The request itself leaves the list
/// with the wait ([`crate::approval::Approvals::wait`]).
struct Withdrawal<'a> {
    state: &'a AppState,
    request: &'a SignRequest,
    waiting: bool,
}

impl Drop for Withdrawal<'_> {
    fn drop(&mut self) {
        if !self.waiting {
            return;
        }
        let r = self.request;
        self.state
            .audit
            .record(Event::Withdrawn, Entry::of_request(r, None));
        self.state.terminal(&format!(
            "Sign request #{} withdrawn: its page stopped waiting. Nothing signed.",
            r.id
        ));
    }
}

/// The origin of a pairing request: pairing binds a token to a web page's origin, so a
/// request without one (a script, curl) cannot pair.
fn pairing_origin(headers: &HeaderMap) -> Result<String, HttpError> {
    origin(headers).map(String::from).ok_or_else(|| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidArgument,
            "pairing is for web pages: the request has no Origin",
        )
    })
}

/// The web origin a request comes from: its `Origin`, or, for a browser's same-origin
/// `GET` or `HEAD` (which carries no `Origin`: the daemon's own UI listing signers), the
/// daemon's own origin as the request addressed it (`Sec-Fetch-Site: same-origin`, which
/// pages cannot set, and the `Host` the guard checked). A client that is not a browser
/// gains nothing by sending these: a token still has to be the one issued to that origin.
fn caller_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(o) = origin(headers) {
        return Some(o.to_string());
    }
    let same_origin = header_str(headers, header::HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|s| s.eq_ignore_ascii_case("same-origin"));
    let own = format!(
        "http://{}",
        header_str(headers, header::HOST)?.to_ascii_lowercase()
    );
    (same_origin && state.own_origins.contains(&own)).then_some(own)
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl opentelemetry::propagation::Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

fn cors_headers(response: &mut Response, origin: &str, preflight: bool) {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if preflight {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, DELETE"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, traceparent"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
}

/// Every request passes here first.
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "http.request",
        http.request.method = %request.method(),
        url.path = %request.uri().path(),
        http.response.status_code = tracing::field::Empty,
        client.origin = tracing::field::Empty,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&HeaderExtractor(request.headers()))
    });
    let _ = span.set_parent(parent);
    let response = {
        let _entered = span.enter();
        check(&state, request, next)
    };
    use tracing::Instrument as _;
    let mut response = response.instrument(span.clone()).await;
    span.record("http.response.status_code", response.status().as_u16());
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn check(state: &Arc<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    // DNS rebinding: a page of evil.example resolving to 127.0.0.1 still says so here.
    let host = header_str(headers, header::HOST).map(str::to_ascii_lowercase);
    if !host
        .as_deref()
        .is_some_and(|h| state.hosts.iter().any(|o| o == h))
    {
        return HttpError::new(
            StatusCode::MISDIRECTED_REQUEST,
            ErrorCode::MisdirectedHost,
            "this is the local signing daemon; address it as 127.0.0.1, [::1] or localhost with its port",
        )
        .into_response();
    }
    let origin = origin(headers).map(str::to_string);
    let foreign = match &origin {
        None => false,
        Some(o) if state.own_origins.iter().any(|x| x == o) => false,
        Some(o) if state.allowed_origins.iter().any(|x| x == o) => true,
        Some(o) => {
            tracing::Span::current().record("client.origin", o.as_str());
            // No Access-Control-Allow-* header: the page cannot even read this answer.
            return HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::OriginNotAllowed,
                "this origin may not use the signing daemon",
            )
            .into_response();
        }
    };
    if let Some(o) = &origin {
        tracing::Span::current().record("client.origin", o.as_str());
    }
    if request.method() == Method::OPTIONS {
        let method_ok = header_str(headers, header::ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| matches!(m, "GET" | "POST" | "DELETE"));
        return match (&origin, method_ok) {
            (Some(o), true) => {
                let mut r = StatusCode::NO_CONTENT.into_response();
                cors_headers(&mut r, o, true);
                r
            }
            _ => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::OriginNotAllowed,
                "not a CORS preflight the daemon answers",
            )
            .into_response(),
        };
    }
    if matches!(*request.method(), Method::POST | Method::DELETE) {
        let json = header_str(headers, header::CONTENT_TYPE).is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json {
            return with_cors(
                HttpError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "requests that change anything must be application/json",
                )
                .into_response(),
                origin.as_deref(),
                foreign,
            );
        }
    }
    let too_long = header_str(headers, header::CONTENT_LENGTH)
        .and_then(|l| l.parse::<u64>().ok())
        .is_some_and(|l| l > MAX_BODY as u64);
    if too_long {
        return with_cors(
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                format!("request bodies are limited to {MAX_BODY} bytes"),
            )
            .into_response(),
            origin.as_deref(),
            foreign,
        );
    }
    let response = next.run(request).await;
    with_cors(response, origin.as_deref(), foreign)
}

fn with_cors(mut response: Response, origin: Option<&str>, foreign: bool) -> Response {
    if let (Some(o), true) = (origin, foreign) {
        cors_headers(&mut response, o, false);
    }
    response
}

/// A caller that paired: its origin, checked against its bearer token.
struct Paired {
    origin: String,
}

fn paired(state: &AppState, headers: &HeaderMap) -> Result<Paired, HttpError> {
    let unauthorized =
        |m: &str| HttpError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, m);
    let origin = caller_origin(state, headers).ok_or_else(|| {
        unauthorized("only paired web pages may call this: the request has no Origin")
    })?;
    let token = header_str(headers, header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            unauthorized("pair first, then send the token as 'Authorization: Bearer …'")
        })?;
    if !state.pairings().check_token(token.trim(), &origin) {
        return Err(unauthorized(
            "the token is not valid for this origin (expired, revoked, or another origin's)",
        ));
    }
    Ok(Paired { origin })
}

/// Reads a JSON body (bounded), answering malformed JSON with a JSON error.
async fn json_body<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, HttpError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            format!("request bodies are limited to {MAX_BODY} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidArgument,
            format!("the request body is not the expected JSON: {e}"),
        )
    })
}

// ------------------------------------------------------------------------- handlers

/// `GET /api/v1/status`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// The daemon's version.
    version: &'static str,
    /// How many signers it offers.
    signers: usize,
    /// Whether the request carries a valid token for its origin.
    paired: bool,
    /// The request's origin, if any.
    origin: Option<String>,
    /// Where signatures are approved.
    approval: &'static str,
}

#[utoipa::path(get, path = "/api/v1/status", tag = "daemon",
    responses((status = 200, description = "The daemon is running", body = Status)))]
async fn status(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Json<Status> {
    Json(Status {
        version: env!("CARGO_PKG_VERSION"),
        signers: state.signers.len(),
        paired: paired(&state, &headers).is_ok(),
        origin: caller_origin(&state, &headers),
        approval: "terminal",
    })
}

/// `POST /api/v1/pairings` body.
#[derive(Deserialize, ToSchema, Default)]
struct PairingBody {
    /// A label the user sees beside the code ("My hub").
    #[serde(default)]
    client: String,
}

/// A pairing started.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct PairingStarted {
    /// Its id, for the confirmation.
    pairing: String,
    /// When the code expires (Unix seconds).
    expires_at: u64,
}

#[utoipa::path(post, path = "/api/v1/pairings", tag = "pairing", request_body = PairingBody,
    responses((status = 201, body = PairingStarted), (status = 429, body = ApiError)))]
async fn start_pairing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<PairingStarted>), HttpError> {
    let origin = pairing_origin(&headers)?;
    state.limit(&origin, "pairing")?;
    let body: PairingBody = json_body(body).await?;
    let (id, expires_at, code, client) = {
        let mut p = state.pairings();
        let pairing = p.start(&origin, &body.client).ok_or_else(|| {
            HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many pairings are waiting for their code",
            )
        })?;
        (
            pairing.id.clone(),
            pairing.expires_at,
            Zeroizing::new(pairing.code().to_string()),
            pairing.client.clone(),
        )
    };
    state.terminal(&format!(
        "Pairing request from {origin}{}: code {} (valid for 2 minutes; type it into that page only)",
        if client.is_empty() { String::new() } else { format!(" ({client})") },
        code.as_str()
    ));
    state.audit.record(
        Event::PairingRequested,
        Entry {
            origin: Some(&origin),
            detail: (!client.is_empty()).then_some(client.as_str()),
            ..Entry::default()
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(PairingStarted {
            pairing: id,
            expires_at,
        }),
    ))
}

/// `POST /api/v1/pairings/{id}/confirm` body.
#[derive(Deserialize, ToSchema)]
struct ConfirmBody {
    /// The code the user typed.
    code: String,
}

/// A token for the page's origin.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Paired2 {
    /// The bearer token (shown once).
    token: String,
    /// The origin it works from.
    origin: String,
    /// When it expires (Unix seconds).
    expires_at: u64,
}

#[utoipa::path(post, path = "/api/v1/pairings/{id}/confirm", tag = "pairing",
    request_body = ConfirmBody, params(("id" = String, Path, description = "The pairing's id")),
    responses((status = 200, body = Paired2), (status = 401, body = ApiError), (status = 410, body = ApiError)))]
async fn confirm_pairing(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Paired2>, HttpError> {
    let origin = pairing_origin(&headers)?;
    state.limit(&origin, "pairing")?;
    let body: ConfirmBody = json_body(body).await?;
    let code = Zeroizing::new(body.code);
    let result = state
        .pairings()
        .confirm(&id, &origin, &code, state.token_lifetime);
    match result {
        Ok((token, stored)) => {
            state.save_tokens();
            state.terminal(&format!("Paired with {origin}."));
            state.audit.record(
                Event::Paired,
                Entry {
                    origin: Some(&origin),
                    ..Entry::default()
                },
            );
            Ok(Json(Paired2 {
                token: token.to_string(),
                origin,
                expires_at: stored.expires_at,
            }))
        }
        Err(ConfirmError::WrongCode { left }) => {
            state.audit.record(
                Event::PairingCodeRejected,
                Entry {
                    origin: Some(&origin),
                    detail: Some(&format!("{left} tries left")),
                    ..Entry::default()
                },
            );
            Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::PairingCodeInvalid,
                format!("wrong code: {left} more tries before the pairing is voided"),
            ))
        }
        Err(ConfirmError::Voided) => {
            state.audit.record(
                Event::PairingVoided,
                Entry {
                    origin: Some(&origin),
                    detail: Some("too many wrong codes"),
                    ..Entry::default()
                },
            );
            Err(HttpError::new(
                StatusCode::GONE,
                ErrorCode::PairingExpired,
                "too many wrong codes: this pairing is voided; start again",
            ))
        }
        Err(ConfirmError::Gone) => Err(HttpError::new(
            StatusCode::GONE,
            ErrorCode::PairingExpired,
            "no such pairing for this origin (expired, used or voided); start again",
        )),
    }
}

#[utoipa::path(delete, path = "/api/v1/token", tag = "pairing",
    responses((status = 204, description = "The token is revoked"), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
async fn revoke_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<StatusCode, HttpError> {
    let caller = paired(&state, &headers)?;
    if let Some(token) =
        header_str(&headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "))
    {
        state.pairings().revoke_token(token.trim());
    }
    state.save_tokens();
    state.audit.record(
        Event::Revoked,
        Entry {
            origin: Some(&caller.origin),
            detail: Some("by the page"),
            ..Entry::default()
        },
    );
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/signers`.
#[derive(Serialize, ToSchema)]
struct Signers {
    /// Every signer.
    signers: Vec<SignerInfo>,
}

#[utoipa::path(get, path = "/api/v1/signers", tag = "signing",
    responses((status = 200, body = Signers), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
async fn signers(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Signers>, HttpError> {
    paired(&state, &headers)?;
    Ok(Json(Signers {
        signers: state.signers.iter().map(|s| s.info()).collect(),
    }))
}

/// How a local path is hashed (the CLI's options).
#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HashingBody {
    /// `files` or `shards`.
    #[serde(default)]
    method: Option<String>,
    /// `sha256`, `blake2` or `blake3`.
    #[serde(default)]
    hash_algorithm: Option<String>,
    /// Bytes per shard.
    #[serde(default)]
    shard_size: Option<u64>,
    /// Paths to leave out, relative to the model.
    #[serde(default)]
    ignore_paths: Vec<String>,
    /// Ignore the top-level git names (default true).
    #[serde(default)]
    ignore_git_paths: Option<bool>,
    /// Follow symlinks inside the model.
    #[serde(default)]
    allow_symlinks: bool,
}

/// `POST /api/v1/sign` body: a manifest computed elsewhere, or a local path.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignBody {
    /// The signer's id.
    signer: String,
    /// The model's name (the subject of the statement); default: the path's last part.
    #[serde(default)]
    model_name: Option<String>,
    /// The manifest, as the wasm package computes it.
    #[serde(default)]
    manifest: Option<ManifestSpec>,
    /// Or an absolute local path the daemon hashes.
    #[serde(default)]
    path: Option<String>,
    /// How to hash `path`.
    #[serde(default)]
    hashing: Option<HashingBody>,
}

/// A signature.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Signed {
    /// The bundle JSON, byte for byte what the CLI writes as `model.sig`.
    bundle: String,
    /// The root digest signed (hex SHA-256).
    root_digest: String,
    /// Files in the manifest.
    files: usize,
    /// Manifest items (files or shards).
    resources: usize,
    /// The signer's id.
    signer: String,
}

fn bad_request(e: ApiError) -> HttpError {
    HttpError::from_api(StatusCode::BAD_REQUEST, e)
}

fn check_model_name(name: &str) -> Result<(), HttpError> {
    if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidArgument,
            "the model name must be 1 to 255 characters, none of them a control character",
        ));
    }
    Ok(())
}

/// What will be signed, checked.
enum ToSign {
    Manifest(ValidatedManifest),
    Hashed(PathBuf, Box<hashing::HashedModel>),
}

impl ToSign {
    fn manifest(&self) -> &model_signing_core::Manifest {
        match self {
            Self::Manifest(m) => &m.manifest,
            Self::Hashed(_, h) => &h.manifest,
        }
    }
}

fn hash_local(
    path: &str,
    body: &HashingBody,
) -> Result<(PathBuf, hashing::HashedModel), HttpError> {
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidArgument,
            "the model path must be absolute",
        ));
    }
    let spec = SerializationSpec {
        method: body.method.clone(),
        hash_algorithm: body.hash_algorithm.clone(),
        shard_size: body.shard_size,
    };
    let serialization = spec.for_signing().map_err(bad_request)?;
    let config = hashing::Config::new()
        .use_serialization(serialization)
        .set_ignored_paths(
            body.ignore_paths.clone(),
            body.ignore_git_paths.unwrap_or(true),
        )
        .set_allow_symlinks(body.allow_symlinks)
        .set_progress(hashing::Progress::Hidden);
    let hashed = config.hash(&path).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidModel,
            e.to_string(),
        )
    })?;
    if hashed.manifest.is_empty() {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidModel,
            format!("the model '{}' has no files to sign", path.display()),
        ));
    }
    Ok((path, hashed))
}

#[utoipa::path(post, path = "/api/v1/sign", tag = "signing", request_body = SignBody,
    responses((status = 200, body = Signed), (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 403, description = "Denied by the user", body = ApiError),
        (status = 404, body = ApiError), (status = 408, description = "Nobody approved in time", body = ApiError),
        (status = 502, body = ApiError)),
    security(("bearer" = [])))]
async fn sign(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Signed>, HttpError> {
    let caller = paired(&state, &headers)?;
    state.limit(&caller.origin, "sign")?;
    let body: SignBody = json_body(body).await?;
    let signer = state.signer(&body.signer).ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownSigner,
            format!("no signer '{}'", printable(&body.signer)),
        )
    })?;
    if signer.info().locked {
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            ErrorCode::SigningFailed,
            format!(
                "the signer '{}' is locked: the user must give its PIN with `model_signing approve --pin {}`",
                signer.id(),
                signer.id()
            ),
        )
        .reason("locked"));
    }
    let (model_name, to_sign, shown_path) = match (&body.manifest, &body.path) {
        (Some(spec), None) => {
            let name = body.model_name.clone().ok_or_else(|| {
                HttpError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidArgument,
                    "a manifest needs its 'modelName'",
                )
            })?;
            check_model_name(&name)?;
            let validated = spec.validate().map_err(bad_request)?;
            (name, ToSign::Manifest(validated), None)
        }
        (None, Some(path)) => {
            let hashing = body.hashing.clone().unwrap_or_default();
            let path_text = path.clone();
            let (path, hashed) =
                tokio::task::spawn_blocking(move || hash_local(&path_text, &hashing))
                    .await
                    .map_err(|e| {
                        HttpError::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            ErrorCode::Internal,
                            e.to_string(),
                        )
                    })??;
            let name = body
                .model_name
                .clone()
                .unwrap_or_else(|| hashed.model_name.clone());
            check_model_name(&name)?;
            let shown = path.display().to_string();
            (name, ToSign::Hashed(path, Box::new(hashed)), Some(shown))
        }
        _ => {
            return Err(HttpError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidArgument,
                "give either a 'manifest' or a local 'path', not both",
            ))
        }
    };
    let manifest = to_sign.manifest();
    let root_digest = hex(&manifest.root_digest());
    let mut files: Vec<&model_signing_core::ModelPath> =
        manifest.iter().map(|(k, _)| k.path()).collect();
    files.dedup();
    let request = SignRequest {
        id: state.approvals.next_id(),
        origin: caller.origin.clone(),
        model_name: model_name.clone(),
        root_digest: root_digest.clone(),
        files: files.len(),
        resources: manifest.len(),
        signer: signer.id(),
        received_at: now(),
    };
    state.audit.record(
        Event::SignRequested,
        Entry::of_request(&request, shown_path.as_deref()),
    );
    let outcome = if state.approvals.granted(&request.origin, &request.signer) {
        Outcome::Approved { by: "grant" }
    } else {
        state.terminal(&format!(
            "Sign request #{id} from {origin}: model '{name}'{path}, root digest sha256:{digest}, {files} file(s), signer {signer}.\n  Approve: model_signing approve --accept {id}   Deny: model_signing approve --deny {id}{tty}",
            id = request.id,
            origin = request.origin,
            name = printable(&request.model_name),
            path = shown_path.as_deref().map(|p| format!(" at {p}")).unwrap_or_default(),
            digest = request.root_digest,
            files = request.files,
            signer = request.signer,
            tty = if state.terminal_approval { format!("   (or type 'y {0}' / 'n {0}' here)", request.id) } else { String::new() },
        ));
        let mut withdrawal = Withdrawal {
            state: &state,
            request: &request,
            waiting: true,
        };
        let waited = state
            .approvals
            .wait(request.clone(), state.approval_timeout)
            .await;
        withdrawal.waiting = false;
        waited.map_err(|_| {
            HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many sign requests are waiting for approval",
            )
        })?
    };
    let record = |event: Event, detail: Option<&str>| {
        state
            .audit
            .record(event, Entry::of_request(&request, detail))
    };
    match outcome {
        Outcome::Approved { by } => record(Event::Approved, Some(by)),
        Outcome::Denied => {
            record(Event::Denied, None);
            state.terminal(&format!(
                "Sign request #{} denied: nothing signed.",
                request.id
            ));
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ApprovalDenied,
                "the user denied this signature",
            ));
        }
        Outcome::TimedOut => {
            record(Event::TimedOut, None);
            state.terminal(&format!(
                "Sign request #{} timed out: nothing signed.",
                request.id
            ));
            return Err(HttpError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::ApprovalTimeout,
                "nobody approved this signature in time; nothing was signed",
            ));
        }
    }
    let signer_for_task = signer.clone();
    let expected = to_sign.manifest().clone();
    let name = model_name.clone();
    let signed = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let config = signer_for_task.config().map_err(|e| e.to_string())?;
        let bundle = match &to_sign {
            ToSign::Manifest(m) => config.sign_manifest(&name, m),
            ToSign::Hashed(path, hashed) => config.sign_hashed(path, hashed),
        }
        .map_err(|e| e.to_string())?;
        let json = bundle.to_json();
        self_check(&json, signer_for_task.public_key(), &expected)?;
        Ok(json)
    })
    .await
    .map_err(|e| {
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            e.to_string(),
        )
    })?;
    match signed {
        Ok(bundle) => {
            record(Event::Signed, None);
            state.terminal(&format!("Sign request #{}: signed.", request.id));
            Ok(Json(Signed {
                bundle,
                root_digest,
                files: request.files,
                resources: request.resources,
                signer: request.signer.clone(),
            }))
        }
        Err(message) => {
            record(Event::SignFailed, Some(&message));
            state.terminal(&format!("Sign request #{} failed: {message}", request.id));
            Err(HttpError::new(
                StatusCode::BAD_GATEWAY,
                ErrorCode::SigningFailed,
                message,
            ))
        }
    }
}

/// Verifies a bundle just made with our own verifier before anyone sees it: the
/// signature (with the signer's key, when it has a fixed one; keyless signatures were
/// verified by the keyless signer) and that it signs exactly the manifest asked for.
fn self_check(
    json: &str,
    key: Option<model_signing_core::keys::PublicKey>,
    expected: &model_signing_core::Manifest,
) -> Result<(), String> {
    let bundle = Bundle::from_json(json.as_bytes()).map_err(|e| e.to_string())?;
    let signed = match key {
        Some(key) => {
            verify_bundle(&bundle, &Verifier::Key(key))
                .map_err(|e| format!("the new signature does not verify: {e}"))?
                .signed
        }
        None => match &bundle.content {
            Content::Dsse(env) => parse_statement(&env.payload).map_err(|e| e.to_string())?,
            Content::MessageSignature { .. } => return Err("not a DSSE bundle".into()),
        },
    };
    if &signed.manifest != expected {
        return Err("the new signature does not sign the manifest asked for".into());
    }
    Ok(())
}

// ------------------------------------------------------------------------- OpenAPI and UI

#[derive(OpenApi)]
#[openapi(
    info(
        title = "model-signing daemon",
        description = "The local signing daemon of model-signing-rs (`model_signing serve`): web pages pair with it, and it signs model manifests with PKCS #11 tokens, key files or Sigstore after the user approves each signature.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(ApiError, ErrorCode))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The router: the API (with its generated OpenAPI document), then the UI.
pub fn router(state: Arc<AppState>) -> axum::Router {
    let (api_router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(status))
        .routes(routes!(start_pairing))
        .routes(routes!(confirm_pairing))
        .routes(routes!(revoke_token))
        .routes(routes!(signers))
        .routes(routes!(sign))
        .split_for_parts();
    let document = Arc::new(api.to_json().unwrap_or_default());
    api_router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        document.as_str().to_owned(),
                    )
                }
            }),
        )
        .fallback(crate::ui::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

// ------------------------------------------------------------------------- rate limits

/// Token buckets per (origin, kind of request), in a bounded map.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: BTreeMap<(String, &'static str), (f64, Instant)>,
}

/// Requests per second and burst, by kind.
fn rate(kind: &str) -> (f64, f64) {
    match kind {
        // Typing a code is slow; a page guessing codes is not.
        "pairing" => (0.5, 10.0),
        _ => (20.0, 40.0),
    }
}

/// Origins tracked at once; the oldest bucket is dropped beyond this.
const MAX_BUCKETS: usize = 1024;

impl RateLimiter {
    /// Takes one request from the bucket; false when it is empty.
    pub fn allow(&mut self, origin: &str, kind: &'static str) -> bool {
        let now = Instant::now();
        let (per_second, burst) = rate(kind);
        if self.buckets.len() >= MAX_BUCKETS
            && !self.buckets.contains_key(&(origin.to_string(), kind))
        {
            if let Some(oldest) = self
                .buckets
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
            {
                self.buckets.remove(&oldest);
            }
        }
        let (tokens, last) = self
            .buckets
            .entry((origin.to_string(), kind))
            .or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_second).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl AppState {
    fn limit(&self, origin: &str, kind: &'static str) -> Result<(), HttpError> {
        if self.rate_limiter().allow(origin, kind) {
            Ok(())
        } else {
            let mut e = HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many requests from this origin; wait a little",
            );
            e.error.reason = "";
            Err(e)
        }
    }
}

/// The JSON 404 of unknown routes.
pub fn not_found() -> Response {
    HttpError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such resource",
    )
    .into_response()
}
