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

/// Attack: a token the attacker signed themselves, complete in every claim (a real user, this
/// backend's issuer and audience, a live session id) but for the signature. Every signed-in
/// route refuses it, and without a token at all; the control is the same claims, well signed.
#[tokio::test]
async fn every_endpoint_needs_a_valid_token() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let real = sandbox_session(&api, "verified", true).await;
    // The real token's header and claims, with the signature of a key the attacker chose.
    let (head_and_claims, _) = real.token.rsplit_once('.').expect("a JWT");
    let claims = head_and_claims.split('.').nth(1).expect("claims");
    let forged = {
        use base64::Engine;
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"the-attacker-s-own-key").expect("key");
        mac.update(head_and_claims.as_bytes());
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{head_and_claims}.{signature}")
    };
    assert!(forged.contains(claims) && forged != real.token);
    let get_routes = ["/v1/config", "/v1/me/kyc", "/v1/transactions", "/v1/transactions/x", "/v1/transactions/x/events"];
    let post_routes = ["/v1/sessions", "/v1/transactions/x/resume", "/v1/auth/sign-out-everywhere"];
    for (path, post) in get_routes.iter().map(|p| (p, false)).chain(post_routes.iter().map(|p| (p, true))) {
        for token in ["", forged.as_str()] {
            let r = if post { api.post(token, path, &json!({})).await } else { api.get(token, path).await };
            let (status, body) = error_of(r).await;
            assert_eq!((status, body.error.code.as_str()), (401, "unauthenticated"), "{path}");
        }
    }
    assert_eq!(api.get(&real.token, "/v1/config").await.status(), 200, "control: the well-signed token");
    let out = api.post(&real.token, "/v1/auth/sign-out-everywhere", &json!({})).await;
    assert_eq!(out.status(), 204, "control: the well-signed token signs out");
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
    let Some((sandbox_backend, api, _dir)) = start(|c| c.auth_signing_key = Secret::new(key)).await else { return };
    // Every token names the same live session, so only the key or the audience tells them apart.
    let session = sandbox_backend.start_app_session(&user).await.expect("a session");
    let sid = session_of(&session.token);
    let sandbox_token = SignedTokens::new(key.as_bytes(), ttl).for_sandbox(true).issue(&user, &sid).expect("token").0;
    let production_token = SignedTokens::new(key.as_bytes(), ttl).issue(&user, &sid).expect("token").0;
    let other_key = SignedTokens::new(b"another-signing-key-entirely-0123456789", ttl).for_sandbox(true);
    let foreign = other_key.issue(&user, &sid).expect("token").0;
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
    // The partner's own sign-in starts sessions with refresh tokens through the library.
    let session = production.start_app_session(&user).await.expect("a session");
    assert_eq!(api.get(&session.token, "/v1/config").await.status(), 200);
    let sid = session_of(&session.token);
    let production_token = SignedTokens::new(key.as_bytes(), ttl).issue(&user, &sid).expect("token").0;
    let sandbox_token = SignedTokens::new(key.as_bytes(), ttl).for_sandbox(true).issue(&user, &sid).expect("token").0;
    assert_eq!(api.get(&production_token, "/v1/config").await.status(), 200, "control: the right token works");
    let (status, _) = error_of(api.get(&sandbox_token, "/v1/config").await).await;
    assert_eq!(status, 401, "production backend, a sandbox token");
    let refreshed = refresh(&api, session.refresh_token.as_deref().expect("refresh token")).await;
    assert_eq!(refreshed.status(), 200);
}

