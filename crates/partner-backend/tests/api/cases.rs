use std::time::Duration;

use common::*;
use partner_backend::Backend;
use proof_sandbox::Faults;
use ramp_api::{ErrorEnvelope, KycView, RampConfig, TransactionList, TransactionView};
use serde_json::json;

/// A backend on this suite's store; `None` when that store is not available (PostgreSQL).
async fn start(tweak: impl FnOnce(&mut partner_backend::config::Config)) -> Option<(Backend, Api, TestDb)> {
    let db = TestDb::new(STORE, "api").await?;
    let mut config = test_config(db.url.clone());
    tweak(&mut config);
    let backend = Backend::start(config).await.expect("backend starts");
    let api = Api::new(&backend);
    Some((backend, api, db))
}

fn sandbox_url(b: &Backend) -> String {
    b.sandbox().expect("sandbox mode").base_url()
}

async fn error_of(r: reqwest::Response) -> (u16, ErrorEnvelope) {
    let status = r.status().as_u16();
    let header_id = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: ErrorEnvelope = r.json().await.expect("error envelope");
    assert!(body.error.request_id.is_some() && body.error.request_id == header_id, "request id in body and header");
    assert!(!body.error.message.is_empty());
    (status, body)
}

#[tokio::test]
async fn full_path_from_sign_in_to_completed() {
    let Some((backend, api, _dir)) = start(|_| {}).await else { return };
    let token = api.login("first_time").await;

    let kyc: KycView = api.get(&token, "/v1/me/kyc").await.json().await.expect("kyc");
    assert_eq!(kyc.status.as_str(), "not_started");
    let config: RampConfig = api.get(&token, "/v1/config").await.json().await.expect("config");
    assert!(config.assets.iter().any(|a| a.currency == "USDT" && a.networks.contains(&"TRC20".to_owned())));
    assert_eq!(config.environment, "sandbox");

    let created = api.buy(&token).await;
    assert!(created.widget_url.starts_with(api.base.as_str()) && created.widget_url.contains("/w/"));
    let ttl = created
        .widget_url_expires_at
        .saturating_sub(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs());
    assert!((290..=300).contains(&ttl), "link lives at most five minutes: {ttl}");

    // The host page: HTML, strict headers, every session field.
    let page = api.http.get(&created.widget_url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    let sandbox = sandbox_url(&backend);
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains(&format!("script-src 'self' {sandbox};")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    let pp = h["permissions-policy"].to_str().expect("pp");
    assert!(pp.contains(&format!("camera=(self \"{sandbox}\"")) && pp.contains("geolocation=()"), "{pp}");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!(r#"<script src="{sandbox}/widget.2.0.js"></script>"#)));
    let session = session_from_html(&html);
    for f in [
        "merchant_transaction_id",
        "widget_id",
        "address",
        "signature",
        "init_token",
        "init_token_type",
        "currency",
        "fix_currency",
        "network",
        "fix_network",
        "amount",
        "fix_amount",
        "fiat_currency",
        "type",
    ] {
        assert!(session.get(f).is_some(), "host page lacks {f}");
    }
    assert_eq!(session["merchant_transaction_id"], created.merchant_transaction_id.as_str());

    // The widget (same calls as widget.2.0.js makes) completes the flow.
    let widget = Widget::open_parsed(&api, session, &sandbox);
    widget.first_time_buy().await;

    let events = api.events(&token, &created.merchant_transaction_id, None).await;
    assert_eq!(statuses(&events), ["pending", "processing", "completed"]);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(events[2].crypto_amount.as_ref().map(|a| a.as_str()), Some("25"));

    let list: TransactionList = api.get(&token, "/v1/transactions").await.json().await.expect("list");
    assert_eq!(list.transactions.len(), 1);
    assert_eq!(list.transactions[0].status.as_str(), "completed");
    assert!(list.transactions[0].fiat_amount.is_some());
    let kyc: KycView = api.get(&token, "/v1/me/kyc").await.json().await.expect("kyc");
    assert_eq!(kyc.status.as_str(), "verified");

    // Resuming after the second event replays only the third.
    let rest = api.events(&token, &created.merchant_transaction_id, Some(2)).await;
    assert_eq!(statuses(&rest), ["completed"]);
}

#[tokio::test]
async fn users_never_see_each_others_transactions() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let alice = api.login("verified").await;
    let bob = api.login("verified").await;
    let tx = api.buy(&alice).await.merchant_transaction_id;
    for path in [format!("/v1/transactions/{tx}"), format!("/v1/transactions/{tx}/events")] {
        let (status, body) = error_of(api.get(&bob, &path).await).await;
        assert_eq!((status, body.error.code.as_str()), (404, "not_found"), "{path}");
    }
    let (status, _) = error_of(api.get(&bob, "/v1/transactions/no-such-id").await).await;
    assert_eq!(status, 404, "unknown and foreign ids look the same");
    let list: TransactionList = api.get(&bob, "/v1/transactions").await.json().await.expect("list");
    assert!(list.transactions.is_empty());
    let mine: TransactionView = api.get(&alice, &format!("/v1/transactions/{tx}")).await.json().await.expect("own");
    assert_eq!(mine.id, tx);
}

#[tokio::test]
async fn every_endpoint_needs_a_valid_token() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZW1haWwiOiJ4QHguY28iLCJleHAiOjk5OTk5OTk5OTksImlhdCI6MCwiaXNzIjoicHJvb2YtcmFtcC1iYWNrZW5kIn0.AAAA";
    for path in ["/v1/config", "/v1/me/kyc", "/v1/transactions", "/v1/transactions/x", "/v1/transactions/x/events"] {
        for token in ["", forged] {
            let r = api.get(token, path).await;
            let (status, body) = error_of(r).await;
            assert_eq!((status, body.error.code.as_str()), (401, "unauthenticated"), "{path}");
        }
    }
    let r = api.post(forged, "/v1/sessions", &json!({})).await;
    assert_eq!(r.status(), 401);
}

/// Well-formed tokens that must still be refused: signed with another key, or with the right key
/// but for the other environment (a sandbox token on a production backend and the reverse).
#[tokio::test]
async fn tokens_from_another_key_or_environment_are_refused() {
    use partner_backend::auth::{AppUser, SignedTokens};
    use partner_backend::config::Secret;
    let key = "shared-signing-key-for-both-environments-0123";
    let user = AppUser { id: "verified-aud".into(), email: "aud@example.com".into() };
    let ttl = Duration::from_secs(600);
    let Some((_sandbox, api, _dir)) = start(|c| c.auth_signing_key = Secret::new(key)).await else { return };
    let sandbox_token = SignedTokens::new(key.as_bytes(), ttl).for_sandbox(true).issue(&user).expect("token").0;
    let production_token = SignedTokens::new(key.as_bytes(), ttl).issue(&user).expect("token").0;
    let other_key = SignedTokens::new(b"another-signing-key-entirely-0123456789", ttl).for_sandbox(true);
    let foreign = other_key.issue(&user).expect("token").0;
    assert_eq!(api.get(&sandbox_token, "/v1/config").await.status(), 200, "control: the right token works");
    for (what, token) in [("a production token", &production_token), ("another key's token", &foreign)] {
        let (status, body) = error_of(api.get(token, "/v1/config").await).await;
        assert_eq!((status, body.error.code.as_str()), (401, "unauthenticated"), "sandbox backend, {what}");
    }

    // A production backend (Proof outside it) with the same key refuses the sandbox token.
    let sandbox = proof_sandbox::Sandbox::start(proof_sandbox::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        client_tokens: vec!["aud-token".into()],
        ..proof_sandbox::Config::default()
    })
    .await
    .expect("sandbox");
    let Some((production, api, _dir)) = start(|c| {
        c.auth_signing_key = Secret::new(key);
        c.proof = partner_backend::config::ProofTarget::Remote {
            base_url: url::Url::parse(&sandbox.base_url()).expect("url"),
            client_token: Secret::new("aud-token"),
            widget_script_url: url::Url::parse(&sandbox.widget_script_url()).expect("url"),
        };
    })
    .await
    else {
        return;
    };
    assert_eq!(api.get(&production_token, "/v1/config").await.status(), 200, "control: the right token works");
    let (status, _) = error_of(api.get(&sandbox_token, "/v1/config").await).await;
    assert_eq!(status, 401, "production backend, a sandbox token");

    // The partner's own sign-in starts sessions with refresh tokens through the library.
    let session = production.start_app_session(&user).await.expect("a session");
    assert_eq!(api.get(&session.token, "/v1/config").await.status(), 200);
    let refreshed = refresh(&api, session.refresh_token.as_deref().expect("refresh token")).await;
    assert_eq!(refreshed.status(), 200);
}

