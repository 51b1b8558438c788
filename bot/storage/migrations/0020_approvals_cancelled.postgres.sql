-- 0020 in PostgreSQL's words: the state CHECK changes in place (SQLite rebuilds the table).
ALTER TABLE approvals DROP CONSTRAINT approvals_state_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_state_check
    CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled'));
UPDATE approvals SET state = 'cancelled'
 WHERE state = 'pending'
   AND broadcast_id IN (SELECT b.id FROM broadcasts b WHERE b.state = 'cancelled');
