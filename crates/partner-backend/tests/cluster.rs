//! Several instances on one PostgreSQL database: status reaches every instance's streams, one
//! instance watches each transaction, another takes over when it dies, limits are shared, and
//! concurrent writers never record a status twice. Skipped, with a note, without PostgreSQL.
//!
//! Instance A runs as its own process (`proof-ramp-backend`) so it can really be killed; B runs
//! in this process. Proof (the sandbox) runs outside both and sends its webhooks to A.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use partner_backend::Backend;
use partner_backend::auth::AppUser;
use partner_backend::config::{Config, ProofTarget, Secret};
use partner_backend::store::{Lease, NewTransaction, PgStore, StatusChange, Store};
use proof_api::{Amount, TxStatus, TxType};
use proof_sandbox::Sandbox;
use serde_json::{Value, json};
use sqlx::Connection;
use url::Url;

const KEY: &str = "cluster-test-signing-key-0123456789";
const PROOF_TOKEN: &str = "cluster-test-token";
const HOOK_SECRET: &str = "cluster-hook-secret-0123";

/// Kills the child on drop, whatever the test did.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

async fn sandbox(webhook_to: Option<u16>, settle_after: Duration) -> Sandbox {
    Sandbox::start(proof_sandbox::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        client_tokens: vec![PROOF_TOKEN.into()],
        settle_after,
        webhook_url: webhook_to
            .and_then(|p| Url::parse(&format!("http://127.0.0.1:{p}/proof/webhook/{HOOK_SECRET}")).ok()),
        ..proof_sandbox::Config::default()
    })
    .await
    .expect("sandbox")
}

/// Instance B's settings: Proof outside, the shared key and database, short leases.
fn instance_config(db: &TestDb, sandbox: &Sandbox, instance: &str) -> Config {
    let mut c = test_config(db.url.clone());
    c.proof = ProofTarget::Remote {
        base_url: Url::parse(&sandbox.base_url()).expect("url"),
        client_token: Secret::new(PROOF_TOKEN),
        widget_script_url: Url::parse(&sandbox.widget_script_url()).expect("url"),
    };
    c.auth_signing_key = Secret::new(KEY);
    c.webhook_path_secret = Some(Secret::new(HOOK_SECRET));
    c.watch_lease = Duration::from_secs(3);
    c.instance_id = instance.to_owned();
    c
}

/// Instance A as a process on `port`, configured through the environment as an operator would.
async fn spawn_instance(db: &TestDb, sandbox: &Sandbox, port: u16, instance: &str) -> (Process, Api) {
    spawn_instance_leasing(db, sandbox, port, instance, 3).await
}

