"""The bundled election content (content/): its own tests, apart from the code tests, which run
on tests/fixtures/content. Schema, references and rendering (load_content and load_regions
refuse anything wrong), checked again here by the tests' independent Telegram HTML parser;
what the issues required it to cover; and every source it cites comes from the fact sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.content.messages import MESSAGE_VARIABLES
from bot.content.registry import Content
from bot.regions.loader import load_regions
from tests.fakes import telegram_html

FACTS = PROJECT_ROOT.parent / "shared" / "FACTS.md"
# The second fact sheet: corrections and what the 2024 explainers added (issue 19).
FACTS_EXTRA = PROJECT_ROOT / "docs" / "facts-extra.md"
# Sites found carrying copies of other outlets' pages (or of Wikipedia, or of documents):
# never a source; the original outlet's page is.
MIRRORS = ("fun-eastern.com", "mino77-news.com", "idmpoterbaru.art", "presnapress.com",
           "refku.com", "iiab.live", "wiki-indonesia.club", "wikimili.com", "xcloud.id",
           "nafsin.info", "motopp.com", "docslib.org", "idmpocuan.xyz", "bbcindonesia.biz",
           "gotimes.id", "jktnidea.co", "indotoday.id", "infoberitaindo.com")
# Sources that are data files rather than facts: the official region codes.
DATA_SOURCES = {"kemendagri_wilayah"}


def test_every_answer_and_message_is_what_telegram_accepts(bundled_content: Content) -> None:
    content = bundled_content
    assert len(content.entries) >= 35
    refused = []
    for lang in ("id", "en"):
        for entry in content.entries.values():
            assert entry.entry.en is not None and entry.entry.sources, entry.id
            problem = telegram_html.problem(content.answer(entry.id, lang), "HTML")
            if problem:
                refused.append((entry.id, lang, problem))
        for key, variables in MESSAGE_VARIABLES.items():
            if key.startswith("btn_") or "now" in variables:
                continue
            problem = telegram_html.problem(content.message(key, lang, **variables), "HTML")
            if problem:
                refused.append((key, lang, problem))
    assert refused == []


def test_the_region_tree_matches_the_profile(bundled_content: Content) -> None:
    tree = load_regions(bundled_content)
    assert tree.root_name == "Kabupaten Muara Enim"
    assert len(tree.kecamatan) == bundled_content.election.region.kecamatan_count == 22


REQUIRED_ENTRIES = {
    "syarat_pemilih", "jenis_pemilih", "cek_dpt", "yang_dibawa", "undangan_hilang",
    "hari_pemungutan", "jam_tps", "langkah_di_tps", "coblos_sah", "tidak_sah", "surat_suara",
    "disabilitas", "sakit_tahanan", "hp_foto", "tinta", "penghitungan_tps", "jadwal_hasil",
    "lapor_pelanggaran", "gowaslu", "politik_uang", "netralitas", "kampanye", "masa_tenang",
    "debat", "pemilih_pemula", "kontak_resmi", "paslon_bupati", "paslon_gubernur",
    "siapa_terbaik", "angka_muara_enim", "pindah_memilih",
    # issue 19: what the 2024 explainers covered and the content lacked
    "quick_count", "kotak_kosong", "psu", "pilkada_pemilu", "satu_putaran", "penetapan_pelantikan",
    "golput", "libur_pekerja", "diwakilkan",
}


def test_content_covers_what_the_issue_requires(bundled_content: Content) -> None:
    assert REQUIRED_ENTRIES <= set(bundled_content.entries)


def test_the_common_false_claims_are_settled_on_their_entries(bundled_content: Content) -> None:
    """Issue 19 item 4: TPS hours, the inked finger, unsigned ballots, among others."""
    def claims(eid: str) -> dict[str, bool]:
        return {c.claim.en: c.verdict for c in bundled_content.entries[eid].entry.claims}

    assert claims("jam_tps")["Polling stations close at noon, so you must come in the morning."] \
        is False
    assert claims("tinta")["The election ink must go on the left little finger."] is False
    assert claims("surat_suara_rusak")[
        "A ballot without the KPPS chair's signature is not valid, so check it before you punch."]
    every = [c for e in bundled_content.entries.values() for c in e.entry.claims]
    assert len(every) >= 25 and all(c.source for c in every)


def test_candidates_listed_in_ballot_order_without_opinion(bundled_content: Content) -> None:
    text = bundled_content.answer("paslon_bupati", "id")
    order = ["Ahmad Rizali", "Edison", "Nasrun Umar", "Ramlan Holdan"]
    positions = [text.index(name) for name in order]
    assert positions == sorted(positions)
    neutral = bundled_content.answer("siapa_terbaik", "id")
    assert "netral" in neutral and "infopemilu.kpu.go.id" in neutral


def test_asked_whether_it_is_official_the_bundled_bot_says_it_is_not(bundled_content: Content) -> None:
    # Nobody in particular runs the bundled deployment (content/election.yaml has no operator):
    # the bot must not pass for KPU's own channel; a greeting is not told so.
    assert bundled_content.election.operator is None
    about = bundled_content.message("smalltalk", "id", said="about", greeted=False)
    assert "bukan kanal resmi KPU" in about and not about.startswith("Halo")
    assert "KPU.\n\nSaya bisa menjawab" in about          # its paragraphs kept
    english = bundled_content.message("smalltalk", "en", said="about", greeted=False)
    assert "not an official KPU channel" in english
    assert "resmi" not in bundled_content.message("smalltalk", "id", said="hello", greeted=True)


def test_before_erasing_the_citizen_is_told_what_goes_and_what_stays(bundled_content: Content) -> None:
    # UU 27/2022: the confirmation names the data erased, the subscription and the recent
    # questions among it, and says what is kept (anonymous questions, for how long).
    for lang, said in (("id", ("langganan", "pertanyaan yang baru saja dijawab", "45 hari")),
                       ("en", ("subscription", "the questions it just answered", "45 days"))):
        text = bundled_content.message("delete_confirm", lang, question_days=45)
        assert all(part in text for part in said), (lang, text)
        privacy = bundled_content.message("privacy", lang, question_days=90, outcome_days=30)
        assert "2 " in privacy and ("/hapusdata" in privacy or "/deletedata" in privacy)


def test_a_countdown_going_out_on_voting_day_or_after_says_so(bundled_content: Content) -> None:
    # A countdown still sending past midnight is worded for the day it goes out on.
    from bot.content.model import render_broadcast
    day = bundled_content.election.voting_day
    said = {left: {lang: render_broadcast(bundled_content, "countdown", lang, day, days_left=left,
                                          region_name="", kecamatan_name="", tps=[],
                                          tps_sample=False) for lang in ("id", "en")}
            for left in (3, 1, 0, -1)}
    assert "3 hari lagi" in said[3]["id"] and "1 day to go" in said[1]["en"]
    assert "Hari ini</b> hari pencoblosan" in said[0]["id"] and "Today</b> is voting day" in said[0]["en"]
    assert "sudah lewat" in said[-1]["id"] and "is over" in said[-1]["en"]
    assert not any("-1" in text or "0 hari" in text for by in said.values() for text in by.values())


def test_no_nik_is_ever_asked_for_in_the_bot(bundled_content: Content) -> None:
    # Every mention of the NIK points to KPU's own site or the official app, never this chat.
    for entry in bundled_content.entries.values():
        for lang in ("id", "en"):
            text = bundled_content.answer(entry.id, lang)
            if "NIK" in text:
                assert "kpu.go.id" in text or "Gowaslu" in text or "resmi" in text \
                    or "official" in text, entry.id


@pytest.mark.skipif(not FACTS.exists(), reason="../shared/FACTS.md is not beside this checkout")
def test_every_cited_source_is_on_a_fact_sheet(bundled_content: Content) -> None:
    facts = FACTS.read_text(encoding="utf-8") + FACTS_EXTRA.read_text(encoding="utf-8")
    missing = [sid for sid, source in bundled_content.sources.items()
               if sid not in DATA_SOURCES and (source.url or source.title) not in facts]
    assert missing == []


def test_every_source_is_an_original_page_with_its_address(bundled_content: Content) -> None:
    """A fact is checked against the page that published it: no copy on another domain, and
    no source without an address (the audit of issue 19 found both)."""
    import re

    bad = [sid for sid, source in bundled_content.sources.items()
           if source.url is None or any(m in source.url for m in MIRRORS)]
    assert bad == []
    cited = re.findall(r"\[source: [^\]]*?(https?://\S+?)[,\]]",
                       FACTS_EXTRA.read_text(encoding="utf-8"))
    assert cited and [u for u in cited if any(m in u for m in MIRRORS)] == []


@pytest.mark.parametrize("question", [
    "paslon nomor berapa yang paling layak dipilih?",
    "sebaiknya aku coblos siapa",
    "who should I vote for as governor?",
    # Issue 18's kinds, in our own words: predicting, judging, ranking, campaign material.
    "kira2 pilgub 2029 nanti siapa yang bakal menang?",
    "menurutmu calon mana yang lebih jujur",
    "tolong urutkan ranking paslon bupati dari yang terbaik",
    "bikinin pantun buat kampanye paslon nomor 2 dong",
    "which pair will win next time?",
    "menurut kamu siapa yang akan jadi bupati berikutnya?",
    "calon nomor 3 itu korupsi gak sih",
    "is the incumbent honest?",
    # the evaluative question without "paling", and each verb's -kan/-in/-ke forms
    "calon mana yang bagus?",
    "paslon siapa yg oke buat anak muda",
    "tolong karangkan jingle kampanye buat paslon 1",
])
def test_requests_to_take_sides_get_the_neutral_answer(bundled_content: Content, question: str) -> None:
    from bot.faq.matcher import Matcher

    assert Matcher(bundled_content).match(question).entry_ids == ("siapa_terbaik",)


@pytest.mark.parametrize("question", [
    "calon yang pernah korupsi boleh maju lagi?",     # a rule about candidacy, not a judgement
    "siapa yang jadi bupati muara enim sekarang?",
    "pemilunya jujur gak sih, siapa yang mengawasi?",
    "who will win the world cup?",                   # a forecast, but not of the election
    "prediksi skor persib vs persija, siapa menang?",
    "nomor berapa yang bisa dihubungi kalau ada masalah?",
    "calon mana yang sudah ditetapkan KPU?",
    # near the forms added with tests/content/test_neutral_probes.py
    "yang boleh memilih siapa?",                      # who may vote, not whom to choose
    "pacak dak aku milih siapo bae?",
    "saya harus memilih di TPS mana?",
    "calon yang layak dipilih harus memenuhi syarat apa?",
    "kira-kira berapa persen partisipasi pemilih?",   # "about", not a forecast of a pair
    "tolong tulis status ajakan mencoblos ke TPS",    # a call to vote backs no pair
    "Is Sirekap reliable?",
    "Are quick count results trustworthy?",           # said of the count, not of a person
    "Is the KPU competent?",
    "is voting early a good choice?",
])
def test_factual_questions_near_the_neutral_triggers_are_not_caught(bundled_content: Content,
                                                                   question: str) -> None:
    from bot.faq.matcher import Matcher

    assert Matcher(bundled_content).triggered(question) is None


# Every layer's words are checked: Muara Enim's view, Palembang's, and a regency without a
# layer of its own (the shared and provincial entries alone).
VIEWS = ["16.03", "16.71", "16.04"]


@pytest.mark.parametrize("region", VIEWS)
def test_no_example_question_is_a_near_copy_of_a_labelled_message(bundled_province: Content,
                                                                  region: str) -> None:
    """The labelled messages (content/training/) are training data, written by people who never
    saw the content: content examples and claims stay below 0.85 similarity to every one of
    them, after normalisation, so that cross-validation measures questions nobody here wrote."""
    from rapidfuzz import fuzz, process

    from bot.faq.matcher import Matcher

    bundled_content = bundled_province.for_region(region)

    normalizer = Matcher(bundled_content).normalizer
    labelled = [" ".join(normalizer.terms(m.text)) for m in bundled_content.training]
    assert len(labelled) > 500
    near = []
    for entry in bundled_content.entries.values():
        for lang in ("id", "en"):
            text = entry.entry.text(lang)
            # The claims an entry settles are ours too: matched against forwards for a verdict.
            claims = [getattr(c.claim, lang) for c in entry.entry.claims]
            for example in (text.title, *text.questions, *claims):
                terms = " ".join(normalizer.terms(example))
                if process.extractOne(terms, labelled, scorer=fuzz.ratio, score_cutoff=85):
                    near.append((entry.id, example))
    assert bundled_content.kind_examples, "kinds.yaml is checked too"
    for kind, examples in bundled_content.kind_examples.items():
        for example in examples:
            terms = " ".join(normalizer.terms(example))
            if process.extractOne(terms, labelled, scorer=fuzz.ratio, score_cutoff=85):
                near.append((kind, example))
    assert near == []


WORD = re.compile(r"[a-z0-9]+")


@pytest.mark.parametrize("region", VIEWS)
def test_no_phrase_of_a_labelled_message_is_in_our_matching_words(bundled_province: Content,
                                                                  region: str) -> None:
    """Examples (kinds.yaml's too), keywords, triggers and scope phrases stay in our own words:
    none of three words or more is found verbatim in a labelled message unless an answer says
    it too (then it is the content's own wording)."""
    content = bundled_province.for_region(region)
    ours: list[tuple[str, str]] = []
    for entry in content.entries.values():
        for lang in ("id", "en"):
            text = entry.entry.text(lang)
            ours += [(f"{entry.id}.{lang}", p) for p in (*text.questions, *text.keywords)]
        for trigger in entry.entry.triggers:   # the literal runs of words of a pattern
            ours += [(f"{entry.id}.triggers", run)
                     for run in re.split(r"[\\()\[\]|?*+{}^$.]", trigger)]
    ours += [(f"kinds.yaml {kind}", p) for kind, examples in content.kind_examples.items()
             for p in examples]
    if content.scope is not None:
        scope = content.scope
        ours += [("scope.yaml", p) for p in (*scope.elsewhere, *scope.topics, *scope.procedure,
                                              *scope.sides, *scope.other_things)]
    # The content's own wording: what an answer says, in any region's view of the deployment.
    answers = " ".join(" ".join(WORD.findall(view.answer(eid, lang).lower()))
                       for view in (bundled_province.for_region(r) for r in VIEWS)
                       for eid in view.entries for lang in ("id", "en"))
    labelled = [f" {' '.join(WORD.findall(m.text.lower()))} " for m in content.training]
    copied = []
    for where, phrase in ours:
        words = " ".join(WORD.findall(phrase.lower()))
        if len(words.split()) >= 3 and words not in answers \
                and any(f" {words} " in message for message in labelled):
            copied.append(f"{where}: {phrase!r}")
    assert copied == []


COVERAGE = Path(__file__).with_name("facts_coverage.yaml")


@pytest.mark.skipif(not FACTS.exists(), reason="../shared/FACTS.md is not beside this checkout")
def test_every_part_of_the_fact_sheet_is_reachable_from_an_answer(bundled_content: Content) -> None:
    import re

    import yaml

    coverage = yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))
    coverage.pop("left_out")
    coverage.pop("extra")
    sheet = FACTS.read_text(encoding="utf-8")
    parts: dict[str, str] = {}
    for block in re.split(r"\n(?=##+ )", sheet):
        heading = re.match(r"##+ (\d+(?:\.\d+)?)[. ]", block)
        if heading and heading[1].split(".")[0] in {"1", "2", "4", "5"}:
            parts[heading[1]] = block
    # Sections 1 and 2 are read by their subsections; 4 and 5 have none.
    wanted = {p for p in parts if "." in p or p in {"4", "5"}}
    assert set(coverage) == wanted
    for part, entry_ids in coverage.items():
        assert set(entry_ids) <= set(bundled_content.entries), part
        cited = {bundled_content.sources[s].url or bundled_content.sources[s].title
                 for eid in entry_ids for s in bundled_content.entries[eid].entry.sources}
        assert any(c and c in parts[part] for c in cited), f"no source of {part} is cited"


