-- The user's chosen desa/kelurahan (official region code), used to target broadcasts later.
ALTER TABLE users ADD COLUMN region_code TEXT;

-- The official polling-station list, replaced whole by `python -m bot tps import`.
CREATE TABLE tps (
    kode_wilayah  TEXT    NOT NULL,   -- desa/kelurahan code, e.g. 16.03.02.2001
    nomor         INTEGER NOT NULL,   -- TPS number within the desa
    alamat        TEXT    NOT NULL,
    lat           REAL,
    lon           REAL,
    aksesibilitas TEXT,
    keterangan    TEXT,
    PRIMARY KEY (kode_wilayah, nomor)
) WITHOUT ROWID;

-- One row describing the list in force; version moves only when the list changes.
CREATE TABLE tps_dataset (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     INTEGER NOT NULL,
    imported_at TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    is_sample   INTEGER NOT NULL DEFAULT 0
);
