//! Rate limits, kept in the [`Store`] so every instance on the same database counts against the
//! same budget (GCRA: a burst of N, replenished evenly over the period).

use crate::error::AppError;
use crate::routes::now_ms;
use crate::store::Store;

/// The period every per-minute limit refers to.
const MINUTE_MS: i64 = 60_000;

/// The limits the API enforces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Sessions one user may create per minute.
    pub(crate) sessions_per_minute: u32,
}

impl Limits {
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
}
