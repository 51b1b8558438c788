-- "Was this helpful?": counts per entry and day, no user id.
CREATE TABLE answer_feedback (
    entry_id TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    helpful  INTEGER NOT NULL,          -- 1 yes, 0 no
    count    INTEGER NOT NULL,
    PRIMARY KEY (entry_id, day, helpful)
) WITHOUT ROWID;

-- A "no" keeps the question (redacted, no user id) with the entry it got, beside the questions
-- that got "I don't know" (entry_id NULL), for the officials' inbox and the content editors.
ALTER TABLE unanswered_questions ADD COLUMN entry_id TEXT;
