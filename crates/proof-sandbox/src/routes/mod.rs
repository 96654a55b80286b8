//! HTTP surface of the sandbox. The request pipeline, in order:
//!
//! 1. `request_id`: every answer carries `X-Request-Id`; one log line per request.
//! 2. `gate` (Proof API routes only): bearer auth → registered `Origin` → injected faults.
//! 3. The handler: parse → validate → change state → respond in Proof's shapes.

pub(crate) mod api;
pub(crate) mod challenge;
pub(crate) mod control;
pub(crate) mod kyc;
pub(crate) mod sessions;
pub(crate) mod transactions;
pub(crate) mod widget;
pub(crate) mod ws;
