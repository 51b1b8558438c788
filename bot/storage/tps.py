"""Polling stations: the list in force, replaced whole and atomically on import."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class Tps:
    kode_wilayah: str
    nomor: int
    alamat: str
    lat: float | None = None
    lon: float | None = None
    aksesibilitas: str | None = None
    keterangan: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.kode_wilayah, self.nomor)


@dataclass(frozen=True)
class Dataset:
    version: int
    imported_at: str
    source: str
    is_sample: bool


@dataclass
class Changes:
    """What an import changed, per desa code: TPS numbers added, changed, removed."""
    added: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    changed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    removed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    sample_flag_changed: bool = False

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.sample_flag_changed)

    def totals(self) -> tuple[int, int, int]:
        return (sum(map(len, self.added.values())), sum(map(len, self.changed.values())),
                sum(map(len, self.removed.values())))


COLUMNS = "kode_wilayah, nomor, alamat, lat, lon, aksesibilitas, keterangan"


async def all_tps(db: Database) -> list[Tps]:
    async with db.conn.execute(f"SELECT {COLUMNS} FROM tps ORDER BY kode_wilayah, nomor") as cur:
        return [Tps(*row) for row in await cur.fetchall()]


async def dataset(db: Database) -> Dataset | None:
    async with db.conn.execute(
        "SELECT version, imported_at, source, is_sample FROM tps_dataset WHERE id = 1"
    ) as cur:
        row = await cur.fetchone()
    return Dataset(row[0], row[1], row[2], bool(row[3])) if row else None


async def dataset_version(db: Database) -> int:
    async with db.conn.execute("SELECT version FROM tps_dataset WHERE id = 1") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def replace_all(db: Database, rows: list[Tps], source: str, is_sample: bool,
                      now: datetime) -> Changes:
    """Make `rows` the list in force, in one transaction; return what changed."""
    current = {t.key: t for t in await all_tps(db)}
    incoming = {t.key: t for t in rows}
    changes = Changes()
    for key, tps in incoming.items():
        if key not in current:
            changes.added[key[0]].append(key[1])
        elif current[key] != tps:
            changes.changed[key[0]].append(key[1])
    for key in current.keys() - incoming.keys():
        changes.removed[key[0]].append(key[1])
    for numbers in (*changes.added.values(), *changes.changed.values(), *changes.removed.values()):
        numbers.sort()
    info = await dataset(db)
    changes.sample_flag_changed = info is not None and info.is_sample != is_sample
    if info is not None and not changes.any:
        return changes  # the same list again: nothing to write, the version stays
    version = (info.version if info else 0) + 1
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM tps")
        await conn.executemany(
            f"INSERT INTO tps ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(t.kode_wilayah, t.nomor, t.alamat, t.lat, t.lon, t.aksesibilitas, t.keterangan)
             for t in rows])
        await conn.execute(
            "INSERT INTO tps_dataset (id, version, imported_at, source, is_sample)"
            " VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
            " imported_at = excluded.imported_at, source = excluded.source,"
            " is_sample = excluded.is_sample",
            (version, now.isoformat(timespec="seconds"), source, int(is_sample)))
    return changes
