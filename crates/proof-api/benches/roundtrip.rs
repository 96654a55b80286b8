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
        let session = client
            .create_session(&CreateSession {
                partner_user_id: "bench-user".into(),
                user_email: "bench@example.com".into(),
                network: "TRC20".into(),
                currency: "USDT".into(),
                amount: Amount::parse("100")?,
                tx_type: Some(TxType::Buy),
                redirect_url: None,
                client_ip: None,
                address: None,
            })
            .await?;
        let id = session.merchant_transaction_id;

        // Warm up connections and caches.
        for _ in 0..200 {
            client.transaction(&id).await?;
        }

        for concurrency in [1usize, 16] {
            let started = Instant::now();
            let per_task = requests / concurrency;
            let mut tasks = Vec::new();
            for _ in 0..concurrency {
                let client = client.clone();
                let id = id.clone();
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(per_task);
                    for _ in 0..per_task {
                        let t = Instant::now();
                        client.transaction(&id).await?;
                        lat.push(t.elapsed());
                    }
                    anyhow::Ok(lat)
                }));
            }
            let mut all: Vec<Duration> = Vec::with_capacity(requests);
            for t in tasks {
                all.extend(t.await??);
            }
            let elapsed = started.elapsed();
            all.sort();
            let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
            println!(
                "GET /widget/transactions/{{id}}  concurrency {concurrency:>2}: {:>7.0} req/s  p50 {:>6.0} µs  p99 {:>6.0} µs  ({} requests)",
                all.len() as f64 / elapsed.as_secs_f64(),
                pct(0.50).as_secs_f64() * 1e6,
                pct(0.99).as_secs_f64() * 1e6,
                all.len(),
            );
        }
        anyhow::Ok(())
    })
}