/// [`spawn_instance`] with watcher leases of `lease_secs`.
async fn spawn_instance_leasing(
    db: &TestDb,
    sandbox: &Sandbox,
    port: u16,
    instance: &str,
    lease_secs: u64,
) -> (Process, Api) {
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_proof-ramp-backend"))
        .env_clear()
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", &base)
        .env("PROOF_BASE_URL", sandbox.base_url())
        .env("PROOF_CLIENT_TOKEN", PROOF_TOKEN)
        .env("PROOF_WIDGET_SCRIPT_URL", sandbox.widget_script_url())
        .env("PROOF_WEBHOOK_PATH_SECRET", HOOK_SECRET)
        .env("APP_AUTH_SIGNING_KEY", KEY)
        .env("RAMP_PAIRS", "USDT:TRC20")
        .env("SESSION_RATE_PER_MINUTE", "3")
        .env("PROOF_POLL_INTERVAL_MS", "1000")
        .env("DATABASE_URL", &db.url)
        .env("WATCH_LEASE_SECS", lease_secs.to_string())
        .env("INSTANCE_ID", instance)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the backend binary starts");
    let process = Process(child);
    let api = Api { http: reqwest::Client::new(), base: base.clone() };
    let deadline = Instant::now() + Duration::from_secs(30);
    while api.http.get(format!("{base}/readyz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(Instant::now() < deadline, "instance {instance} did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (process, api)
}

async fn readyz(api: &Api) -> Value {
    api.http.get(format!("{}/readyz", api.base)).send().await.expect("readyz").json().await.expect("json")
}

/// Wait until `check` holds, polling; fail with `what` after `limit`.
async fn eventually<F: std::future::Future<Output = bool>>(limit: Duration, what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} (waited {limit:?})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_instances_share_status_watching_and_take_over_when_one_dies() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster").await else { return };
    let port_a = free_port();
    // Completion comes well after A is killed, so only a takeover can deliver it.
    let sandbox = sandbox(Some(port_a), Duration::from_secs(8)).await;
    // Leases of a minute: only seeing that A's process is gone can hand its watch to B within
    // seconds (PostgreSQL closes a killed process's connections at once).
    let (mut a, api_a) = spawn_instance_leasing(&db, &sandbox, port_a, "instance-a", 60).await;
    let mut config_b = instance_config(&db, &sandbox, "instance-b");
    config_b.watch_lease = Duration::from_secs(60);
    let b = Backend::start(config_b).await.expect("B starts");
    let api_b = Api::new(&b);
    assert_eq!(readyz(&api_b).await["store"], "postgres");

    let user = AppUser { id: "verified-cluster".into(), email: "cluster@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;

    // Created on A: A watches it, B does not, though B serves its stream.
    let created = api_a.buy(&token).await;
    let id = created.merchant_transaction_id.clone();
    eventually(Duration::from_secs(10), "A watches the new transaction", || async {
        readyz(&api_a).await["upstream_watchers"] == 1
    })
    .await;
    let mut on_b = stream(&api_b, &token, &id);
    assert_eq!(next(&mut on_b, Duration::from_secs(10)).await.map(|e| e.status), Some(TxStatus::Pending));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.upstream_watchers(), 0, "B leaves the transaction to A, which holds the lease");

    // The user pays; Proof's webhook goes to A, A records processing, B's stream shows it.
    let widget = Widget::open(&api_a, &created.widget_url, &sandbox.base_url()).await;
    widget.step("action", json!({"action": "pay"})).await;
    let processing = next(&mut on_b, Duration::from_secs(10)).await.expect("processing reaches B");
    assert_eq!((processing.status, processing.seq), (TxStatus::Processing, 2));
    let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connects");
    // A records the webhook once it has confirmed it with Proof.
    let receipts = sqlx::PgPool::connect(&db.url).await.expect("pool");
    eventually(Duration::from_secs(5), "A received and confirmed Proof's webhook", || {
        let receipts = receipts.clone();
        let id = id.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM webhook_receipts WHERE tx_id = $1")
                .bind(&id)
                .fetch_one(&receipts)
                .await
                .is_ok_and(|n| n >= 1)
        }
    })
    .await;
    receipts.close().await;

    // A dies without a word; B takes the watch over and finishes it.
    a.0.kill().expect("kill A");
    let _ = a.0.wait();
    let killed = Instant::now();
    eventually(Duration::from_secs(10), "B takes over the watch long before A's lease runs out", || async {
        b.upstream_watchers() == 1
    })
    .await;
    let took_over = killed.elapsed();
    let completed = next(&mut on_b, Duration::from_secs(20)).await.expect("completed reaches B");
    assert_eq!((completed.status, completed.seq), (TxStatus::Completed, 3));
    assert!(next(&mut on_b, Duration::from_secs(2)).await.is_none(), "the stream ends after completed");
    eprintln!("B took over {took_over:?} after A was killed");

    // The database holds each status once, in order.
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, status FROM status_events WHERE tx_id = $1 ORDER BY seq")
            .bind(&id)
            .fetch_all(&mut conn)
            .await
            .expect("events");
    let expected = [(1, "pending"), (2, "processing"), (3, "completed")];
    assert_eq!(rows, expected.map(|(s, st)| (s, st.to_owned())).to_vec());
    let _ = conn.close().await;
    // The watch records `completed` (which ends the stream) and then lets its lease go.
    let leases = sqlx::PgPool::connect(&db.url).await.expect("pool");
    eventually(Duration::from_secs(5), "the finished watch let its lease go", || {
        let leases = leases.clone();
        let id = id.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>("SELECT watch_holder FROM transactions WHERE id = $1")
                .bind(&id)
                .fetch_one(&leases)
                .await
                .is_ok_and(|holder| holder.is_none())
        }
    })
    .await;
    leases.close().await;
    b.shutdown().await;
}

