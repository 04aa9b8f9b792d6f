-- The state overview groups every position of the years so far by district, year and status:
-- covered by one index, without a sort.
CREATE INDEX positions_groups ON positions (district_ags, year, status, fte_e4) WHERE deleted_at IS NULL;
