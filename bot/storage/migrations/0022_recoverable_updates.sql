-- Several processes on one PostgreSQL (issue 21): an update the webhook answered 200 and a
-- process then died (or hung) before handling is not sent again by Telegram. Its queued row
-- now keeps the update as received and the process that took it (its id in `processes`), so a
-- live process takes it over once that one is silent (storage/recovered.py). SQLite (one
-- process) never writes here.
ALTER TABLE chat_queue ADD COLUMN owner TEXT;
ALTER TABLE chat_queue ADD COLUMN payload TEXT;
