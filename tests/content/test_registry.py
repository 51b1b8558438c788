"""Content is validated whole at load: every problem named with file, line and field (on a copy
of the fixture content)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.registry import Content, load_content
from bot.content.yamlload import YamlError, load_yaml
from tests.content.editing import edit, problems


def test_unknown_field_is_refused_with_line(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "    topic: hari_h\n", "    topic: hari_h\n    colour: red\n")
    found = problems(content_copy)
    assert any("1_contoh.yaml:" in p and "colour" in p and "unknown field" in p for p in found)


def test_missing_translation_is_refused(content_copy: Path) -> None:
    path = content_copy / "faq/1_contoh.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    en:\n      title: Who can vote?")
    path.write_text(text[:start], encoding="utf-8")
    assert any("syarat_pemilih.en" in p and "English translation is missing" in p
               for p in problems(content_copy))


def test_missing_required_indonesian_field_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "      title: Siapa yang boleh memilih?\n", "")
    assert any("syarat_pemilih.id.title" in p and "Field required" in p for p in problems(content_copy))


def test_duplicate_ids_are_refused(content_copy: Path) -> None:
    (content_copy / "faq/9_dup.yaml").write_text(
        (content_copy / "faq/1_contoh.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    found = problems(content_copy)
    assert any("9_dup.yaml:" in p and "duplicate entry id" in p for p in found)


def test_duplicate_yaml_key_is_refused_with_line(content_copy: Path) -> None:
    edit(content_copy / "topics.yaml", "persiapan:\n", "hak_pilih:\n")
    assert any("topics.yaml:5" in p and "duplicate key" in p for p in problems(content_copy))


def test_broken_template_syntax_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "{{ election.voting_day | date_long }}</b>",
         "{{ election.voting_day | date_long </b>")
    assert any("hari_pemungutan.id.answer" in p and "template syntax" in p
               for p in problems(content_copy))


def test_undefined_variable_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "{{ election.hours }}", "{{ election.opening_hours }}")
    assert any("hari_pemungutan.id.answer" in p and "opening_hours" in p
               for p in problems(content_copy))


def test_answer_over_telegram_limit_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "Ketik /hitungmundur untuk melihat sisa waktunya.",
         "Ketik /hitungmundur. " + "Panjang sekali. " * 300)
    assert any("hari_pemungutan.id.answer" in p and "over Telegram's 4096" in p
               for p in problems(content_copy))


def test_missing_or_unknown_source_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "    sources: [contoh_tatacara]\n",
         "    sources: [no_such_source]\n")
    (content_copy / "faq/2_more.yaml").write_text(
        "entries:\n  syarat_lain:\n    topic: hak_pilih\n    sources: []\n"
        "    id: {title: Syarat lain, questions: [Syarat lain], answer: Tidak ada.}\n"
        "    en: {title: Other rules, questions: [Other rules], answer: None.}\n", encoding="utf-8")
    found = problems(content_copy)
    assert any("cara_mencoblos.sources" in p and "no_such_source" in p for p in found)
    assert any("2_more.yaml" in p and "entries.syarat_lain.sources" in p for p in found)


def test_html_telegram_would_refuse_is_caught(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "<b>satu kali</b>", "<blink>satu kali</blink>")
    assert any("cara_mencoblos.id.answer" in p and "<blink>" in p for p in problems(content_copy))


def test_yaml_syntax_error_names_the_line(content_copy: Path) -> None:
    edit(content_copy / "election.yaml", "timezone: Asia/Jakarta\n", "timezone: [Asia/Jakarta\n")
    assert any("election.yaml:" in p and "YAML syntax" in p for p in problems(content_copy))


def test_unknown_message_key_and_missing_message(content_copy: Path) -> None:
    edit(content_copy / "messages.yaml", "suggestions:\n", "sugestions:\n")
    found = problems(content_copy)
    assert any("sugestions" in p and "unknown message key" in p for p in found)
    assert any("suggestions" in p and "message is missing" in p for p in found)


def test_command_menu_must_name_real_commands(content_copy: Path) -> None:
    edit(content_copy / "commands.yaml", "command: sumber", "command: vote_now")
    assert any("vote_now" in p and "no such command" in p for p in problems(content_copy))


def test_all_problems_reported_at_once(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "    topic: hari_h\n", "    topic: hari_h\n    colour: red\n")
    edit(content_copy / "messages.yaml", "suggestions:\n", "sugestions:\n")
    assert len(problems(content_copy)) >= 3


def test_dialect_words_need_a_known_source(content_copy: Path) -> None:
    (content_copy / "dialect.yaml").write_text(
        "sources:\n  kamus: {title: Kamus, url: 'https://kamus.example', date: '2025'}\n"
        "words:\n  pacak: {means: bisa, source: kamus}\n  dak: {means: tidak, source: nowhere}\n",
        encoding="utf-8")
    assert any("dialect.yaml" in p and "nowhere" in p for p in problems(content_copy))
    (content_copy / "dialect.yaml").write_text(
        "sources:\n  kamus: {title: Kamus, url: 'https://kamus.example', date: '2025'}\n"
        "words:\n  pacak: {means: bisa, source: kamus}\n"
        "endings:\n  - {typed: o, means: a, source: kamus}\n", encoding="utf-8")
    loaded = load_content(content_copy)
    assert loaded.dialect == {"pacak": "bisa"} and loaded.dialect_endings == (("o", "a"),)
    (content_copy / "dialect.yaml").write_text(
        "sources:\n  kamus: {title: Kamus, url: 'https://kamus.example', date: '2025'}\n"
        "words: {}\nendings:\n  - {typed: o, means: a, source: elsewhere}\n", encoding="utf-8")
    assert any("dialect.yaml" in p and "elsewhere" in p for p in problems(content_copy))


def test_a_source_found_without_its_address_is_named_without_a_link(content_copy: Path) -> None:
    edit(content_copy / "sources.yaml", "  url: https://harian-contoh.example/tata-cara\n", "")
    content = load_content(content_copy)
    answer = content.answer("cara_mencoblos", "id")
    assert content.sources["contoh_tatacara"].title in answer
    assert "harian-contoh.example" not in answer and 'href="None"' not in answer


def test_topic_ids_must_fit_in_a_button(content_copy: Path) -> None:
    """Topic ids travel in callback data, which the bot reads back only as ASCII."""
    edit(content_copy / "subscription_topics.yaml", "countdown:\n", "hitung_mundur²:\n")
    found = problems(content_copy)
    assert any("subscription_topics.yaml" in p and "hitung_mundur²" in p and "ASCII" in p
               for p in found), found


CLAIM = """          id: TPS di Lembah Contoh tutup jam 12 siang.
          en: Polling stations in Lembah Contoh close at noon.
        verdict: false
        source: contoh_jadwal