#[tokio::test]
async fn session_rate_is_shared_by_every_instance() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-rate").await else { return };
    let sandbox = sandbox(None, Duration::from_secs(1)).await;
    let (_a, api_a) = spawn_instance(&db, &sandbox, free_port(), "rate-a").await; // 3 per minute
    let mut config = instance_config(&db, &sandbox, "rate-b");
    config.session_rate_per_minute = 3;
    let b = Backend::start(config).await.expect("B starts");
    let api_b = Api::new(&b);
    let user = AppUser { id: "verified-rate".into(), email: "rate@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;
    api_a.buy(&token).await;
    api_b.buy(&token).await;
    api_a.buy(&token).await;
    let body = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"});
    let over = api_b.post(&token, "/v1/sessions", &body).await;
    assert_eq!(over.status(), 429, "the fourth session in a minute is refused, whichever instance it reaches");
    assert!(over.headers().get("retry-after").is_some());
    b.shutdown().await;
}

/// A 25 USDT purchase on TRC20 by `owner`, as a session would record it.
fn new_tx(id: &str, owner: &str) -> NewTransaction {
    NewTransaction {
        id: id.to_owned(),
        owner: owner.to_owned(),
        tx_type: TxType::Buy,
        currency: "USDT".into(),
        network: "TRC20".into(),
        amount: Amount::parse("25").expect("amount"),
        created_at: "2026-11-30T10:00:00Z".into(),
    }
}

fn change(status: TxStatus) -> StatusChange {
    StatusChange {
        status,
        crypto_amount: Amount::parse("25").ok(),
        fiat_amount: None,
        fiat_currency: None,
        occurred_at: "2026-11-30T10:00:00Z".into(),
    }
}

#[tokio::test]
async fn concurrent_writers_record_each_status_once() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-race").await else { return };
    // Two pools, as two instances would have.
    let first: Arc<dyn Store> = Arc::new(PgStore::open(&db.url, "test").await.expect("store"));
    let second: Arc<dyn Store> = Arc::new(PgStore::open(&db.url, "test").await.expect("store"));
    for round in 0..5 {
        let id = format!("race-{round}");
        first
            .insert_transaction(&new_tx(&id, "u"), Lease { holder: "creator", now_ms: 0, until_ms: -1 })
            .await
            .expect("insert");
        let mut writers = Vec::new();
        for i in 0..16 {
            let store = if i % 2 == 0 { first.clone() } else { second.clone() };
            let status = if i % 4 < 2 { TxStatus::Processing } else { TxStatus::Completed };
            let id = id.clone();
            writers.push(tokio::spawn(async move { store.apply_status(&id, &change(status)).await }));
        }
        let mut recorded = 0;
        for w in writers {
            recorded += usize::from(w.await.expect("joins").expect("applies").is_some());
        }
        let events = first.events_after(&id, 0).await.expect("events");
        let statuses: Vec<&str> = events.iter().map(|e| e.status.as_str()).collect();
        assert!(
            statuses == ["pending", "completed"] || statuses == ["pending", "processing", "completed"],
            "round {round}: {statuses:?}"
        );
        assert_eq!(recorded + 1, events.len(), "each recorded change is one event");
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn leases_give_one_watcher_and_pass_on_when_they_run_out() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-lease").await else { return };
    let store = PgStore::open(&db.url, "test").await.expect("store");
    for id in ["l1", "l2"] {
        store
            .insert_transaction(&new_tx(id, "u"), Lease { holder: "creator", now_ms: 0, until_ms: -1 })
            .await
            .expect("insert");
    }
    let at = |holder, now_ms| Lease { holder, now_ms, until_ms: now_ms + 1000 };
    assert!(store.take_lease("l1", at("a", 0)).await.expect("take"));
    assert!(!store.take_lease("l1", at("b", 500)).await.expect("take"), "held by a");
    assert!(store.renew_lease("l1", at("a", 900)).await.expect("renew"), "a renews until 1900");
    assert!(!store.take_lease("l1", at("b", 1800)).await.expect("take"), "still a's after renewal");
    assert!(store.take_lease("l1", at("b", 2000)).await.expect("take"), "ran out: b takes it");
    assert!(!store.renew_lease("l1", at("a", 2100)).await.expect("renew"), "a learns it lost it");

    // Sweeps take free and run-out leases, but never a given-up one.
    assert_eq!(store.take_orphans(at("c", 2100), 10).await.expect("orphans"), vec!["l2".to_owned()]);
    store.give_up_lease("l1", "b").await.expect("give up");
    assert!(store.take_orphans(at("c", 99_999), 10).await.expect("orphans").iter().all(|id| id != "l1"));
    assert!(store.take_lease("l1", at("d", 99_999)).await.expect("take"), "a new subscriber re-arms it");

    // A terminal transaction has no lease to take.
    store.apply_status("l2", &change(TxStatus::Completed)).await.expect("apply");
    store.release_all("c").await.expect("release");
    assert!(!store.take_lease("l2", at("e", 99_999)).await.expect("take"));
}

