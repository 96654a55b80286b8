//! Proof On/Off Ramp in a Tauri 2 app, as a plugin. In the app's `lib.rs` (compiled there only:
//! `generate_context!` reads the app's `tauri.conf.json`):
//!
//! ```ignore
//! use tauri_plugin_proof_ramp::BuilderExt;
//!
//! tauri::Builder::default()
//!     .with_proof_ramp()
//!     .run(tauri::generate_context!())
//!     .expect("the app runs");
//! ```
//!
//! The plugin on Tauri's mock runtime, as the tests use it (a sign-in kept in memory):
//!
//! ```
//! use ramp_core::MemoryTokenStore;
//! use tauri_plugin_proof_ramp::{Builder, BuilderExt, ProofRampExt};
//!
//! let plugin = Builder::new().token_store(Box::new(MemoryTokenStore::default()));
//! let app = tauri::test::mock_builder()
//!     .with_proof_ramp_plugin(plugin)
//!     .build(tauri::test::mock_context(tauri::test::noop_assets()))
//!     .expect("the app builds");
//! assert!(app.proof_ramp().user().is_none(), "nobody is signed in yet");
//! assert_eq!(app.proof_ramp().client().base().as_str(), tauri_plugin_proof_ramp::SANDBOX_BACKEND);
//! ```
//!
//! With the app's window granted `proof-ramp:default` in a capability, its page calls the
//! commands ([`commands`]) through `guest-js/index.js` (or `window.__TAURI__.proofRamp` with
//! `withGlobalTauri`) and listens to the events the plugin sends to the window labelled `main`
//! ([`ramp_core::app::UiEvent`] names them). Configuration: `plugins."proof-ramp"` in
//! `tauri.conf.json` ([`ramp_api::plugin::PluginConfig`]).
//!
//! Two kinds of webview, two levels of trust:
//! - the app's own windows show its local UI; only they may call the commands;
//! - each payment window (`widget-<n>`, a new number every time) shows the backend's host page
//!   with the Proof widget; no capability may match it, so no command works there; it alone may
//!   use the camera, and only while it shows the host page; its navigation is pinned to the
//!   backend's allowlist.
//!
//! Every decision is `ramp-core`'s ([`ramp_core::app::App`]); this crate is its Tauri shell
//! ([`TauriShell`], presenting the payment window per platform) and the commands that call it.
//! The app holds no Proof credential, only its short-lived backend token.

pub mod commands;
#[cfg(desktop)]
mod desktop;
mod error;
#[cfg(mobile)]
mod mobile;
mod models;
mod names;
// Public for the test and benchmark builds' probes ([`testing`]).
#[cfg_attr(not(any(feature = "e2e", feature = "bench")), allow(unreachable_pub))]
mod page;
mod shell;
mod webview;

use ramp_api::plugin::{PLUGIN, PluginConfig};
use ramp_core::{BackendClient, Build, FileTokenStore, TokenStore};
use tauri::plugin::TauriPlugin;
use tauri::webview::{PermissionKind, PermissionResponse};
use tauri::{Manager, Runtime, Webview};

pub use error::UiError;
pub use models::{AppInfo, Nav};
pub use names::COMMANDS;
pub use ramp_api::plugin::{APP_WINDOW, PaymentWindow, SANDBOX_BACKEND};
pub use shell::{Core, TauriShell};

/// The variable that overrides the configured backend: read when the app is compiled, and again
/// when it starts (desktop development and tests).
pub const BACKEND_ENV: &str = "PROOF_RAMP_BACKEND_URL";

/// This build, for its backend policy (`ramp_core::Build`): release builds talk to their
/// backend over https only; benchmark builds (`bench`, never shipped) may use http on loopback.
const BUILD: Build = Build::of(cfg!(debug_assertions), cfg!(feature = "bench"));

/// The backend's address: `PROOF_RAMP_BACKEND_URL` when the app starts, else when it was
/// compiled, else the configuration's `backend`, else [`SANDBOX_BACKEND`].
fn backend_url(config: &PluginConfig) -> String {
    let at_start = std::env::var(BACKEND_ENV).ok().filter(|u| !u.is_empty());
    let compiled = option_env!("PROOF_RAMP_BACKEND_URL").filter(|u| !u.is_empty()).map(str::to_owned);
    at_start.or(compiled).or_else(|| config.backend.clone()).unwrap_or_else(|| SANDBOX_BACKEND.to_owned())
}

/// Access to the plugin's state (the app's core) from anything Tauri manages.
pub trait ProofRampExt<R: Runtime> {
    /// The app's core: every decision, the backend client, the log.
    fn proof_ramp(&self) -> tauri::State<'_, Core<R>>;
}

impl<R: Runtime, T: Manager<R>> ProofRampExt<R> for T {
    fn proof_ramp(&self) -> tauri::State<'_, Core<R>> {
        self.state::<Core<R>>()
    }
}

/// The plugin with its options. [`init`] is `Builder::new().build()`.
#[derive(Default)]
pub struct Builder {
    client: Option<BackendClient>,
    tokens: Option<Box<dyn TokenStore>>,
}

impl Builder {
    /// The defaults: the backend from the configuration, the sign-in in a file in the app's
    /// local data directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Talk to the backend through `client` instead of one built from the configuration.
    pub fn client(mut self, client: BackendClient) -> Self {
        self.client = Some(client);
        self
    }

