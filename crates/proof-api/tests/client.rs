//! The client against the sandbox over real loopback sockets: every documented success and
//! error, plus the retry policy against a scripted peer that counts attempts.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::any;
use common::*;
use proof_api::{Error, ErrorCode, ErrorSlug, KycStatus, ProofClient, RetryPolicy, TxStatus, TxType};
use proof_sandbox::Faults;

#[tokio::test]
async fn creates_a_session_with_the_documented_shape() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("user-123", "user@example.com", TxType::Buy)).await.expect("session");
    assert!(s.signature.starts_with("v2:") && s.signature.len() == 3 + 128, "signature {}", s.signature);
    assert!(s.signature[3..].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(s.init_token.split('.').count(), 3);
    assert_eq!(s.init_token_type, "sdk_partner_authorization");
    assert!(s.fix_currency && s.fix_amount);
    assert_eq!(s.fix_network, vec!["TRC20".to_owned()]);
    assert_eq!(s.fix_fiat_currency, Some(false));
    assert_eq!((s.currency.as_str(), s.network.as_str(), s.amount.as_str()), ("USDT", "TRC20", "100"));
    assert_eq!(s.tx_type, TxType::Buy);
    assert!(s.address.starts_with('T'));

    let tx = proof.transaction(&s.merchant_transaction_id).await.expect("transaction");
    assert_eq!(tx.status, TxStatus::Pending);
    assert_eq!(tx.partner_user_id, "user-123");
    assert!(tx.crypto_amount.is_none());

    let kyc = proof.kyc_status("user-123").await.expect("kyc");
    assert_eq!(kyc.status, KycStatus::NotStarted);
}

#[tokio::test]
async fn wrong_token_is_a_configuration_error_with_a_request_id() {
    let sb = sandbox(config()).await;
    let err = client(&sb.base_url(), "not-a-token").kyc_status("user-123").await.expect_err("refused");
    assert!(err.is_configuration(), "{err}");
    let api = err.api().expect("an API error");
    assert_eq!(
        (api.status, &api.body.error, &api.body.code),
        (401, &ErrorSlug::Unauthorised, &Some(ErrorCode::InvalidToken))
    );
    assert!(err.request_id().is_some_and(|id| id.starts_with("req_")));
}

#[tokio::test]
async fn unregistered_origin_is_a_configuration_error() {
    let sb = sandbox(proof_sandbox::Config { origins: vec!["https://partner.example".into()], ..config() }).await;
    let bad = ProofClient::builder(sb.base_url(), TOKEN).origin("https://evil.example").build().expect("builds");
    let err = bad.kyc_status("verified-1").await.expect_err("refused");
    assert!(
        matches!(err, Error::Misconfigured(ref e) if e.status == 403 && e.has_code(&ErrorCode::ForbiddenOrigin)),
        "{err}"
    );
    assert!(err.is_configuration() && err.needs_operator());

    let good = ProofClient::builder(sb.base_url(), TOKEN).origin("https://partner.example").build().expect("builds");
    assert_eq!(good.kyc_status("verified-1").await.expect("allowed").status, KycStatus::Verified);
}

#[tokio::test]
async fn currency_and_wallet_errors_are_for_operators() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let mut req = session_request("u1", "u1@example.com", TxType::Buy);
    req.currency = "XRP".into();
    let err = proof.create_session(&req).await.expect_err("XRP is not enabled");
    assert!(matches!(err, Error::CurrencyNotAllowed(_)) && err.needs_operator(), "{err}");

    req.currency = "DAI".into(); // enabled, but no DAI wallet on TRC20
    let err = proof.create_session(&req).await.expect_err("no wallet");
    assert!(
        matches!(err, Error::WalletNotSupported(ref e) if e.status == 400 && e.has_code(&ErrorCode::WalletNotSupported)),
        "{err}"
    );
}

