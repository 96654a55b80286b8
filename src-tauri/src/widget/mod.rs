//! The widget's webview: its own window, matched by no capability (so no command works there),
//! the only webview allowed the camera, pinned to the backend's navigation allowlist.
//!
//! Navigations to the widget event URL are cancelled here and turned into app state; links
//! outside the allowlist open in the system browser. A first-load timeout and close requests are
//! reported to the main window, which asks the user.
//!
//! How the widget is presented differs per platform, behind one seam ([`desktop`], [`android`],
//! [`ios`]: `configure` a new window, `dismiss` it, whether a webview is available, and which
//! browser browser mode uses). docs/mobile.md cites the upstream code each one relies on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ramp_api::WidgetEvent;
use ramp_core::flow::{Action, Screen};
use ramp_core::nav::NavDecision;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_opener::OpenerExt;
use url::Url;

use crate::camera::{self, WIDGET};
use crate::error::{Result, UiError};
use crate::state::{Core, WidgetHealth, dispatch, short};

#[cfg(target_os = "android")]
mod android;
#[cfg(desktop)]
mod desktop;
#[cfg(target_os = "ios")]
mod ios;
#[cfg(target_os = "android")]
use android as present;
#[cfg(desktop)]
use desktop as present;
#[cfg(target_os = "ios")]
use ios as present;

/// Whether this platform can show the widget in a webview (Android needs the widget's activity
/// in the generated project; without it the widget opens in the in-app browser).
pub(crate) const WEBVIEW_AVAILABLE: bool = present::WEBVIEW_AVAILABLE;

/// How long the first page load may take before the UI offers a retry.
const LOAD_TIMEOUT: Duration = Duration::from_secs(25);

/// How long a previous widget window may take to go before a new one opens (an Android
/// activity is gone only when the system has destroyed it).
const PREVIOUS_GONE: Duration = Duration::from_secs(3);

/// The watchdog asks the loaded page for a trivial answer this often...
const WATCH_EVERY: Duration = Duration::from_secs(2);
/// ...waits this long for it...
const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// ...and calls the page stuck after this many silent (or blank) answers in a row: noticed
/// within about ten seconds.
const STRIKES: u32 = 2;

/// What the watchdog asks: whether the page has a body with something in it.
const HEALTH: &str = "(function () { var b = document.body; \
    var n = b ? b.innerText.trim().length + b.querySelectorAll('iframe,img,canvas,video,input,button,svg').length : 0; \
    return n > 0 ? 'content' : 'empty'; })()";

