//! Every command the UI can call, in one place. Each is thin: it calls the core and maps the
//! result; errors reach the UI as `{kind, message, field?, request_id?}`.
//!
//! Only the main window's local UI can call them: the capability `main` grants them to the
//! `main` window, and no capability matches the widget's webview or any remote origin.

use ramp_api::{
    CreateSession, KycView, Persona, RampConfig, SessionCreated, StatusEvent, TransactionView, TxType, User,
};
use ramp_core::ErrorKind;
use ramp_core::flow::{Action, Screen};
use ramp_core::log::LogEntry;
use ramp_core::nav::NavPolicy;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};

use crate::error::Result;
use crate::state::{Core, dispatch, follow_transaction};
pub use crate::widget::WidgetBack;

/// What the settings screen shows.
#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    backend_url: String,
    environment: Option<String>,
    user: Option<User>,
}

/// Version, backend and who is signed in.
#[tauri::command]
pub fn app_info(core: State<'_, Core>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        backend_url: core.client.base().to_string(),
        environment: core.cached_config().map(|c| c.environment),
        user: core.user(),
    }
}

/// Restore a saved sign-in (and resume open transactions); returns the screen to show.
#[tauri::command]
pub async fn boot<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>) -> Result<Screen> {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    // An expired bearer token is fine when a refresh token can renew it on the first call.
    let Some(saved) = core.tokens.load().filter(|s| s.expires_at > now + 30 || s.refresh_token.is_some()) else {
        return Ok(core.screen());
    };
    core.client.set_session(Some(saved.token.clone()), saved.refresh_token.clone());
    core.set_user(Some(User { id: saved.user_id, email: saved.email }));
    match after_sign_in(&app, &core).await {
        Ok(()) => Ok(core.screen()),
        Err(e) if e.kind() == ErrorKind::SignedOut => {
            sign_out(app.clone(), core)?;
            Ok(Screen::SignedOut)
        }
        Err(e) => Err(e),
    }
}

/// Sandbox personas offered by the sign-in screen.
#[tauri::command]
pub async fn personas(core: State<'_, Core>) -> Result<Vec<Persona>> {
    Ok(core.client.personas().await?)
}

/// Sign in as a sandbox persona. In production, replace with the partner's sign-in.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    persona: String,
    fresh: bool,
) -> Result<User> {
    // The client keeps and saves the sign-in (and every renewal of it).
    let login = core.client.sandbox_login(&persona, fresh).await?;
    core.set_user(Some(login.user.clone()));
    core.log.push("app", format!("signed in as {persona}"));
    after_sign_in(&app, &core).await?;
    Ok(login.user)
}

async fn after_sign_in<R: Runtime>(app: &AppHandle<R>, core: &Core) -> Result<()> {
    load_config(core).await?;
    dispatch(app, Action::SignedIn);
    // A return link that arrived before the app could read it (it started the app).
    if let Some(link) = core.take_pending_link() {
        crate::widget::returned(app, &link);
    }
    for tx in core.client.transactions().await? {
        if !tx.status.is_terminal() {
            follow_transaction(app, tx.id);
        }
    }
    Ok(())
}

async fn load_config(core: &Core) -> Result<RampConfig> {
    let config = core.client.config().await?;
    let policy = NavPolicy::new(&config)?;
    core.set_config(config.clone(), policy);
    Ok(config)
}

/// End the user's sessions on every device (the backend refuses their tokens from now on),
/// then sign out here.
#[tauri::command]
pub async fn sign_out_everywhere<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>) -> Result<()> {
    core.client.sign_out_everywhere().await?;
    core.log.push("app", "signed out on every device");
    sign_out(app, core)
}

