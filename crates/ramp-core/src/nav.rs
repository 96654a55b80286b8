//! Where the widget webview may go. Every navigation (on iOS, subframes too) is decided here:
//! the widget event URL is intercepted; allowlisted origins load; other web links open in the
//! system browser; anything else is blocked.

use ramp_api::{RampConfig, WidgetEvent, WidgetEventUrl};
use url::Url;

use crate::error::{CoreError, ErrorKind, Result};

/// What to do with a navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavDecision {
    /// Load it in the widget webview.
    Allow,
    /// It is a widget event: cancel the navigation and handle the event (or ignore a malformed one).
    Event(std::result::Result<(String, WidgetEvent), String>),
    /// A web page outside the allowlist: cancel and open it in the system browser.
    OpenExternally,
    /// Cancel: a scheme the app does not hand out.
    Block,
}

#[derive(Debug, Clone)]
enum Pattern {
    /// `scheme://host[:port]`.
    Origin(url::Origin),
    /// `https://*.example.com`: any subdomain (not the bare domain).
    Subdomains { scheme: String, suffix: String },
}

/// What to do with a link that opened the app (browser mode's return link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnLink {
    /// For the transaction the widget is open for: handle the event.
    Event(String, WidgetEvent),
    /// Nothing is open (the link started the app): show that transaction's status, which the
    /// backend gives only to its owner.
    Show(String),
    /// For another transaction than the open one: ignore it.
    OtherTransaction {
        /// The transaction the link names.
        link: String,
    },
    /// The return link, but malformed: ignore it.
    Malformed(String),
    /// Not the return link at all.
    NotOurs,
}

/// The widget webview's navigation policy.
#[derive(Debug, Clone)]
pub struct NavPolicy {
    allow: Vec<Pattern>,
    events: WidgetEventUrl,
    returns: Option<WidgetEventUrl>,
}

impl NavPolicy {
    /// Build from the backend's configuration (its allowlist and event URL).
    ///
    /// # Errors
    /// [`ErrorKind::App`] for an entry that is neither an origin nor `scheme://*.domain`.
    pub fn new(config: &RampConfig) -> Result<Self> {
        let bad =
            |what: &str| CoreError::new(ErrorKind::App, format!("The backend sent a bad navigation rule: {what}"));
        let mut allow = Vec::new();
        for entry in &config.navigation_allowlist {
            if let Some((scheme, rest)) = entry.split_once("://*.") {
                if !matches!(scheme, "https" | "http") || rest.is_empty() || rest.contains('/') {
                    return Err(bad(entry));
                }
                allow.push(Pattern::Subdomains {
                    scheme: scheme.to_owned(),
                    suffix: format!(".{}", rest.to_ascii_lowercase()),
                });
            } else {
                let url = Url::parse(entry).map_err(|_| bad(entry))?;
                if !url.origin().is_tuple() {
                    return Err(bad(entry));
                }
                allow.push(Pattern::Origin(url.origin()));
            }
        }
        let event_base = Url::parse(&config.widget_event_url).map_err(|_| bad(&config.widget_event_url))?;
        let events = WidgetEventUrl::new(&event_base).map_err(|_| bad(&config.widget_event_url))?;
        let returns = match &config.return_url {
            Some(r) => Some(WidgetEventUrl::exact(Url::parse(r).map_err(|_| bad(r))?)),
            None => None,
        };
        Ok(Self { allow, events, returns })
    }

    /// Browser mode: read a link that opened the app (`prooframp://return?…`). `None` when it is
    /// not the configured return link; `Some(Err)` when it is but malformed.
    pub fn return_link(&self, url: &Url) -> Option<std::result::Result<(String, WidgetEvent), String>> {
        self.returns.as_ref().and_then(|r| r.parse(url))
    }

    /// Read a link that opened the app while the widget is open for `open` (or nothing is).
    pub fn classify_return(&self, url: &Url, open: Option<&str>) -> ReturnLink {
        match self.return_link(url) {
            None => ReturnLink::NotOurs,
            Some(Err(why)) => ReturnLink::Malformed(why),
            Some(Ok((tx, event))) => match open {
                Some(o) if o == tx => ReturnLink::Event(tx, event),
                Some(_) => ReturnLink::OtherTransaction { link: tx },
                None => ReturnLink::Show(tx),
            },
        }
    }

    /// Decide about `url`.
    pub fn decide(&self, url: &Url) -> NavDecision {
        if let Some(event) = self.events.parse(url) {
            return NavDecision::Event(event);
        }
        match url.scheme() {
            "about" if matches!(url.path(), "blank" | "srcdoc") => NavDecision::Allow,
            "blob" => NavDecision::Allow,
            "http" | "https" if self.allowed(url) => NavDecision::Allow,
            "http" | "https" | "mailto" | "tel" => NavDecision::OpenExternally,
            _ => NavDecision::Block,
        }
    }

