-- Which backend instance watches a transaction upstream, and until when its lease runs
-- (unix milliseconds). One watcher per transaction across the cluster.
ALTER TABLE transactions ADD COLUMN watch_holder TEXT;
ALTER TABLE transactions ADD COLUMN watch_until BIGINT;

-- Per-key rate limits (GCRA), shared by every instance: the theoretical arrival time of the
-- next request, unix ms.
CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    tat           BIGINT NOT NULL
);