#[tokio::test]
async fn a_stopped_instance_hands_its_watches_over_at_once() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-stop").await else { return };
    let sandbox = sandbox(None, Duration::from_secs(60)).await;
    let (mut a, api_a) = spawn_instance(&db, &sandbox, free_port(), "stop-a").await;
    let user = AppUser { id: "verified-stop".into(), email: "stop@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;
    let id = api_a.buy(&token).await.merchant_transaction_id;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connects");
    let holder =
        || sqlx::query_scalar::<_, Option<String>>("SELECT watch_holder FROM transactions WHERE id = $1").bind(&id);
    assert_eq!(holder().fetch_one(&mut conn).await.expect("holder").as_deref(), Some("stop-a"));

    // SIGTERM, as systemd or an orchestrator stops a service: A lets its leases go on the way
    // out, long before they would run out (3 s, renewed every second).
    let pid = a.0.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(sent.success());
    let exited = tokio::task::spawn_blocking(move || {
        let status = a.0.wait();
        (a, status)
    });
    let (_a, status) = tokio::time::timeout(Duration::from_secs(10), exited).await.expect("A stops").expect("joins");
    assert!(status.expect("exit status").success(), "a stop signal is a clean exit");
    assert_eq!(holder().fetch_one(&mut conn).await.expect("holder"), None, "free for any instance at once");
    let _ = conn.close().await;
}

#[tokio::test]
async fn a_single_instance_moves_from_sqlite_to_postgres() {
    let Some(pg) = TestDb::new(Db::Postgres, "cluster-copy").await else { return };
    let sqlite = TestDb::new(Db::Sqlite, "copy-source").await.expect("sqlite");
    let sandbox = sandbox(None, Duration::from_millis(200)).await;
    let user = AppUser { id: "verified-copy".into(), email: "copy@example.com".into() };
    let token = app_token(&sqlite.url, KEY, &user).await;

    // A year on SQLite, in short: one purchase completed, one link not opened yet.
    let one = Backend::start(instance_config(&sqlite, &sandbox, "single")).await.expect("starts on SQLite");
    let api = Api::new(&one);
    let paid = api.buy(&token).await;
    let unopened = api.buy(&token).await;
    Widget::open(&api, &paid.widget_url, &sandbox.base_url()).await.step("action", json!({"action": "pay"})).await;
    let history = api.events(&token, &paid.merchant_transaction_id, None).await;
    assert_eq!(statuses(&history), ["pending", "processing", "completed"]);
    let before: ramp_api::TransactionList = api.get(&token, "/v1/transactions").await.json().await.expect("list");
    one.shutdown().await;

    let copied = partner_backend::store::copy::sqlite_to_postgres(&sqlite.url, &pg.url).await.expect("copies");
    let rows = |t| copied.rows(t);
    assert_eq!((rows("transactions"), rows("status_events"), rows("widget_links")), (2, 4, 2));
    // Every table of the schema is copied or deliberately left out: one list drives the copy.
    let sqlite_db = sqlx::SqlitePool::connect(&sqlite.url).await.expect("sqlite");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(&sqlite_db)
            .await
            .expect("tables");
    for table in &tables {
        let listed = partner_backend::store::copy::TABLES.iter().any(|t| t.name == table)
            || partner_backend::store::copy::NOT_COPIED.iter().any(|(t, _)| t == table);
        assert!(listed, "table {table} is neither copied nor listed as left out");
    }

    let moved = Backend::start(instance_config(&pg, &sandbox, "moved")).await.expect("starts on PostgreSQL");
    let api = Api::new(&moved);
    let after: ramp_api::TransactionList = api.get(&token, "/v1/transactions").await.json().await.expect("list");
    assert_eq!(after, before, "the same transactions, in the same order");
    assert_eq!(api.events(&token, &paid.merchant_transaction_id, None).await, history, "the same history");
    let base = |u: &str| u.replacen(&u[..u.find("/w/").expect("link")], &api.base, 1);
    assert_eq!(api.http.get(base(&paid.widget_url)).send().await.expect("page").status(), 410, "used stays used");
    assert_eq!(api.http.get(base(&unopened.widget_url)).send().await.expect("page").status(), 200, "opens once");
    moved.shutdown().await;

    let again = partner_backend::store::copy::sqlite_to_postgres(&sqlite.url, &pg.url).await;
    assert!(matches!(again, Err(partner_backend::store::copy::CopyError::NotEmpty(2))), "{again:?}");
}

