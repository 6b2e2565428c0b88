-- The special-population report and sign-off stream (报送/签收): which department kind signs which kind
-- (editable, with the sign-off limit and card threshold), the submissions and their history.

CREATE TABLE submission_mapping (
    kind            TEXT PRIMARY KEY CHECK (kind IN ('floating', 'released_prisoner', 'community_correction', 'drug_user', 'mental_disorder', 'at_risk_youth')),
    department_kind TEXT NOT NULL CHECK (department_kind IN ('police_station', 'justice_office', 'health_center', 'urban_mgmt', 'civil_affairs', 'education', 'other')),
    sign_limit      TEXT NOT NULL DEFAULT '3d',
    yellow_pct      INTEGER NOT NULL DEFAULT 75 CHECK (yellow_pct BETWEEN 1 AND 100),
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1
);

INSERT INTO submission_mapping (kind, department_kind, enabled) VALUES
    ('floating', 'police_station', TRUE),
    ('drug_user', 'police_station', TRUE),
    ('mental_disorder', 'health_center', TRUE),
    ('community_correction', 'justice_office', TRUE),
    ('released_prisoner', 'justice_office', TRUE),
    ('at_risk_youth', 'police_station', FALSE);

CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    kind            TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('created', 'changed')),
    town_id         INTEGER NOT NULL REFERENCES areas(id),
    town_path       TEXT NOT NULL,
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    grid_path       TEXT NOT NULL,
    department_kind TEXT NOT NULL,
    department_id   INTEGER REFERENCES departments(id),
    -- No active department of the mapped kind in the town: the town centre sees it as 无对应部门.
    no_department   BOOLEAN NOT NULL DEFAULT FALSE,
    state           TEXT NOT NULL CHECK (state IN ('waiting', 'signed', 'returned')),
    sent_by         INTEGER NOT NULL REFERENCES accounts(id),
    sent_at         INTEGER NOT NULL,
    last_sent_at    INTEGER NOT NULL,
    limit_minutes   INTEGER NOT NULL,
    yellow_at       INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    signed_by       INTEGER REFERENCES accounts(id),
    signed_at       INTEGER,
    returned_by     INTEGER REFERENCES accounts(id),
    returned_at     INTEGER,
    return_reason   TEXT NOT NULL DEFAULT '',
    resends         INTEGER NOT NULL DEFAULT 0,
    -- What was sent, masked (ID numbers and phones only as 510725********1234 / 139****5678).
    snapshot        TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
-- One open (waiting or returned) submission per person and kind: a change updates or resends it.
CREATE UNIQUE INDEX submissions_open_once ON submissions (person_id, kind) WHERE state IN ('waiting', 'returned');
CREATE INDEX submissions_department ON submissions (department_id, state, deadline);
CREATE INDEX submissions_grid_path ON submissions (grid_path, state);
CREATE INDEX submissions_town ON submissions (town_id, sent_at);
CREATE INDEX submissions_sent_at ON submissions (sent_at);
CREATE INDEX submissions_person ON submissions (person_id, kind, id);

CREATE TABLE submission_steps (
    id              INTEGER PRIMARY KEY,
    submission_id   INTEGER NOT NULL REFERENCES submissions(id),
    action          TEXT NOT NULL,
    account_id      INTEGER REFERENCES accounts(id),
    actor_name      TEXT NOT NULL,
    from_state      TEXT,
    to_state        TEXT NOT NULL,
    department_id   INTEGER REFERENCES departments(id),
    note            TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    at              INTEGER NOT NULL
);
CREATE INDEX submission_steps_submission ON submission_steps (submission_id, id);
