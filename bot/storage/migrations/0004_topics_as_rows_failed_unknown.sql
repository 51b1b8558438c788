-- Subscription topics become rows: adding a topic (named in content/subscription_topics.yaml)
-- needs no migration. Existing choices are carried over.
CREATE TABLE subscription_topics (
    user_id INTEGER NOT NULL REFERENCES subscriptions (user_id) ON DELETE CASCADE,
    topic   TEXT    NOT NULL,
    PRIMARY KEY (user_id, topic)
) WITHOUT ROWID;
INSERT INTO subscription_topics (user_id, topic)
    SELECT user_id, 'countdown' FROM subscriptions WHERE countdown = 1
    UNION ALL SELECT user_id, 'socialisation' FROM subscriptions WHERE socialisation = 1
    UNION ALL SELECT user_id, 'announcements' FROM subscriptions WHERE announcements = 1;
ALTER TABLE subscriptions DROP COLUMN countdown;
ALTER TABLE subscriptions DROP COLUMN socialisation;
ALTER TABLE subscriptions DROP COLUMN announcements;

-- A broadcast that cannot be composed or sent ends 'failed' with the reason; `errors` is its
-- error budget so far. (SQLite cannot change a CHECK in place: the table is rebuilt.)
CREATE TABLE broadcasts_new (
    id           INTEGER PRIMARY KEY,
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    text         TEXT,
    template     TEXT,
    topic        TEXT    NOT NULL,
    region       TEXT,
    language     TEXT,
    urgent       INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('scheduled', 'sending', 'paused', 'done',
                                                   'cancelled', 'failed')),
    schedule_key TEXT UNIQUE,
    snapshotted  INTEGER NOT NULL DEFAULT 0,
    started_at   TEXT,
    finished_at  TEXT,
    errors       INTEGER NOT NULL DEFAULT 0,
    error        TEXT
);
INSERT INTO broadcasts_new (id, created_at, created_by, text, template, topic, region, language,
                            urgent, not_before, state, schedule_key, snapshotted, started_at,
                            finished_at)
    SELECT id, created_at, created_by, text, template, topic, region, language, urgent,
           not_before, state, schedule_key, snapshotted, started_at, finished_at FROM broadcasts;
DROP TABLE broadcasts;
ALTER TABLE broadcasts_new RENAME TO broadcasts;
CREATE INDEX broadcasts_state ON broadcasts (state, not_before);

-- Outcomes: 'unknown' (the request may have reached Telegram: never resent) and
-- 'rate_limited' (gave up after repeated 429s), counted apart from 'failed'.
CREATE TABLE deliveries_new (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    user_id      INTEGER NOT NULL,
    language     TEXT    NOT NULL,
    region       TEXT,
    outcome      TEXT CHECK (outcome IN ('sent', 'blocked', 'failed', 'capped', 'unknown',
                                         'rate_limited')),
    detail       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    at           TEXT,
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;
INSERT INTO deliveries_new SELECT * FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
