-- 0005_housekeeping: indexes for listing reservations and for retention of the history of
-- finished ones (store/housekeeping). Forward-only: never edit once landed.
--
-- Retention (daemon.feed_retention, daemon.history_retention) deletes feed rows older than
-- the feed retention, and for a reservation that finished longer ago than the history
-- retention every reservation_history row but its last: the history of a live reservation
-- stays append-only, and reservations, their tickets and the sales ledger are never pruned.

-- GET /v1/reservations?channel=[&state=] newest first (a sales channel always lists its own)
-- without scanning the table or sorting the channel's rows.
CREATE INDEX reservations_by_channel_state ON reservations (channel, state, created_at);
CREATE INDEX reservations_by_channel ON reservations (channel, created_at);

-- The listing without a channel (admin), newest first, stops after its limit.
CREATE INDEX reservations_by_created ON reservations (created_at);

-- Finished reservations in the order they finished; partial, so it holds only rows whose
-- history retention may prune. The state list is store/housekeeping.hpp's k_finished_states_sql.
CREATE INDEX reservations_finished ON reservations (updated_at)
    WHERE state IN ('confirmed', 'rejected', 'cancelled', 'released', 'expired');