async fn refresh(api: &Api, refresh_token: &str) -> reqwest::Response {
    api.http
        .post(format!("{}/v1/auth/refresh", api.base))
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await
        .expect("answers")
}

async fn sandbox_session(api: &Api, persona: &str, fresh: bool) -> ramp_api::LoginResponse {
    let r = api.http.post(format!("{}/v1/sandbox/login", api.base)).json(&json!({"persona": persona, "fresh": fresh}));
    r.send().await.expect("login").json().await.expect("login body")
}

/// A refresh token works once and gives a new one; presenting a used one again (someone has a
/// copy) ends the whole session, its live bearer token included.
#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_session() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let first = sandbox_session(&api, "verified", true).await;
    let r1 = first.refresh_token.clone().expect("a refresh token");
    let renewed: ramp_api::LoginResponse = refresh(&api, &r1).await.json().await.expect("renewed");
    let r2 = renewed.refresh_token.clone().expect("a new refresh token");
    assert_ne!(r1, r2, "rotated");
    assert_eq!(renewed.user, first.user);
    assert_eq!(api.get(&renewed.token, "/v1/config").await.status(), 200);

    let (status, body) = error_of(refresh(&api, &r1).await).await;
    assert_eq!((status, body.error.code.as_str()), (401, "unauthenticated"), "a used token, again");
    assert_eq!(api.get(&renewed.token, "/v1/config").await.status(), 401, "the session ended with it");
    assert_eq!(refresh(&api, &r2).await.status(), 401, "and its newest refresh token too");
    assert_eq!(refresh(&api, "not-a-token").await.status(), 401);
}

