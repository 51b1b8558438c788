-- /statistik reads one scope's counts: the whole deployment's ('*'), one province's ('16') or
-- one kabupaten/kota's ('16.03'), and '' for citizens of no region. Migration 0016's tables
-- hold them per kabupaten/kota or kecamatan, so summing a scope's rows grew with the days and
-- the regions (three years of 514 kabupaten/kota: half a million rows to add up for the whole
-- deployment's chart). Here each count is also kept per scope, by triggers on 0016's tables
-- (so every writer keeps them true), filled from the rows there are.
--
-- A code's scopes: '*', its province (the code's first two characters: '' for ''), and its
-- kabupaten/kota (the first five) when it has one.

-- subscriber_days per scope: active subscribers by the day they subscribed.
CREATE TABLE subscriber_scope_days (
    scope TEXT    NOT NULL,
    day   TEXT    NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (scope, day)
) WITHOUT ROWID;

-- daily_stats per scope: the counters by day and metric (topics, languages, campaigns added).
CREATE TABLE stat_scope_days (
    scope  TEXT    NOT NULL,
    day    TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (scope, day, metric)
) WITHOUT ROWID;

-- stat_totals per scope: the counters over all days by metric and topic.
CREATE TABLE stat_scope_totals (
    scope  TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    topic  TEXT    NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (scope, metric, topic)
) WITHOUT ROWID;

-- A province's officials list their province's latest unanswered questions (whose region is
-- a kabupaten/kota code) by its first two characters, newest first, from an index.
CREATE INDEX unanswered_questions_province ON unanswered_questions (substr(region, 1, 2), id);

INSERT INTO subscriber_scope_days (scope, day, count)
    WITH k AS (SELECT substr(kabupaten, 1, 5) AS code, day, SUM(count) AS n FROM subscriber_days
                GROUP BY 1, day)
    SELECT '*', day, SUM(n) FROM k GROUP BY day
    UNION ALL SELECT substr(code, 1, 2), day, SUM(n) FROM k GROUP BY substr(code, 1, 2), day
    UNION ALL SELECT code, day, n FROM k WHERE length(code) >= 5;
INSERT INTO stat_scope_days (scope, day, metric, count)
    WITH k AS (SELECT substr(kecamatan, 1, 5) AS code, day, metric, SUM(count) AS n FROM daily_stats
                GROUP BY 1, day, metric)
    SELECT '*', day, metric, SUM(n) FROM k GROUP BY day, metric
    UNION ALL SELECT substr(code, 1, 2), day, metric, SUM(n) FROM k GROUP BY substr(code, 1, 2), day, metric
    UNION ALL SELECT code, day, metric, n FROM k WHERE length(code) >= 5;
INSERT INTO stat_scope_totals (scope, metric, topic, count)
    WITH k AS (SELECT substr(kecamatan, 1, 5) AS code, metric, topic, SUM(count) AS n FROM stat_totals
                GROUP BY 1, metric, topic)
    SELECT '*', metric, topic, SUM(n) FROM k GROUP BY metric, topic
    UNION ALL SELECT substr(code, 1, 2), metric, topic, SUM(n) FROM k GROUP BY substr(code, 1, 2), metric, topic
    UNION ALL SELECT code, metric, topic, n FROM k WHERE length(code) >= 5;

-- The triggers add a row's change to each of its scopes. (0016's tables only grow, but
-- a recount that empties subscriber_days or stat_totals is subtracted too.)
CREATE TRIGGER subscriber_day_scoped AFTER INSERT ON subscriber_days
BEGIN
    INSERT INTO subscriber_scope_days (scope, day, count)
        SELECT column1, NEW.day, NEW.count FROM (VALUES ('*'), (substr(NEW.kabupaten, 1, 2)),
                                 (CASE WHEN length(NEW.kabupaten) >= 5 THEN substr(NEW.kabupaten, 1, 5) END))
         WHERE column1 IS NOT NULL
        ON CONFLICT (scope, day) DO UPDATE SET
            count = subscriber_scope_days.count + excluded.count;
END;

CREATE TRIGGER subscriber_day_rescoped AFTER UPDATE OF count ON subscriber_days
BEGIN
    UPDATE subscriber_scope_days SET count = count + NEW.count - OLD.count
     WHERE scope IN ('*', substr(NEW.kabupaten, 1, 2),
                     CASE WHEN length(NEW.kabupaten) >= 5 THEN substr(NEW.kabupaten, 1, 5) END)
       AND day = NEW.day;
END;

CREATE TRIGGER subscriber_day_unscoped AFTER DELETE ON subscriber_days
BEGIN
    UPDATE subscriber_scope_days SET count = count - OLD.count
     WHERE scope IN ('*', substr(OLD.kabupaten, 1, 2),
                     CASE WHEN length(OLD.kabupaten) >= 5 THEN substr(OLD.kabupaten, 1, 5) END)
       AND day = OLD.day;
END;

CREATE TRIGGER stat_day_scoped AFTER INSERT ON daily_stats
BEGIN
    INSERT INTO stat_scope_days (scope, day, metric, count)
        SELECT column1, NEW.day, NEW.metric, NEW.count FROM (VALUES ('*'), (substr(NEW.kecamatan, 1, 2)),
                                 (CASE WHEN length(NEW.kecamatan) >= 5 THEN substr(NEW.kecamatan, 1, 5) END))
         WHERE column1 IS NOT NULL
        ON CONFLICT (scope, day, metric) DO UPDATE SET
            count = stat_scope_days.count + excluded.count;
END;

CREATE TRIGGER stat_day_rescoped AFTER UPDATE OF count ON daily_stats
BEGIN
    UPDATE stat_scope_days SET count = count + NEW.count - OLD.count
     WHERE scope IN ('*', substr(NEW.kecamatan, 1, 2),
                     CASE WHEN length(NEW.kecamatan) >= 5 THEN substr(NEW.kecamatan, 1, 5) END)
       AND day = NEW.day AND metric = NEW.metric;
END;

CREATE TRIGGER stat_total_scoped AFTER INSERT ON stat_totals
BEGIN
    INSERT INTO stat_scope_totals (scope, metric, topic, count)
        SELECT column1, NEW.metric, NEW.topic, NEW.count FROM (VALUES ('*'), (substr(NEW.kecamatan, 1, 2)),
                                 (CASE WHEN length(NEW.kecamatan) >= 5 THEN substr(NEW.kecamatan, 1, 5) END))
         WHERE column1 IS NOT NULL
        ON CONFLICT (scope, metric, topic) DO UPDATE SET
            count = stat_scope_totals.count + excluded.count;
END;

CREATE TRIGGER stat_total_rescoped AFTER UPDATE OF count ON stat_totals
BEGIN
    UPDATE stat_scope_totals SET count = count + NEW.count - OLD.count
     WHERE scope IN ('*', substr(NEW.kecamatan, 1, 2),
                     CASE WHEN length(NEW.kecamatan) >= 5 THEN substr(NEW.kecamatan, 1, 5) END)
       AND metric = NEW.metric AND topic = NEW.topic;
END;

CREATE TRIGGER stat_total_unscoped AFTER DELETE ON stat_totals
BEGIN
    UPDATE stat_scope_totals SET count = count - OLD.count
     WHERE scope IN ('*', substr(OLD.kecamatan, 1, 2),
                     CASE WHEN length(OLD.kecamatan) >= 5 THEN substr(OLD.kecamatan, 1, 5) END)
       AND metric = OLD.metric AND topic = OLD.topic;
END;
