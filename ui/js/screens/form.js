// Buy or sell: currency, network, amount and (when the partner accepts one) the wallet address,
// typed, pasted, scanned with the camera (phones) or read from a picture of its QR code; all
// checked before the payment window opens.

import { errorBox, h, loading, show } from "../dom.js";
import { t } from "../i18n.js";
import { call, invoke, isMobile, localize, navigate, tauri } from "../ipc.js";
import { state } from "../state.js";
import { startScanning, stopScanning } from "./scan.js";

const FIELDS = ["currency", "network", "amount", "address"];

export function form(type) {
  const title = type === "sell" ? t("form.sell_title") : t("form.buy_title");
  if (state.config) return draw(type, title, state.config);
  const screen = show([h("h1", { text: title }), loading(t("form.loading"))]);
  call("ramp_config").then(
    (cfg) => screen.current() && draw(type, title, cfg),
    (err) => screen.replace([h("h1", { text: title }), errorBox(err, () => form(type))]),
  );
}

function fieldError(field, message) {
  for (const f of FIELDS) {
    const input = document.getElementById(f);
    const box = document.getElementById(`${f}-error`);
    if (!input || !box) continue;
    if (f === field) {
      input.setAttribute("aria-invalid", "true");
      box.textContent = message;
      box.hidden = false;
    } else {
      input.removeAttribute("aria-invalid");
      box.textContent = "";
      box.hidden = true;
    }
  }
}

