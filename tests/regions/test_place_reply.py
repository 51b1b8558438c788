"""A message that is only a place sets the citizen's region; a question that names a place is
answered for it and moves nobody (tests/fixtures/province, through the real Application; and
the one rule, regions.names.only_a_place, on its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content.registry import Content
from bot.regions.names import RegionNamer, only_a_place
from bot.storage.users import get_user
from tests.fakes.harness import Harness, buttons, offline_bot, texts
from tests.regions.test_names import EVERYDAY, NAMES, OTHER
from tests.test_province import BUKIT, CANDIDATES, KOTA

SAVED, SAVED_EN = "disimpan sebagai daerahmu", "saved as your area"
NAMER = RegionNamer(NAMES, OTHER, EVERYDAY)


def place_only(text: str, *, asked: bool = False) -> bool:
    found = NAMER.lookup(text)
    assert found is not None, text
    return only_a_place(text, found.rest, asked=asked)


@pytest.mark.parametrize("text", [
    "palembang", "muaro enim", "plg", "saya di lubuk linggau", "Kota Palembang", "di plg kak",
    "aku dari muba", "warga palembang nih", "saya di ogan komering ulu timur kak",
    "Palembang", "I'm from Palembang", "I am in Lubuklinggau", "in muara enim",
    "saya tinggal di palembang", "I live in Palembang"])
def test_a_place_said_alone_is_only_a_place(text: str) -> None:
    assert place_only(text) and place_only(text, asked=True)


@pytest.mark.parametrize("text", [
    "nyoblos di palembang", "siapa calon walikota palembang?", "palembang?", "kok di palembang",
    "milih di plg", "coblos muara enim", "kapan debat di lahat", "calon bupati lahat",
    "jadwal kampanye di kota palembang kak", "saya mau tanya di palembang dong",
    "I vote in Palembang", "who runs in palembang?", "palembang candidates", "where to vote in muba"])
def test_a_question_naming_a_place_is_not(text: str) -> None:
    assert not place_only(text)


@pytest.mark.parametrize("text", ["nyoblos di palembang", "milih di plg", "palembang?",
                                  "I vote in Palembang", "I live in muara enim", "ktp lahat"])
def test_in_answer_to_where_do_you_vote_its_verbs_are_a_reply(text: str) -> None:
    assert place_only(text, asked=True)


@pytest.mark.parametrize("text", ["siapa calon walikota palembang?", "jadwal debat lahat",
                                  "who runs in palembang?", "saya di palembang mau tanya jadwal"])
def test_a_question_is_no_reply_even_when_asked(text: str) -> None:
    assert not place_only(text, asked=True)


@pytest.fixture
async def bot(tmp_path: Path, province: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, province) as harness:
        yield harness


async def region(bot: Harness, user_id: int) -> str | None:
    user = await get_user(bot.app.services.db, user_id)
    return user.region_code if user is not None else None


@pytest.mark.parametrize("question", [
    "nyoblos di kota contoh raya", "siapa calon wali kota kota contoh raya?", "kota contoh raya?",
    "kok di kcr", "who are the candidates in kota contoh raya?", "I vote in kota contoh raya"])
async def test_a_question_naming_a_place_leaves_the_saved_region(bot: Harness, question: str) -> None:
    user = bot.user(701)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    said = "\n".join(texts(await bot.text(question, user=user)))
    assert SAVED not in said and SAVED_EN not in said, said
    assert await region(bot, 701) == "98.01"


async def test_a_question_naming_a_place_is_answered_for_it(bot: Harness) -> None:
    user = bot.user(702)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    said = "\n".join(texts(await bot.text("calon wali kota di kota contoh raya siapa?", user=user)))
    assert KOTA in said and BUKIT not in said, said
    assert await region(bot, 702) == "98.01"


@pytest.mark.parametrize(("reply", "code", "saved"), [
    ("kota contoh raya", "98.71", SAVED), ("saya di kcr", "98.71", SAVED),
    ("saya di kota contoh raya kak", "98.71", SAVED),
    ("rawa contoh", "98.02", SAVED), ("I'm from Kota Contoh Raya", "98.71", SAVED_EN)])
async def test_a_place_said_alone_sets_the_region_and_says_how_to_change_it(
        bot: Harness, reply: str, code: str, saved: str) -> None:
    user = bot.user(703)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    said = "\n".join(texts(await bot.text(reply, user=user)))
    assert saved in said and ("/wilayah" in said or "/region" in said), said
    assert await region(bot, 703) == code


@pytest.mark.parametrize(("reply", "lang"), [("nyoblos di kota contoh raya", "id"),
                                             ("I vote in Kota Contoh Raya", "en")])
async def test_a_place_inside_the_reply_answers_the_waiting_question(
        bot: Harness, reply: str, lang: str) -> None:
    user = bot.user(704, lang=lang)
    asked = await bot.text(CANDIDATES if lang == "id" else "who are the regent candidates?",
                           user=user)
    assert BUKIT not in "\n".join(texts(asked)), texts(asked)
    said = "\n".join(texts(await bot.text(reply, user=user)))
    assert (SAVED if lang == "id" else SAVED_EN) in said and KOTA in said, (texts(asked), said)
    assert await region(bot, 704) == "98.71"


@pytest.mark.parametrize("question", ["nyoblos di kota contoh raya", "I vote in kota contoh raya",
                                      "kota contoh raya?"])
async def test_where_to_vote_in_a_place_shows_its_kecamatan(bot: Harness, question: str) -> None:
    """Where to vote in a place, asked without the bot asking: its kecamatan (to find a TPS),
    not "I'm not sure"; the saved region stays."""
    user = bot.user(705)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    calls = await bot.text(question, user=user)
    assert "Ilir Kota" in buttons(calls[-1]), texts(calls)
    assert await region(bot, 705) == "98.01"


OUTSIDE = "di luar yang saya tangani"


@pytest.mark.parametrize(("text", "prompted"), [
    ("bandung", True), ("saya di jakarta", True), ("nyoblos di bandung", True),
    ("bandung", False), ("saya dari jakarta kak", False), ("dki jakarta", False)])
async def test_a_place_outside_the_deployment_said_alone_is_declined(
        bot: Harness, text: str, prompted: bool) -> None:
    """Only a place that is none of the deployment's (scope.yaml's `elsewhere`), typed in reply
    to /wilayah's "type its name" or unasked: said to be outside what the bot covers (with
    where to look), not answered as a question about the bot; nothing saved."""
    user = bot.user(705)
    if prompted:
        await bot.text("/wilayah", user=user)
    said = "\n".join(texts(await bot.text(text, user=user)))
    assert OUTSIDE in said, said
    assert await region(bot, 705) is None


async def test_a_question_from_someone_elsewhere_is_still_a_question(bot: Harness) -> None:
    user = bot.user(706)
    said = "\n".join(texts(await bot.text("saya di bandung bisa nyoblos di sini?", user=user)))
    assert OUTSIDE not in said, said
