"""Region layers: one folder per kabupaten/kota of a province deployment (content/layers/<code>/),
and in a national deployment one per province (content/layers/<2 digits>/: its governor's race,
its KPU Provinsi) between the shared layer and its regions' layers.

A layer has its profile (region.yaml), and optionally entries (faq/*.yaml) that override shared
entries by id or add new ones, the sources they cite (sources.yaml, merged with the shared ones;
the same id in both is refused), local words (dialect.yaml) and labelled messages
(training/*.jsonl). A flat content folder (no layers/) is one region and has no layers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from bot.content.errors import Collector, key_line
from bot.content.language import Dialect, Phrase
from bot.content.loaders import load_dialect, load_faq, load_model, load_sources
from bot.content.model import LoadedEntry
from bot.content.schema import Bounds, Candidates, Contact, Localized, Milestone, Slug, Source, Strict, Url

LAYERS = "layers"
KABUPATEN_CODE = r"^\d{2}\.\d{2}$"
PROVINCE_CODE = r"^\d{2}$"


class _Profile(Strict):
    """What a region's and a province's region.yaml both carry: `links`, `contacts` and
    `milestones` are added to the shared ones (same id: the layer's)."""
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
    election_name: Localized | None = None
    bounds: Bounds | None = None
    links: dict[Slug, Url] = Field(default_factory=dict)
    contacts: dict[Slug, Contact] = Field(default_factory=dict)
    milestones: dict[Slug, Milestone] = Field(default_factory=dict)
    results_milestone: Slug | None = None
    # The layer's race (a region's regent or mayor, a province's governor): its pairs.
    candidates: Candidates | None = None


class RegionProfile(_Profile):
    """A region's election profile, what its templates read (`election.region`, `contacts`...)."""
    code: Annotated[str, StringConstraints(pattern=KABUPATEN_CODE)]
    race: Annotated[str, StringConstraints(pattern=r"^(bupati|walikota)$")]
    kecamatan_count: int | None = Field(default=None, ge=1)


class ProvinceProfile(_Profile):
    """A province's profile in a national deployment (layers/<2 digits>/region.yaml): what its
    regions read over the shared election (`election.province`, `contacts.kpu_provinsi`...),
    under their own region layer's."""
    code: Annotated[str, StringConstraints(pattern=PROVINCE_CODE)]


class RegionName(Strict):
    """Other ways a region's name is written ("plg", "muba"), each list with its source."""
    names: list[Phrase] = Field(min_length=1)
    # Names that are everyday chat words too ("plg": paling, pulang): the region only when
    # said as a place ("di plg", "kota plg") or alone, never in passing.
    everyday: list[Phrase] = Field(default_factory=list)
    source: Slug


class RegionNames(Strict):
    """content/region_names.yaml (optional): names people use for the deployment's regions."""
    sources: dict[Slug, Source] = Field(min_length=1)
    regions: dict[Annotated[str, StringConstraints(pattern=KABUPATEN_CODE)], RegionName]


@dataclass(frozen=True)
class Layer:
    code: str
    root: Path
    profile: RegionProfile
    entries: dict[str, LoadedEntry]
    sources: dict[str, Source]
    dialect: Dialect | None


@dataclass(frozen=True)
class ProvinceLayer:
    code: str
    root: Path
    profile: ProvinceProfile
    entries: dict[str, LoadedEntry]
    sources: dict[str, Source]
    dialect: Dialect | None


def race_of(name: str) -> str:
    """A kota elects a walikota, a kabupaten a bupati (the region codes' names say which)."""
    return "walikota" if name.lower().startswith("kota ") else "bupati"


def default_profile(code: str, name: str) -> RegionProfile:
    """The profile of a region without a layer: its name and race from the region codes."""
    return RegionProfile(code=code, name=name, race=race_of(name))


def load_region_names(col: Collector, root: Path) -> RegionNames | None:
    path = root / "region_names.yaml"
    names = load_model(col, path, RegionNames) if path.exists() else None
    for code, item in names.regions.items() if names else ():
        if item.source not in names.sources:     # type: ignore[union-attr]
            col.add(path, None, f"regions.{code}.source", f"unknown source {item.source!r}")
        for word in item.everyday:
            if word not in item.names:
                col.add(path, None, f"regions.{code}.everyday", f"{word!r} is not in its names")
    return names


def load_layers(col: Collector, root: Path, env: Any, shared_sources: dict[str, Source]
                ) -> tuple[dict[str, Layer], dict[str, ProvinceLayer]]:
    """Every region layer under root/layers/, in code order, and every province layer (a
    folder named by two digits); problems with file and line."""
    folder = root / LAYERS
    layers: dict[str, Layer] = {}
    provinces: dict[str, ProvinceLayer] = {}
    if not folder.is_dir():
        return layers, provinces
    for path in sorted(folder.iterdir()):
        if not path.is_dir():
            col.add(path, None, "", "only region folders (content/layers/<code>/) belong here")
            continue
        is_province = re.fullmatch(PROVINCE_CODE, path.name) is not None
        model: type[RegionProfile | ProvinceProfile] = \
            ProvinceProfile if is_province else RegionProfile
        profile = load_model(col, path / "region.yaml", model)
        if profile is not None and profile.code != path.name:
            raw = col.load(path / "region.yaml")
            col.add(path / "region.yaml", key_line(raw, "code"), "code",
                    f"{profile.code!r} is not the folder's name {path.name!r}")
            continue
        entries, sources, dialect = _load_parts(col, path, env, shared_sources)
        if isinstance(profile, ProvinceProfile):
            provinces[profile.code] = ProvinceLayer(profile.code, path, profile, entries,
                                                    sources, dialect)
        elif isinstance(profile, RegionProfile):
            layers[profile.code] = Layer(profile.code, path, profile, entries, sources, dialect)
    return layers, provinces


def _load_parts(col: Collector, path: Path, env: Any, shared_sources: dict[str, Source]
                ) -> tuple[dict[str, LoadedEntry], dict[str, Source], Dialect | None]:
    """A layer's entries, sources and local words."""
    sources: dict[str, Source] = {}
    if (path / "sources.yaml").exists():
        sources = load_sources(col, path)
        raw = col.load(path / "sources.yaml")
        for sid in sorted(set(sources) & set(shared_sources)):
            col.add(path / "sources.yaml", key_line(raw, sid), sid,
                    "also a shared source (content/sources.yaml): one id, one source")
    entries = load_faq(col, path, env, required=False)
    for eid, loaded in entries.items():
        if loaded.entry.regional:
            col.add(loaded.path, loaded.line, f"{eid}.regional",
                    "a layer's entry answers for its region: `regional` is for shared entries")
    return entries, sources, load_dialect(col, path)


def union_entries(shared: dict[str, LoadedEntry],
                  layers: Iterable[Layer | ProvinceLayer]) -> dict[str, LoadedEntry]:
    """Every entry id of the deployment: the shared entries, then what layers add (the first
    layer's version stands for it: its questions are the same kind of question)."""
    found = dict(shared)
    for layer in layers:
        for eid, loaded in layer.entries.items():
            found.setdefault(eid, loaded)
    return found
