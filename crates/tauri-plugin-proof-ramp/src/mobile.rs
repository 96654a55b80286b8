//! Phones: how the payment window is presented ([`android`], [`ios`]) and the return link from
//! the in-app browser (the deep-link plugin, which [`crate::BuilderExt`] registers before this
//! plugin, so its state is there when this plugin's `setup` runs).

#[cfg(target_os = "android")]
pub(crate) mod android;
#[cfg(target_os = "ios")]
pub(crate) mod ios;

use tauri::{AppHandle, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::ProofRampExt;

/// Hand every return link to the core: those that arrive while the app runs, and one that
/// started it (the app was closed while the user was in the browser). Before sign-in the core
/// keeps the link and reads it right after (docs/mobile.md, Return links).
pub(crate) fn return_links<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            handle.proof_ramp().returned(&url);
        }
    });
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        for url in urls {
            app.proof_ramp().returned(&url);
        }
    }
}
