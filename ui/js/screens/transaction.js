// One transaction: its facts and live status; Continue while it is unfinished and resumable.

import { data, errorBox, h, loading, show } from "../dom.js";
import { dateTime, t } from "../i18n.js";
import { call, navigate } from "../ipc.js";
import { latest, state, TERMINAL, UNSUCCESSFUL } from "../state.js";
import { statusCard, supportCard, txTitle } from "./common.js";
import { depositArea } from "./deposit.js";
import { resumeButton } from "./resume.js";

export function transaction(tx) {
  const screen = show([h("h1", { text: t("tx.title") }), loading(t("tx.loading"))]);
  Promise.all([call("transaction", { id: tx }), state.config ? state.config : call("ramp_config")]).then(
    ([v, config]) => {
      state.config = config;
      state.facts[tx] = { currency: v.currency, fiat_currency: v.fiat_currency };
      if (!state.statuses[tx] || !state.statuses[tx].length) {
        state.statuses[tx] = [{ seq: 0, status: v.status, occurred_at: v.updated_at, crypto_amount: v.crypto_amount, fiat_amount: v.fiat_amount }];
      }
      const st = latest(tx) || v.status;
      const open = !TERMINAL.includes(st);
      screen.replace([
        h("h1", { text: txTitle(v) }),
        h("dl", { class: "facts" }, [
          h("dt", { text: t("tx.network") }),
          data("dd", {}, v.network),
          h("dt", { text: t("tx.started") }),
          h("dd", {}, [data("time", { datetime: v.created_at }, dateTime(v.created_at))]),
          v.fiat_amount ? h("dt", { text: t("tx.paid") }) : null,
          v.fiat_amount ? data("dd", {}, `${v.fiat_amount} ${v.fiat_currency || ""}`) : null,
        ]),
        v.type === "sell" && open ? depositArea(tx) : null,
        statusCard(tx),
        open ? h("p", { class: "muted", id: "tx-live-note", text: t("tx.live_note") }) : null,
        h("div", { id: "tx-problems" }),
        UNSUCCESSFUL.includes(st) ? supportCard(tx) : null,
        open && v.resumable ? resumeButton(v, "tx-resume") : null,
        h("button", { type: "button", id: "done", class: open && v.resumable ? "secondary spaced" : "spaced", text: t("action.done"), onclick: () => navigate({ to: "back" }) }),
      ]);
    },
    (err) => screen.replace([h("h1", { text: t("tx.title") }), errorBox(err, () => transaction(tx))]),
  );
}