/// Forget the sign-in.
#[tauri::command]
pub fn sign_out<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>) -> Result<()> {
    // The backend ends this device's session too; best effort, the local sign-out does not wait.
    let end = core.client.end_session();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = end.await {
            tracing::info!("could not end the session on the server (signed out here anyway): {e}");
        }
    });
    core.tokens.clear();
    core.client.set_session(None, None);
    core.set_user(None);
    crate::widget::destroy(&app);
    dispatch(&app, Action::SignedOut);
    core.log.push("app", "signed out");
    Ok(())
}

/// Currencies, networks, limits.
#[tauri::command]
pub async fn ramp_config(core: State<'_, Core>) -> Result<RampConfig> {
    load_config(&core).await
}

/// The user's verification status.
#[tauri::command]
pub async fn kyc_status(core: State<'_, Core>) -> Result<KycView> {
    Ok(core.client.kyc().await?)
}

/// The user's transactions, newest first.
#[tauri::command]
pub async fn transactions(core: State<'_, Core>) -> Result<Vec<TransactionView>> {
    Ok(core.client.transactions().await?)
}

/// One transaction; starts following its status if it is still open.
#[tauri::command]
pub async fn transaction<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>, id: String) -> Result<TransactionView> {
    let tx = core.client.transaction(&id).await?;
    if !tx.status.is_terminal() {
        follow_transaction(&app, id);
    }
    Ok(tx)
}

/// A screen change the user asked for.
#[derive(Debug, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Nav {
    /// Home (back/done).
    Back,
    /// The buy form.
    Buy,
    /// The sell form.
    Sell,
    /// A transaction.
    Transaction {
        /// Its id.
        id: String,
    },
    /// Settings and diagnostics.
    Settings,
}

/// Move between screens; returns the new one.
#[tauri::command]
pub fn navigate<R: Runtime>(app: AppHandle<R>, to: Nav) -> Screen {
    let action = match to {
        Nav::Back => Action::Back,
        Nav::Buy => Action::Start(TxType::Buy),
        Nav::Sell => Action::Start(TxType::Sell),
        Nav::Transaction { id } => Action::Open(id),
        Nav::Settings => Action::OpenSettings,
    };
    dispatch(&app, action)
}

/// Create a session and open the widget for it; returns the transaction id.
#[tauri::command]
pub async fn start_ramp<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    request: CreateSession,
) -> Result<String> {
    if core.nav_policy().is_none() {
        load_config(&core).await?;
    }
    let created = core.client.create_session(&request).await?;
    core.log.push(
        "app",
        format!("session {} created, opening the widget", crate::state::short(&created.merchant_transaction_id)),
    );
    open_payment(&app, &core, created).await
}

/// Open the payment window (or the browser, in browser mode) on a link the backend issued, and
/// follow the transaction.
async fn open_payment<R: Runtime>(app: &AppHandle<R>, core: &Core, created: SessionCreated) -> Result<String> {
    let tx = created.merchant_transaction_id;
    let browser = core.cached_config().is_some_and(|c| c.widget_mode == ramp_api::WidgetMode::Browser)
        || !crate::widget::WEBVIEW_AVAILABLE;
    if browser {
        crate::widget::open_in_browser(app, &created.widget_url, &tx).await?;
    } else {
        crate::widget::open(app, &created.widget_url, &tx).await?;
    }
    dispatch(app, Action::WidgetOpened(tx.clone()));
    follow_transaction(app, tx.clone());
    Ok(tx)
}

/// Continue an unfinished transaction: the backend issues a fresh single-use link to the same
/// Proof session (only to its owner, only while Proof would accept it) and the payment window
/// opens on it. A transaction that ended or whose session expired comes back as `invalid`
/// with the backend's sentence saying so.
#[tauri::command]
pub async fn resume_ramp<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>, id: String) -> Result<String> {
    if core.nav_policy().is_none() {
        load_config(&core).await?;
    }
    let created = core.client.resume(&id).await?;
    core.log.push("app", format!("resuming {}", crate::state::short(&id)));
    open_payment(&app, &core, created).await
}

