-- The field app (PWA): receipts of synced operations (so a re-sent operation answers its first result)
-- and photos uploaded ahead of the operation that uses them.

CREATE TABLE field_receipts (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    -- The operation id the phone generated (a UUID).
    op_id       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    -- pending (being applied), applied, conflict or rejected.
    state       TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'conflict', 'rejected')),
    -- The id of the record the operation created or changed (for later operations that refer to it).
    record_id   INTEGER,
    -- The answer given the first time (JSON).
    result      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, op_id)
);

CREATE TABLE field_uploads (
    id            TEXT PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    -- The phone's key for this photo (so a re-sent upload answers the same id).
    client_key    TEXT NOT NULL,
    file_id       TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX field_uploads_key ON field_uploads (account_id, client_key);