    /// Keep the sign-in in `tokens` (the platform's keychain, say) instead of a file.
    pub fn token_store(mut self, tokens: Box<dyn TokenStore>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The plugin.
    pub fn build<R: Runtime>(self) -> TauriPlugin<R, Option<PluginConfig>> {
        let Self { client, tokens } = self;
        tauri::plugin::Builder::<R, Option<PluginConfig>>::new(PLUGIN)
            .setup(move |app, api| {
                let config = api.config().clone().unwrap_or_default();
                let client = match client {
                    Some(c) => c,
                    None => BackendClient::for_build(&backend_url(&config), BUILD).map_err(|e| e.message)?,
                };
                let tokens = match tokens {
                    Some(t) => t,
                    None => Box::new(FileTokenStore::new(app.path().app_local_data_dir()?.join("session.json"))),
                };
                app.manage(Core::new(TauriShell::new(app.clone(), config.payment_window), client, tokens));
                #[cfg(mobile)]
                mobile::return_links(app);
                Ok(())
            })
            .on_webview_ready(|webview| {
                if !ramp_core::app::is_payment_window(webview.label()) {
                    app_webview(&webview);
                }
            })
            .invoke_handler(handler())
            .build()
    }
}

/// The plugin with its defaults (see [`Builder`]).
pub fn init<R: Runtime>() -> TauriPlugin<R, Option<PluginConfig>> {
    Builder::new().build()
}

/// The app's own webviews: reloaded when their web process dies (the page then asks the core
/// for its state), and in test builds given WebKitGTK's mock camera.
fn app_webview<R: Runtime>(webview: &Webview<R>) {
    webview::prepare_webview(webview, false);
    let (app, label) = (webview.app_handle().clone(), webview.label().to_owned());
    webview::reload_when_gone(webview, move || {
        // Always `false` for the app's own page; WebKitGTK's handler reloads it.
        app.proof_ramp().web_process_gone(&label);
    });
}

/// The answer to a webview's request for the camera, the microphone or anything else: yes only
/// for a payment window while it shows the backend's host page (`ramp-core` decides). Give it to
/// [`tauri::Builder::on_permission_request`] ([`BuilderExt`] does); a plugin cannot set it.
pub fn on_permission_request<R: Runtime>(webview: Webview<R>, kind: PermissionKind) -> PermissionResponse {
    shell::answer(webview.proof_ramp().permission(webview.label(), shell::permission(&kind)))
}

/// iOS and macOS: a webview's web content process ended. Without a hook tauri-runtime-wry
/// reloads the page; with this one the payment window is reported stuck (the UI offers Reopen)
/// and the app's own page is reloaded (docs/mobile.md). [`BuilderExt`] sets it.
#[cfg(any(target_os = "macos", target_os = "ios"))]
pub fn on_web_content_process_terminate<R: Runtime>(webview: &Webview<R>) {
    if !webview.proof_ramp().web_process_gone(webview.label()) {
        let _ = webview.reload();
    }
}

/// Adds Proof Ramp to a [`tauri::Builder`] in one call: the plugin, what it uses (the opener;
/// on phones the deep-link plugin for return links) and the app-wide hooks a plugin cannot set
/// itself ([`on_permission_request`]; on iOS and macOS `on_web_content_process_terminate`).
/// Both hooks replace any earlier one; an app with its own permission handler calls
/// [`on_permission_request`] from it instead. An app that configures the opener itself adds it
/// after this call.
pub trait BuilderExt {
    /// With the plugin's defaults.
    fn with_proof_ramp(self) -> Self;
    /// With `plugin`'s options.
    fn with_proof_ramp_plugin(self, plugin: Builder) -> Self;
}

impl<R: Runtime> BuilderExt for tauri::Builder<R> {
    fn with_proof_ramp(self) -> Self {
        self.with_proof_ramp_plugin(Builder::new())
    }

    fn with_proof_ramp_plugin(self, plugin: Builder) -> Self {
        let builder = self.plugin(tauri_plugin_opener::init());
        #[cfg(mobile)]
        let builder = builder.plugin(tauri_plugin_deep_link::init());
        let builder = builder.plugin(plugin.build()).on_permission_request(on_permission_request::<R>);
        #[cfg(any(target_os = "macos", target_os = "ios"))]
        let builder = builder.on_web_content_process_terminate(on_web_content_process_terminate::<R>);
        builder
    }
}

/// The command handler for every command in [`COMMANDS`].
fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::app_info,
        commands::boot,
        commands::personas,
        commands::sign_in,
        commands::sign_out,
        commands::sign_out_everywhere,
        commands::ramp_config,
        commands::kyc_status,
        commands::transactions,
        commands::transactions_page,
        commands::open_support,
        commands::deposit,
        commands::open_in_wallet,
        commands::transaction,
        commands::navigate,
        commands::start_ramp,
        commands::close_widget,
        commands::widget_back,
        commands::parse_address,
        commands::read_qr_image,
        commands::event_log,
        commands::export_log,
        commands::log_error,
        commands::resume_ramp,
        commands::reopen_widget,
        commands::restore,
        commands::set_language,
    ]
}

/// Test and benchmark builds of the app: what their probes need from inside the plugin.
#[cfg(any(feature = "e2e", feature = "bench"))]
pub mod testing {
    pub use crate::page::{eval_value, poll};
    #[cfg(feature = "e2e")]
    pub use crate::webview::terminate_web_process;
}
