"""The Kota Palembang layer (content/layers/16.71/, issue 20 item 5) and its own labelled set
(tests/content/palembang_questions.jsonl, kept out of training), read through the loader's
view of region 16.71 (`Content.for_region`)."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.content.registry import Content, load_content
from bot.content.schema import Bounds, Contact, FaqFile, Milestone, Source
from tests.content.test_bundled import MIRRORS

CONTENT = PROJECT_ROOT / "content"
LAYER = CONTENT / "layers" / "16.71"
FACTS = PROJECT_ROOT / "docs" / "facts-palembang.md"
SET = Path(__file__).with_name("palembang_questions.jsonl")
AFTER_ALL = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def layer_entries() -> dict[str, Any]:
    return FaqFile.model_validate(read(LAYER / "faq" / "palembang.yaml")).entries


def shared_entries() -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for path in sorted((CONTENT / "faq").glob("*.yaml")):
        entries.update(FaqFile.model_validate(read(path)).entries)
    return entries


def labelled() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


def test_the_profile_is_the_region_codes_own() -> None:
    region = read(LAYER / "region.yaml")
    with (CONTENT / "regions" / "wilayah_sumsel.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    own = next(r for r in rows if r["kode"] == region["code"])
    assert (own["nama"], own["tingkat"]) == (region["name"], "kabupaten_kota")
    assert region["race"] == ("walikota" if own["nama"].startswith("Kota ") else "bupati")
    kecamatan = [r for r in rows if r["induk"] == region["code"]]
    assert len(kecamatan) == region["kecamatan_count"]
    Bounds.model_validate(region["bounds"])
    for contact in region["contacts"].values():
        Contact.model_validate(contact)
    sources = set(read(CONTENT / "sources.yaml")) | set(read(LAYER / "sources.yaml"))
    for milestone in region["milestones"].values():
        assert set(Milestone.model_validate(milestone).sources) <= sources
    assert region["results_milestone"] in region["milestones"]


def test_entries_override_shared_ones_and_cite_known_sources() -> None:
    shared, ours = shared_entries(), layer_entries()
    assert set(ours) <= set(shared)
    for eid, entry in ours.items():
        assert entry.topic == shared[eid].topic, eid
        assert entry.en is not None, eid
    shared_sources = read(CONTENT / "sources.yaml")
    layer_sources = {sid: Source.model_validate(s)
                     for sid, s in read(LAYER / "sources.yaml").items()}
    assert not set(shared_sources) & set(layer_sources)
    cited = {sid for entry in ours.values() for sid in entry.sources}
    assert cited <= set(shared_sources) | set(layer_sources)
    assert set(layer_sources) <= cited | {s for m in read(LAYER / "region.yaml")["milestones"]
                                          .values() for s in m["sources"]}


def test_every_layer_source_is_an_original_page_on_the_fact_sheet() -> None:
    sheet = FACTS.read_text(encoding="utf-8")
    for sid, source in read(LAYER / "sources.yaml").items():
        assert source["url"] and not any(m in source["url"] for m in MIRRORS), sid
        assert source["url"] in sheet, sid


def test_the_labelled_set_is_what_the_issue_asks() -> None:
    items = labelled()
    assert len(items) >= 40
    known = set(shared_entries())
    for item in items:
        assert set(item) == {"text", "entry", "judge", "style", "lang"}, item
        assert item["entry"] in known and item["lang"] in {"id", "en"} and item["judge"]
        for pattern in item["judge"]:
            re.compile(pattern)
    styles = {item["style"] for item in items}
    assert {"palembang", "english", "forward", "typo", "slang"} <= styles
    # Kept out of training: no message is an example of an entry or a training message.
    examples = {q.lower().strip(" ?") for e in [*shared_entries().values(), *layer_entries()
                                                .values()]
                for lang in ("id", "en") for q in e.text(lang).questions}
    training = {json.loads(line)["text"].lower().strip(" ?")
                for path in (CONTENT / "training").glob("*.jsonl")
                for line in path.read_text(encoding="utf-8").splitlines() if line}
    texts = {item["text"].lower().strip(" ?") for item in items}
    assert not texts & (examples | training)


@pytest.fixture(scope="module")
def palembang_view() -> Content:
    # load_content checks references and renders every answer of every layer on every day.
    return load_content(CONTENT).for_region("16.71")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T05:00:00+00:00")


def test_every_labelled_message_has_a_right_answer(palembang_view: Content) -> None:
    wrong = [(item["entry"], pattern) for item in labelled() for pattern in item["judge"]
             if not re.search(pattern, palembang_view.answer(item["entry"], item["lang"],
                                                             AFTER_ALL), re.IGNORECASE)]
    assert wrong == []


def test_the_pairs_in_ballot_order_and_no_result_before_it_is_set(palembang_view: Content
                                                                   ) -> None:
    pairs = palembang_view.answer("paslon_bupati", "id", at("2024-10-01"))
    positions = [pairs.index(name) for name in ("Fitrianti", "Ratu Dewa", "Yudha Pratomo")]
    assert positions == sorted(positions)
    assert "2. Ratu Dewa" not in palembang_view.answer("paslon_bupati", "id", at("2024-09-01"))
    counting = palembang_view.answer("hasil_muara_enim", "id", at("2024-12-04"))
    assert "352.696" not in counting and "belum" in counting
    declared = palembang_view.answer("hasil_muara_enim", "en", at("2025-02-10"))
    assert "352,696" in declared and "inadmissible" in declared and "sworn in" not in declared
    assert "sworn in" in palembang_view.answer("hasil_muara_enim", "en", AFTER_ALL)


def test_no_muara_enim_fact_reaches_a_palembang_voter(palembang_view: Content) -> None:
    for eid in layer_entries():
        for lang in ("id", "en"):
            text = palembang_view.answer(eid, lang, AFTER_ALL)
            assert not re.search(r"Muara Enim(?! dan Ogan Ilir| and Ogan Ilir)|Edison|HNU|"
                                 r"bupati|regent", text, re.IGNORECASE), (eid, lang)