    fn allowed(&self, url: &Url) -> bool {
        let origin = url.origin();
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.allow.iter().any(|p| match p {
            Pattern::Origin(o) => *o == origin,
            Pattern::Subdomains { scheme, suffix } => url.scheme() == scheme && host.ends_with(suffix.as_str()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration with `allowlist`; the other fields do not matter to the policy.
    fn config(allowlist: &[&str]) -> RampConfig {
        RampConfig {
            environment: "production".into(),
            assets: vec![],
            sell_enabled: false,
            min_amount: ramp_api::Amount::parse("1").expect("amount"),
            max_amount: ramp_api::Amount::parse("2").expect("amount"),
            accepts_user_address: false,
            navigation_allowlist: allowlist.iter().map(|s| (*s).to_owned()).collect(),
            widget_event_url: "https://ramp.partner.example/app/widget-event".into(),
            widget_mode: ramp_api::WidgetMode::Webview,
            return_url: None,
            support_url: None,
        }
    }

    fn policy() -> NavPolicy {
        let mut c = config(&["https://ramp.partner.example", "https://widget.proof.community", "https://*.sumsub.com"]);
        c.widget_mode = ramp_api::WidgetMode::Browser;
        c.return_url = Some("prooframp://return".into());
        NavPolicy::new(&c).expect("valid")
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn allowlisted_origins_and_subdomains_load() {
        let p = policy();
        for ok in [
            "https://ramp.partner.example/w/abc",
            "https://widget.proof.community/x",
            "https://api.sumsub.com/idensic",
            "about:blank",
        ] {
            assert_eq!(p.decide(&url(ok)), NavDecision::Allow, "{ok}");
        }
    }

    #[test]
    fn lookalikes_and_other_schemes_do_not() {
        let p = policy();
        for (u, d) in [
            ("http://ramp.partner.example/w/abc", NavDecision::OpenExternally),
            ("https://ramp.partner.example:8443/", NavDecision::OpenExternally),
            ("https://sumsub.com/", NavDecision::OpenExternally),
            ("https://evilsumsub.com/", NavDecision::OpenExternally),
            ("https://api.sumsub.com.evil.example/", NavDecision::OpenExternally),
            ("https://example.org/help", NavDecision::OpenExternally),
            ("mailto:support@example.org", NavDecision::OpenExternally),
            ("javascript:alert(1)", NavDecision::Block),
            ("file:///etc/passwd", NavDecision::Block),
            ("intent://scan#Intent;end", NavDecision::Block),
            ("data:text/html,hi", NavDecision::Block),
        ] {
            assert_eq!(p.decide(&url(u)), d, "{u}");
        }
    }

    #[test]
    fn blank_and_srcdoc_frames_and_blobs_load_other_about_pages_do_not() {
        let p = policy();
        for ok in ["about:srcdoc", "blob:https://ramp.partner.example/0b8e4b7e-5f3e-4f0e-9d55-1f2a3b4c5d6e"] {
            assert_eq!(p.decide(&url(ok)), NavDecision::Allow, "{ok}");
        }
        for blocked in ["about:config", "about:settings", "about:debug"] {
            assert_eq!(p.decide(&url(blocked)), NavDecision::Block, "{blocked}");
        }
    }

    #[test]
    fn widget_events_are_intercepted() {
        let p = policy();
        let d = p.decide(&url("https://ramp.partner.example/app/widget-event?v=1&tx=t1&event=close&reason=user"));
        assert_eq!(d, NavDecision::Event(Ok(("t1".into(), WidgetEvent::Close { reason: "user".into() }))));
        let bad = p.decide(&url("https://ramp.partner.example/app/widget-event?v=1&event=nope"));
        assert!(matches!(bad, NavDecision::Event(Err(_))));
    }

    #[test]
    fn bad_rules_are_refused() {
        let mut c = config(&["*"]);
        assert!(NavPolicy::new(&c).is_err());
        c.navigation_allowlist = vec!["ftp://*.x.com".into()];
        assert!(NavPolicy::new(&c).is_err());
    }

    #[test]
    fn browser_mode_return_links() {
        let p = policy();
        let back = url("prooframp://return?v=1&tx=t-9&event=close&reason=user");
        assert_eq!(p.return_link(&back), Some(Ok(("t-9".into(), WidgetEvent::Close { reason: "user".into() }))));
        assert_eq!(p.return_link(&url("prooframp://other?v=1&tx=a&event=ready")), None);
        assert!(matches!(p.return_link(&url("prooframp://return?v=1&tx=a")), Some(Err(_))));
        // In the webview, the return link is no page to load.
        assert_eq!(p.decide(&back), NavDecision::Block);
    }

    #[test]
    fn return_links_only_for_the_open_transaction() {
        let p = policy();
        let back = url("prooframp://return?v=1&tx=t-9&event=payment_finished");
        let finished = WidgetEvent::PaymentFinished { payment_method: None };
        assert_eq!(p.classify_return(&back, Some("t-9")), ReturnLink::Event("t-9".into(), finished));
        assert_eq!(p.classify_return(&back, Some("t-1")), ReturnLink::OtherTransaction { link: "t-9".into() });
        assert_eq!(p.classify_return(&back, None), ReturnLink::Show("t-9".into()));
        assert!(matches!(p.classify_return(&url("prooframp://return?v=1"), None), ReturnLink::Malformed(_)));
        assert_eq!(p.classify_return(&url("https://example.org/"), Some("t-9")), ReturnLink::NotOurs);
    }
}
