// Building and showing screens.

import { t } from "./i18n.js";

export const app = document.getElementById("app");

/** An element: attributes (`text`, `on<event>` handlers, the rest as attributes) and children. */
export function h(tag, attrs, children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children || []) {
    if (c === null || c === undefined) continue;
    el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

/** Data that is not translated (amounts, currency codes, ids, addresses). */
export function data(tag, attrs, text) {
  return h(tag, { ...attrs, translate: "no", text });
}

// How many screens were drawn: a screen whose data arrives after another screen was drawn
// (the user or the core moved on meanwhile) must not come back over it.
let drawn = 0;

function put(nodes) {
  app.replaceChildren(...nodes.filter(Boolean));
  const h1 = app.querySelector("h1");
  if (h1) {
    h1.setAttribute("tabindex", "-1");
    h1.focus({ preventScroll: true });
  }
}

/**
 * Draw a screen; focus moves to its heading, which screen readers announce. The handle's
 * `replace` draws the same screen again once its data arrived, and does nothing when another
 * screen was drawn since; `current` says whether it is still the one shown.
 */
export function show(nodes) {
  const mine = ++drawn;
  put(nodes);
  return {
    current: () => mine === drawn,
    replace(next) {
      if (mine === drawn) put(next);
    },
  };
}

export function loading(text) {
  return h("p", { class: "loading", role: "status" }, [h("span", { class: "spinner", "aria-hidden": "true" }), text]);
}

/** An error the user can act on; `retry` adds a Try again button. */
export function errorBox(err, retry) {
  const text = err.request_id ? t("error.with_reference", { message: err.message, reference: err.request_id }) : err.message;
  return h("div", { class: "error", role: "alert", id: "error" }, [
    h("p", { text }),
    retry ? h("button", { type: "button", class: "secondary", id: "error-retry", onclick: retry, text: t("action.try_again") }) : null,
  ]);
}