#[tokio::test]
async fn a_stream_catches_up_on_what_a_lost_listener_missed() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-relisten").await else { return };
    let sandbox = sandbox(None, Duration::from_secs(60)).await;
    let b = Backend::start(instance_config(&db, &sandbox, "relisten-b")).await.expect("B starts");
    let api_b = Api::new(&b);
    let user = AppUser { id: "verified-relisten".into(), email: "relisten@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;

    // Another instance (a second pool on the same database) owns and watches the transaction.
    let other = PgStore::open(&db.url, "test").await.expect("store");
    let far = i64::MAX / 2;
    other
        .insert_transaction(&new_tx("relisten-1", &user.id), Lease { holder: "elsewhere", now_ms: 0, until_ms: far })
        .await
        .expect("insert");
    let mut on_b = stream(&api_b, &token, "relisten-1");
    assert_eq!(next(&mut on_b, Duration::from_secs(10)).await.map(|e| e.seq), Some(1));

    // B's listening connection dies and cannot come back for a while; meanwhile the other
    // instance records processing, whose notification B never gets.
    let admin = postgres_admin_url().expect("admin url");
    let mut admin = sqlx::PgConnection::connect(&admin).await.expect("admin");
    let name = url::Url::parse(&db.url).expect("url").path().trim_start_matches('/').to_owned();
    sqlx::raw_sql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(&mut admin).await.expect("lock");
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
    )
    .bind(&name)
    .bind("proof-ramp-backend/relisten-b")
    .fetch_all(&mut admin)
    .await
    .expect("terminate");
    assert!(!killed.is_empty() && killed.iter().all(|k| *k), "B's connections, the listening one among them");
    tokio::time::sleep(Duration::from_millis(300)).await;
    other.apply_status("relisten-1", &change(TxStatus::Processing)).await.expect("applies");
    assert!(next(&mut on_b, Duration::from_secs(2)).await.is_none(), "nothing can reach B now");

    // Connections are allowed again: B listens anew and catches up from the tables.
    sqlx::raw_sql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&mut admin).await.expect("unlock");
    let caught_up = next(&mut on_b, Duration::from_secs(15)).await.expect("processing reaches B after all");
    assert_eq!((caught_up.status, caught_up.seq), (TxStatus::Processing, 2));
    // And live notifications flow again.
    other.apply_status("relisten-1", &change(TxStatus::Completed)).await.expect("applies");
    let done = next(&mut on_b, Duration::from_secs(5)).await.expect("completed reaches B");
    assert_eq!((done.status, done.seq), (TxStatus::Completed, 3));
    let _ = admin.close().await;
    b.shutdown().await;
}

