//! `GET /ws?tx_id=`: one `tx.update` text message per status change of one transaction.
//!
//! Sandbox choices where Proof documents nothing: no snapshot on connect for a live transaction;
//! a transaction already terminal gets its final update at once; the socket closes (normal close)
//! after a terminal update; incoming messages are ignored.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, Query, State};
use axum::response::Response;
use proof_api::TxUpdate;
use tokio::sync::broadcast;

use super::api::Partner;
use crate::errors::ApiFailure;
use crate::state::SandboxState;

/// Upgrade after checking `tx_id` names one of the partner's transactions.
pub(crate) async fn ws_connect(
    State(state): State<SandboxState>,
    Extension(Partner(partner)): Extension<Partner>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiFailure> {
    if let Some(status) = state.faults().ws_handshake_status {
        return Err(ApiFailure::ws_refused(status));
    }
    let id = query.get("tx_id").filter(|s| !s.is_empty()).ok_or_else(|| ApiFailure::missing_param("tx_id"))?;
    let (updates, already_final) = {
        let db = state.db();
        let rec = db
            .txs
            .get(id)
            .filter(|r| r.partner == partner)
            .ok_or_else(|| ApiFailure::not_found(&format!("transaction {id}")))?;
        let final_update = rec.tx.status.is_terminal().then(|| {
            let mut u = TxUpdate::from(rec.tx.clone());
            u.payment_method = rec.payment_method.clone();
            u
        });
        (rec.updates.subscribe(), final_update)
    };
    let upgrade = upgrade.map_err(|e| ApiFailure::validation(format!("open this endpoint as a WebSocket: {e}")))?;
    let drop_after = state.faults().ws_drop_after_ms.map(Duration::from_millis);
    Ok(upgrade.on_upgrade(move |socket| serve(socket, updates, already_final, drop_after)))
}

async fn serve(
    mut socket: WebSocket,
    mut updates: broadcast::Receiver<TxUpdate>,
    already_final: Option<TxUpdate>,
    drop_after: Option<Duration>,
) {
    if let Some(update) = already_final {
        let _ = send(&mut socket, &update).await;
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    let dropped = async {
        match drop_after {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(dropped);
    loop {
        tokio::select! {
            () = &mut dropped => {
                tracing::debug!("dropping a WebSocket (fault injection)");
                return; // no close frame: an abrupt drop
            }
            incoming = socket.recv() => {
                if !matches!(incoming, Some(Ok(_))) {
                    return;
                }
            }
            update = updates.recv() => {
                let Ok(update) = update else { return };
                if send(&mut socket, &update).await.is_err() {
                    return;
                }
                if update.status.is_terminal() {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}

async fn send(socket: &mut WebSocket, update: &TxUpdate) -> Result<(), axum::Error> {
    let text = serde_json::to_string(update).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}
