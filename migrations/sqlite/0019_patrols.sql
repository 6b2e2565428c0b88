-- Daily patrols (日巡查): the configurable checklist (seeded with the six key areas), patrols with
-- their sampled track and server-computed distance, the checklist results and findings of a patrol
-- (each may become an event), and the daily check-in (签到) of field staff.

CREATE TABLE patrol_checklist_items (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    hint            TEXT NOT NULL DEFAULT '',
    -- The event category a finding under this item is reported as (editable on the finding).
    event_category  TEXT NOT NULL REFERENCES event_categories(code),
    sort            INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1
);
INSERT INTO patrol_checklist_items (name, hint, event_category, sort) VALUES
    ('非法生产', '无证照生产加工、“三合一”场所、违规储存危险品', '03', 1),
    ('非法经营', '无证无照经营、非法行医、非法出租', '0299', 2),
    ('环境卫生与垃圾日产日清', '楼院环境卫生、暴露垃圾、垃圾是否日产日清', '0401', 3),
    ('出店经营与占道经营', '突出门店经营、占道经营、流动摊贩', '0501', 4),
    ('小广告', '乱贴乱画、非法小广告', '0503', 5),
    ('消防通道与安全出口', '消防通道堵塞、安全出口锁闭、楼道堆物', '0301', 6);

CREATE TABLE patrols (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    grid_path       TEXT NOT NULL,
    -- The Beijing date the patrol started on; a patrol across midnight counts for that day.
    day             TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    metres          INTEGER NOT NULL DEFAULT 0,
    points          INTEGER NOT NULL DEFAULT 0,
    findings        INTEGER NOT NULL DEFAULT 0,
    -- The last point counted into the distance (the anchor of the next step).
    last_lat        REAL,
    last_lng        REAL,
    last_at         INTEGER,
    note            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX patrols_one_open ON patrols (account_id) WHERE ended_at IS NULL;
CREATE INDEX patrols_grid_path ON patrols (grid_path, started_at);
CREATE INDEX patrols_account ON patrols (account_id, started_at);

CREATE TABLE patrol_points (
    id              INTEGER PRIMARY KEY,
    patrol_id       INTEGER NOT NULL REFERENCES patrols(id),
    lat             REAL NOT NULL,
    lng             REAL NOT NULL,
    accuracy        REAL NOT NULL,
    at              INTEGER NOT NULL,
    counted         BOOLEAN NOT NULL
);
CREATE INDEX patrol_points_patrol ON patrol_points (patrol_id, at);

CREATE TABLE patrol_checks (
    patrol_id       INTEGER NOT NULL REFERENCES patrols(id),
    item_id         INTEGER NOT NULL REFERENCES patrol_checklist_items(id),
    result          TEXT NOT NULL CHECK (result IN ('ok', 'problem', 'na')),
    note            TEXT NOT NULL DEFAULT '',
    checked_at      INTEGER NOT NULL,
    PRIMARY KEY (patrol_id, item_id)
);

CREATE TABLE patrol_findings (
    id              INTEGER PRIMARY KEY,
    patrol_id       INTEGER NOT NULL REFERENCES patrols(id),
    item_id         INTEGER REFERENCES patrol_checklist_items(id),
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    grid_id         INTEGER NOT NULL REFERENCES areas(id),
    grid_path       TEXT NOT NULL,
    description     TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    lat             REAL,
    lng             REAL,
    found_at        INTEGER NOT NULL,
    event_id        INTEGER REFERENCES events(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX patrol_findings_patrol ON patrol_findings (patrol_id);
CREATE INDEX patrol_findings_grid_path ON patrol_findings (grid_path, found_at);

CREATE TABLE check_ins (
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    day             TEXT NOT NULL,
    at              INTEGER NOT NULL,
    area_id         INTEGER NOT NULL REFERENCES areas(id),
    area_path       TEXT NOT NULL,
    lat             REAL,
    lng             REAL,
    accuracy        REAL,
    PRIMARY KEY (account_id, day)
);
CREATE INDEX check_ins_path ON check_ins (area_path, day);
