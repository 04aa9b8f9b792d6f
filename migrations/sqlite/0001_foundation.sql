-- Foundation: districts (reference data), social spaces, providers, Kitas, users, tokens, audit.
-- Booleans are INTEGER 0/1, timestamps RFC 3339 text in UTC, dates ISO text.

CREATE TABLE districts (
    ags                        TEXT PRIMARY KEY,
    name                       TEXT NOT NULL UNIQUE,
    kind                       TEXT NOT NULL CHECK (kind IN ('LANDKREIS', 'KREISFREIE_STADT', 'GROSSE_KREISANGEHOERIGE_STADT')),
    nuts3                      TEXT,
    area_km2                   REAL,
    population                 INTEGER,
    population_reference_date  TEXT,
    parent_ags                 TEXT REFERENCES districts (ags)
);

CREATE TABLE social_spaces (
    id           INTEGER PRIMARY KEY,
    district_ags TEXT NOT NULL REFERENCES districts (ags),
    name         TEXT NOT NULL,
    description  TEXT,
    synthetic    INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX social_spaces_name ON social_spaces (district_ags, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE providers (
    id           INTEGER PRIMARY KEY,
    district_ags TEXT NOT NULL REFERENCES districts (ags),
    name         TEXT NOT NULL,
    ownership    TEXT NOT NULL CHECK (ownership IN ('PUBLIC', 'INDEPENDENT')),
    kind         TEXT NOT NULL CHECK (kind IN ('KOMMUNAL', 'KATHOLISCH', 'EVANGELISCH', 'AWO', 'DRK', 'PARITAETISCH', 'ELTERNINITIATIVE', 'SONSTIGE')),
    synthetic    INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX providers_name ON providers (district_ags, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE kitas (
    id               INTEGER PRIMARY KEY,
    district_ags     TEXT NOT NULL REFERENCES districts (ags),
    name             TEXT NOT NULL,
    street           TEXT,
    postal_code      TEXT,
    city             TEXT,
    places           INTEGER NOT NULL CHECK (places >= 0),
    places_under3    INTEGER NOT NULL CHECK (places_under3 >= 0 AND places_under3 <= places),
    provider_id      INTEGER REFERENCES providers (id),
    social_space_id  INTEGER REFERENCES social_spaces (id),
    family_center    INTEGER NOT NULL DEFAULT 0,
    synthetic        INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX kitas_name ON kitas (district_ags, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX kitas_district ON kitas (district_ags, id);
CREATE INDEX kitas_provider ON kitas (provider_id);
CREATE INDEX kitas_social_space ON kitas (social_space_id);

CREATE TABLE kita_tags (
    kita_id  INTEGER NOT NULL REFERENCES kitas (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (kita_id, tag)
);
CREATE INDEX kita_tags_tag ON kita_tags (tag);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'MINISTRY', 'COORDINATOR', 'FACILITATOR')),
    district_ags  TEXT REFERENCES districts (ags),
    created_at    TEXT NOT NULL,
    CHECK ((role = 'COORDINATOR') = (district_ags IS NOT NULL))
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    email  TEXT NOT NULL,
    at     TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER REFERENCES users (id),
    entity_type    TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    district_ags   TEXT,
    action         TEXT NOT NULL,
    old_version    INTEGER,
    new_version    INTEGER,
    details        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_district ON audit_log (district_ags, id);

