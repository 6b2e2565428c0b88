-- Daily huddles (日碰头会) per community: the huddle of a day, the problems on its record (pulled
-- from open events and patrol findings, or added by hand) which carry over day to day until solved,
-- and one entry per problem per day with the decision and who follows up (history, never overwritten).

CREATE TABLE huddles (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES areas(id),
    day             TEXT NOT NULL,
    held_by         INTEGER NOT NULL REFERENCES accounts(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (community_id, day)
);

CREATE TABLE huddle_items (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES areas(id),
    community_path  TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('event', 'finding', 'manual')),
    event_id        INTEGER REFERENCES events(id),
    finding_id      INTEGER REFERENCES patrol_findings(id),
    grid_id         INTEGER REFERENCES areas(id),
    title           TEXT NOT NULL,
    first_day       TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'solved')),
    solved_day      TEXT,
    solved_at       INTEGER,
    solved_by       INTEGER REFERENCES accounts(id),
    created_by      INTEGER NOT NULL REFERENCES accounts(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX huddle_items_community ON huddle_items (community_id, state, first_day);
CREATE UNIQUE INDEX huddle_items_event ON huddle_items (community_id, event_id) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX huddle_items_finding ON huddle_items (community_id, finding_id) WHERE finding_id IS NOT NULL;

CREATE TABLE huddle_entries (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES huddle_items(id),
    day             TEXT NOT NULL,
    decision        TEXT NOT NULL,
    follow_up_staff_id   INTEGER REFERENCES staff(id),
    follow_up_account_id INTEGER REFERENCES accounts(id),
    follow_up_name  TEXT NOT NULL DEFAULT '',
    solved          BOOLEAN NOT NULL DEFAULT FALSE,
    created_by      INTEGER NOT NULL REFERENCES accounts(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX huddle_entries_item ON huddle_entries (item_id, day);
