// Continue an unfinished purchase: the backend issues a fresh single-use link for the same
// transaction, and the payment window opens on it again.

import { errorBox, h } from "../dom.js";
import { t } from "../i18n.js";
import { call } from "../ipc.js";
import { txTitle } from "./common.js";

export function resumeButton(tx, id) {
  return h("button", {
    type: "button",
    class: "secondary resume",
    id,
    "data-resume": tx.id,
    text: t("resume.action"),
    "aria-label": t("resume.label", { title: txTitle(tx) }),
    onclick: (ev) => resume(tx.id, ev.currentTarget),
  });
}

/** Open the payment window again for `id`; a refusal (ended, expired) is shown where it was asked. */
export function resume(id, button) {
  const label = button ? button.textContent : "";
  if (button) {
    button.disabled = true;
    button.textContent = t("resume.opening");
  }
  return call("resume_ramp", { id }).catch((err) => {
    if (button) {
      button.disabled = false;
      button.textContent = label;
    }
    const box = document.getElementById("home-problems") || document.getElementById("tx-problems");
    if (box) box.replaceChildren(errorBox(err, null));
  });
}
