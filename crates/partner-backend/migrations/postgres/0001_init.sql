-- The same schema as migrations/sqlite/0001_init.sql, in PostgreSQL types. `ord` orders
-- transactions created in the same second (SQLite uses its rowid for that).
CREATE TABLE transactions (
    id            TEXT PRIMARY KEY,          -- Proof's merchant_transaction_id
    owner         TEXT NOT NULL,             -- partner_user_id of the app user
    tx_type       TEXT NOT NULL,
    currency      TEXT NOT NULL,
    network       TEXT NOT NULL,
    amount        TEXT NOT NULL,             -- requested crypto amount, decimal string
    status        TEXT NOT NULL,
    status_seq    BIGINT NOT NULL,           -- last seq in status_events
    crypto_amount TEXT,
    fiat_amount   TEXT,
    fiat_currency TEXT,
    created_at    TEXT NOT NULL,             -- ISO 8601 UTC
    updated_at    TEXT NOT NULL,
    ord           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX transactions_by_owner ON transactions (owner, created_at DESC, ord DESC);
CREATE INDEX transactions_open ON transactions (status) WHERE status NOT IN ('completed', 'failed', 'cancelled');

CREATE TABLE status_events (
    tx_id         TEXT NOT NULL REFERENCES transactions (id),
    seq           BIGINT NOT NULL,
    status        TEXT NOT NULL,
    crypto_amount TEXT,
    fiat_amount   TEXT,
    occurred_at   TEXT NOT NULL,
    PRIMARY KEY (tx_id, seq)
);

CREATE TABLE widget_links (
    token_hash    TEXT PRIMARY KEY,
    tx_id         TEXT NOT NULL REFERENCES transactions (id),
    session_json  TEXT,
    expires_at    BIGINT NOT NULL,           -- unix seconds
    used_at       BIGINT
);

CREATE TABLE webhook_receipts (
    tx_id         TEXT NOT NULL,
    status        TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (tx_id, status)
);
