//! Shared test harness: a backend on a free loopback port with a real SQLite file or a fresh
//! PostgreSQL database, a client for its API, the stand-in widget's calls, and an SSE reader.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use partner_backend::Backend;
use partner_backend::config::Config;
use ramp_api::{LoginResponse, SessionCreated, StatusEvent};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A unique scratch directory, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("ramp-{name}-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.0.join("ramp.db").display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Which store a test suite runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use: `RAMP_TEST_POSTGRES_URL` (any database on it; the tests
/// create their own). `scripts/test` starts a throw-away cluster and sets it when PostgreSQL is
/// installed; `.ci/run` also sets `RAMP_REQUIRE_POSTGRES=1`, so there a missing server fails.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("RAMP_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("RAMP_REQUIRE_POSTGRES").is_none(),
                "RAMP_REQUIRE_POSTGRES is set but RAMP_TEST_POSTGRES_URL is not: start PostgreSQL (scripts/test does)"
            );
            // Straight to stderr (eprintln! is captured by the test harness), once per binary.
            static NOTE: std::sync::Once = std::sync::Once::new();
            NOTE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL tests skipped: no RAMP_TEST_POSTGRES_URL (scripts/test starts a server when PostgreSQL is installed)"
                );
            });
            None
        }
    }
}

/// A database for one test: a SQLite file in a scratch directory, or a new PostgreSQL
/// database (dropped again on drop).
pub struct TestDb {
    pub url: String,
    _scratch: Option<Scratch>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// `None` (and a note) for PostgreSQL when no server is configured.
    pub async fn new(kind: Db, name: &str) -> Option<Self> {
        match kind {
            Db::Sqlite => {
                let scratch = Scratch::new(name);
                Some(Self { url: scratch.db_url(), _scratch: Some(scratch), postgres: None })
            }
            Db::Postgres => {
                let admin = postgres_admin_url()?;
                let db = format!("ramp_{}_{}", name.replace('-', "_"), uuid::Uuid::new_v4().simple());
                admin_sql(&admin, &format!("CREATE DATABASE {db}")).await;
                let mut url = url::Url::parse(&admin).expect("RAMP_TEST_POSTGRES_URL is a URL");
                url.set_path(&db);
                Some(Self { url: url.to_string(), _scratch: None, postgres: Some((admin, db)) })
            }
        }
    }
}

impl TestDb {
    /// Run `sqlite` or `postgres` (whichever this database is) on it, beside the backend.
    pub async fn sql(&self, sqlite: &str, postgres: &str) {
        use sqlx::Connection;
        if self.postgres.is_some() {
            let mut conn = sqlx::PgConnection::connect(&self.url).await.expect("connects");
            sqlx::raw_sql(postgres).execute(&mut conn).await.expect(postgres);
            let _ = conn.close().await;
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.expect("connects");
            sqlx::raw_sql(sqlite).execute(&mut conn).await.expect(sqlite);
            let _ = conn.close().await;
        }
    }
}

async fn admin_sql(admin: &str, statement: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.expect("connects to RAMP_TEST_POSTGRES_URL");
    sqlx::raw_sql(statement).execute(&mut conn).await.expect(statement);
    let _ = conn.close().await;
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, db)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(admin_sql(&admin, &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")));
        })
        .join();
    }
}

/// Sandbox-mode settings tuned for tests: free port, fast polling and reconnects.
pub fn test_config(db_url: String) -> Config {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter("debug,sqlx=warn,hyper=info").with_test_writer().try_init();
    }
    let mut c = Config::sandbox(db_url);
    c.listen = "127.0.0.1:0".parse().expect("addr");
    c.poll_interval = Duration::from_millis(200);
    c.ws_min_delay = Duration::from_millis(20);
    c.ws_max_delay = Duration::from_millis(200);
    c.session_rate_per_minute = 1000;
    c.api_rate_per_user_per_minute = 100_000;
    c.api_rate_per_ip_per_minute = 100_000;
    c.max_streams_per_user = 1000;
    c
}