/// Leaving the widget reports to the app the way its mode needs: the event URL the app
/// intercepts in webview mode, the app's return link in browser mode (and only there).
#[tokio::test]
async fn the_host_page_leaves_through_the_event_url_or_the_return_link() {
    for browser in [false, true] {
        let Some((_b, api, _dir)) = start(|c| {
            if browser {
                c.widget_mode = ramp_api::WidgetMode::Browser;
            }
        })
        .await
        else {
            return;
        };
        let token = api.login("verified").await;
        let created = api.buy(&token).await;
        let html = api.http.get(&created.widget_url).send().await.expect("page").text().await.expect("html");
        let leave = html
            .split("id=\"host-leave-confirm\"")
            .nth(1)
            .and_then(|rest| rest.split("href=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("the Leave link");
        if browser {
            assert!(leave.starts_with("prooframp://return?v=1&amp;tx="), "{leave}");
            assert!(html.contains("\"return_url\":\"prooframp://return\""), "{html}");
        } else {
            assert!(leave.starts_with(&format!("{}/app/widget-event?v=1&amp;tx=", api.base)), "{leave}");
            assert!(html.contains("\"return_url\":null") && !html.contains("prooframp:"), "{html}");
        }
    }
}

/// Every refresh token, the first one and each rotated one, lives `app_refresh_ttl` from when
/// it was issued: in time it works (a chain of renewals keeps going), after it it is refused.
#[tokio::test]
async fn refresh_tokens_expire_after_their_lifetime() {
    let Some((_b, api, _dir)) =
        start(|c| c.app_refresh_ttl = std::time::Duration::from_secs(2)).await
    else {
        return;
    };
    let lapse = std::time::Duration::from_millis(3_100);
    let first = sandbox_session(&api, "verified", true).await;
    tokio::time::sleep(lapse).await;
    let r1 = first.refresh_token.expect("a refresh token");
    assert_eq!(refresh(&api, &r1).await.status(), 401, "the sign-in's refresh token ran out");

    let again = sandbox_session(&api, "verified", false).await;
    let mut current = again.refresh_token.expect("a refresh token");
    for round in 0..2 {
        let renewed = refresh(&api, &current).await;
        assert_eq!(renewed.status(), 200, "renewal {round} within the lifetime");
        let body: ramp_api::LoginResponse = renewed.json().await.expect("renewed");
        current = body.refresh_token.expect("a new refresh token");
    }
    tokio::time::sleep(lapse).await;
    assert_eq!(refresh(&api, &current).await.status(), 401, "a rotated refresh token runs out too");
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_user() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let phone = sandbox_session(&api, "verified", false).await;
    let tablet = sandbox_session(&api, "verified", false).await;
    let someone_else = sandbox_session(&api, "first_time", true).await;
    assert_eq!(phone.user, tablet.user, "one user, two devices");
    let out = api.post(&phone.token, "/v1/auth/sign-out-everywhere", &json!({})).await;
    assert_eq!(out.status(), 204);
    for (device, s) in [("phone", &phone), ("tablet", &tablet)] {
        assert_eq!(api.get(&s.token, "/v1/config").await.status(), 401, "{device}'s bearer token");
        let refresh_token = s.refresh_token.as_deref().expect("refresh token");
        assert_eq!(refresh(&api, refresh_token).await.status(), 401, "{device}'s refresh token");
    }
    assert_eq!(api.get(&someone_else.token, "/v1/config").await.status(), 200, "other users stay signed in");
}

#[tokio::test]
async fn expired_app_tokens_are_refused() {
    let Some(db) = TestDb::new(STORE, "ttl").await else { return };
    let mut config = test_config(db.url.clone());
    let key = "k".repeat(32);
    config.auth_signing_key = partner_backend::config::Secret::new(key.clone());
    let tokens = partner_backend::auth::SignedTokens::new(key.as_bytes(), Duration::from_secs(0));
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    let user = partner_backend::auth::AppUser { id: "u1".into(), email: "u1@example.com".into() };
    let (token, _) = tokens.issue(&user).expect("issues");
    tokio::time::sleep(Duration::from_secs(7)).await; // past the 5 s leeway
    let (status, body) = error_of(api.get(&token, "/v1/config").await).await;
    assert_eq!(status, 401);
    assert!(body.error.message.contains("expired"), "{}", body.error.message);
}

#[tokio::test]
async fn widget_links_open_once() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    assert_eq!(api.http.get(&created.widget_url).send().await.expect("first").status(), 200);
    let again = api.http.get(&created.widget_url).send().await.expect("second");
    assert_eq!(again.status(), 410);
    assert!(again.headers()["content-security-policy"].to_str().is_ok_and(|c| c.contains("default-src 'none'")));
    let html = again.text().await.expect("html");
    assert!(html.contains("already used") && html.contains("id=\"host-back\""), "{html}");
    assert!(html.contains("event=close&amp;reason=used"), "the way back is an event the app intercepts");
    assert!(!html.contains("init_token"), "a used link shows no session");

    let unknown = api.http.get(format!("{}/w/not-a-link", api.base)).send().await.expect("unknown");
    assert_eq!(unknown.status(), 404);
}

/// Many opens of one link at the same moment (a double tap, a retrying webview): exactly one
/// gets the session, on either store.
#[tokio::test]
async fn concurrent_opens_of_a_link_give_the_session_once() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let token = api.login("verified").await;
    for _ in 0..3 {
        let created = api.buy(&token).await;
        let opens: Vec<_> = (0..12)
            .map(|_| {
                let (http, url) = (api.http.clone(), created.widget_url.clone());
                tokio::spawn(async move { http.get(&url).send().await.expect("answers").status().as_u16() })
            })
            .collect();
        let mut statuses = Vec::new();
        for open in opens {
            statuses.push(open.await.expect("joins"));
        }
        statuses.sort_unstable();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 410), "{statuses:?}");
    }
}

