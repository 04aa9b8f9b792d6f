-- Sign-in sessions of the web interface: the cookie holds a random secret, the database its
-- SHA-256, so a session can be revoked (sign-out, an administrator) on every instance at once.
CREATE TABLE web_sessions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
