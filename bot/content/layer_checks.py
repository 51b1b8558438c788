"""Checks of a province deployment's region layers: each layer's references, and every
combination (the shared layer with each region's layer, and a region without one) rendered."""

from __future__ import annotations

import dataclasses

from bot.content.checks import check_entry, check_rendering
from bot.content.errors import Collector
from bot.content.model import Content

# A region of the province without a layer, for checking what such regions read.
SAMPLE_CODE, SAMPLE_NAME = "00.00", "Kabupaten Contoh"


def check_layers(col: Collector, content: Content) -> None:
    """References of every layer against the shared layer merged with it."""
    if content.layers and not content.is_province:
        col.add(content.root / "election.yaml", None, "region.level",
                "region layers (layers/) need a province deployment (region.level: provinsi)")
    for code, layer in content.layers.items():
        sources = {**content.sources, **layer.sources}
        for loaded in layer.entries.values():
            check_entry(col, loaded, content.topics, sources, content.entries)
        path = layer.root / "region.yaml"
        profile = layer.profile
        for mid, milestone in profile.milestones.items():
            for sid in milestone.sources:
                if sid not in sources:
                    col.add(path, None, f"milestones.{mid}.sources", f"unknown source {sid!r}")
        milestones = {**content.election.milestones, **profile.milestones}
        if profile.results_milestone and profile.results_milestone not in milestones:
            col.add(path, None, "results_milestone",
                    f"{profile.results_milestone!r} is not one of the milestones")
        if content.is_province and not code.startswith(content.election.region.code + "."):
            col.add(path, None, "code",
                    f"{code} is not in the province {content.election.region.code}")


def check_combinations(col: Collector, content: Content) -> None:
    """Every layer's view (shared + that layer) rendered, and a region's without a layer."""
    if not content.is_province:
        return
    # A profile only adds or replaces links, contacts and milestones: a shared answer that
    # renders for the province renders for each region; it is read once, on voting day, for
    # each region. A layer's own answers are read on every sample day.
    for code, layer in content.layers.items():
        view = content.for_region(code)
        check_rendering(col, view, entries_only=True, entry_ids=set(layer.entries))
        if layer.profile.milestones or layer.profile.results_milestone:   # its own timeline
            check_rendering(col, view, entries_only=True,
                            entry_ids=set(view.entries) - set(layer.entries))
        else:
            check_rendering(col, view, entries_only=True, one_day=True,
                            entry_ids=set(view.entries) - set(layer.entries))
    sample = dataclasses.replace(content, region_names={SAMPLE_CODE: SAMPLE_NAME})
    check_rendering(col, sample.for_region(SAMPLE_CODE), entries_only=True, one_day=True)
