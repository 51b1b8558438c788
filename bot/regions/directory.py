"""The TPS list in memory for the bot, reloaded when an import changes its version."""

from __future__ import annotations

from collections import defaultdict

from bot.regions.nearest import NearestIndex
from bot.storage import Database
from bot.storage.tps import Dataset, Tps, all_tps, dataset, dataset_version


class TpsDirectory:
    def __init__(self) -> None:
        self.version = -1
        self.info: Dataset | None = None
        self.by_desa: dict[str, list[Tps]] = {}
        self.index: NearestIndex[Tps] = NearestIndex([])

    async def refresh(self, db: Database) -> None:
        """Cheap when nothing changed: one indexed read of the dataset version."""
        version = await dataset_version(db)
        if version == self.version:
            return
        rows = await all_tps(db)
        by_desa: dict[str, list[Tps]] = defaultdict(list)
        for tps in rows:
            by_desa[tps.kode_wilayah].append(tps)
        self.by_desa = dict(by_desa)
        self.index = NearestIndex([(t.lat, t.lon, t) for t in rows
                                   if t.lat is not None and t.lon is not None])
        self.info = await dataset(db)
        self.version = version

    @property
    def available(self) -> bool:
        return self.info is not None and bool(self.by_desa)

    @property
    def is_sample(self) -> bool:
        return self.info is not None and self.info.is_sample
