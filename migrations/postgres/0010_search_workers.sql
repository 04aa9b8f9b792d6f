-- Each instance feeding the search index says it is alive; a claimed outbox row names its
-- worker. Rows of a worker that fell silent (killed without a goodbye) go to the others at once
-- instead of waiting out the lease, which must outlast the longest index update.
CREATE TABLE search_workers (
    holder        TEXT PRIMARY KEY,
    heartbeat_at  TIMESTAMPTZ NOT NULL
);
ALTER TABLE search_outbox ADD COLUMN claimed_by TEXT;
