-- The search index is derived from the database: every write to a searchable record adds a row
-- here in the same transaction; a worker refreshes the record in the index and deletes the row
-- once the index confirmed. Rows of one record are applied in order; a failed row is
-- retried later (available_at) without blocking other records.
CREATE TABLE search_outbox (
    id            INTEGER PRIMARY KEY,
    entity_type   TEXT NOT NULL,
    entity_id     INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    available_at  TEXT NOT NULL,
    claimed_until TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT
);
CREATE INDEX search_outbox_entity ON search_outbox (entity_type, entity_id, id);
