//! Limits on the API: requests per user and per client address on every `/v1` route, open
//! status streams per user, and the KYC status cache that spares Proof repeated questions.

mod common;

use std::time::Duration;

use common::*;
use partner_backend::Backend;
use partner_backend::config::Config;
use proof_sandbox::Faults;

async fn start(tweak: impl FnOnce(&mut Config)) -> (Backend, Api, Scratch) {
    let dir = Scratch::new("limits");
    let mut config = test_config(dir.db_url());
    tweak(&mut config);
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    (backend, api, dir)
}

async fn code(r: reqwest::Response) -> (u16, bool, String) {
    let status = r.status().as_u16();
    let retry_after = r.headers().get("retry-after").is_some();
    if status == 200 {
        return (status, retry_after, String::new()); // an open stream: do not read it to its end
    }
    let body: serde_json::Value = r.json().await.expect("json");
    (status, retry_after, body["error"]["code"].as_str().unwrap_or("").to_owned())
}

#[tokio::test]
async fn every_signed_in_route_counts_against_the_user() {
    let (_b, api, _dir) = start(|c| c.api_rate_per_user_per_minute = 5).await;
    let a = api.login("verified").await;
    let b = api.login("verified").await;
    for path in ["/v1/config", "/v1/transactions", "/v1/me/kyc", "/v1/config", "/v1/transactions"] {
        assert_eq!(api.get(&a, path).await.status(), 200, "{path}");
    }
    assert_eq!(code(api.get(&a, "/v1/config").await).await, (429, true, "rate_limited".to_owned()));
    assert_eq!(api.get(&b, "/v1/config").await.status(), 200, "another user is not affected");
}

#[tokio::test]
async fn every_route_counts_against_the_client_address() {
    let (_b, api, _dir) = start(|c| c.api_rate_per_ip_per_minute = 4).await;
    let a = api.login("verified").await; // 1
    let b = api.login("verified").await; // 2
    assert_eq!(api.get(&a, "/v1/config").await.status(), 200); // 3
    assert_eq!(api.get(&b, "/v1/config").await.status(), 200); // 4
    assert_eq!(code(api.get(&b, "/v1/config").await).await, (429, true, "rate_limited".to_owned()));
    let unsigned = api.http.get(format!("{}/v1/sandbox/personas", api.base)).send().await.expect("answers");
    assert_eq!(unsigned.status(), 429, "routes without sign-in too");
    let health = api.http.get(format!("{}/healthz", api.base)).send().await.expect("answers");
    assert_eq!(health.status(), 200, "health checks are not limited");
}

#[tokio::test]
async fn status_streams_per_user_are_capped() {
    let (_b, api, _dir) = start(|c| c.max_streams_per_user = 2).await;
    let token = api.login("verified").await;
    let other = api.login("verified").await;
    let id = api.buy(&token).await.merchant_transaction_id;
    let open = |t: &str| api.http.get(format!("{}/v1/transactions/{id}/events", api.base)).bearer_auth(t).send();
    let first = open(&token).await.expect("opens");
    let second = open(&token).await.expect("opens");
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    assert_eq!(code(open(&token).await.expect("answers")).await, (429, true, "rate_limited".to_owned()));
    let other_id = api.buy(&other).await.merchant_transaction_id;
    let theirs = api.http.get(format!("{}/v1/transactions/{other_id}/events", api.base)).bearer_auth(&other).send();
    assert_eq!(theirs.await.expect("opens").status(), 200, "another user is not affected");

    // Closing a stream frees its slot.
    drop(first);
    let mut reopened = 0;
    for _ in 0..50 {
        let r = open(&token).await.expect("answers");
        if r.status() == 200 {
            reopened += 1;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(reopened, 1, "the slot came back");
    drop(second);
}

#[tokio::test]
async fn verified_kyc_status_is_reused_for_a_few_seconds_per_user() {
    for (ttl, cached) in [(Duration::from_secs(60), true), (Duration::ZERO, false)] {
        let (backend, api, _dir) = start(|c| c.kyc_cache_ttl = ttl).await;
        let sandbox = backend.sandbox().expect("sandbox mode");
        let a = api.login("verified").await;
        let b = api.login("verified").await;
        let newcomer = api.login("first_time").await;
        assert_eq!(api.get(&newcomer, "/v1/me/kyc").await.status(), 200);
        assert_eq!(api.get(&a, "/v1/me/kyc").await.status(), 200);
        // Proof fails from now on: only a cached answer can still be 200.
        sandbox.set_faults(Faults { error_502_rate: 1.0, ..Faults::default() });
        let again = api.get(&a, "/v1/me/kyc").await.status();
        assert_eq!(again == 200, cached, "ttl {ttl:?}: {again}");
        assert_eq!(api.get(&b, "/v1/me/kyc").await.status(), 503, "the cache is per user");
        let fresh = api.get(&newcomer, "/v1/me/kyc").await.status();
        assert_eq!(fresh, 503, "a user not yet verified always gets Proof's latest answer");
    }
}

/// A connection that sends half a request head and stops (slowloris), or sits idle after a
/// request, is closed after `IDLE_TIMEOUT_SECS` instead of holding a socket forever.
#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (backend, _api, _dir) = start(|c| c.idle_timeout = Duration::from_secs(1)).await;
    let addr = backend.addr();

    let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connects");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.expect("writes");
    let mut idle = tokio::net::TcpStream::connect(addr).await.expect("connects");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("writes");

    for (what, socket) in [("half a request head", &mut slow), ("an idle keep-alive connection", &mut idle)] {
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            let mut buf = vec![0u8; 4096];
            loop {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {} // the answer to the complete request, or a 408
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "{what}: the server kept the connection open");
    }
    backend.shutdown().await;
}

/// Attack: a client (no secret needed: the webhook read its body before checking its path)
/// sends request headers promising a body and then sends it a byte at a time, or never. The
/// body must arrive whole within `IDLE_TIMEOUT_SECS`: the answer is `408` and the connection is
/// closed, instead of a socket held for as long as the client likes.
#[tokio::test]
async fn slow_request_bodies_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (backend, _api, _dir) = start(|c| c.idle_timeout = Duration::from_secs(1)).await;
    for path in ["/proof/webhook/not-the-secret", "/v1/auth/refresh"] {
        let mut slow = tokio::net::TcpStream::connect(backend.addr()).await.expect("connects");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{{"
        );
        slow.write_all(head.as_bytes()).await.expect("writes");
        let drip = async {
            // One more byte every 400 ms: each arrives well within any per-read timeout.
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_millis(400)).await;
                if slow.write_all(b" ").await.is_err() {
                    return;
                }
            }
        };
        let answered = tokio::time::timeout(Duration::from_secs(6), async {
            drip.await;
        })
        .await;
        assert!(answered.is_ok(), "{path}: the server was still reading the body after 6 s");
        let mut answer = String::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), slow.read_to_string(&mut answer)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer:?}");
    }
    backend.shutdown().await;
}

