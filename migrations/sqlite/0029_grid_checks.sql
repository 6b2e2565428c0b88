-- The overlap and gap check of an area's grids, computed once per boundary version and kept: the
-- fingerprint names the area's and its grids' versions it was computed from (any change of a
-- boundary bumps a version, so a stale row is never served); saving or importing a boundary also
-- deletes the rows of the grid's ancestors in the same transaction.
CREATE TABLE grid_checks (
    area_id     INTEGER NOT NULL UNIQUE REFERENCES areas(id),
    fingerprint TEXT NOT NULL,
    report      TEXT NOT NULL,
    checked_at  INTEGER NOT NULL
);
