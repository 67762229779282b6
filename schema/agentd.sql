-- agentd: the whole current schema, for reading and review. It is not executed by agentd;
-- the migrations in migrations/ are. A test (tests/unit/store) proves that applying every
-- migration to an empty database yields exactly these objects.
-- user_version: 9

-- Small key/value facts about this database.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The change feed, in commit order; seq is never reused (AUTOINCREMENT). Rows older than
-- daemon.feed_retention are pruned (store/housekeeping).
CREATE TABLE feed (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,   -- ISO 8601 UTC with 'Z'
    kind    TEXT NOT NULL,
    client  TEXT,
    entity  TEXT,
    payload TEXT NOT NULL    -- JSON object
);

-- ===== mirror (migrations/0002_mirror.sql) =====

CREATE TABLE mirror_client (
    name       TEXT PRIMARY KEY NOT NULL,
    account    TEXT NOT NULL,          -- the agent account sync reads through
    seat_status INTEGER                -- 1 offered, 0 switched off after a 404, NULL unknown
) WITHOUT ROWID;

CREATE TABLE mirror_account (
    client TEXT NOT NULL,
    login  TEXT NOT NULL,
    PRIMARY KEY (client, login)
) WITHOUT ROWID;

CREATE TABLE mirror_event (
    client        TEXT NOT NULL,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    image_url     TEXT NOT NULL,
    on_sale       INTEGER NOT NULL,
    instance_dates TEXT NOT NULL,
    first_local   TEXT NOT NULL,
    last_local    TEXT NOT NULL,
    hash          INTEGER NOT NULL,
    misses        INTEGER NOT NULL DEFAULT 0,
    tombstoned    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (client, id)
) WITHOUT ROWID;

CREATE TABLE mirror_instance (
    client        TEXT NOT NULL,
    id            TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    plan_id       TEXT NOT NULL,
    price_list_id TEXT NOT NULL,
    start_local   TEXT NOT NULL,
    start_utc     TEXT NOT NULL,
    on_sale       INTEGER NOT NULL,
    cancelled     INTEGER NOT NULL,   -- cancelled instances stay, flagged
    hash          INTEGER NOT NULL,
    misses        INTEGER NOT NULL DEFAULT 0,
    tombstoned    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (client, id)
) WITHOUT ROWID;
CREATE INDEX mirror_instance_by_event ON mirror_instance (client, event_id, start_utc);
CREATE INDEX mirror_instance_by_start ON mirror_instance (client, start_utc);

-- Price lists are shared by many instances; fetched once per distinct id.
CREATE TABLE mirror_price_list (
    client TEXT NOT NULL,
    id     TEXT NOT NULL,
    hash   INTEGER NOT NULL,
    PRIMARY KEY (client, id)
) WITHOUT ROWID;

CREATE TABLE mirror_price (
    client           TEXT NOT NULL,
    price_list_id    TEXT NOT NULL,
    band_id          TEXT NOT NULL,
    ticket_type_id   TEXT NOT NULL,
    band_name        TEXT NOT NULL,
    ticket_type_name TEXT NOT NULL,
    amount_minor     INTEGER NOT NULL,
    band_default     INTEGER NOT NULL,
    PRIMARY KEY (client, price_list_id, band_id, ticket_type_id)
) WITHOUT ROWID;

CREATE TABLE mirror_plan (
    client TEXT NOT NULL,
    id     TEXT NOT NULL,
    hash   INTEGER NOT NULL,
    PRIMARY KEY (client, id)
) WITHOUT ROWID;

-- Areas nest (parent_id); the plan's root area has parent_id NULL.
CREATE TABLE mirror_area (
    client    TEXT NOT NULL,
    plan_id   TEXT NOT NULL,
    id        TEXT NOT NULL,
    parent_id TEXT,
    name      TEXT NOT NULL,
    reserved  INTEGER NOT NULL,
    capacity  INTEGER NOT NULL,
    band_id   TEXT,
    PRIMARY KEY (client, plan_id, id)
) WITHOUT ROWID;

CREATE TABLE mirror_seat (
    client  TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    id      TEXT NOT NULL,
    area_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    row     TEXT NOT NULL,
    number  INTEGER NOT NULL,
    x       INTEGER NOT NULL,
    y       INTEGER NOT NULL,
    band_id TEXT,
    PRIMARY KEY (client, plan_id, id)
) WITHOUT ROWID;

