-- Erasing a citizen (/hapusdata, an account Telegram says is deleted) deletes their delivery
-- records by user id; the primary key (broadcast_id, user_id) does not lead with it, so each
-- erasure read the whole table (SQLite: SCAN; PostgreSQL 16: a sequential scan, or the whole
-- primary key). At national scale that is tens of millions of rows per erasure.
-- Built inside the migration's transaction: writes to deliveries wait for it (seconds per
-- ten million rows); run the upgrade outside a broadcast.
CREATE INDEX deliveries_user ON deliveries (user_id);

-- What else a citizen's next message may answer, beside a question waiting for their region
-- (users.waiting_entry, 0017): /langganan's "where do you vote?" ('+': then subscribed) and
-- /wilayah's picker ('-'), each only until this time (UTC, ISO); NULL: no bound (a question).
ALTER TABLE users ADD COLUMN waiting_until TEXT;
