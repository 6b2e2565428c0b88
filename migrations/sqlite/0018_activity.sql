-- Account activity (账号活跃度): one row per account per Beijing day it was used, and the
-- supervision settings (activity thresholds, whether reading counts) as named values.

CREATE TABLE account_activity (
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    day             TEXT NOT NULL,
    -- 'write' when the account did business that day (any write, patrol, visit, check-in);
    -- 'read' when it only read (counted only when the setting says reading counts).
    kind            TEXT NOT NULL CHECK (kind IN ('read', 'write')),
    first_at        INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
);
-- An account's days in a period, with their kind, read from the index alone.
CREATE INDEX account_activity_days ON account_activity (account_id, day, kind);

CREATE TABLE supervision_settings (
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    updated_by      INTEGER REFERENCES accounts(id)
);
INSERT INTO supervision_settings (key, value) VALUES
    ('activity_min_days_month', '20'),
    ('activity_min_days_week', '5'),
    ('activity_counts_reads', 'false');
