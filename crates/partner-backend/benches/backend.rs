//! Backend benchmarks. Run `scripts/bench-backend` (it raises `ulimit -n` for 1,000 streams).
//!
//! 1. KYC-status proxy: `GET /v1/me/kyc` through the backend (with its per-user cache of
//!    verified answers, the default, and through a second backend with the cache off) next to
//!    `GET /widget/users/{id}/kyc-status` on the sandbox directly, with the same load generator:
//!    throughput and p50/p99 at concurrency 1 and 16, and the ratios.
//! 2. SSE fan-out: 1,000 subscribers on one transaction; the backend process's resident memory
//!    before and after, the upstream watchers it runs, and how long the final status takes to
//!    reach every subscriber.
//!
//! The backend runs as a child process (`proof-ramp-backend`, production mode) so its memory is
//! its own; the sandbox runs as a process too, on a runtime and allocator like the backend's, so
//! a direct call (the floor) crosses the same kind of process boundary as a call to the backend.

mod support;

/// The backend's allocator (see its main.rs), here too: the sandbox this process serves as the
/// floor gets the same one, so a ratio compares the servers, not their allocators.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use partner_backend::auth::AppUser;
use serde_json::{Value, json};
use support::{
    Stats, TOKEN, app_token, load, load_in_turn, rss_kib, serve_sandbox_if_asked, spawn_backend, start_sandbox,
    wait_ready,
};

