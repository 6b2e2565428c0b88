-- Open311 GeoReport v2: the API keys third-party apps post requests with (only the SHA-256 of a key
-- is stored; the key is shown once), each with its own hourly limit counted in a fixed window, and one
-- row per accepted post: the token that resolves to the request (the resident report's tracking code),
-- the key it came with, and the media_url the app gave.

CREATE TABLE open311_keys (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    owner           TEXT NOT NULL,
    key_hash        TEXT NOT NULL UNIQUE,
    prefix          TEXT NOT NULL,
    rate_per_hour   INTEGER NOT NULL CHECK (rate_per_hour BETWEEN 1 AND 100000),
    window_start    INTEGER NOT NULL DEFAULT 0,
    window_count    INTEGER NOT NULL DEFAULT 0,
    created_by      INTEGER NOT NULL REFERENCES accounts(id),
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER,
    revoked_by      INTEGER REFERENCES accounts(id)
);

CREATE TABLE open311_posts (
    token           TEXT PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    key_id          INTEGER NOT NULL REFERENCES open311_keys(id),
    media_url       TEXT NOT NULL DEFAULT '',
    duplicate       BOOLEAN NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX open311_posts_event ON open311_posts (event_id, created_at);
CREATE INDEX open311_posts_key ON open311_posts (key_id, created_at);
