//! The payment window: one at a time, each with a number of its own. Whatever a window
//! reports is checked against the current number first, so a window the platform keeps after
//! it was dismissed (iOS), or destroys late (Android), touches nothing.
//!
//! - Its navigations go through the backend's policy; widget events are taken only for its
//!   own transaction. Where the engine asks about frames too ([`Frames`]), an address off the
//!   list may load as a frame, and the page itself is checked when it responds or starts
//!   loading.
//! - The camera and microphone go to the page it shows only while that page is on the origin
//!   it was opened on (the host page), never after a navigation elsewhere.
//! - A watchdog asks the loaded page for a trivial answer; silence or an empty page twice in a
//!   row marks it stuck, and on a phone, where the window covers the app, it is taken away so
//!   the app's message (Reopen) can be read.

use std::sync::{Arc, Weak};

use serde::Serialize;
use url::Url;

use super::shell::{Frames, Permission, Shell, UiEvent, WindowHooks, WindowSink, WindowSpec};
use super::{App, Inner, WINDOW_PREFIX, short};
use crate::flow::{Action, Screen};
use crate::nav::NavDecision;
use crate::{CoreError, ErrorKind, Result};

/// What the watchdog asks: whether the page has a body with something in it.
const HEALTH: &str = "(function () { var b = document.body; \
    var n = b ? b.innerText.trim().length + b.querySelectorAll('iframe,img,canvas,video,input,button,svg').length : 0; \
    return n > 0 ? 'content' : 'empty'; })()";

/// Back inside the page: `navigation.canGoBack` where the engine has it (Android WebView),
/// else the history length; steps back when it can.
const STEP_BACK: &str = "(function () { \
    var can = (window.navigation && typeof navigation.canGoBack === 'boolean') ? navigation.canGoBack : history.length > 1; \
    if (can) { history.back(); } return can; })()";

/// The open payment window, as the app knows it.
#[derive(Clone, Debug)]
pub(crate) struct Window {
    pub(crate) generation: u64,
    pub(crate) label: String,
    /// Its transaction; empty while the session is being asked for (its page is held by the
    /// backend meanwhile, showing the opening message).
    pub(crate) tx: String,
    /// The origin of the host page it was opened on.
    home: url::Origin,
    /// What its main frame shows (from its page-load events).
    shown: Option<Url>,
    /// The host page link it was opened on (before its session existed).
    link: Url,
    /// The host page finished loading.
    loaded: bool,
    stuck: Option<&'static str>,
    /// On screen (false once the app asked the shell to take it away).
    presented: bool,
}

impl Window {
    pub(crate) fn health(&self) -> WidgetHealth {
        WidgetHealth { tx: self.tx.clone(), loaded: self.loaded, stuck: self.stuck }
    }
}

/// How the payment window is doing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WidgetHealth {
    /// Its transaction.
    pub tx: String,
    /// Its first page finished loading.
    pub loaded: bool,
    /// Why it stopped working (`crashed`, `unresponsive`, `blank`), when it did.
    pub stuck: Option<&'static str>,
}

/// What a back press did while the payment window was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetBack {
    /// The page went one step back in its own history.
    SteppedBack,
    /// The page was on its first step, or did not answer: the UI asks whether to leave.
    AskedToClose,
    /// The window was still opening (no payment in it yet): it was taken away.
    Left,
    /// No payment window is open; the UI handles back itself.
    NoWidget,
}

