-- 0004 in PostgreSQL's words: the same tables and rows; the CHECKs change in place (SQLite
-- rebuilds the tables for that).
CREATE TABLE subscription_topics (
    user_id BIGINT NOT NULL REFERENCES subscriptions (user_id) ON DELETE CASCADE,
    topic   TEXT   NOT NULL,
    PRIMARY KEY (user_id, topic)
);
INSERT INTO subscription_topics (user_id, topic)
    SELECT user_id, 'countdown' FROM subscriptions WHERE countdown = 1
    UNION ALL SELECT user_id, 'socialisation' FROM subscriptions WHERE socialisation = 1
    UNION ALL SELECT user_id, 'announcements' FROM subscriptions WHERE announcements = 1;
ALTER TABLE subscriptions DROP COLUMN countdown;
ALTER TABLE subscriptions DROP COLUMN socialisation;
ALTER TABLE subscriptions DROP COLUMN announcements;

ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_state_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_state_check
    CHECK (state IN ('scheduled', 'sending', 'paused', 'done', 'cancelled', 'failed'));
ALTER TABLE broadcasts ADD COLUMN errors BIGINT NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN error TEXT;

ALTER TABLE deliveries DROP CONSTRAINT deliveries_outcome_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_outcome_check
    CHECK (outcome IN ('sent', 'blocked', 'failed', 'capped', 'unknown', 'rate_limited'));
