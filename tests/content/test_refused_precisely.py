"""Bad content is refused with one precise line per problem (`file:line: field: problem`), never
a traceback: impossible dates and tags, emptied files, bytes that are not UTF-8, a CSV field past
the csv module's limit, a missing translation, unexpected files; lines that name the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.conftest import PROJECT_ROOT
from tests.content.editing import edit, problems

PROVINCE = PROJECT_ROOT / "tests" / "fixtures" / "province"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """`python -m bot check --content root` in-process: refused (exit 1), its problem lines."""
    assert main(["check", "--content", str(root)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # Problems; then, in brackets, how many references into what was refused are not listed.
    return [line.strip() for line in err.splitlines()[1:] if not line.strip().startswith("(")]


@pytest.mark.parametrize(("name", "old", "new", "expected"), [
    ("sources.yaml", "  date: 1 Jan 2029", "  date: 2029-02-30",
     "sources.yaml:4: contoh_jadwal.date: '2029-02-30' is not a valid date"),
    ("sources.yaml", "  date: 1 Jan 2029", "  date: !!int abc",
     "sources.yaml:4: contoh_jadwal.date: 'abc' is not a valid integer"),
    ("sources.yaml", "  date: 1 Jan 2029", "  date: !!float abc",
     "sources.yaml:4: contoh_jadwal.date: 'abc' is not a valid number"),
    ("election.yaml", "voting_day: 2029-03-14", "voting_day: 2029-11-31",
     "election.yaml:8: voting_day: '2029-11-31' is not a valid date"),
    ("election.yaml", "    start: 2029-01-10", "    start: 2029-13-01",
     "election.yaml:38: milestones."),
    ("schedule.yaml", "    once: 2029-03-11", "    once: 2029-11-31",
     "schedule.yaml:33: "),
])
def test_a_value_its_tag_cannot_make_is_one_line(content_copy: Path, capsys: pytest.CaptureFixture[str],
                                                  name: str, old: str, new: str, expected: str) -> None:
    edit(content_copy / name, old, new)
    found = check(content_copy, capsys)
    assert len(found) == 1 and found[0].startswith(f"content/{expected}"), found


@pytest.mark.parametrize("name", ["messages.yaml", "election.yaml"])
def test_an_emptied_file_is_refused(content_copy: Path, capsys: pytest.CaptureFixture[str],
                                    name: str) -> None:
    (content_copy / name).write_text("# emptied\n", encoding="utf-8")
    assert check(content_copy, capsys) == [f"content/{name}: the file is empty "
                                           "(nothing but comments or blank lines)"]


def test_a_training_line_not_utf8_is_named(content_copy: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = content_copy / "training/messages.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:2]) + b'{"text": "\xff"}\n' + b"".join(lines[2:]))
    assert check(content_copy, capsys) == [
        "content/training/messages.jsonl:3: not valid UTF-8 (byte 0xff at column 11)"]


def test_a_huge_csv_field_is_named(content_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content_copy / "regions/wilayah_contoh.csv"
    rows = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8") as f:
        f.write(f'99.01.01.9999,"{"x" * 140_000}",desa,99.01.01\n')
    found = check(content_copy, capsys)
    assert len(found) == 1 and found[0].startswith(f"content/regions/wilayah_contoh.csv:{rows + 1}: ")


def test_a_message_without_english_is_refused(content_copy: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = content_copy / "messages.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  en: |", text.index("\nstart:"))
    path.write_text(text[:start] + text[text.index("\nhelp:"):].lstrip("\n"), encoding="utf-8")
    assert check(content_copy, capsys) == ["content/messages.yaml:5: start.en: translation is missing"]


def test_an_empty_or_misnamed_faq_file_is_refused(content_copy: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (content_copy / "faq/2_kosong.yaml").write_text("# later\n", encoding="utf-8")
    (content_copy / "faq/9_x.yml").write_text("garbage: [\n", encoding="utf-8")
    (content_copy / "faq/.hidden.swp").write_text("editor's\n", encoding="utf-8")
    assert check(content_copy, capsys) == [
        "content/faq/9_x.yml: not a content file: faq/ holds *.yaml files only (rename it to "
        "9_x.yaml, or move it out)",
        "content/faq/2_kosong.yaml: the file is empty (nothing but comments or blank lines)"]


def test_an_emptied_layer_faq_file_is_refused(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "content"
    shutil.copytree(PROVINCE, root)
    (root / "layers/98.71/faq/kandidat.yaml").write_bytes(b"")
    found = check(root, capsys)
    assert found[0] == ("content/layers/98.71/faq/kandidat.yaml: the file is empty "
                        "(nothing but comments or blank lines)"), found


# ---- lines -------------------------------------------------------------------------------


def test_template_syntax_is_at_the_answers_line(content_copy: Path) -> None:
    # Line 14 of the file is the answer's second line.
    edit(content_copy / "faq/1_contoh.yaml", "{{ election.voting_day | date_long }}</b>, pukul",
         "{{ election.voting_day | date_long </b>, pukul")
    found = problems(content_copy)
    assert len(found) == 1 and found[0].startswith(
        "content/faq/1_contoh.yaml:14: hari_pemungutan.id.answer: template syntax"), found


def test_template_syntax_in_a_message_is_at_its_line(content_copy: Path) -> None:
    edit(content_copy / "messages.yaml", "    Tanya apa saja", "    {{ first_name  Tanya apa saja")
    found = problems(content_copy)
    assert len(found) == 1 and found[0].startswith(
        "content/messages.yaml:9: start.id: template syntax"), found


def test_unknown_dialect_source_names_the_word(content_copy: Path) -> None:
    (content_copy / "dialect.yaml").write_text(
        "sources:\n  kamus: {title: Kamus Contoh, date: '2029'}\nwords:\n"
        "  dak: {means: tidak, source: kamus}\n  pacak: {means: bisa, source: nosuch}\n",
        encoding="utf-8")
    assert problems(content_copy) == [
        "content/dialect.yaml:5: words.pacak.source: unknown source 'nosuch' (not under sources:)"]


def test_html_and_undefined_errors_are_at_the_answer_once(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "Punch the ballot <b>once</b>", "Punch the ballot <b>once</i>")
    edit(content_copy / "faq/1_contoh.yaml", '"TPS buka pukul {{ election.hours }}."',
         '"TPS buka pukul {{ election.opening }}."')
    found = problems(content_copy)
    assert len(found) == 2, found
    assert found[0].startswith("content/faq/1_contoh.yaml:46: jam_tps.id.answer: template error")
    assert found[1].startswith("content/faq/1_contoh.yaml:65: cara_mencoblos.en.answer: HTML")


def test_a_layer_name_mismatch_has_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "content"
    shutil.copytree(PROVINCE, root)
    edit(root / "layers/98.71/region.yaml", "name: Kota Contoh Raya", "name: Kota Contoh Rayo")
    found = check(root, capsys)
    assert found == ["content/layers/98.71/region.yaml:2: name: 'Kota Contoh Rayo': the region "
                     "codes name 98.71 'Kota Contoh Raya'"], found


# ---- one bad field, one problem ----------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('questions: ["Kapan pilkada dilaksanakan?",', 'questions: [17, ',
     "content/faq/1_contoh.yaml:9: entries.hari_pemungutan.id.questions.0: Input should be"),
    ("    sources: [contoh_jadwal]\n    related: [jam_tps, cara_mencoblos]",
     "    sources: [contoh_jadwal]\n    triggers: ['(unclosed']\n    related: [jam_tps, cara_mencoblos]",
     "content/faq/1_contoh.yaml:6: entries.hari_pemungutan.triggers.0: not a valid regular"),
])
def test_one_bad_field_loses_one_entry_and_says_so_once(content_copy: Path, old: str, new: str,
                                                        expected: str) -> None:
    edit(content_copy / "faq/1_contoh.yaml", old, new)
    found = problems(content_copy)
    assert found[0].startswith(expected), found
    assert not any("no such FAQ entry" in p for p in found), found
    assert len(found) == 2 and found[1].startswith("content/training/messages.jsonl: entries: ")
    assert "labelled message(s) name entries of an FAQ file or entry refused above" in found[1]
