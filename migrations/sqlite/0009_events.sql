-- The closed loop (事件流转): categories with time limits, the work calendar, events with their holder,
-- timed step and card, the timeline of steps, files, links to the register, supervision and notifications.

CREATE TABLE event_categories (
    code            TEXT PRIMARY KEY,
    parent_code     TEXT REFERENCES event_categories(code),
    name            TEXT NOT NULL,
    sort            INTEGER NOT NULL,
    -- Which parts of the structured description are required: what, where, when, who, how_many.
    required_fields TEXT NOT NULL DEFAULT 'what,where',
    is_dispute      BOOLEAN NOT NULL DEFAULT FALSE,
    accept_limit    TEXT NOT NULL DEFAULT '4h',
    handle_limit    TEXT NOT NULL DEFAULT '3d',
    verify_limit    TEXT NOT NULL DEFAULT '1d',
    yellow_pct      INTEGER NOT NULL DEFAULT 75 CHECK (yellow_pct BETWEEN 1 AND 500),
    red_pct         INTEGER NOT NULL DEFAULT 100 CHECK (red_pct BETWEEN 1 AND 500),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE work_calendar (
    day             TEXT PRIMARY KEY,
    working         BOOLEAN NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    category        TEXT NOT NULL REFERENCES event_categories(code),
    severity        TEXT NOT NULL CHECK (severity IN ('normal', 'major', 'urgent')),
    channel         TEXT NOT NULL CHECK (channel IN ('grid_worker', 'resident', 'hotline', 'patrol', 'upper_level', 'video')),
    title           TEXT NOT NULL,
    details         TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    lon             REAL,
    lat             REAL,
    grid_id         INTEGER REFERENCES areas(id),
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    area_path       TEXT NOT NULL,
    needs_grid      BOOLEAN NOT NULL DEFAULT FALSE,
    state           TEXT NOT NULL,
    holder_area_id  INTEGER REFERENCES areas(id),
    holder_department_id INTEGER REFERENCES departments(id),
    sender_area_id  INTEGER REFERENCES areas(id),
    sender_department_id INTEGER REFERENCES departments(id),
    reporter_account_id INTEGER NOT NULL REFERENCES accounts(id),
    step            TEXT,
    step_started_at INTEGER,
    deadline        INTEGER,
    yellow_at       INTEGER,
    red_at          INTEGER,
    card            TEXT NOT NULL DEFAULT 'none' CHECK (card IN ('none', 'yellow', 'red')),
    next_card_at    INTEGER,
    extension_minutes INTEGER NOT NULL DEFAULT 0,
    extension_pending INTEGER,
    satisfaction    INTEGER,
    merged_into     INTEGER REFERENCES events(id),
    reported_at     INTEGER NOT NULL,
    accepted_at     INTEGER,
    accepted_on_time BOOLEAN,
    completed_at    INTEGER,
    closed_at       INTEGER,
    closed_on_time  BOOLEAN,
    close_due_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_holder_area ON events (holder_area_id, state, deadline);
CREATE INDEX events_holder_department ON events (holder_department_id, state, deadline);
CREATE INDEX events_area_path ON events (area_path, reported_at);
CREATE INDEX events_reporter ON events (reporter_account_id, reported_at);
CREATE INDEX events_reported_at ON events (reported_at);
CREATE INDEX events_closed_at ON events (closed_at);
CREATE INDEX events_next_card ON events (next_card_at);
CREATE INDEX events_state_grid ON events (state, grid_id);

CREATE TABLE event_steps (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    action          TEXT NOT NULL,
    account_id      INTEGER REFERENCES accounts(id),
    actor_name      TEXT NOT NULL,
    from_state      TEXT,
    to_state        TEXT NOT NULL,
    holder_label    TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    step            TEXT,
    step_minutes    INTEGER,
    limit_minutes   INTEGER,
    at              INTEGER NOT NULL
);
CREATE INDEX event_steps_event ON event_steps (event_id, id);
CREATE INDEX event_steps_account ON event_steps (account_id, at);

CREATE TABLE event_files (
    event_id        INTEGER NOT NULL REFERENCES events(id),
    step_id         INTEGER REFERENCES event_steps(id),
    file_id         TEXT NOT NULL REFERENCES files(id),
    stage           TEXT NOT NULL CHECK (stage IN ('before', 'after')),
    PRIMARY KEY (event_id, file_id)
);

CREATE TABLE event_links (
    event_id        INTEGER NOT NULL REFERENCES events(id),
    kind            TEXT NOT NULL CHECK (kind IN ('person', 'house', 'place')),
    target_id       INTEGER NOT NULL,
    PRIMARY KEY (event_id, kind, target_id)
);

-- Departments that have held an event (they keep seeing it after handing it back).
CREATE TABLE event_departments (
    event_id        INTEGER NOT NULL REFERENCES events(id),
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (event_id, department_id)
);
CREATE INDEX event_departments_department ON event_departments (department_id, event_id);

CREATE TABLE supervisions (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    level           TEXT NOT NULL CHECK (level IN ('ordinary', 'yellow', 'red')),
    step            TEXT NOT NULL,
    step_started_at INTEGER NOT NULL,
    area_id         INTEGER REFERENCES areas(id),
    account_id      INTEGER REFERENCES accounts(id),
    note            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX supervisions_event ON supervisions (event_id);
CREATE INDEX supervisions_area ON supervisions (area_id, created_at);
-- A card fires once per step, however many job runners race for it.
CREATE UNIQUE INDEX supervisions_card_once ON supervisions (event_id, level, step, step_started_at) WHERE account_id IS NULL;

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    event_id        INTEGER REFERENCES events(id),
    kind            TEXT NOT NULL,
    text            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    read_at         INTEGER
);
CREATE INDEX notifications_account ON notifications (account_id, read_at, id);