#[tokio::test]
async fn invalid_requests_are_not_retried_and_name_the_field() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let mut req = session_request("", "u@example.com", TxType::Buy);
    let err = proof.create_session(&req).await.expect_err("missing id");
    let api = err.api().expect("api error");
    assert!(matches!(err, Error::InvalidRequest(_)));
    assert!(api.has_code(&ErrorCode::MissingParam) && api.body.message.contains("partner_user_id"), "{err}");

    req.partner_user_id = "u".into();
    req.client_ip = Some("not-an-ip".into());
    let err = proof.create_session(&req).await.expect_err("bad ip");
    assert!(
        err.api().is_some_and(|a| a.has_code(&ErrorCode::ValidationError) && a.body.message.contains("client_ip")),
        "{err}"
    );
}

#[tokio::test]
async fn sell_is_refused_when_not_enabled() {
    let sb = sandbox(proof_sandbox::Config { sell_enabled: false, ..config() }).await;
    let err = client(&sb.base_url(), TOKEN)
        .create_session(&session_request("seller-1", "seller@example.com", TxType::Sell))
        .await
        .expect_err("sell off");
    assert!(matches!(err, Error::InvalidRequest(ref e) if e.body.message.contains("sell")), "{err}");
}

#[tokio::test]
async fn unknown_and_foreign_ids_are_not_found() {
    let sb = sandbox(config()).await;
    let mine = client(&sb.base_url(), TOKEN);
    let theirs = client(&sb.base_url(), OTHER_TOKEN);
    let s = mine.create_session(&session_request("user-1", "user1@example.com", TxType::Buy)).await.expect("session");

    assert!(matches!(mine.transaction("no-such-id").await, Err(Error::NotFound(_))));
    assert!(
        matches!(theirs.transaction(&s.merchant_transaction_id).await, Err(Error::NotFound(_))),
        "another partner's tx"
    );
    assert!(matches!(mine.kyc_status("never-seen").await, Err(Error::NotFound(_))));
    assert!(matches!(theirs.kyc_status("user-1").await, Err(Error::NotFound(_))), "another partner's user");
    // Odd characters in ids are escaped into one path segment, not a different route.
    assert!(matches!(mine.transaction("../session").await, Err(Error::NotFound(_))));
}

#[tokio::test]
async fn sandbox_502s_are_retried_until_they_stop() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    sb.set_faults(Faults { error_502_rate: 1.0, ..Faults::default() });
    let err = proof.kyc_status("verified-1").await.expect_err("always 502");
    assert!(
        matches!(err, Error::Upstream(ref e) if e.status == 502 && e.body.error == ErrorSlug::UpstreamError),
        "{err}"
    );
    assert!(err.request_id().is_some());

    sb.set_faults(Faults { error_502_rate: 0.5, ..Faults::default() });
    let generous = ProofClient::builder(sb.base_url(), TOKEN)
        .retry(RetryPolicy { max_retries: 12, ..fast_retry() })
        .build()
        .expect("builds");
    for _ in 0..10 {
        assert_eq!(generous.kyc_status("verified-1").await.expect("retries get through").status, KycStatus::Verified);
    }
}

#[tokio::test]
async fn latency_beyond_the_timeout_is_a_transport_error() {
    let sb = sandbox(config()).await;
    sb.set_faults(Faults { latency_ms: 400, ..Faults::default() });
    let proof = ProofClient::builder(sb.base_url(), TOKEN)
        .timeout(std::time::Duration::from_millis(100))
        .retry(RetryPolicy::NONE)
        .build()
        .expect("builds");
    assert!(matches!(proof.kyc_status("verified-1").await, Err(Error::Transport(ref e)) if e.is_timeout()));
}

/// A peer that answers from a script and counts requests.
async fn scripted(script: Vec<(u16, &'static str)>) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(any(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let (status, body) = script.get(n).or(script.last()).copied().unwrap_or((500, "{}"));
        async move {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [("content-type", "application/json"), ("x-request-id", "req-scripted")], body).into_response()
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), hits)
}