def test_every_section_of_the_second_fact_sheet_is_reachable_from_an_answer(
        bundled_content: Content) -> None:
    """docs/facts-extra.md: each section is listed, and its answers cite one of its sources."""
    import re

    import yaml

    extra = yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))["extra"]
    sheet = FACTS_EXTRA.read_text(encoding="utf-8")
    parts = {m[1]: m[0] for m in re.finditer(r"### (\d+\.\d+) .*?(?=\n### |\n## |\Z)", sheet,
                                               re.S)}
    assert set(extra) == set(parts)
    for part, entry_ids in extra.items():
        assert set(entry_ids) <= set(bundled_content.entries), part
        cited = {bundled_content.sources[s].url for eid in entry_ids
                 for s in bundled_content.entries[eid].entry.sources}
        assert any(c and c in parts[part] for c in cited), f"no source of {part} is cited"


@pytest.mark.parametrize("question", ["kapan pilkada?", "Kapan pilkada Muara Enim?",
                                      "pilkada kapan", "when is the election?"])
def test_the_plainest_question_is_answered_by_the_keywords_alone(
        bundled_content: Content, question: str) -> None:
    """Asked this briefly, the election's own name is all there is: answered even before the
    model has loaded (first start) or when it cannot."""
    from bot.faq.matcher import Matcher

    assert Matcher(bundled_content).match(question).entry_ids == ("hari_pemungutan",)


@pytest.mark.parametrize("question", [
    "siapa yang menang pilkada muara enim 2024?",
    "berapa suara edison sumarni?",
    "siapa saja calon gubernur sumsel?",
    "paslon nomor 3 itu siapa?",
    "boleh gak rilis survei elektabilitas pas masa tenang?",
    "kalau petugas yang curang lapor ke mana?",
])
def test_factual_questions_about_candidates_are_not_taken_for_taking_sides(
        bundled_content: Content, question: str) -> None:
    from bot.faq.matcher import Matcher

    assert Matcher(bundled_content).triggered(question) is None
