//! Sandbox-only controls: health and run-time fault injection. Not part of Proof's API.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;

use crate::config::Faults;
use crate::errors::ApiFailure;
use crate::state::SandboxState;

/// `GET /_sandbox/faults`: the faults in force.
pub(crate) async fn faults_get(State(state): State<SandboxState>) -> Json<Faults> {
    Json(state.faults())
}

/// `PUT /_sandbox/faults`: replace the faults in force; fields left out reset to none.
pub(crate) async fn faults_put(
    State(state): State<SandboxState>,
    body: Result<Json<Faults>, JsonRejection>,
) -> Result<Json<Faults>, ApiFailure> {
    let Json(faults) = body.map_err(|e| ApiFailure::decode(e.body_text()))?;
    faults.validate().map_err(ApiFailure::validation)?;
    state.set_faults(faults.clone());
    tracing::info!(?faults, "faults changed");
    Ok(Json(faults))
}

/// `GET /healthz`.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}