/// Attack: any role that can connect to the database sends `NOTIFY proof_ramp_status` with a
/// made-up `completed` (and a huge `seq`, after which real events would be dropped as old).
/// A notice only wakes the instance, which reads the store: nothing reaches the stream, and the
/// real change, recorded afterwards, arrives with its true number.
#[tokio::test]
async fn a_forged_status_notification_is_only_a_wake_up() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-forged").await else { return };
    let sandbox = sandbox(None, Duration::from_secs(60)).await;
    let b = Backend::start(instance_config(&db, &sandbox, "forged-b")).await.expect("B starts");
    let api_b = Api::new(&b);
    let user = AppUser { id: "verified-forged".into(), email: "forged@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;
    let other = PgStore::open(&db.url, "test").await.expect("store");
    let far = i64::MAX / 2;
    other
        .insert_transaction(&new_tx("forged-1", &user.id), Lease { holder: "elsewhere", now_ms: 0, until_ms: far })
        .await
        .expect("insert");
    let mut on_b = stream(&api_b, &token, "forged-1");
    assert_eq!(next(&mut on_b, Duration::from_secs(10)).await.map(|e| e.seq), Some(1));

    let fake = serde_json::json!({
        "seq": 9_000_000_000_000_000_000u64, "merchant_transaction_id": "forged-1", "status": "completed",
        "crypto_amount": "1000000", "occurred_at": "2026-04-01T10:00:00Z"
    });
    let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("a connection of any role");
    sqlx::query("SELECT pg_notify('proof_ramp_status', $1)")
        .bind(fake.to_string())
        .execute(&mut conn)
        .await
        .expect("notify");
    sqlx::query("SELECT pg_notify('proof_ramp_status', 'forged-1')").execute(&mut conn).await.expect("notify");
    // Nothing is shown, and the stream is still open (not ended by a forged end).
    let quiet = tokio::time::timeout(Duration::from_secs(2), on_b.recv()).await;
    assert!(quiet.is_err(), "the stream stays open and shows nothing: {quiet:?}");

    other.apply_status("forged-1", &change(TxStatus::Processing)).await.expect("applies");
    let real = next(&mut on_b, Duration::from_secs(5)).await.expect("the real change arrives");
    assert_eq!((real.status, real.seq), (TxStatus::Processing, 2));
    let (_, view) = other.transaction("forged-1").await.expect("read").expect("exists");
    assert_eq!(view.status, TxStatus::Processing, "the store never held the forged status");
    let _ = conn.close().await;
    b.shutdown().await;
}

/// A TCP proxy to the database that can be cut: while down it closes every connection it
/// carries and refuses new ones, as a database failing over or a network partition would.
/// A TCP proxy in front of PostgreSQL that can cut every connection (closed at once, as when
/// the database restarts) or freeze them (kept open, nothing passes either way: a partition,
/// which no connection notices).
struct Outage {
    port: u16,
    down: tokio::sync::watch::Sender<bool>,
    frozen: tokio::sync::watch::Sender<bool>,
}

/// Copy `from` to `to`, holding each chunk while the proxy is frozen.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if frozen.wait_for(|f| !*f).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

impl Outage {
    async fn start(to: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (down, watching) = tokio::sync::watch::channel(false);
        let (frozen, freezing) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *watching.borrow() {
                    continue; // dropped at once: refused
                }
                let (mut cut, freezing) = (watching.clone(), freezing.clone());
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(to).await else { return };
                    let ((client_in, client_out), (server_in, server_out)) = (client.into_split(), server.into_split());
                    tokio::select! {
                        _ = pump(client_in, server_out, freezing.clone()) => {}
                        _ = pump(server_in, client_out, freezing) => {}
                        _ = cut.wait_for(|d| *d) => {}
                    }
                });
            }
        });
        Self { port, down, frozen }
    }

    fn cut(&self, down: bool) {
        self.down.send_replace(down);
    }

    fn freeze(&self, frozen: bool) {
        self.frozen.send_replace(frozen);
    }

    /// `url` with its port turned to this proxy's, and the database's address behind it.
    fn address_of(url: &str) -> std::net::SocketAddr {
        let url = Url::parse(url).expect("url");
        std::net::SocketAddr::new(
            url.host_str().expect("host").parse().expect("an IP host"),
            url.port().expect("a port"),
        )
    }

    fn url(&self, url: &str) -> String {
        let mut via = Url::parse(url).expect("url");
        via.set_port(Some(self.port)).expect("port");
        via.into()
    }
}

