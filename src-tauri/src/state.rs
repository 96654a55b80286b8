//! The app's Rust-side state: the backend client, the sign-in, the current screen, the
//! widget's navigation policy, and the transactions being followed. The UI renders what this
//! state says; it never holds tokens itself.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use ramp_api::i18n::Lang;
use ramp_api::{RampConfig, StatusEvent, User};
use ramp_core::flow::{Action, Screen};
use ramp_core::log::EventLog;
use ramp_core::nav::NavPolicy;
use ramp_core::stream::{StreamItem, follow};
use ramp_core::{BackendClient, TokenStore};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Backend used when nothing is configured: the local sandbox stack
/// (`cargo run -p partner-backend -- --sandbox`). Build with `PROOF_RAMP_BACKEND_URL` set to
/// ship another; at run time the same variable overrides it on desktop.
pub const DEFAULT_BACKEND: &str = match option_env!("PROOF_RAMP_BACKEND_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8080/",
};

/// Shared state, managed by Tauri.
pub struct Core {
    pub(crate) client: Arc<BackendClient>,
    pub(crate) tokens: Arc<dyn TokenStore>,
    pub(crate) log: EventLog,
    screen: Mutex<Screen>,
    pub(crate) user: Mutex<Option<User>>,
    pub(crate) config: Mutex<Option<(RampConfig, NavPolicy)>>,
    following: Mutex<HashSet<String>>,
    pending_link: Mutex<Option<url::Url>>,
    lang: Mutex<Lang>,
    /// Every status event the streams delivered, by transaction: what a reloaded UI shows.
    seen: Mutex<HashMap<String, Vec<StatusEvent>>>,
    /// The open payment window's health, for a reloaded UI.
    widget: Mutex<Option<WidgetHealth>>,
}

