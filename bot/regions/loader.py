"""The region tree of the deployment, built from the region-code file election.yaml names.

Content names the file and the regency; this owns the tree (and its place search), and checks
the content that refers to regions (schedule audiences). Problems are content problems, with
file and line, refused whole like the rest.
"""

from __future__ import annotations

from bot.content.errors import Collector
from bot.content.model import Content
from bot.regions.tree import RegionTree, fold
from bot.regions.wilayah import RegionDataError, load_region_tree


def load_regions(content: Content) -> RegionTree:
    """The tree, or ContentError listing every problem."""
    col = Collector(content.root)
    election = content.election
    path = content.root / election.region.data
    tree: RegionTree | None = None
    try:
        tree = load_region_tree(path, election.region.code, election.region.kecamatan_count)
    except RegionDataError as exc:
        for line, message in exc.problems:
            col.add(path, line, "", message)
    if tree is not None:
        schedule = content.schedule
        for where, send in schedule.sends():
            region = send.audience.region
            if region and region not in tree.regions and region != tree.root_code:
                col.add(content.root / "schedule.yaml", None, f"{where}.audience.region",
                        f"unknown region code {region!r}")
        # A place of this deployment is never "elsewhere" (another regency's scope.yaml, left
        # unchanged, would decline questions about its own places).
        own = {fold(r.name) for r in tree.regions.values()} | {fold(tree.root_name)}
        scope = content.scope
        for n, phrase in enumerate(scope.elsewhere if scope else ()):
            if phrase in own or f"kabupaten {phrase}" in own or f"kota {phrase}" in own:
                col.add(content.root / "scope.yaml", None, f"elsewhere[{n}]",
                        f"{phrase!r} is a place of this deployment, not elsewhere")
    col.raise_if_any()
    assert tree is not None
    return tree