-- Availability counts per instance (area_id '') and per area.
CREATE TABLE mirror_status (
    client      TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    area_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    available   INTEGER NOT NULL,
    locked      INTEGER NOT NULL,
    reserved    INTEGER NOT NULL,
    sold        INTEGER NOT NULL,
    in_basket   INTEGER NOT NULL,
    unavailable INTEGER NOT NULL,
    PRIMARY KEY (client, instance_id, area_id)
) WITHOUT ROWID;

-- Per-seat status where the upstream offers it; status is upstream::seat_state as an integer.
CREATE TABLE mirror_seat_status (
    client      TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    seat_id     TEXT NOT NULL,
    status      INTEGER NOT NULL,
    lock_type   TEXT,              -- lock type id of a Locked seat, where upstream says (0009)
    PRIMARY KEY (client, instance_id, seat_id)
) WITHOUT ROWID;

-- Sync bookkeeping per (client, resource): 'catalogue', 'price_list:<id>', 'plan:<id>',
-- 'avail:<instance id>'. last_success of 'avail:<id>' is when that instance's availability
-- was last confirmed upstream.
CREATE TABLE mirror_sync_state (
    client       TEXT NOT NULL,
    resource     TEXT NOT NULL,
    last_attempt INTEGER,
    last_success INTEGER,
    last_error   TEXT,
    next_due     INTEGER,
    content_hash INTEGER,
    PRIMARY KEY (client, resource)
) WITHOUT ROWID;

