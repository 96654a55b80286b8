//! `GET /healthz` (the process is up), `GET /readyz` (it can serve: the database answers; also
//! reports how many upstream status watchers run) and `GET /metrics` (Prometheus text format).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::state::AppState;

/// Longest `/readyz` waits for the database before it says `503`.
const READY_PING_LIMIT: std::time::Duration = std::time::Duration::from_millis(800);

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// `{"ready": bool, "database": "ok" | "unavailable", "store": "sqlite" | "postgres",
/// "instance": name, "upstream_watchers": n}`; `503` when not ready. `upstream_watchers` counts
/// this instance's watchers only (on PostgreSQL each transaction is watched by one instance).
pub(crate) async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    // Bounded well below the pool's acquire timeout: a load balancer asks every few seconds and
    // must hear "not ready" promptly when the database goes away.
    let ping = tokio::time::timeout(READY_PING_LIMIT, s.store.ping()).await;
    let (code, ready, database) = match ping {
        Ok(Ok(())) => (StatusCode::OK, true, "ok"),
        Ok(Err(e)) => {
            tracing::error!("not ready: database: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, false, "unavailable")
        }
        Err(_) => {
            tracing::error!("not ready: the database did not answer within {READY_PING_LIMIT:?}");
            (StatusCode::SERVICE_UNAVAILABLE, false, "unavailable")
        }
    };
    let body = json!({
        "ready": ready,
        "database": database,
        "store": s.store.kind().as_str(),
        "instance": s.relay.instance(),
        "upstream_watchers": s.relay.upstream_watchers(),
        "max_upstream_watchers": s.config.max_upstream_watchers,
    });
    (code, Json(body))
}

/// This instance's gauges in Prometheus' text format. Counts only, nothing about users; still,
/// expose it to your monitoring, not the internet (route `/metrics` only from inside).
pub(crate) async fn metrics(State(s): State<AppState>) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let cache = s.relay.session_cache().figures();
    let series: [(&str, &str, &str, u64); 6] = [
        (
            "proof_ramp_upstream_watchers",
            "Transactions this instance watches at Proof.",
            "gauge",
            s.relay.upstream_watchers() as u64,
        ),
        (
            "proof_ramp_upstream_watchers_max",
            "The watcher cap (MAX_UPSTREAM_WATCHERS).",
            "gauge",
            s.config.max_upstream_watchers as u64,
        ),
        (
            "proof_ramp_status_channels",
            "Transactions with live status streams on this instance.",
            "gauge",
            s.relay.channels() as u64,
        ),
        (
            "proof_ramp_session_checks_from_memory_total",
            "Signed-in requests whose app session was answered from memory.",
            "counter",
            cache.from_memory,
        ),
        (
            "proof_ramp_session_checks_from_store_total",
            "Signed-in requests whose app session was read from the database.",
            "counter",
            cache.from_store,
        ),
        (
            "proof_ramp_session_cache_current",
            "1 while revocations are known to reach this instance, so sessions may be answered from memory.",
            "gauge",
            u64::from(cache.current),
        ),
    ];
    let mut text = String::new();
    for (name, help, kind, value) in series {
        text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
    }
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
