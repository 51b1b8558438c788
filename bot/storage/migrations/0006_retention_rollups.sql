-- Retention: before per-recipient outcomes of a finished broadcast are purged, their counts are
-- kept here, so a broadcast's report still adds up afterwards.
CREATE TABLE broadcast_outcomes (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    outcome      TEXT    NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, outcome)
) WITHOUT ROWID;

-- Unanswered questions, counted per day and language before the texts are purged.
CREATE TABLE unanswered_daily (
    day      TEXT    NOT NULL,
    language TEXT    NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (day, language)
) WITHOUT ROWID;
