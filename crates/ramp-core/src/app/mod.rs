//! The app itself, without Tauri: what happens after sign-in, the open transaction, the payment
//! window's generation and health, links that opened the app, when the window closes, webview
//! or browser mode. A shell ([`Shell`]) does only what needs the platform: present and dismiss
//! the window, evaluate in its page, tell the UI, open a browser, run tasks.
//!
//! Every phone situation is decided here, so tests drive it through fake shells that behave as
//! the locked Tauri, tao and wry code does on each phone (`tests/phones.rs`, docs/mobile.md).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ramp_api::i18n::Lang;
use ramp_api::{
    CreateSession, KycView, RampConfig, SessionCreated, StatusEvent, TransactionList, TransactionView,
    TransactionsQuery, User, WidgetEvent, WidgetMode,
};
use serde::Serialize;
use url::Url;

use crate::flow::{Action, Screen};
use crate::log::EventLog;
use crate::nav::{NavPolicy, ReturnLink};
use crate::stream::{StreamItem, follow};
use crate::{BackendClient, CoreError, ErrorKind, Result, TokenStore};

mod deposit;
pub mod shell;
mod window;

pub use deposit::Handoff;
pub use shell::{Frames, Permission, Shell, ShellTraits, UiEvent, WindowHooks, WindowSpec};
pub use window::{WidgetBack, WidgetHealth, is_payment_window};

pub use ramp_api::PAYMENT_WINDOW_PREFIX as WINDOW_PREFIX;

/// How long the app waits for things; [`Timing::default`] is what the app ships with.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// How long the first page may take before the UI offers a retry.
    pub load_timeout: Duration,
    /// The watchdog asks the loaded page for a trivial answer this often...
    pub watch_every: Duration,
    /// ...waits this long for it...
    pub answer_within: Duration,
    /// ...and calls the page stuck after this many silent (or blank) answers in a row.
    pub strikes: u32,
    /// How long back waits for each answer of the page.
    pub back_within: Duration,
    /// How long after `history.back()` the page's address is read again.
    pub back_settle: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            load_timeout: Duration::from_secs(25),
            watch_every: Duration::from_secs(2),
            answer_within: Duration::from_secs(3),
            strikes: 2,
            back_within: Duration::from_secs(2),
            back_settle: Duration::from_millis(400),
        }
    }
}

/// The app: cheap to clone, every clone the same app.
pub struct App<S: Shell>(Arc<Inner<S>>);

impl<S: Shell> Clone for App<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

pub(crate) struct Inner<S: Shell> {
    shell: S,
    client: Arc<BackendClient>,
    tokens: Arc<dyn TokenStore>,
    log: EventLog,
    timing: Timing,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    screen: Screen,
    user: Option<User>,
    config: Option<(RampConfig, NavPolicy)>,
    following: HashSet<String>,
    pending_link: Option<Url>,
    lang: Lang,
    /// Every status event the streams delivered, by transaction: what a reloaded UI shows.
    seen: HashMap<String, Vec<StatusEvent>>,
    /// The payment window, while the app shows one (or shows that it stopped working).
    window: Option<window::Window>,
    /// The last window number given out.
    generation: u64,
    /// Sales' deposits that passed the checks, by transaction.
    deposits: HashMap<String, Handoff>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// First characters of an id, for log lines.
pub(crate) fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

/// What a reloaded UI needs besides the screen: every status seen, and the payment window's
/// health while it shows.
#[derive(Clone, Debug, Serialize)]
pub struct Restored {
    /// Every status seen, oldest first per transaction.
    pub statuses: Vec<StatusEvent>,
    /// The payment window of the transaction on screen.
    pub widget: Option<WidgetHealth>,
}

impl<S: Shell> App<S> {
    /// The app on `shell`, talking to the backend through `client`, keeping the sign-in in
    /// `tokens`.
    pub fn new(shell: S, client: BackendClient, tokens: Box<dyn TokenStore>) -> Self {
        Self::with_timing(shell, client, tokens, Timing::default())
    }

