// Sign-in: the sandbox's test users (a partner replaces this with its own sign-in).

import { errorBox, h, loading, show } from "../dom.js";
import { t } from "../i18n.js";
import { call } from "../ipc.js";

export function signIn() {
  const screen = show([h("h1", { text: t("app.name") }), h("p", { class: "muted", text: t("signin.tagline") }), loading(t("signin.loading"))]);
  call("personas").then(
    (personas) =>
      screen.replace([
        h("h1", { text: t("app.name") }),
        h("div", { class: "info", role: "note", text: t("signin.sandbox_note") }),
        h("h2", { text: t("signin.as") }),
        h(
          "div",
          { id: "personas" },
          personas.map((p) =>
            h(
              "button",
              {
                type: "button",
                class: "persona",
                "data-persona": p.id,
                translate: "no",
                onclick: (ev) => {
                  ev.currentTarget.disabled = true;
                  ev.currentTarget.appendChild(loading(t("signin.signing_in")));
                  call("sign_in", { persona: p.id, fresh: true }).catch((err) =>
                    screen.replace([h("h1", { text: t("app.name") }), errorBox(err, signIn)]),
                  );
                },
              },
              [h("strong", { text: p.label }), h("span", { text: p.description })],
            ),
          ),
        ),
      ]),
    (err) => screen.replace([h("h1", { text: t("app.name") }), errorBox(err, signIn)]),
  );
}
