// A sale's deposit hand-off: once the core has checked what the payment window showed (the
// sale's currency and network, the amount, the address by the network's rules), the amount and
// address to copy, a QR code, Open in wallet where the network has a payment link, and a warning.
// A deposit that failed the checks is never shown as something to send to: the user is told not
// to send and to contact support with the transaction id.

import { data, h } from "../dom.js";
import { t } from "../i18n.js";
import { call } from "../ipc.js";
import { state } from "../state.js";
import { copyButton, supportCard } from "./common.js";

/** The address in groups of four, for reading aloud and comparing. */
function grouped(address) {
  return (address.match(/.{1,4}/g) || []).join(" ");
}

function handoff(d) {
  const note = h("p", { class: "muted", id: "deposit-note", role: "status" });
  const vars = { amount: d.amount, currency: d.currency, network: d.network };
  return h("section", { class: "card", id: "deposit", "aria-labelledby": "deposit-title" }, [
    h("h2", { id: "deposit-title", text: t("deposit.title") }),
    h("p", { text: t("deposit.text", vars) }),
    h("dl", { class: "facts" }, [
      h("dt", { text: t("deposit.amount") }),
      h("dd", {}, [data("span", { id: "deposit-amount" }, `${d.amount} ${d.currency}`)]),
      h("dt", { text: t("deposit.address") }),
      h("dd", {}, [data("code", { id: "deposit-address", "data-address": d.address }, grouped(d.address))]),
    ]),
    h("div", { class: "row" }, [
      copyButton("deposit-copy-amount", t("deposit.copy_amount"), d.amount, note),
      copyButton("deposit-copy-address", t("deposit.copy_address"), d.address, note),
    ]),
    d.qr ? h("img", { id: "deposit-qr", class: "qr", src: d.qr, alt: t("deposit.qr", vars) }) : null,
    d.wallet_link
      ? h("button", {
          type: "button",
          id: "deposit-wallet",
          text: t("deposit.open_wallet"),
          onclick: () => call("open_in_wallet", { id: d.tx }).catch((err) => (note.textContent = err.message)),
        })
      : h("p", { class: "muted", text: t("deposit.no_link") }),
    h("p", { class: "warning", id: "deposit-warning", text: t("deposit.warning", vars) }),
    h("p", { class: "muted", text: t("deposit.window") }),
    note,
  ]);
}

function refused(tx) {
  return h("div", { id: "deposit" }, [
    h("div", { class: "error", role: "alert", id: "deposit-refused" }, [h("p", { text: t("deposit.refused") })]),
    supportCard(tx),
  ]);
}

/** Where the hand-off goes on a screen of `tx`; filled now if the core has it, and again when
 * the core reports a deposit (main.js calls `refreshDeposit`). */
export function depositArea(tx) {
  const area = h("div", { id: "deposit-area", "data-tx": tx });
  refreshDeposit(tx, area);
  return area;
}

export function refreshDeposit(tx, area = document.getElementById("deposit-area")) {
  if (!area || area.getAttribute("data-tx") !== tx) return;
  if (state.depositRefused[tx]) {
    area.replaceChildren(refused(tx));
    return;
  }
  call("deposit", { id: tx }).then(
    (d) => area.replaceChildren(...(d ? [handoff(d)] : [])),
    () => {},
  );
}
