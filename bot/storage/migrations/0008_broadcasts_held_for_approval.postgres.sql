-- 0008 in PostgreSQL's words: the state CHECK changes in place (SQLite rebuilds the table).
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_state_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_state_check
    CHECK (state IN ('scheduled', 'sending', 'paused', 'held', 'done', 'cancelled', 'failed'));
ALTER TABLE broadcasts ADD COLUMN approved_count BIGINT;
UPDATE broadcasts SET approved_count = (SELECT MAX(a.recipients) FROM approvals a
                                         WHERE a.broadcast_id = broadcasts.id
                                           AND a.state = 'approved');
