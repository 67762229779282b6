-- 0003_reservations: the durable reservation queue, its tickets, the append-only history of
-- its transitions and the ledger of confirmed sales. Forward-only: never edit once landed.

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
    UNIQUE (channel, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX reservations_by_state ON reservations (state, updated_at);

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

-- Append-only: one row per transition, never updated or deleted.
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

-- Confirmed sales: one row per order, written in the transaction that records `confirmed`.
CREATE TABLE sales_ledger (
    order_id       TEXT PRIMARY KEY NOT NULL,
    reservation_id TEXT NOT NULL UNIQUE REFERENCES reservations (id),
    client         TEXT NOT NULL,
    channel        TEXT NOT NULL,
    instance       TEXT NOT NULL,
    seats          INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    confirmed_at   TEXT NOT NULL
) WITHOUT ROWID;
