//! `POST /v1/sessions`: validate, create the Proof session, record it, and hand the app a
//! single-use, short-lived link to the host page (never the session itself).
//! `POST /v1/transactions/{id}/resume`: another such link to the same session, while it lasts.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use proof_api::{Amount, TxType};
use ramp_api::{CreateSession, ResumeSession, SessionCreated};

use super::{AppJson, within_deadline};
use crate::auth::Authenticated;
use crate::clock::{now_iso, now_unix};
use crate::config::{decimal, valid_symbol};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::secret::secret_hash;
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

    let session_json = serde_json::to_string(&session).map_err(|e| AppError::Internal(e.to_string()))?;
    // Kept while Proof would accept it, so the purchase can be continued (`resume`).
    let until = resume_until(now_unix(), s.config.proof_session_ttl, &session.init_token);
    if until > now_unix() {
        s.store.keep_session(&id, &session_json, until).await?;
    }
    let created = issue_link(&s, &id, &session_json, req.link.as_deref()).await?;
    s.relay.watch_created(&id);
    tracing::info!(tx_id = %id, tx_type = req.tx_type.as_str(), currency = %req.currency, network = %req.network, "session created");
    Ok(Json(created))
}

/// A fresh single-use link to the host page for `session_json` (the Proof session of `id`): the
/// one the app `chose` (already checked by [`chosen_link`]) or a new one. A page held for it
/// ([`ramp_api::link`]) goes on at once.
async fn issue_link(s: &AppState, id: &str, session_json: &str, chose: Option<&str>) -> AppResult<SessionCreated> {
    let link = chose.map_or_else(ramp_api::link::new_token, str::to_owned);
    let expires_at = now_unix() + s.config.widget_link_ttl.as_secs();
    match s.store.insert_link(&secret_hash(&link), id, session_json, expires_at).await {
        // Only a link recorded before can collide: 256 random bits are not guessed, so it was
        // sent again, and is refused rather than shared between two sessions.
        Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            return Err(AppError::invalid("link", Msg::key("invalid.link")));
        }
        other => other?,
    }
    s.relay.links_added.notify_waiters();
    let widget_url = s.public_base.join(&format!("w/{link}")).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(SessionCreated {
        merchant_transaction_id: id.to_owned(),
        widget_url: widget_url.to_string(),
        widget_url_expires_at: expires_at,
    })
}

/// A continued payment window gets at least this long before Proof's session runs out.
const RESUME_MARGIN: u64 = 300;

/// Until when (unix seconds) a session created at `now` may be continued: its lifetime
/// (`PROOF_SESSION_TTL_SECS`), or the `init_token`'s own `exp` claim when it has an earlier one,
/// less [`RESUME_MARGIN`].
fn resume_until(now: u64, ttl: std::time::Duration, init_token: &str) -> u64 {
    let configured = now.saturating_add(ttl.as_secs());
    let end = token_expiry(init_token).map_or(configured, |exp| exp.min(configured));
    end.saturating_sub(RESUME_MARGIN)
}

/// The `exp` claim of a JWT-shaped token, read without checking it (Proof checks it; this only
/// tells when Proof will stop accepting it).
fn token_expiry(token: &str) -> Option<u64> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes).ok()?.get("exp")?.as_u64()
}

/// `POST /v1/transactions/{id}/resume`: a fresh single-use link to an unfinished transaction's
/// payment window, for its owner, while Proof would still accept its session.
pub(crate) async fn sessions_resume(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Json<SessionCreated>> {
    s.limits.session(&*s.store, &user.id).await?;
    // The body may be empty (nothing chosen) or a `ResumeSession`.
    let req: ResumeSession = if body.iter().all(u8::is_ascii_whitespace) {
        ResumeSession::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::invalid("body", Msg::key("invalid.body").with("detail", e.to_string())))?
    };
    let view = match s.store.transaction(&id).await? {
        Some((owner, view)) if owner == user.id => view,
        _ => return Err(AppError::NotFound),
    };
    if view.status.is_terminal() {
        return Err(AppError::NotResumable(Msg::key("resume.ended").with("status", view.status.as_str())));
    }
    let Some(session_json) = s.store.resumable_session(&id, now_unix()).await? else {
        return Err(AppError::NotResumable(Msg::key("resume.expired")));
    };
    let created = issue_link(&s, &id, &session_json, chosen_link(req.link.as_deref())?).await?;
    // Watched again if the watcher had stopped (its first link expired unopened).
    s.relay.ensure_watched(&id);
    tracing::info!(tx_id = %id, "session resumed with a fresh link");
    Ok(Json(created))
}

