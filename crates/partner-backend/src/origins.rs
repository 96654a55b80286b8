//! The widget's origin policy, built once from the configuration and used by everything that
//! needs it: the host page's Content-Security-Policy and Permissions-Policy, and the navigation
//! allowlist the app gets in `/v1/config`.
//!
//! Every source is an explicit origin: this backend's, the widget script's (plus its `wss:`
//! twin for sockets) and `RAMP_WIDGET_FRAME_ORIGINS` (verification and payment frames, and any
//! other host the widget talks to). No `https:` wildcard: a script foothold cannot send the
//! session's `init_token` or `signature` to a host of its choosing. Frames nested inside an
//! allowed frame (a card issuer's 3-D Secure page inside the payment provider's frame) are
//! governed by that frame, not by this page.

use url::Url;

/// Origins the widget may use, and the headers derived from them.
#[derive(Clone, Debug)]
pub(crate) struct WidgetOrigins {
    navigation: Vec<String>,
    csp: String,
    permissions: String,
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// The `wss:`/`ws:` origin of an `https:`/`http:` one, for WebSocket sources.
fn socket_twin(origin: &str) -> Option<String> {
    origin
        .strip_prefix("https://")
        .map(|rest| format!("wss://{rest}"))
        .or_else(|| origin.strip_prefix("http://").map(|rest| format!("ws://{rest}")))
}

impl WidgetOrigins {
    pub(crate) fn new(public_base: &Url, widget_script: &Url, frame_origins: &[String]) -> Self {
        let own = origin(public_base);
        let widget = origin(widget_script);
        let mut remote: Vec<String> = std::iter::once(widget.clone()).chain(frame_origins.iter().cloned()).collect();
        remote.dedup();
        let sockets: Vec<String> = remote.iter().filter_map(|o| socket_twin(o)).collect();
        let remote_list = remote.join(" ");
        let csp = format!(
            "default-src 'none'; script-src 'self' {widget}; style-src 'self' 'unsafe-inline' {widget}; \
             img-src 'self' data: blob: {remote_list}; font-src 'self' data: {remote_list}; \
             connect-src 'self' {remote_list} {sockets}; frame-src {remote_list}; \
             media-src 'self' blob: mediastream:; worker-src blob:; form-action {remote_list}; \
             frame-ancestors 'none'; base-uri 'none'",
            sockets = sockets.join(" ")
        );
        let allowed: Vec<String> =
            std::iter::once("self".to_owned()).chain(remote.iter().map(|o| format!("\"{o}\""))).collect();
        let allowed = allowed.join(" ");
        let permissions = format!(
            "camera=({allowed}), microphone=({allowed}), payment=({allowed}), fullscreen=({allowed}), \
             geolocation=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), display-capture=()"
        );
        let mut navigation = vec![own];
        navigation.extend(remote);
        navigation.dedup();
        Self { navigation, csp, permissions }
    }

    /// Origins the app's widget webview may navigate to.
    pub(crate) fn navigation_allowlist(&self) -> Vec<String> {
        self.navigation.clone()
    }

    /// The widget page's Content-Security-Policy.
    pub(crate) fn csp(&self) -> &str {
        &self.csp
    }

    /// The widget page's Permissions-Policy: camera, microphone and payment only for this page
    /// and the widget's and frames' origins.
    pub(crate) fn permissions(&self) -> &str {
        &self.permissions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> WidgetOrigins {
        let base = Url::parse("https://ramp.partner.example/").expect("url");
        let script = Url::parse("https://widget.proof.example/widget.2.0.js").expect("url");
        WidgetOrigins::new(&base, &script, &["https://api.sumsub.com".into(), "https://pay.example".into()])
    }

    #[test]
    fn every_source_is_an_explicit_origin() {
        let o = origins();
        for directive in o.csp().split(';') {
            for source in directive.split_whitespace().skip(1) {
                assert!(
                    source.starts_with('\'')
                        || source.contains("://")
                        || ["data:", "blob:", "mediastream:"].contains(&source),
                    "{directive}: {source} is a wildcard"
                );
            }
        }
        assert!(o.csp().contains("connect-src 'self' https://widget.proof.example https://api.sumsub.com https://pay.example wss://widget.proof.example"));
        assert!(
            o.permissions().starts_with("camera=(self \"https://widget.proof.example\" \"https://api.sumsub.com\"")
        );
        assert_eq!(
            o.navigation_allowlist(),
            [
                "https://ramp.partner.example",
                "https://widget.proof.example",
                "https://api.sumsub.com",
                "https://pay.example"
            ]
        );
    }
}
