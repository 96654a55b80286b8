-- App sign-in sessions of the reference token scheme: a short bearer token names its session,
-- and a single-use refresh token (stored by hash) renews it. Revoking a session (sign out
-- everywhere, or a refresh token used twice) ends every bearer token that names it.
CREATE TABLE app_sessions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    email         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,           -- unix seconds
    revoked_at    BIGINT
);
CREATE INDEX app_sessions_by_user ON app_sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash    TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES app_sessions (id),
    expires_at    BIGINT NOT NULL,           -- unix seconds
    used_at       BIGINT
);
