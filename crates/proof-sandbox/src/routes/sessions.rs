//! `POST /widget/session`: validation as Proof does it, then a new pending transaction.

use std::net::IpAddr;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use proof_api::{Amount, Session, Transaction, TxStatus, TxType};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256, Sha512};
use tokio::sync::broadcast;

use super::api::Partner;
use crate::errors::ApiFailure;
use crate::state::{SandboxState, TxRecord, now_iso};

/// Create a session: parse → validate → record a pending transaction → answer §5.1's shape.
pub(crate) async fn sessions_create(
    State(state): State<SandboxState>,
    Extension(Partner(partner)): Extension<Partner>,
    body: Bytes,
) -> Result<Json<Session>, ApiFailure> {
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| ApiFailure::decode(format!("the body is not valid JSON: {e}")))?;
    let obj = value.as_object().ok_or_else(|| ApiFailure::decode("the body must be a JSON object"))?;
    let req = Validated::from_body(&state, obj)?;

    let cfg = state.config();
    let id = uuid::Uuid::new_v4().to_string();
    let address = req.address.clone().unwrap_or_else(|| wallet_address(partner, &req.currency, &req.network));
    let signature = sign(
        &state,
        &[&id, &req.user_id, &req.currency, &req.network, req.amount.as_str(), req.client_ip.as_deref().unwrap_or("")],
    );
    let init_token = init_token(&state, &id, &cfg.widget_id);
    let now = now_iso();
    let tx = Transaction {
        merchant_transaction_id: id.clone(),
        partner_user_id: req.user_id.clone(),
        tx_type: req.tx_type.clone(),
        status: TxStatus::Pending,
        currency: req.currency.clone(),
        network: req.network.clone(),
        crypto_amount: None,
        fiat_currency: cfg.fiat_currency.clone(),
        fiat_amount: None,
        created_at: now.clone(),
        updated_at: now,
    };
    let session = Session {
        merchant_transaction_id: id.clone(),
        widget_id: cfg.widget_id.clone(),
        address: address.clone(),
        signature: signature.clone(),
        init_token: init_token.clone(),
        init_token_type: "sdk_partner_authorization".to_owned(),
        currency: req.currency.clone(),
        currencies: Some(cfg.currencies.clone()),
        fix_currency: true,
        network: req.network.clone(),
        networks: Some(networks(&state)),
        fix_network: vec![req.network.clone()],
        amount: req.amount.clone(),
        fix_amount: true,
        fiat_currency: cfg.fiat_currency.clone(),
        fiat_currencies: Some(cfg.fiat_currencies.clone()),
        fix_fiat_currency: Some(false),
        fix_fiat_amount: Some(true),
        tx_type: req.tx_type.clone(),
        lang: Some(cfg.lang.clone()),
        theme: Some(cfg.theme.clone()),
        redirect_url: req.redirect_url.clone().or_else(|| cfg.redirect_url.clone()),
        extra: Map::new(),
    };

    let mut db = state.db();
    let persona =
        db.user(partner, &req.user_id, Some(&req.email), true).map(|u| u.persona).unwrap_or(crate::Persona::FirstTime);
    let (updates, _) = broadcast::channel(16);
    let record = TxRecord {
        partner,
        tx,
        persona,
        email: req.email,
        client_ip: req.client_ip,
        amount: req.amount,
        address,
        widget_id: cfg.widget_id.clone(),
        signature,
        init_token,
        expires_at: Instant::now() + cfg.init_token_ttl,
        payment_method: None,
        updates,
    };
    db.txs.insert(id.clone(), record);
    drop(db);
    tracing::info!(tx_id = %id, ?persona, "session created");
    Ok(Json(session))
}

/// The request's fields after validation.
struct Validated {
    user_id: String,
    email: String,
    network: String,
    currency: String,
    amount: Amount,
    tx_type: TxType,
    redirect_url: Option<String>,
    client_ip: Option<String>,
    address: Option<String>,
}

