"""The region tree of the deployment, built from the region-code file election.yaml names.

Content names the file and the regency; this owns the tree (and its place search), and checks
the content that refers to regions (schedule audiences). Problems are content problems, with
file and line, refused whole like the rest.
"""

from __future__ import annotations

from bot.content.errors import Collector
from bot.content.layers import race_of
from bot.content.model import Content
from bot.regions.names import RegionNamer, bare
from bot.regions.tree import RegionTree, fold
from bot.regions.wilayah import RegionDataError, load_region_tree


def load_regions(content: Content) -> RegionTree:
    """The tree, or ContentError listing every problem."""
    col = Collector(content.root)
    election = content.election
    path = content.root / election.region.data
    tree: RegionTree | None = None
    try:
        tree = load_region_tree(path, election.region.code, election.region.kecamatan_count,
                                election.region.provinces, election.region.name)
    except RegionDataError as exc:
        for line, message in exc.problems:
            col.add(path, line, "", message)
    if tree is not None and content.home is None:   # a region's view: its home checked these
        check_layers(col, content, tree)
        schedule = content.schedule
        for where, send in schedule.sends():
            region = send.audience.region
            if region and region not in tree.regions and region != tree.root_code:
                col.add(content.root / "schedule.yaml", None, f"{where}.audience.region",
                        f"unknown region code {region!r}")
        # A place of this deployment is never "elsewhere" (another regency's scope.yaml, left
        # unchanged, would decline questions about its own places).
        # In a province, its kabupaten/kota by every name (its villages share names with
        # places far away: a desa Surabaya does not make Surabaya a place of the deployment).
        own = {bare(name) for name in content.place_names} | {fold(tree.root_name)} \
            | {bare(name) for name in tree.provinces.values()} \
            if tree.kabupaten else {fold(r.name) for r in tree.regions.values()} | {fold(tree.root_name)}
        scope = content.scope
        for key in ("elsewhere", "countries"):
            for n, phrase in enumerate(getattr(scope, key) if scope else ()):
                if phrase in own or f"kabupaten {phrase}" in own or f"kota {phrase}" in own:
                    col.add(content.root / "scope.yaml", None, f"{key}[{n}]",
                            f"{phrase!r} is a place of this deployment, not elsewhere")
    col.raise_if_any()
    assert tree is not None
    # The deployment's kabupaten/kota by name, for the content's region views and its place
    # names; and the namer that finds them in a message.
    if content.home is None:
        content.region_names = tree.kabupaten_codes
        if content.is_national:
            content.province_names = dict(tree.provinces)
    other = content.other_names
    items = other.regions.items() if other else ()
    tree.namer = RegionNamer(tree.kabupaten_codes, {code: list(item.names) for code, item in items},
                             {word for _, item in items for word in item.everyday})
    return tree


def check_layers(col: Collector, content: Content, tree: RegionTree) -> None:
    """A layer is one kabupaten/kota of the deployment in the region codes (a province layer
    one of its provinces), named as they name it; other names name one too."""
    codes = tree.kabupaten_codes
    for code, layer in content.layers.items():
        if code not in codes:
            col.add(layer.root / "region.yaml", None, "code",
                    f"{code} is not a kabupaten/kota of {tree.root_name} in the region codes")
        elif fold(layer.profile.name) != fold(codes[code]):
            col.add(layer.root / "region.yaml", None, "name",
                    f"{layer.profile.name!r}: the region codes name {code} {codes[code]!r}")
        elif layer.profile.race != race_of(codes[code]):
            col.add(layer.root / "region.yaml", None, "race",
                    f"{layer.profile.race!r}: {codes[code]} elects a {race_of(codes[code])}")
    for code, province in content.province_layers.items():
        path = province.root / "region.yaml"
        if code not in tree.provinces:
            col.add(path, None, "code", f"{code} is not a province of this deployment in the "
                                        "region codes")
        elif fold(province.profile.name) != fold(tree.provinces[code]):
            col.add(path, None, "name", f"{province.profile.name!r}: the region codes name "
                                        f"{code} {tree.provinces[code]!r}")
    for code in content.other_names.regions if content.other_names else ():
        if code not in codes:
            col.add(content.root / "region_names.yaml", None, f"regions.{code}",
                    f"{code} is not a kabupaten/kota of this deployment")
