// QR scanning on phones: the camera preview is behind the webview, so the page turns
// transparent and shows only the scan bar with its Cancel control.

const bar = document.getElementById("scan-bar");
let cancel = null;

export function startScanning(onCancel) {
  cancel = onCancel;
  document.documentElement.classList.add("scanning");
  bar.hidden = false;
}

export function stopScanning() {
  cancel = null;
  document.documentElement.classList.remove("scanning");
  bar.hidden = true;
}

/** Cancel a scan in progress; whether there was one. */
export function cancelScan() {
  if (!cancel) return false;
  cancel();
  stopScanning();
  return true;
}

document.getElementById("scan-cancel").addEventListener("click", cancelScan);
