-- Transactions created through this backend, with their owner and last confirmed status.
CREATE TABLE transactions (
    id            TEXT PRIMARY KEY,          -- Proof's merchant_transaction_id
    owner         TEXT NOT NULL,             -- partner_user_id of the app user
    tx_type       TEXT NOT NULL,
    currency      TEXT NOT NULL,
    network       TEXT NOT NULL,
    amount        TEXT NOT NULL,             -- requested crypto amount, decimal string
    status        TEXT NOT NULL,
    status_seq    INTEGER NOT NULL,          -- last seq in status_events
    crypto_amount TEXT,
    fiat_amount   TEXT,
    fiat_currency TEXT,
    created_at    TEXT NOT NULL,             -- ISO 8601 UTC
    updated_at    TEXT NOT NULL
);
CREATE INDEX transactions_by_owner ON transactions (owner, created_at DESC);
CREATE INDEX transactions_open ON transactions (status) WHERE status NOT IN ('completed', 'failed', 'cancelled');

-- Every status a transaction went through; the SSE stream replays it after Last-Event-ID.
CREATE TABLE status_events (
    tx_id         TEXT NOT NULL REFERENCES transactions (id),
    seq           INTEGER NOT NULL,
    status        TEXT NOT NULL,
    crypto_amount TEXT,
    fiat_amount   TEXT,
    occurred_at   TEXT NOT NULL,
    PRIMARY KEY (tx_id, seq)
);

-- Single-use widget links. Only a hash of the link token is stored; the session (with its
-- short-lived init_token) is erased when the link is opened.
CREATE TABLE widget_links (
    token_hash    TEXT PRIMARY KEY,
    tx_id         TEXT NOT NULL REFERENCES transactions (id),
    session_json  TEXT,
    expires_at    INTEGER NOT NULL,          -- unix seconds
    used_at       INTEGER
);

-- Webhook deliveries already seen, for idempotency on (merchant_transaction_id, status).
CREATE TABLE webhook_receipts (
    tx_id         TEXT NOT NULL,
    status        TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (tx_id, status)
);
