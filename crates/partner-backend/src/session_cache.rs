//! What the store said of app sessions, kept in memory so a signed-in request needs no store
//! read, and dropped the moment any session is revoked anywhere.
//!
//! The rules, all in [`SessionCache`]:
//! - An answer is used only while the cache is *current*: on SQLite (one instance, every
//!   revocation made here) always; on PostgreSQL only while this instance's notification
//!   channel is proven to deliver. The store's listener sends itself a heartbeat every
//!   [`crate::store::HEARTBEAT`], and PostgreSQL delivers notifications in commit order, so a
//!   heartbeat received means every revocation committed before it was sent has been applied
//!   here. With none received for [`CURRENT_FOR`], every request reads the store again: a lost
//!   or silent channel refuses to trust rather than trusting stale answers.
//! - Any revocation notice, any reconnection, drops every answer (a notice is a wake-up, never
//!   data: what a session is comes from the store).
//! - An answer read while a revocation arrived is not kept (the generation check in
//!   [`SessionCache::keep`]).
//! - Answers live at most [`ENTRY_LIFETIME`], and at most [`MAX_ENTRIES`] are kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Longest an answer is used, even with the channel current (a safety net, not the mechanism).
pub(crate) const ENTRY_LIFETIME: Duration = Duration::from_secs(60);
/// Most answers kept; past it, expired ones go first, and then all.
pub(crate) const MAX_ENTRIES: usize = 100_000;
/// How recent the last heartbeat must have been sent for the cache to be used: with the
/// heartbeat every 200 ms, a revocation reaches every instance's cache within a second even
/// when its own notice is lost.
pub(crate) const CURRENT_FOR: Duration = Duration::from_millis(600);

/// Where the cache's answers are known to be current.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Currency {
    /// Nothing proves it yet: never used (how every cache starts).
    Unproven,
    /// Every revocation happens in this process ([`SessionCache::local`]).
    Local,
    /// Every revocation committed before this instant has been applied.
    HeardAt(Instant),
}

#[derive(Debug)]
struct Inner {
    entries: HashMap<String, (bool, Instant)>,
    /// Bumped by every invalidation.
    generation: u64,
    currency: Currency,
}

/// The app sessions' state as last read from the store.
#[derive(Debug)]
pub(crate) struct SessionCache {
    inner: Mutex<Inner>,
    /// [`MAX_ENTRIES`], smaller in tests.
    max_entries: usize,
    /// Session checks answered from memory, and from the store (for `/metrics`).
    from_memory: AtomicU64,
    from_store: AtomicU64,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner { entries: HashMap::new(), generation: 0, currency: Currency::Unproven }),
            max_entries: MAX_ENTRIES,
            from_memory: AtomicU64::new(0),
            from_store: AtomicU64::new(0),
        }
    }
}

impl SessionCache {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every revocation goes through this process (SQLite): answers are current until dropped.
    pub(crate) fn local(&self) {
        self.inner().currency = Currency::Local;
    }

    /// A heartbeat sent at `sent` came back: every revocation committed before then is applied.
    /// (Only a store with a notification channel sends heartbeats; SQLite's cache stays local.)
    pub(crate) fn heard(&self, sent: Instant) {
        let mut inner = self.inner();
        if !matches!(inner.currency, Currency::HeardAt(at) if at >= sent) {
            inner.currency = Currency::HeardAt(sent);
        }
    }

    /// The notification channel was lost: revocations may be missed from now on, so forget
    /// everything (as [`SessionCache::invalidate`]) and use nothing until a heartbeat proves
    /// the channel back.
    pub(crate) fn unproven(&self) {
        let mut inner = self.inner();
        inner.currency = Currency::Unproven;
        Self::forget(&mut inner);
    }

    /// Some session was revoked (or may have been): drop every answer.
    pub(crate) fn invalidate(&self) {
        Self::forget(&mut self.inner());
    }

    /// Drop every answer, and any answer being read meanwhile ([`SessionCache::keep`]).
    fn forget(inner: &mut Inner) {
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.clear();
    }

    /// Whether answers may be used now.
    fn current(inner: &Inner, now: Instant) -> bool {
        match inner.currency {
            Currency::Unproven => false,
            Currency::Local => true,
            Currency::HeardAt(at) => now.saturating_duration_since(at) <= CURRENT_FOR,
        }
    }

    /// Whether the session is active, if the cache may say so now; with it, the generation to
    /// hand [`SessionCache::keep`] after reading the store.
    pub(crate) fn lookup(&self, session: &str) -> Result<bool, u64> {
        let inner = self.inner();
        let now = Instant::now();
        match inner.entries.get(session) {
            Some(&(active, at)) if Self::current(&inner, now) && now.saturating_duration_since(at) < ENTRY_LIFETIME => {
                self.from_memory.fetch_add(1, Ordering::Relaxed);
                Ok(active)
            }
            _ => Err(inner.generation),
        }
    }

    /// Keep what the store said of `session`, unless an invalidation came since `generation`
    /// (the answer may predate a revocation).
    pub(crate) fn keep(&self, session: &str, active: bool, generation: u64) {
        self.from_store.fetch_add(1, Ordering::Relaxed);
        self.keep_read_at(session, active, generation, Instant::now());
    }

