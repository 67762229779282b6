-- 0007_venue_lease, PostgreSQL text: expires_at is a timestamp of the database's clock (now()),
-- so the nodes' clocks never decide who owns a venue. Forward-only: never edit once landed.

CREATE TABLE venue_lease (
    client     TEXT PRIMARY KEY NOT NULL,
    node       TEXT NOT NULL,
    epoch      BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