#[tokio::test]
async fn widget_links_expire() {
    let Some((_b, api, _dir)) = start(|c| c.widget_link_ttl = Duration::from_secs(1)).await else { return };
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = api.http.get(&created.widget_url).send().await.expect("expired");
    assert_eq!(r.status(), 410);
    assert!(r.text().await.expect("html").contains("has expired"));
}

#[tokio::test]
async fn client_ip_comes_from_trusted_proxies_only() {
    for (trusted, expected) in [(vec![], "127.0.0.1"), (vec!["127.0.0.0/8".parse().expect("net")], "203.0.113.7")] {
        let Some((backend, api, _dir)) = start(|c| c.trusted_proxies = trusted.clone()).await else { return };
        let token = api.login("verified").await;
        let r = api
            .http
            .post(format!("{}/v1/sessions", api.base))
            .bearer_auth(&token)
            .header("X-Forwarded-For", "198.51.100.1, 203.0.113.7")
            .json(&json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"}))
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 200);
        let created: ramp_api::SessionCreated = r.json().await.expect("body");
        let seen: serde_json::Value = api
            .http
            .get(format!("{}/_sandbox/sessions/{}", sandbox_url(&backend), created.merchant_transaction_id))
            .send()
            .await
            .expect("sandbox")
            .json()
            .await
            .expect("json");
        assert_eq!(seen["client_ip"], expected, "trusted={trusted:?}");
        assert!(seen["user_email"].as_str().is_some_and(|e| e.ends_with("@sandbox.proof-ramp.test")));
    }
}