/// Reopen a payment window that stopped working, on the same transaction (Reopen).
#[tauri::command]
pub async fn reopen_widget<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>, id: String) -> Result<String> {
    core.log.push("app", format!("reopening the payment window for {}", crate::state::short(&id)));
    resume_ramp(app, core, id).await
}

/// What a reloaded UI needs besides the screen: every status seen, and the payment window's
/// health while it shows.
#[derive(Serialize)]
pub struct Restored {
    statuses: Vec<StatusEvent>,
    widget: Option<crate::state::WidgetHealth>,
}

/// The UI's state kept in Rust, for a UI that was reloaded (its web process died).
#[tauri::command]
pub fn restore(core: State<'_, Core>) -> Restored {
    let widget = match core.screen() {
        Screen::Widget { tx } => core.widget_health().filter(|h| h.tx == tx),
        _ => None,
    };
    Restored { statuses: core.seen(), widget }
}

/// The user's language (a tag the UI chose: the system's or the one picked in Settings): the
/// sentences written in Rust, the backend's (`Accept-Language`) and the payment page's follow it.
/// Returns the language used (English when the tag has no catalog).
#[tauri::command]
pub fn set_language(core: State<'_, Core>, tag: String) -> String {
    let lang = ramp_api::i18n::Lang::from_tag(&tag).unwrap_or_default();
    core.set_lang(lang);
    lang.tag().to_owned()
}

/// Close the widget after the user confirmed; shows the transaction's status.
#[tauri::command]
pub fn close_widget<R: Runtime>(app: AppHandle<R>) -> Screen {
    crate::widget::destroy(&app);
    dispatch(&app, Action::WidgetClosed)
}

/// The back button or gesture while the widget is shown: one step back in the widget's own
/// history, or, on its first page, the close question (never a silent close).
#[tauri::command]
pub async fn widget_back<R: Runtime>(app: AppHandle<R>) -> Result<WidgetBack> {
    crate::widget::back(&app).await
}

/// Read a scanned, pasted or typed wallet address (or payment link) for `network`: the address,
/// the networks it fits, and an amount the link asks for. Wrong network, typos (checksums) and
/// cut-off scans come back as `invalid` on the `address` field with a sentence to show.
#[tauri::command]
pub fn parse_address(core: State<'_, Core>, text: String, network: String) -> Result<ramp_api::address::Scanned> {
    ramp_api::address::parse(&text, &network)
        .map_err(|e| crate::error::UiError::invalid("address", e.message(core.lang())))
}

/// The text of the QR code in a picture the user chose (desktop; phones scan with the camera).
/// The picture's bytes are the request body. Decoding a large photo takes a while, so it runs
/// on a blocking thread, not on the main thread where synchronous commands run.
#[tauri::command]
pub async fn read_qr_image(core: State<'_, Core>, request: tauri::ipc::Request<'_>) -> Result<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(crate::error::UiError::app(
            "picture_missing",
            "The picture did not reach the app; choose it again.",
        ));
    };
    let bytes = bytes.clone();
    tauri::async_runtime::spawn_blocking(move || ramp_core::qr::decode(&bytes))
        .await
        .map_err(|_| {
            crate::error::UiError::app("picture_failed", "Reading the picture stopped unexpectedly; try again.")
        })?
        .map_err(|e| crate::error::UiError::invalid("address", e.message(core.lang())))
}

/// The diagnostics log.
#[tauri::command]
pub fn event_log(core: State<'_, Core>) -> Vec<LogEntry> {
    core.log.entries()
}

/// The diagnostics log as text, redacted, for a support ticket.
#[tauri::command]
pub fn export_log(core: State<'_, Core>) -> String {
    core.log.export()
}

/// Record a UI-side error in the diagnostics log.
#[tauri::command]
pub fn log_error(core: State<'_, Core>, message: String) {
    core.log.push("error", message.chars().take(500).collect::<String>());
}