    /// [`App::new`] with other waits (tests).
    pub fn with_timing(shell: S, client: BackendClient, tokens: Box<dyn TokenStore>, timing: Timing) -> Self {
        let tokens: Arc<dyn TokenStore> = Arc::from(tokens);
        // A sign-in renewed behind the scenes (expired bearer token) is saved right away.
        client.keep_sessions_in(tokens.clone());
        Self(Arc::new(Inner {
            shell,
            client: Arc::new(client),
            tokens,
            log: EventLog::default(),
            timing,
            state: Mutex::new(State::default()),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.0.state)
    }

    /// The shell.
    pub fn shell(&self) -> &S {
        &self.0.shell
    }

    /// The backend client.
    pub fn client(&self) -> &BackendClient {
        &self.0.client
    }

    /// The diagnostics log.
    pub fn log(&self) -> &EventLog {
        &self.0.log
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        self.state().screen.clone()
    }

    /// Who is signed in.
    pub fn user(&self) -> Option<User> {
        self.state().user.clone()
    }

    /// The backend's environment (`sandbox`, `production`), once its configuration is known.
    pub fn environment(&self) -> Option<String> {
        self.state().config.as_ref().map(|(c, _)| c.environment.clone())
    }

    /// The user's language (sentences written in Rust, `Accept-Language` toward the backend,
    /// the host page's `lang`).
    pub fn lang(&self) -> Lang {
        self.state().lang
    }

    /// Use the language `tag` names (English when it has no catalog); returns the one used.
    pub fn set_language(&self, tag: &str) -> Lang {
        let lang = Lang::from_tag(tag).unwrap_or_default();
        self.state().lang = lang;
        self.0.client.set_language(Some(lang.tag().to_owned()));
        lang
    }

    /// Apply `action` to the screens and tell the UI.
    pub fn navigate(&self, action: Action) -> Screen {
        let next = {
            let mut st = self.state();
            st.screen = st.screen.next(action);
            st.screen.clone()
        };
        self.0.shell.emit(UiEvent::Screen(next.clone()));
        next
    }

    /// Restore a saved sign-in (and follow open transactions); the screen to show.
    ///
    /// # Errors
    /// Offline or server failures while reading the configuration or the transactions (a
    /// refused sign-in signs out instead).
    pub async fn boot(&self) -> Result<Screen> {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        // An expired bearer token is fine when a refresh token can renew it on the first call.
        let Some(saved) = self.0.tokens.load().filter(|s| s.expires_at > now + 30 || s.refresh_token.is_some()) else {
            return Ok(self.screen());
        };
        self.0.client.set_session(Some(saved.token.clone()), saved.refresh_token.clone());
        self.state().user = Some(User { id: saved.user_id, email: saved.email });
        match self.after_sign_in().await {
            Ok(()) => Ok(self.screen()),
            Err(e) if e.kind == ErrorKind::SignedOut => {
                self.sign_out();
                Ok(Screen::SignedOut)
            }
            Err(e) => Err(e),
        }
    }

    /// Sign in as a sandbox persona. In production, the partner's sign-in replaces it.
    ///
    /// # Errors
    /// The backend's refusal, or offline.
    pub async fn sign_in(&self, persona: &str, fresh: bool) -> Result<User> {
        // The client keeps and saves the sign-in (and every renewal of it).
        let login = self.0.client.sandbox_login(persona, fresh).await?;
        self.state().user = Some(login.user.clone());
        self.0.log.push("app", format!("signed in as {persona}"));
        self.after_sign_in().await?;
        Ok(login.user)
    }

    async fn after_sign_in(&self) -> Result<()> {
        self.config().await?;
        self.navigate(Action::SignedIn);
        // A return link that arrived before the app could read it (it started the app).
        let pending = self.state().pending_link.take();
        if let Some(link) = pending {
            self.returned(&link);
        }
        for tx in self.0.client.transactions().await? {
            if !tx.status.is_terminal() {
                self.follow(tx.id);
            }
        }
        Ok(())
    }

    /// The backend's configuration (currencies, networks, limits), read again.
    ///
    /// # Errors
    /// Offline, or a configuration the app cannot use.
    pub async fn config(&self) -> Result<RampConfig> {
        let config = self.0.client.config().await?;
        let policy = NavPolicy::new(&config)?;
        self.state().config = Some((config.clone(), policy));
        Ok(config)
    }

    /// End the user's sessions on every device, then sign out here.
    ///
    /// # Errors
    /// The backend did not confirm (nothing is signed out then).
    pub async fn sign_out_everywhere(&self) -> Result<()> {
        self.0.client.sign_out_everywhere().await?;
        self.0.log.push("app", "signed out on every device");
        self.sign_out();
        Ok(())
    }

    /// Forget the sign-in here; the backend ends this device's session in the background.
    pub fn sign_out(&self) {
        let end = self.0.client.end_session();
        self.0.shell.spawn(Box::pin(async move {
            if let Err(e) = end.await {
                tracing::info!("could not end the session on the server (signed out here anyway): {e}");
            }
        }));
        self.0.tokens.clear();
        self.0.client.set_session(None, None);
        self.state().user = None;
        self.dismiss_window();
        self.navigate(Action::SignedOut);
        self.0.log.push("app", "signed out");
    }

    /// The user's verification status.
    ///
    /// # Errors
    /// Offline or signed out.
    pub async fn kyc(&self) -> Result<KycView> {
        self.0.client.kyc().await
    }

    /// The user's transactions, newest first.
    ///
    /// # Errors
    /// Offline or signed out.
    pub async fn transactions(&self) -> Result<Vec<TransactionView>> {
        self.0.client.transactions().await
    }

    /// A page of the user's transactions, newest first: the first page without `before`, the
    /// next with the previous page's `next`.
    ///
    /// # Errors
    /// Offline, signed out, or a cursor the backend does not know (`not_found`).
    pub async fn history(&self, before: Option<String>) -> Result<TransactionList> {
        self.0.client.transactions_page(&TransactionsQuery { limit: None, before }).await
    }

    /// One transaction; follows its status while it is open.
    ///
    /// # Errors
    /// Offline, signed out, or not the user's.
    pub async fn transaction(&self, id: &str) -> Result<TransactionView> {
        let tx = self.0.client.transaction(id).await?;
        if !tx.status.is_terminal() {
            self.follow(id.to_owned());
        }
        Ok(tx)
    }

    /// Every status seen, and the payment window's health while the UI shows it: for a UI
    /// whose page was reloaded.
    pub fn restore(&self) -> Restored {
        let st = self.state();
        let widget = match &st.screen {
            Screen::Widget { tx } => st.window.as_ref().filter(|w| w.tx == *tx).map(window::Window::health),
            _ => None,
        };
        Restored { statuses: st.seen.values().flatten().cloned().collect(), widget }
    }

    /// Create a session and open the payment window for it; the transaction id.
    ///
    /// # Errors
    /// The backend's refusal (limits, pair unavailable, KYC), offline, or a window the platform
    /// would not open.
    pub async fn start(&self, request: &CreateSession) -> Result<String> {
        let client = &self.0.client;
        self.open_payment(|link| {
            let request = CreateSession { link, ..request.clone() };
            async move { client.create_session(&request).await }
        })
        .await
    }

    /// Continue an unfinished transaction on a fresh single-use link to the same Proof session.
    ///
    /// # Errors
    /// `invalid` with the backend's sentence when the transaction ended or its session expired.
    pub async fn resume(&self, id: &str) -> Result<String> {
        self.0.log.push("app", format!("resuming {}", short(id)));
        let client = &self.0.client;
        self.open_payment(|link| async move { client.resume(id, link).await }).await
    }

    /// Reopen a payment window that stopped working, on the same transaction.
    ///
    /// # Errors
    /// As [`App::resume`].
    pub async fn reopen(&self, id: &str) -> Result<String> {
        self.0.log.push("app", format!("reopening the payment window for {}", short(id)));
        self.resume(id).await
    }

    async fn ensure_config(&self) -> Result<()> {
        if self.state().config.is_none() {
            self.config().await?;
        }
        Ok(())
    }

    /// Open the payment for the session `session` brings. A webview payment window opens at
    /// once, on a host page link the app chose ([`ramp_api::link`]) and sends with the request:
    /// the backend holds that page, showing its opening message, until the session is recorded
    /// under the link, so the widget starts loading the moment its session exists, in one
    /// navigation. A session that fails takes the window away.
    async fn open_payment<F>(&self, session: impl FnOnce(Option<String>) -> F) -> Result<String>
    where
        F: std::future::Future<Output = Result<SessionCreated>>,
    {
        self.ensure_config().await?;
        let browser = self.state().config.as_ref().is_some_and(|(c, _)| c.widget_mode == WidgetMode::Browser)
            || !self.0.shell.traits().webview;
        let early = if browser {
            None
        } else {
            let link = ramp_api::link::new_token();
            Some((self.present_window(self.held_link(&link)?)?, link))
        };
        let created = match session(early.as_ref().map(|(_, link)| link.clone())).await {
            Ok(c) => c,
            Err(e) => {
                if let Some((generation, _)) = early {
                    self.abandon_window(generation);
                }
                return Err(e);
            }
        };
        let tx = created.merchant_transaction_id;
        self.0.log.push("app", format!("session {} ready, opening the widget", short(&tx)));
        let shown = match early {
            None => {
                self.open_in_browser(&created.widget_url, &tx).await?;
                true
            }
            Some((generation, _)) => self.show_link(generation, &created.widget_url, &tx)?,
        };
        if shown {
            self.navigate(Action::WidgetOpened(tx.clone()));
        } else if self.state().window.is_some() {
            // The user closed this window while it was opening and has since tapped again: the
            // newer purchase's window is open and keeps the screen; this one waits in the list.
            self.0.log.push("app", format!("{} stays in the list: a newer payment window is open", short(&tx)));
        } else {
            // The user closed the window while it was opening: the transaction's screen, with
            // Continue.
            self.navigate(Action::WidgetOpened(tx.clone()));
            self.navigate(Action::WidgetClosed);
        }
        self.follow(tx.clone());
        Ok(tx)
    }

    /// Close the payment window after the user confirmed; the transaction's screen.
    pub fn close_payment(&self) -> Screen {
        self.dismiss_window();
        self.navigate(Action::WidgetClosed)
    }

    /// A link that opened the app (browser mode's return link, also one that started it): for
    /// the open transaction, the same handling as an intercepted widget event; with nothing
    /// open, that transaction's status; anything else is logged and ignored.
    pub fn returned(&self, url: &Url) {
        let (open, policy) = {
            let st = self.state();
            let open = match &st.screen {
                Screen::Widget { tx } => Some(tx.clone()),
                _ => None,
            };
            (open, st.config.as_ref().map(|(_, p)| p.clone()))
        };
        let Some(policy) = policy else {
            // Not signed in yet (the link started the app): read it after the sign-in.
            self.0.log.push("app", "a link opened the app before sign-in; it is read after sign-in");
            self.state().pending_link = Some(url.clone());
            return;
        };
        let log = &self.0.log;
        match policy.classify_return(url, open.as_deref()) {
            ReturnLink::Event(tx, event) => self.widget_event(Ok((tx, event))),
            ReturnLink::Show(tx) => {
                log.push("app", format!("return link for {}: showing its status", short(&tx)));
                self.navigate(Action::Open(tx));
            }
            ReturnLink::OtherTransaction { link } => {
                log.push("app", format!("ignored a return link for {}: another transaction is open", short(&link)));
            }
            ReturnLink::Malformed(why) => log.push("app", format!("ignored a malformed return link: {why}")),
            ReturnLink::NotOurs => log.push("app", format!("ignored a link that opened the app: {}:", url.scheme())),
        }
    }

    /// A widget event from an intercepted navigation or a return link.
    fn widget_event(&self, event: std::result::Result<(String, WidgetEvent), String>) {
        let (tx, event) = match event {
            Ok(e) => e,
            Err(why) => {
                self.0.log.push("widget", format!("ignored a malformed widget event: {why}"));
                return;
            }
        };
        let line = describe(&tx, &event);
        self.0.log.push("widget", &line);
        self.0.shell.emit(UiEvent::WidgetEvent { tx: tx.clone(), event: line });
        if let WidgetEvent::SellTransferEnabled { amount, currency, network, address } = &event {
            self.deposit_shown(&tx, amount, currency, network, address);
        }
        let leaves = matches!(event, WidgetEvent::PaymentFinished { .. } | WidgetEvent::Close { .. });
        self.navigate(Action::Widget(event));
        if leaves {
            self.dismiss_window();
        }
    }

    /// Follow `tx`'s status stream, telling the UI each status. When it ends, the payment
    /// window (if it still shows that transaction) closes and the transaction's screen shows.
    fn follow(&self, tx: String) {
        if !self.state().following.insert(tx.clone()) {
            return;
        }
        let mut rx = follow(self.0.client.clone(), tx.clone());
        let app = self.clone();
        self.0.shell.spawn(Box::pin(async move {
            while let Some(item) = rx.recv().await {
                match item {
                    StreamItem::Status(ev) => app.status(ev),
                    StreamItem::Reconnecting { retry_in } => {
                        app.0.shell.emit(UiEvent::Reconnecting { tx: tx.clone(), retry_in });
                    }
                    StreamItem::Failed(e) => {
                        app.0.log.push("error", format!("status stream for {} ended: {}", short(&tx), e.message));
                        if e.kind == ErrorKind::SignedOut {
                            app.navigate(Action::SignedOut);
                        }
                    }
                }
            }
            app.state().following.remove(&tx);
        }));
    }

    fn status(&self, ev: StatusEvent) {
        let id = ev.merchant_transaction_id.clone();
        self.0.log.push("status", format!("{} {} (seq {})", short(&id), ev.status.as_str(), ev.seq));
        let terminal = ev.status.is_terminal();
        {
            let mut st = self.state();
            let list = st.seen.entry(id.clone()).or_default();
            if !list.iter().any(|e| e.seq == ev.seq) {
                list.push(ev.clone());
            }
        }
        self.0.shell.emit(UiEvent::Status(ev));
        if terminal && matches!(self.screen(), Screen::Widget { ref tx } if *tx == id) {
            self.dismiss_window();
            self.navigate(Action::WidgetClosed);
        }
    }

    /// Open the partner's support (`RampConfig::support_url`: a page in the browser, or the mail
    /// app). The UI cannot name another address: it only asks for this one.
    ///
    /// # Errors
    /// `no_support` when the backend names none; `browser_failed` when nothing could open it.
    pub async fn open_support(&self) -> Result<()> {
        self.ensure_config().await?;
        let url =
            self.state().config.as_ref().and_then(|(c, _)| c.support_url.as_deref().and_then(|u| Url::parse(u).ok()));
        let Some(url) = url else {
            return Err(CoreError::coded(
                ErrorKind::App,
                "no_support",
                "No support contact is configured; quote the transaction id to the service you bought through.",
            ));
        };
        self.0.log.push("app", format!("opened support: {}:", url.scheme()));
        if self.0.shell.traits().no_browser {
            return Ok(());
        }
        self.0.shell.open_externally(url, false).await.map_err(|e| {
            CoreError::coded(ErrorKind::App, "browser_failed", format!("The support page could not be opened ({e})."))
        })
    }

    /// Browser mode: the host page opens in the in-app browser on phones, the system browser
    /// on desktop. The app keeps following the status; the host page's return link brings
    /// the app back.
    async fn open_in_browser(&self, link: &str, tx: &str) -> Result<()> {
        let url = self.localized(self.0.client.widget_link(link)?);
        self.0.log.push("widget", format!("{} opened in the browser", short(tx)));
        if self.0.shell.traits().no_browser {
            return Ok(());
        }
        self.0.shell.open_externally(url, true).await.map_err(|e| {
            CoreError::coded(
                ErrorKind::App,
                "browser_failed",
                format!("The browser could not be opened ({e}). Try again, or switch browser mode off."),
            )
        })
    }

    /// The widget link with the user's language, so the host page speaks it.
    fn localized(&self, mut url: Url) -> Url {
        url.query_pairs_mut().append_pair("lang", self.lang().tag());
        url
    }
}

fn describe(tx: &str, e: &WidgetEvent) -> String {
    let tx = short(tx);
    match e {
        WidgetEvent::Ready => format!("{tx} widget ready"),
        WidgetEvent::Status { status, .. } => format!("{tx} widget status {status}"),
        WidgetEvent::PaymentFinished { payment_method } => {
            format!("{tx} payment finished ({})", payment_method.as_deref().unwrap_or("unknown method"))
        }
        WidgetEvent::SellTransferEnabled { amount, currency, network, .. } => {
            format!("{tx} deposit address shown: send {amount} {currency} on {network}")
        }
        WidgetEvent::Close { reason } => format!("{tx} widget closed ({reason})"),
    }
}