function draw(type, title, cfg) {
  state.config = cfg;
  const currency = h(
    "select",
    { id: "currency", "aria-describedby": "currency-error", translate: "no" },
    cfg.assets.map((a) => h("option", { value: a.currency, text: a.currency })),
  );
  const network = h("select", { id: "network", "aria-describedby": "network-error", translate: "no" });
  function fillNetworks() {
    const asset = cfg.assets.find((a) => a.currency === currency.value);
    network.replaceChildren(...(asset ? asset.networks : []).map((n) => h("option", { value: n, text: n })));
  }
  currency.addEventListener("change", fillNetworks);
  fillNetworks();
  const amount = h("input", { id: "amount", inputmode: "decimal", autocomplete: "off", placeholder: "25", "aria-describedby": "amount-help amount-error" });
  amount.addEventListener("input", () => fieldError(null));
  const go = h("button", { type: "submit", id: "continue", text: t("form.continue") });
  const problems = h("div", { id: "form-problems" });

  const wantsAddress = type === "buy" && cfg.accepts_user_address;
  const address = h("input", {
    id: "address",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    placeholder: t("form.address_placeholder"),
    "aria-describedby": "address-help address-error",
  });
  const addressHint = () => (isMobile ? t("form.address_help_phone") : t("form.address_help_desktop"));
  const addressHelp = h("p", { class: "muted", id: "address-help", text: addressHint() });
  const addressError = (err) => {
    addressHelp.textContent = addressHint();
    fieldError("address", localize(err).message);
  };
  const picker = h("input", { type: "file", id: "address-image", accept: "image/png,image/jpeg", class: "visually-hidden", tabindex: "-1", "aria-label": t("form.address_picture_label") });
  const settingsBtn = h("button", {
    type: "button",
    class: "secondary",
    id: "open-app-settings",
    hidden: true,
    text: t("form.camera_settings"),
    onclick: () => tauri.barcodeScanner.openAppSettings(),
  });
  function useText(text) {
    return invoke("parse_address", { text, network: network.value }).then((s) => {
      address.value = s.address;
      if (s.amount && s.amount_unit === currency.value && !amount.value) amount.value = s.amount;
      fieldError(null);
      addressHelp.textContent = t("form.address_checked", { networks: s.networks.join(", ") });
    }, addressError);
  }
  picker.addEventListener("change", () => {
    const file = picker.files && picker.files[0];
    if (!file) return;
    addressHelp.textContent = t("form.reading_picture");
    file
      .arrayBuffer()
      .then((buf) => invoke("read_qr_image", new Uint8Array(buf)))
      .then(useText, addressError)
      .then(() => {
        picker.value = "";
      });
  });
  address.addEventListener("input", () => {
    fieldError(null);
    addressHelp.textContent = addressHint();
  });
  network.addEventListener("change", () => {
    if (address.value.trim()) useText(address.value.trim());
  });

  function scanQr() {
    const bs = tauri.barcodeScanner;
    settingsBtn.hidden = true;
    bs.checkPermissions()
      .then((p) => (p === "granted" ? p : bs.requestPermissions()))
      .then((p) => {
        if (p !== "granted") {
          fieldError("address", t("form.camera_refused"));
          settingsBtn.hidden = false;
          return undefined;
        }
        startScanning(() => bs.cancel().catch(() => {}));
        return bs.scan({ windowed: true, formats: [bs.Format.QRCode] }).then((r) => useText(r.content));
      })
      .catch((e) => {
        if (String(e).toLowerCase().indexOf("cancel") < 0) fieldError("address", t("form.scan_failed"));
      })
      .then(stopScanning, stopScanning);
  }

  function submit(ev) {
    ev.preventDefault();
    problems.replaceChildren();
    const value = amount.value.trim().replace(",", ".");
    if (!/^\d+(\.\d+)?$/.test(value)) return fieldError("amount", t("form.amount_not_number"));
    const n = Number(value);
    if (n < Number(cfg.min_amount) || n > Number(cfg.max_amount)) {
      return fieldError("amount", t("form.amount_range", { min: cfg.min_amount, max: cfg.max_amount, currency: currency.value }));
    }
    fieldError(null);
    const request = { type, currency: currency.value, network: network.value, amount: value };
    let checked = Promise.resolve(true);
    if (wantsAddress && address.value.trim()) {
      checked = invoke("parse_address", { text: address.value, network: network.value }).then(
        (s) => {
          request.address = s.address;
          return true;
        },
        (err) => {
          addressError(err);
          return false;
        },
      );
    }
    return checked
      .then((ok) => {
        if (!ok) return undefined;
        go.disabled = true;
        go.textContent = t("form.opening");
        return call("start_ramp", { request });
      })
      .catch((err) => {
        go.disabled = false;
        go.textContent = t("form.continue");
        if (err.kind === "invalid" && err.field && document.getElementById(err.field)) fieldError(err.field, err.message);
        else problems.appendChild(errorBox(err, null));
      });
  }

  show([
    h("h1", { text: title }),
    h("form", { id: "ramp-form", novalidate: true, onsubmit: submit }, [
      h("label", { for: "currency", text: t("form.currency") }),
      currency,
      h("p", { class: "field-error", id: "currency-error", role: "alert", hidden: true }),
      h("label", { for: "network", text: t("form.network") }),
      network,
      h("p", { class: "field-error", id: "network-error", role: "alert", hidden: true }),
      h("label", { for: "amount", text: t("form.amount") }),
      amount,
      h("p", { class: "muted", id: "amount-help", text: t("form.amount_help", { min: cfg.min_amount, max: cfg.max_amount }) }),
      h("p", { class: "field-error", id: "amount-error", role: "alert", hidden: true }),
      wantsAddress ? h("label", { for: "address", text: t("form.address") }) : null,
      wantsAddress ? address : null,
      wantsAddress
        ? h("div", { class: "row wrap" }, [
            isMobile && tauri.barcodeScanner
              ? h("button", { type: "button", class: "secondary", id: "address-scan", text: t("form.scan"), onclick: scanQr })
              : null,
            h("button", { type: "button", class: "secondary", id: "address-from-image", text: t("form.from_picture"), onclick: () => picker.click() }),
          ])
        : null,
      wantsAddress ? picker : null,
      wantsAddress ? addressHelp : null,
      wantsAddress ? h("p", { class: "field-error", id: "address-error", role: "alert", hidden: true }) : null,
      wantsAddress ? settingsBtn : null,
      problems,
      go,
      h("button", { type: "button", class: "secondary spaced", id: "back", text: t("action.back"), onclick: () => navigate({ to: "back" }) }),
    ]),
  ]);
  return undefined;
}
