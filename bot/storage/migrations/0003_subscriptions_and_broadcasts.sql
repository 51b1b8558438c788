-- Subscribers: topics they chose, and whether Telegram still lets us reach them.
CREATE TABLE subscriptions (
    user_id         INTEGER PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    countdown       INTEGER NOT NULL DEFAULT 1,
    socialisation   INTEGER NOT NULL DEFAULT 1,
    announcements   INTEGER NOT NULL DEFAULT 1,
    active          INTEGER NOT NULL DEFAULT 1,
    inactive_reason TEXT,               -- unsubscribed | blocked | chat not found
    subscribed_at   TEXT    NOT NULL
);

-- The outbox: every broadcast, whoever started it (CLI, scheduler, an official).
CREATE TABLE broadcasts (
    id           INTEGER PRIMARY KEY,
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    text         TEXT,                  -- literal HTML text, or NULL for a template
    template     TEXT,                  -- template id in content/schedule.yaml
    topic        TEXT    NOT NULL,
    region       TEXT,                  -- region code prefix (kecamatan or desa), NULL = all
    language     TEXT,                  -- id | en, NULL = all
    urgent       INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT    NOT NULL,      -- UTC; also moved to the morning by quiet hours
    state        TEXT    NOT NULL CHECK (state IN ('scheduled', 'sending', 'paused', 'done', 'cancelled')),
    schedule_key TEXT UNIQUE,           -- a scheduled send enqueues at most one broadcast
    snapshotted  INTEGER NOT NULL DEFAULT 0,
    started_at   TEXT,
    finished_at  TEXT
);
CREATE INDEX broadcasts_state ON broadcasts (state, not_before);

-- One row per recipient, fixed when a broadcast starts; outcome NULL = not yet sent.
CREATE TABLE deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    user_id      INTEGER NOT NULL,
    language     TEXT    NOT NULL,
    region       TEXT,
    outcome      TEXT CHECK (outcome IN ('sent', 'blocked', 'failed', 'capped')),
    detail       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    at           TEXT,
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;


-- Non-urgent messages a subscriber got per local day, for DAILY_CAP.
CREATE TABLE daily_counts (
    user_id INTEGER NOT NULL,
    day     TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

-- The content calendar as occurrences; the database, not APScheduler, is the source of truth.
CREATE TABLE scheduled_sends (
    key          TEXT PRIMARY KEY,      -- stable per occurrence, e.g. countdown:h7, cal:x:2024-11-01
    due_at       TEXT NOT NULL,         -- UTC
    template     TEXT NOT NULL,
    topic        TEXT NOT NULL,
    region       TEXT,
    language     TEXT,
    urgent       INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'enqueued', 'skipped', 'cancelled')),
    reason       TEXT,
    broadcast_id INTEGER REFERENCES broadcasts (id)
);
