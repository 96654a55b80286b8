//! Every command the UI can call, in one place. Each is thin: it calls the core and maps the
//! result; errors reach the UI as `{kind, message, field?, request_id?}`.
//!
//! Only the app's own window may call them: the app grants `proof-ramp:default` to it in a
//! capability for local pages, and no capability may match a payment window or a remote origin
//! (`doctor` checks both).

use ramp_api::{CreateSession, KycView, Persona, RampConfig, TransactionList, TransactionView, User};
pub use ramp_core::app::WidgetBack;
use ramp_core::app::{Handoff, Restored};
use ramp_core::flow::Screen;
use ramp_core::log::LogEntry;
use tauri::{AppHandle, Runtime};

use crate::ProofRampExt;
use crate::error::Result;
use crate::models::{AppInfo, Nav};

/// Version, backend and who is signed in.
#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    let core = app.proof_ramp();
    AppInfo {
        version: app.package_info().version.to_string(),
        backend_url: core.client().base().to_string(),
        environment: core.environment(),
        user: core.user(),
    }
}

/// Restore a saved sign-in (and resume open transactions); returns the screen to show.
#[tauri::command]
pub async fn boot<R: Runtime>(app: AppHandle<R>) -> Result<Screen> {
    let core = app.proof_ramp();
    Ok(core.boot().await?)
}

/// Sandbox personas offered by the sign-in screen.
#[tauri::command]
pub async fn personas<R: Runtime>(app: AppHandle<R>) -> Result<Vec<Persona>> {
    let core = app.proof_ramp();
    Ok(core.client().personas().await?)
}

/// Sign in as a sandbox persona. In production, replace with the partner's sign-in.
#[tauri::command]
pub async fn sign_in<R: Runtime>(app: AppHandle<R>, persona: String, fresh: bool) -> Result<User> {
    let core = app.proof_ramp();
    Ok(core.sign_in(&persona, fresh).await?)
}

/// End the user's sessions on every device (the backend refuses their tokens from now on),
/// then sign out here.
#[tauri::command]
pub async fn sign_out_everywhere<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    let core = app.proof_ramp();
    Ok(core.sign_out_everywhere().await?)
}

/// Forget the sign-in.
#[tauri::command]
pub fn sign_out<R: Runtime>(app: AppHandle<R>) {
    let core = app.proof_ramp();
    core.sign_out();
}

/// Currencies, networks, limits.
#[tauri::command]
pub async fn ramp_config<R: Runtime>(app: AppHandle<R>) -> Result<RampConfig> {
    let core = app.proof_ramp();
    Ok(core.config().await?)
}

/// The user's verification status.
#[tauri::command]
pub async fn kyc_status<R: Runtime>(app: AppHandle<R>) -> Result<KycView> {
    let core = app.proof_ramp();
    Ok(core.kyc().await?)
}

/// The user's transactions, newest first.
#[tauri::command]
pub async fn transactions<R: Runtime>(app: AppHandle<R>) -> Result<Vec<TransactionView>> {
    let core = app.proof_ramp();
    Ok(core.transactions().await?)
}

/// A page of the user's transactions, newest first (`before`: the previous page's `next`).
#[tauri::command]
pub async fn transactions_page<R: Runtime>(app: AppHandle<R>, before: Option<String>) -> Result<TransactionList> {
    let core = app.proof_ramp();
    Ok(core.history(before).await?)
}

/// Open the partner's support page or mail app (the address the backend configured).
#[tauri::command]
pub async fn open_support<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    let core = app.proof_ramp();
    Ok(core.open_support().await?)
}

/// The checked deposit of sale `id`, once its payment window showed one (`null` before, and
/// when it failed the checks).
#[tauri::command]
pub fn deposit<R: Runtime>(app: AppHandle<R>, id: String) -> Option<Handoff> {
    let core = app.proof_ramp();
    core.deposit(&id)
}

/// Open sale `id`'s deposit in a wallet app through its payment link.
#[tauri::command]
pub async fn open_in_wallet<R: Runtime>(app: AppHandle<R>, id: String) -> Result<()> {
    let core = app.proof_ramp();
    Ok(core.open_in_wallet(&id).await?)
}

/// One transaction; starts following its status if it is still open.
#[tauri::command]
pub async fn transaction<R: Runtime>(app: AppHandle<R>, id: String) -> Result<TransactionView> {
    let core = app.proof_ramp();
    Ok(core.transaction(&id).await?)
}

