//! `GET /healthz` (the process is up) and `GET /readyz` (it can serve: the database answers;
//! also reports how many upstream status watchers run).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::state::AppState;

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// `{"ready": bool, "database": "ok" | "unavailable", "upstream_watchers": n}`; `503` when not ready.
pub(crate) async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let watchers = s.relay.upstream_watchers();
    match s.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"ready": true, "database": "ok", "upstream_watchers": watchers}))),
        Err(e) => {
            tracing::error!("not ready: database: {e}");
            let body = json!({"ready": false, "database": "unavailable", "upstream_watchers": watchers});
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}
