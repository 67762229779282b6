-- 0006_ledger: the agent's books. Each sale entry carries its face value, the agent's commission
-- (upstream's agentDiscount) and the net owed to the venue, taken from the order as upstream
-- answered it, with the account, event and instance it sold; its tickets are their own rows.
-- Corrections are entries of their own that point at the entry they correct; nothing is edited.
-- Forward-only: never edit once landed.

ALTER TABLE sales_ledger ADD COLUMN kind             TEXT NOT NULL DEFAULT 'sale';  -- sale | correction
ALTER TABLE sales_ledger ADD COLUMN corrects         INTEGER REFERENCES sales_ledger (entry_id);
ALTER TABLE sales_ledger ADD COLUMN account          TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_ledger ADD COLUMN event_id         TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_ledger ADD COLUMN event_name       TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_ledger ADD COLUMN instance_start   TEXT NOT NULL DEFAULT '';  -- venue local start
ALTER TABLE sales_ledger ADD COLUMN face_minor       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales_ledger ADD COLUMN commission_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales_ledger ADD COLUMN net_minor        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales_ledger ADD COLUMN amounts_from     TEXT NOT NULL DEFAULT 'hold';  -- order | hold
ALTER TABLE sales_ledger ADD COLUMN note             TEXT NOT NULL DEFAULT '';

-- Entries written before this migration knew only the hold's total: no commission is known.
UPDATE sales_ledger SET face_minor = total_minor, net_minor = total_minor;
UPDATE sales_ledger SET account = coalesce((SELECT r.account FROM reservations r
                                            WHERE r.id = sales_ledger.reservation_id), '');

-- One sale per order and per reservation; corrections may be many.
DROP INDEX sales_ledger_by_order;
DROP INDEX sales_ledger_by_reservation;
CREATE UNIQUE INDEX sales_ledger_by_order ON sales_ledger (order_id) WHERE order_id IS NOT NULL AND kind = 'sale';
CREATE UNIQUE INDEX sales_ledger_by_reservation ON sales_ledger (reservation_id) WHERE kind = 'sale';
-- Reports filter by client and a confirm time range.
CREATE INDEX sales_ledger_by_client_time ON sales_ledger (client, confirmed_at);
CREATE INDEX sales_ledger_by_time ON sales_ledger (confirmed_at);

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
