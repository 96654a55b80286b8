// Proof Ramp app UI. Renders the screen the Rust core says (event `screen`), calls commands for
// data and actions, shows a loading state for every wait and an actionable message for every
// error, in the user's language. Holds no token: the core does. After a reload (the webview's
// process died and the core reloaded it) it asks the core for the screen, the statuses it has
// seen and the payment window's state, and carries on without asking the user anything.

import { errorBox, h, show } from "./dom.js";
import { t } from "./i18n.js";
import { call, failed, invoke, isMobile, listen, navigate, tauri } from "./ipc.js";
import { record, state, TERMINAL, UNSUCCESSFUL } from "./state.js";
import { statusCard, statusText, supportCard } from "./screens/common.js";
import { form } from "./screens/form.js";
import { refreshDeposit } from "./screens/deposit.js";
import { history } from "./screens/history.js";
import { home } from "./screens/home.js";
import { cancelScan } from "./screens/scan.js";
import { applyLanguage, settings } from "./screens/settings.js";
import { signIn } from "./screens/signin.js";
import { transaction } from "./screens/transaction.js";
import { askClose, closeQuestion, widgetScreen } from "./screens/widget.js";

function render() {
  const s = state.screen;
  switch (s.screen) {
    case "signed_out":
      return signIn();
    case "home":
      return home();
    case "form":
      return form(s.type);
    case "widget":
      return widgetScreen(s.tx);
    case "transaction":
      return transaction(s.tx);
    case "settings":
      return settings();
    case "history":
      return history();
    default:
      return undefined;
  }
}

// --- Events from the core -------------------------------------------------------------------
listen("screen", (e) => {
  const was = state.screen;
  state.screen = e.payload;
  if (state.screen.screen === "widget" && (was.screen !== "widget" || was.tx !== state.screen.tx)) {
    state.widget = { loaded: false, timedOut: false, stuck: null };
  }
  render();
});
listen("tx-status", (e) => {
  const ev = e.payload;
  const tx = ev.merchant_transaction_id;
  record(ev);
  // A live region that stays in the page announces the change (the card is redrawn).
  if (state.screen.tx === tx) document.getElementById("announce").textContent = t("status.announce", { status: statusText(ev.status) });
  const card = document.getElementById("status-card");
  if (card && state.screen.tx === tx) card.replaceWith(statusCard(tx));
  if (state.screen.tx === tx && TERMINAL.includes(ev.status)) {
    document.getElementById("tx-live-note")?.remove();
    document.getElementById("deposit-area")?.replaceChildren();
    document.getElementById("tx-resume")?.remove();
    const problems = document.getElementById("tx-problems");
    if (problems && UNSUCCESSFUL.includes(ev.status) && !document.getElementById("support")) problems.after(supportCard(tx));
  }
  const row = document.querySelector(`[data-tx="${tx}"] [data-status]`);
  if (row) {
    row.textContent = statusText(ev.status);
    row.setAttribute("data-status", ev.status);
    row.className = `status-${ev.status}`;
  }
});
function widgetChanged(change) {
  Object.assign(state.widget, change);
  if (state.screen.screen === "widget") render();
}
listen("widget-loaded", () => widgetChanged({ loaded: true, stuck: null }));
listen("widget-timeout", () => widgetChanged({ timedOut: true }));
// The payment window stopped answering, went blank, or its web process died.
listen("widget-stuck", (e) => widgetChanged({ stuck: e.payload.reason }));
listen("widget-close-requested", askClose);
// A sale's deposit was checked (the hand-off shows) or refused (never shown to send to).
listen("deposit", (e) => refreshDeposit(e.payload));
listen("deposit-refused", (e) => {
  state.depositRefused[e.payload] = true;
  refreshDeposit(e.payload);
});

// --- Back: Android's back button/gesture, Escape or Alt+Left on desktop ---------------------
// Inside the widget, back steps back in the widget's own pages, and on its first page asks
// before leaving the payment; elsewhere it goes to the previous screen; at the root it leaves.
function goBack() {
  if (closeQuestion() || cancelScan()) return;
  const s = state.screen.screen;
  if (s === "widget") {
    invoke("widget_back").catch(failed);
    return;
  }
  if (s === "home" || s === "signed_out") {
    if (tauri.app && tauri.app.exit && isMobile) tauri.app.exit(0).catch(() => {});
    return;
  }
  navigate({ to: "back" });
}
if (isMobile && tauri.app && tauri.app.onBackButtonPress) tauri.app.onBackButtonPress(goBack).catch(() => {});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" || (e.altKey && e.key === "ArrowLeft")) {
    e.preventDefault();
    goBack();
  }
});

document.getElementById("offline-retry").addEventListener("click", () => {
  document.getElementById("offline").hidden = true;
  render();
});

async function start() {
  // A catalog that cannot be read leaves the keys on screen, never a blank app.
  await applyLanguage().catch((e) => invoke("log_error", { message: `app: language: ${e}` }).catch(() => {}));
  try {
    state.screen = await invoke("boot");
    const restored = await call("restore").catch(() => null);
    if (restored) {
      for (const ev of restored.statuses) record(ev);
      if (restored.widget) state.widget = { loaded: restored.widget.loaded, timedOut: false, stuck: restored.widget.stuck };
    }
    render();
  } catch (err) {
    const e = failed(err);
    show([h("h1", { text: t("app.name") }), errorBox(e, () => window.location.reload())]);
  }
}
start();
