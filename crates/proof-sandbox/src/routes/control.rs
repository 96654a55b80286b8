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

/// What the partner sent when creating a session, for tests and debugging.
#[derive(Debug, serde::Serialize)]
pub(crate) struct SessionRecord {
    merchant_transaction_id: String,
    partner_user_id: String,
    user_email: String,
    client_ip: Option<String>,
    #[serde(rename = "type")]
    tx_type: proof_api::TxType,
    currency: String,
    network: String,
    amount: proof_api::Amount,
    persona: crate::Persona,
}

/// `GET /_sandbox/sessions/{id}`: the session request as the sandbox recorded it.
pub(crate) async fn session_get(
    State(state): State<SandboxState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<SessionRecord>, ApiFailure> {
    let db = state.db();
    let r = db.txs.get(&id).ok_or_else(|| ApiFailure::not_found(&format!("transaction {id}")))?;
    Ok(Json(SessionRecord {
        merchant_transaction_id: id.clone(),
        partner_user_id: r.tx.partner_user_id.clone(),
        user_email: r.email.clone(),
        client_ip: r.client_ip.clone(),
        tx_type: r.tx.tx_type.clone(),
        currency: r.tx.currency.clone(),
        network: r.tx.network.clone(),
        amount: r.amount.clone(),
        persona: r.persona,
    }))
}

/// `GET /healthz`.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}
