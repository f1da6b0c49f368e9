//! The web UI, embedded at build time (`build.rs`), served at the daemon's own origin
//! with a strict Content-Security-Policy.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

mod files {
    include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));
}

/// Whether the UI was built into this binary.
pub fn embedded() -> bool {
    !files::FILES.is_empty()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::http::CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Serves a UI file for GET and HEAD requests outside the API.
pub async fn serve(request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        return crate::http::not_found();
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return crate::http::not_found();
    }
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        other => other,
    };
    if !embedded() && name == "index.html" {
        return secure(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!doctype html><title>model-signing daemon</title><p>The signing daemon is running, but this build has no web UI: build it with <code>web/build.sh</code> and rebuild the daemon. The API is at <code>/api/v1/</code>.</p>",
            )
                .into_response(),
        );
    }
    match files::FILES.iter().find(|(n, _)| *n == name) {
        Some((n, content)) => secure(
            (
                [
                    (header::CONTENT_TYPE, content_type(n)),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                *content,
            )
                .into_response(),
        ),
        None => crate::http::not_found(),
    }
}
