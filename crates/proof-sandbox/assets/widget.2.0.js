/*
 * Proof sandbox widget: a stand-in for https://widget.proof.community/widget.2.0.js.
 *
 * Implements the documented contract, proofWidget.run({...}) with the session options and the
 * callbacks onLoad, onReady, onStatusChange, onPaymentFinished and onSellTransferEnabled, and
 * renders an emulated flow inside `host`: identity documents, a liveness check through the
 * camera, then a test payment (buy) or deposit (sell). Every step is reported to the sandbox
 * server, which advances the transaction that polling, the WebSocket and webhooks report.
 *
 * Nothing here is real: no identity is checked and no money moves.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = script && script.src ? new URL("/_sandbox/widget/", script.src).href : "/_sandbox/widget/";
  var REQUIRED = ["widgetId", "host", "address", "signature", "initToken", "initTokenType",
    "merchantTransactionId", "currency", "network", "amount"];
  var POLL_MS = 1000;

  var CSS = [
    ".pw-root{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#14171f;background:#fff;",
    "border:1px solid #d9dde6;border-radius:14px;max-width:440px;margin:0 auto;overflow:hidden;text-align:left}",
    ".pw-root.pw-dark{color:#eef0f5;background:#171a21;border-color:#2c313c}",
    ".pw-banner{background:#ffb020;color:#14171f;font-weight:700;font-size:13px;letter-spacing:.04em;",
    "padding:6px 14px;text-transform:uppercase}",
    ".pw-body{padding:18px 18px 20px}",
    ".pw-body h2{font-size:20px;margin:0 0 6px}",
    ".pw-body p{margin:6px 0 12px}",
    ".pw-muted{opacity:.75;font-size:14px}",
    ".pw-row{display:flex;justify-content:space-between;gap:12px;padding:6px 0;border-bottom:1px solid rgba(127,127,127,.2)}",
    ".pw-row span:last-child{font-weight:600;word-break:break-all;text-align:right}",
    ".pw-btn{display:block;width:100%;min-height:48px;margin:10px 0 0;border:0;border-radius:10px;font:inherit;",
    "font-weight:600;cursor:pointer;background:#3553ff;color:#fff}",
    ".pw-btn[disabled]{opacity:.45;cursor:not-allowed}",
    ".pw-btn.pw-secondary{background:transparent;color:inherit;border:1px solid currentColor}",
    ".pw-error{background:#fde8e8;color:#8a1020;border-radius:10px;padding:10px 12px;margin:10px 0}",
    ".pw-ok{background:#e4f7ea;color:#0d5b26;border-radius:10px;padding:10px 12px;margin:10px 0}",
    ".pw-video{width:100%;aspect-ratio:4/3;background:#000;border-radius:12px;object-fit:cover;transform:scaleX(-1)}",
    ".pw-steps{display:flex;gap:6px;margin:0 0 12px}.pw-steps i{flex:1;height:4px;border-radius:2px;background:rgba(127,127,127,.3)}",
    ".pw-steps i.pw-on{background:#3553ff}",
    "label.pw-label{display:block;font-weight:600;margin:12px 0 4px}",
    "select.pw-input,input.pw-input{width:100%;min-height:44px;font:inherit;box-sizing:border-box}",
    ".pw-root [hidden]{display:none!important}"
  ].join("");

  function call(options, name, payload) {
    var cb = options[name];
    if (typeof cb !== "function") return;
    try {
      if (payload === undefined) cb(); else cb(payload);
    } catch (e) {
      console.error("[proof sandbox] " + name + " threw", e);
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function row(label, value) {
    return el("div", { class: "pw-row" }, [el("span", { text: label }), el("span", { text: value })]);
  }

  function post(path, body) {
    return fetch(BASE + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var e = new Error(j.message || "HTTP " + r.status);
          e.status = r.status;
          e.code = j.code;
          throw e;
        }
        return j;
      });
    });
  }

  function Flow(options) {
    this.o = options;
    this.auth = {
      init_token: String(options.initToken),
      widget_id: String(options.widgetId),
      signature: String(options.signature),
      merchant_transaction_id: String(options.merchantTransactionId)
    };
    this.state = null;
    this.stream = null;
    this.finishedSent = false;
    this.sellAnnounced = false;
    this.lastStatus = null;
    var root = el("div", { class: "pw-root" + (options.theme === "dark" ? " pw-dark" : ""), "data-testid": "proof-widget" });
    root.appendChild(el("style", { text: CSS }));
    root.appendChild(el("div", { class: "pw-banner", role: "note", text: "Sandbox \u2014 no real verification or payment" }));
    this.body = el("div", { class: "pw-body", "aria-live": "polite" });
    root.appendChild(this.body);
    options.host.innerHTML = "";
    options.host.appendChild(root);
  }

  Flow.prototype.show = function (step, children) {
    this.body.innerHTML = "";
    this.body.setAttribute("data-step", step);
    var order = ["documents", "liveness", "payment", "done"];
    var at = order.indexOf(step === "deposit" ? "payment" : step === "processing" ? "done" : step);
    if (at >= 0) {
      this.body.appendChild(el("div", { class: "pw-steps", "aria-hidden": "true" },
        order.map(function (_, i) { return el("i", { class: i <= at ? "pw-on" : "" }); })));
    }
    var body = this.body;
    children.forEach(function (c) { if (c) body.appendChild(c); });
  };

  Flow.prototype.error = function (message, retry) {
    var self = this;
    this.show("error", [
      el("h2", { text: "Something went wrong" }),
      el("div", { class: "pw-error", role: "alert", id: "pw-error", text: message }),
      retry ? el("button", { class: "pw-btn", id: "pw-retry", text: "Try again", onclick: retry }) : null
    ]);
    void self;
  };

  Flow.prototype.statusChange = function (status) {
    var s = this.state || {};
    call(this.o, "onStatusChange", {
      amount: String(s.amount || this.o.amount || ""),
      currency: String(s.currency || this.o.currency || ""),
      network: String(s.network || this.o.network || ""),
      fiat_amount: String(s.fiat_quote || ""),
      fiat_currency: String(s.fiat_currency || this.o.fiatCurrency || ""),
      merchant_transaction_id: String(this.o.merchantTransactionId),
      status: status,
      payment_method: String(s.payment_method || (s.type === "buy" ? "card" : ""))
    });
  };

  Flow.prototype.request = function (path, extra) {
    var body = Object.assign({}, this.auth, extra || {});
    var self = this;
    return post(path, body).then(function (state) {
      self.state = state;
      return state;
    });
  };

  Flow.prototype.refresh = function () {
    var self = this;
    return this.request("state").then(function (s) { self.render(s); }, function (e) { self.fail(e); });
  };

  Flow.prototype.fail = function (e) {
    var self = this;
    var msg;
    if (e.status === 401) msg = "This widget session is not valid (" + e.message + ").";
    else if (e.status === 403) msg = "This page's origin is not registered with Proof (" + e.message + ").";
    else if (e.status === 409) msg = "This transaction has already ended. Start a new one.";
    else if (e.status) msg = "The sandbox refused the request: " + e.message;
    else msg = "Cannot reach the Proof sandbox. Check your connection and try again.";
    this.error(msg, e.status === 401 || e.status === 403 || e.status === 409 ? null : function () { self.refresh(); });
  };

  Flow.prototype.render = function (s) {
    var step = s.next_step;
    if (step === "documents") return this.documents(s);
    if (step === "liveness") return this.liveness(s);
    if (step === "review") return this.review(s);
    if (step === "payment") return this.payment(s);
    if (step === "deposit") return this.deposit(s);
    if (step === "processing") return this.processing(s);
    return this.done(s);
  };

  Flow.prototype.cancelButton = function () {
    var self = this;
    return el("button", {
      class: "pw-btn pw-secondary", id: "pw-cancel", text: "Cancel",
      onclick: function () {
        self.request("action", { action: "cancel" }).then(function (s) {
          self.statusChange("cancelled");
          self.render(s);
        }, function (e) { self.fail(e); });
      }
    });
  };

  Flow.prototype.documents = function (s) {
    var self = this;
    var file = el("input", { class: "pw-input", id: "pw-document", type: "file", accept: "image/*", capture: "environment",
      "aria-label": "Photo of your identity document" });
    var go = el("button", { class: "pw-btn", id: "pw-documents-continue", text: "Continue", disabled: "" });
    file.addEventListener("change", function () {
      if (file.files && file.files.length) go.removeAttribute("disabled"); else go.setAttribute("disabled", "");
    });
    go.addEventListener("click", function () {
      if (!file.files || !file.files.length) return;
      go.setAttribute("disabled", "");
      go.textContent = "Uploading\u2026";
      self.request("kyc", { step: "documents" }).then(function (st) {
        self.statusChange("kyc_documents_submitted");
        self.render(st);
      }, function (e) { self.fail(e); });
    });
    this.show("documents", [
      el("h2", { text: "Verify your identity" }),
      el("p", { text: s.kyc_status === "failed"
        ? "Your last verification did not pass. Upload your document again to retry."
        : "Before your first purchase we need a photo of your passport, national ID card or driving licence." }),
      el("label", { class: "pw-label", for: "pw-doc-type", text: "Document" }),
      el("select", { class: "pw-input", id: "pw-doc-type" }, ["Passport", "National ID card", "Driving licence"].map(function (d) {
        return el("option", { text: d });
      })),
      el("label", { class: "pw-label", for: "pw-document", text: "Photo of the document" }),
      file,
      go,
      this.cancelButton()
    ]);
  };

  Flow.prototype.stopCamera = function () {
    if (this.stream) {
      this.stream.getTracks().forEach(function (t) { t.stop(); });
      this.stream = null;
    }
  };

  Flow.prototype.cameraMessage = function (e) {
    var name = e && e.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return "Camera access was denied. Verification needs a selfie: allow camera access for this app " +
        "(on a phone: Settings \u203a this app \u203a Camera), then tap Try again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
      return "No camera was found. Verification needs a front camera; continue on a device that has one.";
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return "The camera is being used by another app. Close that app, then tap Try again.";
    }
    if (name === "Unsupported") {
      return "The camera is not available in this page (it must be served over https). Open the widget from the app again.";
    }
    return "The camera could not start (" + (e && e.message ? e.message : "unknown error") + "). Tap Try again.";
  };

  Flow.prototype.liveness = function () {
    var self = this;
    var video = el("video", { class: "pw-video", id: "pw-preview", autoplay: "", playsinline: "", muted: "",
      "aria-label": "Camera preview", hidden: "" });
    video.muted = true;
    var problem = el("div", { class: "pw-error", role: "alert", id: "pw-camera-error", hidden: "" });
    var start = el("button", { class: "pw-btn", id: "pw-camera-start", text: "Start camera" });
    var capture = el("button", { class: "pw-btn", id: "pw-capture", text: "Take selfie", hidden: "" });

    start.addEventListener("click", function () {
      problem.setAttribute("hidden", "");
      var md = navigator.mediaDevices;
      var ask = md && md.getUserMedia ? md.getUserMedia({ video: true })
        : Promise.reject({ name: "Unsupported", message: "navigator.mediaDevices is missing" });
      start.setAttribute("disabled", "");
      ask.then(function (stream) {
        self.stream = stream;
        video.srcObject = stream;
        video.removeAttribute("hidden");
        start.setAttribute("hidden", "");
        capture.removeAttribute("hidden");
        self.body.setAttribute("data-camera", "live");
      }, function (e) {
        problem.textContent = self.cameraMessage(e);
        problem.removeAttribute("hidden");
        start.removeAttribute("disabled");
        start.textContent = "Try again";
        self.body.setAttribute("data-camera", "error");
      });
    });

    capture.addEventListener("click", function () {
      if (!video.videoWidth) {
        problem.textContent = "The camera has not shown a picture yet. Hold still and tap Take selfie again.";
        problem.removeAttribute("hidden");
        return;
      }
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      self.stopCamera();
      capture.setAttribute("disabled", "");
      capture.textContent = "Checking\u2026";
      self.request("kyc", { step: "liveness" }).then(function (st) {
        self.statusChange(st.kyc_status === "failed" ? "kyc_failed" : st.kyc_status === "verified" ? "kyc_verified" : "kyc_pending");
        if (st.kyc_status === "failed") self.finished();
        self.render(st);
      }, function (e) { self.fail(e); });
    });

    this.show("liveness", [
      el("h2", { text: "Take a selfie" }),
      el("p", { text: "We compare a short selfie with your document. Your camera is used only for this check." }),
      video, problem, start, capture, this.cancelButton()
    ]);
  };

  Flow.prototype.review = function () {
    this.show("review", [
      el("h2", { text: "Verification under review" }),
      el("p", { text: "Your documents are being checked. This usually takes a few minutes; you can close this window and come back later." }),
      this.cancelButton()
    ]);
  };

  Flow.prototype.summary = function (s) {
    return [
      row("You get", s.type === "sell" ? (s.fiat_quote || "\u2014") + " " + s.fiat_currency : s.amount + " " + s.currency),
      row(s.type === "sell" ? "You send" : "You pay", s.type === "sell" ? s.amount + " " + s.currency : (s.fiat_quote || "\u2014") + " " + s.fiat_currency),
      row("Network", s.network),
      row(s.type === "sell" ? "Deposit address" : "To wallet", s.address)
    ];
  };

  Flow.prototype.finished = function () {
    if (this.finishedSent) return;
    this.finishedSent = true;
    call(this.o, "onPaymentFinished", { payment_method: "card" });
  };

  Flow.prototype.payment = function (s) {
    var self = this;
    var pay = el("button", { class: "pw-btn", id: "pw-pay", text: "Pay " + (s.fiat_quote || "") + " " + s.fiat_currency });
    pay.addEventListener("click", function () {
      pay.setAttribute("disabled", "");
      pay.textContent = "Paying\u2026";
      self.request("action", { action: "pay" }).then(function (st) {
        self.statusChange(st.status === "failed" ? "payment_failed" : st.status === "cancelled" ? "cancelled" : "paid");
        self.finished();
        self.render(st);
      }, function (e) { self.fail(e); });
    });
    this.show("payment", [
      el("h2", { text: "Buy " + s.currency }),
    ].concat(this.summary(s), [
      el("p", { class: "pw-muted", text: "Test card 4242 4242 4242 4242 \u00b7 any expiry \u00b7 any CVC" }),
      pay,
      this.cancelButton()
    ]));
  };

  Flow.prototype.deposit = function (s) {
    var self = this;
    if (!this.sellAnnounced) {
      this.sellAnnounced = true;
      call(this.o, "onSellTransferEnabled", {
        amount: String(s.amount), currency: String(s.currency), network: String(s.network),
        address: String(s.address), id: String(s.merchant_transaction_id), flow_id: "payout"
      });
    }
    var sent = el("button", { class: "pw-btn", id: "pw-deposit-sent", text: "I have sent " + s.amount + " " + s.currency });
    sent.addEventListener("click", function () {
      sent.setAttribute("disabled", "");
      self.request("action", { action: "deposit_sent" }).then(function (st) {
        self.statusChange("deposit_received");
        self.render(st);
      }, function (e) { self.fail(e); });
    });
    this.show("deposit", [
      el("h2", { text: "Sell " + s.currency }),
      el("p", { text: "Send exactly " + s.amount + " " + s.currency + " on " + s.network + " to the address below within the deposit window. The payout goes to your card." })
    ].concat(this.summary(s), [sent, this.cancelButton()]));
  };

  Flow.prototype.processing = function () {
    var self = this;
    this.show("processing", [
      el("h2", { text: "Processing" }),
      el("p", { text: "Your transaction is being completed. This takes a moment." })
    ]);
    setTimeout(function () {
      self.request("state").then(function (st) {
        if (st.status !== self.lastStatus && st.status !== "processing") self.statusChange(st.status);
        self.lastStatus = st.status;
        self.render(st);
      }, function (e) { self.fail(e); });
    }, POLL_MS);
  };

  Flow.prototype.done = function (s) {
    this.stopCamera();
    var text = {
      completed: ["Done", "pw-ok", s.type === "sell" ? "Your payout is on its way to your card." : "Your " + s.currency + " is on its way to your wallet."],
      failed: ["Not completed", "pw-error", s.kyc_status === "failed"
        ? "We could not verify your identity. You can try again with a new transaction."
        : "The payment did not go through. No money was taken; you can try again with a new transaction."],
      cancelled: ["Cancelled", "pw-error", "The transaction was cancelled. Nothing was charged."]
    }[s.status] || ["Finished", "pw-ok", "Status: " + s.status];
    this.show("done", [
      el("h2", { text: text[0] }),
      el("div", { class: text[1], id: "pw-result", "data-status": s.status, role: "status", text: text[2] })
    ]);
  };

  function run(options) {
    options = options || {};
    var host = options.host;
    if (typeof host === "string") host = document.querySelector(host);
    if (!host || !host.appendChild) {
      console.error("[proof sandbox] proofWidget.run needs `host`: the DOM element to render into");
      return;
    }
    options = Object.assign({}, options, { host: host });
    var missing = REQUIRED.filter(function (k) { return options[k] === undefined || options[k] === null || options[k] === ""; });
    var flow = new Flow(options);
    if (missing.length) {
      console.error("[proof sandbox] proofWidget.run is missing: " + missing.join(", "));
      flow.error("The widget was started without: " + missing.join(", ") +
        ". Pass every field of the session response to proofWidget.run.");
      return;
    }
    call(options, "onLoad");
    flow.show("loading", [el("p", { text: "Loading\u2026" })]);
    flow.request("state").then(function (s) {
      flow.lastStatus = s.status;
      flow.render(s);
      call(options, "onReady");
    }, function (e) {
      flow.fail(e);
      call(options, "onReady");
    });
  }

  window.proofWidget = { run: run, version: "2.0.0-sandbox" };
})();
