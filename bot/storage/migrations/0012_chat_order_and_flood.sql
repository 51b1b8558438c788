-- Several processes on one PostgreSQL (issue 21): one chat's updates are handled one at a time,
-- in update_id order, whichever process receives them; flood control counts a user's updates
-- across processes (storage/turns.py, storage/flood.py). Times are the database server's clock
-- in milliseconds, so hosts' clocks never have to agree. SQLite (one process) never writes here.

-- Updates received and not yet handled, by chat: an update waits while an earlier one of its
-- chat is here (rows of a process that died stop counting after a few seconds).
CREATE TABLE chat_queue (
    update_id INTEGER PRIMARY KEY,
    chat_id   INTEGER NOT NULL,
    since     INTEGER NOT NULL
);
CREATE INDEX chat_queue_by_chat ON chat_queue (chat_id, update_id);

-- The update now being handled in each chat, until a lease runs out (a holder that died).
CREATE TABLE chat_turns (
    chat_id   INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL,
    until     INTEGER NOT NULL
);

-- Each user's updates this minute and last minute (a sliding-window estimate), and the end of
-- their cool-down; `noticed` is the update that was answered with the notice.
CREATE TABLE flood_counts (
    user_id       INTEGER PRIMARY KEY,
    minute        INTEGER NOT NULL,
    hits          INTEGER NOT NULL,
    previous      INTEGER NOT NULL,
    blocked_until INTEGER,
    noticed       INTEGER
);
