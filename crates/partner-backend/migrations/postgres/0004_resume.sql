-- A transaction's Proof session, kept while Proof would still accept it, so the owner can
-- continue an unfinished purchase with a fresh single-use link to the same transaction. Cleared
-- once it expires or the transaction ends.
ALTER TABLE transactions ADD COLUMN resume_session TEXT;
ALTER TABLE transactions ADD COLUMN resume_until BIGINT;             -- unix seconds
