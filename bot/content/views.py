"""A region's view of a province or national deployment (Content.for_region): the shared layer,
in a national deployment its province's layer over it, and the region's own layer over both.
Built once per region and cached by the Content it is a view of.

Precedence, entry by entry (by id) and key by key (links, contacts, milestones): region layer >
province layer > shared layer. A region without a layer reads its province's (and, without
either, the shared layer) under the names the region codes give it."""

from __future__ import annotations

import dataclasses

from bot.content.layers import ProvinceLayer, RegionProfile, default_profile
from bot.content.model import Content
from bot.content.schema import Contact, Election, Localized

PROVINCE_PREFIX = "provinsi "


def _named(name: str) -> Contact:
    return Contact(name=Localized(id=name, en=name))


def _default_contacts(name: str) -> dict[str, Contact]:
    """A region without a layer: its KPU and Bawaslu by their statutory names, no details."""
    return {"kpu_kabupaten": _named(f"KPU {name}"), "bawaslu_kabupaten": _named(f"Bawaslu {name}")}


def _province_contacts(name: str) -> dict[str, Contact]:
    """A province without a layer (national deployment): its KPU and Bawaslu Provinsi."""
    return {"kpu_provinsi": _named(f"KPU Provinsi {name}"),
            "bawaslu_provinsi": _named(f"Bawaslu Provinsi {name}")}


def province_name(name: str) -> str:
    """"Provinsi Contoh Utara" -> "Contoh Utara" (what `election.province` reads)."""
    return name[len(PROVINCE_PREFIX):] if name.lower().startswith(PROVINCE_PREFIX) else name


def region_election(home: Content, profile: RegionProfile, layered: bool,
                    province: ProvinceLayer | None = None) -> Election:
    shared = home.election
    over = province.profile if province is not None else None
    prov_name = shared.region.province
    contacts = dict(shared.contacts)
    if home.is_national:
        code = profile.code[:2]
        prov_name = province_name(over.name if over else home.province_names.get(code, code))
        if over is None:
            contacts.update(_province_contacts(prov_name))
    region = shared.region.model_copy(update={
        "level": "kabupaten_kota", "code": profile.code, "name": profile.name,
        "province": prov_name, "provinces": [],
        "kecamatan_count": profile.kecamatan_count, "race": profile.race,
        "bounds": profile.bounds or (over.bounds if over else None) or shared.region.bounds})
    if over is not None:
        contacts.update(over.contacts)
    if not layered:
        contacts.update(_default_contacts(profile.name))
    contacts.update(profile.contacts)
    return shared.model_copy(update={
        "region": region,
        "name": profile.election_name or (over.election_name if over else None) or shared.name,
        "links": {**shared.links, **(over.links if over else {}), **profile.links},
        "contacts": contacts,
        "milestones": {**shared.milestones, **(over.milestones if over else {}),
                       **profile.milestones},
        "results_milestone": profile.results_milestone
        or (over.results_milestone if over else None) or shared.results_milestone})


def region_view(home: Content, code: str) -> Content:
    layer = home.layers.get(code)
    profile = layer.profile if layer else default_profile(code, home.region_names.get(code, code))
    province = home.province_layers.get(code[:2]) if home.is_national else None
    entries = {eid: e for eid, e in home.shared.items() if not e.entry.regional}
    sources = dict(home.sources)
    dialect = dict(home.dialect)
    for part in (province, layer):
        if part is None:
            continue
        entries.update(part.entries)
        sources.update(part.sources)
        if part.dialect is not None:
            dialect.update({w: d.means for w, d in part.dialect.words.items()})
    return dataclasses.replace(
        home, election=region_election(home, profile, layer is not None, province),
        entries=entries, sources=sources, dialect=dialect, region_code=code, home=home,
        _answers={}, _fixed_messages={})
