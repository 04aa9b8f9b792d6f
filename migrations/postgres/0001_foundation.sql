-- Foundation: districts (reference data), social spaces, providers, Kitas, users, tokens, audit.
-- Timestamps are TIMESTAMPTZ, booleans BOOLEAN.

CREATE TABLE districts (
    ags                        TEXT PRIMARY KEY,
    name                       TEXT NOT NULL UNIQUE,
    kind                       TEXT NOT NULL CHECK (kind IN ('LANDKREIS', 'KREISFREIE_STADT', 'GROSSE_KREISANGEHOERIGE_STADT')),
    nuts3                      TEXT,
    area_km2                   DOUBLE PRECISION,
    population                 BIGINT,
    population_reference_date  DATE,
    parent_ags                 TEXT REFERENCES districts (ags)
);

CREATE TABLE social_spaces (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags TEXT NOT NULL REFERENCES districts (ags),
    name         TEXT NOT NULL,
    description  TEXT,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    deleted_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX social_spaces_name ON social_spaces (district_ags, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE providers (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags TEXT NOT NULL REFERENCES districts (ags),
    name         TEXT NOT NULL,
    ownership    TEXT NOT NULL CHECK (ownership IN ('PUBLIC', 'INDEPENDENT')),
    kind         TEXT NOT NULL CHECK (kind IN ('KOMMUNAL', 'KATHOLISCH', 'EVANGELISCH', 'AWO', 'DRK', 'PARITAETISCH', 'ELTERNINITIATIVE', 'SONSTIGE')),
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    deleted_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX providers_name ON providers (district_ags, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE kitas (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_ags     TEXT NOT NULL REFERENCES districts (ags),
    name             TEXT NOT NULL,
    street           TEXT,
    postal_code      TEXT,
    city             TEXT,
    places           INTEGER NOT NULL CHECK (places >= 0),
    places_under3    INTEGER NOT NULL CHECK (places_under3 >= 0 AND places_under3 <= places),
    provider_id      BIGINT REFERENCES providers (id),
    social_space_id  BIGINT REFERENCES social_spaces (id),
    family_center    BOOLEAN NOT NULL DEFAULT FALSE,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    deleted_at       TIMESTAMPTZ
);
CREATE UNIQUE INDEX kitas_name ON kitas (district_ags, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX kitas_district ON kitas (district_ags, id);
CREATE INDEX kitas_provider ON kitas (provider_id);
CREATE INDEX kitas_social_space ON kitas (social_space_id);

CREATE TABLE kita_tags (
    kita_id  BIGINT NOT NULL REFERENCES kitas (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (kita_id, tag)
);
CREATE INDEX kita_tags_tag ON kita_tags (tag);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'MINISTRY', 'COORDINATOR', 'FACILITATOR')),
    district_ags  TEXT REFERENCES districts (ags),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK ((role = 'COORDINATOR') = (district_ags IS NOT NULL))
);

CREATE TABLE api_tokens (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);

CREATE TABLE login_failures (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email  TEXT NOT NULL,
    at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);

CREATE TABLE audit_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL,
    actor_user_id  BIGINT REFERENCES users (id),
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