"""


def test_a_claim_needs_both_languages(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml",
         "          en: Polling stations in Lembah Contoh close at noon.\n", "")
    assert any("1_contoh.yaml:" in p and "jam_tps.claims.0.claim.en" in p and "Field required" in p
               for p in problems(content_copy))


def test_a_verdict_is_true_or_false_never_a_word(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "        verdict: false\n", '        verdict: "no"\n')
    assert any("jam_tps.claims.0.verdict" in p and "valid boolean" in p
               for p in problems(content_copy))


def test_a_claim_is_a_sentence_not_a_word_nor_an_essay(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "TPS di Lembah Contoh tutup jam 12 siang.", "TPS?")
    assert any("jam_tps.claims.0.claim.id" in p and "at least 10 characters" in p
               for p in problems(content_copy))
    edit(content_copy / "faq/1_contoh.yaml", "TPS?", "Panjang. " * 30)
    assert any("jam_tps.claims.0.claim.id" in p and "at most 200 characters" in p
               for p in problems(content_copy))


def test_a_claims_source_is_one_the_entry_cites(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "        source: contoh_jadwal\n",
         "        source: contoh_tatacara\n")
    assert any("jam_tps.claims.0.source" in p and "not one of this entry's sources" in p
               for p in problems(content_copy))


def test_a_claim_is_listed_once(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", CLAIM, CLAIM + "      - claim:\n" + CLAIM)
    assert any("jam_tps" in p and "claim listed twice" in p for p in problems(content_copy))


def test_claims_load_with_their_verdicts(content: Content) -> None:
    claim, true = content.entries["jam_tps"].entry.claims
    assert claim.verdict is False and claim.source == "contoh_jadwal"
    assert claim.claim.en == "Polling stations in Lembah Contoh close at noon."
    assert true.verdict is True and "08.00" in true.claim.id


def test_kinds_examples_load_and_a_bad_file_is_refused_with_its_line(content_copy: Path) -> None:
    content = load_content(content_copy)
    assert content.kind_examples["smalltalk"] == (
        "Halo admin contoh", "Terima kasih ya", "Hello there", "Thank you")
    assert "decline" not in content.kind_examples
    (content_copy / "kinds.yaml").write_text("smalltalk:\n  id: [Halo]\n  en: []\nchitchat:\n  id: [x]\n")
    found = problems(content_copy)
    assert any("kinds.yaml:3" in p and "smalltalk.en" in p for p in found), found
    assert any("kinds.yaml" in p and "chitchat" in p for p in found), found


def test_yaml_keeps_every_nodes_line_and_a_syntax_errors_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("a:\n  b: 1\n\n  c:\n    - x\n    - {d: 2}\n", encoding="utf-8")
    data = load_yaml(good)
    assert data.key_lines == {"a": 1}
    assert data["a"].key_lines == {"b": 2, "c": 4}
    assert data["a"]["c"].item_lines == [5, 6] and data["a"]["c"][1].line == 6
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb:\n  - x\n - y\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_yaml(bad)
    assert info.value.line == 4 and info.value.message.startswith("YAML syntax: ")


def test_yaml_says_where_a_tab_or_a_control_character_is(tmp_path: Path) -> None:
    # libyaml's messages do not name the tab ("found character that cannot start any token"),
    # and an unacceptable character has only an offset (in bytes, with libyaml)
    tab = tmp_path / "tab.yaml"
    tab.write_text("a: 1\nb:\n\tc: 2\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_yaml(tab)
    assert info.value.line == 3 and "tab" in info.value.message
    bell = tmp_path / "bell.yaml"
    bell.write_text("a: éééé\nb: ok\nc: x\x07\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_yaml(bell)
    assert info.value.line == 3 and "0x07" in info.value.message
