-- Several processes on one PostgreSQL (issue 21). Telegram's limits are per bot: each process
-- says here, every PUBLISH seconds, how many replies it reserves in any one-second window (and
-- whether its delivery engine wants room for a broadcast); the others and the leader's engine
-- keep within what is left (broadcasts/pacing.py). `heartbeat` is the server's clock (seconds
-- since 1970); a row silent for a minute is deleted by the next process to publish. SQLite
-- (one process) never writes here.
CREATE TABLE processes (
    id           TEXT    PRIMARY KEY,
    reserved     INTEGER NOT NULL,
    broadcasting INTEGER NOT NULL,
    heartbeat    REAL    NOT NULL
);

-- Which question each recent answer answered, so that a "not helpful" press reaching any
-- process keeps the question (redacted) with the entry it got, once (faq/feedback.py).
-- Written in batches by the process that answered; taken (deleted) by the first press;
-- retention forgets rows after two days. SQLite keeps these in memory, as before.
CREATE TABLE answered_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    entry_id   TEXT    NOT NULL,
    language   TEXT    NOT NULL,
    question   TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
