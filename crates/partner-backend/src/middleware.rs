//! Request context: a request id on every answer and in every log line of the request, one
//! access-log line (method, route template, status, duration; never the path's values, headers
//! or bodies), and every error body in the API's one shape.

use std::time::Instant;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ramp_api::{ApiErrorBody, ErrorEnvelope, codes};
use tracing::Instrument;

use crate::state::AppState;

/// The request id header.
pub(crate) const REQUEST_ID: &str = "x-request-id";

pub(crate) async fn request_context(req: Request, next: Next) -> Response {
    // 128 random bits from the thread's generator: unique, and no system call per request (a
    // v4 UUID asked the kernel for each one).
    let id = format!("req_{:032x}", rand::random::<u128>());
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let span = tracing::info_span!("request", request_id = %id);
    // Kept as sent; read only if the answer is an error with a sentence to translate.
    let accept_language = req.headers().get(header::ACCEPT_LANGUAGE).cloned();
    let started = Instant::now();
    let resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status();
    let mut resp = if status.is_client_error() || status.is_server_error() {
        normalise(resp, &id, accept_language).await
    } else {
        resp
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    span.in_scope(|| {
        let route = route.as_ref().map_or("<unmatched>", MatchedPath::as_str);
        tracing::info!(%method, %route, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    });
    resp
}

/// Largest request body any route accepts.
pub(crate) const BODY_LIMIT: usize = 16 * 1024;

/// Read a request's body whole, within `IDLE_TIMEOUT_SECS` in all, before the route sees it:
/// a client that sends its body slowly (or never) is answered `408` and let go instead of
/// holding the connection. Requests without a body (status streams among them) pass as they
/// are. Every route reads small JSON bodies, so buffering costs nothing.
pub(crate) async fn bounded_body(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    use axum::body::{Body, HttpBody};
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(limit, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(_)) => crate::error::AppError::PayloadTooLarge.into_response(),
        Err(_) => {
            tracing::info!("a request body did not arrive within {limit:?}; answered 408");
            (StatusCode::REQUEST_TIMEOUT, [(header::CONNECTION, "close")], "request body too slow").into_response()
        }
    }
}

/// Put the request id into our error bodies and their sentence in the request's language, and
/// wrap anything else (framework rejections, plain-text errors) in the same shape. HTML pages
/// are left alone.
async fn normalise(resp: Response, id: &str, accept_language: Option<HeaderValue>) -> Response {
    let (parts, body) = resp.into_parts();
    let ctype = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if ctype.starts_with("text/html") || ctype.starts_with("text/event-stream") {
        return Response::from_parts(parts, body);
    }
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let mut envelope = serde_json::from_slice::<ErrorEnvelope>(&bytes).unwrap_or_else(|_| {
        let status = parts.status;
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => codes::PAYLOAD_TOO_LARGE,
            StatusCode::NOT_FOUND => codes::NOT_FOUND,
            StatusCode::UNAUTHORIZED => codes::UNAUTHENTICATED,
            s if s.is_client_error() => codes::INVALID_REQUEST,
            _ => codes::INTERNAL,
        };
        let text = String::from_utf8_lossy(&bytes).trim().chars().take(300).collect::<String>();
        let message = if status.is_client_error() && !text.is_empty() {
            text
        } else {
            status.canonical_reason().unwrap_or("Error").to_owned()
        };
        ErrorEnvelope { error: ApiErrorBody { code: code.to_owned(), message, request_id: None, field: None } }
    });
    envelope.error.request_id = Some(id.to_owned());
    if let Some(crate::error::Localize(msg)) = parts.extensions.get() {
        envelope.error.message = msg.text(crate::i18n::accept_language(accept_language.as_ref()));
    }
    let mut out = (parts.status, axum::Json(envelope)).into_response();
    for (k, v) in parts.headers.iter().filter(|(k, _)| *k != header::CONTENT_TYPE && *k != header::CONTENT_LENGTH) {
        out.headers_mut().insert(k.clone(), v.clone());
    }
    out
}

/// Middleware on the signed-in `/v1` routes: check the bearer token once, count the request
/// against the user's budget, and hand the user to [`crate::auth::Authenticated`]. A request
/// without a valid token passes through, and the handler's extractor answers `401`.
pub(crate) async fn per_user(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let outcome = match crate::auth::bearer_token(req.headers()) {
        Some(token) => s.auth.authenticate(token).await,
        None => Err(crate::auth::AuthError::Missing),
    };
    if let Ok(user) = &outcome {
        if let Err(e) = s.limits.user_request(&user.id) {
            return e.into_response();
        }
    }
    req.extensions_mut().insert(crate::auth::Checked(outcome));
    next.run(req).await
}

/// Middleware on `/v1`: the per-client-IP limit, before anything else is done.
pub(crate) async fn per_ip(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if let Some(peer) = peer {
        let ip = crate::client_ip::client_ip(peer, req.headers(), &s.config.trusted_proxies);
        if let Err(e) = s.limits.ip_request(ip) {
            return e.into_response();
        }
    }
    next.run(req).await
}