/// The app's view of the backend.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(backend: &Backend) -> Self {
        Self { http: reqwest::Client::new(), base: backend.public_base().as_str().trim_end_matches('/').to_owned() }
    }

    pub async fn login(&self, persona: &str) -> String {
        let r = self
            .http
            .post(format!("{}/v1/sandbox/login", self.base))
            .json(&json!({"persona": persona, "fresh": true}))
            .send()
            .await
            .expect("login answers");
        assert_eq!(r.status(), 200);
        r.json::<LoginResponse>().await.expect("login body").token
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("answers")
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).bearer_auth(token).json(body).send().await.expect("answers")
    }

    pub async fn create(&self, token: &str, body: Value) -> SessionCreated {
        let r = self.post(token, "/v1/sessions", &body).await;
        assert_eq!(r.status(), 200, "{:?}", r.text().await);
        r.json().await.expect("session body")
    }

    pub async fn buy(&self, token: &str) -> SessionCreated {
        self.create(token, json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"})).await
    }

    /// Read the status stream to its end (a terminal status), resuming after `last`.
    pub async fn events(&self, token: &str, tx: &str, last: Option<u64>) -> Vec<StatusEvent> {
        let mut req = self.http.get(format!("{}/v1/transactions/{tx}/events", self.base)).bearer_auth(token);
        if let Some(l) = last {
            req = req.header("Last-Event-ID", l.to_string());
        }
        let resp = req.send().await.expect("stream opens");
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"].to_str().is_ok_and(|c| c.starts_with("text/event-stream")));
        let mut stream = resp.bytes_stream().eventsource();
        let mut out = Vec::new();
        while let Some(ev) = tokio::time::timeout(Duration::from_secs(20), stream.next()).await.expect("stream stalls")
        {
            let ev = ev.expect("well-formed SSE");
            assert_eq!(ev.event, "status");
            let parsed: StatusEvent = serde_json::from_str(&ev.data).expect("status event JSON");
            assert_eq!(ev.id, parsed.seq.to_string());
            out.push(parsed);
        }
        out
    }
}

/// The stand-in widget, driven over HTTP with the session fields the host page carries.
pub struct Widget {
    http: reqwest::Client,
    sandbox: String,
    origin: String,
    auth: Value,
    pub session: Value,
}

impl Widget {
    /// Open the host page and read the session from it, as the widget script would.
    pub async fn open(api: &Api, widget_url: &str, sandbox: &str) -> Self {
        let resp = api.http.get(widget_url).send().await.expect("host page answers");
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.expect("html");
        Self::open_parsed(api, session_from_html(&html), sandbox)
    }

    /// Use a session already read from the host page.
    pub fn open_parsed(api: &Api, session: Value, sandbox: &str) -> Self {
        let auth = json!({
            "init_token": session["init_token"], "widget_id": session["widget_id"],
            "signature": session["signature"], "merchant_transaction_id": session["merchant_transaction_id"],
        });
        Self { http: api.http.clone(), sandbox: sandbox.to_owned(), origin: api.base.clone(), auth, session }
    }

    pub async fn step(&self, path: &str, extra: Value) -> Value {
        let mut body = self.auth.clone();
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self
            .http
            .post(format!("{}/_sandbox/widget/{path}", self.sandbox))
            .header("Origin", &self.origin)
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, 200, "{path}: {v}");
        v
    }

    /// Documents, selfie and payment for a first-time buyer.
    pub async fn first_time_buy(&self) {
        self.step("kyc", json!({"step": "documents"})).await;
        self.step("kyc", json!({"step": "liveness"})).await;
        self.step("action", json!({"action": "pay"})).await;
    }
}

pub use testkit::session_from_host_page as session_from_html;

pub fn statuses(events: &[StatusEvent]) -> Vec<&str> {
    events.iter().map(|e| e.status.as_str()).collect()
}

/// Read a transaction's SSE stream in the background, one event at a time.
pub fn stream(api: &Api, token: &str, tx: &str) -> mpsc::UnboundedReceiver<StatusEvent> {
    let (out, rx) = mpsc::unbounded_channel();
    let request = api.http.get(format!("{}/v1/transactions/{tx}/events", api.base)).bearer_auth(token);
    tokio::spawn(async move {
        let resp = request.send().await.expect("stream opens");
        assert_eq!(resp.status(), 200);
        let mut events = resp.bytes_stream().eventsource();
        while let Some(Ok(ev)) = events.next().await {
            let parsed: StatusEvent = serde_json::from_str(&ev.data).expect("status event");
            if out.send(parsed).is_err() {
                return;
            }
        }
    });
    rx
}

pub async fn next(rx: &mut mpsc::UnboundedReceiver<StatusEvent>, limit: Duration) -> Option<StatusEvent> {
    tokio::time::timeout(limit, rx.recv()).await.ok().flatten()
}

/// A bearer token for `user` within a new app session recorded in the database at `db_url`
/// (the backend using it checks the session there), signed with `key` for production.
pub async fn app_token(db_url: &str, key: &str, user: &partner_backend::auth::AppUser) -> String {
    let store = partner_backend::store::open(db_url, "test-sign-in").await.expect("store opens");
    partner_backend::auth::SignedTokens::new(key.as_bytes(), Duration::from_secs(600))
        .start_session(&*store, user, Duration::from_secs(3600))
        .await
        .expect("app session")
        .token
}
