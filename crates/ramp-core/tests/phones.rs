//! A phone's day, simulated: the app core on fake iOS and Android shells that behave as the
//! locked Tauri, tao and wry code does (each behaviour is pinned against that code in
//! `tests/upstream.rs`, and cited in docs/mobile.md), against a real backend in sandbox mode
//! over loopback.
//!
//! What the fakes reproduce:
//! - **Labels**: Tauri refuses a window whose label it still holds, and forgets a label only
//!   when the window reports `Destroyed`.
//! - **iOS**: a dismissed window never reports `Destroyed` (tao releases the `UIWindow` and
//!   emits nothing); its webview lives on for the run.
//! - **Android**: dismissing finishes the activity, which reports `Destroyed` a moment later;
//!   evaluating script in a window whose activity is gone aborts the process (wry unwraps the
//!   missing activity proxy).
//! - **Both**: a hung page never answers an evaluation; a page that crashed answers nothing.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::BoxFuture;
use partner_backend::Backend;
use ramp_api::{Amount, CreateSession, TxType, WidgetEvent, WidgetEventUrl};
use ramp_core::app::{
    App, Frames, Permission, Shell, ShellTraits, Timing, UiEvent, WidgetBack, WindowHooks, WindowSpec,
};
use ramp_core::flow::Screen;
use ramp_core::{BackendClient, MemoryTokenStore};
use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Os {
    Ios,
    Android,
    /// Desktop Linux (WebKitGTK): the window stands beside the app's, reports `Destroyed`, and
    /// the shell checks the main frame's response.
    Linux,
}

/// One webview the platform holds.
struct Webview {
    hooks: WindowHooks,
    url: Url,
    /// On screen (iOS: its `UIWindow` is key and visible; Android: its activity is started).
    on_screen: bool,
    /// The page's main thread is stuck (or its process is gone): evaluations never answer.
    hung: bool,
    /// Android: the activity was destroyed (wry removed its proxy).
    destroyed: bool,
    /// Pages before this one in its history (`history.back()` goes to the last).
    back_stack: Vec<Url>,
    /// The page emptied itself (its body shows nothing).
    blank: bool,
    /// The engine made its webview (its first page started loading). Before that, Android's
    /// wry drops a script sent to the activity (`main_pipe.rs:344-345`).
    created: bool,
}

#[derive(Default)]
struct Device {
    /// Labels Tauri's window manager holds.
    labels: HashSet<String>,
    webviews: HashMap<String, Webview>,
    /// Every window the app asked to take away, in order.
    dismissed: Vec<String>,
    /// The platform refuses the next window (out of memory, no activity started in time).
    refuse_next: bool,
    /// The next window's first page never finishes loading.
    never_loads: bool,
    /// The next window's engine takes this long to make its webview (a slow activity start).
    slow_start: Option<Duration>,
    /// Scripts evaluated, by window.
    evaluations: HashMap<String, usize>,
    /// Evaluations into an Android window whose activity was gone: each would abort the app.
    aborts: Vec<String>,
    ui: Vec<UiEvent>,
}

/// A fake phone shell.
struct Phone {
    os: Os,
    device: Arc<Mutex<Device>>,
}

fn lock(d: &Mutex<Device>) -> MutexGuard<'_, Device> {
    d.lock().unwrap_or_else(|e| e.into_inner())
}

impl Phone {
    fn device(&self) -> MutexGuard<'_, Device> {
        lock(&self.device)
    }

    /// The page of `label` navigates to `url` (a link tapped, a redirect): the engine asks
    /// the navigation handler, then loads.
    fn navigate(&self, label: &str, url: &Url) -> bool {
        let hooks = self.device().webviews.get(label).map(|w| w.hooks.clone());
        let Some(hooks) = hooks else { return false };
        let mut allowed = hooks.navigation(url);
        if allowed && self.os == Os::Linux {
            // platform.rs check_main_frame: the main frame's response is asked about.
            allowed = hooks.main_frame(url);
        }
        if allowed {
            if let Some(w) = self.device().webviews.get_mut(label) {
                let previous = std::mem::replace(&mut w.url, url.clone());
                w.back_stack.push(previous);
            }
            hooks.page_started(url);
            hooks.page_finished(url);
        }
        allowed
    }

    /// A frame inside the page loads `url`: iOS's WebKit asks the navigation handler (without
    /// saying it is a frame); Android's WebView does not ask about http(s) frames at all.
    fn frame(&self, label: &str, url: &Url) -> bool {
        let hooks = self.device().webviews.get(label).map(|w| w.hooks.clone());
        let Some(hooks) = hooks else { return false };
        match self.os {
            Os::Ios | Os::Linux => hooks.navigation(url),
            Os::Android => true,
        }
    }

    /// The page empties itself.
    fn go_blank(&self, label: &str) {
        if let Some(w) = self.device().webviews.get_mut(label) {
            w.blank = true;
        }
    }

    /// Android finishes the window's activity by itself (back on a page that could not ask, a
    /// return link reaching the `singleTask` main activity): destroyed, and Tauri forgets it.
    /// (The launcher icon no longer does: ramp-mobile's `LauncherActivity`, see
    /// `ramp-mobile/tests/template.rs`.)
    fn finish(&self, label: &str) {
        let hooks = {
            let mut d = self.device();
            d.labels.remove(label);
            d.webviews.get_mut(label).map(|w| {
                w.destroyed = true;
                w.on_screen = false;
                w.hooks.clone()
            })
        };
        if let Some(h) = hooks {
            h.gone();
        }
    }

    fn evaluations(&self, label: &str) -> usize {
        self.device().evaluations.get(label).copied().unwrap_or_default()
    }

    fn hang(&self, label: &str) {
        if let Some(w) = self.device().webviews.get_mut(label) {
            w.hung = true;
        }
    }

    fn hooks(&self, label: &str) -> WindowHooks {
        self.device().webviews.get(label).map(|w| w.hooks.clone()).expect("a webview with that label")
    }

    fn on_screen(&self) -> Vec<String> {
        let d = self.device();
        let mut shown: Vec<String> = d.webviews.iter().filter(|(_, w)| w.on_screen).map(|(l, _)| l.clone()).collect();
        shown.sort();
        shown
    }

    fn url_of(&self, label: &str) -> Option<Url> {
        self.device().webviews.get(label).map(|w| w.url.clone())
    }
}

