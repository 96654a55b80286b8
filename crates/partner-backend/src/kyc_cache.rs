//! The KYC status cache (`KYC_CACHE_SECS`): per user and instance, `verified` answers only. A
//! verified user's repeated screens do not each cost a Proof call, while a user in the middle
//! of verification always sees Proof's latest word.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ramp_api::KycStatus;

/// Entries the cache keeps before it drops expired ones.
const PRUNE_AT: usize = 10_000;

/// Proof's `verified` answers, per user, for a few seconds.
#[derive(Debug)]
pub(crate) struct KycCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, KycStatus)>>,
}

impl KycCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::default() }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, KycStatus)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user's KYC status, if Proof told it less than `KYC_CACHE_SECS` ago.
    pub(crate) fn get(&self, user: &str) -> Option<KycStatus> {
        self.entries().get(user).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, s)| s.clone())
    }

    /// Remember what Proof said of the user's KYC status, when it is `verified` (the only answer
    /// that does not change while the user goes through the widget).
    pub(crate) fn remember(&self, user: &str, status: &KycStatus) {
        if self.ttl.is_zero() || *status != KycStatus::Verified {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= PRUNE_AT {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
        }
        entries.insert(user.to_owned(), (Instant::now(), status.clone()));
    }
}