/// A partner's own `AppAuth` that counts how often it is asked, and whose `good` token can be
/// revoked.
struct Counting(std::sync::atomic::AtomicUsize, std::sync::atomic::AtomicBool);

#[async_trait::async_trait]
impl partner_backend::auth::AppAuth for Counting {
    async fn authenticate(
        &self,
        token: &str,
    ) -> Result<partner_backend::auth::AppUser, partner_backend::auth::AuthError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if token == "good" && !self.1.load(std::sync::atomic::Ordering::SeqCst) {
            Ok(partner_backend::auth::AppUser { id: "u-counted".into(), email: "c@example.com".into() })
        } else {
            Err(partner_backend::auth::AuthError::Invalid)
        }
    }
}

/// Each request checks its token once, whatever it is (a session check that waits on the
/// database pool, asked twice, made a 15 s outage answer only after 10 s).
#[tokio::test]
async fn each_request_checks_its_token_once() {
    let dir = Scratch::new("auth-once");
    let counting = std::sync::Arc::new(Counting(Default::default(), Default::default()));
    let backend = Backend::start_with_auth(test_config(dir.db_url()), Some(counting.clone())).await.expect("starts");
    let api = Api::new(&backend);
    for (token, path, expected) in [
        ("good", "/v1/config", 200),
        ("bad", "/v1/config", 401),
        ("good", "/v1/transactions", 200),
        ("bad", "/v1/me/kyc", 401),
    ] {
        let before = counting.0.load(std::sync::atomic::Ordering::SeqCst);
        let status = api.get(token, path).await.status().as_u16();
        let asked = counting.0.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert_eq!((status, asked), (expected, 1), "{token} token on {path}");
    }
    backend.shutdown().await;
}

/// A partner with its own `AppAuth` revokes a user's token and tells the backend: the status
/// stream that token opened ends, through `AppAuth::recheck`'s default (an expired token
/// would keep its stream; a refused one does not).
#[tokio::test]
async fn a_partner_s_own_revocation_ends_the_streams_it_opened() {
    let dir = Scratch::new("partner-revoke");
    let counting = std::sync::Arc::new(Counting(Default::default(), Default::default()));
    let backend = Backend::start_with_auth(test_config(dir.db_url()), Some(counting.clone())).await.expect("starts");
    let api = Api::new(&backend);
    let tx = api.buy("good").await.merchant_transaction_id;
    let mut events = stream(&api, "good", &tx);
    assert_eq!(next(&mut events, Duration::from_secs(5)).await.map(|e| e.seq), Some(1));
    backend.sessions_revoked().await;
    let open = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
    assert!(open.is_err(), "control: a token still good keeps its stream: {open:?}");
    counting.1.store(true, std::sync::atomic::Ordering::SeqCst);
    backend.sessions_revoked().await;
    let ended = tokio::time::timeout(Duration::from_secs(3), events.recv()).await;
    assert!(matches!(ended, Ok(None)), "the revoked token's stream ended: {ended:?}");
    backend.shutdown().await;
}