impl Phone {
    /// iOS's WebKit asks about frames and cannot tell them apart; Android's WebView does not
    /// ask about http(s) loads inside frames.
    fn frames(&self) -> Frames {
        match self.os {
            Os::Ios => Frames::Untold,
            Os::Android => Frames::NotAsked,
            Os::Linux => Frames::CheckedAtResponse,
        }
    }
}

impl Shell for Phone {
    fn present(&self, spec: &WindowSpec, hooks: WindowHooks) -> Result<(), String> {
        {
            let mut d = self.device();
            if std::mem::take(&mut d.refuse_next) {
                return Err("the activity did not start in time".into());
            }
            // tauri src/manager/window.rs:70-72
            if !d.labels.insert(spec.label.clone()) {
                return Err(format!("a window with label `{}` already exists", spec.label));
            }
            let webview = Webview {
                hooks: hooks.clone(),
                url: spec.url.clone(),
                on_screen: true,
                hung: false,
                destroyed: false,
                back_stack: Vec::new(),
                blank: false,
                created: false,
            };
            d.webviews.insert(spec.label.clone(), webview);
            if std::mem::take(&mut d.never_loads) {
                return Ok(());
            }
        }
        // The engine loads the page a moment later; Android's wry asks the handler about its
        // own first load too (RustWebView.kt:53-60). The page is read from the backend for real:
        // it finishes when its last byte came (a held link, when its session exists).
        let (url, label, device) = (spec.url.clone(), spec.label.clone(), self.device.clone());
        let start = self.device().slow_start.take().unwrap_or(Duration::from_millis(20));
        tokio::spawn(async move {
            tokio::time::sleep(start).await;
            if let Some(w) = lock(&device).webviews.get_mut(&label) {
                w.created = true;
            }
            if hooks.navigation(&url) {
                hooks.page_started(&url);
                if matches!(url.scheme(), "http" | "https") {
                    if let Ok(page) = reqwest::get(url.clone()).await {
                        let _ = page.text().await;
                    }
                }
                hooks.page_finished(&url);
            }
        });
        Ok(())
    }

    fn dismiss(&self, label: &str) {
        let hooks = {
            let mut d = self.device();
            d.dismissed.push(label.to_owned());
            match d.webviews.get_mut(label) {
                Some(w) if w.on_screen => {
                    w.on_screen = false;
                    Some(w.hooks.clone())
                }
                _ => None,
            }
        };
        let Some(hooks) = hooks else { return };
        match self.os {
            // The shell blanks the page, hides and drops the window (src-tauri shell/ios.rs);
            // tao emits no Destroyed, so the label and the webview stay.
            Os::Ios => {
                let blank = Url::parse("about:blank").expect("url");
                if hooks.navigation(&blank) {
                    if let Some(w) = self.device().webviews.get_mut(label) {
                        w.url = blank.clone();
                    }
                    hooks.page_started(&blank);
                }
            }
            // finish(); the activity's onDestroy comes a moment later and Tauri forgets it.
            // Desktop: destroy(); Destroyed comes from the event loop a moment later.
            Os::Android | Os::Linux => {
                let device = self.device.clone();
                let label = label.to_owned();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    {
                        let mut d = lock(&device);
                        d.labels.remove(&label);
                        if let Some(w) = d.webviews.get_mut(&label) {
                            w.destroyed = true;
                        }
                    }
                    hooks.gone();
                });
            }
        }
    }

    fn evaluate(&self, label: &str, js: &str, within: Duration) -> BoxFuture<'static, Option<String>> {
        let answer = {
            let mut d = self.device();
            let os = self.os;
            *d.evaluations.entry(label.to_owned()).or_default() += 1;
            let state = d.webviews.get(label).map(|w| {
                (w.hung, w.destroyed, if w.blank { Url::parse("about:blank").expect("url") } else { w.url.clone() })
            });
            // Android's wry drops a script for an activity without its webview yet.
            if os == Os::Android && d.webviews.get(label).is_some_and(|w| !w.created && !w.destroyed) {
                return Box::pin(async move {
                    tokio::time::sleep(within).await;
                    None
                });
            }
            // `history.back()` where the page has somewhere to go back to.
            let stepped = match (state.as_ref(), d.webviews.get_mut(label)) {
                (Some((false, false, _)), Some(w)) if js.contains("history.back()") => {
                    w.back_stack.pop().map(|to| w.url = to)
                }
                _ => None,
            };
            match state {
                None => None,
                Some((_, true, _)) if os == Os::Android => {
                    d.aborts.push(label.to_owned());
                    None
                }
                Some((true, _, _)) => None,
                Some((false, _, url)) => Some(if js == "location.href" {
                    url.to_string()
                } else if js.contains("canGoBack") {
                    stepped.is_some().to_string()
                } else if url.as_str() == "about:blank" {
                    "empty".to_owned()
                } else {
                    "content".to_owned()
                }),
            }
        };
        Box::pin(async move {
            match answer {
                Some(a) => Some(a),
                None => {
                    tokio::time::sleep(within).await;
                    None
                }
            }
        })
    }

    fn emit(&self, event: UiEvent) {
        self.device().ui.push(event);
    }

    fn open_externally(&self, _url: Url, _in_app: bool) -> BoxFuture<'static, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }

    fn traits(&self) -> ShellTraits {
        ShellTraits { webview: true, covers_app: self.os != Os::Linux, no_browser: true, frames: self.frames() }
    }
}

