-- A broadcast's recipients per outcome ('pending' while it has none), for /statistik's
-- summary of the latest broadcasts and a broadcast's progress: counting a 10-million-recipient
-- broadcast's rows each time took seconds. Kept as deliveries change, by triggers (so every
-- writer keeps them true: the snapshot, each outcome, an approval's trim, an erasure, the
-- purge), and filled here from the rows there are. The counts of purged rows stay in
-- broadcast_outcomes (migration 0006), as before.
CREATE TABLE delivery_counts (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    outcome      TEXT    NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, outcome)
) WITHOUT ROWID;

INSERT INTO delivery_counts (broadcast_id, outcome, count)
    SELECT broadcast_id, COALESCE(outcome, 'pending'), COUNT(*) FROM deliveries GROUP BY 1, 2;

CREATE TRIGGER delivery_added AFTER INSERT ON deliveries
BEGIN
    INSERT INTO delivery_counts (broadcast_id, outcome, count)
        VALUES (NEW.broadcast_id, COALESCE(NEW.outcome, 'pending'), 1)
        ON CONFLICT (broadcast_id, outcome) DO UPDATE SET count = delivery_counts.count + 1;
END;

CREATE TRIGGER delivery_removed AFTER DELETE ON deliveries
BEGIN
    UPDATE delivery_counts SET count = count - 1
     WHERE broadcast_id = OLD.broadcast_id AND outcome = COALESCE(OLD.outcome, 'pending');
END;

CREATE TRIGGER delivery_outcome AFTER UPDATE OF outcome ON deliveries
WHEN OLD.outcome IS NOT NEW.outcome
BEGIN
    UPDATE delivery_counts SET count = count - 1
     WHERE broadcast_id = OLD.broadcast_id AND outcome = COALESCE(OLD.outcome, 'pending');
    INSERT INTO delivery_counts (broadcast_id, outcome, count)
        VALUES (NEW.broadcast_id, COALESCE(NEW.outcome, 'pending'), 1)
        ON CONFLICT (broadcast_id, outcome) DO UPDATE SET count = delivery_counts.count + 1;
END;
