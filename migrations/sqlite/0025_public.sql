-- The public side: resident reports (随手拍) with their tracking codes, the encrypted call-back
-- phone and what abuse control needs (a keyed hash of the client address, the place); public replies
-- written by handling staff for the tracking page; and a community's office hours and phone for the
-- public board (each save also kept as a revision).

CREATE TABLE public_reports (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL UNIQUE REFERENCES events(id),
    tracking_code   TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL CHECK (source IN ('public_page', 'open311')),
    api_key_id      INTEGER,
    grid_id         INTEGER REFERENCES areas(id),
    category        TEXT NOT NULL,
    lon             REAL,
    lat             REAL,
    address_key     TEXT NOT NULL DEFAULT '',
    client_key      TEXT NOT NULL,
    phone_enc       BLOB,
    phone_masked    TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX public_reports_client ON public_reports (client_key, created_at);
CREATE INDEX public_reports_grid ON public_reports (grid_id, created_at);

CREATE TABLE public_replies (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    body            TEXT NOT NULL,
    unit_name       TEXT NOT NULL,
    signed_name     TEXT NOT NULL DEFAULT '',
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX public_replies_event ON public_replies (event_id, id);

CREATE TABLE area_offices (
    area_id         INTEGER PRIMARY KEY REFERENCES areas(id),
    office_hours    TEXT NOT NULL DEFAULT '',
    office_phone    TEXT NOT NULL DEFAULT '',
    office_address  TEXT NOT NULL DEFAULT '',
    updated_by      INTEGER REFERENCES accounts(id),
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE area_office_revisions (
    id              INTEGER PRIMARY KEY,
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    office_hours    TEXT NOT NULL,
    office_phone    TEXT NOT NULL,
    office_address  TEXT NOT NULL,
    account_id      INTEGER REFERENCES accounts(id),
    actor_name      TEXT NOT NULL,
    at              INTEGER NOT NULL
);
CREATE INDEX area_office_revisions_area ON area_office_revisions (area_id, id);
