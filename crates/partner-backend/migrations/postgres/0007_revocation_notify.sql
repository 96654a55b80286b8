-- A revoked app session is announced on `proof_ramp_revoked` by the statement that revokes it,
-- inside its transaction: the notification is delivered exactly when (and only if) the
-- revocation commits, in commit order, whoever revoked it (this backend, an operator's SQL).
-- Instances that keep sessions in memory drop them on it.
CREATE FUNCTION proof_ramp_announce_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('proof_ramp_revoked', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER app_sessions_revoked
    AFTER UPDATE OF revoked_at OR DELETE ON app_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION proof_ramp_announce_revocation();