/// Whether `label` names a payment window (current or past).
pub fn is_payment_window(label: &str) -> bool {
    label.strip_prefix(WINDOW_PREFIX).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl<S: Shell> App<S> {
    /// The host page link `token` that waits for its session ([`ramp_api::link`]), in the
    /// user's language.
    pub(super) fn held_link(&self, token: &str) -> Result<Url> {
        let mut url = self.0.client.base().join(&format!("w/{token}")).map_err(|_| {
            CoreError::coded(
                ErrorKind::App,
                "no_config",
                "The app's server address is not usable; check its configuration.",
            )
        })?;
        url.query_pairs_mut().append_pair(ramp_api::link::WAIT_PARAM, "1");
        Ok(self.localized(url))
    }

    /// Present a new payment window on `url`, taking away the previous one; its generation.
    pub(super) fn present_window(&self, url: Url) -> Result<u64> {
        let (generation, label, old) = {
            let mut st = self.state();
            if st.config.is_none() {
                return Err(CoreError::coded(
                    ErrorKind::App,
                    "no_config",
                    "The app has no configuration yet; go back and try again.",
                ));
            }
            st.generation += 1;
            let generation = st.generation;
            let label = format!("{WINDOW_PREFIX}{generation}");
            let window = Window {
                generation,
                label: label.clone(),
                tx: String::new(),
                home: url.origin(),
                shown: None,
                link: url.clone(),
                loaded: false,
                stuck: None,
                presented: true,
            };
            (generation, label, st.window.replace(window))
        };
        if let Some(old) = old.filter(|w| w.presented) {
            self.0.shell.dismiss(&old.label);
        }
        let hooks = WindowHooks { sink: Arc::new(Sink(Arc::downgrade(&self.0))), generation };
        let spec = WindowSpec { label, url, title: "Proof Ramp — buy and sell" };
        if let Err(e) = self.0.shell.present(&spec, hooks) {
            let mut st = self.state();
            if st.window.as_ref().is_some_and(|w| w.generation == generation) {
                st.window = None;
            }
            return Err(CoreError::coded(
                ErrorKind::App,
                "window_failed",
                format!("The app could not open a window: {e}"),
            ));
        }
        self.watch(generation);
        Ok(generation)
    }

    /// The session for window `generation` arrived with host page `link`: the window, which
    /// opened on the link the app chose, now belongs to transaction `tx` (the backend goes on
    /// with its page by itself). A backend that made a link of its own gets a new window on it.
    /// `false` when the window was closed meanwhile.
    ///
    /// # Errors
    /// A link the app would not open (another site, malformed); the window is taken away.
    pub(super) fn show_link(&self, generation: u64, link: &str, tx: &str) -> Result<bool> {
        let url = match self.0.client.widget_link(link) {
            Ok(u) => u,
            Err(e) => {
                self.abandon_window(generation);
                return Err(e);
            }
        };
        let held = {
            let mut st = self.state();
            st.window.as_mut().filter(|w| w.generation == generation && w.presented).map(|w| {
                w.tx = tx.to_owned();
                w.link.path() == url.path()
            })
        };
        let generation = match held {
            None => {
                self.0.log.push("widget", format!("the payment window for {} was closed while it opened", short(tx)));
                return Ok(false);
            }
            Some(true) => generation,
            Some(false) => {
                self.0
                    .log
                    .push("widget", format!("the server made its own link for {}; a new window opens", short(tx)));
                let generation = self.present_window(self.localized(url))?;
                self.change(generation, |w| w.tx = tx.to_owned());
                generation
            }
        };
        self.0.shell.emit(UiEvent::WindowOpened(tx.to_owned()));
        self.time_first_load(generation);
        Ok(true)
    }

    /// The session for window `generation` could not be had: take the window away.
    pub(super) fn abandon_window(&self, generation: u64) {
        if self.current(generation).is_some() {
            self.dismiss_window();
        }
    }

    /// Take the payment window away (the user left, the payment finished, signed out).
    pub(super) fn dismiss_window(&self) {
        let gone = self.state().window.take();
        if let Some(w) = gone.filter(|w| w.presented) {
            self.0.shell.dismiss(&w.label);
        }
    }

    /// The payment window's health, while there is one.
    pub fn window_health(&self) -> Option<WidgetHealth> {
        self.state().window.as_ref().map(Window::health)
    }

    /// The label of the payment window on screen, if one is.
    pub fn window_label(&self) -> Option<String> {
        self.state().window.as_ref().filter(|w| w.presented).map(|w| w.label.clone())
    }

    /// The app-wide permission handler: `what` for the webview `label`. Only the current
    /// payment window, while it shows the page it was opened on, gets the camera and
    /// microphone; everything else is denied everywhere.
    pub fn permission(&self, label: &str, what: Permission) -> bool {
        let generation = self.state().window.as_ref().filter(|w| w.label == label).map(|w| w.generation);
        generation.is_some_and(|g| self.window_permission(g, what))
    }

    /// A webview's web process ended (the iOS hook, for every webview; the Linux signal): the
    /// payment window is reported stuck; for any other webview the event log says so and
    /// `false` tells the shell to reload it.
    pub fn web_process_gone(&self, label: &str) -> bool {
        if !is_payment_window(label) {
            self.0.log.push("error", "the app's page stopped working; reloaded it");
            return false;
        }
        let generation = self.state().window.as_ref().filter(|w| w.label == label).map(|w| w.generation);
        if let Some(g) = generation {
            self.stuck(g, "crashed");
        }
        true
    }

    /// Back while the payment window is shown: one step back in the page's own history, or,
    /// on its first step or when the page does not answer, the close question. Bounded: a hung
    /// page costs one wait of [`super::Timing::back_within`].
    pub async fn back(&self) -> WidgetBack {
        let Some(label) = self.window_label() else { return WidgetBack::NoWidget };
        if self.state().window.as_ref().is_some_and(|w| w.tx.is_empty()) {
            self.0.log.push("widget", "back: the payment window was still opening; taken away");
            self.dismiss_window();
            return WidgetBack::Left;
        }
        let t = self.0.timing;
        let shell = &self.0.shell;
        let before = shell.evaluate(&label, "location.href", t.back_within).await;
        let mut stepped =
            before.is_some() && shell.evaluate(&label, STEP_BACK, t.back_within).await.as_deref() == Some("true");
        if stepped {
            tokio::time::sleep(t.back_settle).await;
            let after = shell.evaluate(&label, "location.href", t.back_within).await;
            // No answer means the previous page is loading: back did something.
            stepped = after.is_none() || after != before;
        }
        if stepped {
            self.0.log.push("widget", "back: one page back inside the widget");
            return WidgetBack::SteppedBack;
        }
        self.0.shell.emit(UiEvent::CloseRequested);
        WidgetBack::AskedToClose
    }

    /// The current window, if it is `generation`.
    fn current(&self, generation: u64) -> Option<Window> {
        self.state().window.as_ref().filter(|w| w.generation == generation).cloned()
    }

    fn change(&self, generation: u64, f: impl FnOnce(&mut Window)) -> bool {
        let mut st = self.state();
        match st.window.as_mut() {
            Some(w) if w.generation == generation => {
                f(w);
                true
            }
            _ => false,
        }
    }

    fn window_navigation(&self, generation: u64, url: &Url) -> bool {
        let (window, policy) = {
            let st = self.state();
            let window = st.window.as_ref().filter(|w| w.generation == generation && w.presented).cloned();
            (window, st.config.as_ref().map(|(_, p)| p.clone()))
        };
        let (Some(window), Some(policy)) = (window, policy) else {
            // A window the app has let go of (iOS keeps it; its page is being blanked).
            return url.as_str() == "about:blank";
        };
        let log = &self.0.log;
        match policy.decide(url) {
            NavDecision::Allow => true,
            NavDecision::Event(Ok((tx, _))) if tx != window.tx => {
                log.push(
                    "widget",
                    format!("ignored an event for {} in the window of {}", short(&tx), short(&window.tx)),
                );
                false
            }
            NavDecision::Event(event) => {
                self.widget_event(event);
                false
            }
            // Maybe a frame (a card issuer's 3-D Secure page inside the payment provider's):
            // where the engine asks about frames too, it loads in place, and the main frame is
            // checked when it responds or starts loading.
            NavDecision::OpenExternally
                if matches!(url.scheme(), "http" | "https") && self.0.shell.traits().frames != Frames::NotAsked =>
            {
                log.push(
                    "widget",
                    format!("let {} load in place (a frame, or checked as a page)", url.origin().ascii_serialization()),
                );
                true
            }
            NavDecision::OpenExternally => {
                self.open_outside(url);
                false
            }
            NavDecision::Block => {
                log.push("widget", format!("blocked a {}: link", url.scheme()));
                false
            }
        }
    }

    /// A link the payment window may not show goes to the browser.
    fn open_outside(&self, url: &Url) {
        self.0.log.push("widget", format!("opened outside the app: {}", url.origin().ascii_serialization()));
        if self.0.shell.traits().no_browser {
            return;
        }
        let opened = self.0.shell.open_externally(url.clone(), false);
        let app = self.clone();
        self.0.shell.spawn(Box::pin(async move {
            if let Err(e) = opened.await {
                app.0.log.push("error", format!("could not open the browser: {e}"));
            }
        }));
    }

    /// Whether the current window's main frame may show `url` (asked at its response).
    fn window_main_frame(&self, generation: u64, url: &Url) -> bool {
        let policy = {
            let st = self.state();
            let current = st.window.as_ref().is_some_and(|w| w.generation == generation && w.presented);
            if !current {
                return url.as_str() == "about:blank";
            }
            st.config.as_ref().map(|(_, p)| p.clone())
        };
        match policy.map(|p| p.decide(url)) {
            Some(NavDecision::Allow) => true,
            Some(NavDecision::OpenExternally) => {
                self.open_outside(url);
                false
            }
            _ => false,
        }
    }

    /// The current window's main frame started loading `url`. On an engine that cannot tell
    /// frames from pages beforehand, a page that left the list is taken away (its address goes
    /// to the browser) and the transaction's screen shows, with Continue.
    fn window_page_started(&self, generation: u64, url: &Url) {
        self.change(generation, |w| w.shown = Some(url.clone()));
        if self.0.shell.traits().frames != Frames::Untold {
            return;
        }
        let (left, showing) = {
            let st = self.state();
            let Some(w) = st.window.as_ref().filter(|w| w.generation == generation && w.presented) else { return };
            let off_list = st.config.as_ref().is_some_and(|(_, p)| p.decide(url) == NavDecision::OpenExternally);
            (off_list, matches!(st.screen, Screen::Widget { ref tx } if *tx == w.tx))
        };
        if !left {
            return;
        }
        self.0
            .log
            .push("widget", format!("the payment page left for {}; taken away", url.origin().ascii_serialization()));
        self.open_outside(url);
        self.dismiss_window();
        if showing {
            self.navigate(Action::WidgetClosed);
        }
    }

    fn window_permission(&self, generation: u64, what: Permission) -> bool {
        if what == Permission::Other {
            return false;
        }
        self.current(generation).is_some_and(|w| w.presented && w.shown.as_ref().is_some_and(|u| u.origin() == w.home))
    }

    fn page_finished(&self, generation: u64, url: &Url) {
        let mut first = false;
        self.change(generation, |w| {
            w.shown = Some(url.clone());
            first = !w.loaded;
            w.loaded = true;
        });
        if first {
            self.0.shell.emit(UiEvent::WindowLoaded);
        }
    }

    /// Window `generation` is gone, whoever closed it. While the app still shows its
    /// transaction, the transaction's screen shows; a stuck window stays on record so the app
    /// keeps offering Reopen.
    fn window_gone(&self, generation: u64) {
        let showing = {
            let mut st = self.state();
            let Some(w) = st.window.as_mut().filter(|w| w.generation == generation) else { return };
            w.presented = false;
            let (tx, stuck) = (w.tx.clone(), w.stuck.is_some());
            if !stuck {
                st.window = None;
            }
            !stuck && matches!(st.screen, Screen::Widget { tx: ref t } if *t == tx)
        };
        if showing {
            self.navigate(Action::WidgetClosed);
        }
    }

    /// Window `generation` stopped working: tell the user once, with the reason; on a phone take
    /// the window away so the message under it shows.
    fn stuck(&self, generation: u64, reason: &'static str) {
        let covers = self.0.shell.traits().covers_app;
        let mut first = None;
        self.change(generation, |w| {
            if w.stuck.is_none() {
                w.stuck = Some(reason);
                first = Some((w.tx.clone(), w.label.clone(), w.presented && covers));
                if covers {
                    w.presented = false;
                }
            }
        });
        let Some((tx, label, take_away)) = first else { return };
        self.0.log.push("error", format!("payment window for {} stopped working: {reason}", short(&tx)));
        if take_away {
            self.0.shell.dismiss(&label);
        }
        self.0.shell.emit(UiEvent::WindowStuck { tx, reason });
    }

    /// Once the page has loaded, ask it for a trivial answer every `watch_every`; silence or an
    /// empty page `strikes` times in a row means it hangs or went blank. Never asks a window
    /// the app has let go of. Ends with its window.
    fn watch(&self, generation: u64) {
        let app = self.clone();
        self.0.shell.spawn(Box::pin(async move {
            let t = app.0.timing;
            let (mut silent, mut blank) = (0, 0);
            loop {
                tokio::time::sleep(t.watch_every).await;
                let Some(w) = app.current(generation).filter(|w| w.presented && w.stuck.is_none()) else { break };
                if !w.loaded {
                    continue; // the load timeout covers a first page that never comes
                }
                let answer = app.0.shell.evaluate(&w.label, HEALTH, t.answer_within).await;
                if app.current(generation).is_none_or(|w| !w.presented) {
                    break;
                }
                match answer.as_deref() {
                    None => (silent, blank) = (silent + 1, 0),
                    Some("empty") => (silent, blank) = (0, blank + 1),
                    Some(_) => (silent, blank) = (0, 0),
                }
                if silent >= t.strikes {
                    app.stuck(generation, "unresponsive");
                } else if blank >= t.strikes {
                    app.stuck(generation, "blank");
                }
            }
        }));
    }

    /// The first page has `load_timeout` to finish; after that the UI offers a retry.
    fn time_first_load(&self, generation: u64) {
        let app = self.clone();
        self.0.shell.spawn(Box::pin(async move {
            tokio::time::sleep(app.0.timing.load_timeout).await;
            if let Some(w) = app.current(generation).filter(|w| w.presented && !w.loaded) {
                app.0.log.push("error", format!("widget for {} did not load in time", short(&w.tx)));
                app.0.shell.emit(UiEvent::WindowTimeout(w.tx));
            }
        }));
    }
}

/// A window's reports, back to the app (which it does not keep alive).
struct Sink<S: Shell>(Weak<Inner<S>>);

impl<S: Shell> Sink<S> {
    fn app(&self) -> Option<App<S>> {
        self.0.upgrade().map(App)
    }
}

impl<S: Shell> WindowSink for Sink<S> {
    fn navigation(&self, generation: u64, url: &Url) -> bool {
        self.app().is_some_and(|a| a.window_navigation(generation, url))
    }

    fn page_started(&self, generation: u64, url: &Url) {
        if let Some(a) = self.app() {
            a.window_page_started(generation, url);
        }
    }

    fn main_frame(&self, generation: u64, url: &Url) -> bool {
        self.app().is_some_and(|a| a.window_main_frame(generation, url))
    }

    fn page_finished(&self, generation: u64, url: &Url) {
        if let Some(a) = self.app() {
            a.page_finished(generation, url);
        }
    }

    fn close_requested(&self, generation: u64) {
        let Some((a, w)) = self.app().and_then(|a| a.current(generation).map(|w| (a, w))) else { return };
        if w.tx.is_empty() {
            // Still opening: nothing to leave yet.
            a.dismiss_window();
        } else {
            a.0.shell.emit(UiEvent::CloseRequested);
        }
    }

    fn gone(&self, generation: u64) {
        if let Some(a) = self.app() {
            a.window_gone(generation);
        }
    }

    fn process_gone(&self, generation: u64) {
        if let Some(a) = self.app() {
            a.stuck(generation, "crashed");
        }
    }

    fn permission(&self, generation: u64, what: Permission) -> bool {
        self.app().is_some_and(|a| a.window_permission(generation, what))
    }
}
