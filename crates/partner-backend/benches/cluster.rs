//! Cluster benchmarks on PostgreSQL. Run `scripts/bench-cluster`: it starts a throw-away
//! PostgreSQL and sets `RAMP_TEST_POSTGRES_URL` (this creates and drops its own database there).
//!
//! 1. SSE fan-out: 10,000 streams on one transaction, half on each instance; the transaction is
//!    watched by one of them and the other learns of changes through PostgreSQL. Resident memory
//!    per stream on each instance, and how long `completed` takes to reach every stream.
//! 2. One instance against two on the same database: session creation and KYC status, the same
//!    closed-loop load (16 workers) sent to one instance, then spread evenly over both.
//!
//! Both instances are `proof-ramp-backend` processes (production mode), the sandbox a process
//! of its own; the load generator runs in this process.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use partner_backend::auth::AppUser;
use serde_json::{Value, json};
use sqlx::Connection;
use support::{app_token, load, rss_kib, serve_sandbox_if_asked, spawn_backend, start_sandbox, wait_ready};

const SETTLE: Duration = Duration::from_secs(2);

fn env_or(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    serve_sandbox_if_asked()?;
    let requests = env_or("BENCH_REQUESTS", 2000);
    let sessions = env_or("BENCH_SESSIONS", 400);
    let streams = env_or("BENCH_STREAMS", 10_000);
    let admin = std::env::var("RAMP_TEST_POSTGRES_URL")
        .map_err(|_| anyhow::anyhow!("set RAMP_TEST_POSTGRES_URL (scripts/bench-cluster does)"))?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;

    let name = format!("ramp_bench_{}", std::process::id());
    let mut db_url = url::Url::parse(&admin)?;
    db_url.set_path(&name);
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
        anyhow::Ok(())
    })?;

    let (_sandbox_process, sandbox) = start_sandbox(SETTLE)?;
    let (a, base_a) = spawn_backend(&sandbox, db_url.as_str(), &[("INSTANCE_ID", "bench-a")])?;
    let (b, base_b) = spawn_backend(&sandbox, db_url.as_str(), &[("INSTANCE_ID", "bench-b")])?;
    let (pid_a, pid_b) = (a.0.id(), b.0.id());

    let outcome = rt.block_on(async {
        let http = reqwest::Client::new();
        wait_ready(&http, &base_a).await?;
        wait_ready(&http, &base_b).await?;
        let user = AppUser { id: "verified-bench".into(), email: "bench@example.com".into() };
        let app_token = app_token(&[db_url.as_str()], &user).await?;
        let auth = format!("Bearer {app_token}");
        let body = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"});

        // SSE fan-out over both instances; the transaction is created (and watched) on A.
        let created: Value =
            http.post(format!("{base_a}/v1/sessions")).header("Authorization", &auth).json(&body).send().await?.json().await?;
        let tx_id = created["merchant_transaction_id"].as_str().unwrap_or_default().to_owned();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = (rss_kib(pid_a), rss_kib(pid_b));
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
        let ready = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..streams {
            let base = if i % 2 == 0 { &base_a } else { &base_b };
            let request = client.get(format!("{base}/v1/transactions/{tx_id}/events")).header("Authorization", &auth);
            let (opened, done) = (ready.clone(), finished.clone());
            tasks.push(tokio::spawn(async move {
                let mut events = request.send().await?.bytes_stream().eventsource();
                while let Some(ev) = events.next().await {
                    let ev = ev?;
                    if ev.data.contains("\"pending\"") {
                        opened.fetch_add(1, Ordering::Relaxed);
                    }
                    if ev.data.contains("\"completed\"") {
                        done.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
                anyhow::Ok(())
            }));
            // Open in batches, so connection setup does not overflow the listen queues.
            if i % 500 == 499 {
                while ready.load(Ordering::Relaxed) < i + 1 - 250 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        let opening = Instant::now();
        while ready.load(Ordering::Relaxed) < streams {
            anyhow::ensure!(opening.elapsed() < Duration::from_secs(120), "streams did not open");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = (rss_kib(pid_a), rss_kib(pid_b));
        let ready_a: Value = http.get(format!("{base_a}/readyz")).send().await?.json().await?;
        let ready_b: Value = http.get(format!("{base_b}/readyz")).send().await?.json().await?;

        let html = http.get(created["widget_url"].as_str().unwrap_or_default()).send().await?.text().await?;
        let s = testkit::session_from_host_page(&html);
        let pay = json!({"init_token": s["init_token"], "widget_id": s["widget_id"], "signature": s["signature"],
            "merchant_transaction_id": s["merchant_transaction_id"], "action": "pay"});
        http.post(format!("{sandbox}/_sandbox/widget/action")).json(&pay).send().await?;
        let paid = Instant::now();
        for t in tasks {
            t.await??;
        }
        let fanout = paid.elapsed().saturating_sub(SETTLE);
        let half = streams as f64 / 2.0;
        println!("SSE fan-out, {streams} streams on one transaction, half on each instance");
        for (label, (b0, b1), ready) in [("A (watches)", (before.0, after.0), &ready_a), ("B          ", (before.1, after.1), &ready_b)] {
            println!(
                "  instance {label}: RSS {b0} KiB before, {b1} KiB with {half:.0} streams open: {:.1} KiB per stream; upstream watchers {}",
                b1.saturating_sub(b0) as f64 / half,
                ready["upstream_watchers"]
            );
        }
        println!(
            "  completed reached all {} streams {:.0} ms after the sandbox settled",
            finished.load(Ordering::Relaxed),
            fanout.as_secs_f64() * 1e3
        );

        println!("Throughput, 16 workers: {requests} KYC status requests and {sessions} session creations per row");
        for (label, bases) in [("one instance ", vec![base_a.clone()]), ("two instances", vec![base_a.clone(), base_b.clone()])] {
            let kyc = {
                let (http, bases, auth) = (http.clone(), bases.clone(), auth.clone());
                move |i: usize| http.get(format!("{}/v1/me/kyc", bases[i % bases.len()])).header("Authorization", &auth)
            };
            let create = {
                let (http, bases, auth, body) = (http.clone(), bases.clone(), auth.clone(), body.clone());
                move |i: usize| {
                    http.post(format!("{}/v1/sessions", bases[i % bases.len()])).header("Authorization", &auth).json(&body)
                }
            };
            load(160, 16, kyc.clone()).await?;
            let k = load(requests, 16, kyc).await?;
            let s = load(sessions, 16, create).await?;
            println!("  {label}: KYC status {k} | session creation {s}");
        }

        // Takeover: A dies without a word (SIGKILL) at the default settings (WATCH_LEASE_SECS
        // 10); how long until B watches every transaction A watched.
        let watchers = |base: String| {
            let http = http.clone();
            async move {
                let ready: Value = http.get(format!("{base}/readyz")).send().await?.json().await?;
                anyhow::Ok(ready["upstream_watchers"].as_u64().unwrap_or(0))
            }
        };
        let (on_a, on_b) = (watchers(base_a.clone()).await?, watchers(base_b.clone()).await?);
        std::process::Command::new("kill").args(["-9", &pid_a.to_string()]).status()?;
        let killed = Instant::now();
        while watchers(base_b.clone()).await? < on_a + on_b {
            anyhow::ensure!(killed.elapsed() < Duration::from_secs(60), "B did not take A's watches over");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!(
            "Takeover after SIGKILL (default lease): B watched all {on_a} of A's transactions {:.0} ms after A was killed",
            killed.elapsed().as_secs_f64() * 1e3
        );

        anyhow::Ok(())
    });
    drop((a, b));
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
        anyhow::Ok(())
    })?;
    outcome
}
