//! The seam between the app's logic and whatever shows it: what only the shell can do
//! ([`Shell`]), what the app tells the UI ([`UiEvent`]), and the handle through which a payment
//! window reports what happens to it ([`WindowHooks`]).
//!
//! The Tauri plugin implements [`Shell`] per platform (`crates/tauri-plugin-proof-ramp/src/shell.rs`); the tests implement
//! it with fakes that behave as the locked upstream code does on each phone
//! (`tests/phones.rs`).

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use ramp_api::StatusEvent;
use serde::Serialize;
use serde_json::json;
use url::Url;

use crate::flow::Screen;

/// A payment window the shell is asked to present.
#[derive(Clone, Debug)]
pub struct WindowSpec {
    /// Its label: a new one for every window, so a window the platform never reports gone
    /// (iOS) never blocks the next.
    pub label: String,
    /// The host page link to load (single use, on the backend's origin).
    pub url: Url,
    /// The window's title where the platform shows one.
    pub title: &'static str,
}

/// What only the shell can do. Every method returns quickly; none may wait on the UI thread.
pub trait Shell: Send + Sync + 'static {
    /// Create and show the payment window `spec`, wiring its events to `hooks`.
    ///
    /// # Errors
    /// A sentence for the log when the platform refused the window.
    fn present(&self, spec: &WindowSpec, hooks: WindowHooks) -> Result<(), String>;

    /// Take the payment window `label` away (the platform's way: finish its activity, hide
    /// and drop its `UIWindow`, destroy the desktop window) and bring the app's window back.
    /// A platform that keeps the window after this (iOS) loads `about:blank` in it first, so
    /// its page stops (camera, timers, network); that is the only navigation the app allows a
    /// window it let go of. Called once per window; the window may already be gone.
    fn dismiss(&self, label: &str);

    /// The value of `js` in window `label`'s page, or `None` when it does not answer within
    /// `within` (hung, gone, or still loading).
    fn evaluate(&self, label: &str, js: &str, within: Duration) -> BoxFuture<'static, Option<String>>;

    /// Tell the app's own UI.
    fn emit(&self, event: UiEvent);

    /// Open `url` outside the app: the in-app browser where the platform has one when
    /// `in_app`, else the system browser.
    fn open_externally(&self, url: Url, in_app: bool) -> BoxFuture<'static, Result<(), String>>;

    /// Run `task` in the background.
    fn spawn(&self, task: BoxFuture<'static, ()>);

    /// What this platform does with the payment window.
    fn traits(&self) -> ShellTraits;
}

/// How a platform presents the payment window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShellTraits {
    /// The payment window can be a webview here (Android without the widget's activity cannot).
    pub webview: bool,
    /// The payment window covers the app's own screen (phones): a stuck window is taken away
    /// so the app's message under it can be read.
    pub covers_app: bool,
    /// Test builds: links meant for a browser are logged, not opened.
    pub no_browser: bool,
    /// What the platform's navigation handler learns about frames.
    pub frames: Frames,
}

/// What the platform's navigation handler learns about frames, which decides what the app can
/// do with an address off the backend's list (docs/mobile.md, Frames).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frames {
    /// Asked about the page's own navigations only (Android's WebView does not ask about
    /// http(s) loads inside frames): an address off the list is the page leaving, and goes to
    /// the browser.
    NotAsked,
    /// Asked about frames too, without being told which; the shell checks the main frame's
    /// response and asks [`WindowHooks::main_frame`] (WebKitGTK). Frames load in place (a card
    /// issuer's 3-D Secure page); the page itself never leaves the list.
    CheckedAtResponse,
    /// Asked about frames too, and nothing tells them apart before the main frame starts
    /// loading (iOS, macOS): frames load in place, and a page that started loading off the list
    /// is taken away and its address opened in the browser.
    Untold,
}

/// Something the app's UI is told; [`UiEvent::name`] and [`UiEvent::payload`] are what the
/// shell sends.
#[derive(Clone, Debug, PartialEq)]
pub enum UiEvent {
    /// The screen changed.
    Screen(Screen),
    /// A transaction's status.
    Status(StatusEvent),
    /// A status stream lost its connection and retries.
    Reconnecting {
        /// The transaction.
        tx: String,
        /// When it retries.
        retry_in: Duration,
    },
    /// A payment window opened for this transaction.
    WindowOpened(String),
    /// Its first page loaded.
    WindowLoaded,
    /// Its first page did not load in time.
    WindowTimeout(String),
    /// It stopped working (`crashed`, `unresponsive`, `blank`).
    WindowStuck {
        /// Its transaction.
        tx: String,
        /// Why.
        reason: &'static str,
    },
    /// The user asked to close it: the UI asks whether to leave the payment.
    CloseRequested,
    /// A sale's deposit passed the app's checks: the hand-off can show (`deposit` command).
    Deposit(String),
    /// A sale's deposit failed the app's checks: never shown as something to send to; the
    /// user is told to contact support with the transaction id.
    DepositRefused(String),
    /// The widget reported something (a log line for the UI).
    WidgetEvent {
        /// Its transaction.
        tx: String,
        /// What it said.
        event: String,
    },
}