/// Window numbers, so a late event of a replaced window touches nothing.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Open `url` (a single-use host-page link) for transaction `tx` in the widget window.
pub(crate) async fn open<R: Runtime>(app: &AppHandle<R>, url: &str, tx: &str) -> Result<()> {
    let core = app.state::<Core>();
    let url = localized(core.client.widget_link(url)?, &core);
    let policy = core
        .nav_policy()
        .ok_or_else(|| UiError::app("no_config", "The app has no configuration yet; go back and try again."))?;
    // The new window's number is taken before the old window goes, so the old one's late
    // `Destroyed` sees it was replaced (a reopen keeps the same transaction).
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst);
    core.set_widget(Some(WidgetHealth { generation, tx: tx.to_owned(), loaded: false, stuck: None }));
    if let Some(old) = app.get_webview_window(WIDGET) {
        present::dismiss(app, &old);
        // The new window takes the same label, which is free only once the old one is gone.
        let deadline = tokio::time::Instant::now() + PREVIOUS_GONE;
        while app.get_webview_window(WIDGET).is_some() {
            if tokio::time::Instant::now() >= deadline {
                return Err(UiError::app(
                    "previous_closing",
                    "The previous payment page is still closing. Try again in a moment.",
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let nav_app = app.clone();
    let loaded = Arc::new(AtomicBool::new(false));
    let loaded_flag = loaded.clone();
    let load_app = app.clone();
    // On every platform this handler also sees frame navigations (see docs/mobile.md): the
    // allowlist holds every frame origin the host page's CSP allows, so those load in place.
    let builder = present::configure(WebviewWindowBuilder::new(app, WIDGET, WebviewUrl::External(url)))
        .title("Proof Ramp — buy and sell")
        .on_navigation(move |url| match policy.decide(url) {
            NavDecision::Allow => true,
            NavDecision::Event(event) => {
                handle_event(&nav_app, event);
                false
            }
            NavDecision::OpenExternally => {
                let core = nav_app.state::<Core>();
                core.log.push("widget", format!("opened outside the app: {}", url.origin().ascii_serialization()));
                if cfg!(feature = "e2e") {
                    // Test builds never launch a browser on the test machine.
                    return false;
                }
                // On phones the opener waits for its plugin's answer from the UI thread this
                // handler runs on: never call it here.
                let app = nav_app.clone();
                let target = url.to_string();
                tauri::async_runtime::spawn_blocking(move || {
                    if let Err(e) = app.opener().open_url(target, None::<&str>) {
                        app.state::<Core>().log.push("error", format!("could not open the browser: {e}"));
                    }
                });
                false
            }
            NavDecision::Block => {
                nav_app.state::<Core>().log.push("widget", format!("blocked a {}: link", url.scheme()));
                false
            }
        })
        .on_permission_request(|webview, kind| camera::decide(webview.label(), &kind))
        .on_page_load(move |_, payload| {
            if payload.event() == PageLoadEvent::Finished && !loaded_flag.swap(true, Ordering::SeqCst) {
                load_app.state::<Core>().update_widget(generation, |h| h.loaded = true);
                let _ = load_app.emit_to("main", "widget-loaded", ());
            }
        });
    let window = builder.build()?;
    crate::platform::prepare_webview(&window, true);
    let _ = app.emit_to("main", "widget-opened", tx);
    let gone_app = app.clone();
    crate::platform::on_process_gone(&window, move || stuck(&gone_app, generation, "crashed"));
    watch(app.clone(), generation);

    let close_app = app.clone();
    let window_tx = tx.to_owned();
    window.on_window_event(move |event| match event {
        WindowEvent::CloseRequested { api, .. } => {
            // Leaving a payment half-way deserves a question; the main window asks it.
            api.prevent_close();
            let _ = close_app.emit_to("main", "widget-close-requested", ());
            if let Some(main) = close_app.get_webview_window("main") {
                let _ = main.set_focus();
            }
        }
        // Gone without the app closing it (Android: back on a page that could not ask, or the
        // system finished the activity): show the transaction's status. Only while the app still
        // shows this window's transaction: an old window going late must not close a new one.
        WindowEvent::Destroyed => {
            let core = close_app.state::<Core>();
            let current = core.widget_health().is_some_and(|h| h.generation == generation);
            let showing = matches!(core.screen(), Screen::Widget { ref tx } if *tx == window_tx);
            if showing && current {
                dispatch(&close_app, Action::WidgetClosed);
            }
        }
        _ => {}
    });

    let timeout_app = app.clone();
    let tx = tx.to_owned();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(LOAD_TIMEOUT).await;
        if !loaded.load(Ordering::SeqCst) && timeout_app.get_webview_window(WIDGET).is_some() {
            timeout_app.state::<Core>().log.push("error", format!("widget for {} did not load in time", short(&tx)));
            let _ = timeout_app.emit_to("main", "widget-timeout", &tx);
        }
    });
    Ok(())
}

/// The widget link with the user's language, so the host page speaks it.
fn localized(mut url: Url, core: &Core) -> Url {
    url.query_pairs_mut().append_pair("lang", core.lang().tag());
    url
}

/// The payment window's web process ended (iOS and macOS report it for every webview; Linux
/// per webview, in [`open`]).
#[cfg(any(target_os = "macos", target_os = "ios"))]
pub(crate) fn crashed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(h) = app.state::<Core>().widget_health() {
        stuck(app, h.generation, "crashed");
    }
}

/// The payment window `generation` stopped working: tell the user once, with the reason.
fn stuck<R: Runtime>(app: &AppHandle<R>, generation: u64, reason: &'static str) {
    let core = app.state::<Core>();
    let mut first = false;
    let mut tx = String::new();
    core.update_widget(generation, |h| {
        if h.stuck.is_none() {
            h.stuck = Some(reason);
            first = true;
            tx.clone_from(&h.tx);
        }
    });
    if first {
        core.log.push("error", format!("payment window for {} stopped working: {reason}", short(&tx)));
        let _ = app.emit_to("main", "widget-stuck", serde_json::json!({ "tx": tx, "reason": reason }));
    }
}

/// Once the page has loaded, ask it for a trivial answer every [`WATCH_EVERY`]; silence or an
/// empty page [`STRIKES`] times in a row means it hangs or went blank. Ends with its window.
fn watch<R: Runtime>(app: AppHandle<R>, generation: u64) {
    tauri::async_runtime::spawn(async move {
        let (mut silent, mut blank) = (0, 0);
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            let Some(health) = app.state::<Core>().widget_health().filter(|h| h.generation == generation) else {
                break;
            };
            if health.stuck.is_some() {
                break;
            }
            let Some(w) = app.get_webview_window(WIDGET) else { break };
            if !health.loaded {
                continue; // the load timeout covers a first page that never comes
            }
            match crate::page::eval_value(&w, HEALTH, ANSWER_WITHIN).await.as_deref() {
                None => (silent, blank) = (silent + 1, 0),
                Some("empty") => (silent, blank) = (0, blank + 1),
                Some(_) => (silent, blank) = (0, 0),
            }
            if silent >= STRIKES {
                stuck(&app, generation, "unresponsive");
            } else if blank >= STRIKES {
                stuck(&app, generation, "blank");
            }
        }
    });
}

