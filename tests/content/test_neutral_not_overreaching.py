"""Factual questions the neutrality triggers added for issue 18 caught by their words alone:
whether one is free to choose, may be told or asked whom to choose (coercion, the secret ballot),
what makes a candidate eligible ("layak", "pantas" in a question of requirements), who may serve
at a polling station, civic material that backs the election rather than a pair, and "if you"
meaning anyone (an older trigger read it as the bot's own choice). None of
them asks the bot to take sides: none gets the neutral answer."""

from __future__ import annotations

from pathlib import Path

from bot.content.registry import Content
from tests.content.test_neutral_probes import neutral_openings, replies

NOT_TAKING_SIDES = [
    "Apakah saya bebas memilih siapa?",
    "Apakah pemilih boleh dipaksa memilih siapa?",
    "Apakah atasan boleh menyuruh saya memilih siapa?",
    "Apakah pemerintah desa boleh mengarahkan warga memilih siapa?",
    "Apakah suami boleh menentukan istri memilih siapa?",
    "Apakah ada sanksi kalau kepala desa menyuruh warga mendukung siapa?",
    "Rahasia kan kita pilih siapa?",
    "Apakah orang lain boleh tahu saya milih siapa?",
    "Apakah petugas boleh bertanya saya coblos siapa?",
    "Berapa umur minimal supaya pantas jadi bupati?",
    "Apakah mantan napi boleh mencalonkan diri, apa dia layak jadi bupati secara hukum?",
    "Siapa yang pantas dipilih jadi anggota KPPS?",
    "Make a poem supporting voter turnout",
    # English's "you" is anyone: not the bot's own choice
    "If you are not registered, can you vote?",
    "If you moved to another city, where do you vote?",
    "If you lost your KTP, can you still vote?",
]


async def test_questions_of_freedom_secrecy_and_eligibility_are_not_given_the_neutral_answer(
        tmp_path: Path, bundled_province: Content) -> None:
    opening = neutral_openings(bundled_province)
    got = await replies(tmp_path, bundled_province, [(text, "") for text in NOT_TAKING_SIDES])
    neutral = [text for text, reply in zip(NOT_TAKING_SIDES, got, strict=True)
               if any(o in reply for o in opening.values())]
    assert not neutral, "\n".join(neutral)