/// An origin the backend allows in the payment window besides its own.
const PROVIDER: &str = "https://payments.provider.example";

const TIMING: Timing = Timing {
    load_timeout: Duration::from_secs(1),
    watch_every: Duration::from_millis(100),
    answer_within: Duration::from_millis(200),
    strikes: 2,
    back_within: Duration::from_millis(300),
    back_settle: Duration::from_millis(50),
};

struct Day {
    app: App<Phone>,
    backend: Backend,
    dir: std::path::PathBuf,
}

impl Day {
    async fn begin(os: Os) -> Self {
        let dir = std::env::temp_dir().join(format!("ramp-core-phones-{}", uuid_like()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mut c = partner_backend::config::Config::sandbox(format!("sqlite://{}", dir.join("db.sqlite").display()));
        c.listen = "127.0.0.1:0".parse().expect("addr");
        c.poll_interval = Duration::from_millis(200);
        // A day of purchases in a few seconds.
        c.session_rate_per_minute = 1000;
        // A payment provider's frames, allowed in the payment window.
        c.frame_origins.push(PROVIDER.into());
        let backend = Backend::start(c).await.expect("backend");
        let client = BackendClient::new(backend.public_base().as_str()).expect("client");
        let phone = Phone { os, device: Arc::default() };
        let app = App::with_timing(phone, client, Box::new(MemoryTokenStore::default()), TIMING);
        app.sign_in("verified", true).await.expect("signed in");
        Self { app, backend, dir }
    }

    fn phone(&self) -> &Phone {
        self.app.shell()
    }

    /// Buy 25 USDT; the transaction and its window's label, once its page has loaded.
    async fn buy(&self) -> (String, String) {
        let tx = self.app.start(&session(TxType::Buy, "USDT", "TRC20")).await.expect("the payment window opens");
        (tx, self.loaded_window().await)
    }

    /// Sell 25 of `currency` on `network`; the transaction and its window's label.
    async fn sell(&self, currency: &str, network: &str) -> (String, String) {
        let tx = self.app.start(&session(TxType::Sell, currency, network)).await.expect("the payment window opens");
        (tx, self.loaded_window().await)
    }

    /// The label of the payment window on screen, once its page has loaded.
    async fn loaded_window(&self) -> String {
        let label = eventually("the payment window loads", || {
            self.app.window_health().is_some_and(|h| h.loaded).then(|| self.app.window_label()).flatten()
        })
        .await;
        assert!(self.ui().contains(&UiEvent::WindowLoaded), "the UI was told it loaded");
        label
    }

    fn ui(&self) -> Vec<UiEvent> {
        self.phone().device().ui.clone()
    }

    /// The event URL of `event` for `tx`, as the host page builds it.
    async fn event_url(&self, tx: &str, event: &WidgetEvent) -> Url {
        let config = self.app.config().await.expect("config");
        let base = Url::parse(&config.widget_event_url).expect("url");
        WidgetEventUrl::new(&base).expect("event url").build(tx, event)
    }

    async fn end(self) {
        assert!(
            self.phone().device().aborts.is_empty(),
            "evaluated into a destroyed activity: {:?}",
            self.phone().device().aborts
        );
        self.backend.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A session for 25 of `currency` on `network`.
fn session(tx_type: TxType, currency: &str, network: &str) -> CreateSession {
    let amount = Amount::parse("25").expect("amount");
    CreateSession { tx_type, currency: currency.into(), network: network.into(), amount, address: None, link: None }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{}-{nanos}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// How long anything here may take: the fakes answer in milliseconds, and the backend is on
/// loopback. Short, so that a broken rule fails fast (mutation testing runs these many times).
const WITHIN: Duration = Duration::from_secs(3);

/// Poll `check` until it gives a value (within [`WITHIN`]).
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {WITHIN:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// iOS keeps every dismissed window's label for the run. Buy → Close → Buy again, ten times,
/// then Continue: every window opens, each under a label of its own, and each one let go of is
/// blank (its page stopped).
#[tokio::test]
async fn ios_opens_a_second_third_and_tenth_payment_window_in_one_run() {
    let day = Day::begin(Os::Ios).await;
    let mut labels = Vec::new();
    let mut last_tx = String::new();
    for _ in 0..10 {
        let (tx, label) = day.buy().await;
        assert_eq!(day.phone().on_screen(), std::slice::from_ref(&label), "one payment window on screen");
        assert_eq!(day.app.close_payment(), Screen::Transaction { tx: tx.clone() });
        labels.push(label);
        last_tx = tx;
    }
    let resumed = day.app.resume(&last_tx).await.expect("Continue opens the same purchase");
    assert_eq!(resumed, last_tx);
    let label = day.loaded_window().await;
    assert!(!labels.contains(&label), "a label of its own");
    assert_eq!(day.app.screen(), Screen::Widget { tx: last_tx });
    for old in &labels {
        assert_eq!(day.phone().url_of(old).map(String::from).as_deref(), Some("about:blank"), "{old} was blanked");
    }
    day.end().await;
}

/// A window the app has let go of (iOS keeps it running) cannot act: a widget event from its
/// page (here `close`, which would end the new window) is refused and changes nothing, its
/// camera request is denied, and its late `Destroyed` does not close the new window. The
/// current window's events count only for its own transaction.
#[tokio::test]
async fn a_replaced_window_s_late_events_touch_nothing() {
    let day = Day::begin(Os::Ios).await;
    let (tx, first) = day.buy().await;
    day.app.reopen(&tx).await.expect("reopened");
    let second = day.loaded_window().await;
    assert_ne!(first, second);
    let old = day.phone().hooks(&first);

    let close = day.event_url(&tx, &WidgetEvent::Close { reason: "user".into() }).await;
    assert!(!old.navigation(&close), "the event URL is never loaded");
    assert!(!old.navigation(&Url::parse("https://elsewhere.example/").expect("url")));
    assert!(!old.permission(Permission::Camera));
    // Its page loading something else, or its process dying, says nothing about the new one.
    let elsewhere = Url::parse(&format!("{PROVIDER}/elsewhere")).expect("url");
    old.page_started(&elsewhere);
    old.page_finished(&elsewhere);
    old.process_gone();
    assert_eq!(day.app.window_health().and_then(|h| h.stuck), None, "the new window is not stuck");
    old.gone();
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() }, "the new window is still the purchase");
    assert_eq!(day.phone().on_screen(), std::slice::from_ref(&second));
    assert!(day.phone().hooks(&second).permission(Permission::Camera), "the new window on its host page");

    // The window on screen reporting for another transaction (a tampered page) is refused too.
    let foreign = day.event_url("tx-of-someone-else", &WidgetEvent::Close { reason: "user".into() }).await;
    assert!(!day.phone().hooks(&second).navigation(&foreign));
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() });

    // The same event from the window on screen is taken.
    assert!(!day.phone().hooks(&second).navigation(&close));
    assert_eq!(day.app.screen(), Screen::Transaction { tx });
    day.end().await;
}

/// The camera goes to the page the payment window shows, only while it is the host page: a
/// top-level navigation to another allowed origin takes it away; other permissions never.
#[tokio::test]
async fn the_camera_follows_the_page_not_the_window() {
    let day = Day::begin(Os::Android).await;
    let (_, label) = day.buy().await;
    let hooks = day.phone().hooks(&label);
    assert!(hooks.permission(Permission::Camera));
    assert!(hooks.permission(Permission::Microphone));
    assert!(!hooks.permission(Permission::Other));
    assert!(day.app.permission(&label, Permission::Camera), "the app-wide handler agrees");
    assert!(!day.app.permission("main", Permission::Camera), "the app's own page never");

    let other = Url::parse(&format!("{PROVIDER}/checkout")).expect("url");
    assert!(day.phone().navigate(&label, &other), "an allowed origin loads");
    assert!(!hooks.permission(Permission::Camera), "not on {other}");
    assert!(!hooks.permission(Permission::Microphone));
    assert!(!day.app.permission(&label, Permission::Camera));
    day.end().await;
}

/// The payment window's web process dies on iOS (WebKit's hook, which the shell routes by
/// label): the user is told, the window is taken away so the message under it shows, and
/// Reopen opens the same purchase in a new window.
#[tokio::test]
async fn ios_a_crashed_payment_window_is_taken_away_and_reopens_the_same_purchase() {
    let day = Day::begin(Os::Ios).await;
    let (tx, label) = day.buy().await;
    day.phone().hang(&label);
    assert!(day.app.web_process_gone(&label), "the payment window's process");
    assert!(!day.app.web_process_gone("main"), "the app's own page is the shell's to reload");
    let log: Vec<String> = day.app.log().entries().into_iter().map(|e| e.text).collect();
    assert!(log.iter().any(|l| l == "the app's page stopped working; reloaded it"), "{log:?}");
    assert!(day.ui().contains(&UiEvent::WindowStuck { tx: tx.clone(), reason: "crashed" }));
    assert!(day.phone().on_screen().is_empty(), "taken away: the app's message is visible");
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() }, "the app still offers Reopen");
    assert_eq!(day.app.restore().widget.and_then(|w| w.stuck), Some("crashed"), "a reloaded UI sees it too");
    // The taken-away window's page (iOS keeps it) starting to load elsewhere changes nothing.
    day.phone().hooks(&label).page_started(&Url::parse("https://elsewhere.example/").expect("url"));
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() });
    assert_eq!(day.app.window_health().and_then(|h| h.stuck), Some("crashed"));

    assert_eq!(day.app.reopen(&tx).await.expect("Reopen"), tx);
    let again = day.loaded_window().await;
    assert_ne!(again, label);
    assert_eq!(day.phone().on_screen(), [again]);
    day.end().await;
}

