//! `GET /healthz` (the process is up) and `GET /readyz` (it can serve: the database answers).

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

pub(crate) async fn readyz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    match s.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!("not ready: database: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
