-- Sign-in throttling per key (an account with an address, an address, an account): the
-- failures since the last success and the earliest time the next attempt is heard. One row per
-- key, changed by compare-and-set, so parallel attempts cannot slip past the count.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    key            TEXT PRIMARY KEY,
    failures       BIGINT NOT NULL,
    blocked_until  TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- API tokens expire; the last use is kept (to the minute) so owners see stale tokens.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMPTZ;

-- Outbox rows the index refused again and again, with the last error: out of the queue so they
-- hold up nothing, kept so nobody loses sight of them (readiness, metrics, `srb reindex`).
CREATE TABLE search_outbox_dead (
    id           BIGINT PRIMARY KEY,
    entity_type  TEXT NOT NULL,
    entity_id    BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    failed_at    TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL,
    last_error   TEXT NOT NULL
);

-- Which index the outbox feeds. Every instance that consumes the outbox must feed the same
-- index: an embedded index is one instance's own, so a second live feeder is refused.
CREATE TABLE search_feed (
    id            SMALLINT PRIMARY KEY CHECK (id = 1),
    target        TEXT NOT NULL,
    holder        TEXT NOT NULL,
    heartbeat_at  TIMESTAMPTZ NOT NULL
);

-- Tokens from before expiry existed get the standard 90 days from now.
UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
