// What the UI remembers between renders. The core owns the truth (screen, sign-in, statuses);
// this is what was last heard from it.

export const state = {
  screen: { screen: "signed_out" },
  config: null,
  /** Transaction id → status events, oldest first. */
  statuses: {},
  /** Transaction id → {currency, fiat_currency}. */
  facts: {},
  /** Transaction id → true when the core refused the deposit its payment window showed. */
  depositRefused: {},
  /** The widget window: loaded, timed out, stuck (and why). */
  widget: { loaded: false, timedOut: false, stuck: null },
};

export const TERMINAL = ["completed", "failed", "cancelled", "expired"];

/** Ends for which the app offers the partner's support. */
export const UNSUCCESSFUL = ["failed", "cancelled", "expired"];

export function latest(tx) {
  const list = state.statuses[tx];
  return list && list.length ? list[list.length - 1].status : null;
}

/** Add a status event (from the stream or the core's replay), once per seq. */
export function record(ev) {
  const list = (state.statuses[ev.merchant_transaction_id] ||= []);
  if (!list.some((x) => x.seq === ev.seq && ev.seq > 0)) list.push(ev);
  list.sort((a, b) => a.seq - b.seq);
}
