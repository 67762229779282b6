-- 0007_venue_lease: which node drives which venue client (store/lease). On SQLite one node
-- owns every client and the table only ever names it; the PostgreSQL text keeps expires_at as
-- a timestamp of the database's clock. Forward-only: never edit once landed.

CREATE TABLE venue_lease (
    client     TEXT PRIMARY KEY NOT NULL,
    node       TEXT NOT NULL,
    epoch      INTEGER NOT NULL,  -- raised by every acquisition; write jobs fence on it
    expires_at TEXT NOT NULL      -- ISO 8601 UTC with 'Z', database clock
) WITHOUT ROWID;
