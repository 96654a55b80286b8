/*
 * Proof Ramp app UI. Renders the screen the Rust core says (event `screen`), calls commands
 * for data and actions, and shows a loading state for every wait and an actionable message for
 * every error. Holds no token: the core does.
 */
(function () {
  "use strict";

  var T = window.__TAURI__;
  var invoke = T.core.invoke;
  var listen = T.event.listen;
  var app = document.getElementById("app");
  var offline = document.getElementById("offline");
  var confirmDialog = document.getElementById("confirm");

  var screen = { screen: "signed_out" };
  var config = null;
  var statuses = {}; // tx id -> [StatusEvent]

  var KYC_TEXT = {
    not_started: ["Not verified", "Verify your identity to buy crypto. It takes a few minutes and happens in the payment window."],
    pending: ["Under review", "Your documents are being checked. You can still open the payment window."],
    verified: ["Verified", "You're verified. Purchases go straight to payment."],
    failed: ["Verification failed", "Your last verification did not pass. Open the payment window to try again."]
  };
  var STATUS_TEXT = {
    pending: "Waiting for payment",
    processing: "Processing",
    completed: "Completed",
    failed: "Failed",
    cancelled: "Cancelled"
  };

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k === "onclick") el.addEventListener("click", v);
      else if (k === "onchange") el.addEventListener("change", v);
      else if (k === "oninput") el.addEventListener("input", v);
      else el.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  function show(nodes) {
    app.innerHTML = "";
    nodes.forEach(function (n) { if (n) app.appendChild(n); });
    var h1 = app.querySelector("h1");
    if (h1) { h1.setAttribute("tabindex", "-1"); h1.focus({ preventScroll: true }); }
  }

  function loading(text) {
    return h("p", { class: "loading", role: "status" }, [h("span", { class: "spinner", "aria-hidden": "true" }), text]);
  }

  // Errors from commands are {kind, message, field?, request_id?}.
  function failed(e) {
    var err = typeof e === "object" && e ? e : { kind: "app", message: String(e) };
    if (err.kind === "offline") {
      offline.hidden = false;
    }
    if (err.kind === "signed_out") {
      invoke("sign_out").catch(function () {});
    }
    invoke("log_error", { message: (err.kind || "error") + ": " + err.message }).catch(function () {});
    return err;
  }

  function errorBox(err, retry) {
    var text = err.message + (err.request_id ? " (reference " + err.request_id + ")" : "");
    return h("div", { class: "error", role: "alert", id: "error" }, [
      h("p", { text: text }),
      retry ? h("button", { type: "button", class: "secondary", id: "error-retry", onclick: retry, text: "Try again" }) : null
    ]);
  }

  function call(cmd, args) {
    return invoke(cmd, args || {}).then(function (v) {
      offline.hidden = true;
      return v;
    }, function (e) { throw failed(e); });
  }

  function render() {
    var s = screen.screen;
    if (s === "signed_out") return signIn();
    if (s === "home") return home();
    if (s === "form") return form(screen.type);
    if (s === "widget") return widgetOpen(screen.tx);
    if (s === "transaction") return transaction(screen.tx);
    if (s === "settings") return settings();
  }

  // --- Sign-in -----------------------------------------------------------------------------
  function signIn() {
    show([h("h1", { text: "Proof Ramp" }), h("p", { class: "muted", text: "Buy and sell crypto with Proof." }), loading("Loading sign-in options…")]);
    call("personas").then(function (personas) {
      show([
        h("h1", { text: "Proof Ramp" }),
        h("div", { class: "info", role: "note", text: "Sandbox: choose a test user. No real identity check and no real money." }),
        h("h2", { text: "Sign in as" }),
        h("div", { id: "personas" }, personas.map(function (p) {
          return h("button", {
            type: "button", class: "persona", "data-persona": p.id, "aria-label": "Sign in as " + p.label,
            onclick: function (ev) {
              ev.currentTarget.disabled = true;
              ev.currentTarget.appendChild(loading("Signing in…"));
              call("sign_in", { persona: p.id, fresh: true }).catch(function (err) {
                show([h("h1", { text: "Proof Ramp" }), errorBox(err, signIn)]);
              });
            }
          }, [h("strong", { text: p.label }), h("span", { text: p.description })]);
        }))
      ]);
    }, function (err) {
      show([h("h1", { text: "Proof Ramp" }), errorBox(err, signIn)]);
    });
  }

  // --- Home --------------------------------------------------------------------------------
  function txRow(tx) {
    var st = latest(tx.id) || tx.status;
    return h("li", {}, [h("button", {
      type: "button", "data-tx": tx.id, onclick: function () { call("navigate", { to: { to: "transaction", id: tx.id } }); },
      "aria-label": (tx.type === "sell" ? "Sell " : "Buy ") + tx.amount + " " + tx.currency + ", " + (STATUS_TEXT[st] || st)
    }, [
      h("span", { text: (tx.type === "sell" ? "Sell " : "Buy ") + tx.amount + " " + tx.currency }),
      h("span", { class: "status-" + st, "data-status": st, text: STATUS_TEXT[st] || st })
    ])]);
  }

  function home() {
    show([
      h("div", { class: "header" }, [
        h("h1", { text: "Proof Ramp" }),
        h("button", { type: "button", class: "link", id: "open-settings", text: "Settings",
          onclick: function () { call("navigate", { to: { to: "settings" } }); } })
      ]),
      loading("Loading your account…")
    ]);
    Promise.all([call("kyc_status"), call("ramp_config"), call("transactions")]).then(function (r) {
      var kyc = r[0].status, txs = r[2];
      config = r[1];
      var k = KYC_TEXT[kyc] || [kyc, ""];
      show([
        h("div", { class: "header" }, [
          h("h1", { text: "Proof Ramp" }),
          h("button", { type: "button", class: "link", id: "open-settings", text: "Settings",
            onclick: function () { call("navigate", { to: { to: "settings" } }); } })
        ]),
        h("section", { class: "card", "aria-labelledby": "kyc-title" }, [
          h("h2", { id: "kyc-title", text: "Identity" }),
          h("span", { class: "badge " + kyc, id: "kyc-badge", "data-kyc": kyc, text: k[0] }),
          h("p", { class: "muted", text: k[1] })
        ]),
        h("div", { class: "row" }, [
          h("button", { type: "button", id: "buy", text: "Buy", onclick: function () { call("navigate", { to: { to: "buy" } }); } }),
          config.sell_enabled ? h("button", { type: "button", id: "sell", class: "secondary", text: "Sell",
            onclick: function () { call("navigate", { to: { to: "sell" } }); } }) : null
        ]),
        h("h2", { text: "Recent" }),
        txs.length ? h("ul", { class: "list", id: "transactions" }, txs.slice(0, 10).map(txRow))
          : h("p", { class: "muted", id: "no-transactions", text: "No transactions yet." })
      ]);
    }, function (err) {
      show([h("h1", { text: "Proof Ramp" }), errorBox(err, home)]);
    });
  }

  // --- Buy / sell form ---------------------------------------------------------------------
  function form(type) {
    var title = type === "sell" ? "Sell crypto" : "Buy crypto";
    function draw(cfg) {
      config = cfg;
      var currency = h("select", { id: "currency", "aria-describedby": "currency-error" },
        cfg.assets.map(function (a) { return h("option", { value: a.currency, text: a.currency }); }));
      var network = h("select", { id: "network", "aria-describedby": "network-error" });
      function fillNetworks() {
        var asset = cfg.assets.find(function (a) { return a.currency === currency.value; });
        network.innerHTML = "";
        (asset ? asset.networks : []).forEach(function (n) { network.appendChild(h("option", { value: n, text: n })); });
      }
      currency.addEventListener("change", fillNetworks);
      fillNetworks();
      var amount = h("input", { id: "amount", inputmode: "decimal", autocomplete: "off", placeholder: "25",
        "aria-describedby": "amount-help amount-error" });
      amount.addEventListener("input", function () { fieldError(null); });
      var go = h("button", { type: "submit", id: "continue", text: "Continue" });
      var problems = h("div", { id: "form-problems" });

      function fieldError(field, message) {
        ["currency", "network", "amount", "address"].forEach(function (f) {
          var input = document.getElementById(f);
          var box = document.getElementById(f + "-error");
          if (!input || !box) return;
          if (f === field) { input.setAttribute("aria-invalid", "true"); box.textContent = message; box.hidden = false; }
          else { input.removeAttribute("aria-invalid"); box.textContent = ""; box.hidden = true; }
        });
      }

      // The destination wallet, when the partner accepts one (buy only): typed, pasted, scanned
      // with the camera (phones) or read from a picture of its QR code (any platform); always
      // checked for the chosen network before the widget opens.
      var wantsAddress = type === "buy" && cfg.accepts_user_address;
      var address = h("input", { id: "address", autocomplete: "off", autocapitalize: "off", spellcheck: "false",
        placeholder: "Your wallet's receiving address", "aria-describedby": "address-help address-error" });
      var ADDRESS_HELP = (isMobile ? "Paste it, scan its QR code, or choose a picture of the code." :
        "Paste it, or choose a picture of its QR code (a screenshot works).") + " It is checked for the network above.";
      var addressHelp = h("p", { class: "muted", id: "address-help", text: ADDRESS_HELP });
      function addressError(err) {
        addressHelp.textContent = ADDRESS_HELP;
        fieldError("address", err.message || String(err));
      }
      var picker = h("input", { type: "file", id: "address-image", accept: "image/png,image/jpeg", class: "visually-hidden",
        "aria-label": "Picture of a wallet QR code" });
      var settingsBtn = h("button", { type: "button", class: "secondary", id: "open-app-settings", hidden: true,
        text: "Open Settings to allow the camera", onclick: function () { T.barcodeScanner.openAppSettings(); } });
      function useText(text) {
        return invoke("parse_address", { text: text, network: network.value }).then(function (s) {
          address.value = s.address;
          if (s.amount && s.amount_unit === currency.value && !amount.value) amount.value = s.amount;
          fieldError(null);
          addressHelp.textContent = "Address read and checked: it fits " + s.networks.join(", ") + ".";
        }, addressError);
      }
      picker.addEventListener("change", function () {
        var file = picker.files && picker.files[0];
        if (!file) return;
        addressHelp.textContent = "Reading the picture…";
        file.arrayBuffer().then(function (buf) { return invoke("read_qr_image", new Uint8Array(buf)); })
          .then(useText, addressError)
          .then(function () { picker.value = ""; });
      });
      address.addEventListener("input", function () { fieldError(null); addressHelp.textContent = ADDRESS_HELP; });
      network.addEventListener("change", function () { if (address.value.trim()) useText(address.value.trim()); });

      function scanQr() {
        var bs = T.barcodeScanner;
        settingsBtn.hidden = true;
        bs.checkPermissions().then(function (p) { return p === "granted" ? p : bs.requestPermissions(); }).then(function (p) {
          if (p !== "granted") {
            fieldError("address", "Proof Ramp may not use the camera. Allow it in Settings to scan, or paste the address.");
            settingsBtn.hidden = false;
            return;
          }
          startScanning(function () { bs.cancel().catch(function () {}); });
          return bs.scan({ windowed: true, formats: [bs.Format.QRCode] }).then(function (r) { return useText(r.content); });
        }).catch(function (e) {
          if (String(e).toLowerCase().indexOf("cancel") < 0) fieldError("address", "Scanning failed (" + e + "). Paste the address instead.");
        }).then(stopScanning, stopScanning);
      }

      function submit(ev) {
        ev.preventDefault();
        problems.innerHTML = "";
        var value = amount.value.trim().replace(",", ".");
        if (!/^\d+(\.\d+)?$/.test(value)) return fieldError("amount", "Enter the amount as a number, such as 25 or 99.50.");
        var n = Number(value);
        if (n < Number(cfg.min_amount) || n > Number(cfg.max_amount)) {
          return fieldError("amount", "Enter an amount between " + cfg.min_amount + " and " + cfg.max_amount + " " + currency.value + ".");
        }
        fieldError(null);
        var request = { type: type, currency: currency.value, network: network.value, amount: value };
        var checked = Promise.resolve(true);
        if (wantsAddress && address.value.trim()) {
          checked = invoke("parse_address", { text: address.value, network: network.value }).then(function (s) {
            request.address = s.address;
            return true;
          }, function (err) { addressError(err); return false; });
        }
        checked.then(function (ok) {
          if (!ok) return;
          go.disabled = true;
          go.textContent = "Opening the secure payment window…";
          return call("start_ramp", { request: request });
        })
          .catch(function (err) {
            go.disabled = false;
            go.textContent = "Continue";
            if (err.kind === "invalid" && err.field && document.getElementById(err.field)) fieldError(err.field, err.message);
            else problems.appendChild(errorBox(err, null));
          });
      }

      show([
        h("h1", { text: title }),
        h("form", { id: "ramp-form", novalidate: true }, [
          h("label", { for: "currency", text: "Currency" }), currency,
          h("p", { class: "field-error", id: "currency-error", role: "alert", hidden: true }),
          h("label", { for: "network", text: "Network" }), network,
          h("p", { class: "field-error", id: "network-error", role: "alert", hidden: true }),
          h("label", { for: "amount", text: "Amount of crypto" }), amount,
          h("p", { class: "muted", id: "amount-help", text: "Between " + cfg.min_amount + " and " + cfg.max_amount + "." }),
          h("p", { class: "field-error", id: "amount-error", role: "alert", hidden: true }),
          wantsAddress ? h("label", { for: "address", text: "Wallet address (optional)" }) : null,
          wantsAddress ? address : null,
          wantsAddress ? h("div", { class: "row" }, [
            isMobile && T.barcodeScanner ? h("button", { type: "button", class: "secondary", id: "address-scan",
              text: "Scan QR code", onclick: scanQr }) : null,
            h("button", { type: "button", class: "secondary", id: "address-from-image", text: "From a picture…",
              onclick: function () { picker.click(); } })
          ]) : null,
          wantsAddress ? picker : null,
          wantsAddress ? addressHelp : null,
          wantsAddress ? h("p", { class: "field-error", id: "address-error", role: "alert", hidden: true }) : null,
          wantsAddress ? settingsBtn : null,
          problems,
          go,
          h("button", { type: "button", class: "secondary", id: "back", text: "Back", style: "margin-top:.75rem",
            onclick: function () { call("navigate", { to: { to: "back" } }); } })
        ])
      ]);
      document.getElementById("ramp-form").addEventListener("submit", submit);
    }
    if (config) return draw(config);
    show([h("h1", { text: title }), loading("Loading currencies…")]);
    call("ramp_config").then(draw, function (err) { show([h("h1", { text: title }), errorBox(err, function () { form(type); })]); });
  }

  // --- QR scanning on phones: the camera preview is behind the (transparent) webview ----------
  var scanBar = document.getElementById("scan-bar");
  var cancelScan = null;
  function startScanning(onCancel) {
    cancelScan = onCancel;
    document.documentElement.classList.add("scanning");
    scanBar.hidden = false;
  }
  function stopScanning() {
    cancelScan = null;
    document.documentElement.classList.remove("scanning");
    scanBar.hidden = true;
  }
  document.getElementById("scan-cancel").addEventListener("click", function () { if (cancelScan) cancelScan(); stopScanning(); });

  // --- Widget open -------------------------------------------------------------------------
  var widgetState = { loaded: false, timedOut: false };
  function widgetOpen(tx) {
    if (config && config.widget_mode === "browser") {
      // Browser mode: the widget runs in the system browser; this screen follows the status.
      return show([
        h("h1", { text: "Continue in your browser" }),
        h("p", { id: "widget-note", text: "Verify your identity and pay in the browser tab that just opened. " +
          "When you finish, you come back here; this screen follows the status either way." }),
        statusCard(tx),
        h("button", { type: "button", class: "secondary", id: "close-widget", text: "Back to the app",
          onclick: function () { invoke("close_widget"); } })
      ]);
    }
    show([
      h("h1", { text: "Payment window open" }),
      h("p", { id: "widget-note", text: widgetState.timedOut
        ? "The payment page is taking too long to load."
        : "Verify your identity and pay in the secure payment window. This screen follows the status." }),
      widgetState.loaded || widgetState.timedOut ? null : loading("Loading the payment page…"),
      widgetState.timedOut ? h("button", { type: "button", id: "widget-retry", text: "Start again",
        onclick: function () { invoke("close_widget").then(function () { call("navigate", { to: { to: "back" } }); }); } }) : null,
      statusCard(tx),
      h("button", { type: "button", class: "secondary", id: "close-widget", text: "Close payment window", onclick: askClose })
    ]);
  }

  function askClose() {
    if (typeof confirmDialog.showModal === "function") confirmDialog.showModal();
    else if (window.confirm("Leave the payment?")) invoke("close_widget");
  }
  document.getElementById("confirm-stay").addEventListener("click", function () { confirmDialog.close(); });
  document.getElementById("confirm-leave").addEventListener("click", function () {
    confirmDialog.close();
    invoke("close_widget");
  });

  // --- Transaction -------------------------------------------------------------------------
  var txFacts = {};
  function latest(tx) {
    var list = statuses[tx];
    return list && list.length ? list[list.length - 1].status : null;
  }

  function statusCard(tx, facts) {
    facts = facts || txFacts[tx] || {};
    var list = statuses[tx] || [];
    var last = list.length ? list[list.length - 1] : null;
    var st = last ? last.status : "pending";
    return h("section", { class: "card", id: "status-card", "aria-labelledby": "status-title" }, [
      h("h2", { id: "status-title", text: "Status" }),
      h("p", { id: "tx-status", class: "status-" + st, "data-status": st, text: STATUS_TEXT[st] || st }),
      last && last.fiat_amount ? h("p", { class: "muted", text: (last.crypto_amount || "") + " " + (facts.currency || "crypto") +
        " for " + last.fiat_amount + " " + (facts.fiat_currency || "") }) : null,
      h("ol", { class: "timeline", "aria-label": "Status history" }, list.map(function (e) {
        return h("li", { text: (STATUS_TEXT[e.status] || e.status) + " · " + e.occurred_at.replace("T", " ").replace("Z", " UTC") });
      }))
    ]);
  }

  function transaction(tx) {
    show([h("h1", { text: "Transaction" }), loading("Loading…")]);
    call("transaction", { id: tx }).then(function (t) {
      txFacts[tx] = { currency: t.currency, fiat_currency: t.fiat_currency };
      if (!statuses[tx] || !statuses[tx].length) {
        statuses[tx] = [{ seq: 0, status: t.status, occurred_at: t.updated_at, crypto_amount: t.crypto_amount, fiat_amount: t.fiat_amount }];
      }
      var st = latest(tx) || t.status;
      show([
        h("h1", { text: (t.type === "sell" ? "Sell " : "Buy ") + t.amount + " " + t.currency }),
        h("dl", { class: "facts" }, [
          h("dt", { text: "Network" }), h("dd", { text: t.network }),
          h("dt", { text: "Started" }), h("dd", { text: t.created_at.replace("T", " ").replace("Z", " UTC") }),
          t.fiat_amount ? h("dt", { text: "Paid" }) : null,
          t.fiat_amount ? h("dd", { text: t.fiat_amount + " " + (t.fiat_currency || "") }) : null
        ]),
        statusCard(tx),
        st === "pending" || st === "processing" ? h("p", { class: "muted", id: "tx-live-note", text: "This updates by itself, even if you close the app." }) : null,
        h("button", { type: "button", id: "done", text: "Done", onclick: function () { call("navigate", { to: { to: "back" } }); } })
      ]);
    }, function (err) { show([h("h1", { text: "Transaction" }), errorBox(err, function () { transaction(tx); })]); });
  }

  // --- Settings ----------------------------------------------------------------------------
  function settings() {
    show([h("h1", { text: "Settings" }), loading("Loading…")]);
    Promise.all([invoke("app_info"), invoke("event_log")]).then(function (r) {
      var info = r[0], log = r[1];
      var exported = h("pre", { class: "log", id: "log-export", hidden: true });
      show([
        h("h1", { text: "Settings" }),
        h("dl", { class: "facts" }, [
          h("dt", { text: "Environment" }), h("dd", { id: "environment", text: info.environment || "unknown" }),
          h("dt", { text: "Server" }), h("dd", { id: "backend-url", text: info.backend_url }),
          h("dt", { text: "Version" }), h("dd", { text: info.version }),
          h("dt", { text: "Signed in" }), h("dd", { text: info.user ? info.user.email : "no" })
        ]),
        h("h2", { text: "Diagnostics" }),
        h("pre", { class: "log", id: "event-log", "aria-label": "Event log" }, [log.map(function (e) {
          return new Date(e.at_ms).toISOString().slice(11, 19) + " " + e.kind + " " + e.text;
        }).join("\n") || "No events yet."]),
        h("button", { type: "button", class: "secondary", id: "export-log", text: "Export log (redacted)", onclick: function () {
          invoke("export_log").then(function (text) {
            exported.textContent = text || "Nothing to export.";
            exported.hidden = false;
            if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
          });
        } }),
        exported,
        h("button", { type: "button", class: "secondary", id: "sign-out", text: "Sign out", style: "margin-top:.75rem",
          onclick: function () { call("sign_out"); } }),
        h("button", { type: "button", class: "secondary", id: "sign-out-everywhere", text: "Sign out on every device",
          style: "margin-top:.75rem", onclick: function () { call("sign_out_everywhere"); } }),
        h("button", { type: "button", id: "back", text: "Back", style: "margin-top:.75rem",
          onclick: function () { call("navigate", { to: { to: "back" } }); } })
      ]);
    });
  }

  // --- Events from the core ----------------------------------------------------------------
  listen("screen", function (e) {
    var was = screen.screen;
    screen = e.payload;
    if (screen.screen === "widget" && was !== "widget") widgetState = { loaded: false, timedOut: false };
    render();
  });
  listen("tx-status", function (e) {
    var ev = e.payload;
    var list = statuses[ev.merchant_transaction_id] = statuses[ev.merchant_transaction_id] || [];
    if (!list.some(function (x) { return x.seq === ev.seq && ev.seq > 0; })) list.push(ev);
    list.sort(function (a, b) { return a.seq - b.seq; });
    var card = document.getElementById("status-card");
    if (card && (screen.tx === ev.merchant_transaction_id)) card.replaceWith(statusCard(ev.merchant_transaction_id));
    var note = document.getElementById("tx-live-note");
    if (note && screen.tx === ev.merchant_transaction_id && ["completed", "failed", "cancelled"].indexOf(ev.status) >= 0) note.remove();
    var row = document.querySelector('[data-tx="' + ev.merchant_transaction_id + '"] [data-status]');
    if (row) { row.textContent = STATUS_TEXT[ev.status] || ev.status; row.setAttribute("data-status", ev.status); row.className = "status-" + ev.status; }
  });
  listen("widget-loaded", function () { widgetState.loaded = true; if (screen.screen === "widget") render(); });
  listen("widget-timeout", function () { widgetState.timedOut = true; if (screen.screen === "widget") render(); });
  listen("widget-close-requested", askClose);

  // --- Back: Android's back button/gesture, Escape or Alt+Left on desktop -------------------
  // Inside the widget, back steps back in the widget's own pages, and on its first page asks
  // before leaving the payment; elsewhere it goes to the previous screen; at the root it leaves.
  function goBack() {
    if (confirmDialog.open) { confirmDialog.close(); return; }
    if (cancelScan) { cancelScan(); stopScanning(); return; }
    var s = screen.screen;
    if (s === "widget") { invoke("widget_back").catch(failed); return; }
    if (s === "home" || s === "signed_out") {
      if (T.app && T.app.exit && isMobile) T.app.exit(0).catch(function () {});
      return;
    }
    call("navigate", { to: { to: "back" } });
  }
  var isMobile = /Android|iPhone|iPad/.test(navigator.userAgent);
  if (isMobile && T.app && T.app.onBackButtonPress) T.app.onBackButtonPress(goBack).catch(function () {});
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" || (e.altKey && e.key === "ArrowLeft")) { e.preventDefault(); goBack(); }
  });

  document.getElementById("offline-retry").addEventListener("click", function () {
    offline.hidden = true;
    render();
  });

  invoke("boot").then(function (s) { screen = s; render(); }, function (err) {
    failed(err);
    show([h("h1", { text: "Proof Ramp" }), errorBox(err, function () { location.reload(); })]);
  });
})();
