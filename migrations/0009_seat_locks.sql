-- 0009_seat_locks: the mirror keeps, per seat, the lock type of a seat upstream shows Locked
-- (client.seat_lock_type_field of the per-seat status), so a pool that holds only the agent's
-- allocation (docs/pools.md, locked_only) can choose among those seats. NULL: not locked, or
-- the venue does not say. Forward-only: never edit once landed.

ALTER TABLE mirror_seat_status ADD COLUMN lock_type TEXT;
