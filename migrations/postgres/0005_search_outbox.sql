-- The search index is derived from the database: every write to a searchable record adds a row
-- here in the same transaction; a worker refreshes the record in the index and deletes the row
-- once the index confirmed. Rows of one record are applied in order; a failed row is
-- retried later (available_at) without blocking other records.
CREATE TABLE search_outbox (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_type   TEXT NOT NULL,
    entity_id     BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    available_at  TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT
);
CREATE INDEX search_outbox_entity ON search_outbox (entity_type, entity_id, id);
