-- 三员分立: an account an administrator creates waits for another administrator to activate it; every
-- creation and reset is recorded with who issued it, its one-time setup code (SHA-256 only, 24 h) and
-- the holder's first sign-in after it, which the audit administrator's watch list shows.

ALTER TABLE accounts ADD COLUMN created_by INTEGER REFERENCES accounts(id);
ALTER TABLE accounts ADD COLUMN awaiting_activation BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE credential_issues (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    kind            TEXT NOT NULL CHECK (kind IN ('created', 'reset')),
    issued_by       INTEGER REFERENCES accounts(id),
    issued_at       INTEGER NOT NULL,
    code_hash       TEXT,
    expires_at      INTEGER,
    used_at         INTEGER,
    first_login_at  INTEGER,
    first_login_ip  TEXT
);
CREATE INDEX credential_issues_account ON credential_issues (account_id, issued_at);
CREATE INDEX credential_issues_first_login ON credential_issues (first_login_at);
