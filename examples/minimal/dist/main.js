// One purchase through the Proof Ramp plugin: sign in, start it, show its live status.
const proof = window.__TAURI__.proofRamp;
const { listen } = window.__TAURI__.event;

const who = document.getElementById("who");
const buy = document.getElementById("buy");
const status = document.getElementById("status");

function show(error) {
  status.textContent = error.message;
}

// The status of the open transaction, as the backend reports it (`pending`, ..., `completed`).
listen("tx-status", (event) => {
  status.dataset.status = event.payload.status;
  status.textContent = `Status: ${event.payload.status}`;
});

document.getElementById("sign-in").addEventListener("click", () => {
  // A sandbox persona; in your app, your own sign-in gives the backend its user.
  proof.signIn("verified", true).then((user) => {
    who.textContent = `Signed in as ${user.email}`;
    buy.disabled = false;
  }, show);
});

buy.addEventListener("click", () => {
  const request = { type: "buy", currency: "USDT", network: "TRC20", amount: "25" };
  proof.startRamp(request).then((id) => {
    status.dataset.tx = id;
    status.textContent = "Opening the payment window...";
  }, show);
});