/// The session id (`sid`) a token of this backend names, read without checking it.
fn session_of(token: &str) -> String {
    use base64::Engine;
    let claims = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).expect("base64url");
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON claims");
    value["sid"].as_str().expect("a session id").to_owned()
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

    // The app moved on to r2 (so r1's answer was not lost): r1 again means a copy exists.
    let moved_on: ramp_api::LoginResponse = refresh(&api, &r2).await.json().await.expect("renewed");
    let r3 = moved_on.refresh_token.clone().expect("a newer refresh token");
    let (status, body) = error_of(refresh(&api, &r1).await).await;
    assert_eq!((status, body.error.code.as_str()), (401, "unauthenticated"), "a used token, again");
    assert_eq!(api.get(&moved_on.token, "/v1/config").await.status(), 401, "the session ended with it");
    assert_eq!(refresh(&api, &r3).await.status(), 401, "and its newest refresh token too");
    assert_eq!(refresh(&api, "not-a-token").await.status(), 401);
}

/// A phone sends its refresh token and loses the answer (signal gone mid-request): it sends the
/// same token again and gets the same new refresh token, still signed in, instead of being
/// treated as a thief. Once the new token has been used, the old one is theft again.
#[tokio::test]
async fn a_refresh_whose_answer_was_lost_is_answered_again() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let first = sandbox_session(&api, "verified", true).await;
    let r1 = first.refresh_token.clone().expect("a refresh token");
    let lost: ramp_api::LoginResponse = refresh(&api, &r1).await.json().await.expect("renewed");
    let again = refresh(&api, &r1).await;
    assert_eq!(again.status(), 200, "the same token again, within the grace window");
    let again: ramp_api::LoginResponse = again.json().await.expect("renewed again");
    assert_eq!(again.refresh_token, lost.refresh_token, "the same successor");
    assert_eq!(api.get(&again.token, "/v1/config").await.status(), 200, "still signed in");
    let r2 = again.refresh_token.clone().expect("a refresh token");
    let next: ramp_api::LoginResponse = refresh(&api, &r2).await.json().await.expect("the successor works once");
    assert_eq!(refresh(&api, &r1).await.status(), 401, "after its successor was used, r1 again is theft");
    assert_eq!(api.get(&next.token, "/v1/config").await.status(), 401, "and the session ended");
}

/// Two calls renew at once with the same refresh token (the app's calls, or a stream and a
/// call): both get the same new pair, and the session lives on.
#[tokio::test]
async fn concurrent_refreshes_with_one_token_both_succeed() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    for round in 0..5 {
        let first = sandbox_session(&api, "verified", round == 0).await;
        let r1 = first.refresh_token.clone().expect("a refresh token");
        let (a, b) = tokio::join!(refresh(&api, &r1), refresh(&api, &r1));
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200), "round {round}");
        let a: ramp_api::LoginResponse = a.json().await.expect("a");
        let b: ramp_api::LoginResponse = b.json().await.expect("b");
        assert_eq!(a.refresh_token, b.refresh_token, "round {round}: one successor");
        for token in [&a.token, &b.token] {
            assert_eq!(api.get(token, "/v1/config").await.status(), 200, "round {round}: signed in");
        }
    }
}

/// Signing out on one device ends that device's session on the server (its refresh token and
/// bearer token stop working at once); the user's other devices stay signed in.
#[tokio::test]
async fn signing_out_ends_this_device_s_session_only() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let phone = sandbox_session(&api, "verified", false).await;
    let tablet = sandbox_session(&api, "verified", false).await;
    let phone_refresh = phone.refresh_token.clone().expect("a refresh token");
    // Used first, so its session is held in memory: signing out must drop it there too.
    assert_eq!(api.get(&phone.token, "/v1/config").await.status(), 200, "the phone is signed in");
    let out = api
        .http
        .post(format!("{}/v1/auth/sign-out", api.base))
        .json(&json!({ "refresh_token": phone_refresh }))
        .send()
        .await
        .expect("answers");
    assert_eq!(out.status(), 204);
    assert_eq!(api.get(&phone.token, "/v1/config").await.status(), 401, "the phone's bearer token");
    assert_eq!(refresh(&api, &phone_refresh).await.status(), 401, "the phone's refresh token");
    assert_eq!(api.get(&tablet.token, "/v1/config").await.status(), 200, "the tablet stays signed in");
    let unknown =
        api.http.post(format!("{}/v1/auth/sign-out", api.base)).json(&json!({"refresh_token": "nope"})).send().await;
    assert_eq!(unknown.expect("answers").status(), 204, "an unknown token tells nothing");
}

