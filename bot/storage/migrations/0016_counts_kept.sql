-- At national size (10 million subscribers, years of daily counters) /statistik cannot count
-- rows each time: the counts it shows are kept as they change, by triggers (so every writer,
-- `db copy` and a restore included, keeps them true), and filled here from the rows there are.

-- Active subscribers by the day they subscribed and their kabupaten/kota ('' when none).
CREATE TABLE subscriber_days (
    day       TEXT    NOT NULL,
    kabupaten TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (day, kabupaten)
) WITHOUT ROWID;

-- Active subscribers by kecamatan (the region code's first three parts, or only the
-- kabupaten/kota's, '' when none), language and campaign ('' when none).
CREATE TABLE subscriber_groups (
    kecamatan TEXT    NOT NULL,
    language  TEXT    NOT NULL,
    campaign  TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (kecamatan, language, campaign)
) WITHOUT ROWID;

-- daily_stats summed over all days (metric, topic, kecamatan as there).
CREATE TABLE stat_totals (
    metric    TEXT    NOT NULL,
    topic     TEXT    NOT NULL,
    kecamatan TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (metric, topic, kecamatan)
) WITHOUT ROWID;

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

-- One subscriber counted in (+1) or out (-1). SQLite's triggers cannot call a procedure, so
-- each says it whole.
CREATE TRIGGER subscriber_in AFTER INSERT ON subscriptions WHEN NEW.active = 1
BEGIN
    INSERT INTO subscriber_days (day, kabupaten, count)
        SELECT substr(NEW.subscribed_at, 1, 10), COALESCE(substr(u.region_code, 1, 5), ''), 1
          FROM users u WHERE u.user_id = NEW.user_id
        ON CONFLICT (day, kabupaten) DO UPDATE SET count = subscriber_days.count + 1;
    INSERT INTO subscriber_groups (kecamatan, language, campaign, count)
        SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language, COALESCE(u.campaign, ''), 1
          FROM users u WHERE u.user_id = NEW.user_id
        ON CONFLICT (kecamatan, language, campaign) DO UPDATE SET
            count = subscriber_groups.count + 1;
END;

CREATE TRIGGER subscriber_out AFTER DELETE ON subscriptions WHEN OLD.active = 1
BEGIN
    UPDATE subscriber_days SET count = count - 1
     WHERE day = substr(OLD.subscribed_at, 1, 10) AND kabupaten = (
           SELECT COALESCE(substr(u.region_code, 1, 5), '') FROM users u
            WHERE u.user_id = OLD.user_id);
    UPDATE subscriber_groups SET count = count - 1
     WHERE (kecamatan, language, campaign) = (
           SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language, COALESCE(u.campaign, '')
             FROM users u WHERE u.user_id = OLD.user_id);
END;

CREATE TRIGGER subscriber_changed AFTER UPDATE OF active, subscribed_at ON subscriptions
WHEN OLD.active IS NOT NEW.active OR OLD.subscribed_at IS NOT NEW.subscribed_at
BEGIN
    UPDATE subscriber_days SET count = count - 1
     WHERE OLD.active = 1 AND day = substr(OLD.subscribed_at, 1, 10) AND kabupaten = (
           SELECT COALESCE(substr(u.region_code, 1, 5), '') FROM users u
            WHERE u.user_id = OLD.user_id);
    UPDATE subscriber_groups SET count = count - 1
     WHERE OLD.active = 1 AND (kecamatan, language, campaign) = (
           SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language, COALESCE(u.campaign, '')
             FROM users u WHERE u.user_id = OLD.user_id);
    INSERT INTO subscriber_days (day, kabupaten, count)
        SELECT substr(NEW.subscribed_at, 1, 10), COALESCE(substr(u.region_code, 1, 5), ''), 1
          FROM users u WHERE u.user_id = NEW.user_id AND NEW.active = 1
        ON CONFLICT (day, kabupaten) DO UPDATE SET count = subscriber_days.count + 1;
    INSERT INTO subscriber_groups (kecamatan, language, campaign, count)
        SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language, COALESCE(u.campaign, ''), 1
          FROM users u WHERE u.user_id = NEW.user_id AND NEW.active = 1
        ON CONFLICT (kecamatan, language, campaign) DO UPDATE SET
            count = subscriber_groups.count + 1;
END;

-- A subscriber who moves, changes language or gets a campaign moves between groups.
CREATE TRIGGER subscriber_moved AFTER UPDATE OF region_code, language, campaign ON users
WHEN (OLD.region_code IS NOT NEW.region_code OR OLD.language IS NOT NEW.language
      OR OLD.campaign IS NOT NEW.campaign)
     AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = NEW.user_id AND s.active = 1)
BEGIN
    UPDATE subscriber_days SET count = count - 1
     WHERE kabupaten = COALESCE(substr(OLD.region_code, 1, 5), '') AND day = (
           SELECT substr(s.subscribed_at, 1, 10) FROM subscriptions s
            WHERE s.user_id = OLD.user_id);
    UPDATE subscriber_groups SET count = count - 1
     WHERE kecamatan = COALESCE(substr(OLD.region_code, 1, 8), '')
       AND language = OLD.language AND campaign = COALESCE(OLD.campaign, '');
    INSERT INTO subscriber_days (day, kabupaten, count)
        SELECT substr(s.subscribed_at, 1, 10), COALESCE(substr(NEW.region_code, 1, 5), ''), 1
          FROM subscriptions s WHERE s.user_id = NEW.user_id
        ON CONFLICT (day, kabupaten) DO UPDATE SET count = subscriber_days.count + 1;
    INSERT INTO subscriber_groups (kecamatan, language, campaign, count)
        VALUES (COALESCE(substr(NEW.region_code, 1, 8), ''), NEW.language,
                COALESCE(NEW.campaign, ''), 1)
        ON CONFLICT (kecamatan, language, campaign) DO UPDATE SET
            count = subscriber_groups.count + 1;
END;

-- A citizen's data deleted: their subscription goes first, while their row still says where
-- it was counted (the foreign key's cascade would delete it after).
CREATE TRIGGER subscriber_erased BEFORE DELETE ON users
BEGIN
    DELETE FROM subscriptions WHERE user_id = OLD.user_id;
END;

CREATE TRIGGER stat_added AFTER INSERT ON daily_stats
BEGIN
    INSERT INTO stat_totals (metric, topic, kecamatan, count)
        VALUES (NEW.metric, NEW.topic, NEW.kecamatan, NEW.count)
        ON CONFLICT (metric, topic, kecamatan) DO UPDATE SET
            count = stat_totals.count + excluded.count;
END;

CREATE TRIGGER stat_counted AFTER UPDATE OF count ON daily_stats
BEGIN
    UPDATE stat_totals SET count = count + NEW.count - OLD.count
     WHERE metric = NEW.metric AND topic = NEW.topic AND kecamatan = NEW.kecamatan;
END;
