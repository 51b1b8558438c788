"""The races' candidate pairs as content (`candidates:` in election.yaml and the layers'
region.yaml, bot/content/candidates.py): refused with file, line and field when a name or a
nickname is not the one its race's answer writes, or the entry answers no race; and, on the
bundled content, every pair of every race listed and in that race's answer as it is rendered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.content.candidates import races
from bot.content.registry import Content
from tests.content.editing import edit, problems


def test_a_name_its_answer_does_not_write_is_refused_with_its_line(content_copy: Path) -> None:
    election = content_copy / "election.yaml"
    edit(election, "names: [Joko Purnomo, Cik Mayang]", "names: [Joko Purnama, Cik Mayang]")
    found = problems(content_copy)
    line = next(n for n, text in enumerate(election.read_text().splitlines(), 1)
                if "Joko Purnama" in text)
    assert f"content/election.yaml:{line}: candidates.pairs.1.names: 'Joko Purnama' is not in " \
           "paslon's answer (id, 1_contoh.yaml): write it as the answer does" in found
    assert any("(en, 1_contoh.yaml)" in p for p in found)


def test_a_nickname_is_a_whole_word_of_the_answer(content_copy: Path) -> None:
    # "BINTANG" is written; "BINTAN" is in it, but not as a word
    edit(content_copy / "election.yaml", "nicknames: [BINTANG]", "nicknames: [BINTAN]")
    assert any("candidates.pairs.0.nicknames: 'BINTAN' is not in paslon's answer" in p
               for p in problems(content_copy))


def test_the_pairs_are_listed_in_ballot_order(content_copy: Path) -> None:
    edit(content_copy / "election.yaml", "{number: 2, names: [Joko", "{number: 3, names: [Joko")
    assert problems(content_copy) == [
        "content/election.yaml:53: candidates: pairs: numbered 1, 2, 3... in ballot order"]


def test_the_entry_must_answer_the_race(content_copy: Path) -> None:
    edit(content_copy / "election.yaml", "entry: paslon", "entry: jam_tps")
    assert any("candidates.pairs.0.names: 'Darmawan Sulistyo' is not in jam_tps's answer" in p
               for p in problems(content_copy))
    edit(content_copy / "election.yaml", "entry: jam_tps", "entry: tidak_ada")
    assert any("candidates.entry: 'tidak_ada' is no entry answering this race here" in p
               for p in problems(content_copy))


def test_every_bundled_race_lists_the_pairs_its_answer_lists(bundled_province: Content) -> None:
    found = races(bundled_province)
    assert {(r.path.parent.name, r.candidates.entry, len(r.candidates.pairs)) for r in found} == {
        ("content", "paslon_gubernur", 3), ("16.03", "paslon_bupati", 4),
        ("16.71", "paslon_bupati", 3)}
    # as a citizen reads the answer once the pairs are set (the check reads its template)
    after = datetime(2024, 10, 1, tzinfo=UTC)
    for race in found:
        code = race.path.parent.name if race.path.parent.name != "content" else "16.03"
        view = bundled_province.for_region(code)
        for lang in ("id", "en"):
            answer = " ".join(view.answer(race.candidates.entry, lang, after).split())
            for pair in race.candidates.pairs:
                for name in [*pair.names, *pair.nicknames]:
                    assert name in answer, (race.path, name, lang)
                assert f"{pair.number}. {pair.names[0]}" in answer, (race.path, pair.number)
