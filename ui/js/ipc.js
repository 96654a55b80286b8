// Talking to the app core (the Proof Ramp plugin): commands and events. Errors come as {kind, message, code?, args?,
// field?, request_id?}; the message shown is the catalog's sentence for `code` when the app
// wrote it, else the backend's own (already in the user's language, from Accept-Language).

import { t } from "./i18n.js";

const T = window.__TAURI__;
// The Proof Ramp plugin's commands by name (`window.__TAURI__.proofRamp`, its guest script).
export const invoke = T.proofRamp.command;
export const listen = T.event.listen;
export const tauri = T;
export const isMobile = /Android|iPhone|iPad/.test(navigator.userAgent);

const offline = document.getElementById("offline");

/** The error with its sentence in the user's language. */
export function localize(e) {
  const err = typeof e === "object" && e ? { ...e } : { kind: "app", message: String(e) };
  if (err.code) err.message = t(`error.${err.code}`, err.args || {});
  else if (err.kind === "app" || !err.message) err.message = t("error.app");
  return err;
}

/** Record a failure, show the offline banner or sign out when it says so; the error, localized. */
export function failed(e) {
  const raw = typeof e === "object" && e ? e : { kind: "app", message: String(e) };
  if (raw.kind === "offline") offline.hidden = false;
  if (raw.kind === "signed_out") invoke("sign_out").catch(() => {});
  invoke("log_error", { message: `${raw.kind || "error"}: ${raw.message}` }).catch(() => {});
  return localize(raw);
}

/** A command; a success hides the offline banner. */
export function call(cmd, args) {
  return invoke(cmd, args || {}).then(
    (v) => {
      offline.hidden = true;
      return v;
    },
    (e) => {
      throw failed(e);
    },
  );
}

export function navigate(to) {
  return call("navigate", { to });
}
