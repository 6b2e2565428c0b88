-- Household visits (走访户) with the next visit due, and the indexes the dashboard (驾驶舱) counts by.
-- A visit is never changed: the household keeps the next visit due of its latest visit.

CREATE TABLE household_visits (
    id              INTEGER PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    -- The household's grid when visited (so lists of an area's visits go grid by grid).
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    visited_on      TEXT NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    kind            TEXT NOT NULL CHECK (kind IN ('routine', 'help', 'dispute', 'safety', 'policy', 'other')),
    note_enc        BLOB NOT NULL,
    next_visit_due  TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX household_visits_household ON household_visits (household_id, visited_on);
CREATE INDEX household_visits_grid ON household_visits (grid_id, visited_on);

ALTER TABLE households ADD COLUMN next_visit_due TEXT;
ALTER TABLE households ADD COLUMN last_visited_on TEXT;
-- Counting a grid's households (active) and those overdue for a visit, from the index alone.
CREATE INDEX households_grid_due ON households (grid_id, status, next_visit_due);

CREATE INDEX special_visits_visited ON special_visits (visited_on);

-- Open events of a subtree by state, category, card colour and deadline, from the index alone.
CREATE INDEX events_open_area ON events (area_path, state, category, card, deadline)
    WHERE state NOT IN ('closed', 'evaluated', 'cancelled', 'merged');

-- Special-population files carry their person's grid (kept by the triggers below), so that a town's
-- files are counted grid by grid instead of scanning every file or probing every person.
ALTER TABLE special_files ADD COLUMN grid_id INTEGER REFERENCES areas(id);
UPDATE special_files SET grid_id = (SELECT p.grid_id FROM persons p WHERE p.id = special_files.person_id);
CREATE INDEX special_files_grid ON special_files (grid_id, status, kind, next_visit_due);
CREATE INDEX special_files_person ON special_files (person_id);
CREATE TRIGGER special_files_grid_on_insert AFTER INSERT ON special_files
BEGIN
    UPDATE special_files SET grid_id = (SELECT p.grid_id FROM persons p WHERE p.id = NEW.person_id) WHERE id = NEW.id;
END;
CREATE TRIGGER persons_grid_to_special_files AFTER UPDATE OF grid_id ON persons
WHEN OLD.grid_id <> NEW.grid_id
BEGIN
    UPDATE special_files SET grid_id = NEW.grid_id WHERE person_id = NEW.id;
END;