    /// [`SessionCache::keep`] for an answer read at `read`.
    fn keep_read_at(&self, session: &str, active: bool, generation: u64, read: Instant) {
        let mut inner = self.inner();
        if inner.generation != generation || inner.currency == Currency::Unproven {
            return;
        }
        if inner.entries.len() >= self.max_entries {
            let now = Instant::now();
            inner.entries.retain(|_, (_, at)| now.saturating_duration_since(*at) < ENTRY_LIFETIME);
            if inner.entries.len() >= self.max_entries {
                inner.entries.clear();
            }
        }
        inner.entries.insert(session.to_owned(), (active, read));
    }
}

/// What `/metrics` shows of the cache.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CacheFigures {
    pub(crate) from_memory: u64,
    pub(crate) from_store: u64,
    pub(crate) current: bool,
}

impl SessionCache {
    pub(crate) fn figures(&self) -> CacheFigures {
        CacheFigures {
            from_memory: self.from_memory.load(Ordering::Relaxed),
            from_store: self.from_store.load(Ordering::Relaxed),
            current: Self::current(&self.inner(), Instant::now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache nobody proved current answers nothing, whatever it was given.
    #[test]
    fn an_unproven_cache_is_never_used() {
        let cache = SessionCache::default();
        let generation = cache.lookup("s").expect_err("empty");
        cache.keep("s", true, generation);
        assert!(cache.lookup("s").is_err());
    }

    /// Race: the store said "active", then a revocation arrived before the answer was kept.
    /// The answer is not kept.
    #[test]
    fn an_answer_read_across_a_revocation_is_not_kept() {
        let cache = SessionCache::default();
        cache.local();
        let generation = cache.lookup("s").expect_err("empty");
        cache.invalidate();
        cache.keep("s", true, generation);
        let fresh = cache.lookup("s").expect_err("not kept");
        cache.keep("s", true, fresh);
        assert_eq!(cache.lookup("s"), Ok(true));
        cache.invalidate();
        assert!(cache.lookup("s").is_err());
    }

    /// On PostgreSQL the answers are used only while heartbeats keep arriving, and never once
    /// the channel is reported lost.
    #[test]
    fn a_channel_heard_from_too_long_ago_is_not_trusted() {
        let cache = SessionCache::default();
        cache.heard(Instant::now());
        let generation = cache.lookup("s").expect_err("empty");
        cache.keep("s", true, generation);
        assert_eq!(cache.lookup("s"), Ok(true));
        cache.heard(Instant::now() - CURRENT_FOR * 2);
        assert_eq!(cache.lookup("s"), Ok(true), "an older heartbeat arriving late changes nothing");
        let mut stale = SessionCache::default();
        stale.heard(Instant::now() - CURRENT_FOR * 2);
        stale.keep("s", true, 0);
        assert!(stale.lookup("s").is_err(), "last heard too long ago");
        stale.heard(Instant::now());
        assert_eq!(stale.lookup("s"), Ok(true), "a newer heartbeat makes it current again");
        stale = SessionCache::default();
        stale.heard(Instant::now());
        stale.keep("s", true, 0);
        stale.unproven();
        assert!(stale.lookup("s").is_err(), "the channel was lost");
        stale.heard(Instant::now());
        assert!(stale.lookup("s").is_err(), "what was known before the loss is never used again");
    }

    /// Attack: a flood of sign-ins (or of distinct sessions' tokens) must not grow memory
    /// without bound. Past MAX_ENTRIES, expired answers go first; when none has expired,
    /// everything goes (each session is read again once).
    #[test]
    fn the_cache_never_holds_more_than_its_bound() {
        let max = 10;
        let cache = SessionCache { max_entries: max, ..SessionCache::default() };
        assert_eq!(SessionCache::default().max_entries, MAX_ENTRIES);
        cache.local();
        let old = Instant::now() - ENTRY_LIFETIME - Duration::from_secs(1);
        cache.keep_read_at("old", true, 0, old);
        for i in 1..max {
            cache.keep(&format!("s{i}"), true, 0);
        }
        assert_eq!(cache.inner().entries.len(), max);
        cache.keep("new", true, 0);
        assert_eq!(cache.inner().entries.len(), max, "the expired answer made room");
        assert!(!cache.inner().entries.contains_key("old"));
        assert_eq!((cache.lookup("s1"), cache.lookup("new")), (Ok(true), Ok(true)), "fresh answers stay");
        cache.keep("one-more", true, 0);
        assert_eq!(cache.inner().entries.len(), 1, "nothing expired: all dropped, then the new one kept");
        assert!(cache.lookup("s1").is_err() && cache.lookup("one-more") == Ok(true));
    }

    /// Race: the store answered while the channel was being lost; that answer may predate a
    /// revocation the channel never delivered, so it is not kept once the channel is back.
    #[test]
    fn an_answer_read_across_a_lost_channel_is_not_kept() {
        let cache = SessionCache::default();
        cache.heard(Instant::now());
        let generation = cache.lookup("s").expect_err("empty");
        cache.unproven();
        cache.heard(Instant::now());
        cache.keep("s", true, generation);
        assert!(cache.lookup("s").is_err());
    }

    /// An answer older than its lifetime is not used, whatever the channel says.
    #[test]
    fn an_answer_past_its_lifetime_is_read_again() {
        let cache = SessionCache::default();
        cache.local();
        cache.keep_read_at("s", true, 0, Instant::now() - ENTRY_LIFETIME - Duration::from_millis(1));
        assert!(cache.lookup("s").is_err());
    }
}
