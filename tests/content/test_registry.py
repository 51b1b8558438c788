"""Content is validated whole at load: every problem named with file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.content.registry import Content, ContentError, load_content
from bot.content.render import html_problem, telegram_length


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(root)
    return [str(p) for p in info.value.problems]


def test_bundled_content_is_valid_and_complete(content: Content) -> None:
    assert len(content.entries) >= 35
    for entry in content.entries.values():
        assert entry.entry.en is not None, entry.id
        assert entry.entry.sources, entry.id
        for lang in ("id", "en"):
            text = content.answer(entry.id, lang)
            assert telegram_length(text) <= 4096
            assert html_problem(text) is None


REQUIRED_TOPICS = {
    "syarat_pemilih", "jenis_pemilih", "cek_dpt", "yang_dibawa", "undangan_hilang",
    "hari_pemungutan", "jam_tps", "langkah_di_tps", "coblos_sah", "tidak_sah", "surat_suara",
    "disabilitas", "sakit_tahanan", "hp_foto", "tinta", "penghitungan_tps", "jadwal_hasil",
    "lapor_pelanggaran", "gowaslu", "politik_uang", "netralitas", "kampanye", "masa_tenang",
    "debat", "pemilih_pemula", "kontak_resmi", "paslon_bupati", "paslon_gubernur",
    "siapa_terbaik", "angka_muara_enim", "pindah_memilih",
}


def test_content_covers_what_the_issue_requires(content: Content) -> None:
    assert REQUIRED_TOPICS <= set(content.entries)


def test_candidates_listed_in_ballot_order_without_opinion(content: Content) -> None:
    text = content.answer("paslon_bupati", "id")
    order = ["Ahmad Rizali", "Edison", "Nasrun Umar", "Ramlan Holdan"]
    positions = [text.index(name) for name in order]
    assert positions == sorted(positions)
    neutral = content.answer("siapa_terbaik", "id")
    assert "netral" in neutral and "infopemilu.kpu.go.id" in neutral


def test_no_nik_is_ever_asked_for_in_the_bot(content: Content) -> None:
    # Every mention of the NIK points to KPU's own site or the official app, never this chat.
    for entry in content.entries.values():
        for lang in ("id", "en"):
            text = content.answer(entry.id, lang)
            if "NIK" in text:
                assert "kpu.go.id" in text or "Gowaslu" in text or "resmi" in text \
                    or "official" in text, entry.id


def test_unknown_field_is_refused_with_line(content_copy: Path) -> None:
    edit(content_copy / "faq/3_hari_h.yaml", "    topic: hari_h\n", "    topic: hari_h\n    colour: red\n")
    found = problems(content_copy)
    assert any("3_hari_h.yaml:" in p and "colour" in p and "unknown field" in p for p in found)


def test_missing_translation_is_refused(content_copy: Path) -> None:
    path = content_copy / "faq/6_kandidat.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    en:\n      title: Which candidate should I vote for?")
    end = text.index("  visi_misi:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert any("siapa_terbaik.en" in p and "English translation is missing" in p
               for p in problems(content_copy))


def test_missing_required_indonesian_field_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/6_kandidat.yaml", "      title: Calon mana yang sebaiknya saya pilih?\n", "")
    assert any("siapa_terbaik.id.title" in p and "Field required" in p for p in problems(content_copy))


def test_duplicate_ids_are_refused(content_copy: Path) -> None:
    (content_copy / "faq/9_dup.yaml").write_text(
        (content_copy / "faq/6_kandidat.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    found = problems(content_copy)
    assert any("9_dup.yaml:" in p and "duplicate entry id" in p for p in found)


def test_duplicate_yaml_key_is_refused_with_line(content_copy: Path) -> None:
    edit(content_copy / "topics.yaml", "persiapan:\n", "hak_pilih:\n")
    assert any("topics.yaml:6" in p and "duplicate key" in p for p in problems(content_copy))


def test_broken_template_syntax_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/3_hari_h.yaml", "{{ election.voting_day | date_long }}</b>",
         "{{ election.voting_day | date_long </b>")
    assert any("hari_pemungutan.id.answer" in p and "template syntax" in p
               for p in problems(content_copy))


def test_undefined_variable_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/3_hari_h.yaml", "{{ election.hours }}", "{{ election.opening_hours }}")
    assert any("hari_pemungutan.id.answer" in p and "opening_hours" in p
               for p in problems(content_copy))


def test_answer_over_telegram_limit_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/3_hari_h.yaml", "Ketik /hitungmundur untuk melihat sisa waktunya.",
         "Ketik /hitungmundur. " + "Panjang sekali. " * 300)
    assert any("hari_pemungutan.id.answer" in p and "over Telegram's 4096" in p
               for p in problems(content_copy))


def test_missing_or_unknown_source_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/3_hari_h.yaml", "    sources: [kpu_tinta, galamedia_tinta]\n",
         "    sources: [kpu_tinta, no_such_source]\n")
    edit(content_copy / "faq/4_hasil.yaml", "    sources: [tribun_sirekap]\n", "    sources: []\n")
    found = problems(content_copy)
    assert any("tinta.sources" in p and "no_such_source" in p for p in found)
    assert any("sirekap.sources" in p for p in found)


def test_html_telegram_would_refuse_is_caught(content_copy: Path) -> None:
    edit(content_copy / "faq/3_hari_h.yaml", "<b>Tidak ada aturan</b>", "<blink>Tidak ada aturan</blink>")
    assert any("tinta.id.answer" in p and "<blink>" in p for p in problems(content_copy))


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
    edit(content_copy / "faq/3_hari_h.yaml", "    topic: hari_h\n", "    topic: hari_h\n    colour: red\n")
    edit(content_copy / "messages.yaml", "suggestions:\n", "sugestions:\n")
    assert len(problems(content_copy)) >= 3
