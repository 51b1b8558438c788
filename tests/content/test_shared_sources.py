"""The shared answers (content/faq/) are read in every kabupaten/kota of the province, so the
sources they cite must not be about one of them: a citizen of Lahat should not read "Sumber: KPU
Muara Enim ..." under a national rule. A source whose title names a kabupaten/kota of the
province (by the names the content knows: the region codes, content/region_names.yaml, the
layers' region.yaml) belongs in that region's layer, unless the citation is kept on purpose
below, with the reason."""

from __future__ import annotations

import pytest

from bot.content.registry import Content
from bot.regions.names import RegionNamer

# (entry, source): citations kept on purpose, each because the shared answer itself states
# what the source carries about that region, or because the source states only national rules.
KEPT = {
    # The answer reports Palembang's re-vote at TPS 35 (2 Dec 2024) as a fact of the province.
    ("psu", "wartamusi_psu"): "Kota Palembang's re-vote, named in the answer",
    # The answer reports the MK-ordered re-vote of Empat Lawang, the province's region-wide one.
    ("psu", "frekuensinews_empatlawang"): "Empat Lawang's re-vote, named in the answer",
    ("psu", "palpos_psu_empatlawang"): "Empat Lawang's re-vote result, named in the answer",
    # KPU OKU Selatan's "hoax vs fact" page states national rules only (docs/facts-extra.md
    # 1.27): no penalty for not voting, one punch in a column is valid, Sirekap is not the
    # official tabulation. No other source found carries the first.
    ("golput", "kpu_okus_hoaks"): "a KPU office's page on national rules",
    ("coblos_sah", "kpu_okus_hoaks"): "a KPU office's page on national rules",
    ("langkah_di_tps", "kpu_okus_hoaks"): "a KPU office's page on national rules",
    ("sirekap", "kpu_okus_hoaks"): "a KPU office's page on national rules",
}


def namer(content: Content) -> RegionNamer:
    """The province's kabupaten/kota by every name the content has for them."""
    other: dict[str, list[str]] = {code: [layer.profile.name]
                                   for code, layer in content.layers.items()}
    everyday: set[str] = set()
    if content.other_names is not None:
        for code, item in content.other_names.regions.items():
            other.setdefault(code, []).extend(item.names)
            everyday |= set(item.everyday)
    return RegionNamer(content.region_names, other, everyday)


def regions_named(by: RegionNamer, text: str) -> set[str]:
    """Every kabupaten/kota the text names (the namer gives the longest; look again without it)."""
    found: set[str] = set()
    while (hit := by.find(text)) is not None and hit[0] not in found:
        found.add(hit[0])
        text = " ".join(hit[1])
    return found


def shared_citations(content: Content) -> dict[tuple[str, str], set[str]]:
    """(entry, source) of every shared entry's citation, with the regions its title names."""
    by = namer(content)
    cited: dict[tuple[str, str], set[str]] = {}
    for eid, loaded in content.shared.items():
        entry = loaded.entry
        for sid in {*entry.sources, *(c.source for c in entry.claims if c.source)}:
            cited[(eid, sid)] = regions_named(by, content.sources[sid].title)
    return cited


@pytest.mark.parametrize(("title", "code"), [
    ("Sosialisasi Pilkada di Muaraenim Sudah 85 Persen", "16.03"),     # spelt as one word
    ("9 Kades di Muara Enim dan Banyuasin Dilaporkan ke Bawaslu", "16.07"),  # the second name
    ("HOAX vs FAKTA (KPU Kabupaten OKU Selatan)", "16.09"),            # an other name
    ("Ini Jadwal Lengkap Tahapan Pilkada Serentak 2024", None),
    ("KPU Sumsel Tetapkan DPT 6.382.739 Pemilih", None),               # the province is no region
])
def test_a_title_is_read_for_every_region_it_names(bundled_province: Content, title: str,
                                                  code: str | None) -> None:
    named = regions_named(namer(bundled_province), title)
    assert (code in named) if code else not named, named


def test_shared_answers_cite_no_source_about_one_kabupaten_kota(bundled_province: Content) -> None:
    names = bundled_province.region_names
    regional = [f"{eid} cites {sid} ({bundled_province.sources[sid].title!r}: "
                f"{', '.join(names[c] for c in sorted(codes))})"
                for (eid, sid), codes in sorted(shared_citations(bundled_province).items())
                if codes and (eid, sid) not in KEPT]
    assert not regional, "\n".join(regional)


def test_every_kept_citation_is_still_made_and_still_about_a_region(
        bundled_province: Content) -> None:
    cited = shared_citations(bundled_province)
    stale = [pair for pair in KEPT if not cited.get(pair)]
    assert not stale, f"no longer cited, or its title names no region: drop from KEPT: {stale}"
