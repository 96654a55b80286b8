//! What the backend benchmarks share: the backend as a child process (so its memory is its
//! own), the sandbox on its own runtime thread, resident memory, and a closed-loop load
//! generator with percentiles.

#![allow(dead_code, unreachable_pub)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "bench-client-token";
pub const KEY: &str = "bench-signing-key-0123456789abcdef0123";

/// Kills the child on drop.
pub struct Kill(pub Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Resident memory of a process, KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Set in the environment of the bench's own executable started again as the sandbox.
const SANDBOX_CHILD: &str = "RAMP_BENCH_SANDBOX_SETTLE_MS";

/// Start the sandbox as a process of its own (this executable again, see
/// [`serve_sandbox_if_asked`]), on a runtime like the backend's: the direct calls that are the
/// floor then cross a process boundary exactly as calls to the backend do. Returns the
/// process and its base URL.
pub fn start_sandbox(settle_after: Duration) -> anyhow::Result<(Kill, String)> {
    use std::io::BufRead;
    let mut child = Command::new(std::env::current_exe()?)
        .env(SANDBOX_CHILD, settle_after.as_millis().to_string())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("the sandbox's stdout"))?;
    let child = Kill(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    anyhow::ensure!(line.starts_with("http"), "the sandbox did not start: {line:?}");
    Ok((child, line.trim().to_owned()))
}

/// When this executable was started as the sandbox ([`start_sandbox`]): serve it (printing its
/// base URL) until killed, and never return. Call first thing in a bench's `main`.
pub fn serve_sandbox_if_asked() -> anyhow::Result<()> {
    let Some(settle_ms) = std::env::var(SANDBOX_CHILD).ok().and_then(|v| v.parse().ok()) else { return Ok(()) };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let sb = proof_sandbox::Sandbox::start(proof_sandbox::Config {
            listen: "127.0.0.1:0".parse()?,
            client_tokens: vec![TOKEN.into()],
            settle_after: Duration::from_millis(settle_ms),
            ..proof_sandbox::Config::default()
        })
        .await?;
        println!("{}", sb.base_url());
        std::future::pending::<()>().await;
        anyhow::Ok(())
    })?;
    std::process::exit(0)
}

/// A `proof-ramp-backend` process in production mode against `sandbox`, on a free port, with
/// `database_url` and any extra environment. Returns the process and its base URL.
pub fn spawn_backend(sandbox: &str, database_url: &str, extra: &[(&str, &str)]) -> anyhow::Result<(Kill, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_proof-ramp-backend"));
    cmd.env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", &base)
        .env("PROOF_BASE_URL", sandbox)
        .env("PROOF_CLIENT_TOKEN", TOKEN)
        .env("PROOF_WIDGET_SCRIPT_URL", format!("{sandbox}/widget.2.0.js"))
        .env("APP_AUTH_SIGNING_KEY", KEY)
        .env("RAMP_PAIRS", "USDT:TRC20")
        .env("SESSION_RATE_PER_MINUTE", "1000000")
        .env("API_RATE_PER_USER_PER_MINUTE", "100000000")
        .env("API_RATE_PER_IP_PER_MINUTE", "100000000")
        .env("MAX_STREAMS_PER_USER", "100000")
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    Ok((Kill(cmd.spawn()?), base))
}

/// Wait until `base` answers `/readyz` with 200.
pub async fn wait_ready(http: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the backend at {base} did not become ready")
}

pub struct Stats {
    pub rps: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

impl Stats {
    /// The median of each figure over several runs.
    pub fn median(runs: &[Stats]) -> Stats {
        let mid = |f: fn(&Stats) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        Stats { rps: mid(|s| s.rps), p50_us: mid(|s| s.p50_us), p99_us: mid(|s| s.p99_us) }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:>6.0} req/s p50 {:>6.0} µs p99 {:>6.0} µs", self.rps, self.p50_us, self.p99_us)
    }
}

/// `total` requests from `conc` closed-loop workers; `request(i)` builds the i-th request of a
/// worker (so workers can spread over several instances). Every answer must be 200.
pub async fn load<F>(total: usize, conc: usize, request: F) -> anyhow::Result<Stats>
where
    F: Fn(usize) -> reqwest::RequestBuilder + Clone + Send + 'static,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..conc {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in 0..total / conc {
                lat.push(timed(request(w + i)).await?);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Stats::from_latencies(all, started.elapsed()))
}

impl Stats {
    /// Percentiles of `lat`, and throughput over `secs`.
    fn from_latencies(mut lat: Vec<Duration>, secs: Duration) -> Stats {
        let secs = secs.as_secs_f64();
        lat.sort();
        let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e6;
        Stats { rps: lat.len() as f64 / secs, p50_us: pct(0.5), p99_us: pct(0.99) }
    }
}

/// How long `request` took, body included; an answer other than 200 is an error.
async fn timed(request: reqwest::RequestBuilder) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let r = request.send().await?;
    let status = r.status();
    let body = r.bytes().await?;
    anyhow::ensure!(status == 200, "HTTP {status}: {}", String::from_utf8_lossy(&body));
    Ok(t.elapsed())
}

/// `conc` closed-loop workers, each taking the rows in turn request by request (`total`
/// requests per row in all): every row meets the machine in the same states. On a small
/// virtual machine one request's latency is mostly how soon a server's thread wakes (about
/// 20 µs or about 100 µs here, depending on where the scheduler puts it), which changes over
/// seconds, and rows run one after another in blocks of thousands measured that more than the
/// servers (`/healthz`, which does nothing, ranged 0.7-1.4× the sandbox over four runs). A row's throughput is
/// `conc` over its mean latency: what it would serve alone at the latencies it had. Every
/// answer must be 200.
pub async fn load_in_turn<F>(total: usize, conc: usize, rows: &[F]) -> anyhow::Result<Vec<Stats>>
where
    F: Fn(usize) -> reqwest::RequestBuilder + Clone + Send + Sync + 'static,
{
    let mut tasks = Vec::new();
    for w in 0..conc {
        let rows = rows.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<Vec<Duration>> = rows.iter().map(|_| Vec::new()).collect();
            for i in 0..total / conc {
                for (request, lat) in rows.iter().zip(&mut lat) {
                    lat.push(timed(request(w + i)).await?);
                }
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all: Vec<Vec<Duration>> = rows.iter().map(|_| Vec::new()).collect();
    for t in tasks {
        for (row, lat) in all.iter_mut().zip(t.await??) {
            row.extend(lat);
        }
    }
    Ok(all
        .into_iter()
        .map(|lat| {
            let busy = lat.iter().sum::<Duration>() / u32::try_from(conc).unwrap_or(1);
            Stats::from_latencies(lat, busy)
        })
        .collect())
}

/// A production bearer token for `user`, within one app session recorded in each database of
/// `db_urls` (each backend checks the session in its own database).
pub async fn app_token(db_urls: &[&str], user: &partner_backend::auth::AppUser) -> anyhow::Result<String> {
    let session = "bench-session";
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    for url in db_urls {
        let store = partner_backend::store::open(url, "bench-sign-in").await?;
        store.start_app_session(session, &user.id, &user.email, "bench-refresh-hash", now + 3600, now).await?;
    }
    let tokens = partner_backend::auth::SignedTokens::new(KEY.as_bytes(), Duration::from_secs(3600));
    Ok(tokens.issue(user, session)?.0)
}
