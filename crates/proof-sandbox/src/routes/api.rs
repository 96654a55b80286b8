//! Middleware shared by the Proof API routes: request ids, authentication, origin and faults.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiFailure;
use crate::state::{PartnerId, SandboxState};

/// The partner a request authenticated as.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Partner(pub(crate) PartnerId);

/// Give every answer an `X-Request-Id` and log method, path, status and id (never headers or
/// bodies).
pub(crate) async fn request_id(req: Request, next: Next) -> Response {
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    tracing::debug!(%method, %path, status = resp.status().as_u16(), request_id = %id, "request");
    resp
}

/// Authenticate, check the origin and inject faults, in that order.
pub(crate) async fn gate(State(state): State<SandboxState>, mut req: Request, next: Next) -> Response {
    let partner = match authenticate(&state, req.headers()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = check_origin(&state, req.headers()) {
        return e.into_response();
    }
    let faults = state.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if state.chance(faults.error_502_rate) {
        return ApiFailure::provider_error().into_response();
    }
    req.extensions_mut().insert(Partner(partner));
    next.run(req).await
}

fn authenticate(state: &SandboxState, headers: &HeaderMap) -> Result<PartnerId, ApiFailure> {
    let raw = headers.get(header::AUTHORIZATION).ok_or_else(ApiFailure::missing_token)?;
    let token = raw
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiFailure::invalid_token("the Authorization header must be `Bearer <client_token>`"))?;
    state.config().client_tokens.iter().position(|t| t == token.trim()).ok_or_else(|| {
        ApiFailure::invalid_token("the client token is unknown or inactive; check the backend configuration")
    })
}

/// Refuse an `Origin` that is present but not registered. No registered origins: no check.
pub(crate) fn check_origin(state: &SandboxState, headers: &HeaderMap) -> Result<(), ApiFailure> {
    let registered = &state.config().origins;
    match headers.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("<not text>")) {
        Some(origin) if !registered.is_empty() && !registered.iter().any(|r| r == origin) => {
            Err(ApiFailure::forbidden_origin(origin))
        }
        _ => Ok(()),
    }
}
