-- 0001_foundation, PostgreSQL text: as migrations/0001_foundation.sql, except that feed.seq is
-- taken from feed_counter by the appending transaction (store/feed.cpp), not from a sequence:
-- the counter row stays locked until COMMIT, so appends from every node commit in seq order
-- and a subscriber resuming with "since" never skips a row. Also instr(), which SQLite has
-- built in and the shared SQL uses. Forward-only: never edit once landed.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE feed (
    seq     BIGINT PRIMARY KEY,
    at      TEXT NOT NULL,   -- ISO 8601 UTC with 'Z'
    kind    TEXT NOT NULL,   -- e.g. 'availability', 'reservation'
    client  TEXT,            -- client name, NULL for daemon-wide events
    entity  TEXT,            -- id of the entity that changed
    payload TEXT NOT NULL    -- JSON object
);

-- The one row holding the highest seq ever assigned (kept when old feed rows are pruned).
CREATE TABLE feed_counter (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    seq BIGINT NOT NULL
);
INSERT INTO feed_counter (seq) VALUES (0);

CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT strpos(haystack, needle)';
