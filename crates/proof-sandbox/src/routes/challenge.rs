//! A stand-in card check (sandbox only, not part of Proof's API): what a payment provider's
//! frame does when the card issuer asks for 3-D Secure. The provider's page (on the sandbox's
//! origin, which the host page lets frame) posts a form into a frame of the issuer's page, which
//! may be on any origin (tests use a second loopback origin nobody listed); the issuer's page
//! tells the page above it that it loaded.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use url::Url;

/// Where the issuer's page is on any origin.
pub(crate) const ISSUER_PATH: &str = "/_sandbox/3ds/issuer";

/// The provider page's query.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ProviderQuery {
    /// The issuer page to post to: `http(s)://<any host>/_sandbox/3ds/issuer`.
    issuer: String,
}

/// `GET /_sandbox/3ds/provider?issuer=…`: the provider's frame, which posts the card check into
/// a frame of the issuer's page and passes the issuer's message up.
pub(crate) async fn provider(Query(q): Query<ProviderQuery>) -> Response {
    match provider_page(&q.issuer) {
        Ok(page) => Html(page).into_response(),
        Err(why) => (StatusCode::BAD_REQUEST, why).into_response(),
    }
}

fn provider_page(issuer: &str) -> Result<String, String> {
    let issuer = match Url::parse(issuer) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.path() == ISSUER_PATH && u.query().is_none() => u,
        _ => return Err(format!("`issuer` must be an http(s) address ending in {ISSUER_PATH}")),
    };
    let action = issuer.as_str().replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    Ok(format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Card check</title>\
         <p>Your card issuer checks this payment.</p>\
         <form id=\"check\" method=\"post\" action=\"{action}\" target=\"issuer\">\
         <input type=\"hidden\" name=\"PaReq\" value=\"sandbox\"></form>\
         <iframe name=\"issuer\" title=\"Card issuer\" style=\"width:100%;height:240px;border:0\"></iframe>\
         <script>addEventListener('message', function (e) {{ if (e.data && e.data.proofSandbox3ds) parent.postMessage(e.data, '*'); }});\
         document.getElementById('check').submit();</script></html>"
    ))
}

/// `POST /_sandbox/3ds/issuer`: the issuer's challenge page; says it loaded, with its origin.
pub(crate) async fn issuer() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Issuer check</title>\
         <p id=\"issuer\">Your bank checks this payment (sandbox).</p>\
         <script>parent.postMessage({ proofSandbox3ds: 'issuer-loaded', origin: location.origin }, '*');</script></html>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_posts_only_to_an_issuer_page() {
        let page = provider_page("http://localhost:9/_sandbox/3ds/issuer").expect("an issuer page");
        assert!(page.contains("action=\"http://localhost:9/_sandbox/3ds/issuer\""), "{page}");
        for bad in [
            "javascript:alert(1)//_sandbox/3ds/issuer",
            "http://localhost:9/elsewhere",
            "http://localhost:9/_sandbox/3ds/issuer?x=\"><script>",
            "not a url",
        ] {
            assert!(provider_page(bad).is_err(), "{bad}");
        }
    }
}
