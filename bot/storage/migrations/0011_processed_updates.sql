-- Several processes on one PostgreSQL (issue 21): an update Telegram delivers twice (a webhook
-- retry reaching another process) is handled once. The first process to insert its id handles
-- it; the others find the row and stop (storage/updates.py). Rows older than a day are purged
-- by retention (Telegram retries for far less). SQLite (one process) keeps recent ids in memory
-- and never writes here.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL
);
