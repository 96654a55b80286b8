// Settings: language, environment, diagnostics (the redacted event log), sign-out.

import { data, h, loading, show } from "../dom.js";
import { chosen, choose, LANGUAGES, setLanguage, systemLanguage, t } from "../i18n.js";
import { call, invoke, navigate } from "../ipc.js";
import { state } from "../state.js";

/** Apply the language the user chose (or the system's) here and in the core (Accept-Language). */
export async function applyLanguage() {
  const want = chosen() === "system" ? systemLanguage() : chosen();
  const used = await setLanguage(want);
  await invoke("set_language", { tag: used }).catch(() => {});
  return used;
}

function languagePicker(rerender) {
  const current = chosen();
  const systemName = (LANGUAGES.find(([tag]) => tag === systemLanguage()) || LANGUAGES[0])[1];
  const select = h(
    "select",
    { id: "language", "aria-describedby": "language-help" },
    [
      h("option", { value: "system", text: t("settings.language_system", { language: systemName }) }),
      ...LANGUAGES.map(([tag, name]) => h("option", { value: tag, lang: tag, translate: "no", text: name })),
    ],
  );
  select.value = current;
  select.addEventListener("change", async () => {
    choose(select.value);
    await applyLanguage();
    // Redraw in the new language, unless the user has left Settings meanwhile.
    if (state.screen.screen === "settings") rerender();
  });
  return [h("label", { for: "language", text: t("settings.language") }), select, h("p", { class: "muted", id: "language-help", text: t("settings.language_help") })];
}

/** Settings; `focus` names the control to keep focus on after a redraw (else the heading). */
export function settings(focus) {
  const screen = show([h("h1", { text: t("settings.title") }), loading(t("settings.loading"))]);
  Promise.all([invoke("app_info"), invoke("event_log")]).then(([info, log]) => {
    const exported = h("pre", { class: "log", id: "log-export", translate: "no", hidden: true });
    screen.replace([
      h("h1", { text: t("settings.title") }),
      ...languagePicker(() => settings("language")),
      h("dl", { class: "facts" }, [
        h("dt", { text: t("settings.environment") }),
        data("dd", { id: "environment" }, info.environment || t("settings.unknown")),
        h("dt", { text: t("settings.server") }),
        data("dd", { id: "backend-url" }, info.backend_url),
        h("dt", { text: t("settings.version") }),
        data("dd", {}, info.version),
        h("dt", { text: t("settings.signed_in") }),
        info.user ? data("dd", {}, info.user.email) : h("dd", { text: t("settings.not_signed_in") }),
      ]),
      h("h2", { text: t("settings.diagnostics") }),
      log.length
        ? data("pre", { class: "log", id: "event-log", tabindex: "0", "aria-label": t("settings.event_log") }, log.map((e) => `${new Date(e.at_ms).toISOString().slice(11, 19)} ${e.kind} ${e.text}`).join("\n"))
        : h("p", { class: "log muted", id: "event-log", text: t("settings.no_events") }),
      h("button", {
        type: "button",
        class: "secondary",
        id: "export-log",
        text: t("settings.export_log"),
        onclick: () =>
          invoke("export_log").then((text) => {
            exported.textContent = text || t("settings.nothing_to_export");
            exported.hidden = false;
            if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
          }),
      }),
      exported,
      h("button", { type: "button", class: "secondary spaced", id: "sign-out", text: t("settings.sign_out"), onclick: () => call("sign_out") }),
      h("button", { type: "button", class: "secondary spaced", id: "sign-out-everywhere", text: t("settings.sign_out_everywhere"), onclick: () => call("sign_out_everywhere") }),
      h("button", { type: "button", id: "back", class: "spaced", text: t("action.back"), onclick: () => navigate({ to: "back" }) }),
    ]);
    if (focus && screen.current()) document.getElementById(focus)?.focus();
  });
}
