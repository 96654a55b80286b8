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

/// `{"ready": bool, "database": "ok" | "unavailable", "store": "sqlite" | "postgres",
/// "instance": name, "upstream_watchers": n}`; `503` when not ready. `upstream_watchers` counts
/// this instance's watchers only (on PostgreSQL each transaction is watched by one instance).
pub(crate) async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let (code, ready, database) = match s.store.ping().await {
        Ok(()) => (StatusCode::OK, true, "ok"),
        Err(e) => {
            tracing::error!("not ready: database: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, false, "unavailable")
        }
    };
    let body = json!({
        "ready": ready,
        "database": database,
        "store": s.store.kind().as_str(),
        "instance": s.relay.instance(),
        "upstream_watchers": s.relay.upstream_watchers(),
    });
    (code, Json(body))
}
