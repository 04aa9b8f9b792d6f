-- Allocation in the platform: indicators with provenance, cost rates, concepts, runs, official plans.
-- Exact decimals (indicator values) are TEXT, parsed by the platform; money is BIGINT cents.

-- What an indicator means. district_ags NULL: defined for the whole state (the state key's two).
CREATE TABLE indicator_definitions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags  TEXT REFERENCES districts (ags),
    key           TEXT NOT NULL,
    label         TEXT NOT NULL,
    unit          TEXT NOT NULL CHECK (unit IN ('COUNT', 'SHARE')),
    level         TEXT NOT NULL CHECK (level IN ('KITA', 'SOCIAL_SPACE', 'DISTRICT')),
    direction     TEXT NOT NULL CHECK (direction IN ('MORE_IS_NEED', 'LESS_IS_NEED')),
    description   TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX indicator_definitions_state_key ON indicator_definitions (key) WHERE district_ags IS NULL;
CREATE UNIQUE INDEX indicator_definitions_district_key ON indicator_definitions (district_ags, key) WHERE district_ags IS NOT NULL;

-- The state key's two indicators (§ 25 Abs. 5 KiTaG): part of the law, so always present.
INSERT INTO indicator_definitions (district_ags, key, label, unit, level, direction, description, created_at) VALUES
    (NULL, 'kinder_u7', 'Kinder unter 7 Jahren', 'COUNT', 'DISTRICT', 'MORE_IS_NEED', 'Landesschlüssel (§ 25 Abs. 5 KiTaG)', CURRENT_TIMESTAMP),
    (NULL, 'kinder_u7_sgb2', 'Kinder unter 7 Jahren in SGB-II-Bedarfsgemeinschaften', 'COUNT', 'DISTRICT', 'MORE_IS_NEED', 'Landesschlüssel (§ 25 Abs. 5 KiTaG)', CURRENT_TIMESTAMP);

-- A file taken in: what, by whom, with which hash.
CREATE TABLE imports (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags   TEXT NOT NULL REFERENCES districts (ags),
    kind           TEXT NOT NULL CHECK (kind IN ('INDICATORS')),
    year           INTEGER NOT NULL,
    file_name      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    rows           INTEGER NOT NULL,
    inserted       INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    actor_user_id  BIGINT REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX imports_district ON imports (district_ags, id);

-- One value per indicator, data year and subject (a Kita, a social space or a district). A year's
-- values never touch another year's: history is kept by construction.
CREATE TABLE indicator_values (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id     BIGINT NOT NULL REFERENCES indicator_definitions (id),
    year             INTEGER NOT NULL,
    district_ags     TEXT NOT NULL REFERENCES districts (ags),
    subject          TEXT NOT NULL,
    kita_id          BIGINT REFERENCES kitas (id),
    social_space_id  BIGINT REFERENCES social_spaces (id),
    value            TEXT NOT NULL,
    reference_date   DATE NOT NULL,
    source           TEXT NOT NULL,
    import_id        BIGINT REFERENCES imports (id),
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX indicator_values_subject ON indicator_values (indicator_id, year, subject);
CREATE INDEX indicator_values_district ON indicator_values (district_ags, year);

-- Cost of a full-time position per role and year; district_ags NULL: the state's default.
CREATE TABLE cost_rates (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags  TEXT REFERENCES districts (ags),
    role          TEXT NOT NULL,
    year          INTEGER NOT NULL,
    cost_per_fte  BIGINT NOT NULL CHECK (cost_per_fte > 0),
    source        TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX cost_rates_state ON cost_rates (role, year) WHERE district_ags IS NULL;
CREATE UNIQUE INDEX cost_rates_district ON cost_rates (district_ags, role, year) WHERE district_ags IS NOT NULL;

-- A district's concept (Konzeption): the engine's rule document and its life cycle.
CREATE TABLE concepts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags    TEXT NOT NULL REFERENCES districts (ags),
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('DRAFT', 'DECIDED', 'ARCHIVED')),
    decided_on      DATE,
    valid_from      INTEGER,
    valid_to        INTEGER,
    derived_from_id BIGINT REFERENCES concepts (id),
    document        TEXT NOT NULL,
    synthetic       BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    deleted_at      TIMESTAMPTZ,
    CHECK (status = 'DRAFT' OR decided_on IS NOT NULL),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX concepts_name ON concepts (district_ags, lower(name)) WHERE deleted_at IS NULL;

-- A computed allocation: immutable once written.
CREATE TABLE allocation_runs (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags     TEXT NOT NULL REFERENCES districts (ags),
    concept_id       BIGINT NOT NULL REFERENCES concepts (id),
    concept_version  INTEGER NOT NULL,
    year             INTEGER NOT NULL,
    budget           BIGINT NOT NULL,
    allocated        BIGINT NOT NULL,
    previous_run_id  BIGINT REFERENCES allocation_runs (id),
    input_hash       TEXT NOT NULL,
    engine_version   TEXT NOT NULL,
    result           BYTEA NOT NULL, -- the full result: JSON, gzip-compressed (about a tenth of the size)
    created_by       BIGINT REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX allocation_runs_district ON allocation_runs (district_ags, year, id);

-- The run a district names its official plan for a year.
CREATE TABLE official_plans (
    district_ags  TEXT NOT NULL REFERENCES districts (ags),
    year          INTEGER NOT NULL,
    run_id        BIGINT NOT NULL REFERENCES allocation_runs (id),
    named_by      BIGINT REFERENCES users (id),
    named_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (district_ags, year)
);
