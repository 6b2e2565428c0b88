-- Monthly bulletins (月度通报): a draft whose narrative staff may edit, then the published text and
-- figures archived unchanged; every saved text kept as a revision. Assessment (考核) scoring rules.

CREATE TABLE bulletins (
    id              INTEGER PRIMARY KEY,
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    month           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    title           TEXT NOT NULL,
    text            TEXT NOT NULL,
    -- The figures as published (JSON); NULL while a draft (a draft shows today's figures).
    figures         TEXT,
    created_by      INTEGER NOT NULL REFERENCES accounts(id),
    created_at      INTEGER NOT NULL,
    updated_by      INTEGER NOT NULL REFERENCES accounts(id),
    updated_at      INTEGER NOT NULL,
    published_by    INTEGER REFERENCES accounts(id),
    published_at    INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (area_id, month)
);

CREATE TABLE bulletin_revisions (
    id              INTEGER PRIMARY KEY,
    bulletin_id     INTEGER NOT NULL REFERENCES bulletins(id),
    version         INTEGER NOT NULL,
    state           TEXT NOT NULL,
    title           TEXT NOT NULL,
    text            TEXT NOT NULL,
    saved_by        INTEGER NOT NULL REFERENCES accounts(id),
    saved_at        INTEGER NOT NULL
);
CREATE INDEX bulletin_revisions_bulletin ON bulletin_revisions (bulletin_id, version);

CREATE TABLE assessment_rules (
    code            TEXT PRIMARY KEY,
    metric          TEXT NOT NULL CHECK (metric IN ('overdue_events', 'unsigned_submissions', 'inactive_accounts', 'missed_visits', 'low_completion')),
    name            TEXT NOT NULL,
    -- Points deducted per counted item, and the most this rule may deduct in a month.
    points          REAL NOT NULL CHECK (points >= 0),
    max_points      REAL NOT NULL CHECK (max_points >= 0),
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1
);
INSERT INTO assessment_rules (code, metric, name, points, max_points) VALUES
    ('overdue_events', 'overdue_events', '事件超期未办结', 2, 30),
    ('unsigned_submissions', 'unsigned_submissions', '报送信息超期未签收', 1, 20),
    ('inactive_accounts', 'inactive_accounts', '账号不活跃', 3, 30),
    ('missed_visits', 'missed_visits', '特殊人群走访逾期', 1, 20),
    ('low_completion', 'low_completion', '事件办结率低于50%', 10, 10);
INSERT INTO supervision_settings (key, value) VALUES ('assessment_base', '100');
