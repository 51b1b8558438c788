-- Per user we keep only what the bot needs (UU 27/2022: data minimisation).
CREATE TABLE users (
    user_id     INTEGER PRIMARY KEY,          -- Telegram user id
    language    TEXT    NOT NULL DEFAULT 'id',
    language_set INTEGER NOT NULL DEFAULT 0,  -- 1 once the user chose it with /bahasa
    first_seen  TEXT    NOT NULL,             -- ISO 8601, UTC
    last_seen   TEXT    NOT NULL,
    campaign    TEXT                          -- deep-link code of origin, first one wins
);

-- Questions the bot could not answer, for officials: text only, no user id.
CREATE TABLE unanswered_questions (
    id          INTEGER PRIMARY KEY,
    text        TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    asked_at    TEXT    NOT NULL
);
CREATE INDEX unanswered_questions_asked_at ON unanswered_questions (asked_at);
