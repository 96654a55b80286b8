//! Every limit the API enforces, built once from the configuration.
//!
//! - **Sessions per user** (`SESSION_RATE_PER_MINUTE`): kept in the [`Store`], so every instance
//!   on the same database counts against the same budget (GCRA: a burst of N, replenished evenly
//!   over the minute). Session creation costs a Proof session, so this one must be exact.
//! - **Requests per user and per client IP** on every `/v1` route
//!   (`API_RATE_PER_USER_PER_MINUTE`, `API_RATE_PER_IP_PER_MINUTE`): per instance, in memory
//!   (GCRA too), so a flood is cut off without touching the database; behind N instances a client
//!   gets up to N times the budget.
//! - **Open status streams per user** (`MAX_STREAMS_PER_USER`): per instance.
//!
//! The middlewares that apply them to requests are in [`crate::middleware`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::clock::now_ms;
use crate::config::Config;
use crate::error::AppError;
use crate::store::Store;

/// The period every per-minute limit refers to.
const MINUTE_MS: i64 = 60_000;

/// Seconds an app is told to wait when it has too many streams open.
const STREAMS_RETRY_AFTER_SECS: u64 = 5;

/// The limits, shared by every request.
pub(crate) struct Limits {
    sessions_per_minute: u32,
    per_user: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    max_streams: usize,
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").field("max_streams", &self.max_streams).finish_non_exhaustive()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn refused<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Option<u64> {
    limiter
        .check_key(key)
        .err()
        .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
}

impl Limits {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            sessions_per_minute: config.session_rate_per_minute,
            per_user: RateLimiter::keyed(per_minute(config.api_rate_per_user_per_minute)),
            per_ip: RateLimiter::keyed(per_minute(config.api_rate_per_ip_per_minute)),
            max_streams: config.max_streams_per_user,
            streams: Arc::default(),
        }
    }

    /// Count a session creation by `user`; `429 rate_limited` with a `Retry-After` when over.
    pub(crate) async fn session(&self, store: &dyn Store, user: &str) -> Result<(), AppError> {
        let key = format!("session:{user}");
        match store.take_rate(&key, now_ms(), self.sessions_per_minute, MINUTE_MS).await? {
            None => Ok(()),
            Some(wait_ms) => {
                let retry_after = u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1);
                Err(AppError::RateLimited { retry_after })
            }
        }
    }

    /// Count one request by a signed-in user.
    pub(crate) fn user_request(&self, user: &str) -> Result<(), AppError> {
        match refused(&self.per_user, &user.to_owned()) {
            None => Ok(()),
            Some(retry_after) => Err(AppError::RateLimited { retry_after }),
        }
    }

    /// Count one request from a client address (an IPv6 address by its /64: one client).
    pub(crate) fn ip_request(&self, ip: IpAddr) -> Result<(), AppError> {
        match refused(&self.per_ip, &client_key(ip)) {
            None => Ok(()),
            Some(retry_after) => Err(AppError::RateLimited { retry_after }),
        }
    }

    /// Forget the per-user and per-address counters that no longer limit anyone (each would
    /// otherwise stay for good: one entry per user and address ever seen). Run every minute.
    pub(crate) fn prune(&self) {
        self.per_user.retain_recent();
        self.per_ip.retain_recent();
        self.per_user.shrink_to_fit();
        self.per_ip.shrink_to_fit();
    }

    /// Counters kept now (per user and per address).
    #[cfg(test)]
    fn counters(&self) -> usize {
        self.per_user.len() + self.per_ip.len()
    }

    /// Take one of the user's stream slots; the slot is free again when the guard drops.
    pub(crate) fn open_stream(&self, user: &str) -> Result<StreamSlot, AppError> {
        let mut open = lock(&self.streams);
        let n = open.entry(user.to_owned()).or_default();
        if *n >= self.max_streams {
            return Err(AppError::TooManyStreams { retry_after: STREAMS_RETRY_AFTER_SECS });
        }
        *n += 1;
        Ok(StreamSlot { streams: self.streams.clone(), user: user.to_owned() })
    }
}

/// The key a client address is counted under. An IPv6 address by its /64: a subscriber or
/// host is given a whole /64 and picks any address in it at will, so counting addresses would
/// give one client 2^64 budgets. An IPv4-mapped IPv6 address counts as its IPv4 address.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// One open status stream of a user; frees its slot when dropped (the stream ended).
#[derive(Debug)]
pub(crate) struct StreamSlot {
    streams: Arc<Mutex<HashMap<String, usize>>>,
    user: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.streams);
        if let Some(n) = open.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn limits(per_minute: u32) -> Limits {
        let mut c = Config::sandbox("sqlite::memory:");
        c.api_rate_per_ip_per_minute = per_minute;
        c.api_rate_per_user_per_minute = per_minute;
        Limits::new(&c)
    }

    /// Attack: one client with an IPv6 /64 rotates addresses to get a fresh budget per request.
    /// The /64 is one budget; another /64 has its own; IPv4 (plain or mapped) is per address.
    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let l = limits(2);
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert!(l.ip_request(ip("2001:db8:1:2::1")).is_ok());
        assert!(l.ip_request(ip("2001:db8:1:2::2")).is_ok());
        assert!(l.ip_request(ip("2001:db8:1:2:ffff:1:2:3")).is_err(), "the third address of the /64 is refused");
        assert!(l.ip_request(ip("2001:db8:1:3::1")).is_ok(), "another /64 is another client");
        assert!(l.ip_request(ip("203.0.113.7")).is_ok());
        assert!(l.ip_request(ip("::ffff:203.0.113.7")).is_ok());
        assert!(l.ip_request(ip("203.0.113.7")).is_err(), "an IPv4-mapped address counts as the IPv4 one");
        assert!(l.ip_request(ip("203.0.113.8")).is_ok(), "IPv4 neighbours are apart");
    }

    /// Counters of users and addresses that went quiet are forgotten: a backend that saw a
    /// million addresses does not keep a million entries.
    #[test]
    fn quiet_counters_are_pruned() {
        let l = limits(1200); // one request replenishes in 50 ms
        for i in 0..200u32 {
            let _ = l.ip_request(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)));
            let _ = l.user_request(&format!("user-{i}"));
        }
        l.prune();
        assert_eq!(l.counters(), 400, "control: counters still limiting are kept");
        std::thread::sleep(Duration::from_millis(120));
        l.prune();
        assert_eq!(l.counters(), 0, "quiet counters are gone");
    }
}
