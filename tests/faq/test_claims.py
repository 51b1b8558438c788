"""Forwarded messages and "is this true?" questions are claims to check (issue 18)."""

from __future__ import annotations

from bot.content.registry import Content
from bot.faq.claims import asks_if_true, settled
from bot.faq.matcher import Matcher
from tests.fakes.harness import Harness, texts

ORIGIN = {"type": "user", "sender_user": {"id": 555, "is_bot": False, "first_name": "Tetangga"},
          "date": 1700000000}


def test_asking_whether_something_is_true_is_recognised() -> None:
    for text in ("tps tutup jam 12, bener gak?", "itu hoaks ya?", "Is this true?", "benarkah itu"):
        assert asks_if_true(text), text
    for text in ("kapan tps buka", "siapa yang benar-benar boleh memilih", "where do I vote"):
        assert not asks_if_true(text), text


def test_a_listed_claim_is_found_only_when_the_message_says_it(content: Content) -> None:
    entry = content.entries["jam_tps"].entry
    normalizer = Matcher(content).normalizer
    found = settled(entry, "Info penting: TPS di Lembah Contoh tutup jam 12 siang!", normalizer)
    assert found is not None and found.verdict is False
    # Another hour is another claim: no verdict on it.
    assert settled(entry, "TPS di Lembah Contoh tutup jam 1 siang!", normalizer) is None
    assert settled(entry, "TPS buka jam berapa?", normalizer) is None
    english = settled(entry, "Heads up: polling stations in Lembah Contoh close at noon", normalizer)
    assert english is not None


async def test_a_forwarded_false_claim_is_answered_not_true_then_the_facts(harness: Harness) -> None:
    calls = await harness.text("TPS di Lembah Contoh tutup jam 12 siang, sebarkan!",
                               forward_origin=ORIGIN)
    reply = texts(calls)[0]
    assert reply.startswith("🔎 <b>Tidak benar</b> bahwa “TPS di Lembah Contoh tutup jam 12 siang.”")
    assert "<b>Faktanya:</b>" in reply and "<b>Jam buka TPS</b>" in reply


async def test_a_question_asking_if_true_gets_the_facts_without_a_verdict(harness: Harness) -> None:
    reply = texts(await harness.text("katanya tps buka jam 7 pagi, bener gak?"))[0]
    assert reply.startswith("🔎 <b>Faktanya:</b>") and "Tidak benar" not in reply
    assert "<b>Jam buka TPS</b>" in reply


async def test_a_claim_nothing_answers_is_not_confirmed_and_points_to_checks(harness: Harness) -> None:
    reply = texts(await harness.text("Besok ada bagi-bagi sembako gratis di lapangan bola!",
                                     forward_origin=ORIGIN))[0]
    assert "belum bisa memastikan" in reply and "cekfakta.com" in reply.lower()


async def test_a_header_marks_a_forward_too(harness: Harness) -> None:
    reply = texts(await harness.text("[Diteruskan]\nTPS di Lembah Contoh tutup jam 12 siang!!"))[0]
    assert reply.startswith("🔎 <b>Tidak benar</b>")
