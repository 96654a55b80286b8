//! `proof-ramp-backend`: the partner backend. `--sandbox` runs the whole stack locally.

use anyhow::Context;
use clap::Parser;
use partner_backend::Backend;
use partner_backend::config::{Cli, Config};
use tracing_subscriber::EnvFilter;

/// jemalloc rather than glibc's malloc: under load the two worker threads waited on glibc's
/// arena locks (strace: about one futex call per proxied request, a sixth as many with
/// jemalloc), and malloc and free were about a sixth of the backend's profile. Measured in
/// docs/benchmarks.md.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let config = Config::from_cli(Cli::parse()).context("invalid configuration")?;
    let sandbox = config.is_sandbox();
    let backend = Backend::start(config).await.context("the backend could not start")?;
    tracing::info!("Proof Ramp backend listening on {} (public base {})", backend.addr(), backend.public_base());
    #[cfg(feature = "sandbox")]
    if let Some(sb) = backend.sandbox() {
        tracing::info!(
            "sandbox mode: embedded Proof sandbox at {}; sign in with POST /v1/sandbox/login",
            sb.base_url()
        );
    }
    if !sandbox {
        tracing::info!("production mode");
    }
    stop_signal().await?;
    tracing::info!("shutting down");
    backend.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what systemd, Docker and Kubernetes send to stop a service), so a stopped
/// instance hands its watched transactions to the others at once instead of after its leases run out.
async fn stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    Ok(())
}