/// An open status stream ends when its session is revoked (signed out on that device, or
/// everywhere), instead of going on reporting a signed-out user's purchase; another session's
/// stream of the same transaction goes on.
#[tokio::test]
async fn open_status_streams_end_when_their_session_is_revoked() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let phone = sandbox_session(&api, "verified", false).await;
    let tablet = sandbox_session(&api, "verified", false).await;
    let tx = api.buy(&phone.token).await.merchant_transaction_id;
    let mut on_phone = stream(&api, &phone.token, &tx);
    let mut on_tablet = stream(&api, &tablet.token, &tx);
    for events in [&mut on_phone, &mut on_tablet] {
        assert_eq!(next(events, Duration::from_secs(5)).await.map(|e| e.seq), Some(1));
    }
    let out = api
        .http
        .post(format!("{}/v1/auth/sign-out", api.base))
        .json(&json!({ "refresh_token": phone.refresh_token }))
        .send()
        .await
        .expect("answers");
    assert_eq!(out.status(), 204);
    // The phone's stream ends (its channel closes with nothing more), the tablet's stays open.
    let ended = tokio::time::timeout(Duration::from_secs(3), on_phone.recv()).await;
    assert!(matches!(ended, Ok(None)), "the revoked session's stream ended: {ended:?}");
    let still = tokio::time::timeout(Duration::from_millis(500), on_tablet.recv()).await;
    assert!(still.is_err(), "the other session's stream is still open: {still:?}");
    let out = api.post(&tablet.token, "/v1/auth/sign-out-everywhere", &json!({})).await;
    assert_eq!(out.status(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(3), on_tablet.recv()).await;
    assert!(matches!(ended, Ok(None)), "signing out everywhere ends it too: {ended:?}");
}

/// A `Last-Event-ID` at the top of the range (a client bug, or a probe for an overflow) is
/// answered like any other: the stream opens, skips every status up to that number (all of
/// them) as the purchase goes on, and ends cleanly at its terminal one.
#[tokio::test]
async fn the_largest_last_event_id_is_answered_calmly() {
    let Some((backend, api, _dir)) = start(|_| {}).await else { return };
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    let r = api
        .http
        .get(format!("{}/v1/transactions/{}/events", api.base, created.merchant_transaction_id))
        .bearer_auth(&token)
        .header("Last-Event-ID", u64::MAX.to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), 200);
    let widget = Widget::open(&api, &created.widget_url, &sandbox_url(&backend)).await;
    widget.step("action", json!({"action": "pay"})).await; // live statuses reach the stream
    let body = tokio::time::timeout(Duration::from_secs(20), r.bytes()).await.expect("the stream ends");
    let body = body.expect("the stream ends cleanly, not cut off");
    assert!(!String::from_utf8_lossy(&body).contains("event:"), "nothing after u64::MAX: {body:?}");
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
    for s in [&phone, &tablet] {
        assert_eq!(api.get(&s.token, "/v1/config").await.status(), 200, "signed in, and held in memory");
    }
    let out = api.post(&phone.token, "/v1/auth/sign-out-everywhere", &json!({})).await;
    assert_eq!(out.status(), 204);
    for (device, s) in [("phone", &phone), ("tablet", &tablet)] {
        assert_eq!(api.get(&s.token, "/v1/config").await.status(), 401, "{device}'s bearer token");
        let refresh_token = s.refresh_token.as_deref().expect("refresh token");
        assert_eq!(refresh(&api, refresh_token).await.status(), 401, "{device}'s refresh token");
    }
    assert_eq!(api.get(&someone_else.token, "/v1/config").await.status(), 200, "other users stay signed in");
}

