-- A request for a second official closes as 'cancelled' when the broadcast it would release
-- is cancelled while it waits (it was left 'pending': listed, and its buttons still live).
-- SQLite cannot change a CHECK in place: the table is rebuilt, as in 0008.
CREATE TABLE approvals_new (
    id           INTEGER PRIMARY KEY,
    requested_by INTEGER NOT NULL,
    requested_at TEXT    NOT NULL,
    draft        TEXT    NOT NULL,          -- the announcement as JSON
    recipients   INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected',
                                                   'cancelled')),
    decided_by   INTEGER,
    decided_at   TEXT,
    broadcast_id INTEGER REFERENCES broadcasts (id)
);
INSERT INTO approvals_new (id, requested_by, requested_at, draft, recipients, state, decided_by,
                           decided_at, broadcast_id)
    SELECT id, requested_by, requested_at, draft, recipients,
           -- a held broadcast cancelled before this migration: its request closes now
           CASE WHEN state = 'pending' AND broadcast_id IN
                     (SELECT b.id FROM broadcasts b WHERE b.state = 'cancelled')
                THEN 'cancelled' ELSE state END,
           decided_by, decided_at, broadcast_id
      FROM approvals;
DROP TABLE approvals;
ALTER TABLE approvals_new RENAME TO approvals;