fn validate(s: &AppState, req: &CreateSession) -> AppResult<Amount> {
    let c = &s.config;
    match req.tx_type {
        TxType::Buy => {}
        TxType::Sell if c.sell_enabled => {}
        TxType::Sell => return Err(AppError::invalid("type", Msg::key("invalid.sell_disabled"))),
        TxType::Unknown(_) => return Err(AppError::invalid("type", Msg::key("invalid.type"))),
    }
    if !valid_symbol(&req.currency) {
        return Err(AppError::invalid("currency", Msg::key("invalid.currency")));
    }
    if !valid_symbol(&req.network) {
        return Err(AppError::invalid("network", Msg::key("invalid.network")));
    }
    if !c.pairs.iter().any(|(cur, _)| cur == &req.currency) {
        return Err(AppError::invalid(
            "currency",
            Msg::key("invalid.currency_unavailable").with("currency", &req.currency),
        ));
    }
    if !c.pairs.iter().any(|(cur, net)| cur == &req.currency && net == &req.network) {
        let nets: Vec<&str> = c.pairs.iter().filter(|(cur, _)| cur == &req.currency).map(|(_, n)| n.as_str()).collect();
        return Err(AppError::invalid(
            "network",
            Msg::key("invalid.network_unavailable")
                .with("currency", &req.currency)
                .with("network", &req.network)
                .with("networks", nets.join(", ")),
        ));
    }
    let amount = Amount::parse(req.amount.as_str())
        .map_err(|_| AppError::invalid("amount", Msg::key("invalid.amount_number")))?;
    let value = decimal(&amount);
    if value < decimal(&c.min_amount) || value > decimal(&c.max_amount) || amount.is_zero() {
        return Err(AppError::invalid(
            "amount",
            Msg::key("invalid.amount_range")
                .with("min", c.min_amount.as_str())
                .with("max", c.max_amount.as_str())
                .with("currency", &req.currency),
        ));
    }
    chosen_link(req.link.as_deref())?;
    if let Some(address) = &req.address {
        if !c.accept_user_address {
            return Err(AppError::invalid("address", Msg::key("invalid.address_not_accepted")));
        }
        // The same reader the app used: checksums, and the address must fit the network.
        ramp_api::address::validate(&req.network, address)
            .map_err(|e| AppError::invalid("address", Msg::Address(e)))?;
    }
    Ok(amount)
}

/// A link the app chose, taken only in the shape the app makes ([`ramp_api::link::is_token`]).
fn chosen_link(link: Option<&str>) -> AppResult<Option<&str>> {
    match link {
        Some(l) if !ramp_api::link::is_token(l) => Err(AppError::invalid("link", Msg::key("invalid.link"))),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use base64::Engine;

    use super::{RESUME_MARGIN, resume_until, token_expiry};

    fn token(claims: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b64(r#"{"alg":"HS256"}"#), b64(claims))
    }

    #[test]
    fn a_session_lasts_until_the_earlier_of_its_lifetime_and_its_tokens_expiry_less_the_margin() {
        let now = 1_800_000_000;
        let hour = Duration::from_secs(3600);
        // The token expires first: its `exp` wins.
        let short = token(&format!(r#"{{"exp":{}}}"#, now + 600));
        assert_eq!(token_expiry(&short), Some(now + 600));
        assert_eq!(resume_until(now, hour, &short), now + 600 - RESUME_MARGIN);
        // The configured lifetime ends first, or the token says nothing: the lifetime.
        let long = token(&format!(r#"{{"exp":{}}}"#, now + 7200));
        assert_eq!(resume_until(now, hour, &long), now + 3600 - RESUME_MARGIN);
        for unreadable in ["opaque-token", "a.%%%.c", &token(r#"{"sub":"x"}"#), &token(r#"{"exp":"soon"}"#)] {
            assert_eq!(token_expiry(unreadable), None, "{unreadable}");
            assert_eq!(resume_until(now, hour, unreadable), now + 3600 - RESUME_MARGIN);
        }
        // A lifetime of 0 turns continuing off: the end is already past.
        assert!(resume_until(now, Duration::ZERO, &short) < now);
    }
}
