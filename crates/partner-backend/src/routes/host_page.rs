//! The host page: the widget runs here, on the backend's own origin, in a page that has nothing
//! to do with the app's privileged UI and no IPC.
//!
//! `GET /w/{link}` opens a single-use link: the first open renders the page with the Proof
//! session and the widget script; any later open, or one after expiry, renders a page with a way
//! back to the app. A link the app chose and opened before its session exists
//! ([`ramp_api::link`]) is held until the session is recorded, with the opening message shown. The page reports widget callbacks by navigating to the widget event URL
//! (`ramp_api::WidgetEventUrl`), which answers `204` so a browser that does not intercept it stays
//! on the page.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::StreamExt;
use ramp_api::i18n::Lang;
use ramp_api::{WidgetEvent, WidgetEventUrl, WidgetMode};
use serde_json::json;
use url::Url;

use crate::clock::now_unix;
use crate::i18n::text;
use crate::secret::secret_hash;
use crate::state::AppState;
use crate::store::LinkOpen;

const HOST_JS: &str = include_str!("../../assets/host.js");
const HOST_CSS: &str = include_str!("../../assets/host.css");

/// The page's language: the link's `lang` (the app adds the user's), else `Accept-Language`.
fn page_lang(q: &std::collections::HashMap<String, String>, headers: &HeaderMap) -> Lang {
    q.get("lang").and_then(|t| Lang::from_tag(t)).unwrap_or_else(|| crate::i18n::request_lang(headers))
}

/// `GET /w/{link}`; with `?wait=1` ([`ramp_api::link`]) a well-formed link not recorded yet is
/// held: the opening message goes out at once, and the rest of the page once the link is there.
pub(crate) async fn host_page(
    State(s): State<AppState>,
    Path(link): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let lang = page_lang(&q, &headers);
    let hash = secret_hash(&link);
    let opened = if link.len() > 128 { Ok(LinkOpen::Unknown) } else { s.store.open_link(&hash, now_unix()).await };
    // Holding costs a lookup every `link_poll`: each held page counts against its address's
    // request rate (`API_RATE_PER_IP_PER_MINUTE`); past it the page is answered at once.
    let waits = q.contains_key(ramp_api::link::WAIT_PARAM)
        && ramp_api::link::is_token(&link)
        && matches!(opened, Ok(LinkOpen::Unknown))
        && s.limits.ip_request(crate::client_ip::client_ip(peer, &headers, &s.config.trusted_proxies)).is_ok();
    if !waits {
        let page = page_body(&s, lang, opened);
        let html = format!("{}{}{END}", head(&s, lang, &page.title), page.body);
        return (page.status, security_headers(&s, page.widget), Html(html)).into_response();
    }
    // Held: the headers are the widget page's, as the page may become it.
    let mut h = security_headers(&s, true);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let start = format!(
        "{}{}",
        head(&s, lang, &text(lang, "host.title", &[])),
        message(lang, "host-opening", "page.opening", None)
    );
    let rest = async move {
        let opened = wait_for_link(&s, &hash).await;
        Ok::<_, std::convert::Infallible>(format!("{}{END}", page_body(&s, lang, opened).body))
    };
    let chunks = futures_util::stream::once(std::future::ready(Ok(start))).chain(futures_util::stream::once(rest));
    (StatusCode::OK, h, axum::body::Body::from_stream(chunks)).into_response()
}

/// Open link `hash` once it is recorded: woken when this instance records a link, or another
/// announces one ([`crate::store::Notice::LinkAdded`]); looked up every `link_poll` besides, in
/// case a notice was missed; given up after `link_wait`.
async fn wait_for_link(s: &AppState, hash: &str) -> Result<LinkOpen, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + s.config.link_wait;
    loop {
        let added = s.relay.links_added.notified();
        tokio::pin!(added);
        added.as_mut().enable();
        let opened = s.store.open_link(hash, now_unix()).await?;
        if !matches!(opened, LinkOpen::Unknown) || tokio::time::Instant::now() >= deadline {
            return Ok(opened);
        }
        tokio::select! {
            () = added => {}
            () = tokio::time::sleep(s.config.link_poll) => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// A page's part after `<body>`, for what opening its link found.
struct Page {
    status: StatusCode,
    /// The widget runs in it (its headers let the widget's origins in).
    widget: bool,
    title: String,
    body: String,
}

fn page_body(s: &AppState, lang: Lang, opened: Result<LinkOpen, sqlx::Error>) -> Page {
    let t = |key: &str| escape_attr(&text(lang, key, &[]));
    let (status, reason) = match opened {
        Ok(LinkOpen::Fresh { tx_id, session_json }) => {
            tracing::info!(tx_id = %tx_id, "widget link opened");
            // Browser mode: the leaving events (payment finished, close) open the app's return
            // link, which brings the app back to the front; the others still go to the event URL.
            let return_link = (s.config.widget_mode == WidgetMode::Browser)
                .then(|| Url::parse(&s.config.app_return_url).ok())
                .flatten()
                .map(WidgetEventUrl::exact);
            let leave = return_link.as_ref().unwrap_or(&s.events);
            let config = json!({
                "event_url": s.events.endpoint().as_str(),
                "tx": tx_id,
                "return_url": return_link.as_ref().map(|r| r.endpoint().as_str()),
            });
            let body = format!(
                include_str!("../../assets/host.html"),
                session = script_json(&session_json),
                config = script_json(&config.to_string()),
                widget_script = escape_attr(s.widget_script.as_str()),
                close_url = escape_attr(leave.build(&tx_id, &WidgetEvent::Close { reason: "user".into() }).as_str()),
                t_title = t("host.title"),
                t_back = t("host.back"),
                t_close = t("host.close"),
                t_widget_label = t("host.widget_label"),
                t_sent = t("host.sent"),
                t_return = t("host.return"),
                t_leave_title = t("host.leave_title"),
                t_leave_text = t("host.leave_text"),
                t_stay = t("host.stay"),
                t_leave = t("host.leave"),
                t_incomplete = t("host.incomplete"),
                t_load_failed = t("host.load_failed"),
            );
            return Page { status: StatusCode::OK, widget: true, title: text(lang, "host.title", &[]), body };
        }
        Ok(LinkOpen::Used) => (StatusCode::GONE, "used"),
        Ok(LinkOpen::Expired) => (StatusCode::GONE, "expired"),
        Ok(LinkOpen::Unknown) => (StatusCode::NOT_FOUND, "invalid"),
        Err(e) => {
            tracing::error!("opening a widget link: database: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "error")
        }
    };
    let page = format!("page.{reason}");
    // A dead link's page leads back to the app; a failed database read asks to try again.
    let back = (status != StatusCode::SERVICE_UNAVAILABLE).then(|| {
        tracing::info!(reason, "dead widget link opened");
        s.events.build("-", &WidgetEvent::Close { reason: reason.into() })
    });
    Page {
        status,
        widget: false,
        title: text(lang, &format!("{page}_title"), &[]),
        body: message(lang, "host", &page, back.as_ref().map(Url::as_str)),
    }
}

/// `GET /w/host.js` and `GET /w/host.css`.
pub(crate) async fn host_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], HOST_JS)
}

