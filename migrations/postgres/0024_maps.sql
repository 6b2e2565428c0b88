-- Grid maps: a covering index for the cheap change marker of grid boundaries (count and sum of
-- versions of grid rows; every change of a grid's boundary, status or place bumps its version),
-- read before each coordinate lookup so every server's cached index notices changes made elsewhere.
CREATE INDEX areas_kind_version ON areas (kind, version);