/// Browser mode: the host page opens in the in-app browser on phones (Custom Tabs,
/// `SFSafariViewController`), the system browser on desktop; Google Pay and Apple Pay work there
/// as in any browser. The app keeps following the status over the backend's stream; the host
/// page's return button, which the user taps, brings the app back.
pub(crate) async fn open_in_browser<R: Runtime>(app: &AppHandle<R>, url: &str, tx: &str) -> Result<()> {
    let core = app.state::<Core>();
    let url = localized(core.client.widget_link(url)?, &core);
    core.log.push("widget", format!("{} opened in the browser", short(tx)));
    if cfg!(feature = "e2e") {
        // Test builds never launch a browser on the test machine.
        return Ok(());
    }
    // The opener waits for its plugin's answer on phones: off the async workers.
    let opener = app.clone();
    let opened = tauri::async_runtime::spawn_blocking(move || opener.opener().open_url(url, present::BROWSER)).await;
    match opened {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(UiError::app(
            "browser_failed",
            format!("The browser could not be opened ({e}). Try again, or switch browser mode off."),
        )),
        Err(_) => Err(UiError::app("browser_failed", "The browser could not be opened. Try again.")),
    }
}

/// A link that opened the app (browser mode's return link, also the one that started it): for
/// the open transaction, the same handling as an intercepted widget event; with nothing open,
/// that transaction's status; anything else is logged and ignored.
#[cfg_attr(not(mobile), allow(dead_code))]
pub(crate) fn returned<R: Runtime>(app: &AppHandle<R>, url: &Url) {
    use ramp_core::nav::ReturnLink;
    let core = app.state::<Core>();
    let open = match core.screen() {
        Screen::Widget { tx } => Some(tx),
        _ => None,
    };
    let Some(policy) = core.nav_policy() else {
        // Not signed in yet (the link started the app): read it after the sign-in.
        core.log.push("app", "a link opened the app before sign-in; it is read after sign-in");
        core.keep_pending_link(url.clone());
        return;
    };
    match policy.classify_return(url, open.as_deref()) {
        ReturnLink::Event(tx, event) => handle_event(app, Ok((tx, event))),
        ReturnLink::Show(tx) => {
            core.log.push("app", format!("return link for {}: showing its status", short(&tx)));
            dispatch(app, Action::Open(tx));
        }
        ReturnLink::OtherTransaction { link } => {
            core.log.push("app", format!("ignored a return link for {}: another transaction is open", short(&link)));
        }
        ReturnLink::Malformed(why) => core.log.push("app", format!("ignored a malformed return link: {why}")),
        ReturnLink::NotOurs => core.log.push("app", format!("ignored a link that opened the app: {}:", url.scheme())),
    }
}

