// Proof Ramp's commands for the app's own page. Import this module, or with `withGlobalTauri`
// use the same functions as `window.__TAURI__.proofRamp` (the plugin's build script makes that
// script from this file). Each returns a Promise; a failure is `{kind, message, code?, args?,
// field?, request_id?}`. The app's page learns what changes through Tauri events sent to the
// window labelled `main` (`screen`, `tx-status`, `widget-opened`, ...: see the crate's README).

const PLUGIN = "proof-ramp";

/** Any command of the plugin by its name (`kyc_status`); `args` as the command takes them. */
export function command(name, args, options) {
  return window.__TAURI_INTERNALS__.invoke(`plugin:${PLUGIN}|${name}`, args || {}, options);
}

/** Version, backend address and who is signed in. */
export const appInfo = () => command("app_info");
/** Restore a saved sign-in and resume open transactions; the screen to show. */
export const boot = () => command("boot");
/** The sandbox's personas, for a development sign-in screen. */
export const personas = () => command("personas");
/** Sign in as a sandbox persona (replace with your own sign-in in production). */
export const signIn = (persona, fresh) => command("sign_in", { persona, fresh: !!fresh });
/** Forget the sign-in on this device. */
export const signOut = () => command("sign_out");
/** End the user's sessions on every device, then sign out here. */
export const signOutEverywhere = () => command("sign_out_everywhere");
/** Currencies, networks and limits. */
export const rampConfig = () => command("ramp_config");
/** The user's verification status. */
export const kycStatus = () => command("kyc_status");
/** The user's transactions, newest first. */
export const transactions = () => command("transactions");
/** A page of transactions; `before` is the previous page's `next`. */
export const transactionsPage = (before) => command("transactions_page", { before: before ?? null });
/** Open the partner's support page or mail. */
export const openSupport = () => command("open_support");
/** The checked deposit of sale `id`, or `null`. */
export const deposit = (id) => command("deposit", { id });
/** Open sale `id`'s deposit in a wallet app. */
export const openInWallet = (id) => command("open_in_wallet", { id });
/** One transaction; follows its status while it is open. */
export const transaction = (id) => command("transaction", { id });
/** Move between screens (`{to: "buy"}`, `{to: "transaction", id}`, ...); the new screen. */
export const navigate = (to) => command("navigate", { to });
/** Create a session and open the payment window; the transaction's id. */
export const startRamp = (request) => command("start_ramp", { request });
/** Close the payment window (after the user confirmed). */
export const closeWidget = () => command("close_widget");
/** The back button while the payment window is shown. */
export const widgetBack = () => command("widget_back");
/** Read a scanned, pasted or typed address or payment link for `network`. */
export const parseAddress = (text, network) => command("parse_address", { text, network });
/** The text of the QR code in a picture (its bytes). */
export const readQrImage = (bytes) => command("read_qr_image", bytes);
/** The diagnostics log. */
export const eventLog = () => command("event_log");
/** The diagnostics log as redacted text, for a support ticket. */
export const exportLog = () => command("export_log");
/** Record an error of the page in the diagnostics log. */
export const logError = (message) => command("log_error", { message });
/** Continue an unfinished transaction in a new payment window. */
export const resumeRamp = (id) => command("resume_ramp", { id });
/** Reopen a payment window that stopped working. */
export const reopenWidget = (id) => command("reopen_widget", { id });
/** The state kept in Rust, for a page that was reloaded. */
export const restore = () => command("restore");
/** The user's language (a BCP 47 tag); the language used. */
export const setLanguage = (tag) => command("set_language", { tag });