impl UiEvent {
    /// The event's name toward the UI.
    pub fn name(&self) -> &'static str {
        match self {
            UiEvent::Screen(_) => "screen",
            UiEvent::Status(_) => "tx-status",
            UiEvent::Reconnecting { .. } => "stream",
            UiEvent::WindowOpened(_) => "widget-opened",
            UiEvent::WindowLoaded => "widget-loaded",
            UiEvent::WindowTimeout(_) => "widget-timeout",
            UiEvent::WindowStuck { .. } => "widget-stuck",
            UiEvent::CloseRequested => "widget-close-requested",
            UiEvent::Deposit(_) => "deposit",
            UiEvent::DepositRefused(_) => "deposit-refused",
            UiEvent::WidgetEvent { .. } => "widget-event",
        }
    }

    /// The event's payload toward the UI.
    pub fn payload(&self) -> serde_json::Value {
        fn value(v: impl Serialize) -> serde_json::Value {
            serde_json::to_value(v).unwrap_or_default()
        }
        match self {
            UiEvent::Screen(s) => value(s),
            UiEvent::Status(ev) => value(ev),
            UiEvent::Reconnecting { tx, retry_in } => {
                json!({"tx": tx, "reconnecting_in_ms": u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX)})
            }
            UiEvent::WindowOpened(tx)
            | UiEvent::WindowTimeout(tx)
            | UiEvent::Deposit(tx)
            | UiEvent::DepositRefused(tx) => json!(tx),
            UiEvent::WindowLoaded | UiEvent::CloseRequested => serde_json::Value::Null,
            UiEvent::WindowStuck { tx, reason } => json!({"tx": tx, "reason": reason}),
            UiEvent::WidgetEvent { tx, event } => json!({"tx": tx, "event": event}),
        }
    }
}

/// A permission a page asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// The camera.
    Camera,
    /// The microphone.
    Microphone,
    /// Anything else (location, notifications, …): never granted.
    Other,
}

/// How a payment window reports to the app. The shell calls these from the window's event
/// handlers; a window that was since replaced or dismissed is answered as such (its
/// navigations refused, its events ignored).
#[derive(Clone)]
pub struct WindowHooks {
    pub(crate) sink: Arc<dyn WindowSink>,
    pub(crate) generation: u64,
}

/// What the app core does with a window's reports (implemented by the app's inner state).
pub(crate) trait WindowSink: Send + Sync {
    fn navigation(&self, generation: u64, url: &Url) -> bool;
    fn page_started(&self, generation: u64, url: &Url);
    fn main_frame(&self, generation: u64, url: &Url) -> bool;
    fn page_finished(&self, generation: u64, url: &Url);
    fn close_requested(&self, generation: u64);
    fn gone(&self, generation: u64);
    fn process_gone(&self, generation: u64);
    fn permission(&self, generation: u64, what: Permission) -> bool;
}

impl WindowHooks {
    /// Whether the window may go to `url` (the navigation handler's answer). Widget events
    /// and links for the browser are handled here and refused.
    pub fn navigation(&self, url: &Url) -> bool {
        self.sink.navigation(self.generation, url)
    }

    /// The main frame started loading `url` (what the window shows from now on).
    pub fn page_started(&self, url: &Url) {
        self.sink.page_started(self.generation, url);
    }

    /// Whether the main frame may show `url`, asked when its response arrives (shells with
    /// [`Frames::CheckedAtResponse`]); an address off the list goes to the browser instead.
    pub fn main_frame(&self, url: &Url) -> bool {
        self.sink.main_frame(self.generation, url)
    }

    /// The main frame finished loading `url`.
    pub fn page_finished(&self, url: &Url) {
        self.sink.page_finished(self.generation, url);
    }

    /// The user asked the platform to close the window (desktop close button): the app asks
    /// whether to leave the payment.
    pub fn close_requested(&self) {
        self.sink.close_requested(self.generation);
    }

    /// The window is gone, whoever closed it (the system, back, the app).
    pub fn gone(&self) {
        self.sink.gone(self.generation);
    }

    /// The window's web process ended without the app asking.
    pub fn process_gone(&self) {
        self.sink.process_gone(self.generation);
    }

    /// Whether the page the window shows now may have `what`.
    pub fn permission(&self, what: Permission) -> bool {
        self.sink.permission(self.generation, what)
    }
}

impl std::fmt::Debug for WindowHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowHooks").field("generation", &self.generation).finish_non_exhaustive()
    }
}
