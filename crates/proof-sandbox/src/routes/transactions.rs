//! `GET /widget/transactions/{merchant_transaction_id}`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use proof_api::Transaction;

use super::api::Partner;
use crate::errors::ApiFailure;
use crate::state::SandboxState;

/// Answer the transaction if it belongs to the calling partner; `404` otherwise.
pub(crate) async fn transactions_get(
    State(state): State<SandboxState>,
    Extension(Partner(partner)): Extension<Partner>,
    Path(id): Path<String>,
) -> Result<Json<Transaction>, ApiFailure> {
    let db = state.db();
    db.txs
        .get(&id)
        .filter(|r| r.partner == partner)
        .map(|r| Json(r.tx.clone()))
        .ok_or_else(|| ApiFailure::not_found(&format!("transaction {id}")))
}
