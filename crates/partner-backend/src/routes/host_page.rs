//! The host page: the widget runs here, on the backend's own origin, in a page that has nothing
//! to do with the app's privileged UI and no IPC.
//!
//! `GET /w/{link}` opens a single-use link: the first open renders the page with the Proof
//! session and the widget script; any later open, or one after expiry, renders a page with a way
//! back to the app. The page reports widget callbacks by navigating to the widget event URL
//! (`ramp_api::WidgetEventUrl`), which answers `204` so a browser that does not intercept it stays
//! on the page.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
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

/// `GET /w/{link}`.
pub(crate) async fn host_page(
    State(s): State<AppState>,
    Path(link): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lang = page_lang(&q, &headers);
    let t = |key: &str| escape_attr(&text(lang, key, &[]));
    let opened =
        if link.len() > 128 { Ok(LinkOpen::Unknown) } else { s.store.open_link(&secret_hash(&link), now_unix()).await };
    match opened {
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
            let page = format!(
                include_str!("../../assets/host.html"),
                session = script_json(&session_json),
                config = script_json(&config.to_string()),
                widget_script = escape_attr(s.widget_script.as_str()),
                close_url = escape_attr(leave.build(&tx_id, &WidgetEvent::Close { reason: "user".into() }).as_str()),
                lang = lang.tag(),
                dir = if lang.is_rtl() { "rtl" } else { "ltr" },
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
            (StatusCode::OK, security_headers(&s, true), Html(page)).into_response()
        }
        Ok(other) => {
            let (status, reason) = match other {
                LinkOpen::Used => (StatusCode::GONE, "used"),
                LinkOpen::Expired => (StatusCode::GONE, "expired"),
                _ => (StatusCode::NOT_FOUND, "invalid"),
            };
            tracing::info!(reason, "dead widget link opened");
            let back = s.events.build("-", &WidgetEvent::Close { reason: reason.into() });
            let page = message_page(&s, lang, &format!("page.{reason}"), Some(back.as_str()));
            (status, security_headers(&s, false), Html(page)).into_response()
        }
        Err(e) => {
            tracing::error!("opening a widget link: database: {e}");
            let page = message_page(&s, lang, "page.error", None);
            (StatusCode::SERVICE_UNAVAILABLE, security_headers(&s, false), Html(page)).into_response()
        }
    }
}

/// `GET /w/opening` ([`ramp_api::OPENING_PATH`]): what the payment window shows from the tap
/// until the app replaces it with the host page link. No script, nothing to send anywhere.
pub(crate) async fn opening(
    State(s): State<AppState>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let page = message_page(&s, page_lang(&q, &headers), "page.opening", None);
    (StatusCode::OK, security_headers(&s, false), Html(page)).into_response()
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

/// A page with a title (`<page>_title`), a sentence (`<page>_text`) and maybe a way back.
fn message_page(s: &AppState, lang: Lang, page: &str, back: Option<&str>) -> String {
    let css = s.public_base.join("w/host.css").map(|u| u.to_string()).unwrap_or_default();
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
        title = escape_attr(&text(lang, &format!("{page}_title"), &[])),
        text = escape_attr(&text(lang, &format!("{page}_text"), &[])),
        button = button,
        css = escape_attr(&css),
        lang = lang.tag(),
        dir = if lang.is_rtl() { "rtl" } else { "ltr" },
    )
}