/// A hung page on Android: back from the app leaves within a bounded time (the close
/// question), the watchdog notices and takes the window away so the Reopen message shows,
/// the activity's late `Destroyed` keeps that message, and nothing is ever evaluated into the
/// destroyed activity (which would abort the app).
#[tokio::test]
async fn android_back_on_a_hung_page_is_bounded_and_the_stuck_window_makes_way() {
    let day = Day::begin(Os::Android).await;
    let (tx, label) = day.buy().await;
    day.phone().hang(&label);
    let back = tokio::time::timeout(WITHIN, day.app.back()).await.expect("back does not wait forever");
    assert_eq!(back, WidgetBack::AskedToClose);
    assert!(day.ui().contains(&UiEvent::CloseRequested));

    eventually("the watchdog reports the hung page", || {
        day.ui().contains(&UiEvent::WindowStuck { tx: tx.clone(), reason: "unresponsive" }).then_some(())
    })
    .await;
    eventually("the stuck window is taken away", || day.phone().on_screen().is_empty().then_some(())).await;
    eventually("its activity is destroyed", || {
        day.phone().device().webviews.get(&label).is_some_and(|w| w.destroyed).then_some(())
    })
    .await;
    // Give the watchdog time to make a mistake.
    tokio::time::sleep(TIMING.watch_every * 5).await;
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() }, "Reopen still offered");
    assert_eq!(day.app.window_health().and_then(|h| h.stuck), Some("unresponsive"), "still said after it went");
    assert_eq!(day.app.back().await, WidgetBack::NoWidget, "no window to ask");

    assert_eq!(day.app.reopen(&tx).await.expect("Reopen"), tx);
    day.loaded_window().await;
    day.end().await;
}