-- Reservations (0003_reservations).
-- One row per reservation; rewritten on every transition (version + 1) inside the same
-- transaction that appends its history row and its feed entry.
CREATE TABLE reservations (
    id              TEXT PRIMARY KEY NOT NULL,
    channel         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    client          TEXT NOT NULL,
    account         TEXT NOT NULL,
    instance        TEXT NOT NULL,
    request_seats   TEXT NOT NULL DEFAULT '',  -- "seat|ticketType;..." for specific seats
    ba_quantity     INTEGER,                   -- best available (NULL for specific seats)
    ba_ticket_type  TEXT,
    ba_price_band   TEXT,
    ba_area         TEXT,
    request_hash    INTEGER NOT NULL,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    basket_id       TEXT NOT NULL DEFAULT '',  -- stored before any ticket is added
    place_attempts  INTEGER NOT NULL DEFAULT 0,
    total_minor     INTEGER NOT NULL DEFAULT 0,
    expires_at      TEXT,                      -- local hold deadline, ISO 8601 Z
    last_touch      TEXT,                      -- last modifying upstream call on the basket
    customer_first  TEXT,
    customer_last   TEXT,
    customer_addr1  TEXT,
    customer_ref    TEXT,
    order_id        TEXT NOT NULL DEFAULT '',
    releasing_for   TEXT NOT NULL DEFAULT 'none',
    cancel_pending  INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    basket_created_at TEXT,                    -- send time of the basket's creation
    confirm_sent_at TEXT,                      -- set durably before the confirm is sent
    settled_by      TEXT NOT NULL DEFAULT '',  -- upstream_order | already_confirmed | operator
    order_mismatch  TEXT NOT NULL DEFAULT '',  -- how the order differs from the hold
    pool            TEXT NOT NULL DEFAULT '',  -- the pool it was filled for (docs/pools.md)
    UNIQUE (channel, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX reservations_by_state ON reservations (state, updated_at);
-- Listing by channel and state, and without a channel, newest first (0005).
CREATE INDEX reservations_by_channel_state ON reservations (channel, state, created_at);
CREATE INDEX reservations_by_channel ON reservations (channel, created_at);
CREATE INDEX reservations_by_created ON reservations (created_at);
-- Finished reservations in the order they finished, for history retention (0005).
CREATE INDEX reservations_finished ON reservations (updated_at)
    WHERE state IN ('confirmed', 'rejected', 'cancelled', 'released', 'expired');

-- The seats a reservation holds (or held); replaced as a whole when placing succeeds.
CREATE TABLE reservation_tickets (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    position       INTEGER NOT NULL,
    seat           TEXT NOT NULL,   -- seat id, or the area id of an unreserved ticket
    seat_name      TEXT NOT NULL DEFAULT '',
    area           TEXT NOT NULL DEFAULT '',
    price_band     TEXT NOT NULL DEFAULT '',
    ticket_type    TEXT NOT NULL,
    price_minor    INTEGER NOT NULL,
    ticket_id      TEXT NOT NULL DEFAULT '',  -- upstream ticket id in the basket
    barcode        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (reservation_id, position)
) WITHOUT ROWID;

-- One row per transition, never updated. Append-only while the reservation is live; once it
-- finished longer ago than daemon.history_retention, all its rows but the last are pruned.
CREATE TABLE reservation_history (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    version        INTEGER NOT NULL,
    from_state     TEXT,            -- NULL for the creating row
    to_state       TEXT NOT NULL,
    event          TEXT NOT NULL,
    at             TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (reservation_id, version)
) WITHOUT ROWID;

-- The agent's books: one appended entry per sale, written in the transaction that records
-- `confirmed`, and corrections as entries of their own (kind 'correction', `corrects` the
-- entry); never edited. order_id is NULL when the sale was proven without it ("already
-- confirmed"). Amounts in minor units: face value, the agent's commission (agentDiscount) and
-- the net owed to the venue, from the order as upstream answered it (amounts_from 'order') or,
-- when no order was read (already confirmed, settled by an operator), from the hold ('hold').
CREATE TABLE sales_ledger (
    entry_id       INTEGER PRIMARY KEY,
    order_id       TEXT,
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    client         TEXT NOT NULL,
    channel        TEXT NOT NULL,
    instance       TEXT NOT NULL,
    seats          INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    confirmed_at   TEXT NOT NULL,
    settled_by     TEXT NOT NULL DEFAULT 'upstream_order',
    mismatch       TEXT NOT NULL DEFAULT '',
    kind             TEXT NOT NULL DEFAULT 'sale',
    corrects         INTEGER REFERENCES sales_ledger (entry_id),
    account          TEXT NOT NULL DEFAULT '',
    event_id         TEXT NOT NULL DEFAULT '',
    event_name       TEXT NOT NULL DEFAULT '',
    instance_start   TEXT NOT NULL DEFAULT '',
    face_minor       INTEGER NOT NULL DEFAULT 0,
    commission_minor INTEGER NOT NULL DEFAULT 0,
    net_minor        INTEGER NOT NULL DEFAULT 0,
    amounts_from     TEXT NOT NULL DEFAULT 'hold',
    note             TEXT NOT NULL DEFAULT '',
    pool             TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sales_ledger_by_order ON sales_ledger (order_id) WHERE order_id IS NOT NULL AND kind = 'sale';
CREATE UNIQUE INDEX sales_ledger_by_reservation ON sales_ledger (reservation_id) WHERE kind = 'sale';
CREATE INDEX sales_ledger_by_client_time ON sales_ledger (client, confirmed_at);
CREATE INDEX sales_ledger_by_time ON sales_ledger (confirmed_at);

-- The tickets of a ledger entry, as the order showed them.
CREATE TABLE sales_ledger_tickets (
    entry_id         INTEGER NOT NULL REFERENCES sales_ledger (entry_id),
    position         INTEGER NOT NULL,
    ticket_id        TEXT NOT NULL DEFAULT '',
    seat             TEXT NOT NULL DEFAULT '',
    ticket_type      TEXT NOT NULL DEFAULT '',
    face_minor       INTEGER NOT NULL,
    commission_minor INTEGER NOT NULL,
    net_minor        INTEGER NOT NULL,
    PRIMARY KEY (entry_id, position)
) WITHOUT ROWID;

-- Which node drives which venue client (store/lease): a node writes for a client only while
-- its lease is live, and every write job checks (client, node, epoch). On PostgreSQL
-- expires_at is a TIMESTAMPTZ of the database's clock (migrations/postgresql/).
CREATE TABLE venue_lease (
    client     TEXT PRIMARY KEY NOT NULL,
    node       TEXT NOT NULL,
    epoch      INTEGER NOT NULL,  -- raised by every acquisition
    expires_at TEXT NOT NULL      -- ISO 8601 UTC with 'Z', database clock
) WITHOUT ROWID;