/// A token past its expiry is refused as expired (so the app renews it silently), and for
/// that reason alone: it is this backend's, for this environment, within a live session.
#[tokio::test]
async fn expired_app_tokens_are_refused() {
    let Some(db) = TestDb::new(STORE, "ttl").await else { return };
    let mut config = test_config(db.url.clone());
    let key = "k".repeat(32);
    config.auth_signing_key = partner_backend::config::Secret::new(key.clone());
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    let user = partner_backend::auth::AppUser { id: "u1".into(), email: "u1@example.com".into() };
    let sid = session_of(&backend.start_app_session(&user).await.expect("a session").token);
    let tokens = partner_backend::auth::SignedTokens::new(key.as_bytes(), Duration::from_secs(0)).for_sandbox(true);
    let (token, _) = tokens.issue(&user, &sid).expect("issues");
    let (fresh, _) = partner_backend::auth::SignedTokens::new(key.as_bytes(), Duration::from_secs(600))
        .for_sandbox(true)
        .issue(&user, &sid)
        .expect("issues");
    assert_eq!(api.get(&fresh, "/v1/config").await.status(), 200, "control: the same token, unexpired");
    tokio::time::sleep(Duration::from_secs(7)).await; // past the 5 s leeway
    let (status, body) = error_of(api.get(&token, "/v1/config").await).await;
    assert_eq!(status, 401);
    assert!(body.error.message.contains("expired"), "{}", body.error.message);
}

/// Reads a held page: its first chunk at once, then the rest, or `None` when no more came
/// within `limit`.
async fn rest_of(page: &mut reqwest::Response, limit: Duration) -> Option<String> {
    let mut rest = String::new();
    loop {
        match tokio::time::timeout(limit, page.chunk()).await {
            Ok(Ok(Some(chunk))) => rest.push_str(std::str::from_utf8(&chunk).expect("utf-8")),
            Ok(Ok(None)) => return Some(rest),
            Ok(Err(e)) => panic!("the page broke off: {e}"),
            Err(_) => return None,
        }
    }
}

