//! The Tauri plugin's configuration, `plugins."proof-ramp"` in an app's `tauri.conf.json`.
//!
//! The plugin reads it when the app starts; `ramp-mobile` reads the same object when it writes
//! the Android project (the payment window's own activity exists only for
//! [`PaymentWindow::Webview`]), so the two can never disagree.
//!
//! ```
//! use ramp_api::plugin::{PaymentWindow, PluginConfig};
//!
//! let conf: PluginConfig = serde_json::from_str(r#"{"paymentWindow": "browser"}"#).expect("valid");
//! assert_eq!(conf.payment_window, PaymentWindow::Browser);
//! assert!(conf.backend.is_none());
//! ```

use serde::{Deserialize, Serialize};

/// The plugin's name: its commands are `plugin:proof-ramp|<command>`, its permissions
/// `proof-ramp:<permission>` and its configuration `plugins."proof-ramp"`.
pub const PLUGIN: &str = "proof-ramp";

/// The label of the app's own window: the plugin sends its events there and brings it to the
/// front when a payment window closes; the app's capability grants the plugin's commands to it.
pub const APP_WINDOW: &str = "main";

/// The backend when neither the configuration nor `PROOF_RAMP_BACKEND_URL` names one: the local
/// sandbox stack (`cargo run -p partner-backend -- --sandbox`).
pub const SANDBOX_BACKEND: &str = "http://127.0.0.1:8080/";

/// Where the payment page (the backend's host page with the Proof widget) is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentWindow {
    /// A webview of the app's own, over the app (on Android in an activity of its own that
    /// `ramp-mobile` writes into the generated project): the app follows every step.
    #[default]
    Webview,
    /// The in-app browser (Custom Tabs, `SFSafariViewController`; the system browser on desktop):
    /// the page returns to the app through its return link.
    Browser,
}

/// `plugins."proof-ramp"` in `tauri.conf.json`; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PluginConfig {
    /// The partner backend's base URL. Release builds need https. `PROOF_RAMP_BACKEND_URL`
    /// overrides it: when the app is compiled, and on desktop also when it starts.
    #[serde(default)]
    pub backend: Option<String>,
    /// Where the payment page is shown.
    #[serde(default)]
    pub payment_window: PaymentWindow,
}

impl PluginConfig {
    /// The plugin's object in a `tauri.conf.json` document (the default when it has none).
    ///
    /// # Errors
    /// The object is there but is not a valid configuration; the message names the field.
    pub fn from_tauri_conf(conf: &serde_json::Value) -> Result<Self, String> {
        match conf.get("plugins").and_then(|p| p.get(PLUGIN)) {
            None | Some(serde_json::Value::Null) => Ok(Self::default()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("plugins.{PLUGIN}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conf_without_the_plugin_gets_the_defaults_and_a_typo_is_named() {
        let none = serde_json::json!({"plugins": {"deep-link": {}}});
        assert_eq!(PluginConfig::from_tauri_conf(&none), Ok(PluginConfig::default()));
        let typo = serde_json::json!({"plugins": {"proof-ramp": {"paymentWindw": "browser"}}});
        let e = PluginConfig::from_tauri_conf(&typo).expect_err("unknown field");
        assert!(e.contains("paymentWindw"), "{e}");
        let browser = serde_json::json!({"plugins": {"proof-ramp": {"paymentWindow": "browser", "backend": "https://x.example/"}}});
        let c = PluginConfig::from_tauri_conf(&browser).expect("valid");
        assert_eq!((c.payment_window, c.backend.as_deref()), (PaymentWindow::Browser, Some("https://x.example/")));
    }
}
