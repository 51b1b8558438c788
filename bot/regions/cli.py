"""`python -m bot tps import FILE` and `python -m bot tps export [FILE]`."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.content.registry import Content
from bot.masking import redact
from bot.regions.tps_import import parse_tps_csv, to_csv, tps_areas
from bot.regions.tree import RegionTree
from bot.settings import Settings
from bot.storage import open_database
from bot.storage.tps import Changes, all_tps, dataset, replace_all

MAX_SHOWN_ERRORS = 50


def _numbers(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


def describe(changes: Changes, regions: RegionTree) -> list[str]:
    lines = []
    codes = sorted(set(changes.added) | set(changes.changed) | set(changes.removed))
    for code in codes:
        desa = regions.regions.get(code)
        name = f"{desa.name}, Kec. {regions.regions[desa.parent].name}" if desa else code
        parts = []
        if changes.added.get(code):
            parts.append(f"+{len(changes.added[code])} added (TPS {_numbers(changes.added[code])})")
        if changes.changed.get(code):
            parts.append(f"~{len(changes.changed[code])} changed "
                         f"(TPS {_numbers(changes.changed[code])})")
        if changes.removed.get(code):
            parts.append(f"-{len(changes.removed[code])} removed "
                         f"(TPS {_numbers(changes.removed[code])})")
        lines.append(f"  {name} [{code}]: {'; '.join(parts)}")
    return lines


async def import_tps(settings: Settings, content: Content, regions: RegionTree, path: Path, *,
                     sample: bool,
                     dry_run: bool) -> int:
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(redact(f"error: cannot read {path}: {exc.strerror}"), file=sys.stderr)
        return 2
    result = parse_tps_csv(data, regions, content.election.region.bounds, tps_areas(content))
    if result.ignored_columns:
        print(f"note: ignoring column(s) {', '.join(result.ignored_columns)}")
    if not result.ok:
        print(redact(f"error: {path} rejected, nothing was changed ({len(result.errors)} "
                     "problem(s)):"), file=sys.stderr)
        for line in result.errors[:MAX_SHOWN_ERRORS]:
            print(redact(f"  {line}"), file=sys.stderr)
        if len(result.errors) > MAX_SHOWN_ERRORS:
            print(f"  ... and {len(result.errors) - MAX_SHOWN_ERRORS} more", file=sys.stderr)
        return 1
    kind = "SAMPLE list (every answer will say so)" if sample else "official list"
    print(f"{path}: {len(result.rows)} TPS in "
          f"{len({r.kode_wilayah for r in result.rows})} desa/kelurahan, valid ({kind}).")
    if dry_run:
        print("dry run: nothing was changed.")
        return 0
    db = await open_database(settings.database)
    try:
        changes = await replace_all(db, result.rows, source=path.name, is_sample=sample,
                                    now=datetime.now(UTC))
        info = await dataset(db)
    finally:
        await db.close()
    if not changes.any:
        print(f"No changes: the list in force is identical (version {info.version if info else 0}).")
        return 0
    for line in describe(changes, regions):
        print(line)
    added, changed, removed = changes.totals()
    touched = len(set(changes.added) | set(changes.changed) | set(changes.removed))
    print(f"Done: {added} added, {changed} changed, {removed} removed in {touched} "
          f"desa/kelurahan; now version {info.version if info else '?'}. A running bot picks it "
          "up at its next TPS question.")
    return 0


async def export_tps(settings: Settings, target: Path | None) -> int:
    db = await open_database(settings.database)
    try:
        rows = await all_tps(db)
    finally:
        await db.close()
    text = to_csv(rows)
    if target is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(target.write_text, text, encoding="utf-8")
        print(f"wrote {len(rows)} TPS to {target}")
    return 0