/// Android: the user closes the purchase and starts another at once, before the first
/// activity is destroyed; the first one's late `Destroyed` leaves the new purchase alone and
/// the watchdog never asks the finishing activity anything.
#[tokio::test]
async fn android_a_new_purchase_survives_the_previous_activity_going_late() {
    let day = Day::begin(Os::Android).await;
    let (_, first) = day.buy().await;
    day.app.close_payment();
    let (tx, second) = day.buy().await;
    eventually("the first activity is destroyed", || {
        day.phone().device().webviews.get(&first).is_some_and(|w| w.destroyed).then_some(())
    })
    .await;
    tokio::time::sleep(TIMING.watch_every * 5).await;
    assert_eq!(day.app.screen(), Screen::Widget { tx });
    assert_eq!(day.phone().on_screen(), [second]);
    day.end().await;
}

/// A card issuer's 3-D Secure page, from an origin nobody listed, inside the payment provider's
/// frame, loads in place on both phones. The page itself leaving for that origin still goes to
/// the browser: refused at once on Android (its WebView asks only about the page), and on iOS
/// (whose WebKit asks about frames too and cannot tell them apart) taken away as soon as it
/// starts loading, with the purchase left to Continue.
#[tokio::test]
async fn ios_a_3ds_frame_from_an_unlisted_origin_loads_and_the_page_still_cannot_leave() {
    card_check(Os::Ios).await;
}

/// The same on Android.
#[tokio::test]
async fn android_a_3ds_frame_from_an_unlisted_origin_loads_and_the_page_still_cannot_leave() {
    card_check(Os::Android).await;
}

async fn card_check(os: Os) {
    let issuer = Url::parse("https://acs.issuer.example/challenge").expect("url");
    let day = Day::begin(os).await;
    let (tx, label) = day.buy().await;
    assert!(day.phone().frame(&label, &issuer), "{os:?}: the issuer's frame loads");
    assert_eq!(day.phone().on_screen(), std::slice::from_ref(&label), "{os:?}");
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() }, "{os:?}");
    assert!(day.app.window_health().is_some_and(|h| h.stuck.is_none()), "{os:?}");

    let leaves = Url::parse("https://elsewhere.example/").expect("url");
    let loaded = day.phone().navigate(&label, &leaves);
    match os {
        Os::Android | Os::Linux => {
            assert!(!loaded, "refused before it shows");
            assert_eq!(day.phone().on_screen(), std::slice::from_ref(&label), "the payment window stays");
        }
        Os::Ios => {
            assert!(day.phone().on_screen().is_empty(), "iOS: the window that left is taken away");
            assert_eq!(day.app.screen(), Screen::Transaction { tx: tx.clone() }, "Continue is offered");
        }
    }
    let log: Vec<String> = day.app.log().entries().into_iter().map(|e| e.text).collect();
    assert!(log.iter().any(|t| t == "opened outside the app: https://elsewhere.example"), "{os:?}: {log:?}");
    assert!(!log.iter().any(|t| t.contains("opened outside the app: https://acs.issuer.example")), "{os:?}: {log:?}");
    day.end().await;
}

/// Back from the app while the payment window has somewhere to go back to steps back inside
/// it; on its first page it asks whether to leave.
#[tokio::test]
async fn back_steps_back_inside_the_page_then_asks_to_leave() {
    let day = Day::begin(Os::Ios).await;
    let (_, label) = day.buy().await;
    let first = day.phone().url_of(&label).expect("url");
    let next = first.join("?step=2").expect("url");
    assert!(day.phone().navigate(&label, &next));
    assert_eq!(day.app.back().await, WidgetBack::SteppedBack);
    assert_eq!(day.phone().url_of(&label), Some(first), "one page back");
    assert_eq!(day.app.back().await, WidgetBack::AskedToClose);
    day.end().await;
}

