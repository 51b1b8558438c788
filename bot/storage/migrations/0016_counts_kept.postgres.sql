-- 0016 in PostgreSQL's words: the same tables and counts, kept by trigger functions.
CREATE TABLE subscriber_days (
    day       TEXT   NOT NULL,
    kabupaten TEXT   NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (day, kabupaten)
);
CREATE TABLE subscriber_groups (
    kecamatan TEXT   NOT NULL,
    language  TEXT   NOT NULL,
    campaign  TEXT   NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (kecamatan, language, campaign)
);
CREATE TABLE stat_totals (
    metric    TEXT   NOT NULL,
    topic     TEXT   NOT NULL,
    kecamatan TEXT   NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (metric, topic, kecamatan)
);

INSERT INTO subscriber_days (day, kabupaten, count)
    SELECT substr(s.subscribed_at, 1, 10), COALESCE(substr(u.region_code, 1, 5), ''), COUNT(*)
      FROM subscriptions s JOIN users u ON u.user_id = s.user_id WHERE s.active = 1
     GROUP BY 1, 2;
INSERT INTO subscriber_groups (kecamatan, language, campaign, count)
    SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language, COALESCE(u.campaign, ''),
           COUNT(*)
      FROM subscriptions s JOIN users u ON u.user_id = s.user_id WHERE s.active = 1
     GROUP BY 1, 2, 3;
INSERT INTO stat_totals (metric, topic, kecamatan, count)
    SELECT metric, topic, kecamatan, SUM(count) FROM daily_stats GROUP BY 1, 2, 3;

-- One subscriber counted in (delta 1) or out (-1).
CREATE FUNCTION suara_count_subscriber(subscribed TEXT, region TEXT, lang TEXT, origin TEXT,
                                       delta INTEGER) RETURNS void LANGUAGE sql AS $$
    INSERT INTO subscriber_days (day, kabupaten, count)
        VALUES (substr(subscribed, 1, 10), COALESCE(substr(region, 1, 5), ''), delta)
        ON CONFLICT (day, kabupaten) DO UPDATE SET count = subscriber_days.count + delta;
    INSERT INTO subscriber_groups (kecamatan, language, campaign, count)
        VALUES (COALESCE(substr(region, 1, 8), ''), lang, COALESCE(origin, ''), delta)
        ON CONFLICT (kecamatan, language, campaign) DO UPDATE SET
            count = subscriber_groups.count + delta;
$$;

CREATE FUNCTION suara_subscription_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    u users%ROWTYPE;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active = 1 THEN
        SELECT * INTO u FROM users WHERE user_id = OLD.user_id;
        IF FOUND THEN
            PERFORM suara_count_subscriber(OLD.subscribed_at, u.region_code, u.language,
                                           u.campaign, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.active = 1 THEN
        SELECT * INTO u FROM users WHERE user_id = NEW.user_id;
        PERFORM suara_count_subscriber(NEW.subscribed_at, u.region_code, u.language,
                                       u.campaign, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriber_in AFTER INSERT ON subscriptions
    FOR EACH ROW WHEN (NEW.active = 1) EXECUTE FUNCTION suara_subscription_counted();
CREATE TRIGGER subscriber_out AFTER DELETE ON subscriptions
    FOR EACH ROW WHEN (OLD.active = 1) EXECUTE FUNCTION suara_subscription_counted();
CREATE TRIGGER subscriber_changed AFTER UPDATE OF active, subscribed_at ON subscriptions
    FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active
                       OR OLD.subscribed_at IS DISTINCT FROM NEW.subscribed_at)
    EXECUTE FUNCTION suara_subscription_counted();

CREATE FUNCTION suara_subscriber_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    subscribed TEXT;
BEGIN
    SELECT subscribed_at INTO subscribed FROM subscriptions
     WHERE user_id = NEW.user_id AND active = 1;
    IF FOUND THEN
        PERFORM suara_count_subscriber(subscribed, OLD.region_code, OLD.language,
                                       OLD.campaign, -1);
        PERFORM suara_count_subscriber(subscribed, NEW.region_code, NEW.language,
                                       NEW.campaign, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriber_moved AFTER UPDATE OF region_code, language, campaign ON users
    FOR EACH ROW WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code
                       OR OLD.language IS DISTINCT FROM NEW.language
                       OR OLD.campaign IS DISTINCT FROM NEW.campaign)
    EXECUTE FUNCTION suara_subscriber_moved();

-- A citizen's data deleted: their subscription goes first, while their row still says where
-- it was counted (the foreign key's cascade would delete it after).
CREATE FUNCTION suara_subscriber_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM subscriptions WHERE user_id = OLD.user_id;
    RETURN OLD;
END $$;

CREATE TRIGGER subscriber_erased BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION suara_subscriber_erased();

CREATE FUNCTION suara_stat_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_totals (metric, topic, kecamatan, count)
        VALUES (NEW.metric, NEW.topic, NEW.kecamatan,
                NEW.count - CASE WHEN TG_OP = 'UPDATE' THEN OLD.count ELSE 0 END)
        ON CONFLICT (metric, topic, kecamatan) DO UPDATE SET
            count = stat_totals.count + excluded.count;
    RETURN NULL;
END $$;

CREATE TRIGGER stat_added AFTER INSERT ON daily_stats
    FOR EACH ROW EXECUTE FUNCTION suara_stat_counted();
CREATE TRIGGER stat_counted AFTER UPDATE OF count ON daily_stats
    FOR EACH ROW EXECUTE FUNCTION suara_stat_counted();
