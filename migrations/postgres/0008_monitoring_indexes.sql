-- Reads of the state overview: a covering index for the position groups, the data age per indicator.
-- covered by one index, without a sort.
CREATE INDEX positions_groups ON positions (district_ags, year, status, fte_e4) WHERE deleted_at IS NULL;

-- The latest Stichtag per district and indicator, kept by every import in its transaction:
-- the overview reads 41 districts' data age from a few hundred rows, not every value.
CREATE TABLE indicator_latest (
    district_ags    TEXT NOT NULL REFERENCES districts (ags),
    indicator_id    BIGINT NOT NULL REFERENCES indicator_definitions (id),
    reference_date  DATE NOT NULL,
    PRIMARY KEY (district_ags, indicator_id)
);
INSERT INTO indicator_latest (district_ags, indicator_id, reference_date)
    SELECT district_ags, indicator_id, MAX(reference_date) FROM indicator_values
    GROUP BY district_ags, indicator_id;
