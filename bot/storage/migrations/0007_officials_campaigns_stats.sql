-- Officials and their roles (super-admins are ADMIN_IDS, never stored). One row per role held.
CREATE TABLE officials (
    user_id  INTEGER NOT NULL,
    role     TEXT    NOT NULL CHECK (role IN ('announcer', 'campaign_manager', 'viewer')),
    added_by TEXT    NOT NULL,
    added_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

-- Every admin action, from Telegram or the server CLI ('cli'). Counts, never a citizen's data.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    actor    TEXT    NOT NULL,          -- tg:<official's id> | cli
    action   TEXT    NOT NULL,
    detail   TEXT    NOT NULL DEFAULT '',
    audience TEXT,
    count    INTEGER
);

-- Youth-outreach campaigns: a deep-link code, its owner, optional welcome and FAQ topics.
CREATE TABLE campaigns (
    code       TEXT PRIMARY KEY,
    name       TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,
    welcome    TEXT,
    topics     TEXT    NOT NULL DEFAULT '',   -- FAQ topic ids, comma-separated
    created_at TEXT    NOT NULL
);
-- A citizen's first start through a campaign's link (counted once per campaign); deleted with
-- the citizen's data.
CREATE TABLE campaign_starts (
    code    TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    at      TEXT    NOT NULL,
    PRIMARY KEY (code, user_id)
) WITHOUT ROWID;
CREATE INDEX users_campaign ON users (campaign);

-- A broadcast may target the citizens a campaign brought in; who approved it (two-person rule).
ALTER TABLE broadcasts ADD COLUMN campaign TEXT;
ALTER TABLE broadcasts ADD COLUMN approved_by TEXT;

-- Announcements over APPROVAL_THRESHOLD recipients wait here for a second official.
CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY,
    requested_by INTEGER NOT NULL,
    requested_at TEXT    NOT NULL,
    draft        TEXT    NOT NULL,          -- the announcement as JSON
    recipients   INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by   INTEGER,
    decided_at   TEXT,
    broadcast_id INTEGER REFERENCES broadcasts (id)
);

-- What officials decided about a group of unanswered questions (by the group's stable key).
CREATE TABLE question_marks (
    group_key TEXT PRIMARY KEY,
    status    TEXT NOT NULL CHECK (status IN ('handled', 'out_of_scope', 'needs_answer')),
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL
) WITHOUT ROWID;

-- Daily counters for statistics: no text, no user id; kept after the raw rows are purged.
CREATE TABLE daily_stats (
    day       TEXT    NOT NULL,
    metric    TEXT    NOT NULL,          -- start | answered | suggested | unknown | declined |
                                         -- helpful | unhelpful | subscribed
    topic     TEXT    NOT NULL DEFAULT '',
    kecamatan TEXT    NOT NULL DEFAULT '',
    language  TEXT    NOT NULL DEFAULT '',
    campaign  TEXT    NOT NULL DEFAULT '',
    count     INTEGER NOT NULL,
    PRIMARY KEY (day, metric, topic, kecamatan, language, campaign)
) WITHOUT ROWID;
CREATE INDEX daily_stats_campaign ON daily_stats (campaign, metric);
