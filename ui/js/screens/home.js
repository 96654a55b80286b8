// Home: identity status, Buy and Sell, unfinished purchases to continue, recent transactions.

import { errorBox, h, loading, show } from "../dom.js";
import { t } from "../i18n.js";
import { call, navigate } from "../ipc.js";
import { latest, state, TERMINAL } from "../state.js";
import { header, statusText, txTitle } from "./common.js";
import { resumeButton } from "./resume.js";

function txRow(tx) {
  const st = latest(tx.id) || tx.status;
  return h("li", {}, [
    h(
      "button",
      {
        type: "button",
        "data-tx": tx.id,
        class: "tx-row",
        onclick: () => navigate({ to: "transaction", id: tx.id }),
      },
      [h("span", { text: txTitle(tx) }), h("span", { class: `status-${st}`, "data-status": st, text: statusText(st) })],
    ),
    !TERMINAL.includes(st) && tx.resumable ? resumeButton(tx, `resume-${tx.id}`) : null,
    !TERMINAL.includes(st) && tx.type === "sell" ? depositLink(tx) : null,
  ]);
}

/** An open sale whose deposit the core checked: a way back to the hand-off. */
function depositLink(tx) {
  const slot = h("span", { class: "deposit-link" });
  call("deposit", { id: tx.id }).then(
    (d) => {
      if (d) slot.replaceChildren(h("button", { type: "button", class: "secondary resume", id: `deposit-${tx.id}`, text: t("deposit.show"), onclick: () => navigate({ to: "transaction", id: tx.id }) }));
    },
    () => {},
  );
  return slot;
}

export function home() {
  const screen = show([header(), loading(t("home.loading"))]);
  Promise.all([call("kyc_status"), call("ramp_config"), call("transactions")]).then(
    ([kycView, config, txs]) => {
      const kyc = kycView.status;
      state.config = config;
      screen.replace([
        header(),
        h("section", { class: "card", "aria-labelledby": "kyc-title" }, [
          h("h2", { id: "kyc-title", text: t("kyc.title") }),
          h("span", { class: `badge ${kyc}`, id: "kyc-badge", "data-kyc": kyc, text: t(`kyc.${kyc}.badge`) }),
          h("p", { class: "muted", text: t(`kyc.${kyc}.text`) }),
        ]),
        h("div", { class: "row" }, [
          h("button", { type: "button", id: "buy", text: t("home.buy"), onclick: () => navigate({ to: "buy" }) }),
          config.sell_enabled
            ? h("button", { type: "button", id: "sell", class: "secondary", text: t("home.sell"), onclick: () => navigate({ to: "sell" }) })
            : null,
        ]),
        h("div", { id: "home-problems" }),
        h("h2", { text: t("home.recent") }),
        txs.length
          ? h("ul", { class: "list", id: "transactions" }, txs.slice(0, 10).map(txRow))
          : h("p", { class: "muted", id: "no-transactions", text: t("home.no_transactions") }),
        h("button", { type: "button", class: "link", id: "open-history", text: t("home.all"), onclick: () => navigate({ to: "history" }) }),
      ]);
    },
    (err) => screen.replace([header(), errorBox(err, home)]),
  );
}
