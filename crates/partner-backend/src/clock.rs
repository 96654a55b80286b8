//! Now, in the three forms the backend stores and compares: unix seconds (links, sessions,
//! tokens), unix milliseconds (leases, rate limits), ISO 8601 UTC (statuses, as the app shows
//! them). Instances sharing a database compare these, so keep their clocks in sync (NTP).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now as unix seconds.
pub(crate) fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// Now as unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// Now as ISO 8601 UTC, to the second.
pub(crate) fn now_iso() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
