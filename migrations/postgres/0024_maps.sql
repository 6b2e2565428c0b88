-- Grid maps: a change counter of grid boundaries. A trigger bumps it in the same transaction as any
-- statement inserting or deleting areas or changing their boundary, status, place (path) or kind,
-- whichever code path (or other server) runs it; each server's cached coordinate index compares it
-- before a lookup.
CREATE TABLE geo_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  BIGINT NOT NULL
);
INSERT INTO geo_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION bump_geo_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE geo_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER areas_geo_generation
AFTER INSERT OR DELETE OR UPDATE OF boundary, status, path, kind ON areas
FOR EACH STATEMENT EXECUTE FUNCTION bump_geo_generation();
