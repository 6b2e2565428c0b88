-- Import jobs: a file being imported in the background, with its progress and its error file.
CREATE TABLE import_jobs (
    id              INTEGER PRIMARY KEY,
    entity          TEXT NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    file_name       TEXT NOT NULL,
    total           INTEGER NOT NULL DEFAULT 0,
    processed       INTEGER NOT NULL DEFAULT 0,
    imported        INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    error_file_id   TEXT REFERENCES files(id),
    message         TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX import_jobs_account ON import_jobs (account_id, id);