/// A window the platform would not open leaves nothing behind: the purchase fails with the
/// app's sentence, no payment window is on record, and the next Buy works.
#[tokio::test]
async fn a_window_the_platform_refuses_leaves_nothing_behind() {
    let day = Day::begin(Os::Android).await;
    day.phone().device().refuse_next = true;
    let refused =
        day.app.start(&session(TxType::Buy, "USDT", "TRC20")).await.expect_err("the platform refused the window");
    assert_eq!(refused.code, Some("window_failed"));
    assert_eq!(day.app.window_health(), None);
    assert!(!matches!(day.app.screen(), Screen::Widget { .. }), "no payment screen without a window");
    day.buy().await;
    day.end().await;
}

/// Proof answers slowly; the app taps Buy: the payment window is on screen while the session
/// is still being asked for, on the link the app chose, and its page finishes loading only
/// once the backend recorded the session (the fake reads the held page from the backend).
/// Android: an activity slower to start than the session still gets its page, in one
/// navigation (nothing to go back to), and no script is sent into it before its webview exists.
#[tokio::test]
async fn android_the_window_opens_at_the_tap_on_its_own_link_and_loads_once_its_session_exists() {
    let day = Day::begin(Os::Android).await;
    day.backend.sandbox().expect("sandbox").set_faults(proof_sandbox::Faults { latency_ms: 400, ..Default::default() });
    day.phone().device().slow_start = Some(Duration::from_millis(600));
    let app = day.app.clone();
    let started = tokio::spawn(async move { app.start(&session(TxType::Buy, "USDT", "TRC20")).await });
    let label = tokio::time::timeout(WITHIN, async {
        loop {
            if let Some(l) = day.phone().on_screen().pop() {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("a window at the tap");
    assert!(!started.is_finished(), "the window came before the session");
    assert!(!day.ui().contains(&UiEvent::WindowLoaded), "its page waits for the session");
    let held = day.phone().url_of(&label).expect("its page");
    let tx = started.await.expect("joined").expect("the payment window opens");
    assert_eq!(day.loaded_window().await, label, "the same window, loaded");
    let created = day.app.window_health().expect("a window");
    assert_eq!(created.tx, tx);
    assert!(held.path().starts_with("/w/") && held.query() == Some("wait=1&lang=en"), "{held}");
    assert!(day.phone().device().webviews[&label].back_stack.is_empty(), "one navigation");
    assert!(day.ui().contains(&UiEvent::WindowOpened(tx)));
    assert!(day.phone().device().aborts.is_empty());
    day.end().await;
}

/// The user closes the payment window before its session arrived: the session still comes,
/// the transaction's screen shows (with Continue), and no window is on record.
#[tokio::test]
async fn a_window_closed_while_it_opens_leaves_the_transaction_to_continue() {
    let day = Day::begin(Os::Android).await;
    day.backend.sandbox().expect("sandbox").set_faults(proof_sandbox::Faults { latency_ms: 400, ..Default::default() });
    let app = day.app.clone();
    let started = tokio::spawn(async move { app.start(&session(TxType::Buy, "USDT", "TRC20")).await });
    let label = tokio::time::timeout(WITHIN, async {
        loop {
            if let Some(l) = day.phone().on_screen().pop() {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("a window at the tap");
    day.phone().finish(&label);
    let tx = started.await.expect("joined").expect("the session still comes");
    assert_eq!(day.app.screen(), Screen::Transaction { tx: tx.clone() });
    assert_eq!(day.app.window_health(), None);
    assert!(!day.ui().contains(&UiEvent::WindowOpened(tx)), "no window to speak of");
    day.end().await;
}

/// The user closes the opening window and taps Buy again before the first session arrives:
/// the first session must not take over the second window (nor open one of its own).
#[tokio::test]
async fn a_session_for_a_closed_window_leaves_the_next_purchase_s_window_alone() {
    let day = Day::begin(Os::Ios).await;
    day.backend.sandbox().expect("sandbox").set_faults(proof_sandbox::Faults { latency_ms: 400, ..Default::default() });
    let d = &day;
    let appear = |not: Option<String>| async move {
        tokio::time::timeout(WITHIN, async {
            loop {
                if let Some(l) = d.phone().on_screen().into_iter().find(|l| Some(l) != not.as_ref()) {
                    return l;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("a window at the tap")
    };
    let app = day.app.clone();
    let first = tokio::spawn(async move { app.start(&session(TxType::Buy, "USDT", "TRC20")).await });
    let closed = appear(None).await;
    day.phone().finish(&closed);
    let app = day.app.clone();
    let second = tokio::spawn(async move { app.start(&session(TxType::Buy, "USDT", "TRC20")).await });
    let open = appear(Some(closed.clone())).await;
    assert_ne!(open, closed);
    let first = first.await.expect("joined").expect("the first session still comes");
    let second = second.await.expect("joined").expect("the second session");
    assert_eq!(day.phone().on_screen(), vec![open], "the second tap's window, and only it");
    assert_eq!(day.app.screen(), Screen::Widget { tx: second.clone() });
    assert!(!day.ui().contains(&UiEvent::WindowOpened(first)), "the first purchase has no window");
    assert!(day.ui().contains(&UiEvent::WindowOpened(second)));
    day.end().await;
}

/// The same, with the sessions arriving in the other order: the second tap's session comes
/// back first (Proof answered it at once), the closed window's session after it. The late one
/// must not take the screen from the purchase being paid (seen taking it, as `Transaction`,
/// in a CI run where the two answers crossed).
#[tokio::test]
async fn a_late_session_for_a_closed_window_leaves_the_next_purchase_on_screen() {
    let day = Day::begin(Os::Android).await;
    let sandbox = day.backend.sandbox().expect("sandbox");
    sandbox.set_faults(proof_sandbox::Faults { latency_ms: 800, ..Default::default() });
    let app = day.app.clone();
    let first = tokio::spawn(async move { app.start(&session(TxType::Buy, "USDT", "TRC20")).await });
    let closed = tokio::time::timeout(WITHIN, async {
        loop {
            if let Some(l) = day.phone().on_screen().into_iter().next() {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("a window at the tap");
    day.phone().finish(&closed);
    sandbox.set_faults(proof_sandbox::Faults::default());
    let second = day.app.start(&session(TxType::Buy, "USDT", "TRC20")).await.expect("the second session");
    assert_eq!(day.app.screen(), Screen::Widget { tx: second.clone() });
    let first = first.await.expect("joined").expect("the first session still comes");
    assert_eq!(day.app.screen(), Screen::Widget { tx: second.clone() }, "the purchase being paid keeps the screen");
    assert_eq!(day.phone().on_screen().len(), 1, "the second tap's window, and only it");
    assert!(!day.ui().contains(&UiEvent::WindowOpened(first)), "the first purchase has no window");
    day.end().await;
}

/// A session the backend refuses takes the window that opened at the tap away; the screen
/// stays where the user was, with the backend's sentence.
#[tokio::test]
async fn a_refused_session_takes_the_opening_window_away() {
    let day = Day::begin(Os::Ios).await;
    let refused = day.app.start(&session(TxType::Buy, "NOPE", "TRC20")).await.expect_err("no such pair");
    assert_eq!(refused.field.as_deref(), Some("currency"), "the backend's answer: {refused:?}");
    assert_eq!(day.app.window_health(), None);
    assert_eq!(day.phone().on_screen(), Vec::<String>::new(), "the opening window was taken away");
    assert_eq!(day.phone().device().dismissed.len(), 1, "one window opened at the tap and was dismissed");
    assert!(!matches!(day.app.screen(), Screen::Widget { .. }));
    day.buy().await;
    day.end().await;
}

/// Only the app's own labels are payment windows.
#[test]
fn payment_window_labels() {
    use ramp_core::app::is_payment_window;
    for yes in ["widget-1", "widget-42"] {
        assert!(is_payment_window(yes), "{yes}");
    }
    for no in ["widget-", "widget-1a", "widget", "main", "widget-x"] {
        assert!(!is_payment_window(no), "{no}");
    }
}

fn deposit_event(currency: &str, network: &str, address: &str) -> WidgetEvent {
    WidgetEvent::SellTransferEnabled {
        amount: "25".into(),
        currency: currency.into(),
        network: network.into(),
        address: address.into(),
    }
}

const TRON: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const EVM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

/// A sale's deposit is offered only once the app checked it. Attacks stopped: a page that
/// reports a malformed address, or another currency than the sale, or reports for another
/// transaction, never gets an address shown as something to send to.
#[tokio::test]
async fn a_sale_s_deposit_is_offered_only_once_checked() {
    let day = Day::begin(Os::Ios).await;
    let (tx, label) = day.sell("USDT", "TRC20").await;
    let hooks = day.phone().hooks(&label);
    let refused = |tx: &str| UiEvent::DepositRefused(tx.to_owned());

    let truncated = day.event_url(&tx, &deposit_event("USDT", "TRC20", &TRON[..TRON.len() - 1])).await;
    assert!(!hooks.navigation(&truncated), "the event URL never loads");
    eventually("a malformed address is refused", || day.ui().contains(&refused(&tx)).then_some(())).await;
    assert_eq!(day.app.deposit(&tx), None);

    let other_currency = day.event_url(&tx, &deposit_event("USDC", "TRC20", TRON)).await;
    day.phone().device().ui.clear();
    assert!(!hooks.navigation(&other_currency));
    eventually("another currency than the sale is refused", || day.ui().contains(&refused(&tx)).then_some(())).await;
    assert_eq!(day.app.deposit(&tx), None);

    let foreign = day.event_url("someone-elses-sale", &deposit_event("USDT", "TRC20", TRON)).await;
    assert!(!hooks.navigation(&foreign));
    assert_eq!(day.app.deposit("someone-elses-sale"), None);

    let good = day.event_url(&tx, &deposit_event("USDT", "TRC20", TRON)).await;
    assert!(!hooks.navigation(&good));
    let handoff = eventually("the checked deposit is offered", || day.app.deposit(&tx)).await;
    assert!(day.ui().contains(&UiEvent::Deposit(tx.clone())));
    assert_eq!((handoff.deposit.amount.as_str(), handoff.deposit.address.as_str()), ("25", TRON));
    assert_eq!(handoff.deposit.wallet_link, None, "TRON has no payment link standard");
    assert!(handoff.qr.starts_with("data:image/svg+xml;base64,"), "a QR code of the address");
    let no_link = day.app.open_in_wallet(&tx).await.expect_err("nothing to open");
    assert_eq!(no_link.code, Some("no_wallet_link"));
    let log = day.app.log().export();
    assert!(!log.contains(&TRON[..TRON.len() - 1]), "the refused address is redacted in the log");
    day.end().await;
}

/// On Ethereum the hand-off carries an EIP-681 link a wallet app opens.
#[tokio::test]
async fn an_ethereum_deposit_opens_in_a_wallet() {
    let day = Day::begin(Os::Android).await;
    let (tx, label) = day.sell("USDT", "ERC20").await;
    let good = day.event_url(&tx, &deposit_event("USDT", "ERC20", EVM)).await;
    assert!(!day.phone().hooks(&label).navigation(&good));
    let handoff = eventually("offered", || day.app.deposit(&tx)).await;
    let link = handoff.deposit.wallet_link.expect("a link");
    assert!(link.starts_with("ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1/transfer?address="), "{link}");
    day.app.open_in_wallet(&tx).await.expect("handed to a wallet app");
    assert!(day.app.log().export().contains("handed to a wallet app (ethereum:)"));
    day.end().await;
}

/// Desktop Linux: frames from any origin load in place, and the page itself is checked when
/// its response arrives: an unlisted page never replaces the host page, and goes to the browser.
/// A window the app let go of may only go blank.
#[tokio::test]
async fn linux_checks_the_page_at_its_response() {
    let day = Day::begin(Os::Linux).await;
    let (tx, label) = day.buy().await;
    let host = day.phone().url_of(&label).expect("url");
    assert!(day.phone().frame(&label, &Url::parse("https://acs.issuer.example/challenge").expect("url")));
    let elsewhere = Url::parse("https://elsewhere.example/").expect("url");
    assert!(!day.phone().navigate(&label, &elsewhere), "refused at its response");
    assert_eq!(day.phone().url_of(&label), Some(host.clone()), "the host page stays");
    assert_eq!(day.app.screen(), Screen::Widget { tx: tx.clone() });
    assert!(day.app.log().export().contains("opened outside the app: https://elsewhere.example"));
    assert!(day.phone().hooks(&label).main_frame(&host), "the host page itself");

    day.app.reopen(&tx).await.expect("reopened");
    day.loaded_window().await;
    let old = day.phone().hooks(&label);
    assert!(!old.main_frame(&host), "a replaced window shows nothing new");
    assert!(old.main_frame(&Url::parse("about:blank").expect("url")));
    day.end().await;
}

/// Desktop Linux: a hung window stays beside the app's (it covers nothing), is reported once,
/// and the watchdog stops asking it.
#[tokio::test]
async fn linux_a_stuck_window_stays_and_is_no_longer_asked() {
    let day = Day::begin(Os::Linux).await;
    let (tx, label) = day.buy().await;
    day.phone().hang(&label);
    eventually("reported", || {
        day.ui().contains(&UiEvent::WindowStuck { tx: tx.clone(), reason: "unresponsive" }).then_some(())
    })
    .await;
    assert_eq!(day.phone().on_screen(), std::slice::from_ref(&label), "still beside the app");
    let asked = day.phone().evaluations(&label);
    tokio::time::sleep(TIMING.watch_every * 5).await;
    assert_eq!(day.phone().evaluations(&label), asked, "not asked again");
    day.end().await;
}

/// A page that empties itself is reported as blank.
#[tokio::test]
async fn a_blank_page_is_reported() {
    let day = Day::begin(Os::Android).await;
    let (tx, label) = day.buy().await;
    day.phone().go_blank(&label);
    eventually("reported blank", || {
        day.ui().contains(&UiEvent::WindowStuck { tx: tx.clone(), reason: "blank" }).then_some(())
    })
    .await;
    day.end().await;
}

/// A first page that never finishes loading: the UI is told in time, once; a page that loaded
/// never is.
#[tokio::test]
async fn a_first_page_that_never_loads_is_reported() {
    let day = Day::begin(Os::Ios).await;
    let loaded = day.buy().await;
    tokio::time::sleep(TIMING.load_timeout * 2).await;
    assert!(!day.ui().contains(&UiEvent::WindowTimeout(loaded.0.clone())), "not for a page that loaded");
    day.phone().device().never_loads = true;
    let tx = day.app.start(&session(TxType::Buy, "USDT", "TRC20")).await.expect("opened");
    eventually("the timeout", || day.ui().contains(&UiEvent::WindowTimeout(tx.clone())).then_some(())).await;
    assert!(!day.ui().contains(&UiEvent::WindowTimeout(loaded.0)), "not for a page that loaded");
    day.end().await;
}

/// Android finishing the payment activity by itself (back on a page that could not ask):
/// the transaction's screen shows, with Continue, and nothing is left on record.
#[tokio::test]
async fn android_a_payment_activity_the_system_finished_shows_the_transaction() {
    let day = Day::begin(Os::Android).await;
    let (tx, label) = day.buy().await;
    day.phone().finish(&label);
    assert_eq!(day.app.screen(), Screen::Transaction { tx });
    assert_eq!(day.app.window_health(), None);
    day.end().await;
}

/// Desktop Linux: the window's close button makes the app ask whether to leave, and its web
/// process dying is reported at once; a replaced window's close button asks nothing.
#[tokio::test]
async fn linux_the_close_button_asks_and_a_dead_process_is_reported() {
    let day = Day::begin(Os::Linux).await;
    let (tx, label) = day.buy().await;
    let hooks = day.phone().hooks(&label);
    hooks.close_requested();
    assert!(day.ui().contains(&UiEvent::CloseRequested), "the leave question");
    hooks.process_gone();
    assert!(day.ui().contains(&UiEvent::WindowStuck { tx: tx.clone(), reason: "crashed" }));

    day.app.reopen(&tx).await.expect("reopened");
    day.loaded_window().await;
    day.phone().device().ui.clear();
    hooks.close_requested();
    assert!(!day.ui().contains(&UiEvent::CloseRequested), "not for a replaced window");
    day.end().await;
}
