"""The shared layer is region-neutral: a region without a layer (and Palembang, for what its
layer does not override) never reads Muara Enim's names, figures or dates, while a Muara Enim
citizen still reads them (they moved to layers/16.03/)."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.content.phases import sample_days
from bot.content.registry import Content

MUARA_ENIM = re.compile(r"muara enim|HNU|Edison|474\.812|Griya Serasan|Zona II|Zone II", re.I)
LAHAT = "16.04"     # a regency of the province without a layer


def bodies(content: Content, code: str, entry_ids: set[str]) -> list[tuple[str, str]]:
    """Every answer's text without its source list, in both languages, on each sample day."""
    view = content.for_region(code)
    tz = ZoneInfo(view.election.timezone)
    found = []
    for eid in sorted(entry_ids):
        for lang in ("id", "en"):
            for day in sample_days(view.election):
                text = content.region_answer(eid, lang, code, datetime.combine(day, time(12), tz))
                found.append((eid, text.split("📚")[0]))
    return found


@pytest.mark.parametrize("code", [LAHAT, "16.71"])
def test_other_regions_never_read_muara_enims_names(bundled_content: Content, code: str) -> None:
    assert code not in bundled_content.layers or code == "16.71"
    own = set(bundled_content.layers[code].entries) if code in bundled_content.layers else set()
    leaks = [(eid, MUARA_ENIM.search(text).group(0))  # type: ignore[union-attr]
             for eid, text in bodies(bundled_content, code, set(bundled_content.entries) - own)
             if MUARA_ENIM.search(text)]
    assert not leaks, leaks


def test_muara_enim_still_reads_its_own_figures_and_dates(bundled_content: Content) -> None:
    said = dict(bodies(bundled_content, "16.03", {"logistik_surat_suara", "kampanye"}))
    assert "474.812" in said["logistik_surat_suara"] or "474,812" in said["logistik_surat_suara"]
    assert "Zon" in said["kampanye"]
    muara_enim = bundled_content.for_region("16.03").election
    assert muara_enim.milestones["penetapan_hasil"].start.isoformat() == "2024-12-03"
    assert muara_enim.results_milestone == "penetapan_hasil"
    lahat = bundled_content.for_region(LAHAT).election
    assert not {"penetapan_dpt", "penetapan_hasil", "putusan_mk", "penetapan_terpilih"} \
        & set(lahat.milestones)