#[tokio::test]
async fn session_creation_is_rate_limited_per_user() {
    let Some((_b, api, _dir)) = start(|c| c.session_rate_per_minute = 2).await else { return };
    let a = api.login("verified").await;
    let b = api.login("verified").await;
    api.buy(&a).await;
    api.buy(&a).await;
    let r = api
        .post(&a, "/v1/sessions", &json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"}))
        .await;
    assert!(r.headers().get("retry-after").is_some());
    let (status, body) = error_of(r).await;
    assert_eq!((status, body.error.code.as_str()), (429, "rate_limited"));
    api.buy(&b).await; // another user is not affected
}

#[tokio::test]
async fn bad_inputs_name_the_field() {
    let Some((_b, api, _dir)) = start(|c| c.sell_enabled = false).await else { return };
    let token = api.login("verified").await;
    let ok = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"});
    let cases = [
        ("type", json!("sell")),
        ("type", json!("swap")),
        ("currency", json!("usdt")),
        ("currency", json!("XRP")),
        ("network", json!("SOLANA")),
        ("network", json!("tr c20")),
        ("amount", json!("abc")),
        ("amount", json!("0")),
        ("amount", json!("0.5")),
        ("amount", json!("10000.01")),
        ("amount", json!("-3")),
        ("address", json!("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")),
    ];
    for (field, value) in cases {
        let mut body = ok.clone();
        body[field] = value.clone();
        let (status, env) = error_of(api.post(&token, "/v1/sessions", &body).await).await;
        assert_eq!(status, 422, "{field}={value}");
        assert_eq!(env.error.field.as_deref(), Some(field), "{field}={value}: {}", env.error.message);
    }
    for broken in [json!({"type": "buy"}), json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": 25})]
    {
        let (status, env) = error_of(api.post(&token, "/v1/sessions", &broken).await).await;
        assert_eq!((status, env.error.field.as_deref()), (422, Some("body")), "{broken}");
    }
    let huge =
        json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "1", "address": "x".repeat(20_000)});
    let (status, env) = error_of(api.post(&token, "/v1/sessions", &huge).await).await;
    assert_eq!((status, env.error.code.as_str()), (413, "payload_too_large"));
}