/// A counter or gauge from an instance's `/metrics`.
async fn metric(api: &Api, name: &str) -> u64 {
    let text = api.http.get(format!("{}/metrics", api.base)).send().await.expect("metrics").text().await.expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {text}"))
}

/// Requests `token` on `api` until the session is answered from memory there: how a busy
/// instance holds a user's session.
async fn held_in_memory(api: &Api, token: &str) {
    let before = metric(api, "proof_ramp_session_checks_from_memory_total").await;
    eventually(Duration::from_secs(5), "the session answered from memory", || async {
        assert_eq!(api.get(token, "/v1/config").await.status(), 200, "signed in");
        metric(api, "proof_ramp_session_checks_from_memory_total").await > before
    })
    .await;
}

/// Attack: a user signs out everywhere because a token was stolen; the thief's requests go to
/// another instance, which holds the session in memory. The revocation reaches that
/// instance's memory within a second (PostgreSQL's notification), and the token is refused
/// there, every time it is tried. The last round revokes as an operator would, in SQL.
#[tokio::test]
async fn a_session_revoked_on_one_instance_is_refused_on_another_within_a_second() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-revoke").await else { return };
    let sandbox = sandbox(None, Duration::from_secs(3)).await;
    let a = Backend::start(instance_config(&db, &sandbox, "revoke-a")).await.expect("A starts");
    let b = Backend::start(instance_config(&db, &sandbox, "revoke-b")).await.expect("B starts");
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let user = AppUser { id: "verified-revoke".into(), email: "revoke@example.com".into() };
    for round in 0..3 {
        let token = app_token(&db.url, KEY, &user).await;
        held_in_memory(&api_b, &token).await;
        if round < 2 {
            assert_eq!(api_a.post(&token, "/v1/auth/sign-out-everywhere", &json!({})).await.status(), 204);
        } else {
            // An operator revokes in SQL: the database itself announces it.
            let mut sql = sqlx::PgConnection::connect(&db.url).await.expect("connects");
            sqlx::query("UPDATE app_sessions SET revoked_at = 1 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(&user.id)
                .execute(&mut sql)
                .await
                .expect("revoked");
        }
        let revoked = Instant::now();
        eventually(Duration::from_secs(1), &format!("round {round}: B refuses the revoked token"), || async {
            api_b.get(&token, "/v1/config").await.status() == 401
        })
        .await;
        let took = revoked.elapsed();
        for _ in 0..5 {
            assert_eq!(api_b.get(&token, "/v1/config").await.status(), 401, "round {round}: refused for good");
        }
        println!("round {round}: refused on B {took:?} after the sign-out on A");
    }
    a.shutdown().await;
    b.shutdown().await;
}

/// Attack: the same, while B's connections to PostgreSQL are silently frozen (a partition; no
/// connection is closed, so nothing tells B its notifications stopped). B must not go on
/// answering the revoked session from memory: its heartbeats stop coming back, it stops
/// trusting its memory, and it refuses (503, the database being unreachable) instead. Once
/// the network is back, the token is refused as revoked.
#[tokio::test]
async fn a_silent_notification_channel_refuses_rather_than_trusts() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-frozen").await else { return };
    let outage = Outage::start(Outage::address_of(&db.url)).await;
    let sandbox = sandbox(None, Duration::from_secs(3)).await;
    let a = Backend::start(instance_config(&db, &sandbox, "frozen-a")).await.expect("A starts");
    let mut config_b = instance_config(&db, &sandbox, "frozen-b");
    config_b.database_url = Secret::new(outage.url(&db.url));
    let b = Backend::start(config_b).await.expect("B starts");
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let user = AppUser { id: "verified-frozen".into(), email: "frozen@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;
    held_in_memory(&api_b, &token).await;
    assert_eq!(metric(&api_b, "proof_ramp_session_cache_current").await, 1);

    outage.freeze(true);
    assert_eq!(api_a.post(&token, "/v1/auth/sign-out-everywhere", &json!({})).await.status(), 204);
    tokio::time::sleep(Duration::from_secs(1)).await;
    for _ in 0..3 {
        let asked = Instant::now();
        let status = api_b.get(&token, "/v1/config").await.status();
        assert_eq!(status, 503, "B must not answer the revoked session from memory");
        assert!(asked.elapsed() < Duration::from_secs(4), "refused promptly: {:?}", asked.elapsed());
    }
    assert_eq!(metric(&api_b, "proof_ramp_session_cache_current").await, 0, "B shows its channel went quiet");

    outage.freeze(false);
    eventually(Duration::from_secs(10), "B refuses the revoked token once the network is back", || async {
        api_b.get(&token, "/v1/config").await.status() == 401
    })
    .await;
    a.shutdown().await;
    b.shutdown().await;
}