/// Move between screens; returns the new one.
#[tauri::command]
pub fn navigate<R: Runtime>(app: AppHandle<R>, to: Nav) -> Screen {
    let core = app.proof_ramp();
    core.navigate(to.into())
}

/// Create a session and open the widget for it; returns the transaction id.
#[tauri::command]
pub async fn start_ramp<R: Runtime>(app: AppHandle<R>, request: CreateSession) -> Result<String> {
    let core = app.proof_ramp();
    Ok(core.start(&request).await?)
}

/// Continue an unfinished transaction: the backend issues a fresh single-use link to the same
/// Proof session (only to its owner, only while Proof would accept it) and the payment window
/// opens on it. A transaction that ended or whose session expired comes back as `invalid`
/// with the backend's sentence saying so.
#[tauri::command]
pub async fn resume_ramp<R: Runtime>(app: AppHandle<R>, id: String) -> Result<String> {
    let core = app.proof_ramp();
    Ok(core.resume(&id).await?)
}

/// Reopen a payment window that stopped working, on the same transaction (Reopen).
#[tauri::command]
pub async fn reopen_widget<R: Runtime>(app: AppHandle<R>, id: String) -> Result<String> {
    let core = app.proof_ramp();
    Ok(core.reopen(&id).await?)
}

/// The UI's state kept in Rust, for a UI that was reloaded (its web process died).
#[tauri::command]
pub fn restore<R: Runtime>(app: AppHandle<R>) -> Restored {
    let core = app.proof_ramp();
    core.restore()
}

/// The user's language (a tag the UI chose: the system's or the one picked in Settings): the
/// sentences written in Rust, the backend's (`Accept-Language`) and the payment page's follow it.
/// Returns the language used (English when the tag has no catalog).
#[tauri::command]
pub fn set_language<R: Runtime>(app: AppHandle<R>, tag: String) -> String {
    let core = app.proof_ramp();
    core.set_language(&tag).tag().to_owned()
}

/// Close the widget after the user confirmed; shows the transaction's status.
#[tauri::command]
pub fn close_widget<R: Runtime>(app: AppHandle<R>) -> Screen {
    let core = app.proof_ramp();
    core.close_payment()
}

/// The back button or gesture while the widget is shown: one step back in the widget's own
/// history, or, on its first page, the close question (never a silent close).
#[tauri::command]
pub async fn widget_back<R: Runtime>(app: AppHandle<R>) -> Result<WidgetBack> {
    let core = app.proof_ramp();
    Ok(core.back().await)
}

/// Read a scanned, pasted or typed wallet address (or payment link) for `network`: the address,
/// the networks it fits, and an amount the link asks for. Wrong network, typos (checksums) and
/// cut-off scans come back as `invalid` on the `address` field with a sentence to show.
#[tauri::command]
pub fn parse_address<R: Runtime>(
    app: AppHandle<R>,
    text: String,
    network: String,
) -> Result<ramp_api::address::Scanned> {
    let core = app.proof_ramp();
    ramp_api::address::parse(&text, &network)
        .map_err(|e| crate::error::UiError::invalid("address", e.message(core.lang())))
}

/// The text of the QR code in a picture the user chose (desktop; phones scan with the camera).
/// The picture's bytes are the request body. Decoding a large photo takes a while, so it runs
/// on a blocking thread, not on the main thread where synchronous commands run.
#[tauri::command]
pub async fn read_qr_image<R: Runtime>(app: AppHandle<R>, request: tauri::ipc::Request<'_>) -> Result<String> {
    let core = app.proof_ramp();
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
pub fn event_log<R: Runtime>(app: AppHandle<R>) -> Vec<LogEntry> {
    let core = app.proof_ramp();
    core.log().entries()
}

/// The diagnostics log as text, redacted, for a support ticket.
#[tauri::command]
pub fn export_log<R: Runtime>(app: AppHandle<R>) -> String {
    let core = app.proof_ramp();
    core.log().export()
}

/// Record a UI-side error in the diagnostics log.
#[tauri::command]
pub fn log_error<R: Runtime>(app: AppHandle<R>, message: String) {
    let core = app.proof_ramp();
    core.log().push("error", message.chars().take(500).collect::<String>());
}
