-- 0008_pools: allocation pools (docs/pools.md). A ready hold of a pool is an ordinary
-- reservation owned by the pseudo-channel "pool:<name>"; `pool` names the pool it was filled
-- for and stays set once a channel draws it, so the reservation and its sale say where the
-- seats came from. Forward-only: never edit once landed.

ALTER TABLE reservations ADD COLUMN pool TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_ledger ADD COLUMN pool TEXT NOT NULL DEFAULT '';
