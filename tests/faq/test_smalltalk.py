"""Small talk (issue 18): a friendly word back that says what the bot can do, with the menu; a
greeting before a question is greeted back and the question answered."""

from __future__ import annotations

import pytest

from bot.faq.matcher import Match
from bot.faq.smalltalk import greets, kind_of, question_of
from tests.fakes.harness import Harness, buttons, first, texts


def test_openings_and_closings_are_told_apart() -> None:
    assert greets("Halo min, kapan tps buka?") and greets("assalamualaikum, mau tanya")
    assert not greets("kapan tps buka? halo")
    assert greets("pagi min, mau tanya") and greets("Malam, kapan pilkada?")
    assert not greets("Malam hari H kemarin saya nonton hitung suara")      # tells when
    assert kind_of("makasih banyak ya min") == "thanks" and kind_of("ok dadah") == "bye"
    assert kind_of("hai") == "hello"
    assert kind_of("kamu ini bot resmi KPU?") == kind_of("who made you?") == "about"
    assert kind_of("halo min, ini bot resmi kpu?") == "about" and kind_of("halo min") == "hello"
    assert kind_of("oke mantap") == "hello"            # no paragraph about the bot to an "ok"
    assert question_of("Assalamualaikum wr wb kak, bawa apa ke tps?") == "bawa apa ke tps?"
    assert question_of("assalamualaikum min") == "assalamualaikum min"     # a greeting alone


async def test_a_greeting_gets_a_friendly_reply_with_what_the_bot_does(harness: Harness) -> None:
    calls = await harness.text("hai kak, selamat siang")
    reply = texts(calls)[0]
    assert reply.startswith("Halo juga!") and "tanya soal cara, waktu dan tempat memilih" in reply
    assert buttons(first(calls, "sendMessage"))          # the menu


async def test_a_question_about_the_bot_is_not_greeted_and_says_who_runs_it(
        harness: Harness) -> None:
    reply = texts(await harness.text("kamu siapa?"))[0]
    assert reply.startswith("Saya bot informasi") and "Dikelola oleh KPU Kabupaten Lembah Contoh" in reply
    assert "Dikelola" not in texts(await harness.text("hai kak"))[0]
    greeted = texts(await harness.text("halo min, kamu siapa?"))[0]      # greeted, and told
    assert greeted.startswith("Halo juga!") and "Dikelola oleh" in greeted


async def test_thanks_are_answered_in_kind(harness: Harness) -> None:
    assert texts(await harness.text("terima kasih banyak ya"))[0].startswith("Sama-sama!")


async def test_a_greeting_before_a_question_answers_the_question_warmly(harness: Harness) -> None:
    for text in ("halo min, tps buka jam berapa?", "assalamualaikum wr wb kak, tps buka jam berapa?"):
        reply = texts(await harness.text(text))[0]
        assert reply.startswith("Halo juga! 👋\n\n<b>Jam buka TPS</b>"), text


async def test_the_answer_model_reads_the_question_without_its_greeting(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    # A long greeting's words would pull the question towards small talk; it is greeted back.
    answers = harness.app.services.answers
    read: list[str] = []
    match = answers.match

    async def recording(text: str) -> Match:
        read.append(text)
        return await match(text)

    monkeypatch.setattr(answers, "match", recording)
    await harness.text("Assalamualaikum warahmatullahi wabarakatuh min, tps buka jam berapa?")
    await harness.text("assalamualaikum min")
    assert read == ["tps buka jam berapa?", "assalamualaikum min"]