pub(crate) async fn host_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], HOST_CSS)
}

/// `GET /app/widget-event`: the app intercepts these; a browser that does not gets `204` (and
/// stays on the widget), except for `close`, which shows a page pointing back to the app.
pub(crate) async fn widget_event(
    State(s): State<AppState>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if q.get("event").map(String::as_str) != Some("close") {
        return StatusCode::NO_CONTENT.into_response();
    }
    let page = message_page(&s, page_lang(&q, &headers), "page.return", None);
    (StatusCode::OK, security_headers(&s, false), Html(page)).into_response()
}

/// The path of an https return link on this backend (App Links and Universal Links), if that is
/// the configured return link.
fn https_return_path(s: &AppState) -> Option<String> {
    Url::parse(&s.config.app_return_url).ok().filter(|u| u.scheme() == "https").map(|u| u.path().to_owned())
}

/// Every request no route takes: a `GET` of the https return link's path shows "You can return
/// to the app" (the phone loaded the link in the browser instead of handing it to the app: not
/// verified yet, or a browser that keeps it); anything else is `404`.
pub(crate) async fn return_link_page(
    State(s): State<AppState>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    if method != axum::http::Method::GET || https_return_path(&s).as_deref() != Some(uri.path()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let q = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect();
    let mut h = security_headers(&s, false);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (StatusCode::OK, h, Html(message_page(&s, page_lang(&q, &headers), "page.return", None))).into_response()
}

/// CSP and Permissions-Policy: the widget page's come from [`crate::origins::WidgetOrigins`]
/// (explicit origins only); every other page gets nothing at all.
fn security_headers(s: &AppState, widget: bool) -> HeaderMap {
    let (csp, policy) = if widget {
        (s.origins.csp(), s.origins.permissions())
    } else {
        (
            "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "camera=(), microphone=(), payment=(), geolocation=()",
        )
    };
    let mut h = HeaderMap::new();
    let mut put = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    put(header::CONTENT_SECURITY_POLICY, csp);
    put(HeaderName::from_static("permissions-policy"), policy);
    put(header::CACHE_CONTROL, "no-store");
    put(header::REFERRER_POLICY, "no-referrer");
    put(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    h
}

/// JSON safe inside `<script type="application/json">`.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// What closes every page.
const END: &str = "</body>\n</html>\n";

/// A page's start, up to and with `<body>`.
fn head(s: &AppState, lang: Lang, title: &str) -> String {
    let css = s.public_base.join("w/host.css").map(|u| u.to_string()).unwrap_or_default();
    format!(
        include_str!("../../assets/head.html"),
        title = escape_attr(title),
        css = escape_attr(&css),
        lang = lang.tag(),
        dir = if lang.is_rtl() { "rtl" } else { "ltr" },
    )
}

/// A message with a title (`<page>_title`), a sentence (`<page>_text`) and maybe a way back;
/// its heading's id is `<id>-title`.
fn message(lang: Lang, id: &str, page: &str, back: Option<&str>) -> String {
    let button = back
        .map(|b| {
            format!(
                r#"<a class="button" id="host-back" href="{}">{}</a>"#,
                escape_attr(b),
                escape_attr(&text(lang, "page.back", &[]))
            )
        })
        .unwrap_or_default();
    format!(
        include_str!("../../assets/message.html"),
        id = id,
        title = escape_attr(&text(lang, &format!("{page}_title"), &[])),
        text = escape_attr(&text(lang, &format!("{page}_text"), &[])),
        button = button,
    )
}

/// A whole message page.
fn message_page(s: &AppState, lang: Lang, page: &str, back: Option<&str>) -> String {
    format!("{}{}{END}", head(s, lang, &text(lang, &format!("{page}_title"), &[])), message(lang, "host", page, back))
}
