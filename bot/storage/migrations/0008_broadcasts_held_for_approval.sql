-- The two-person rule is checked again when the delivery engine fixes the recipients: an
-- official's broadcast whose audience grew past what was allowed waits in 'held' for a second
-- official. approved_count is how many recipients the second official approved (NULL: not
-- approved). SQLite cannot change a CHECK in place: the table is rebuilt, as in 0004.
CREATE TABLE broadcasts_new (
    id             INTEGER PRIMARY KEY,
    created_at     TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    text           TEXT,
    template       TEXT,
    topic          TEXT    NOT NULL,
    region         TEXT,
    language       TEXT,
    urgent         INTEGER NOT NULL DEFAULT 0,
    not_before     TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('scheduled', 'sending', 'paused', 'held',
                                                     'done', 'cancelled', 'failed')),
    schedule_key   TEXT UNIQUE,
    snapshotted    INTEGER NOT NULL DEFAULT 0,
    started_at     TEXT,
    finished_at    TEXT,
    errors         INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    campaign       TEXT,
    approved_by    TEXT,
    approved_count INTEGER
);
INSERT INTO broadcasts_new (id, created_at, created_by, text, template, topic, region, language,
                            urgent, not_before, state, schedule_key, snapshotted, started_at,
                            finished_at, errors, error, campaign, approved_by, approved_count)
    SELECT id, created_at, created_by, text, template, topic, region, language, urgent,
           not_before, state, schedule_key, snapshotted, started_at, finished_at, errors, error,
           campaign, approved_by,
           (SELECT MAX(a.recipients) FROM approvals a
             WHERE a.broadcast_id = broadcasts.id AND a.state = 'approved')
      FROM broadcasts;
DROP TABLE broadcasts;
ALTER TABLE broadcasts_new RENAME TO broadcasts;
CREATE INDEX broadcasts_state ON broadcasts (state, not_before);
