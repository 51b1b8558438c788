-- Several processes on one PostgreSQL (issue 21): one leader at a time runs the delivery
-- engine, the scheduler and retention (bot/leadership.py). Each new leadership increments the
-- epoch; the leader's claims and outcome commits check it in their own transaction, so a leader
-- that lost the lead changes nothing more (storage/leader.py). One row, written on the first
-- election; SQLite (one process, always the leader) never writes it.
CREATE TABLE leadership (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    epoch      INTEGER NOT NULL,
    elected_at TEXT    NOT NULL
);

-- The epoch whose leader claimed a recipient for sending (PostgreSQL; NULL on SQLite and before
-- any claim). A recipient claimed by an older epoch without an outcome was in flight when that
-- leader died: the next leader claims it again.
ALTER TABLE deliveries ADD COLUMN claimed_epoch INTEGER;