fn main() -> anyhow::Result<()> {
    serve_sandbox_if_asked()?;
    let requests_per_row: usize = std::env::var("BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let subscribers: usize = std::env::var("BENCH_SUBSCRIBERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);

    let (_sandbox_process, sandbox) = start_sandbox(Duration::from_millis(500))?;
    let dir = std::env::temp_dir().join(format!("ramp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = format!("sqlite://{}", dir.join("bench.db").display());
    let (child, base) = spawn_backend(&sandbox, &db, &[])?;
    let pid = child.0.id();
    let _child = child;
    let uncached_db = format!("sqlite://{}", dir.join("uncached.db").display());
    let (_uncached, uncached) = spawn_backend(&sandbox, &uncached_db, &[("KYC_CACHE_SECS", "0")])?;

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    rt.block_on(async move {
        let http = reqwest::Client::new();
        wait_ready(&http, &base).await?;
        wait_ready(&http, &uncached).await?;
        let user = AppUser { id: "verified-bench".into(), email: "bench@example.com".into() };
        let app_token = app_token(&[&db, &uncached_db], &user).await?;
        let app_auth = format!("Bearer {app_token}");
        let proof_auth = format!("Bearer {TOKEN}");

        println!("KYC status: {rounds} rounds of {requests_per_row} requests per row, the rows taking turns; medians");
        for conc in [1usize, 16] {
            let get = |url: String, auth: &str| {
                let (http, auth) = (http.clone(), auth.to_owned());
                move |_| http.get(&url).header("Authorization", &auth)
            };
            let rows = [
                ("backend, cache", get(format!("{base}/v1/me/kyc"), &app_auth)),
                ("backend, no cache", get(format!("{uncached}/v1/me/kyc"), &app_auth)),
                ("sandbox direct", get(format!("{sandbox}/widget/users/{}/kyc-status", user.id), &proof_auth)),
                ("backend /healthz", get(format!("{base}/healthz"), "")),
            ];
            for (_, request) in &rows {
                load(200, conc, request.clone()).await?;
            }
            // The rows take turns request by request (see `load_in_turn`), in every round.
            let requests: Vec<_> = rows.iter().map(|(_, r)| r.clone()).collect();
            let mut runs: Vec<Vec<Stats>> = rows.iter().map(|_| Vec::new()).collect();
            for _ in 0..rounds {
                for (stats, run) in load_in_turn(requests_per_row, conc, &requests).await?.into_iter().zip(&mut runs) {
                    run.push(stats);
                }
            }
            let direct = Stats::median(&runs[2]);
            println!("  concurrency {conc}:");
            for ((name, _), run) in rows.iter().zip(&runs) {
                let m = Stats::median(run);
                let ratios: Vec<f64> = run.iter().zip(&runs[2]).map(|(r, d)| r.rps / d.rps).collect();
                let (lo, hi) = ratios.iter().fold((f64::MAX, 0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
                println!("    {name:<18} {m} | {:.2}x direct (rounds {lo:.2}-{hi:.2})", m.rps / direct.rps);
            }
        }

        let metrics = http.get(format!("{base}/metrics")).send().await?.text().await?;
        let figure = |name: &str| metrics.lines().find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok());
        println!(
            "  session checks on the cached backend: {:?} from memory, {:?} from the database",
            figure("proof_ramp_session_checks_from_memory_total"),
            figure("proof_ramp_session_checks_from_store_total")
        );

        // SSE fan-out.
        let created: Value = http
            .post(format!("{base}/v1/sessions"))
            .header("Authorization", &app_auth)
            .json(&json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"}))
            .send()
            .await?
            .json()
            .await?;
        let tx_id = created["merchant_transaction_id"].as_str().unwrap_or_default().to_owned();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let rss_before = rss_kib(pid);
        let streams_http = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
        let ready = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..subscribers {
            let (http, url, auth) =
                (streams_http.clone(), format!("{base}/v1/transactions/{tx_id}/events"), app_auth.clone());
            let ready = ready.clone();
            tasks.push(tokio::spawn(async move {
                let resp = http.get(&url).header("Authorization", &auth).send().await?;
                let mut events = resp.bytes_stream().eventsource();
                while let Some(ev) = events.next().await {
                    let ev = ev?;
                    if ev.data.contains("\"pending\"") {
                        ready.fetch_add(1, Ordering::Relaxed);
                    }
                    if ev.data.contains("\"completed\"") {
                        return anyhow::Ok(Some(Instant::now()));
                    }
                }
                anyhow::Ok(None)
            }));
        }
        while ready.load(Ordering::Relaxed) < subscribers {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_after = rss_kib(pid);
        let readyz: Value = http.get(format!("{base}/readyz")).send().await?.json().await?;

        // Pay through the widget's back channel, with the session from the host page.
        let html = http.get(created["widget_url"].as_str().unwrap_or_default()).send().await?.text().await?;
        let s = testkit::session_from_host_page(&html);
        let body = json!({"init_token": s["init_token"], "widget_id": s["widget_id"], "signature": s["signature"],
            "merchant_transaction_id": s["merchant_transaction_id"], "action": "pay"});
        http.post(format!("{sandbox}/_sandbox/widget/action")).json(&body).send().await?;
        let paid = Instant::now();
        // Completed arrives after the sandbox's 500 ms settlement. The first subscriber to get it
        // marks when the backend published it; the last one, how long reaching them all took.
        let mut arrivals = Vec::new();
        for t in tasks {
            arrivals.extend(t.await??);
        }
        let settled = paid + Duration::from_millis(500);
        let first = arrivals.iter().min().copied().unwrap_or(settled);
        let last = arrivals.iter().max().copied().unwrap_or(settled);
        println!("SSE fan-out, {subscribers} subscribers on one transaction");
        println!(
            "  backend RSS {} KiB before, {} KiB with the streams open: {:.1} KiB per subscriber",
            rss_before,
            rss_after,
            (rss_after.saturating_sub(rss_before)) as f64 / subscribers as f64
        );
        println!("  upstream watchers while streaming: {}", readyz["upstream_watchers"]);
        println!(
            "  completed reached {} subscribers: the first {:.0} ms and the last {:.0} ms after the sandbox settled",
            arrivals.len(),
            first.saturating_duration_since(settled).as_secs_f64() * 1e3,
            last.saturating_duration_since(settled).as_secs_f64() * 1e3
        );
        anyhow::Ok(())
    })?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
