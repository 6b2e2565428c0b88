-- Grid maps: a change counter of grid boundaries. Triggers bump it in the same transaction as any
-- insert, delete, or change of a grid's boundary, status, place (path) or kind, whichever code path
-- (or other server) makes it; each server's cached coordinate index compares it before a lookup.
CREATE TABLE geo_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
);
INSERT INTO geo_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER areas_geo_insert AFTER INSERT ON areas WHEN NEW.kind = 'grid'
BEGIN
    UPDATE geo_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER areas_geo_update AFTER UPDATE OF boundary, status, path, kind ON areas
WHEN NEW.kind = 'grid' OR OLD.kind = 'grid'
BEGIN
    UPDATE geo_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER areas_geo_delete AFTER DELETE ON areas WHEN OLD.kind = 'grid'
BEGIN
    UPDATE geo_generation SET generation = generation + 1 WHERE id = 1;
END;
