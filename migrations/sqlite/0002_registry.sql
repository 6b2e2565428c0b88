-- The register (一标三实): code tables, houses, households, people, rentals, places, special-population files.
-- ID numbers, phone numbers and special-population files are stored encrypted (SM4-GCM); *_bidx columns
-- hold keyed blind indexes (HMAC) for exact search; *_masked columns hold the masked display form.

CREATE TABLE code_items (
    code_table      TEXT NOT NULL,
    code            TEXT NOT NULL,
    label           TEXT NOT NULL,
    sort            INTEGER NOT NULL,
    PRIMARY KEY (code_table, code)
);

CREATE TABLE houses (
    id              INTEGER PRIMARY KEY,
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    house_no        TEXT NOT NULL UNIQUE,
    road            TEXT NOT NULL DEFAULT '',
    building        TEXT NOT NULL DEFAULT '',
    unit            TEXT NOT NULL DEFAULT '',
    room            TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL,
    house_use       TEXT NOT NULL,
    floor_area      REAL,
    owner_name      TEXT NOT NULL DEFAULT '',
    owner_id_enc    BLOB,
    owner_id_bidx   TEXT,
    owner_id_masked TEXT,
    owner_phone_enc BLOB,
    owner_phone_masked TEXT,
    hazard          TEXT NOT NULL DEFAULT '',
    lon             REAL,
    lat             REAL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'demolished', 'deleted')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX houses_grid ON houses (grid_id, status);
CREATE INDEX houses_address ON houses (address);

CREATE TABLE households (
    id              INTEGER PRIMARY KEY,
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    household_no    TEXT NOT NULL UNIQUE,
    house_id        INTEGER REFERENCES houses(id),
    address         TEXT NOT NULL DEFAULT '',
    head_person_id  INTEGER,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'deleted')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX households_grid ON households (grid_id);

CREATE TABLE persons (
    id              INTEGER PRIMARY KEY,
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    kind            TEXT NOT NULL CHECK (kind IN ('registered', 'floating', 'foreigner', 'left_behind')),
    name            TEXT NOT NULL,
    name_initials   TEXT NOT NULL,
    former_name     TEXT NOT NULL DEFAULT '',
    id_type         TEXT NOT NULL DEFAULT '111',
    id_enc          BLOB NOT NULL,
    id_bidx         TEXT NOT NULL,
    id_masked       TEXT NOT NULL,
    sex             TEXT NOT NULL CHECK (sex IN ('male', 'female', 'unknown')),
    birth_date      TEXT NOT NULL,
    ethnicity       TEXT NOT NULL DEFAULT '01',
    native_place    TEXT NOT NULL DEFAULT '',
    marital_status  TEXT NOT NULL DEFAULT '',
    political_status TEXT NOT NULL DEFAULT '',
    education       TEXT NOT NULL DEFAULT '',
    religion        TEXT NOT NULL DEFAULT '',
    occupation      TEXT NOT NULL DEFAULT '',
    workplace       TEXT NOT NULL DEFAULT '',
    phone_enc       BLOB,
    phone_bidx      TEXT,
    phone_masked    TEXT NOT NULL DEFAULT '',
    registered_address TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    house_id        INTEGER REFERENCES houses(id),
    household_id    INTEGER REFERENCES households(id),
    relation_to_head TEXT NOT NULL DEFAULT '',
    extra           TEXT NOT NULL DEFAULT '{}',
    tags            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moved_out', 'deceased', 'left', 'deleted')),
    status_date     TEXT,
    status_reason   TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX persons_id_unique ON persons (id_type, id_bidx) WHERE status <> 'deleted';
CREATE INDEX persons_grid ON persons (grid_id, status, kind);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_initials ON persons (name_initials);
CREATE INDEX persons_phone ON persons (phone_bidx);
CREATE INDEX persons_house ON persons (house_id);
CREATE INDEX persons_household ON persons (household_id);

CREATE TABLE rentals (
    id              INTEGER PRIMARY KEY,
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    house_id        INTEGER NOT NULL REFERENCES houses(id),
    landlord_name   TEXT NOT NULL,
    landlord_phone_enc BLOB,
    landlord_phone_masked TEXT NOT NULL DEFAULT '',
    start_date      TEXT NOT NULL,
    end_date        TEXT,
    rental_use      TEXT NOT NULL,
    police_registered BOOLEAN NOT NULL DEFAULT FALSE,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended', 'deleted')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rentals_grid ON rentals (grid_id, status);
CREATE INDEX rentals_house ON rentals (house_id);

CREATE TABLE rental_tenants (
    rental_id       INTEGER NOT NULL REFERENCES rentals(id),
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (rental_id, person_id)
);
CREATE INDEX rental_tenants_person ON rental_tenants (person_id);

CREATE TABLE places (
    id              INTEGER PRIMARY KEY,
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    name            TEXT NOT NULL,
    place_type      TEXT NOT NULL,
    credit_code     TEXT,
    legal_person    TEXT NOT NULL DEFAULT '',
    safety_person   TEXT NOT NULL DEFAULT '',
    contact_phone_enc BLOB,
    contact_phone_masked TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    lon             REAL,
    lat             REAL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'deleted')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX places_grid ON places (grid_id, status);
CREATE UNIQUE INDEX places_credit_code ON places (credit_code) WHERE credit_code IS NOT NULL AND status <> 'deleted';

CREATE TABLE special_files (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    kind            TEXT NOT NULL CHECK (kind IN ('released_prisoner', 'community_correction', 'drug_user', 'mental_disorder', 'at_risk_youth')),
    data_enc        BLOB NOT NULL,
    next_visit_due  TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'deleted')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX special_files_person_kind ON special_files (person_id, kind) WHERE status <> 'deleted';
CREATE INDEX special_files_due ON special_files (next_visit_due);

CREATE TABLE special_visits (
    id              INTEGER PRIMARY KEY,
    file_id         INTEGER NOT NULL REFERENCES special_files(id),
    visited_on      TEXT NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    note_enc        BLOB NOT NULL,
    next_visit_due  TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX special_visits_file ON special_visits (file_id);

CREATE TABLE person_transfers (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    from_grid_id    INTEGER NOT NULL REFERENCES areas(id),
    to_grid_id      INTEGER NOT NULL REFERENCES areas(id),
    requested_by    INTEGER NOT NULL REFERENCES accounts(id),
    requested_at    INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by      INTEGER REFERENCES accounts(id),
    decided_at      INTEGER,
    decision_note   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX person_transfers_from ON person_transfers (from_grid_id, status);
CREATE INDEX person_transfers_to ON person_transfers (to_grid_id, status);