const KYC_OK: &str = r#"{"partner_user_id":"u","status":"verified"}"#;
const INTERNAL: &str = r#"{"error":"internal_error","code":"db_error","message":"db down"}"#;
const UPSTREAM: &str = r#"{"error":"upstream_unavailable","code":"upstream_unavailable","message":"provider down"}"#;
const BAD: &str = r#"{"error":"invalid_request","code":"validation_error","message":"bad"}"#;

#[tokio::test]
async fn internal_error_is_retried_exactly_once() {
    let (base, hits) = scripted(vec![(500, INTERNAL), (500, INTERNAL), (200, KYC_OK)]).await;
    let err = client(&base, TOKEN).kyc_status("u").await.expect_err("two 500s");
    assert!(matches!(err, Error::ProofFault(_)));
    assert_eq!(err.request_id(), Some("req-scripted"));
    assert_eq!(hits.load(Ordering::SeqCst), 2, "one attempt plus one retry");

    let (base, hits) = scripted(vec![(500, INTERNAL), (200, KYC_OK)]).await;
    assert!(client(&base, TOKEN).kyc_status("u").await.is_ok());
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn bad_gateway_is_retried_with_backoff_up_to_the_cap() {
    let (base, hits) = scripted(vec![(502, UPSTREAM), (502, UPSTREAM), (502, UPSTREAM), (200, KYC_OK)]).await;
    assert!(client(&base, TOKEN).kyc_status("u").await.is_ok());
    assert_eq!(hits.load(Ordering::SeqCst), 4);

    let (base, hits) = scripted(vec![(502, UPSTREAM)]).await;
    assert!(matches!(client(&base, TOKEN).kyc_status("u").await, Err(Error::Upstream(_))));
    assert_eq!(hits.load(Ordering::SeqCst), 1 + fast_retry().max_retries);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, body) in [(400, BAD), (401, r#"{"error":"unauthorized","request_id":"r1"}"#), (404, "{}")] {
        let (base, hits) = scripted(vec![(status, body), (200, KYC_OK)]).await;
        let err = client(&base, TOKEN).kyc_status("u").await.expect_err("4xx");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "HTTP {status} was retried: {err}");
    }
}

#[tokio::test]
async fn non_json_error_bodies_keep_status_and_a_snippet() {
    let (base, _) = scripted(vec![(503, "<html>maintenance</html>")]).await;
    let proof = ProofClient::builder(&base, TOKEN).retry(RetryPolicy::NONE).build().expect("builds");
    let err = proof.kyc_status("u").await.expect_err("503");
    let api = err.api().expect("api error");
    assert_eq!(api.status, 503);
    assert!(api.body.message.contains("maintenance"));
}

#[tokio::test]
async fn a_2xx_that_breaks_the_contract_is_reported() {
    let (base, _) = scripted(vec![(200, r#"{"partner_user_id":1}"#)]).await;
    let err = client(&base, TOKEN).kyc_status("u").await.expect_err("bad body");
    assert!(matches!(err, Error::InvalidResponse { status: 200, .. }), "{err}");
}

#[tokio::test]
async fn refused_connections_are_transport_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = client(&format!("http://{addr}"), TOKEN).kyc_status("u").await.expect_err("nothing listens");
    assert!(matches!(err, Error::Transport(_)), "{err}");
}

#[test]
fn bad_settings_are_refused_at_build_time() {
    assert!(matches!(ProofClient::builder("ftp://x", TOKEN).build(), Err(Error::Config(_))));
    assert!(matches!(ProofClient::builder("not a url", TOKEN).build(), Err(Error::Config(_))));
    assert!(matches!(ProofClient::builder("https://x", " ").build(), Err(Error::Config(_))));
    assert!(matches!(ProofClient::builder("https://x", "a\nb").build(), Err(Error::Config(_))));
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let builder = ProofClient::builder("https://proof.example/base", "super-secret-value");
    let dbg = format!("{builder:?}");
    assert!(!dbg.contains("super-secret-value") && dbg.contains("proof.example"), "{dbg}");
    let c = builder.build().expect("builds");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("super-secret-value"), "{dbg}");
    assert_eq!(c.base_url().as_str(), "https://proof.example/base/");
}
