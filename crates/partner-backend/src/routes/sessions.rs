//! `POST /v1/sessions`: validate, create the Proof session, record it, and hand the app a
//! single-use, short-lived link to the host page (never the session itself).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use proof_api::{Amount, TxType};
use ramp_api::{CreateSession, SessionCreated};
use sha2::{Digest, Sha256};

use super::{AppJson, now_iso, now_unix, within_deadline};
use crate::auth::Authenticated;
use crate::config::{decimal, valid_symbol};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::NewTransaction;

pub(crate) async fn sessions_create(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    AppJson(req): AppJson<CreateSession>,
) -> AppResult<Json<SessionCreated>> {
    s.limits.session(&*s.store, &user.id).await?;
    let amount = validate(&s, &req)?;
    let client_ip = crate::client_ip::client_ip(peer, &headers, &s.config.trusted_proxies);

    let session = within_deadline(
        s.config.request_deadline,
        s.proof.create_session(&proof_api::CreateSession {
            partner_user_id: user.id.clone(),
            user_email: user.email.clone(),
            network: req.network.clone(),
            currency: req.currency.clone(),
            amount: amount.clone(),
            tx_type: Some(req.tx_type.clone()),
            redirect_url: None,
            client_ip: Some(client_ip.to_string()),
            address: req.address.clone(),
        }),
    )
    .await?
    .map_err(|e| AppError::from_proof(e, Some((&req.currency, &req.network))))?;
    let id = session.merchant_transaction_id.clone();

    s.store
        .insert_transaction(
            &NewTransaction {
                id: id.clone(),
                owner: user.id.clone(),
                tx_type: req.tx_type.clone(),
                currency: req.currency.clone(),
                network: req.network.clone(),
                amount,
                created_at: now_iso(),
            },
            s.relay.lease(),
        )
        .await?;

    let link = crate::config::random_token();
    let expires_at = now_unix() + s.config.widget_link_ttl.as_secs();
    let session_json = serde_json::to_string(&session).map_err(|e| AppError::Internal(e.to_string()))?;
    s.store.insert_link(&link_hash(&link), &id, &session_json, expires_at).await?;
    s.relay.watch_created(&id);

    let widget_url = s.public_base.join(&format!("w/{link}")).map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(tx_id = %id, tx_type = req.tx_type.as_str(), currency = %req.currency, network = %req.network, "session created");
    Ok(Json(SessionCreated {
        merchant_transaction_id: id,
        widget_url: widget_url.to_string(),
        widget_url_expires_at: expires_at,
    }))
}

/// Links are stored by hash, so the database alone cannot open them.
pub(crate) fn link_hash(link: &str) -> String {
    hex::encode(Sha256::digest(link.as_bytes()))
}

fn validate(s: &AppState, req: &CreateSession) -> AppResult<Amount> {
    let c = &s.config;
    match req.tx_type {
        TxType::Buy => {}
        TxType::Sell if c.sell_enabled => {}
        TxType::Sell => return Err(AppError::invalid("type", "Selling is not available in this app.")),
        TxType::Unknown(_) => return Err(AppError::invalid("type", "Choose buy or sell.")),
    }
    if !valid_symbol(&req.currency) {
        return Err(AppError::invalid("currency", "Choose a currency from the list."));
    }
    if !valid_symbol(&req.network) {
        return Err(AppError::invalid("network", "Choose a network from the list."));
    }
    if !c.pairs.iter().any(|(cur, _)| cur == &req.currency) {
        return Err(AppError::invalid(
            "currency",
            format!("{} is not available. Choose a currency from the list.", req.currency),
        ));
    }
    if !c.pairs.iter().any(|(cur, net)| cur == &req.currency && net == &req.network) {
        let nets: Vec<&str> = c.pairs.iter().filter(|(cur, _)| cur == &req.currency).map(|(_, n)| n.as_str()).collect();
        return Err(AppError::invalid(
            "network",
            format!("{} is not available on {}. Available networks: {}.", req.currency, req.network, nets.join(", ")),
        ));
    }
    let amount = Amount::parse(req.amount.as_str())
        .map_err(|_| AppError::invalid("amount", "Enter the amount as a number such as 25 or 99.50."))?;
    let value = decimal(&amount);
    if value < decimal(&c.min_amount) || value > decimal(&c.max_amount) || amount.is_zero() {
        return Err(AppError::invalid(
            "amount",
            format!("Enter an amount between {} and {} {}.", c.min_amount, c.max_amount, req.currency),
        ));
    }
    if let Some(address) = &req.address {
        if !c.accept_user_address {
            return Err(AppError::invalid("address", "This app chooses the wallet for you; remove the address."));
        }
        // The same reader the app used: checksums, and the address must fit the network.
        ramp_api::address::validate(&req.network, address).map_err(|e| AppError::invalid("address", e.to_string()))?;
    }
    Ok(amount)
}
