// Pieces more than one screen uses: the header, the status card, status names.

import { data, h } from "../dom.js";
import { dateTime, t } from "../i18n.js";
import { call, navigate } from "../ipc.js";
import { state } from "../state.js";

export function statusText(status) {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

/** "Buy 25 USDT" with the amount and currency kept as data. */
export function txTitle(tx) {
  const vars = { amount: tx.amount, currency: tx.currency };
  return tx.type === "sell" ? t("tx.sell_title", vars) : t("tx.buy_title", vars);
}

/** The app's name and the Settings control. */
export function header() {
  return h("div", { class: "header" }, [
    h("h1", { text: t("app.name") }),
    h("button", {
      type: "button",
      class: "link",
      id: "open-settings",
      text: t("settings.title"),
      onclick: () => navigate({ to: "settings" }),
    }),
  ]);
}

/** A button that copies `text` and says so in `note` (a status region). */
export function copyButton(id, label, text, note) {
  return h("button", {
    type: "button",
    class: "secondary",
    id,
    text: label,
    onclick: () =>
      navigator.clipboard.writeText(text).then(
        () => (note.textContent = t("support.copied")),
        () => (note.textContent = ""),
      ),
  });
}

/** For a transaction that did not succeed: its id to quote (with a copy button) and the
 * partner's support, when the backend names one (the core opens it; the page cannot name
 * another address). */
export function supportCard(tx) {
  const note = h("span", { class: "muted", id: "support-note", role: "status" });
  const contact = state.config && state.config.support_url;
  return h("section", { class: "card", id: "support", "aria-labelledby": "support-title" }, [
    h("h2", { id: "support-title", text: t("support.title") }),
    h("p", { text: t("support.text") }),
    h("p", {}, [data("code", { id: "support-tx" }, tx)]),
    h("div", { class: "row" }, [
      copyButton("support-copy", t("support.copy"), tx, note),
      contact
        ? h("button", { type: "button", class: "secondary", id: "support-contact", text: t("support.contact"), onclick: () => call("open_support").catch((err) => (note.textContent = err.message)) })
        : null,
    ]),
    note,
  ]);
}

/** Live status of `tx`: the latest status (announced when it changes) and its history. */
export function statusCard(tx) {
  const facts = state.facts[tx] || {};
  const list = state.statuses[tx] || [];
  const last = list.length ? list[list.length - 1] : null;
  const st = last ? last.status : "pending";
  return h("section", { class: "card", id: "status-card", "aria-labelledby": "status-title" }, [
    h("h2", { id: "status-title", text: t("status.title") }),
    h("p", { id: "tx-status", class: `status-${st}`, "data-status": st, text: statusText(st) }),
    last && last.fiat_amount
      ? h("p", { class: "muted" }, [
          t("status.amounts", {
            crypto: `${last.crypto_amount || ""} ${facts.currency || ""}`.trim(),
            fiat: `${last.fiat_amount} ${facts.fiat_currency || ""}`.trim(),
          }),
        ])
      : null,
    h(
      "ol",
      { class: "timeline", "aria-label": t("status.history") },
      list.map((e) => h("li", {}, [statusText(e.status), " · ", data("time", { datetime: e.occurred_at }, dateTime(e.occurred_at))])),
    ),
  ]);
}
