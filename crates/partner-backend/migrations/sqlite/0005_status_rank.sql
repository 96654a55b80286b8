-- Where each transaction is in its life, written with every status change from the backend's
-- one list (`store::rank` and `TxStatus::is_terminal`), so no statement spells out which
-- statuses are open or in what order they come. Filled here once for the rows that exist.
ALTER TABLE transactions ADD COLUMN status_rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN is_open INTEGER NOT NULL DEFAULT 1;
UPDATE transactions SET
    status_rank = CASE status WHEN 'processing' THEN 2 WHEN 'completed' THEN 3 WHEN 'failed' THEN 3
                              WHEN 'cancelled' THEN 3 ELSE 0 END,
    is_open = CASE WHEN status IN ('completed', 'failed', 'cancelled') THEN 0 ELSE 1 END;
DROP INDEX transactions_open;
CREATE INDEX transactions_open ON transactions (is_open, status_rank);
-- A transaction's links, for when its widget can last be reached.
CREATE INDEX widget_links_by_tx ON widget_links (tx_id);
