/*
 * Host page glue: runs the Proof widget with the session's fields, exactly as the reference maps
 * them, and reports each widget callback to the app by navigating to the widget event URL. The
 * app intercepts and cancels those navigations; a plain browser gets 204 and stays on the page.
 * In browser mode (config.return_url set) the leaving events, payment finished and close, open the
 * app's return link instead, which brings the app back with the same query.
 * There is no IPC here, by design.
 */
(function () {
  "use strict";

  function data(id) {
    try { return JSON.parse(document.getElementById(id).textContent); } catch (e) { return null; }
  }

  var session = data("proof-session");
  var cfg = data("host-config");
  var statusBox = document.getElementById("host-status");

  function say(text) {
    statusBox.textContent = text;
    statusBox.hidden = false;
  }

  // One navigation at a time: a second one started too soon would cancel the first.
  var queue = [];
  var busy = false;
  function pump() {
    if (busy || !queue.length) return;
    busy = true;
    window.location.href = queue.shift();
    setTimeout(function () { busy = false; pump(); }, 300);
  }
  function eventUrl(base, params) {
    var url = new URL(base);
    url.searchParams.set("v", "1");
    url.searchParams.set("tx", cfg.tx);
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
    });
    return url.toString();
  }
  function report(params) {
    if (params.event === "payment_finished" && cfg.return_url) {
      var link = document.getElementById("host-return-link");
      link.href = eventUrl(cfg.return_url, params);
      document.getElementById("host-return").hidden = false;
      link.focus();
      return;
    }
    queue.push(eventUrl(cfg.event_url, params));
    pump();
  }

  // The way out: Close asks first; Back steps back while there is somewhere to go.
  var leave = document.getElementById("host-leave");
  var closeLink = document.getElementById("host-close");
  var stepBack = document.getElementById("host-step-back");
  function askLeave() {
    if (leave.open) return true;
    if (typeof leave.showModal === "function") {
      leave.showModal();
      return true;
    }
    return false;
  }
  window.proofRampAskLeave = askLeave;
  closeLink.addEventListener("click", function (e) {
    if (askLeave()) e.preventDefault();
  });
  document.getElementById("host-stay").addEventListener("click", function () { leave.close(); });
  function canGoBack() {
    if (window.navigation && typeof window.navigation.canGoBack === "boolean") return window.navigation.canGoBack;
    return history.length > 1;
  }
  function updateBack() { stepBack.hidden = !canGoBack(); }
  stepBack.addEventListener("click", function () { history.back(); });
  window.addEventListener("popstate", updateBack);
  if (window.navigation && window.navigation.addEventListener) {
    window.navigation.addEventListener("currententrychange", updateBack);
  }
  setInterval(updateBack, 1000);
  updateBack();

  if (!session || !cfg) {
    say(statusBox.getAttribute("data-incomplete"));
    return;
  }
  if (!window.proofWidget || typeof window.proofWidget.run !== "function") {
    say(statusBox.getAttribute("data-load-failed"));
    return;
  }

  var s = session;
  window.proofWidget.run({
    widgetId: s.widget_id,
    host: document.getElementById("proof-widget"),
    address: s.address,
    signature: s.signature,
    initToken: s.init_token,
    initTokenType: s.init_token_type,
    merchantTransactionId: s.merchant_transaction_id,
    currency: s.currency,
    network: s.network,
    amount: s.amount,
    fixCurrency: s.fix_currency,
    fixNetwork: s.fix_network,
    fixAmount: s.fix_amount,
    fiatCurrency: s.fiat_currency,
    type: s.type,
    onLoad: function () {},
    onReady: function () { report({ event: "ready" }); },
    onStatusChange: function (d) {
      d = d || {};
      report({ event: "status", status: d.status, payment_method: d.payment_method });
    },
    onPaymentFinished: function (d) {
      d = d || {};
      report({ event: "payment_finished", payment_method: d.payment_method });
    },
    onSellTransferEnabled: function (d) {
      d = d || {};
      report({ event: "sell_transfer_enabled", amount: d.amount, currency: d.currency, network: d.network, address: d.address });
    }
  });
})();
