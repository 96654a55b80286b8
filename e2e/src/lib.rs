//! End-to-end tests live in `tests/`; see `scripts/e2e`.