/// The database goes away for 15 s mid-purchase. Every request meanwhile is a prompt `503`
/// with `Retry-After` (the app waits and tries again), never a `401` that would sign the user
/// out; `/readyz` says `503`. Afterwards the user is still signed in and every status of the
/// purchase, paid during the outage, reaches the stream that stayed open, in order.
#[tokio::test]
async fn a_database_outage_is_503_never_a_sign_out_and_loses_no_status() {
    let Some(db) = TestDb::new(Db::Postgres, "cluster-outage").await else { return };
    let outage = Outage::start(Outage::address_of(&db.url)).await;
    let sandbox = sandbox(None, Duration::from_secs(3)).await;
    let mut config = instance_config(&db, &sandbox, "outage-b");
    config.database_url = Secret::new(outage.url(&db.url));
    config.poll_interval = Duration::from_millis(500);
    let b = Backend::start(config).await.expect("B starts");
    let api = Api::new(&b);
    let user = AppUser { id: "verified-outage".into(), email: "outage@example.com".into() };
    let token = app_token(&db.url, KEY, &user).await;
    let created = api.buy(&token).await;
    let mut events = stream(&api, &token, &created.merchant_transaction_id);
    assert_eq!(next(&mut events, Duration::from_secs(10)).await.map(|e| e.seq), Some(1));
    let widget = Widget::open(&api, &created.widget_url, &sandbox.base_url()).await;

    outage.cut(true);
    widget.step("action", json!({"action": "pay"})).await; // Proof moves on meanwhile
    let began = Instant::now();
    let ready = Instant::now();
    let r = api.http.get(format!("{}/readyz", api.base)).send().await.expect("readyz answers");
    assert_eq!(r.status(), 503, "not ready without its database");
    assert!(ready.elapsed() < Duration::from_secs(3), "readyz took {:?}", ready.elapsed());
    let mut answers = Vec::new();
    while began.elapsed() < Duration::from_secs(15) {
        for path in ["/v1/me/kyc", "/v1/transactions", "/v1/config"] {
            let asked = Instant::now();
            let r = api.get(&token, path).await;
            let status = r.status().as_u16();
            let retry_after = r.headers().get("retry-after").is_some();
            let code = r.json::<Value>().await.map(|v| v["error"]["code"].as_str().unwrap_or("").to_owned());
            assert_ne!(status, 401, "{path} during the outage signed the user out");
            assert!(asked.elapsed() < Duration::from_secs(8), "{path} took {:?}", asked.elapsed());
            answers.push((path, status, retry_after, code.unwrap_or_default()));
        }
    }
    outage.cut(false);
    for (path, status, retry_after, code) in &answers {
        if *status != 200 {
            assert_eq!((*status, *retry_after, code.as_str()), (503, true, "unavailable"), "{path}");
        }
    }
    assert!(answers.iter().any(|(_, s, _, _)| *s == 503), "the outage was seen: {answers:?}");

    // Back: still signed in, and the purchase's statuses arrive in order.
    let mut seen = Vec::new();
    while let Some(ev) = next(&mut events, Duration::from_secs(20)).await {
        seen.push((ev.seq, ev.status.as_str().to_owned()));
        if ev.status.is_terminal() {
            break;
        }
    }
    assert_eq!(seen, [(2, "processing".to_owned()), (3, "completed".to_owned())], "every status after the outage");
    assert_eq!(api.get(&token, "/v1/config").await.status(), 200, "still signed in");
    b.shutdown().await;
}