impl Validated {
    fn from_body(state: &SandboxState, obj: &Map<String, Value>) -> Result<Self, ApiFailure> {
        let cfg = state.config();
        let user_id = required(obj, "partner_user_id")?;
        let email = required(obj, "user_email")?;
        let network = required(obj, "network")?;
        let currency = required(obj, "currency")?;
        let amount = match obj.get("amount") {
            Some(Value::Number(n)) => {
                return Err(ApiFailure::validation(format!("amount must be a decimal string: send \"{n}\", not {n}")));
            }
            _ => required(obj, "amount")?,
        };
        let amount = Amount::parse(&amount).map_err(|e| ApiFailure::validation(format!("amount: {e}")))?;
        if amount.is_zero() {
            return Err(ApiFailure::validation("amount must be greater than zero"));
        }
        let tx_type = match optional(obj, "type")?.as_deref() {
            None | Some("buy") => TxType::Buy,
            Some("sell") => TxType::Sell,
            Some(other) => {
                return Err(ApiFailure::validation(format!("type must be \"buy\" or \"sell\", got {other:?}")));
            }
        };
        if tx_type == TxType::Sell && !cfg.sell_enabled {
            return Err(ApiFailure::validation(
                "sell (off-ramp) is not enabled for this partner; ask Proof to enable it",
            ));
        }
        if email.split_once('@').is_none_or(|(local, domain)| local.is_empty() || !domain.contains('.')) {
            return Err(ApiFailure::validation(format!("user_email {email:?} is not an email address")));
        }
        let client_ip = optional(obj, "client_ip")?;
        if let Some(ip) = &client_ip {
            ip.parse::<IpAddr>()
                .map_err(|_| ApiFailure::validation(format!("client_ip {ip:?} is not an IPv4 or IPv6 address")))?;
        }
        let redirect_url = optional(obj, "redirect_url")?;
        if let Some(u) = &redirect_url {
            url::Url::parse(u)
                .ok()
                .filter(|u| matches!(u.scheme(), "https" | "http"))
                .ok_or_else(|| ApiFailure::validation(format!("redirect_url {u:?} is not an http(s) URL")))?;
        }
        let address = optional(obj, "address")?;
        if !cfg.currencies.contains(&currency) {
            return Err(ApiFailure::currency_not_allowed(&currency));
        }
        if !cfg.wallets.iter().any(|w| w.currency == currency && w.network == network) {
            return Err(ApiFailure::wallet_not_supported(&currency, &network));
        }
        Ok(Self { user_id, email, network, currency, amount, tx_type, redirect_url, client_ip, address })
    }
}

/// A required string field; empty counts as missing.
fn required(obj: &Map<String, Value>, field: &str) -> Result<String, ApiFailure> {
    optional(obj, field)?.ok_or_else(|| ApiFailure::missing_param(field))
}

/// An optional string field; `null` and `""` count as absent.
fn optional(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiFailure> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiFailure::validation(format!("{field} must be a string"))),
    }
}

fn networks(state: &SandboxState) -> Vec<String> {
    let mut n: Vec<String> = state.config().wallets.iter().map(|w| w.network.clone()).collect();
    n.sort();
    n.dedup();
    n
}

/// `v2:` + 128 hex characters: HMAC-SHA512 over the session's fields.
fn sign(state: &SandboxState, parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(&state.inner.secret).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p.as_bytes());
        mac.update(b"\x1f");
    }
    format!("v2:{}", hex::encode(mac.finalize().into_bytes()))
}

/// A JWT-shaped token (`header.payload.signature`, base64url) naming the transaction.
fn init_token(state: &SandboxState, tx_id: &str, widget_id: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string());
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d + state.config().init_token_ttl)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let payload =
        URL_SAFE_NO_PAD.encode(json!({"sub": tx_id, "wid": widget_id, "exp": exp, "iss": "proof-sandbox"}).to_string());
    let mut mac = Hmac::<Sha256>::new_from_slice(&state.inner.secret).expect("HMAC takes any key length");
    mac.update(format!("{header}.{payload}").as_bytes());
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// A stable address per partner and pair, well formed for its network (checksums included, as
/// Proof's are), from a hash: nobody holds its key, so nothing sent to it is ever spent.
fn wallet_address(partner: usize, currency: &str, network: &str) -> String {
    let digest = Sha256::digest(format!("proof-sandbox/{partner}/{currency}/{network}"));
    let body = &digest[..20];
    match network {
        // TRON: base58check of 0x41 and the 20-byte account.
        "TRC20" => bs58::encode([&[0x41u8][..], body].concat()).with_check().into_string(),
        // Bitcoin: a native SegWit (P2WPKH) address.
        "BITCOIN" => bech32::segwit::encode_v0(bech32::hrp::BC, body).unwrap_or_default(),
        // EVM: lower case, which carries no checksum (EIP-55 reads mixed case only).
        _ => format!("0x{}", hex::encode(body)),
    }
}

#[cfg(test)]
mod address_tests {
    use super::wallet_address;

    /// The app checks a sale's deposit address by the network's rules before it shows it: the
    /// sandbox's must pass, as Proof's do.
    #[test]
    fn deposit_addresses_are_valid_for_their_network() {
        for (currency, network) in
            [("USDT", "TRC20"), ("USDT", "ERC20"), ("USDT", "BEP20"), ("ETH", "ERC20"), ("BTC", "BITCOIN")]
        {
            let address = wallet_address(0, currency, network);
            let read = ramp_api::address::parse(&address, network);
            assert!(read.is_ok(), "{currency} on {network}: {address} {read:?}");
        }
    }
}
