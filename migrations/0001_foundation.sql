-- 0001_foundation: tables every module relies on. Forward-only: never edit once landed.

-- Small key/value facts about this database (e.g. when it was created, by which version).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The change feed: one row per change the mirror or the reservation queue makes, in commit
-- order. seq never goes backwards and is never reused (AUTOINCREMENT), so a subscriber resumes
-- with "since=<last seq seen>".
CREATE TABLE feed (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,   -- ISO 8601 UTC with 'Z'
    kind    TEXT NOT NULL,   -- e.g. 'availability', 'reservation'
    client  TEXT,            -- client name, NULL for daemon-wide events
    entity  TEXT,            -- id of the entity that changed
    payload TEXT NOT NULL    -- JSON object
);
