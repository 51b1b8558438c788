-- 0019 in PostgreSQL's words: the same table and counts, kept by statement triggers that
-- read the statement's rows at once (the snapshot inserts thousands in one statement), and
-- change no count when a statement changed no outcome (a batch claimed for sending). Each
-- statement takes its count rows in one order (ORDER BY): erasures in two processes, each
-- touching a citizen's broadcasts, queue on them instead of deadlocking. Only the leader
-- changes a sending broadcast's several rows, one transaction at a time.
CREATE TABLE delivery_counts (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id),
    outcome      TEXT   NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (broadcast_id, outcome)
);

INSERT INTO delivery_counts (broadcast_id, outcome, count)
    SELECT broadcast_id, COALESCE(outcome, 'pending'), COUNT(*) FROM deliveries GROUP BY 1, 2;

CREATE FUNCTION suara_deliveries_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts (broadcast_id, outcome, count)
        SELECT broadcast_id, COALESCE(outcome, 'pending'), COUNT(*) FROM added
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (broadcast_id, outcome) DO UPDATE SET
            count = delivery_counts.count + excluded.count;
    RETURN NULL;
END $$;

CREATE FUNCTION suara_deliveries_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts (broadcast_id, outcome, count)
        SELECT broadcast_id, COALESCE(outcome, 'pending'), -COUNT(*) FROM removed
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (broadcast_id, outcome) DO UPDATE SET
            count = delivery_counts.count + excluded.count;
    RETURN NULL;
END $$;

CREATE FUNCTION suara_deliveries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts (broadcast_id, outcome, count)
        SELECT broadcast_id, outcome, SUM(n) FROM (
            SELECT broadcast_id, COALESCE(outcome, 'pending') AS outcome, 1 AS n FROM added
            UNION ALL
            SELECT broadcast_id, COALESCE(outcome, 'pending'), -1 FROM removed) AS d
         GROUP BY 1, 2 HAVING SUM(n) <> 0
         ORDER BY 1, 2
        ON CONFLICT (broadcast_id, outcome) DO UPDATE SET
            count = delivery_counts.count + excluded.count;
    RETURN NULL;
END $$;

CREATE TRIGGER deliveries_added AFTER INSERT ON deliveries REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION suara_deliveries_added();
CREATE TRIGGER deliveries_removed AFTER DELETE ON deliveries REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION suara_deliveries_removed();
CREATE TRIGGER deliveries_changed AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION suara_deliveries_changed();
