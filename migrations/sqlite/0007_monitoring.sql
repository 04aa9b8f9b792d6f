-- Monitoring: the positions a district's budget funds, the money it drew, its concepts' review.

-- A position (Stelle) funded by a pillar of a district's budget in one year. The Kitas it serves
-- and their shares (adding up to 1) are kept in the row as JSON, so every version in the audit
-- trail holds the whole position.
CREATE TABLE positions (
    id                        INTEGER PRIMARY KEY,
    district_ags              TEXT NOT NULL REFERENCES districts (ags),
    year                      INTEGER NOT NULL,
    title                     TEXT NOT NULL,
    role                      TEXT NOT NULL CHECK (role IN ('KITA_SOCIAL_WORK', 'INTERCULTURAL', 'LICENCE_STAFF', 'FAMILY_CENTER', 'NETWORKER', 'KITA_GUIDE', 'COORDINATION', 'OTHER')),
    profile_id                INTEGER REFERENCES knowledge_documents (id),
    fte_e4                    INTEGER NOT NULL CHECK (fte_e4 > 0 AND fte_e4 <= 10000),
    pay_grade                 TEXT,
    employer_kind             TEXT NOT NULL CHECK (employer_kind IN ('YOUTH_OFFICE', 'KITA_PROVIDER', 'INDEPENDENT_PROVIDER')),
    employer_name             TEXT NOT NULL,
    line_supervision          TEXT NOT NULL,
    professional_supervision  TEXT NOT NULL,
    pillar_id                 TEXT NOT NULL,
    pillar_name               TEXT NOT NULL,
    kitas                     TEXT NOT NULL,
    status                    TEXT NOT NULL CHECK (status IN ('PLANNED', 'FILLED', 'VACANT')),
    status_since              TEXT NOT NULL,
    synthetic                 INTEGER NOT NULL DEFAULT 0,
    version                   INTEGER NOT NULL DEFAULT 1,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    deleted_at                TEXT
);
CREATE INDEX positions_district_year ON positions (district_ags, year);
CREATE INDEX positions_year ON positions (year, district_ags);

-- Money drawn (Mittelabruf) per district, year and pillar of the official plan; quarter 0 is
-- the whole year. A correction replaces the amount; the audit trail keeps the old one.
CREATE TABLE spending (
    id            INTEGER PRIMARY KEY,
    district_ags  TEXT NOT NULL REFERENCES districts (ags),
    year          INTEGER NOT NULL,
    pillar_id     TEXT NOT NULL,
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    amount        INTEGER NOT NULL CHECK (amount >= 0),
    synthetic     INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX spending_entry ON spending (district_ags, year, pillar_id, quarter);
CREATE INDEX spending_year ON spending (year, district_ags);

-- The yearly social-space review meeting (Sozialraumkonferenz, Überprüfung der Konzeption).
CREATE TABLE review_meetings (
    id            INTEGER PRIMARY KEY,
    district_ags  TEXT NOT NULL REFERENCES districts (ags),
    held_on       TEXT NOT NULL,
    participants  TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    concept_id    INTEGER REFERENCES concepts (id),
    synthetic     INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX review_meetings_district ON review_meetings (district_ags, held_on);

-- When a decided concept is due for review.
ALTER TABLE concepts ADD COLUMN review_due TEXT;

CREATE INDEX indicator_values_currency ON indicator_values (district_ags, indicator_id, reference_date);
