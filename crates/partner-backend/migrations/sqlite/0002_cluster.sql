-- Which backend instance watches a transaction upstream, and until when its lease runs
-- (unix milliseconds). One watcher per transaction, whatever the number of instances.
ALTER TABLE transactions ADD COLUMN watch_holder TEXT;
ALTER TABLE transactions ADD COLUMN watch_until INTEGER;

-- Per-key rate limits (GCRA): the theoretical arrival time of the next request, unix ms.
CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    tat           INTEGER NOT NULL
);
