-- The knowledge store: workshops with their sessions and contributions, and the documents
-- districts write for each other (role profiles, staffing ideas, cooperation models).
-- Who may read a record is its publication level: PUBLIC, REGISTERED (signed-in users) or
-- DISTRICT (the owning district only, which it then must have).

CREATE TABLE workshops (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags  TEXT REFERENCES districts (ags),
    title         TEXT NOT NULL,
    held_on       DATE NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('ONLINE', 'IN_PERSON', 'HYBRID')),
    organisers    TEXT NOT NULL DEFAULT '[]',
    description   TEXT,
    publication   TEXT NOT NULL CHECK (publication IN ('PUBLIC', 'REGISTERED', 'DISTRICT')),
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted_at    TIMESTAMPTZ,
    CHECK (publication <> 'DISTRICT' OR district_ags IS NOT NULL)
);
CREATE INDEX workshops_held_on ON workshops (held_on);

-- Agenda items and theme rooms, in agenda order by position; parallel rooms share a time slot.
CREATE TABLE workshop_sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id   BIGINT NOT NULL REFERENCES workshops (id),
    kind          TEXT NOT NULL CHECK (kind IN ('AGENDA_ITEM', 'THEME_ROOM', 'BREAK')),
    title         TEXT NOT NULL,
    position      INTEGER NOT NULL,
    starts_at     TEXT,
    ends_at       TEXT,
    moderators    TEXT NOT NULL DEFAULT '[]',
    inputs        TEXT NOT NULL DEFAULT '[]',
    description   TEXT,
    -- Contributions so far: the next one's position. Incremented under the row lock, so
    -- concurrent captures in one session get distinct, gapless positions.
    contribution_count INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted_at    TIMESTAMPTZ
);
CREATE INDEX workshop_sessions_workshop ON workshop_sessions (workshop_id, position);

CREATE TABLE contributions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id    BIGINT NOT NULL REFERENCES workshop_sessions (id),
    district_ags  TEXT REFERENCES districts (ags),
    kind          TEXT NOT NULL CHECK (kind IN ('OBSERVATION', 'QUESTION', 'IDEA', 'QUOTE',
                                                'RECOMMENDATION', 'AMBIVALENCE', 'CONCLUSION')),
    body          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted_at    TIMESTAMPTZ,
    UNIQUE (session_id, position)
);

CREATE TABLE contribution_tags (
    contribution_id BIGINT NOT NULL REFERENCES contributions (id),
    tag             TEXT NOT NULL,
    PRIMARY KEY (contribution_id, tag)
);
CREATE INDEX contribution_tags_tag ON contribution_tags (tag);

-- Role profiles, staffing ideas and cooperation models share one shape: typed content as JSON
-- (validated by the schema crate), with what lists filter on in columns.
CREATE TABLE knowledge_documents (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('ROLE_PROFILE', 'STAFFING_IDEA', 'COOPERATION_MODEL')),
    district_ags         TEXT REFERENCES districts (ags),
    title                TEXT NOT NULL,
    -- The role of a profile, the category of a staffing idea.
    category             TEXT,
    status               TEXT NOT NULL CHECK (status IN ('DRAFT', 'PUBLISHED')),
    publication          TEXT NOT NULL CHECK (publication IN ('PUBLIC', 'REGISTERED', 'DISTRICT')),
    content              TEXT NOT NULL,
    forked_from_id       BIGINT REFERENCES knowledge_documents (id),
    forked_from_revision INTEGER,
    synthetic            BOOLEAN NOT NULL DEFAULT FALSE,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    deleted_at           TIMESTAMPTZ,
    CHECK (publication <> 'DISTRICT' OR district_ags IS NOT NULL),
    CHECK (kind <> 'ROLE_PROFILE' OR district_ags IS NOT NULL),
    CHECK ((forked_from_id IS NULL) = (forked_from_revision IS NULL))
);
CREATE INDEX knowledge_documents_kind ON knowledge_documents (kind, district_ags);
CREATE INDEX knowledge_documents_fork ON knowledge_documents (forked_from_id);

CREATE TABLE knowledge_document_tags (
    document_id BIGINT NOT NULL REFERENCES knowledge_documents (id),
    tag         TEXT NOT NULL,
    PRIMARY KEY (document_id, tag)
);
CREATE INDEX knowledge_document_tags_tag ON knowledge_document_tags (tag);

-- Every saved state of a document, written in the same transaction as the change.
CREATE TABLE knowledge_revisions (
    document_id  BIGINT NOT NULL REFERENCES knowledge_documents (id),
    revision     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    category     TEXT,
    status       TEXT NOT NULL,
    publication  TEXT NOT NULL,
    content      TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    saved_at     TIMESTAMPTZ NOT NULL,
    saved_by     BIGINT REFERENCES users (id),
    PRIMARY KEY (document_id, revision)
);
