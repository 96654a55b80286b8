//! Client round trips against the sandbox over loopback: throughput and latency.
//!
//! Run: `cargo bench -p proof-api --bench roundtrip` (set `ROUNDTRIP_REQUESTS` to change the
//! number of requests per run, default 5000). The sandbox runs on its own runtime thread so the
//! client's and the server's work do not share a scheduler.

use std::time::{Duration, Instant};

use proof_api::{Amount, CreateSession, ProofClient, TxType};
use proof_sandbox::{Config, Sandbox};

fn main() -> anyhow::Result<()> {
    let requests: usize = std::env::var("ROUNDTRIP_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);

    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || -> anyhow::Result<()> {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        rt.block_on(async move {
            let sandbox = Sandbox::start(Config { listen: "127.0.0.1:0".parse()?, ..Config::default() }).await?;
            addr_tx.send(sandbox.base_url())?;
            std::future::pending::<()>().await;
            anyhow::Ok(())
        })
    });
    let base = addr_rx.recv()?;

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    rt.block_on(async move {
        let client = ProofClient::builder(&base, proof_sandbox::DEFAULT_CLIENT_TOKEN).build()?;
        let session = client.create_session(&request("bench-user")).await?;
        let id = session.merchant_transaction_id;

        // Warm up connections and caches.
        for _ in 0..200 {
            client.transaction(&id).await?;
        }

        for concurrency in [1usize, 16] {
            let id = id.clone();
            let stats = measure(
                requests,
                concurrency,
                move |client| {
                    let id = id.clone();
                    async move { client.transaction(&id).await.map(drop) }
                },
                &client,
            )
            .await?;
            report("GET  /widget/transactions/{id}", concurrency, &stats);
        }
        let stats = measure(
            requests / 5,
            1,
            |client| async move { client.create_session(&request("bench-user")).await.map(drop) },
            &client,
        )
        .await?;
        report("POST /widget/session", 1, &stats);
        anyhow::Ok(())
    })
}

fn request(user: &str) -> CreateSession {
    CreateSession {
        partner_user_id: user.into(),
        user_email: "bench@example.com".into(),
        network: "TRC20".into(),
        currency: "USDT".into(),
        amount: Amount::parse("100").expect("a decimal"),
        tx_type: Some(TxType::Buy),
        redirect_url: None,
        client_ip: Some("203.0.113.42".into()),
        address: None,
    }
}

struct Stats {
    latencies: Vec<Duration>,
    elapsed: Duration,
}

/// Run `total` calls split over `concurrency` tasks; collect each call's latency.
async fn measure<F, Fut>(total: usize, concurrency: usize, call: F, client: &ProofClient) -> anyhow::Result<Stats>
where
    F: Fn(ProofClient) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = proof_api::Result<()>> + Send,
{
    let started = Instant::now();
    let per_task = total / concurrency;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let t = Instant::now();
                call(client.clone()).await?;
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await??);
    }
    latencies.sort();
    Ok(Stats { latencies, elapsed: started.elapsed() })
}

fn report(what: &str, concurrency: usize, s: &Stats) {
    let pct = |p: f64| s.latencies[((s.latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{what:<32} concurrency {concurrency:>2}: {:>7.0} req/s  p50 {:>5.0} µs  p99 {:>5.0} µs  ({} calls)",
        s.latencies.len() as f64 / s.elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        s.latencies.len(),
    );
}
