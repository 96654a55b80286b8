// The payment window is open (or the browser, in browser mode): this screen follows the status,
// and says so in one sentence when the window got stuck, with Reopen for the same transaction.

import { h, loading, show } from "../dom.js";
import { t } from "../i18n.js";
import { call, invoke, navigate } from "../ipc.js";
import { state } from "../state.js";
import { statusCard } from "./common.js";
import { depositArea } from "./deposit.js";

const confirmDialog = document.getElementById("confirm");

export function widgetScreen(tx) {
  if (state.config && state.config.widget_mode === "browser") {
    return show([
      h("h1", { text: t("widget.browser_title") }),
      h("p", { id: "widget-note", text: t("widget.browser_note") }),
      depositArea(tx),
      statusCard(tx),
      h("button", { type: "button", class: "secondary", id: "close-widget", text: t("widget.back_to_app"), onclick: () => invoke("close_widget") }),
    ]);
  }
  const w = state.widget;
  let note = t("widget.note");
  if (w.timedOut) note = t("widget.timed_out");
  if (w.stuck) note = t(`widget.stuck.${w.stuck}`);
  return show([
    h("h1", { text: t("widget.title") }),
    h("p", { id: "widget-note", role: w.stuck || w.timedOut ? "alert" : null, "data-stuck": w.stuck, text: note }),
    w.loaded || w.timedOut || w.stuck ? null : loading(t("widget.loading")),
    w.stuck
      ? h("button", { type: "button", id: "widget-reopen", text: t("widget.reopen"), onclick: (ev) => reopen(tx, ev.currentTarget) })
      : null,
    h("div", { id: "tx-problems" }),
    depositArea(tx),
    w.timedOut && !w.stuck
      ? h("button", {
          type: "button",
          id: "widget-retry",
          text: t("widget.start_again"),
          onclick: () => invoke("close_widget").then(() => navigate({ to: "back" })),
        })
      : null,
    statusCard(tx),
    h("button", { type: "button", class: "secondary", id: "close-widget", text: t("widget.close"), onclick: askClose }),
  ]);
}

function reopen(tx, button) {
  button.disabled = true;
  button.textContent = t("resume.opening");
  call("reopen_widget", { id: tx }).catch((err) => {
    button.disabled = false;
    button.textContent = t("widget.reopen");
    const box = document.getElementById("tx-problems");
    if (box) box.replaceChildren(h("div", { class: "error", role: "alert", id: "error" }, [h("p", { text: err.message })]));
  });
}

/** The question before leaving a payment half-way. */
export function askClose() {
  if (typeof confirmDialog.showModal === "function") confirmDialog.showModal();
  else if (window.confirm(t("confirm.title"))) invoke("close_widget");
}

export function closeQuestion() {
  if (!confirmDialog.open) return false;
  confirmDialog.close();
  return true;
}

document.getElementById("confirm-stay").addEventListener("click", () => confirmDialog.close());
document.getElementById("confirm-leave").addEventListener("click", () => {
  confirmDialog.close();
  invoke("close_widget");
});
