// History: every transaction of the user, newest first, a page at a time. The next page loads
// when the end of the list scrolls into view, or with the button (kept for keyboards and screen
// readers). Rows update live like home's (main.js finds them by `data-tx`).

import { data, errorBox, h, loading, show } from "../dom.js";
import { dateTime, t } from "../i18n.js";
import { call, navigate } from "../ipc.js";
import { latest } from "../state.js";
import { statusText, txTitle } from "./common.js";

function row(tx) {
  const st = latest(tx.id) || tx.status;
  return h("li", {}, [
    h(
      "button",
      { type: "button", "data-tx": tx.id, class: "tx-row", onclick: () => navigate({ to: "transaction", id: tx.id }) },
      [
        h("span", { class: "tx-what" }, [
          h("span", { text: txTitle(tx) }),
          h("span", { class: "muted" }, [
            data("span", {}, `${tx.currency} · ${tx.network}`),
            " · ",
            data("time", { datetime: tx.created_at }, dateTime(tx.created_at)),
          ]),
        ]),
        h("span", { class: `status-${st}`, "data-status": st, text: statusText(st) }),
      ],
    ),
  ]);
}

export function history() {
  const title = h("h1", { id: "history-title", text: t("history.title") });
  const done = () => h("button", { type: "button", id: "back", class: "spaced", text: t("action.back"), onclick: () => navigate({ to: "back" }) });
  const list = h("ul", { class: "list", id: "history", "aria-labelledby": "history-title" });
  const status = h("p", { class: "muted", id: "history-status", role: "status" });
  const more = h("button", { type: "button", class: "secondary", id: "history-more", text: t("history.more") });
  // The next page's cursor: null for the first page, undefined once the last one is shown.
  let next = null;
  let busy = false;
  const observer = "IntersectionObserver" in window ? new IntersectionObserver((seen) => seen.some((e) => e.isIntersecting) && load()) : null;

  function load() {
    if (busy || next === undefined) return;
    const first = list.children.length === 0;
    busy = true;
    more.disabled = true;
    if (!first) status.textContent = t("history.loading");
    call("transactions_page", { before: next }).then(
      (page) => {
        busy = false;
        more.disabled = false;
        list.append(...page.transactions.map(row));
        next = page.next ?? undefined;
        if (!list.children.length) {
          screen.replace([title, h("p", { class: "muted", id: "history-empty", text: t("history.empty") }), done()]);
          return;
        }
        more.hidden = next === undefined;
        status.textContent = next === undefined ? t("history.end") : "";
        if (first && screen.current()) {
          screen.replace([title, list, status, more, done()]);
          if (observer) observer.observe(more);
        }
      },
      (err) => {
        busy = false;
        more.disabled = false;
        if (first) screen.replace([title, errorBox(err, history)]);
        else status.replaceChildren(errorBox(err, load));
      },
    );
  }

  more.addEventListener("click", load);
  const screen = show([title, loading(t("history.loading"))]);
  load();
}
