-- 0018 in PostgreSQL's words (the same tables and counts, kept by trigger functions).
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
    count BIGINT  NOT NULL,
    PRIMARY KEY (scope, day)
);

-- daily_stats per scope: the counters by day and metric (topics, languages, campaigns added).
CREATE TABLE stat_scope_days (
    scope  TEXT    NOT NULL,
    day    TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    count  BIGINT  NOT NULL,
    PRIMARY KEY (scope, day, metric)
);

-- stat_totals per scope: the counters over all days by metric and topic.
CREATE TABLE stat_scope_totals (
    scope  TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    topic  TEXT    NOT NULL,
    count  BIGINT  NOT NULL,
    PRIMARY KEY (scope, metric, topic)
);

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

-- A code's scopes, '*' first.
CREATE FUNCTION suara_scopes(code TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN length(code) >= 5 THEN ARRAY['*', substr(code, 1, 2), substr(code, 1, 5)]
                ELSE ARRAY['*', substr(code, 1, 2)] END
$$;

CREATE FUNCTION suara_subscriber_day_scoped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE subscriber_scope_days SET count = count - OLD.count
         WHERE scope = ANY (suara_scopes(OLD.kabupaten)) AND day = OLD.day;
        RETURN NULL;
    END IF;
    INSERT INTO subscriber_scope_days (scope, day, count)
        SELECT s, NEW.day, NEW.count - CASE WHEN TG_OP = 'UPDATE' THEN OLD.count ELSE 0 END
          FROM unnest(suara_scopes(NEW.kabupaten)) AS s
        ON CONFLICT (scope, day) DO UPDATE SET count = subscriber_scope_days.count + excluded.count;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriber_day_scoped AFTER INSERT ON subscriber_days
    FOR EACH ROW EXECUTE FUNCTION suara_subscriber_day_scoped();
CREATE TRIGGER subscriber_day_rescoped AFTER UPDATE OF count ON subscriber_days
    FOR EACH ROW EXECUTE FUNCTION suara_subscriber_day_scoped();
CREATE TRIGGER subscriber_day_unscoped AFTER DELETE ON subscriber_days
    FOR EACH ROW EXECUTE FUNCTION suara_subscriber_day_scoped();

CREATE FUNCTION suara_stat_day_scoped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE stat_scope_days SET count = count - OLD.count
         WHERE scope = ANY (suara_scopes(OLD.kecamatan)) AND day = OLD.day AND metric = OLD.metric;
        RETURN NULL;
    END IF;
    INSERT INTO stat_scope_days (scope, day, metric, count)
        SELECT s, NEW.day, NEW.metric, NEW.count - CASE WHEN TG_OP = 'UPDATE' THEN OLD.count ELSE 0 END
          FROM unnest(suara_scopes(NEW.kecamatan)) AS s
        ON CONFLICT (scope, day, metric) DO UPDATE SET count = stat_scope_days.count + excluded.count;
    RETURN NULL;
END $$;

CREATE TRIGGER stat_day_scoped AFTER INSERT ON daily_stats
    FOR EACH ROW EXECUTE FUNCTION suara_stat_day_scoped();
CREATE TRIGGER stat_day_rescoped AFTER UPDATE OF count ON daily_stats
    FOR EACH ROW EXECUTE FUNCTION suara_stat_day_scoped();

CREATE FUNCTION suara_stat_total_scoped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE stat_scope_totals SET count = count - OLD.count
         WHERE scope = ANY (suara_scopes(OLD.kecamatan)) AND metric = OLD.metric AND topic = OLD.topic;
        RETURN NULL;
    END IF;
    INSERT INTO stat_scope_totals (scope, metric, topic, count)
        SELECT s, NEW.metric, NEW.topic, NEW.count - CASE WHEN TG_OP = 'UPDATE' THEN OLD.count ELSE 0 END
          FROM unnest(suara_scopes(NEW.kecamatan)) AS s
        ON CONFLICT (scope, metric, topic) DO UPDATE SET count = stat_scope_totals.count + excluded.count;
    RETURN NULL;
END $$;

CREATE TRIGGER stat_total_scoped AFTER INSERT ON stat_totals
    FOR EACH ROW EXECUTE FUNCTION suara_stat_total_scoped();
CREATE TRIGGER stat_total_rescoped AFTER UPDATE OF count ON stat_totals
    FOR EACH ROW EXECUTE FUNCTION suara_stat_total_scoped();
CREATE TRIGGER stat_total_unscoped AFTER DELETE ON stat_totals
    FOR EACH ROW EXECUTE FUNCTION suara_stat_total_scoped();
