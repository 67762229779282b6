-- agentd: the whole current schema, for reading and review. It is not executed by agentd;
-- the migrations in migrations/ are. A test (tests/unit/store) proves that applying every
-- migration to an empty database yields exactly these objects.
-- user_version: 1

-- Small key/value facts about this database.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The change feed, in commit order; seq is never reused (AUTOINCREMENT).
CREATE TABLE feed (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,   -- ISO 8601 UTC with 'Z'
    kind    TEXT NOT NULL,
    client  TEXT,
    entity  TEXT,
    payload TEXT NOT NULL    -- JSON object
);
