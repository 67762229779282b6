-- 0004_settlement: what proves a confirm. A reservation records when its basket was created
-- and when its confirm was marked as sent (durably, before the first byte left), how its
-- outcome was settled and how the order differs from the hold. The ledger becomes one appended
-- entry per sale whose order id may be unknown (a sale proven by "already confirmed").
-- Forward-only: never edit once landed.

ALTER TABLE reservations ADD COLUMN basket_created_at TEXT;       -- send time of the basket's creation
ALTER TABLE reservations ADD COLUMN confirm_sent_at   TEXT;       -- set before the confirm is sent
ALTER TABLE reservations ADD COLUMN settled_by        TEXT NOT NULL DEFAULT '';  -- upstream_order | already_confirmed | operator
ALTER TABLE reservations ADD COLUMN order_mismatch    TEXT NOT NULL DEFAULT '';  -- how the order differs from the hold

-- Reservations confirmed before this migration were confirmed by an upstream order.
UPDATE reservations SET settled_by = 'upstream_order', confirm_sent_at = updated_at WHERE state = 'confirmed';

ALTER TABLE sales_ledger RENAME TO sales_ledger_v1;
CREATE TABLE sales_ledger (
    entry_id       INTEGER PRIMARY KEY,
    order_id       TEXT,            -- NULL: sold, order id not returned upstream
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    client         TEXT NOT NULL,
    channel        TEXT NOT NULL,
    instance       TEXT NOT NULL,
    seats          INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    confirmed_at   TEXT NOT NULL,
    settled_by     TEXT NOT NULL DEFAULT 'upstream_order',
    mismatch       TEXT NOT NULL DEFAULT ''
);
INSERT INTO sales_ledger (order_id, reservation_id, client, channel, instance, seats, total_minor, reference,
                             confirmed_at)
    SELECT order_id, reservation_id, client, channel, instance, seats, total_minor, reference, confirmed_at
    FROM sales_ledger_v1 ORDER BY confirmed_at;
DROP TABLE sales_ledger_v1;
CREATE UNIQUE INDEX sales_ledger_by_order ON sales_ledger (order_id) WHERE order_id IS NOT NULL;
CREATE UNIQUE INDEX sales_ledger_by_reservation ON sales_ledger (reservation_id);
