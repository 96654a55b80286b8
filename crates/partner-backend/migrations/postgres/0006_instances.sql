-- Running backend instances and the application_name their connections carry. PostgreSQL
-- drops a connection at once when its process dies (the kernel closes its sockets), so an
-- instance with no connection left is gone, and its watcher leases are let go without
-- waiting for them to run out. A clean shutdown removes its own row.
CREATE TABLE instances (
    name          TEXT PRIMARY KEY,
    app_name      TEXT NOT NULL,
    started_at    BIGINT NOT NULL           -- unix seconds
);
CREATE INDEX transactions_by_holder ON transactions (watch_holder) WHERE watch_holder IS NOT NULL;