/// How the payment window is doing.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct WidgetHealth {
    /// Which window this is (each one opened gets the next number).
    #[serde(skip)]
    pub(crate) generation: u64,
    /// Its transaction.
    pub(crate) tx: String,
    /// Its first page finished loading.
    pub(crate) loaded: bool,
    /// Why it stopped working (`crashed`, `unresponsive`, `blank`), when it did.
    pub(crate) stuck: Option<&'static str>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Core {
    /// State for the backend at `backend`, keeping the sign-in in `tokens`.
    pub fn new(client: BackendClient, tokens: Box<dyn TokenStore>) -> Self {
        let tokens: Arc<dyn TokenStore> = Arc::from(tokens);
        // A sign-in renewed behind the scenes (expired bearer token) is saved right away.
        client.keep_sessions_in(tokens.clone());
        Self {
            client: Arc::new(client),
            tokens,
            log: EventLog::default(),
            screen: Mutex::new(Screen::SignedOut),
            user: Mutex::new(None),
            config: Mutex::new(None),
            following: Mutex::new(HashSet::new()),
            pending_link: Mutex::new(None),
            lang: Mutex::new(Lang::EN),
            seen: Mutex::new(HashMap::new()),
            widget: Mutex::new(None),
        }
    }

    /// The user's language (sentences written in Rust, `Accept-Language` toward the backend).
    pub(crate) fn lang(&self) -> Lang {
        *lock(&self.lang)
    }

    pub(crate) fn set_lang(&self, lang: Lang) {
        *lock(&self.lang) = lang;
        self.client.set_language(Some(lang.tag().to_owned()));
    }

    /// Every status event seen so far, oldest first per transaction.
    pub(crate) fn seen(&self) -> Vec<StatusEvent> {
        lock(&self.seen).values().flatten().cloned().collect()
    }

    fn remember(&self, ev: &StatusEvent) {
        let mut seen = lock(&self.seen);
        let list = seen.entry(ev.merchant_transaction_id.clone()).or_default();
        if !list.iter().any(|e| e.seq == ev.seq) {
            list.push(ev.clone());
        }
    }

    /// The payment window's health (None: no window).
    pub(crate) fn widget_health(&self) -> Option<WidgetHealth> {
        lock(&self.widget).clone()
    }

    /// Change the health of window `generation` (a window since replaced is left alone);
    /// whether it is still the current one.
    pub(crate) fn update_widget(&self, generation: u64, change: impl FnOnce(&mut WidgetHealth)) -> bool {
        let mut w = lock(&self.widget);
        match w.as_mut() {
            Some(h) if h.generation == generation => {
                change(h);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn set_widget(&self, health: Option<WidgetHealth>) {
        *lock(&self.widget) = health;
    }

    /// Keep a link that opened the app until the user is signed in and the configuration known.
    pub(crate) fn keep_pending_link(&self, link: url::Url) {
        *lock(&self.pending_link) = Some(link);
    }

    /// The link kept by [`Core::keep_pending_link`], once.
    pub(crate) fn take_pending_link(&self) -> Option<url::Url> {
        lock(&self.pending_link).take()
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        lock(&self.screen).clone()
    }

    pub(crate) fn set_user(&self, user: Option<User>) {
        *lock(&self.user) = user;
    }

    pub(crate) fn user(&self) -> Option<User> {
        lock(&self.user).clone()
    }

    pub(crate) fn nav_policy(&self) -> Option<NavPolicy> {
        lock(&self.config).as_ref().map(|(_, p)| p.clone())
    }

    pub(crate) fn set_config(&self, c: RampConfig, p: NavPolicy) {
        *lock(&self.config) = Some((c, p));
    }

    pub(crate) fn cached_config(&self) -> Option<RampConfig> {
        lock(&self.config).as_ref().map(|(c, _)| c.clone())
    }

    /// Whether `tx` is already being followed (and mark it if not).
    fn start_following(&self, tx: &str) -> bool {
        lock(&self.following).insert(tx.to_owned())
    }

    fn stop_following(&self, tx: &str) {
        lock(&self.following).remove(tx);
    }
}

/// Apply an action to the screen state machine and tell the UI.
pub(crate) fn dispatch<R: Runtime>(app: &AppHandle<R>, action: Action) -> Screen {
    let core = app.state::<Core>();
    let next = {
        let mut screen = lock(&core.screen);
        *screen = screen.next(action);
        screen.clone()
    };
    let _ = app.emit_to("main", "screen", &next);
    next
}

/// Follow a transaction's status stream, forwarding each event to the UI as `tx-status`. When
/// it ends, the widget (if still open for it) closes and the transaction screen shows.
pub(crate) fn follow_transaction<R: Runtime>(app: &AppHandle<R>, tx: String) {
    let core = app.state::<Core>();
    if !core.start_following(&tx) {
        return;
    }
    let mut rx = follow(core.client.clone(), tx.clone());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(item) = rx.recv().await {
            let core = app.state::<Core>();
            match item {
                StreamItem::Status(ev) => {
                    core.log.push(
                        "status",
                        format!("{} {} (seq {})", short(&ev.merchant_transaction_id), ev.status.as_str(), ev.seq),
                    );
                    core.remember(&ev);
                    let terminal = ev.status.is_terminal();
                    let _ = app.emit_to("main", "tx-status", &ev);
                    if terminal {
                        crate::widget::close_if_showing(&app, &ev.merchant_transaction_id);
                    }
                }
                StreamItem::Reconnecting { retry_in } => {
                    let _ = app.emit_to(
                        "main",
                        "stream",
                        serde_json::json!({"tx": tx, "reconnecting_in_ms": retry_in.as_millis() as u64}),
                    );
                }
                StreamItem::Failed(e) => {
                    core.log.push("error", format!("status stream for {} ended: {}", short(&tx), e.message));
                    if e.kind == ramp_core::ErrorKind::SignedOut {
                        dispatch(&app, Action::SignedOut);
                    }
                }
            }
        }
        app.state::<Core>().stop_following(&tx);
    });
}

/// First characters of an id, for log lines.
pub(crate) fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}
