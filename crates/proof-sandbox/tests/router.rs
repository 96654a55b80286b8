//! In-process tests of the sandbox router: auth, origin, validation and error shapes.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use proof_sandbox::{Config, SandboxState, app};
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "router-test-token";

fn router(config: Config) -> Router {
    app(SandboxState::new(Config { client_tokens: vec![TOKEN.into()], ..config }))
}

fn session_body() -> Value {
    json!({"partner_user_id":"user-123","user_email":"user@example.com","network":"TRC20","currency":"USDT","amount":"100","type":"buy"})
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    (status, id, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn post_session(body: impl Into<Body>, auth: Option<&str>) -> Request<Body> {
    let mut b = Request::post("/widget/session").header(header::CONTENT_TYPE, "application/json");
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    b.body(body.into()).expect("request")
}

fn bearer() -> Option<&'static str> {
    Some("Bearer router-test-token")
}

async fn expect_error(app: &Router, req: Request<Body>, status: u16, error: &str, code: &str) -> Value {
    let (s, id, body) = send(app, req).await;
    assert_eq!(s.as_u16(), status, "{body}");
    assert_eq!((body["error"].as_str(), body["code"].as_str()), (Some(error), Some(code)), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(id.is_some_and(|i| i.starts_with("req_")), "every error carries X-Request-Id");
    body
}

#[tokio::test]
async fn rejects_missing_auth() {
    let app = router(Config::default());
    expect_error(&app, post_session(session_body().to_string(), None), 401, "unauthorised", "missing_token").await;
}

#[tokio::test]
async fn rejects_unknown_token_and_wrong_scheme() {
    let app = router(Config::default());
    expect_error(
        &app,
        post_session(session_body().to_string(), Some("Bearer nope")),
        401,
        "unauthorised",
        "invalid_token",
    )
    .await;
    expect_error(
        &app,
        post_session(session_body().to_string(), Some("Basic abc")),
        401,
        "unauthorised",
        "invalid_token",
    )
    .await;
    let get = Request::get("/widget/transactions/x").body(Body::empty()).expect("request");
    expect_error(&app, get, 401, "unauthorised", "missing_token").await;
}

#[tokio::test]
async fn rejects_unregistered_origin_and_accepts_registered_or_absent() {
    let app = router(Config { origins: vec!["https://partner.example".into()], ..Config::default() });
    let with_origin = |o: &str| {
        Request::post("/widget/session")
            .header(header::AUTHORIZATION, "Bearer router-test-token")
            .header(header::ORIGIN, o)
            .body(Body::from(session_body().to_string()))
            .expect("request")
    };
    expect_error(&app, with_origin("https://evil.example"), 403, "forbidden", "forbidden_origin").await;
    assert_eq!(send(&app, with_origin("https://partner.example")).await.0, StatusCode::OK);
    assert_eq!(send(&app, post_session(session_body().to_string(), bearer())).await.0, StatusCode::OK);
}

#[tokio::test]
async fn each_missing_field_is_named() {
    let app = router(Config::default());
    for field in ["partner_user_id", "user_email", "network", "currency", "amount"] {
        let mut body = session_body();
        body.as_object_mut().expect("object").remove(field);
        let b =
            expect_error(&app, post_session(body.to_string(), bearer()), 400, "invalid_request", "missing_param").await;
        assert!(b["message"].as_str().is_some_and(|m| m.contains(field)), "{b}");
    }
}

#[tokio::test]
async fn malformed_bodies_are_decode_errors() {
    let app = router(Config::default());
    for body in ["", "{", "[]", "\"text\""] {
        expect_error(&app, post_session(body, bearer()), 400, "invalid_request", "decode_error").await;
    }
}

#[tokio::test]
async fn bad_values_are_validation_errors() {
    let app = router(Config::default());
    let cases = [
        ("amount", json!(100)),
        ("amount", json!("-5")),
        ("amount", json!("1e3")),
        ("amount", json!("0.00")),
        ("type", json!("swap")),
        ("user_email", json!("not-an-email")),
        ("client_ip", json!("999.1.1.1")),
        ("redirect_url", json!("javascript:alert(1)")),
        ("network", json!(5)),
    ];
    for (field, value) in cases {
        let mut body = session_body();
        body[field] = value.clone();
        let b =
            expect_error(&app, post_session(body.to_string(), bearer()), 400, "invalid_request", "validation_error")
                .await;
        assert!(b["message"].as_str().is_some_and(|m| m.contains(field)), "{field}={value}: {b}");
    }
}

#[tokio::test]
async fn currency_and_wallet_policy() {
    let app = router(Config::default());
    let mut body = session_body();
    body["currency"] = json!("XRP");
    expect_error(&app, post_session(body.to_string(), bearer()), 400, "invalid_request", "currency_not_allowed").await;
    body["currency"] = json!("USDC");
    body["network"] = json!("TRC20");
    expect_error(&app, post_session(body.to_string(), bearer()), 400, "wallet_not_supported", "WALLET_NOT_SUPPORTED")
        .await;
}

#[tokio::test]
async fn session_has_every_documented_field() {
    let app = router(Config { redirect_url: Some("https://partner.example/done".into()), ..Config::default() });
    let (status, id, s) = send(&app, post_session(session_body().to_string(), bearer())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(id.is_some());
    for f in [
        "merchant_transaction_id",
        "widget_id",
        "address",
        "signature",
        "init_token",
        "init_token_type",
        "currency",
        "currencies",
        "fix_currency",
        "network",
        "networks",
        "fix_network",
        "amount",
        "fix_amount",
        "fiat_currency",
        "fiat_currencies",
        "fix_fiat_currency",
        "fix_fiat_amount",
        "type",
        "lang",
        "theme",
        "redirect_url",
    ] {
        assert!(s.get(f).is_some(), "missing {f}: {s}");
    }
    assert_eq!(s["fix_network"], json!(["TRC20"]));
    assert_eq!(s["redirect_url"], "https://partner.example/done");
    assert_eq!(s["amount"], "100", "amounts stay strings");
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let app = router(Config::default());
    let get = |p: &str| {
        Request::get(p).header(header::AUTHORIZATION, "Bearer router-test-token").body(Body::empty()).expect("req")
    };
    expect_error(&app, get("/widget/transactions/550e8400-e29b-41d4-a716-446655440000"), 404, "not_found", "not_found")
        .await;
    expect_error(&app, get("/widget/users/user-123/kyc-status"), 404, "not_found", "not_found").await;
    expect_error(&app, get("/ws"), 400, "invalid_request", "missing_param").await;
    expect_error(&app, get("/ws?tx_id=nope"), 404, "not_found", "not_found").await;
}

#[tokio::test]
async fn faults_can_be_read_and_changed_and_are_validated() {
    let app = router(Config::default());
    let put = |b: &str| {
        Request::put("/_sandbox/faults")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_owned()))
            .expect("req")
    };
    let (s, _, body) = send(&app, put(r#"{"error_502_rate":1.0}"#)).await;
    assert_eq!((s, body["error_502_rate"].as_f64()), (StatusCode::OK, Some(1.0)));
    expect_error(&app, post_session(session_body().to_string(), bearer()), 502, "upstream_error", "provider_error")
        .await;
    expect_error(&app, put(r#"{"error_502_rate":2}"#), 400, "invalid_request", "validation_error").await;
    expect_error(&app, put(r#"{"nonsense":1}"#), 400, "invalid_request", "decode_error").await;
    // Auth comes before faults: a bad token is still a 401.
    expect_error(
        &app,
        post_session(session_body().to_string(), Some("Bearer x")),
        401,
        "unauthorised",
        "invalid_token",
    )
    .await;
}

#[tokio::test]
async fn serves_the_widget_script() {
    let app = router(Config::default());
    let resp = app.oneshot(Request::get("/widget.2.0.js").body(Body::empty()).expect("req")).await.expect("ok");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()[header::CONTENT_TYPE].to_str().is_ok_and(|c| c.starts_with("application/javascript")));
    let js = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    let js = String::from_utf8_lossy(&js);
    for needle in
        ["proofWidget", "getUserMedia({ video: true })", "onSellTransferEnabled", "onPaymentFinished", "Sandbox"]
    {
        assert!(js.contains(needle), "widget script lacks {needle}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = router(Config::default());
    let big = format!("{{\"partner_user_id\":\"{}\"}}", "x".repeat(100 * 1024));
    let (status, _, _) = send(&app, post_session(big, bearer())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}
