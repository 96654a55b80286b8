//! The user's transactions: list, one, and a live status stream (Server-Sent Events).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use ramp_api::{STATUS_EVENT, StatusEvent, TransactionList, TransactionView, TransactionsQuery};
use tokio::sync::broadcast;

use crate::auth::{AppAuth, AuthError, Authenticated};
use crate::error::{AppError, AppResult};
use crate::limits::StreamSlot;
use crate::state::AppState;
use crate::store::Store;

/// `GET /v1/transactions?limit&before`: a page of the user's transactions, newest first, by
/// keyset (a page starts after the transaction named by `before`, so pages neither skip nor
/// repeat while new purchases arrive). `before` must be one of the user's own: `404` otherwise.
pub(crate) async fn transactions_list(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
    Query(q): Query<TransactionsQuery>,
) -> AppResult<Json<TransactionList>> {
    let limit = q.limit.unwrap_or(TransactionList::DEFAULT_LIMIT).clamp(1, TransactionList::MAX_LIMIT);
    if let Some(before) = &q.before {
        owned(&s, &user.id, before).await?;
    }
    // One more than asked: whether it comes says whether there is a next page.
    let mut transactions = s.store.transactions_of(&user.id, q.before.as_deref(), limit + 1).await?;
    let more = transactions.len() > limit as usize;
    transactions.truncate(limit as usize);
    let next = more.then(|| transactions.last().map(|t| t.id.clone())).flatten();
    Ok(Json(TransactionList { transactions, next }))
}

/// The transaction if the user owns it; `404` otherwise, whoever owns it.
async fn owned(s: &AppState, user: &str, id: &str) -> AppResult<TransactionView> {
    match s.store.transaction(id).await? {
        Some((owner, view)) if owner == user => Ok(view),
        _ => Err(AppError::NotFound),
    }
}

/// `GET /v1/transactions/{id}`.
pub(crate) async fn transactions_get(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> AppResult<Json<TransactionView>> {
    owned(&s, &user.id, &id).await.map(Json)
}

/// `GET /v1/transactions/{id}/events`: every status after `Last-Event-ID` (all of them without
/// it), then live ones; the stream ends after a terminal status.
pub(crate) async fn transactions_events(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let view = owned(&s, &user.id, &id).await?;
    let slot = s.limits.open_stream(&user.id)?;
    // Any number the client sends is taken as is; sequence numbers are far below u64::MAX, and
    // comparisons below never add to it.
    let last =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    // The token that opened the stream, checked again whenever sessions are revoked.
    let token = crate::auth::bearer_token(&headers).unwrap_or_default().to_owned();
    let revocations = s.relay.revocations();
    // Subscribe before reading history, so nothing falls between the two.
    let live = (!view.status.is_terminal()).then(|| s.relay.subscribe(&id));
    let history: VecDeque<StatusEvent> = s.store.events_after(&id, last).await?.into();
    let feed = Feed {
        store: s.store.clone(),
        auth: s.auth.clone(),
        token,
        revocations,
        id,
        history,
        live,
        last,
        done: false,
        _slot: slot,
    };
    Ok(Sse::new(futures_util::stream::unfold(feed, Feed::next)).keep_alive(KeepAlive::default()))
}

struct Feed {
    store: Arc<dyn Store>,
    auth: Arc<dyn AppAuth>,
    token: String,
    revocations: tokio::sync::watch::Receiver<u64>,
    id: String,
    history: VecDeque<StatusEvent>,
    live: Option<broadcast::Receiver<StatusEvent>>,
    last: u64,
    done: bool,
    /// Held while the stream is open.
    _slot: StreamSlot,
}

impl Feed {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if self.done {
            return None;
        }
        loop {
            let ev = match self.history.pop_front() {
                Some(ev) => ev,
                None => {
                    let live = self.live.as_mut()?;
                    let received = tokio::select! {
                        r = live.recv() => r,
                        changed = self.revocations.changed() => {
                            if changed.is_err() {
                                return None; // the relay stopped
                            }
                            // Sessions were revoked somewhere: end this stream if its was one.
                            // A store that cannot answer now keeps the stream (no sign-out on
                            // an outage); the next revocation asks again.
                            match self.auth.recheck(&self.token).await {
                                Ok(()) | Err(AuthError::Unavailable) => continue,
                                Err(_) => {
                                    tracing::info!(tx_id = %self.id, "ended a status stream whose session was revoked");
                                    return None;
                                }
                            }
                        }
                    };
                    match received {
                        // A gap (a change announced before the one in between reached this
                        // instance): read the missing ones from the store, in order.
                        Ok(ev) if ev.seq > self.last.saturating_add(1) => {
                            self.history = self.store.events_after(&self.id, self.last).await.ok()?.into();
                            continue;
                        }
                        Ok(ev) => ev,
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            // Too slow for the live channel: catch up from the store.
                            self.history = self.store.events_after(&self.id, self.last).await.ok()?.into();
                            continue;
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            };
            if ev.seq <= self.last {
                continue;
            }
            self.last = ev.seq;
            self.done = ev.status.is_terminal();
            let data = serde_json::to_string(&ev).ok()?;
            let event = Event::default().id(ev.seq.to_string()).event(STATUS_EVENT).data(data);
            return Some((Ok(event), self));
        }
    }
}