/// The payment window opens on a link the app chose before its session exists: the page says
/// it is opening in the user's language at once, with no session in it, and becomes the host
/// page when the session is recorded under that link, woken on this instance (the lookup
/// interval is far longer than the test's patience). The link then opens no more.
#[tokio::test]
async fn a_link_opened_before_its_session_is_held_and_becomes_the_host_page() {
    let Some((_b, api, _dir)) = start(|c| c.link_poll = Duration::from_secs(600)).await else { return };
    let token = api.login("verified").await;
    let link = ramp_api::link::new_token();
    let url = format!("{}/w/{link}?wait=1&lang=de", api.base);
    let mut page = api.http.get(&url).send().await.expect("held page");
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-security-policy"].to_str().is_ok_and(|c| c.contains("script-src")));
    let first = page.chunk().await.expect("read").expect("a first part");
    let first = String::from_utf8_lossy(&first);
    assert!(first.contains("lang=\"de\"") && first.contains("Die Zahlungsseite wird geöffnet"), "{first}");
    assert!(!first.contains("<script"), "nothing runs before the session: {first}");
    assert_eq!(rest_of(&mut page, Duration::from_millis(300)).await, None, "held while no session exists");

    let created =
        api.create(&token, json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25", "link": link})).await;
    assert!(created.widget_url.ends_with(&format!("/w/{link}")), "the link the app chose: {}", created.widget_url);
    let rest = rest_of(&mut page, Duration::from_secs(10)).await.expect("the rest of the page");
    assert!(rest.contains("id=\"proof-session\"") && rest.contains("init_token"), "{rest}");
    assert!(rest.trim_end().ends_with("</html>"));
    let again = api.http.get(&url).send().await.expect("again");
    assert_eq!(again.status(), 410, "opened once");
}

/// A session recorded on another instance reaches the page held on this one: on PostgreSQL
/// by the instances' notice (the lookup interval is far longer than the test's patience), on a
/// shared SQLite file by the lookup. A link nobody records ends the held page with the
/// invalid-link message once the wait is over.
#[tokio::test]
async fn a_held_link_is_found_across_instances_and_given_up_when_nobody_records_it() {
    let Some((_a, api_a, db)) = start(|c| {
        c.link_poll = if STORE == Db::Postgres { Duration::from_secs(600) } else { Duration::from_millis(50) };
    })
    .await
    else {
        return;
    };
    let b = Backend::start(test_config(db.url.clone())).await.expect("instance b");
    let api_b = Api::new(&b);
    let token = api_b.login("verified").await;
    let link = ramp_api::link::new_token();
    let mut page = api_a.http.get(format!("{}/w/{link}?wait=1", api_a.base)).send().await.expect("held on a");
    page.chunk().await.expect("read").expect("the opening part");
    api_b.create(&token, json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25", "link": link})).await;
    let rest = rest_of(&mut page, Duration::from_secs(5)).await.expect("the rest, well before the 30 s wait ends");
    assert!(rest.contains("id=\"proof-session\""), "{rest}");

    let mut short = test_config(db.url.clone());
    short.link_wait = Duration::from_secs(1);
    let c = Backend::start(short).await.expect("instance c");
    let api_c = Api::new(&c);
    let nobody = ramp_api::link::new_token();
    let mut page = api_c.http.get(format!("{}/w/{nobody}?wait=1", api_c.base)).send().await.expect("held");
    let rest = rest_of(&mut page, Duration::from_secs(10)).await.expect("given up");
    assert!(rest.contains("id=\"host-title\"") && rest.contains("not valid") && !rest.contains("<script"), "{rest}");
    // Without `wait` an unknown link is answered at once.
    let unknown = api_c.http.get(format!("{}/w/{}", api_c.base, ramp_api::link::new_token())).send().await.expect("unknown");
    assert_eq!(unknown.status(), 404);
}

/// Held pages are counted against the address's request rate: a flood of made-up links from
/// one address cannot keep the store busy with lookups; past the rate a page is answered at once.
#[tokio::test]
async fn held_pages_count_against_the_address_rate() {
    let Some((_b, api, _dir)) = start(|c| c.api_rate_per_ip_per_minute = 1).await else { return };
    let held = |link: String| api.http.get(format!("{}/w/{link}?wait=1", api.base)).send();
    let mut first = held(ramp_api::link::new_token()).await.expect("held");
    first.chunk().await.expect("read").expect("the opening part");
    assert_eq!(rest_of(&mut first, Duration::from_millis(300)).await, None, "the first is held");
    let second = held(ramp_api::link::new_token()).await.expect("answered");
    assert_eq!(second.status(), 404, "past the rate: answered at once");
}

/// A link the app chooses is taken only in the shape the app makes, and never twice: a link
/// sent again (a replayed request) would put a second session behind a page already opened.
#[tokio::test]
async fn a_chosen_link_must_be_fresh_and_well_formed() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let token = api.login("verified").await;
    let buy = |link: &str| json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25", "link": link});
    for bad in ["short", "not/a+token", &"A".repeat(44)] {
        let (status, body) = error_of(api.post(&token, "/v1/sessions", &buy(bad)).await).await;
        assert_eq!((status, body.error.field.as_deref()), (422, Some("link")), "{bad}");
    }
    let link = ramp_api::link::new_token();
    let first = api.create(&token, buy(&link)).await;
    let (status, body) = error_of(api.post(&token, "/v1/sessions", &buy(&link)).await).await;
    assert_eq!((status, body.error.field.as_deref()), (422, Some("link")), "sent again");
    // Continuing takes a chosen link too; an empty body still gets one made.
    let path = format!("/v1/transactions/{}/resume", first.merchant_transaction_id);
    let again = ramp_api::link::new_token();
    let resumed: ramp_api::SessionCreated =
        api.post(&token, &path, &json!({"link": again})).await.json().await.expect("resumed");
    assert!(resumed.widget_url.ends_with(&format!("/w/{again}")), "{}", resumed.widget_url);
    let (status, _) = error_of(api.post(&token, &path, &json!({"link": "short"})).await).await;
    assert_eq!(status, 422);
    let plain = api.http.post(format!("{}{path}", api.base)).bearer_auth(&token).send().await.expect("no body");
    assert_eq!(plain.status(), 200, "an empty body");
}

/// A store that fails to record the link is the server's fault (500), not a link sent twice
/// (422 on `link`, which tells the user to update the app).
#[tokio::test]
async fn a_store_failing_on_the_link_is_not_blamed_on_the_link() {
    let Some((_b, api, db)) = start(|_| {}).await else { return };
    let token = api.login("verified").await;
    db.sql(
        "CREATE TRIGGER refuse_links BEFORE INSERT ON widget_links BEGIN SELECT RAISE(ABORT, 'disk is full'); END;",
        "CREATE FUNCTION refuse_links() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk is full'; END $$;
         CREATE TRIGGER refuse_links BEFORE INSERT ON widget_links FOR EACH ROW EXECUTE FUNCTION refuse_links();",
    )
    .await;
    let buy = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25", "link": ramp_api::link::new_token()});
    let (status, body) = error_of(api.post(&token, "/v1/sessions", &buy).await).await;
    assert_eq!((status, body.error.field.as_deref()), (500, None), "{body:?}");
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

/// A page of the history, as the app asks for it.
async fn history(api: &Api, token: &str, query: &str) -> TransactionList {
    let r = api.get(token, &format!("/v1/transactions{query}")).await;
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.expect("a page")
}

/// History pages: the user's own transactions only, newest first; each page starts after the
/// previous one's last (keyset), so a purchase made while the user scrolls neither repeats nor
/// hides one; the last page says so; the page size is bounded; a cursor that is not the
/// user's own (another user's transaction, a made-up id) is `404`, never a look at someone
/// else's list.
#[tokio::test]
async fn history_pages_hold_the_user_s_own_newest_first_without_gaps_or_repeats() {
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let alice = sandbox_session(&api, "verified", true).await.token;
    let bob = sandbox_session(&api, "verified", true).await.token;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(api.buy(&alice).await.merchant_transaction_id);
        if i < 2 {
            api.buy(&bob).await;
        }
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    let ids = |page: &TransactionList| page.transactions.iter().map(|t| t.id.clone()).collect::<Vec<_>>();

    let whole = history(&api, &alice, "").await;
    assert_eq!((ids(&whole), whole.next.as_deref()), (newest_first.clone(), None), "one page by default");

    let first = history(&api, &alice, "?limit=3").await;
    assert_eq!(ids(&first), newest_first[..3]);
    let next = first.next.clone().expect("more to come");
    // A purchase made while the user scrolls goes on top, not into the next page.
    let newer = api.buy(&alice).await.merchant_transaction_id;
    let second = history(&api, &alice, &format!("?limit=3&before={next}")).await;
    assert_eq!(ids(&second), newest_first[3..6]);
    let last = history(&api, &alice, &format!("?limit=3&before={}", second.next.expect("one more"))).await;
    assert_eq!((ids(&last), last.next), (newest_first[6..].to_vec(), None), "the last page says so");
    assert_eq!(ids(&history(&api, &alice, "?limit=1").await), [newer]);

    // Bob's two fill a page of two exactly: no next page.
    let bobs = history(&api, &bob, "?limit=2").await;
    assert_eq!((bobs.transactions.len(), bobs.next), (2, None));
    assert!(bobs.transactions.iter().all(|t| !created.contains(&t.id)), "only Bob's own");

    // Bounds: 0 is one, and more than the largest page is the largest page.
    let one = history(&api, &alice, "?limit=0").await;
    assert_eq!((one.transactions.len(), one.next.is_some()), (1, true));
    assert_eq!(history(&api, &alice, "?limit=100000").await.transactions.len(), 8);
    assert_eq!(api.get(&alice, "/v1/transactions?limit=many").await.status(), 400);

    // Someone else's cursor, or none that exists: 404, and nothing of the list.
    for cursor in [bobs.transactions[0].id.as_str(), "tx-that-never-was"] {
        let r = api.get(&alice, &format!("/v1/transactions?before={cursor}")).await;
        assert_eq!(r.status(), 404, "{cursor}");
    }
}

/// Phones fetch these two files from the return link's host before letting an https return
/// link open the app (and no other app): they must be JSON, served directly, naming exactly
/// the configured apps and the return link's path; with no app configured there is nothing.
#[tokio::test]
async fn the_app_association_files_vouch_for_the_configured_apps_only() {
    let fp = ["14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64"; 2].join(":");
    let links = partner_backend::config::AppLinks {
        android: Some(("com.partner.ramp".into(), vec![fp.clone()])),
        ios_app_ids: vec!["ABCDE12345.com.partner.ramp".into()],
    };
    let Some((_b, api, _dir)) = start(|c| {
        c.app_return_url = "https://ramp.partner.example/app/return".into();
        c.app_links = links;
    })
    .await
    else {
        return;
    };
    let fetch = |path: &'static str| {
        let api = api.clone();
        async move { api.http.get(format!("{}/.well-known/{path}", api.base)).send().await.expect("answers") }
    };
    let android = fetch("assetlinks.json").await;
    assert_eq!(android.status(), 200);
    assert_eq!(android.headers()["content-type"], "application/json");
    assert_eq!(
        android.json::<serde_json::Value>().await.expect("json"),
        json!([{"relation": ["delegate_permission/common.handle_all_urls"],
            "target": {"namespace": "android_app", "package_name": "com.partner.ramp", "sha256_cert_fingerprints": [fp]}}])
    );
    let ios = fetch("apple-app-site-association").await;
    assert_eq!((ios.status().as_u16(), ios.headers()["content-type"].to_str().expect("ascii")), (200, "application/json"));
    assert_eq!(
        ios.json::<serde_json::Value>().await.expect("json"),
        json!({"applinks": {"details": [{"appIDs": ["ABCDE12345.com.partner.ramp"], "components": [{"/": "/app/return"}]}]}})
    );

    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    for path in ["assetlinks.json", "apple-app-site-association"] {
        let r = api.http.get(format!("{}/.well-known/{path}", api.base)).send().await.expect("answers");
        assert_eq!(r.status(), 404, "{path} without an app configured");
    }
}

/// A phone that loads the https return link in the browser instead of handing it to the app
/// (not verified yet, or a browser that keeps it) gets a page that says to switch back, in the
/// user's language, never cached and running nothing; other paths, other methods and a
/// custom-scheme return link leave everything else a plain 404.
#[tokio::test]
async fn an_https_return_link_opened_in_a_browser_says_to_go_back_to_the_app() {
    let Some((_b, api, _dir)) = start(|c| c.app_return_url = "https://ramp.partner.example/app/return".into()).await
    else {
        return;
    };
    let back = format!("{}/app/return?v=1&tx=t-1&event=payment_finished&lang=de", api.base);
    let r = api.http.get(&back).send().await.expect("answers");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers()["content-security-policy"].to_str().expect("ascii").starts_with("default-src 'none'"));
    let page = r.text().await.expect("text");
    assert!(page.contains("lang=\"de\"") && page.contains("id=\"host-title\""), "{page}");
    assert!(page.contains("Sie können zur App zurückkehren"), "{page}");
    assert!(!page.contains("<script"), "{page}");
    for (method, path) in [("GET", "/app/returned"), ("POST", "/app/return"), ("GET", "/elsewhere")] {
        let r = api
            .http
            .request(method.parse().expect("method"), format!("{}{path}", api.base))
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 404, "{method} {path}");
    }
    let Some((_b, api, _dir)) = start(|_| {}).await else { return };
    let r = api.http.get(format!("{}/app/return", api.base)).send().await.expect("answers");
    assert_eq!(r.status(), 404, "prooframp://return has no page on the backend");
}
