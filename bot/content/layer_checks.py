"""Checks of a province or national deployment's layers: each layer's references, and every
combination (the shared layer with each region's layer, and in a national deployment with its
province's layer, and regions without a layer) rendered."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.content.checks import check_broadcasts, check_entry, check_rendering
from bot.content.errors import Collector
from bot.content.layers import ProvinceProfile, RegionProfile
from bot.content.model import Content, LoadedEntry
from bot.content.schema import Milestone, Source

# A region without a layer, for checking what such regions read (in a national deployment,
# one in each province with a layer too: "<province>.00").
SAMPLE_CODE, SAMPLE_NAME = "00.00", "Kabupaten Contoh"


def check_layers(col: Collector, content: Content) -> None:
    """References of every layer against the shared layer (and its province's) merged with it."""
    region = content.election.region
    if content.layers and not content.is_province:
        col.add(content.root / "election.yaml", None, "region.level",
                "region layers (layers/) need a province deployment (region.level: provinsi)")
    if content.province_layers and not content.is_national:
        col.add(content.root / "election.yaml", None, "region.level",
                "province layers (layers/<2 digits>/) need a national deployment "
                "(region.level: nasional)")
    for code, province in content.province_layers.items():
        sources = {**content.sources, **province.sources}
        _check_part(col, content, province.entries, province.root / "region.yaml",
                    province.profile, sources, content.election.milestones)
        if region.provinces and code not in region.provinces:
            col.add(province.root / "region.yaml", None, "code",
                    f"{code} is not one of election.yaml's region.provinces")
    for code, layer in content.layers.items():
        over = content.province_layers.get(code[:2]) if content.is_national else None
        sources = {**content.sources, **(over.sources if over else {}), **layer.sources}
        milestones = {**content.election.milestones,
                      **(over.profile.milestones if over else {})}
        path = layer.root / "region.yaml"
        _check_part(col, content, layer.entries, path, layer.profile, sources, milestones)
        if content.is_national:
            if region.provinces and code[:2] not in region.provinces:
                col.add(path, None, "code",
                        f"{code} is not in one of election.yaml's region.provinces")
        elif content.is_province and not code.startswith(region.code + "."):
            col.add(path, None, "code", f"{code} is not in the province {region.code}")


def _check_part(col: Collector, content: Content, entries: dict[str, LoadedEntry], path: Path,
                profile: RegionProfile | ProvinceProfile, sources: dict[str, Source],
                milestones: dict[str, Milestone]) -> None:
    for loaded in entries.values():
        check_entry(col, loaded, content.topics, sources, content.entries)
        # One id is one kind of question across layers (the model learns them as one).
        base = content.entries.get(loaded.id)
        if base is not None and base is not loaded and base.entry.topic != loaded.entry.topic:
            col.add(loaded.path, loaded.line, f"{loaded.id}.topic",
                    f"{loaded.entry.topic!r}: {loaded.id} is under {base.entry.topic!r} "
                    f"in {base.path.name}")
    for mid, milestone in profile.milestones.items():
        for sid in milestone.sources:
            if sid not in sources and not col.is_lost("source", sid):
                col.add(path, None, f"milestones.{mid}.sources",
                        f"unknown source {sid!r}")
    if profile.results_milestone and profile.results_milestone not in \
            {**milestones, **profile.milestones}:
        col.add(path, None, "results_milestone",
                f"{profile.results_milestone!r} is not one of the milestones")


def check_combinations(col: Collector, content: Content) -> None:
    """Every layer's view (shared + province + that layer) rendered, and regions' without one."""
    if not content.is_province:
        return
    # Views built here are not kept: the region codes' names come later (bot/regions/loader.py).
    content = dataclasses.replace(content)
    # A profile only adds or replaces links, contacts and milestones: a shared answer that
    # renders for the province renders for each region; it is read once, on voting day, for
    # each region. A layer's own answers are read on every sample day.
    for code, layer in content.layers.items():
        view = content.for_region(code)
        # A broadcast to an audience within the region renders with its view (audience_view).
        check_broadcasts(col, view, f"{layer.profile.name} ({code}, {_shown(content, layer.root)})")
        over = content.province_layers.get(code[:2]) if content.is_national else None
        own = set(layer.entries) | (set(over.entries) if over else set())
        check_rendering(col, view, entries_only=True, entry_ids=own)
        timeline = layer.profile.milestones or layer.profile.results_milestone or \
            (over is not None and (over.profile.milestones or over.profile.results_milestone))
        check_rendering(col, view, entries_only=True, one_day=not timeline,
                        entry_ids=set(view.entries) - own)
    samples = {SAMPLE_CODE: SAMPLE_NAME}
    samples.update({f"{code}.00": f"{SAMPLE_NAME} {code}" for code in content.province_layers})
    sample = dataclasses.replace(content, region_names=samples)
    check_rendering(col, sample.for_region(SAMPLE_CODE), entries_only=True, one_day=True)
    check_broadcasts(col, sample.for_region(SAMPLE_CODE), "a kabupaten/kota without a layer")
    for code, province in content.province_layers.items():
        view = sample.for_region(f"{code}.00")
        check_broadcasts(col, view, f"a kabupaten/kota of {code} without a layer"
                                    f" ({_shown(content, province.root)})")
        check_rendering(col, view, entries_only=True, entry_ids=set(province.entries))
        check_rendering(col, view, entries_only=True, one_day=True,
                        entry_ids=set(view.entries) - set(province.entries))


def _shown(content: Content, folder: Path) -> str:
    """A layer's folder as the problems show paths: from the content folder's parent."""
    try:
        return str(folder.relative_to(content.root.parent))
    except ValueError:
        return str(folder)