/// A widget event from an intercepted navigation.
fn handle_event<R: Runtime>(app: &AppHandle<R>, event: std::result::Result<(String, WidgetEvent), String>) {
    let core = app.state::<Core>();
    let (tx, event) = match event {
        Ok(e) => e,
        Err(why) => {
            core.log.push("widget", format!("ignored a malformed widget event: {why}"));
            return;
        }
    };
    core.log.push("widget", describe(&tx, &event));
    let _ = app.emit_to("main", "widget-event", serde_json::json!({ "tx": tx, "event": describe(&tx, &event) }));
    let leaves = matches!(event, WidgetEvent::PaymentFinished { .. } | WidgetEvent::Close { .. });
    dispatch(app, Action::Widget(event));
    if leaves {
        destroy(app);
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

/// What a back press did while the widget was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetBack {
    /// The widget went one page back in its own history.
    SteppedBack,
    /// The widget was on its first page: the main window asks whether to leave the payment.
    AskedToClose,
    /// No widget is open; the UI handles back itself.
    NoWidget,
}

/// Back inside the widget: `history.back()` when the widget has somewhere to go back to,
/// otherwise the close question. The webview has no history API in Tauri, so the page is asked,
/// and whether its address changed afterwards tells whether back did anything (`history.length`
/// also counts pages ahead of the current one).
pub(crate) async fn back<R: Runtime>(app: &AppHandle<R>) -> Result<WidgetBack> {
    let Some(w) = app.get_webview_window(WIDGET) else { return Ok(WidgetBack::NoWidget) };
    // `navigation.canGoBack` where the engine has it (Android WebView), else the history length.
    const STEP: &str = "(function () { \
        var can = (window.navigation && typeof navigation.canGoBack === 'boolean') ? navigation.canGoBack : history.length > 1; \
        if (can) { history.back(); } return can; })()";
    let wait = Duration::from_secs(2);
    let before = crate::page::eval_value(&w, "location.href", wait).await;
    // A page that does not answer (still loading, hung) gets the close question.
    let mut stepped = crate::page::eval_value(&w, STEP, wait).await.as_deref() == Some("true");
    if stepped {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let after = crate::page::eval_value(&w, "location.href", wait).await;
        // No answer means the previous page is loading: back did something.
        stepped = after.is_none() || after != before;
    }
    if stepped {
        app.state::<Core>().log.push("widget", "back: one page back inside the widget");
        return Ok(WidgetBack::SteppedBack);
    }
    let _ = app.emit_to("main", "widget-close-requested", ());
    Ok(WidgetBack::AskedToClose)
}

/// Close the widget window without asking (after the user confirmed, or when done), the way
/// its platform needs.
pub(crate) fn destroy<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(WIDGET) {
        present::dismiss(app, &w);
    }
}

/// A terminal status arrived: if the widget still shows that transaction, close it.
pub(crate) fn close_if_showing<R: Runtime>(app: &AppHandle<R>, tx: &str) {
    let showing = matches!(app.state::<Core>().screen(), Screen::Widget { tx: ref t } if t == tx);
    if showing {
        destroy(app);
        dispatch(app, Action::WidgetClosed);
    }
}
