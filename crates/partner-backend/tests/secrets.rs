//! The client token never leaks: a whole flow with a distinctive token, and every response body,
//! header and log line (at DEBUG, every crate) is searched for it. The user's email and the
//! app's bearer token must not be logged either.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use partner_backend::Backend;
use partner_backend::auth::AppUser;
use partner_backend::config::{ProofTarget, Secret};
use proof_sandbox::Sandbox;
use serde_json::json;
use url::Url;

const CANARY: &str = "CANARY-client-token-9f8e7d6c5b4a";
const KEY: &str = "secrets-test-signing-key-0123456789ab";
const EMAIL: &str = "leak.check.person@example.com";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything a response exposes, as text.
async fn exposed(r: reqwest::Response) -> String {
    let mut out = format!("{}\n", r.status());
    for (k, v) in r.headers() {
        out.push_str(&format!("{k}: {}\n", v.to_str().unwrap_or("<bytes>")));
    }
    out + &r.text().await.unwrap_or_default()
}

#[tokio::test]
async fn the_client_token_appears_in_no_response_and_no_log_line() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt().with_env_filter("debug").with_ansi(false).with_writer(move || writer.clone()).init();

    let sandbox = Sandbox::start(proof_sandbox::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        client_tokens: vec![CANARY.into()],
        settle_after: Duration::from_millis(200),
        ..proof_sandbox::Config::default()
    })
    .await
    .expect("sandbox");
    let dir = Scratch::new("secrets");
    let mut config = test_config(dir.db_url());
    config.proof = ProofTarget::Remote {
        base_url: Url::parse(&sandbox.base_url()).expect("url"),
        client_token: Secret::new(CANARY),
        widget_script_url: Url::parse(&sandbox.widget_script_url()).expect("url"),
    };
    config.auth_signing_key = Secret::new(KEY);
    let config_debug = format!("{config:?}");
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    let user = AppUser { id: "first-leakcheck".into(), email: EMAIL.into() };
    let login = backend.start_app_session(&user).await.expect("app session");
    let first_refresh = login.refresh_token.clone().expect("a refresh token");
    // A renewal: its answer carries a new pair by design; neither may reach a log line.
    let renewed: ramp_api::LoginResponse = api
        .http
        .post(format!("{}/v1/auth/refresh", api.base))
        .json(&json!({ "refresh_token": first_refresh }))
        .send()
        .await
        .expect("refresh answers")
        .json()
        .await
        .expect("renewed");
    let token = renewed.token.clone();
    let second_refresh = renewed.refresh_token.clone().expect("a new refresh token");

    let mut seen = vec![config_debug];
    seen.push(exposed(api.get(&token, "/v1/config").await).await);
    seen.push(exposed(api.get(&token, "/v1/me/kyc").await).await);
    let r = api
        .post(&token, "/v1/sessions", &json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"}))
        .await;
    let body = exposed(r).await;
    let created: ramp_api::SessionCreated =
        serde_json::from_str(body.rsplit('\n').next().unwrap_or_default()).expect("session body");
    seen.push(body);
    let page = api.http.get(&created.widget_url).send().await.expect("page");
    let html = exposed(page).await;
    let session = session_from_html(&html);
    let (init_token, signature) = (
        session["init_token"].as_str().expect("init_token").to_owned(),
        session["signature"].as_str().expect("signature").to_owned(),
    );
    let widget = Widget::open_parsed(&api, session, &sandbox.base_url());
    seen.push(html);
    widget.first_time_buy().await;
    let events = api.events(&token, &created.merchant_transaction_id, None).await;
    assert_eq!(statuses(&events).last(), Some(&"completed"));
    seen.push(serde_json::to_string(&events).expect("json"));
    seen.push(exposed(api.get(&token, "/v1/transactions").await).await);
    seen.push(exposed(api.get(&token, &format!("/v1/transactions/{}", created.merchant_transaction_id)).await).await);
    seen.push(exposed(api.post(&token, "/v1/sessions", &json!({"type": "buy"})).await).await);
    seen.push(exposed(api.get(&token, "/v1/transactions/nope").await).await);
    seen.push(exposed(api.http.get(&created.widget_url).send().await.expect("used")).await);
    // A Proof failure must not echo the token either.
    sandbox.set_faults(proof_sandbox::Faults { error_502_rate: 1.0, ..Default::default() });
    seen.push(exposed(api.get(&token, "/v1/me/kyc").await).await);
    // Signing this device out (the refresh token in the body) is logged without it.
    let out = api.http.post(format!("{}/v1/auth/sign-out", api.base)).json(&json!({ "refresh_token": second_refresh }));
    assert_eq!(out.send().await.expect("sign-out answers").status(), 204);
    backend.shutdown().await;

    for (i, s) in seen.iter().enumerate() {
        assert!(!s.contains(CANARY), "response {i} exposes the client token:\n{s}");
    }
    let log = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf-8 logs");
    assert!(log.contains("session created") && log.contains("transaction status changed"), "the logs were captured");
    assert!(!log.contains(CANARY), "a log line contains the client token");
    assert!(!log.contains(EMAIL), "a log line contains the user's email");
    assert!(!log.contains(&token), "a log line contains the app token");
    assert!(!log.contains(&login.token), "a log line contains the first app token");
    for (what, secret) in [
        ("the first refresh token", &first_refresh),
        ("the rotated refresh token", &second_refresh),
        ("Proof's init_token", &init_token),
        ("the session's signature", &signature),
    ] {
        assert!(!secret.is_empty() && !log.contains(secret.as_str()), "a log line contains {what}");
    }
    assert!(log.contains("signed a session out"), "the sign-out was logged");
    let link = created.widget_url.rsplit('/').next().unwrap_or_default();
    assert!(!log.contains(link), "a log line contains a widget link token");
}
