//! Every documented example payload survives a trip through the typed models unchanged.

use proof_api::{
    CreateSession, ErrorBody, ErrorCode, ErrorSlug, KycStatus, PaymentFinished, SellTransferEnabled, Session,
    Transaction, TxStatus, TxUpdate, UserKyc, WebhookEvent, WidgetStatusChange,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = testkit::crate_dir().join("fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Parse into `T`, write it back, and compare as JSON values (key order and spacing aside).
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let raw = fixture(name);
    let typed: T = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    let back = serde_json::to_value(&typed).expect("serialises");
    let original: Value = serde_json::from_str(&raw).expect("fixture is JSON");
    assert_eq!(back, original, "{name} changed in a round trip");
    typed
}

#[test]
fn session_request_round_trips() {
    let req: CreateSession = round_trip("session_request.json");
    assert_eq!(req.amount.as_str(), "100");
    assert_eq!(req.client_ip.as_deref(), Some("203.0.113.42"));
}

#[test]
fn session_response_round_trips_with_omitted_optionals() {
    let s: Session = round_trip("session_response.json");
    assert_eq!(s.fix_network, vec!["TRC20".to_owned()]);
    assert!(s.currencies.is_none() && s.lang.is_none() && s.redirect_url.is_none());
}

#[test]
fn session_keeps_unknown_fields_for_pass_through() {
    let mut v: Value = serde_json::from_str(&fixture("session_response.json")).expect("JSON");
    v["brand_new_option"] = serde_json::json!({"nested": [1, 2]});
    let s: Session = serde_json::from_value(v.clone()).expect("parses");
    assert_eq!(serde_json::to_value(&s).expect("serialises"), v);
}

#[test]
fn transaction_round_trips() {
    let tx: Transaction = round_trip("transaction.json");
    assert_eq!(tx.status, TxStatus::Completed);
    assert!(tx.status.is_terminal());
    assert_eq!(tx.crypto_amount.as_ref().map(|a| a.as_str()), Some("99.50"));
}

#[test]
fn empty_crypto_amount_reads_as_none_and_writes_back_empty() {
    let mut v: Value = serde_json::from_str(&fixture("transaction.json")).expect("JSON");
    v["status"] = "pending".into();
    v["crypto_amount"] = "".into();
    let tx: Transaction = serde_json::from_value(v.clone()).expect("parses");
    assert!(tx.crypto_amount.is_none());
    assert_eq!(serde_json::to_value(&tx).expect("serialises"), v);
}

#[test]
fn kyc_status_round_trips() {
    let k: UserKyc = round_trip("kyc_status.json");
    assert_eq!(k.status, KycStatus::Verified);
}

#[test]
fn ws_update_round_trips() {
    let u: TxUpdate = round_trip("ws_tx_update.json");
    assert_eq!(u.payment_method.as_deref(), Some("card"));
}

#[test]
fn webhook_round_trips() {
    let w: WebhookEvent = round_trip("webhook.json");
    assert_eq!(w.network, "TRC20");
}

#[test]
fn widget_callbacks_round_trip() {
    let s: WidgetStatusChange = round_trip("widget_status_change.json");
    assert_eq!(s.status, "paid");
    let p: PaymentFinished = round_trip("widget_payment_finished.json");
    assert_eq!(p.payment_method, "card");
    let t: SellTransferEnabled = round_trip("widget_sell_transfer_enabled.json");
    assert_eq!(t.flow_id, "payout");
}

#[test]
fn error_bodies_round_trip() {
    let e: ErrorBody = round_trip("error_invalid_token.json");
    assert_eq!((e.error, e.code), (ErrorSlug::Unauthorised, Some(ErrorCode::InvalidToken)));
    let w: ErrorBody = round_trip("error_wallet_not_supported.json");
    assert_eq!(w.code, Some(ErrorCode::WalletNotSupported));
}

#[test]
fn legacy_unauthorized_spelling_is_accepted() {
    let e: ErrorBody = serde_json::from_str(&fixture("error_legacy_unauthorized.json")).expect("parses");
    assert_eq!(e.error, ErrorSlug::Unauthorised);
    assert_eq!(e.code, None);
    assert_eq!(e.request_id.as_deref(), Some("req-7f3a"));
}

#[test]
fn unknown_enum_values_are_kept_verbatim() {
    let mut v: Value = serde_json::from_str(&fixture("transaction.json")).expect("JSON");
    v["status"] = "on_hold".into();
    v["type"] = "swap".into();
    let tx: Transaction = serde_json::from_value(v.clone()).expect("parses");
    assert_eq!(tx.status, TxStatus::Unknown("on_hold".into()));
    assert!(!tx.status.is_terminal());
    assert_eq!(serde_json::to_value(&tx).expect("serialises"), v);

    let e: ErrorBody = serde_json::from_str(r#"{"error":"teapot","code":"HOT","message":"x"}"#).expect("parses");
    assert_eq!(e.error, ErrorSlug::Unknown("teapot".into()));
    assert_eq!(e.code, Some(ErrorCode::Unknown("HOT".into())));
}

#[test]
fn amounts_are_never_numbers() {
    let mut v: Value = serde_json::from_str(&fixture("transaction.json")).expect("JSON");
    v["crypto_amount"] = serde_json::json!(99.5);
    assert!(serde_json::from_value::<Transaction>(v).is_err(), "a float amount must be refused");
}
