-- The platform foundation: area tree, departments, staff, accounts, sessions, tokens, files, audit trail.
-- Times are Unix milliseconds (UTC); dates are ISO 'YYYY-MM-DD' text.

CREATE TABLE areas (
    id              INTEGER PRIMARY KEY,
    parent_id       INTEGER REFERENCES areas(id),
    kind            TEXT NOT NULL CHECK (kind IN ('county', 'town', 'community', 'grid')),
    subkind         TEXT NOT NULL,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    path            TEXT NOT NULL UNIQUE,
    depth           INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    boundary        TEXT,
    households      INTEGER,
    area_note       TEXT,
    note            TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    retired_at      INTEGER,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX areas_parent ON areas (parent_id);
CREATE INDEX areas_kind_path ON areas (kind, path);

CREATE TABLE area_moves (
    id              INTEGER PRIMARY KEY,
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    from_parent_id  INTEGER NOT NULL REFERENCES areas(id),
    to_parent_id    INTEGER NOT NULL REFERENCES areas(id),
    from_code       TEXT NOT NULL,
    to_code         TEXT NOT NULL,
    moved_at        INTEGER NOT NULL,
    account_id      INTEGER
);
CREATE INDEX area_moves_area ON area_moves (area_id);

CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    purpose         TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    area_id         INTEGER REFERENCES areas(id),
    created_by      INTEGER,
    created_at      INTEGER NOT NULL
);

CREATE TABLE departments (
    id              INTEGER PRIMARY KEY,
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    kind            TEXT NOT NULL CHECK (kind IN ('police_station', 'justice_office', 'health_center', 'urban_mgmt', 'civil_affairs', 'education', 'other')),
    name            TEXT NOT NULL,
    contact_person  TEXT,
    contact_phone   TEXT,
    address         TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (area_id, name)
);

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    position        TEXT NOT NULL CHECK (position IN ('grid_worker', 'grid_leader', 'community_staff', 'centre_staff')),
    employment      TEXT NOT NULL CHECK (employment IN ('full_time', 'part_time')),
    duties          TEXT NOT NULL DEFAULT '',
    photo_file_id   TEXT REFERENCES files(id),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX staff_area ON staff (area_id);

CREATE TABLE staff_assignments (
    id              INTEGER PRIMARY KEY,
    staff_id        INTEGER NOT NULL REFERENCES staff(id),
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    duty            TEXT NOT NULL CHECK (duty IN ('worker', 'leader')),
    start_date      TEXT NOT NULL,
    end_date        TEXT,
    created_at      INTEGER NOT NULL,
    created_by      INTEGER
);
CREATE INDEX staff_assignments_grid ON staff_assignments (grid_id);
CREATE INDEX staff_assignments_staff ON staff_assignments (staff_id);

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL,
    area_id              INTEGER REFERENCES areas(id),
    department_id        INTEGER REFERENCES departments(id),
    staff_id             INTEGER REFERENCES staff(id),
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    totp_secret          TEXT,
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       INTEGER,
    demo                 BOOLEAN NOT NULL DEFAULT FALSE,
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'retired')),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    last_login_at        INTEGER,
    version              INTEGER NOT NULL DEFAULT 1,
    CHECK ((area_id IS NULL) <> (department_id IS NULL))
);
CREATE INDEX accounts_area ON accounts (area_id);
CREATE INDEX accounts_department ON accounts (department_id);
CREATE INDEX accounts_staff ON accounts (staff_id);

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    csrf_token      TEXT NOT NULL,
    totp_verified   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    ip              TEXT,
    user_agent      TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    prefix          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE login_failures (
    username        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL,
    locked_until    INTEGER
);

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    account_id      INTEGER,
    username        TEXT NOT NULL,
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    detail          TEXT NOT NULL,
    ip              TEXT NOT NULL,
    request_id      TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_account ON audit_log (account_id, at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The audit trail is append-only, enforced by the database as well as the application.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
