"""A region's view of a province deployment (Content.for_region): the shared layer with the
region's layer over it. Built once per region and cached by the Content it is a view of."""

from __future__ import annotations

import dataclasses

from bot.content.layers import RegionProfile, default_profile
from bot.content.model import Content
from bot.content.schema import Contact, Election, Localized


def _default_contacts(name: str) -> dict[str, Contact]:
    """A region without a layer: its KPU and Bawaslu by their statutory names, no details."""
    return {"kpu_kabupaten": Contact(name=Localized(id=f"KPU {name}", en=f"KPU {name}")),
            "bawaslu_kabupaten": Contact(name=Localized(id=f"Bawaslu {name}",
                                                        en=f"Bawaslu {name}"))}


def region_election(home: Content, profile: RegionProfile, layered: bool) -> Election:
    shared = home.election
    region = shared.region.model_copy(update={
        "level": "kabupaten_kota", "code": profile.code, "name": profile.name,
        "kecamatan_count": profile.kecamatan_count, "race": profile.race,
        "bounds": profile.bounds or shared.region.bounds})
    contacts = dict(shared.contacts)
    if not layered:
        contacts.update(_default_contacts(profile.name))
    contacts.update(profile.contacts)
    return shared.model_copy(update={
        "region": region,
        "name": profile.election_name or shared.name,
        "links": {**shared.links, **profile.links},
        "contacts": contacts,
        "milestones": {**shared.milestones, **profile.milestones},
        "results_milestone": profile.results_milestone or shared.results_milestone})


def region_view(home: Content, code: str) -> Content:
    layer = home.layers.get(code)
    profile = layer.profile if layer else default_profile(code, home.region_names.get(code, code))
    entries = {eid: e for eid, e in home.shared.items() if not e.entry.regional}
    sources = dict(home.sources)
    dialect = dict(home.dialect)
    if layer is not None:
        entries.update(layer.entries)
        sources.update(layer.sources)
        if layer.dialect is not None:
            dialect.update({w: d.means for w, d in layer.dialect.words.items()})
    return dataclasses.replace(
        home, election=region_election(home, profile, layer is not None), entries=entries,
        sources=sources, dialect=dialect, region_code=code, home=home, _answers={},
        _fixed_messages={})
