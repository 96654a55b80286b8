//! The stand-in widget's back channel (`/_sandbox/widget/*`), called from the browser by
//! `widget.2.0.js`. Each call proves itself with the session fields the page passed to
//! `proofWidget.run`, so a host page that alters them fails here, as it would at Proof.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use proof_api::{Amount, KycStatus, TxStatus, TxType};
use serde::{Deserialize, Serialize};

use super::api::check_origin;
use crate::errors::ApiFailure;
use crate::personas::Persona;
use crate::pricing;
use crate::state::{Db, SandboxState};

/// Session fields the widget received; all must match the session.
#[derive(Debug, Deserialize)]
pub(crate) struct WidgetAuth {
    init_token: String,
    widget_id: String,
    signature: String,
    merchant_transaction_id: String,
}

/// `{...auth, step: "documents" | "liveness"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct KycStep {
    #[serde(flatten)]
    auth: WidgetAuth,
    step: String,
}

/// `{...auth, action: "pay" | "deposit_sent" | "cancel"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Action {
    #[serde(flatten)]
    auth: WidgetAuth,
    action: String,
}

/// What the widget shows next, with the numbers it needs.
#[derive(Debug, Serialize)]
pub(crate) struct WidgetState {
    merchant_transaction_id: String,
    #[serde(rename = "type")]
    tx_type: TxType,
    status: TxStatus,
    kyc_status: KycStatus,
    persona: Persona,
    /// `documents`, `liveness`, `review`, `payment`, `deposit`, `processing` or `done`.
    next_step: &'static str,
    currency: String,
    network: String,
    amount: Amount,
    address: String,
    fiat_currency: String,
    /// Estimated fiat before payment; final once processing.
    fiat_quote: Option<Amount>,
    payment_method: Option<String>,
}

type Answer = Result<Json<WidgetState>, ApiFailure>;

/// `POST /_sandbox/widget/state`.
pub(crate) async fn widget_state(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Result<Json<WidgetAuth>, JsonRejection>,
) -> Answer {
    check_origin(&state, &headers)?;
    let Json(auth) = body.map_err(|e| ApiFailure::decode(e.body_text()))?;
    snapshot(&mut state.db(), &auth).map(Json)
}

/// `POST /_sandbox/widget/kyc`: documents sent, or liveness check done.
pub(crate) async fn widget_kyc(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Result<Json<KycStep>, JsonRejection>,
) -> Answer {
    check_origin(&state, &headers)?;
    let Json(KycStep { auth, step }) = body.map_err(|e| ApiFailure::decode(e.body_text()))?;
    let fail_tx = {
        let mut db = state.db();
        let now = snapshot(&mut db, &auth)?;
        if now.next_step != step {
            return Err(ApiFailure::validation(format!(
                "the {step} step is not expected now; the next step is {}",
                now.next_step
            )));
        }
        let (partner, user_id) = owner(&db, &auth.merchant_transaction_id)?;
        let user = db.user(partner, &user_id, None, true).ok_or_else(|| ApiFailure::not_found("user"))?;
        if step == "documents" {
            user.kyc = KycStatus::Pending;
            user.liveness_due = true;
            false
        } else {
            user.liveness_due = false;
            user.kyc = user.persona.kyc_outcome();
            user.kyc == KycStatus::Failed
        }
    };
    tracing::info!(tx_id = %auth.merchant_transaction_id, %step, "KYC step done in the widget");
    if fail_tx {
        state.advance(&auth.merchant_transaction_id, TxStatus::Failed);
    }
    snapshot(&mut state.db(), &auth).map(Json)
}

/// `POST /_sandbox/widget/action`: pay (buy), confirm the deposit (sell), or cancel.
pub(crate) async fn widget_action(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Result<Json<Action>, JsonRejection>,
) -> Answer {
    check_origin(&state, &headers)?;
    let Json(Action { auth, action }) = body.map_err(|e| ApiFailure::decode(e.body_text()))?;
    let now = snapshot(&mut state.db(), &auth)?;
    let id = auth.merchant_transaction_id.clone();
    match (action.as_str(), now.next_step) {
        ("cancel", "documents" | "liveness" | "review" | "payment" | "deposit") => {
            state.advance(&id, TxStatus::Cancelled);
        }
        ("pay", "payment") => {
            let (outcome, via_processing) = now.persona.payment_outcome();
            if via_processing {
                state.advance(&id, TxStatus::Processing);
                state.settle_later(id, outcome);
            } else {
                state.advance(&id, outcome);
            }
        }
        ("deposit_sent", "deposit") => {
            state.advance(&id, TxStatus::Processing);
            state.settle_later(id, TxStatus::Completed);
        }
        (_, "done") => return Err(ApiFailure::session_used("this transaction has ended; create a new session")),
        (other, next) => {
            return Err(ApiFailure::validation(format!(
                "action {other:?} is not possible now; the next step is {next}"
            )));
        }
    }
    snapshot(&mut state.db(), &auth).map(Json)
}

fn owner(db: &Db, id: &str) -> Result<(usize, String), ApiFailure> {
    db.txs
        .get(id)
        .map(|r| (r.partner, r.tx.partner_user_id.clone()))
        .ok_or_else(|| ApiFailure::not_found(&format!("transaction {id}")))
}

/// Check the widget's credentials and describe where the flow stands.
fn snapshot(db: &mut Db, auth: &WidgetAuth) -> Result<WidgetState, ApiFailure> {
    let rec = db.txs.get(&auth.merchant_transaction_id).ok_or_else(|| {
        ApiFailure::invalid_token(
            "unknown merchantTransactionId: pass the session response to proofWidget.run unmodified",
        )
    })?;
    if rec.init_token != auth.init_token || rec.widget_id != auth.widget_id || rec.signature != auth.signature {
        return Err(ApiFailure::invalid_token(
            "widgetId, signature or initToken do not match the session: pass the session response to proofWidget.run unmodified",
        ));
    }
    if Instant::now() > rec.expires_at && !rec.tx.status.is_terminal() {
        return Err(ApiFailure::invalid_token("the init token has expired; create a new session"));
    }
    let (partner, user_id) = (rec.partner, rec.tx.partner_user_id.clone());
    let tx = rec.tx.clone();
    let (amount, address, payment_method, persona) =
        (rec.amount.clone(), rec.address.clone(), rec.payment_method.clone(), rec.persona);
    let user = db.user(partner, &user_id, None, true).cloned().ok_or_else(|| ApiFailure::not_found("user"))?;
    let next_step = match (&tx.status, &user.kyc) {
        (s, _) if s.is_terminal() => "done",
        (TxStatus::Processing, _) => "processing",
        (_, KycStatus::NotStarted | KycStatus::Failed) => "documents",
        (_, KycStatus::Pending) if user.liveness_due => "liveness",
        (_, KycStatus::Pending) => "review",
        (_, _) if tx.tx_type == TxType::Sell => "deposit",
        _ => "payment",
    };
    let fiat_quote = tx.fiat_amount.clone().or_else(|| pricing::quote(&tx.tx_type, &tx.currency, &amount));
    Ok(WidgetState {
        merchant_transaction_id: tx.merchant_transaction_id,
        tx_type: tx.tx_type,
        status: tx.status,
        kyc_status: user.kyc,
        persona,
        next_step,
        currency: tx.currency,
        network: tx.network,
        amount,
        address,
        fiat_currency: tx.fiat_currency,
        fiat_quote,
        payment_method,
    })
}