#[tokio::test]
async fn user_addresses_are_checked_when_accepted() {
    let Some((backend, api, _dir)) = start(|c| c.accept_user_address = true).await else { return };
    let token = api.login("verified").await;
    let mut body = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25", "address": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"});
    let (status, env) = error_of(api.post(&token, "/v1/sessions", &body).await).await;
    assert_eq!((status, env.error.field.as_deref()), (422, Some("address")));
    body["address"] = json!("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    let created = api.create(&token, body).await;
    let page = api.http.get(&created.widget_url).send().await.expect("page").text().await.expect("html");
    assert_eq!(session_from_html(&page)["address"], "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    drop(backend);
}

#[tokio::test]
async fn proof_502s_become_a_clear_503_and_bursts_are_survived() {
    let Some((backend, api, _dir)) = start(|_| {}).await else { return };
    let sandbox = backend.sandbox().expect("sandbox");
    let token = api.login("verified").await;
    sandbox.set_faults(Faults { error_502_rate: 1.0, ..Faults::default() });
    let r = api
        .post(&token, "/v1/sessions", &json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"}))
        .await;
    let (status, env) = error_of(r).await;
    assert_eq!((status, env.error.code.as_str()), (503, "provider_unavailable"));
    let (status, _) = error_of(api.get(&token, "/v1/me/kyc").await).await;
    assert_eq!(status, 503);

    // A burst: a third of calls fail, WebSockets drop, answers are slow. The flow still ends right.
    sandbox.set_faults(Faults { error_502_rate: 0.3, latency_ms: 150, ws_drop_after_ms: Some(300), ..Faults::default() });
    let created = api.buy(&token).await;
    let widget = Widget::open(&api, &created.widget_url, &sandbox.base_url()).await;
    widget.step("action", json!({"action": "pay"})).await;
    let events = api.events(&token, &created.merchant_transaction_id, None).await;
    assert_eq!(statuses(&events).last(), Some(&"completed"), "{events:?}");
}

#[tokio::test]
async fn personas_reach_their_outcomes_through_the_backend() {
    let Some((backend, api, _dir)) = start(|_| {}).await else { return };
    let sandbox = backend.sandbox().expect("sandbox").base_url();
    for (persona, kind, end) in
        [("payment_fails", "buy", "failed"), ("cancels", "buy", "cancelled"), ("seller", "sell", "completed")]
    {
        let token = api.login(persona).await;
        let created =
            api.create(&token, json!({"type": kind, "currency": "USDT", "network": "TRC20", "amount": "25"})).await;
        let widget = Widget::open(&api, &created.widget_url, &sandbox).await;
        let action = if kind == "sell" { "deposit_sent" } else { "pay" };
        widget.step("action", json!({"action": action})).await;
        let events = api.events(&token, &created.merchant_transaction_id, None).await;
        assert_eq!(statuses(&events).last(), Some(&end), "{persona}");
    }
}

#[tokio::test]
async fn webhooks_are_hints_confirmed_with_proof_and_deduplicated() {
    let Some(db) = TestDb::new(STORE, "hooks").await else { return };
    let mut config = test_config(db.url.clone());
    config.webhook_path_secret = Some(partner_backend::config::Secret::new("hook-secret-for-tests-0123"));
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    let id = created.merchant_transaction_id.clone();
    let hook = format!("{}/proof/webhook/hook-secret-for-tests-0123", api.base);
    let forged = json!({"merchant_transaction_id": id, "type": "buy", "status": "completed", "currency": "USDT",
        "network": "TRC20", "crypto_amount": "25", "fiat_currency": "EUR", "fiat_amount": "1.00",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"});

    // Wrong secret: nothing there.
    let r = api
        .http
        .post(format!("{}/proof/webhook/wrong-secret-xxxxxxxx", api.base))
        .json(&forged)
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), 404);
    // A forged "completed" is answered at once but changes nothing: Proof says pending.
    for _ in 0..3 {
        let r = api.http.post(&hook).json(&forged).send().await.expect("answers");
        assert_eq!(r.status(), 204);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tx: TransactionView = api.get(&token, &format!("/v1/transactions/{id}")).await.json().await.expect("tx");
    assert_eq!(tx.status.as_str(), "pending", "an unconfirmed webhook must not change state");

    // Once Proof really completes it, duplicates of the real webhook still add one event only.
    let widget = Widget::open(&api, &created.widget_url, &backend.sandbox().expect("sandbox").base_url()).await;
    widget.step("action", json!({"action": "pay"})).await;
    let events = api.events(&token, &id, None).await;
    assert_eq!(statuses(&events), ["pending", "processing", "completed"]);
    let mut real = forged.clone();
    real["status"] = json!("processing");
    for _ in 0..3 {
        assert_eq!(api.http.post(&hook).json(&real).send().await.expect("answers").status(), 204);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(api.events(&token, &id, None).await.len(), 3, "duplicates change nothing");
    let bad = api.http.post(&hook).body("not json").send().await.expect("answers");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn health_and_readiness() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    assert_eq!(api.http.get(format!("{}/healthz", api.base)).send().await.expect("h").status(), 200);
    let ready = api.http.get(format!("{}/readyz", api.base)).send().await.expect("r");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    let store = if STORE == Db::Postgres { "postgres" } else { "sqlite" };
    assert_eq!((body["ready"].as_bool(), body["store"].as_str()), (Some(true), Some(store)), "{body}");
    assert!(body["instance"].as_str().is_some_and(|i| !i.is_empty()), "{body}");
}

#[tokio::test]
async fn widget_events_leave_a_browser_on_the_page() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let url = format!("{}/app/widget-event?v=1&tx=x&event=status&status=paid", api.base);
    assert_eq!(api.http.get(url).send().await.expect("event").status(), 204);
    let close = api
        .http
        .get(format!("{}/app/widget-event?v=1&tx=x&event=close&reason=user", api.base))
        .send()
        .await
        .expect("c");
    assert_eq!(close.status(), 200);
    assert!(close.text().await.expect("html").contains("return to the app"));
}

#[tokio::test]
async fn sandbox_login_lists_every_persona() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let personas: Vec<ramp_api::Persona> =
        api.http.get(format!("{}/v1/sandbox/personas", api.base)).send().await.expect("p").json().await.expect("json");
    let ids: Vec<&str> = personas.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids[0], "first_time");
    assert_eq!(ids.len(), 7);
    let r = api
        .http
        .post(format!("{}/v1/sandbox/login", api.base))
        .json(&json!({"persona": "nobody"}))
        .send()
        .await
        .expect("l");
    let (status, env) = error_of(r).await;
    assert_eq!((status, env.error.field.as_deref()), (422, Some("persona")));
}

#[tokio::test]
async fn an_unfinished_purchase_continues_with_a_fresh_link_to_the_same_session() {
    let Some((backend, api, _dir)) = start(|_| {}).await else { return };
    let sandbox = sandbox_url(&backend);
    let token = api.login("first_time").await;
    let other = api.login("verified").await;
    let created = api.buy(&token).await;
    let tx = created.merchant_transaction_id.clone();
    // The first link is opened and the user leaves half-way.
    let first = Widget::open(&api, &created.widget_url, &sandbox).await;
    first.step("kyc", json!({"step": "documents"})).await;
    let view: TransactionView = api.get(&token, &format!("/v1/transactions/{tx}")).await.json().await.expect("view");
    assert!(view.resumable, "an unfinished transaction with a live session can be continued");

    // Only its owner gets a link, and a fresh one: the same session, so the same transaction.
    let (status, _) = error_of(api.post(&other, &format!("/v1/transactions/{tx}/resume"), &json!({})).await).await;
    assert_eq!(status, 404, "another user learns nothing");
    let again = api.post(&token, &format!("/v1/transactions/{tx}/resume"), &json!({})).await;
    assert_eq!(again.status(), 200);
    let again: ramp_api::SessionCreated = again.json().await.expect("created");
    assert_eq!(again.merchant_transaction_id, tx);
    assert_ne!(again.widget_url, created.widget_url, "a new single-use link");
    let second = Widget::open(&api, &again.widget_url, &sandbox).await;
    assert_eq!(second.session["merchant_transaction_id"], first.session["merchant_transaction_id"]);
    assert_eq!(second.session["init_token"], first.session["init_token"], "the same Proof session");
    let reused = api.http.get(&again.widget_url).send().await.expect("page");
    assert_eq!(reused.status(), 410, "the new link opens once too");
    second.step("kyc", json!({"step": "liveness"})).await;
    second.step("action", json!({"action": "pay"})).await;
    let events = api.events(&token, &tx, None).await;
    assert_eq!(statuses(&events).last(), Some(&"completed"));

    // Ended: says so plainly, in the user's language.
    let ended = api
        .http
        .post(format!("{}/v1/transactions/{tx}/resume", api.base))
        .bearer_auth(&token)
        .header("Accept-Language", "de-DE, en;q=0.5")
        .json(&json!({}))
        .send()
        .await
        .expect("answer");
    let (status, body) = error_of(ended).await;
    assert_eq!((status, body.error.code.as_str()), (409, ramp_api::codes::NOT_RESUMABLE));
    assert!(body.error.message.contains("beendet") && body.error.message.contains("completed"), "{}", body.error.message);
    let view: TransactionView = api.get(&token, &format!("/v1/transactions/{tx}")).await.json().await.expect("view");
    assert!(!view.resumable);
}

#[tokio::test]
async fn a_purchase_whose_proof_session_expired_cannot_be_continued() {
    // Sessions last 301 s here: the five-minute margin leaves one second to continue.
    let Some((_backend, api, _dir)) = start(|c| c.proof_session_ttl = Duration::from_secs(301)).await else { return };
    let token = api.login("first_time").await;
    let created = api.buy(&token).await;
    let tx = created.merchant_transaction_id;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let view: TransactionView = api.get(&token, &format!("/v1/transactions/{tx}")).await.json().await.expect("view");
    assert!(!view.resumable, "past the session's end");
    let (status, body) = error_of(api.post(&token, &format!("/v1/transactions/{tx}/resume"), &json!({})).await).await;
    assert_eq!((status, body.error.code.as_str()), (409, ramp_api::codes::NOT_RESUMABLE));
    assert!(body.error.message.contains("expired") && body.error.message.contains("Start a new one"), "{}", body.error.message);
}

#[tokio::test]
async fn error_sentences_and_pages_follow_the_language_asked_for() {
    let Some((_backend, api, _dir)) = start(|_| {}).await else { return };
    let token = api.login("first_time").await;
    let bad = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "abc"});
    let mut seen = std::collections::HashSet::new();
    for (header, expect) in [
        (None, "Enter the amount"),
        (Some("de"), "Geben Sie den Betrag"),
        (Some("es-MX,es;q=0.9"), "Escribe el importe"),
        (Some("fr-CA"), "Saisissez le montant"),
        (Some("pt"), "Digite o valor"),
        (Some("ar-EG"), "أدخل المبلغ"),
        (Some("ja, fr;q=0.2"), "Saisissez le montant"),
        (Some("ja"), "Enter the amount"),
    ] {
        let mut req = api.http.post(format!("{}/v1/sessions", api.base)).bearer_auth(&token).json(&bad);
        if let Some(h) = header {
            req = req.header("Accept-Language", h);
        }
        let (status, body) = error_of(req.send().await.expect("answer")).await;
        assert_eq!(status, 422);
        assert!(body.error.message.starts_with(expect), "{header:?}: {}", body.error.message);
        assert_eq!(body.error.field.as_deref(), Some("amount"), "the code and field stay the same");
        seen.insert(body.error.message);
    }
    assert_eq!(seen.len(), 6, "six languages");

    // The host page: the app's `lang` wins over the header; Arabic is right to left.
    let created = api.buy(&token).await;
    let page = api
        .http
        .get(format!("{}?lang=ar", created.widget_url))
        .header("Accept-Language", "de")
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains(r#"<html lang="ar" dir="rtl">"#), "{}", &page[..200]);
    assert!(page.contains("مغادرة الدفع؟"), "the leave question in Arabic");
    // A dead link's page, by the header alone.
    let dead =
        api.http.get(&created.widget_url).header("Accept-Language", "fr").send().await.expect("page").text().await.expect("html");
    assert!(dead.contains(r#"<html lang="fr" dir="ltr">"#) && dead.contains("Ce lien a déjà été utilisé"), "{dead}");
}
